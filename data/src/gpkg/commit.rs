//! One change set inside one transaction: check the expected versions, write every change
//! with the next city version, audit what changed, bump the city version.
//!
//! The caller owns the transaction; any error here makes it roll back, so a change set is
//! written whole or not at all.

use super::{audit, binary, rows};
use crate::store::{audit_entry, check_expected, Key, Record};
use crate::{Change, ChangeSet, Commit, StoreError};
use onemap_index::Feature;
use rusqlite::Connection;
use std::collections::{BTreeSet, HashSet};

/// Writes `changes`; the caller commits or rolls back.
pub(super) fn write(conn: &Connection, changes: &ChangeSet) -> Result<Commit, StoreError> {
    check_expected(&changes.expect, |layer, id| {
        rows::feature_version(conn, layer, id)
    })?;
    let current = city_version(conn)?;
    if changes.changes.is_empty() {
        return Ok(Commit {
            version: current,
            written: 0,
        });
    }
    let version = current + 1;
    let at: String = conn.query_row("SELECT strftime('%Y-%m-%dT%H:%M:%fZ', 'now')", [], |r| {
        r.get(0)
    })?;
    let keys = touched(conn, &changes.changes)?;
    let before = read_all(conn, &keys)?;
    for change in &changes.changes {
        apply(conn, change, version)?;
    }
    let after = read_all(conn, &keys)?;
    let mut written = 0;
    for ((key, before), after) in keys.iter().zip(before).zip(after) {
        written += usize::from(before.is_some() || after.is_some());
        if before.as_ref().map(Record::content) != after.as_ref().map(Record::content) {
            let entry = audit_entry(changes, version, &at, key, before, after);
            audit::append(conn, &entry)?;
        }
    }
    conn.execute(
        "UPDATE onemap_meta SET value = ?1 WHERE key = 'city_version'",
        [version],
    )?;
    mark_changed(conn, &changes.changes, &at)?;
    Ok(Commit { version, written })
}

/// The city version: the number of the last commit.
pub(super) fn city_version(conn: &Connection) -> Result<u64, StoreError> {
    Ok(conn.query_row(
        "SELECT value FROM onemap_meta WHERE key = 'city_version'",
        [],
        |r| r.get(0),
    )?)
}

/// Every record the changes may touch, in order of first mention. A cleared layer touches
/// every feature it holds now; anything added to it earlier in the set is named by its own
/// change.
fn touched(conn: &Connection, changes: &[Change]) -> Result<Vec<Key>, StoreError> {
    let mut keys = Vec::new();
    let mut seen = HashSet::new();
    for change in changes {
        let new: Vec<Key> = match change {
            Change::Upsert(f) => vec![Key::Feature(f.layer(), f.id.clone())],
            Change::Delete { layer, id } => vec![Key::Feature(*layer, id.clone())],
            Change::ClearLayer(layer) => rows::layer_ids(conn, *layer)?
                .into_iter()
                .map(|id| Key::Feature(*layer, id))
                .collect(),
            Change::UpsertPerson(p) => vec![Key::Person(p.id.clone())],
            Change::DeletePerson { id } => vec![Key::Person(id.clone())],
        };
        keys.extend(new.into_iter().filter(|k| seen.insert(k.clone())));
    }
    Ok(keys)
}

fn read_all(conn: &Connection, keys: &[Key]) -> Result<Vec<Option<Record>>, StoreError> {
    keys.iter()
        .map(|key| match key {
            Key::Feature(layer, id) => {
                Ok(rows::get_feature(conn, *layer, id)?.map(Record::Feature))
            }
            Key::Person(id) => Ok(rows::get_person(conn, id)?.map(Record::Person)),
        })
        .collect()
}

fn apply(conn: &Connection, change: &Change, version: u64) -> Result<(), StoreError> {
    match change {
        Change::Upsert(f) => {
            rows::upsert_feature(conn, f, version)?;
            grow_extent(conn, f)
        }
        Change::Delete { layer, id } => match rows::delete_feature(conn, *layer, id)? {
            true => Ok(()),
            false => Err(StoreError::NotFound {
                layer: *layer,
                id: id.clone(),
            }),
        },
        Change::ClearLayer(layer) => {
            rows::clear_layer(conn, *layer)?;
            conn.execute(
                "UPDATE gpkg_contents SET min_x = NULL, min_y = NULL, max_x = NULL, max_y = NULL
                 WHERE table_name = ?1",
                [layer.as_str()],
            )?;
            Ok(())
        }
        Change::UpsertPerson(p) => rows::upsert_person(conn, p, version),
        // Deleting someone who is not there leaves the store as asked: no error.
        Change::DeletePerson { id } => rows::delete_person(conn, id),
    }
}

/// Widens the layer's extent in `gpkg_contents` to cover `f`. Deletes do not shrink it: the
/// extent is informative (GPKG 1.3 §1.1.3.1.1), and too large is harmless where too small
/// would make clients skip data.
fn grow_extent(conn: &Connection, f: &Feature) -> Result<(), StoreError> {
    let Some([min_x, max_x, min_y, max_y]) = binary::envelope(&f.shape) else {
        return Ok(());
    };
    conn.prepare_cached(
        "UPDATE gpkg_contents SET min_x = min(coalesce(min_x, ?1), ?1),
             max_x = max(coalesce(max_x, ?2), ?2), min_y = min(coalesce(min_y, ?3), ?3),
             max_y = max(coalesce(max_y, ?4), ?4)
         WHERE table_name = ?5",
    )?
    .execute((min_x, max_x, min_y, max_y, f.layer().as_str()))?;
    Ok(())
}

/// Sets `last_change` of every table the commit wrote, as GPKG asks.
fn mark_changed(conn: &Connection, changes: &[Change], at: &str) -> Result<(), StoreError> {
    let mut tables: BTreeSet<&str> = ["audit", "onemap_meta"].into();
    tables.extend(changes.iter().map(|change| match change {
        Change::Upsert(f) => f.layer().as_str(),
        Change::Delete { layer, .. } | Change::ClearLayer(layer) => layer.as_str(),
        Change::UpsertPerson(_) | Change::DeletePerson { .. } => "person",
    }));
    let mut stmt =
        conn.prepare_cached("UPDATE gpkg_contents SET last_change = ?1 WHERE table_name = ?2")?;
    for table in tables {
        stmt.execute((at, table))?;
    }
    Ok(())
}
