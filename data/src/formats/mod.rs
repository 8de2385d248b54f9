//! Layer imports in the formats planners bring: GeoJSON, zipped Shapefiles, GeoPackages, KML,
//! CSV and FlatGeobuf, told apart by content ([`detect`]), with GBK text, projected coordinates and
//! their own column names.
//!
//! Each reader turns its input into GeoJSON Feature objects (one module a format); those are
//! reprojected to WGS84, their columns renamed by the caller's map and, for formats whose
//! values are text, typed as the layer's registry says; then
//! [`crate::geojson_io::parse_features`] reads them. So every check, error message and the
//! all-or-nothing rule of a GeoJSON import hold for every format.

pub mod crs;
mod delimited;
pub mod detect;
mod feature_collection;
mod fields;
mod flatgeobuf_file;
mod geopackage;
mod kml;
mod shapefile_zip;
pub mod text;
mod wkt;

pub use crs::Crs;
pub use detect::{detect, Format};
pub use fields::FieldMap;
pub use text::TextEncoding;

use crate::geojson_io::{parse_features, FeatureRepairs, ImportError, OnInvalid};
use onemap_index::{Feature, Layer};
use serde_json::Value;

/// What the caller says about an input (`?table=&crs=&encoding=&map=`, or the CLI's flags).
#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    /// The format a `Content-Type` or a file name suggests; the content decides first.
    pub hint: Option<Format>,
    /// The GeoPackage table, or the Shapefile in a zip of several (by file name).
    pub table: Option<String>,
    /// The coordinate system, over what the file says.
    pub crs: Option<Crs>,
    /// The text encoding, over what the file says (`.cpg`) or UTF-8.
    pub encoding: Option<TextEncoding>,
    pub map: FieldMap,
    /// Repair invalid areas (`?repair=true`, `--repair`) or refuse them.
    pub on_invalid: OnInvalid,
}

/// Features read from an input, ready for a [`onemap_index::command::Command::Import`].
#[derive(Debug)]
pub struct Imported {
    pub features: Vec<Feature>,
    pub format: Format,
    /// What was assumed or converted on the way (the encoding chosen, the reprojection), to
    /// tell the user.
    pub notes: Vec<String>,
    /// The fixes made to each feature that needed any (with [`OnInvalid::Repair`]).
    pub repairs: Vec<FeatureRepairs>,
}

/// What a reader makes of an input: GeoJSON Feature objects in the input's coordinates.
struct Source {
    features: Vec<Value>,
    /// The input's coordinate system, when it says.
    crs: Option<Crs>,
    notes: Vec<String>,
}

impl Source {
    fn new(features: Vec<Value>, crs: Option<Crs>) -> Source {
        Source {
            features,
            crs,
            notes: Vec::new(),
        }
    }
}

/// Reads a layer's features from `body` in any accepted format: all of them, or the first
/// problem, naming the feature.
pub fn read_layer(
    layer: Layer,
    body: &[u8],
    options: &ImportOptions,
) -> Result<Imported, ImportError> {
    let format = detect(body, options.hint).map_err(|p| ImportError::feature(None, p))?;
    let mut source = match format {
        Format::GeoJson => feature_collection::read(body, options)?,
        Format::Shapefile => shapefile_zip::read(body, options)?,
        Format::GeoPackage => geopackage::read(body, options)?,
        Format::Kml => kml::read(body, options)?,
        Format::Csv => delimited::read(body, options)?,
        Format::FlatGeobuf => flatgeobuf_file::read(body, options)?,
    };
    match options.crs.or(source.crs).unwrap_or(Crs::LngLat) {
        Crs::LngLat => {}
        crs => {
            source.features.iter_mut().for_each(|f| reproject(f, crs));
            source
                .notes
                .push(format!("coordinates reprojected from {} to WGS84", crs));
        }
    }
    options.map.rename(&mut source.features)?;
    if format != Format::GeoJson {
        source
            .features
            .iter_mut()
            .for_each(|f| fields::type_properties(layer, f));
    }
    let (features, repairs) = parse_features(layer, source.features, options.on_invalid)?;
    Ok(Imported {
        features,
        format,
        notes: source.notes,
        repairs,
    })
}

/// Reprojects every position of a GeoJSON Feature object's geometry to longitude/latitude.
fn reproject(feature: &mut Value, crs: Crs) {
    fn positions(value: &mut Value, crs: Crs) {
        let Value::Array(items) = value else { return };
        match items.as_mut_slice() {
            [Value::Number(x), Value::Number(y), ..] => {
                if let (Some(x), Some(y)) = (x.as_f64(), y.as_f64()) {
                    let (lng, lat) = crs.to_lng_lat(x, y);
                    *value = serde_json::json!([lng, lat]);
                }
            }
            nested => nested.iter_mut().for_each(|v| positions(v, crs)),
        }
    }
    if let Some(coordinates) = feature.pointer_mut("/geometry/coordinates") {
        positions(coordinates, crs);
    }
}
