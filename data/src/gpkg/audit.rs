//! The audit log table: one row per feature or person a commit changed, with its JSON before
//! and after, so any version can be inspected, diffed and reverted.

use crate::store::AuditEntry;
use crate::StoreError;
use onemap_index::Layer;
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, Row};

const COLUMNS: &str = r#"version, at, author, action, layer, id, "before", "after""#;

pub(super) fn append(conn: &Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    let json = |v: &Option<serde_json::Value>| v.as_ref().map(serde_json::Value::to_string);
    conn.prepare_cached(&format!(
        "INSERT INTO audit ({COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"
    ))?
    .execute((
        entry.version,
        &entry.at,
        &entry.author,
        &entry.action,
        entry.layer.map(Layer::as_str),
        &entry.id,
        json(&entry.before),
        json(&entry.after),
    ))?;
    Ok(())
}

/// The newest `limit` entries, for one feature or for everything.
pub(super) fn recent(
    conn: &Connection,
    feature: Option<(Layer, &str)>,
    limit: usize,
) -> Result<Vec<AuditEntry>, StoreError> {
    let limit = Value::Integer(i64::try_from(limit).unwrap_or(i64::MAX));
    let (filter, params) = match feature {
        Some((layer, id)) => (
            "WHERE layer = ?1 AND id = ?2 ORDER BY fid DESC LIMIT ?3",
            vec![
                Value::Text(layer.as_str().into()),
                Value::Text(id.into()),
                limit,
            ],
        ),
        None => ("ORDER BY fid DESC LIMIT ?1", vec![limit]),
    };
    let mut stmt = conn.prepare_cached(&format!("SELECT {COLUMNS} FROM audit {filter}"))?;
    let rows = stmt.query_and_then(params_from_iter(params), entry)?;
    rows.collect()
}

fn entry(row: &Row) -> Result<AuditEntry, StoreError> {
    let layer: Option<String> = row.get(4)?;
    let json = |i: usize| -> Result<Option<serde_json::Value>, StoreError> {
        let text: Option<String> = row.get(i)?;
        text.map(|t| serde_json::from_str(&t))
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("an audit row holds invalid JSON: {e}")))
    };
    Ok(AuditEntry {
        version: row.get(0)?,
        at: row.get(1)?,
        author: row.get(2)?,
        action: row.get(3)?,
        layer: layer
            .map(|l| l.parse())
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("an audit row names {e}")))?,
        id: row.get(5)?,
        before: json(6)?,
        after: json(7)?,
    })
}
