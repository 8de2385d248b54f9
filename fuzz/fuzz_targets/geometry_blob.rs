//! Geometry blobs as another program may leave them in a GeoPackage (QGIS, GDAL, a broken
//! file), and WKB as PostGIS returns it: any bytes decode to a shape or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use onemap_data::gpkg::{decode_geometry_blob, decode_wkb};

fuzz_target!(|blob: &[u8]| {
    let _ = decode_geometry_blob(blob);
    let _ = decode_wkb(blob);
});
