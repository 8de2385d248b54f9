//! FlatGeobuf files (what `ogr2ogr -f FlatGeobuf` and QGIS write for large layers): every
//! feature with its properties, in the system the header's `crs` names.

use super::{Crs, ImportOptions, Source};
use crate::geojson_io::{ImportError, Problem};
use flatgeobuf::geozero::error::Result as GeozeroResult;
use flatgeobuf::geozero::{ColumnValue, GeomProcessor, PropertyProcessor};
use flatgeobuf::{FallibleStreamingIterator, FeatureProperties, FgbReader, GeozeroGeometry};
use serde_json::{json, Map, Value};
use std::io::Cursor;

pub(super) fn read(body: &[u8], _options: &ImportOptions) -> Result<Source, ImportError> {
    let unreadable = |e: &dyn std::fmt::Display| {
        ImportError::feature(
            None,
            Problem::Unreadable(format!("the FlatGeobuf file cannot be read: {e}")),
        )
    };
    let reader = FgbReader::open(Cursor::new(body)).map_err(|e| unreadable(&e))?;
    let crs = match reader.header().crs() {
        Some(crs) if crs.code() > 0 => Some(
            u32::try_from(crs.code())
                .ok()
                .and_then(Crs::from_epsg)
                .ok_or_else(|| {
                    ImportError::feature(None, Problem::WrongCrs(format!("EPSG:{}", crs.code())))
                })?,
        ),
        Some(crs) => crs
            .wkt()
            .map(Crs::from_wkt)
            .transpose()
            .map_err(|e| ImportError::feature(None, Problem::WrongCrs(e)))?,
        None => None,
    };
    let mut rows = reader.select_all().map_err(|e| unreadable(&e))?;
    let mut features = Vec::new();
    while let Some(feature) = rows.next().map_err(|e| unreadable(&e))? {
        let at = |e: &dyn std::fmt::Display| {
            ImportError::feature(
                Some(features.len()),
                Problem::Unreadable(format!("the FlatGeobuf feature cannot be read: {e}")),
            )
        };
        let mut geometry = Geometry::default();
        feature.process_geom(&mut geometry).map_err(|e| at(&e))?;
        let mut properties = Properties::default();
        feature
            .process_properties(&mut properties)
            .map_err(|e| at(&e))?;
        features.push(json!({ "type": "Feature", "properties": properties.0, "geometry": geometry.into_geojson() }));
    }
    Ok(Source::new(features, crs))
}

/// A geometry's positions gathered as nested GeoJSON arrays: each `…_begin` opens a list,
/// each `…_end` closes it into its parent.
#[derive(Default)]
struct Geometry {
    kind: Option<&'static str>,
    open: Vec<Vec<Value>>,
    done: Option<Value>,
}

impl Geometry {
    fn begin(&mut self, kind: &'static str) -> GeozeroResult<()> {
        self.kind.get_or_insert(kind);
        self.open.push(Vec::new());
        Ok(())
    }

    fn end(&mut self) -> GeozeroResult<()> {
        let list = Value::Array(self.open.pop().unwrap_or_default());
        match self.open.last_mut() {
            Some(parent) => parent.push(list),
            None => self.done = Some(list),
        }
        Ok(())
    }

    fn into_geojson(self) -> Value {
        match (self.kind, self.done) {
            (Some("Point"), Some(Value::Array(mut single))) if !single.is_empty() => {
                json!({ "type": "Point", "coordinates": single.swap_remove(0) })
            }
            (Some(kind), Some(coordinates)) => json!({ "type": kind, "coordinates": coordinates }),
            _ => Value::Null,
        }
    }
}

impl GeomProcessor for Geometry {
    fn xy(&mut self, x: f64, y: f64, _idx: usize) -> GeozeroResult<()> {
        if let Some(list) = self.open.last_mut() {
            list.push(json!([x, y]));
        }
        Ok(())
    }
    fn point_begin(&mut self, _idx: usize) -> GeozeroResult<()> {
        self.begin("Point")
    }
    fn point_end(&mut self, _idx: usize) -> GeozeroResult<()> {
        self.end()
    }
    fn multipoint_begin(&mut self, _size: usize, _idx: usize) -> GeozeroResult<()> {
        self.begin("MultiPoint")
    }
    fn multipoint_end(&mut self, _idx: usize) -> GeozeroResult<()> {
        self.end()
    }
    fn linestring_begin(&mut self, _tagged: bool, _size: usize, _idx: usize) -> GeozeroResult<()> {
        self.begin("LineString")
    }
    fn linestring_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        self.end()
    }
    fn polygon_begin(&mut self, _tagged: bool, _size: usize, _idx: usize) -> GeozeroResult<()> {
        self.begin("Polygon")
    }
    fn polygon_end(&mut self, _tagged: bool, _idx: usize) -> GeozeroResult<()> {
        self.end()
    }
    fn multipolygon_begin(&mut self, _size: usize, _idx: usize) -> GeozeroResult<()> {
        self.begin("MultiPolygon")
    }
    fn multipolygon_end(&mut self, _idx: usize) -> GeozeroResult<()> {
        self.end()
    }
}

/// A feature's properties as JSON values.
#[derive(Default)]
struct Properties(Map<String, Value>);

impl PropertyProcessor for Properties {
    fn property(&mut self, _idx: usize, name: &str, value: &ColumnValue) -> GeozeroResult<bool> {
        let value = match *value {
            ColumnValue::Byte(n) => json!(n),
            ColumnValue::UByte(n) => json!(n),
            ColumnValue::Bool(b) => json!(b),
            ColumnValue::Short(n) => json!(n),
            ColumnValue::UShort(n) => json!(n),
            ColumnValue::Int(n) => json!(n),
            ColumnValue::UInt(n) => json!(n),
            ColumnValue::Long(n) => json!(n),
            ColumnValue::ULong(n) => json!(n),
            ColumnValue::Float(x) => json!(f64::from(x)),
            ColumnValue::Double(x) => json!(x),
            ColumnValue::String(s) | ColumnValue::Json(s) | ColumnValue::DateTime(s) => json!(s),
            ColumnValue::Binary(_) => return Ok(false),
        };
        self.0.insert(name.to_string(), value);
        Ok(false)
    }
}
