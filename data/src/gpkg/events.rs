//! The `event` feature table: incidents, append-only, one row each with its number as `fid`.
//! A plain GeoPackage point table, so QGIS and GDAL open it as a layer.

use super::{audit, binary, commit, rows::SRS_ID};
use crate::events_io::{format_time, parse_time};
use crate::store::events_audit;
use crate::StoreError;
use geo_types::Point;
use onemap_index::events::{Event, Source};
use onemap_index::Shape;
use rusqlite::Connection;

/// Writes `events` numbered after the last stored, with their audit row; the caller owns the
/// transaction (`BEGIN IMMEDIATE` holds every other writer, so numbers go in order).
pub(super) fn append(
    conn: &Connection,
    mut events: Vec<Event>,
    author: &str,
) -> Result<Vec<Event>, StoreError> {
    let last: u64 = conn.query_row("SELECT coalesce(max(fid), 0) FROM event", [], |r| r.get(0))?;
    let mut insert = conn.prepare_cached(
        "INSERT INTO event (fid, geom, time, category, source, text) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for (e, seq) in events.iter_mut().zip(last + 1..) {
        e.seq = seq;
        let geom = binary::encode(&Shape::Point(Point::new(e.lng, e.lat)), SRS_ID);
        insert.execute((
            seq,
            geom,
            format_time(e.time),
            &e.category,
            e.source.as_str(),
            &e.text,
        ))?;
    }
    let at: String = conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })?;
    let version = commit::city_version(conn)?;
    audit::append(conn, &events_audit(author, &at, version, &events))?;
    Ok(events)
}

/// Events numbered above `after`, in number order, at most `limit`.
pub(super) fn since(conn: &Connection, after: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
    let limit = i64::try_from(limit).unwrap_or(i64::MAX);
    let mut select = conn.prepare_cached(
        "SELECT fid, geom, time, category, source, text FROM event WHERE fid > ?1 ORDER BY fid LIMIT ?2",
    )?;
    let mut rows = select.query((after, limit))?;
    let mut out = Vec::new();
    while let Some(row) = rows.next()? {
        let seq: u64 = row.get(0)?;
        let corrupt = |what: String| StoreError::Corrupt(format!("event {seq}: {what}"));
        let geom: Vec<u8> = row.get(1)?;
        let Shape::Point(p) = binary::decode(&geom).map_err(corrupt)? else {
            return Err(corrupt("the geometry is not a point".into()));
        };
        let time: String = row.get(2)?;
        let source: String = row.get(4)?;
        out.push(Event {
            seq,
            time: parse_time(&time).map_err(corrupt)?,
            lng: p.x(),
            lat: p.y(),
            category: row.get(3)?,
            source: Source::parse(&source)
                .ok_or_else(|| corrupt(format!("unknown source `{source}`")))?,
            text: row.get(5)?,
        });
    }
    Ok(out)
}
