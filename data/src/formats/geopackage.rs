//! GeoPackages (what QGIS and GDAL save): the first feature table in `gpkg_contents`, or the
//! one `table` names, in the system its `srs_id` names.

use super::{Crs, ImportOptions, Source};
use crate::geojson_io::{ImportError, Problem};
use crate::gpkg::decode_geometry_blob;
use geojson::{Geometry, GeometryValue};
use onemap_index::Shape;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::{json, Map, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

pub(super) fn read(body: &[u8], options: &ImportOptions) -> Result<Source, ImportError> {
    let file = TempFile::with(body).map_err(|e| unreadable(&e))?;
    let db = Connection::open_with_flags(&file.0, OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| unreadable(&e))?;
    let (table, column, srs_id) = feature_table(&db, options.table.as_deref())?;
    let crs = crs_of(&db, srs_id)?;
    let features = rows(&db, &table, &column)?;
    let mut source = Source::new(features, crs);
    if options.table.is_none() {
        source.notes.push(format!(
            "read the GeoPackage table `{table}` (choose another with `table`)"
        ));
    }
    Ok(source)
}

fn unreadable(e: &dyn std::fmt::Display) -> ImportError {
    ImportError::feature(
        None,
        Problem::Unreadable(format!("the GeoPackage cannot be read: {e}")),
    )
}

/// The table to read, its geometry column and its `srs_id`.
fn feature_table(
    db: &Connection,
    wanted: Option<&str>,
) -> Result<(String, String, i64), ImportError> {
    let mut query = db
        .prepare("SELECT c.table_name, g.column_name, g.srs_id FROM gpkg_contents c JOIN gpkg_geometry_columns g ON g.table_name = c.table_name WHERE c.data_type = 'features' ORDER BY c.rowid")
        .map_err(|e| unreadable(&e))?;
    let tables: Vec<(String, String, i64)> = query
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .and_then(Iterator::collect)
        .map_err(|e| unreadable(&e))?;
    let names = || {
        tables
            .iter()
            .map(|t| t.0.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let found = match wanted {
        Some(name) => tables.iter().find(|t| t.0 == name),
        None => tables.first(),
    };
    found.cloned().ok_or_else(|| {
        let message = match wanted {
            Some(name) => format!("the GeoPackage has no feature table `{name}`; it has {}", names()),
            None => "the GeoPackage has no feature table (gpkg_contents lists none of data_type `features`)".to_string(),
        };
        ImportError::feature(None, Problem::Unreadable(message))
    })
}

/// The system of an `srs_id`: by its EPSG code, else by its WKT definition; `None` for the
/// GeoPackage's "undefined" systems (0, -1), read as longitude/latitude.
fn crs_of(db: &Connection, srs_id: i64) -> Result<Option<Crs>, ImportError> {
    if srs_id <= 0 {
        return Ok(None);
    }
    let (organization, code, definition): (String, i64, String) = db
        .query_row("SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1", [srs_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .map_err(|e| unreadable(&e))?;
    let by_code = u32::try_from(code)
        .ok()
        .filter(|_| organization.eq_ignore_ascii_case("EPSG"))
        .and_then(Crs::from_epsg);
    match by_code {
        Some(crs) => Ok(Some(crs)),
        None => Crs::from_wkt(&definition)
            .map(Some)
            .map_err(|e| ImportError::feature(None, Problem::WrongCrs(e))),
    }
}

/// Every row as a GeoJSON Feature object; the integer primary key (GDAL's `fid`) is left
/// out unless it is the `id`.
fn rows(db: &Connection, table: &str, geometry_column: &str) -> Result<Vec<Value>, ImportError> {
    let sql = |e: rusqlite::Error| unreadable(&e);
    let key: Option<String> = db
        .query_row(
            "SELECT name FROM pragma_table_info(?1) WHERE pk = 1",
            [table],
            |r| r.get(0),
        )
        .ok();
    let quoted = format!("\"{}\"", table.replace('"', "\"\""));
    let mut query = db
        .prepare(&format!("SELECT * FROM {quoted}"))
        .map_err(sql)?;
    let columns: Vec<String> = query.column_names().into_iter().map(String::from).collect();
    let mut rows = query.query([]).map_err(sql)?;
    let mut features = Vec::new();
    while let Some(row) = rows.next().map_err(sql)? {
        let mut properties = Map::new();
        let mut geometry = Value::Null;
        for (i, name) in columns.iter().enumerate() {
            let value = match row.get_ref(i).map_err(sql)? {
                ValueRef::Blob(blob) if name == geometry_column => {
                    let shape = decode_geometry_blob(blob).map_err(|e| {
                        ImportError::feature(Some(features.len()), Problem::Geometry(e))
                    })?;
                    geometry = geojson_of(&shape);
                    continue;
                }
                _ if key.as_ref() == Some(name) && name != "id" => continue,
                ValueRef::Integer(n) => json!(n),
                ValueRef::Real(x) => json!(x),
                ValueRef::Text(t) => json!(String::from_utf8_lossy(t)),
                ValueRef::Null | ValueRef::Blob(_) => continue,
            };
            properties.insert(name.clone(), value);
        }
        features.push(json!({ "type": "Feature", "properties": properties, "geometry": geometry }));
    }
    Ok(features)
}

fn geojson_of(shape: &Shape) -> Value {
    let value = match shape {
        Shape::Area(area) => GeometryValue::from(area),
        Shape::Point(point) => GeometryValue::from(point),
    };
    serde_json::to_value(Geometry::new(value)).unwrap_or(Value::Null)
}

/// The body on disk for SQLite to open, removed when dropped.
struct TempFile(PathBuf);

impl TempFile {
    fn with(bytes: &[u8]) -> std::io::Result<TempFile> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!(
            "onemap-import-{}-{}.gpkg",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        let file = TempFile(std::env::temp_dir().join(name));
        std::fs::write(&file.0, bytes)?;
        Ok(file)
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}
