//! Zipped Shapefiles: `.shp` shapes, `.dbf` attributes, `.shx` index, `.prj` coordinate
//! system and `.cpg` attribute encoding. Chinese offices write GBK attributes, often without a
//! `.cpg`: then UTF-8 is tried first, GBK second, and the import says which it used.

use super::{detect, Crs, ImportOptions, Source, TextEncoding};
use crate::geojson_io::{ImportError, Problem};
use serde_json::{json, Map, Value};
use shapefile::dbase::{self, FieldValue};
use shapefile::record::traits::HasXY;
use shapefile::{PolygonRing, Shape};
use std::io::{Cursor, Read};

/// No member of a zip is unpacked past this, so a zip bomb cannot fill memory.
const MAX_MEMBER_BYTES: u64 = 1 << 30;

pub(super) fn read(body: &[u8], options: &ImportOptions) -> Result<Source, ImportError> {
    let unplaced = |problem| ImportError::feature(None, problem);
    let unreadable = |e: &dyn std::fmt::Display| {
        unplaced(Problem::Unreadable(format!("the zip cannot be read: {e}")))
    };
    let mut zip = zip::ZipArchive::new(Cursor::new(body)).map_err(|e| unreadable(&e))?;
    let names: Vec<String> = zip.file_names().map(String::from).collect();
    let stem = shapefile_stem(&names, options.table.as_deref()).map_err(unplaced)?;
    let mut member = |extension: &str| -> Result<Option<Vec<u8>>, ImportError> {
        let Some(name) = names.iter().find(|n| {
            n.len() == stem.len() + 4
                && n.starts_with(&stem)
                && n[stem.len()..].eq_ignore_ascii_case(extension)
        }) else {
            return Ok(None);
        };
        let file = zip.by_name(name).map_err(|e| unreadable(&e))?;
        let mut bytes = Vec::new();
        file.take(MAX_MEMBER_BYTES)
            .read_to_end(&mut bytes)
            .map_err(|e| unreadable(&e))?;
        Ok(Some(bytes))
    };
    let missing = |extension: &str| {
        unplaced(Problem::Unreadable(format!("the zip has {stem}.shp but no {stem}{extension}: zip the .shp, .dbf and .shx together (and the .prj and .cpg)")))
    };
    let shp = member(".shp")?.ok_or_else(|| missing(".shp"))?;
    let dbf = member(".dbf")?.ok_or_else(|| missing(".dbf"))?;
    let crs = member(".prj")?
        .map(|prj| {
            Crs::from_wkt(&String::from_utf8_lossy(&prj))
                .map_err(|e| unplaced(Problem::WrongCrs(e)))
        })
        .transpose()?;
    let declared = match (options.encoding, member(".cpg")?) {
        (Some(encoding), _) => Some(encoding),
        (None, Some(cpg)) => Some(
            String::from_utf8_lossy(&cpg)
                .parse()
                .map_err(|e| unplaced(Problem::Encoding(format!("the .cpg: {e}"))))?,
        ),
        (None, None) => None,
    };
    let mut source = match declared {
        Some(encoding) => Source::new(features(&shp, &dbf, encoding)?, crs),
        None => match features(&shp, &dbf, TextEncoding::Utf8) {
            Ok(features) => with_note(
                Source::new(features, crs),
                "attribute text read as UTF-8 (the zip has no .cpg)",
            ),
            Err(utf8) => match features(&shp, &dbf, TextEncoding::Gbk) {
                Ok(features) => with_note(
                    Source::new(features, crs),
                    "attribute text read as GBK: the zip has no .cpg and the text is not UTF-8",
                ),
                Err(_) => return Err(utf8),
            },
        },
    };
    if names
        .iter()
        .filter(|n| n.to_ascii_lowercase().ends_with(".shp"))
        .count()
        > 1
        && options.table.is_none()
    {
        source.notes.push(format!(
            "the zip holds several Shapefiles; read {stem}.shp (choose another with `table`)"
        ));
    }
    Ok(source)
}

fn with_note(mut source: Source, note: &str) -> Source {
    source.notes.push(note.to_string());
    source
}

/// The path without `.shp` of the Shapefile to read: the one `table` names, else the first.
fn shapefile_stem(names: &[String], table: Option<&str>) -> Result<String, Problem> {
    let stems: Vec<&str> = names
        .iter()
        .filter(|n| !n.starts_with("__MACOSX/") && n.to_ascii_lowercase().ends_with(".shp"))
        .map(|n| &n[..n.len() - 4])
        .collect();
    let base = |stem: &str| stem.rsplit('/').next().unwrap_or(stem).to_string();
    match (table, stems.first()) {
        (_, None) => Err(detect::unsupported(&format!(
            "a zip without a .shp file (it holds {})",
            names.join(", ")
        ))),
        (None, Some(first)) => Ok(first.to_string()),
        (Some(table), _) => stems
            .iter()
            .find(|s| base(s) == table)
            .map(|s| s.to_string())
            .ok_or_else(|| {
                Problem::Unreadable(format!(
                    "the zip has no Shapefile `{table}`; it has {}",
                    stems.iter().map(|s| base(s)).collect::<Vec<_>>().join(", ")
                ))
            }),
    }
}

