//! GeoJSON as a caller sends it to an import or a PUT: any bytes, read as each layer's
//! features and as people. A parser may refuse; it must never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onemap_data::geojson_io::{parse_feature, parse_feature_collection, parse_people};
use onemap_index::Layer;

fuzz_target!(|body: &[u8]| {
    for layer in Layer::ALL {
        let _ = parse_feature_collection(layer, body);
        let _ = parse_feature(layer, body);
    }
    let _ = parse_people(body);
});
