//! CSV tables: one feature a row, placed by a `wkt` (or `geometry`) column, or for points by
//! longitude and latitude columns (`lng`/`lat`, `lon`/`lat`, `longitude`/`latitude`, `x`/`y`,
//! as `ogr2ogr -lco GEOMETRY=AS_XY` writes). Every other column is a property.

use super::{text, wkt, ImportOptions, Source};
use crate::geojson_io::{ImportError, Problem};
use serde_json::{json, Map, Value};

/// Column names that hold a geometry or one of its coordinates, lowercase.
pub const GEOMETRY_COLUMNS: [&str; 9] = [
    "wkt",
    "geometry",
    "geom",
    "lng",
    "lon",
    "longitude",
    "x",
    "lat",
    "latitude",
];

const WKT_COLUMNS: [&str; 3] = ["wkt", "geometry", "geom"];
const COORDINATE_PAIRS: [(&str, &str); 4] = [
    ("lng", "lat"),
    ("lon", "lat"),
    ("longitude", "latitude"),
    ("x", "y"),
];

/// Where a row's geometry is.
enum Placement {
    Wkt(usize),
    Coordinates(usize, usize),
}

pub(super) fn read(body: &[u8], options: &ImportOptions) -> Result<Source, ImportError> {
    let unplaced = |problem| ImportError::feature(None, problem);
    let text = text::decode(body, options.encoding, "CSV").map_err(unplaced)?;
    let first_line = text.lines().next().unwrap_or_default();
    let delimiter = [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.bytes().filter(|b| b == d).count())
        .unwrap_or(b',');
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| {
            unplaced(Problem::Unreadable(format!(
                "the CSV header cannot be read: {e}"
            )))
        })?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let placement = placement(&headers).map_err(unplaced)?;
    let mut features = Vec::new();
    for (index, row) in reader.records().enumerate() {
        let at = |problem| ImportError::feature(Some(index), problem);
        let row = row.map_err(|e| {
            at(Problem::Unreadable(format!(
                "the CSV row cannot be read: {e}"
            )))
        })?;
        let geometry = match placement {
            Placement::Wkt(column) => {
                wkt::to_geojson(&row[column]).map_err(|e| at(Problem::Geometry(e)))?
            }
            Placement::Coordinates(x, y) => {
                let number = |column: usize| {
                    row[column].trim().parse::<f64>().map_err(|_| {
                        at(Problem::Geometry(format!(
                            "column `{}` is `{}`, not a number",
                            headers[column], &row[column]
                        )))
                    })
                };
                json!({ "type": "Point", "coordinates": [number(x)?, number(y)?] })
            }
        };
        let skipped = match placement {
            Placement::Wkt(column) => [column, column],
            Placement::Coordinates(x, y) => [x, y],
        };
        let properties: Map<String, Value> = headers
            .iter()
            .zip(row.iter())
            .enumerate()
            .filter(|(i, _)| !skipped.contains(i))
            .map(|(_, (name, value))| (name.clone(), json!(value)))
            .collect();
        features.push(json!({ "type": "Feature", "properties": properties, "geometry": geometry }));
    }
    Ok(Source::new(features, None))
}

fn placement(headers: &[String]) -> Result<Placement, Problem> {
    let column = |name: &str| headers.iter().position(|h| h.eq_ignore_ascii_case(name));
    if let Some(wkt) = WKT_COLUMNS.iter().find_map(|name| column(name)) {
        return Ok(Placement::Wkt(wkt));
    }
    COORDINATE_PAIRS
        .iter()
        .find_map(|(x, y)| Some(Placement::Coordinates(column(x)?, column(y)?)))
        .ok_or_else(|| {
            Problem::Structure(format!(
                "the CSV has no geometry: give a `wkt` column (POINT, POLYGON or MULTIPOLYGON) or `lng` and `lat` columns; its columns are {}",
                headers.join(", ")
            ))
        })
}
