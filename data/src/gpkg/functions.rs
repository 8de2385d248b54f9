//! The SQL functions of the GeoPackage R-tree extension (GPKG 1.3 §F.3): `ST_IsEmpty`,
//! `ST_MinX`, `ST_MaxX`, `ST_MinY` and `ST_MaxY` over geometry blobs.
//!
//! The extension's triggers call them on every write to a feature table. QGIS and GDAL
//! (`CreateSpatialIndex`) add such triggers to a file; a connection without the functions
//! then fails every later write to that table. They are registered on every connection we
//! open, before the schema is touched.

use super::binary;
use onemap_index::Shape;
use rusqlite::functions::{Context, FunctionFlags};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

/// Registers the functions on `conn`.
pub(super) fn register(conn: &Connection) -> rusqlite::Result<()> {
    let flags = FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC;
    conn.create_scalar_function("ST_IsEmpty", 1, flags, |ctx| {
        Ok(shape(ctx)?.map(|s| binary::envelope(&s).is_none()))
    })?;
    for (name, corner) in [
        ("ST_MinX", 0),
        ("ST_MaxX", 1),
        ("ST_MinY", 2),
        ("ST_MaxY", 3),
    ] {
        conn.create_scalar_function(name, 1, flags, move |ctx| {
            Ok(shape(ctx)?
                .and_then(|s| binary::envelope(&s))
                .map(|envelope| envelope[corner]))
        })?;
    }
    Ok(())
}

/// The geometry blob of the one argument; `None` for SQL NULL. A blob that does not decode
/// is an error, so a trigger cannot index a feature under a made-up box.
fn shape(ctx: &Context<'_>) -> rusqlite::Result<Option<Shape>> {
    match ctx.get_raw(0) {
        ValueRef::Null => Ok(None),
        ValueRef::Blob(blob) => binary::decode(blob)
            .map(Some)
            .map_err(|why| rusqlite::Error::UserFunctionError(why.into())),
        _ => Err(rusqlite::Error::UserFunctionError(
            "expected a GeoPackage geometry blob".into(),
        )),
    }
}