/// Every shape with its attributes as GeoJSON Feature objects, attribute text decoded as
/// `encoding` (an error if it is not valid there).
fn features(shp: &[u8], dbf: &[u8], encoding: TextEncoding) -> Result<Vec<Value>, ImportError> {
    let unreadable = |what: &str, e: &dyn std::fmt::Display| {
        ImportError::feature(
            None,
            Problem::Unreadable(format!("the {what} cannot be read: {e}")),
        )
    };
    let shapes =
        shapefile::ShapeReader::new(Cursor::new(shp)).map_err(|e| unreadable(".shp", &e))?;
    let table = match encoding {
        TextEncoding::Utf8 => dbase::Reader::new_with_encoding(Cursor::new(dbf), dbase::Unicode),
        TextEncoding::Gbk => dbase::Reader::new_with_encoding(
            Cursor::new(dbf),
            dbase::encoding::EncodingRs::from(encoding_rs::GBK),
        ),
    }
    .map_err(|e| unreadable(".dbf", &e))?;
    let mut reader = shapefile::Reader::new(shapes, table);
    reader
        .iter_shapes_and_records()
        .enumerate()
        .map(|(index, item)| {
            let (shape, record) = item.map_err(|e| {
                ImportError::feature(
                    Some(index),
                    Problem::Unreadable(format!(
                        "the Shapefile record cannot be read as {}: {e}",
                        encoding.name()
                    )),
                )
            })?;
            let geometry = geometry(shape)
                .map_err(|e| ImportError::feature(Some(index), Problem::Geometry(e)))?;
            let properties: Map<String, Value> = record
                .into_iter()
                .map(|(name, value)| (name, json_of(value)))
                .collect();
            Ok(json!({ "type": "Feature", "properties": properties, "geometry": geometry }))
        })
        .collect()
}

fn geometry(shape: Shape) -> Result<Value, String> {
    Ok(match shape {
        Shape::NullShape => Value::Null,
        Shape::Point(p) => point(&p),
        Shape::PointM(p) => point(&p),
        Shape::PointZ(p) => point(&p),
        Shape::Polygon(p) => polygons(p.rings()),
        Shape::PolygonM(p) => polygons(p.rings()),
        Shape::PolygonZ(p) => polygons(p.rings()),
        other => {
            return Err(format!(
                "the Shapefile holds {} shapes: onemap imports Polygon and Point Shapefiles",
                other.shapetype()
            ))
        }
    })
}

fn point(p: &impl HasXY) -> Value {
    json!({ "type": "Point", "coordinates": [p.x(), p.y()] })
}

/// A Shapefile polygon's rings as a GeoJSON MultiPolygon: each outer ring starts a polygon
/// and the holes after it belong to it, the order GDAL and ArcGIS write.
fn polygons<P: HasXY>(rings: &[PolygonRing<P>]) -> Value {
    let mut polygons: Vec<Vec<Vec<[f64; 2]>>> = Vec::new();
    for ring in rings {
        let positions = ring.points().iter().map(|p| [p.x(), p.y()]).collect();
        match (ring, polygons.last_mut()) {
            (PolygonRing::Inner(_), Some(polygon)) => polygon.push(positions),
            _ => polygons.push(vec![positions]),
        }
    }
    json!({ "type": "MultiPolygon", "coordinates": polygons })
}

fn json_of(value: FieldValue) -> Value {
    match value {
        FieldValue::Character(text) => text.map_or(Value::Null, |t| json!(t.trim_end())),
        FieldValue::Memo(text) => json!(text),
        FieldValue::Numeric(x) => x.map_or(Value::Null, |x| json!(x)),
        FieldValue::Float(x) => x.map_or(Value::Null, |x| json!(f64::from(x))),
        FieldValue::Double(x) | FieldValue::Currency(x) => json!(x),
        FieldValue::Integer(n) => json!(n),
        FieldValue::Logical(b) => b.map_or(Value::Null, |b| json!(b)),
        FieldValue::Date(d) => d.map_or(Value::Null, |d| {
            json!(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }),
        FieldValue::DateTime(t) => {
            let d = t.date();
            json!(format!("{:04}-{:02}-{:02}", d.year(), d.month(), d.day()))
        }
    }
}
