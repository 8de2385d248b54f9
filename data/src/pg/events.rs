//! The `onemap.event` table: incidents, append-only, numbered by `seq`. Appends lock the
//! `event_seq` counter row, so numbers are committed in order on every node and a follower
//! reading "above the last number I hold" never skips one.

use super::{to_i64, CHANNEL};
use crate::events_io::format_time;
use crate::store::events_audit;
use crate::StoreError;
use onemap_index::events::{Event, Source};
use std::io::Write;

/// Writes `events` numbered after the last stored, with their audit row, in `tx`.
pub(super) fn append(
    tx: &mut postgres::Transaction<'_>,
    mut events: Vec<Event>,
    author: &str,
) -> Result<Vec<Event>, StoreError> {
    let last: i64 = tx
        .query_one(
            "SELECT value FROM onemap.meta WHERE key = 'event_seq' FOR UPDATE",
            &[],
        )?
        .get(0);
    let mut copy =
        tx.copy_in("COPY onemap.event (seq, time, geom, category, source, text) FROM STDIN")?;
    let mut line = String::new();
    for (e, seq) in events.iter_mut().zip(last as u64 + 1..) {
        e.seq = seq;
        line.clear();
        line.push_str(&format!(
            "{seq}\t{}\tSRID=4326;POINT({} {})\t",
            format_time(e.time),
            e.lng,
            e.lat
        ));
        escape(&e.category, &mut line);
        line.push('\t');
        line.push_str(e.source.as_str());
        line.push('\t');
        match &e.text {
            Some(text) => escape(text, &mut line),
            None => line.push_str("\\N"),
        }
        line.push('\n');
        copy.write_all(line.as_bytes())
            .map_err(|e| StoreError::Unavailable(format!("writing events: {e}")))?;
    }
    copy.finish()?;
    let newest = events.last().map_or(last as u64, |e| e.seq);
    tx.execute(
        "UPDATE onemap.meta SET value = $1 WHERE key = 'event_seq'",
        &[&to_i64(newest)?],
    )?;
    let version: i64 = tx
        .query_one(
            "SELECT value FROM onemap.meta WHERE key = 'city_version'",
            &[],
        )?
        .get(0);
    let entry = events_audit(author, "", version as u64, &events);
    tx.execute(
        r#"INSERT INTO onemap.audit (version, author, action, layer, id, "after")
           VALUES ($1, $2, $3, NULL, $4, $5::text::jsonb)"#,
        &[
            &version,
            &entry.author,
            &entry.action,
            &entry.id,
            &entry.after.map(|a| a.to_string()),
        ],
    )?;
    // Wakes the other nodes' followers, which read the new events.
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &format!("event:{newest}")],
    )?;
    Ok(events)
}

/// COPY text format: backslash, tab, newline and carriage return escaped.
fn escape(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
}

/// Events numbered above `after`, in number order, at most `limit`.
pub(super) fn since(
    client: &mut postgres::Client,
    after: u64,
    limit: usize,
) -> Result<Vec<Event>, StoreError> {
    let rows = client.query(
        "SELECT seq, extract(epoch FROM time)::bigint, ST_X(geom), ST_Y(geom), category, source, text
         FROM onemap.event WHERE seq > $1 ORDER BY seq LIMIT $2",
        &[&to_i64(after)?, &i64::try_from(limit).unwrap_or(i64::MAX)],
    )?;
    rows.iter()
        .map(|row| {
            let seq: i64 = row.get(0);
            let source: String = row.get(5);
            Ok(Event {
                seq: seq as u64,
                time: row.get(1),
                lng: row.get(2),
                lat: row.get(3),
                category: row.get(4),
                source: Source::parse(&source).ok_or_else(|| {
                    StoreError::Corrupt(format!("event {seq}: unknown source `{source}`"))
                })?,
                text: row.get(6),
            })
        })
        .collect()
}
