//! How features and people map to the columns of their GeoPackage tables.
//!
//! Attributes are plain columns (not one JSON blob) so that QGIS can style and filter on them;
//! only the list of people is JSON text. Enumerations are stored as the same lowercase words
//! GeoJSON uses.

use super::binary;
use crate::StoreError;
use geo_types::Point;
use onemap_index::{Attributes, Feature, Layer, Person};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};
use serde::{de::DeserializeOwned, Serialize};

/// The spatial reference system of every geometry: WGS84 longitude/latitude.
pub(super) const SRS_ID: i32 = 4326;

/// Columns every feature table has after `fid`, in the order rows are written and read.
const COMMON: [&str; 5] = ["geom", "id", "name", "version", "people"];

/// The layer-specific columns, in the order [`attribute_values`] writes them.
fn attribute_columns(layer: Layer) -> &'static [&'static str] {
    match layer {
        Layer::Grid => &["level", "parent", "kind", "category", "setting"],
        Layer::Beat => &["station"],
        Layer::Station => &["location_lng", "location_lat"],
        Layer::Camera => &["kind", "status", "heading", "range_m"],
    }
}

fn columns(layer: Layer) -> impl Iterator<Item = &'static str> {
    COMMON
        .into_iter()
        .chain(attribute_columns(layer).iter().copied())
}

fn select_sql(layer: Layer) -> String {
    let columns: Vec<_> = columns(layer).collect();
    format!("SELECT {} FROM {layer}", columns.join(", "))
}

/// Every feature of a layer, ordered by id.
pub(super) fn load_layer(conn: &Connection, layer: Layer) -> Result<Vec<Feature>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{} ORDER BY id", select_sql(layer)))?;
    let rows = stmt.query_and_then([], |row| feature_from_row(layer, row))?;
    rows.collect()
}

/// One feature by id, if it exists.
pub(super) fn get_feature(
    conn: &Connection,
    layer: Layer,
    id: &str,
) -> Result<Option<Feature>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{} WHERE id = ?1", select_sql(layer)))?;
    let found = stmt
        .query_and_then([id], |row| feature_from_row(layer, row))?
        .next();
    found.transpose()
}

/// The stored version of a feature; 0 if it does not exist.
pub(super) fn feature_version(
    conn: &Connection,
    layer: Layer,
    id: &str,
) -> Result<u64, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT version FROM {layer} WHERE id = ?1"))?;
    Ok(stmt
        .query_row([id], |row| row.get(0))
        .optional()?
        .unwrap_or(0))
}

/// The ids of every feature of a layer.
pub(super) fn layer_ids(conn: &Connection, layer: Layer) -> Result<Vec<String>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT id FROM {layer} ORDER BY id"))?;
    let ids = stmt.query_map([], |row| row.get(0))?;
    Ok(ids.collect::<Result<_, _>>()?)
}

/// Inserts or replaces a feature, keeping its `fid` when it already exists so that tools
/// holding on to `fid`s (QGIS) see an update, not a delete and an insert.
///
/// An `UPDATE`, then an `INSERT` if nothing was there, rather than one `INSERT … ON CONFLICT
/// DO UPDATE`: the R-tree triggers GDAL and QGIS add run `INSERT OR REPLACE`, and under an
/// upsert SQLite applies the outer statement's conflict rule to them, so they would fail.
pub(super) fn upsert_feature(
    conn: &Connection,
    f: &Feature,
    version: u64,
) -> Result<(), StoreError> {
    let layer = f.layer();
    let columns: Vec<_> = columns(layer).collect();
    let values = feature_values(f, version)?;
    let assignments: Vec<_> = columns
        .iter()
        .enumerate()
        .map(|(i, c)| format!("{c} = ?{}", i + 1))
        .collect();
    // `id` is the second of the COMMON columns.
    let update = format!(
        "UPDATE {layer} SET {} WHERE id = ?2",
        assignments.join(", ")
    );
    let updated = conn
        .prepare_cached(&update)?
        .execute(params_from_iter(values.iter()))?;
    if updated == 0 {
        let placeholders: Vec<_> = (1..=columns.len()).map(|i| format!("?{i}")).collect();
        let insert = format!(
            "INSERT INTO {layer} ({}) VALUES ({})",
            columns.join(", "),
            placeholders.join(", ")
        );
        conn.prepare_cached(&insert)?
            .execute(params_from_iter(values))?;
    }
    Ok(())
}

/// Deletes a feature; whether it existed.
pub(super) fn delete_feature(
    conn: &Connection,
    layer: Layer,
    id: &str,
) -> Result<bool, StoreError> {
    let deleted = conn
        .prepare_cached(&format!("DELETE FROM {layer} WHERE id = ?1"))?
        .execute([id])?;
    Ok(deleted > 0)
}

pub(super) fn clear_layer(conn: &Connection, layer: Layer) -> Result<(), StoreError> {
    conn.execute(&format!("DELETE FROM {layer}"), [])?;
    Ok(())
}

const PERSON_SELECT: &str = "SELECT id, name, role, phone, version FROM person";

pub(super) fn load_people(conn: &Connection) -> Result<Vec<Person>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{PERSON_SELECT} ORDER BY id"))?;
    let rows = stmt.query_and_then([], person_from_row)?;
    rows.collect()
}

pub(super) fn get_person(conn: &Connection, id: &str) -> Result<Option<Person>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("{PERSON_SELECT} WHERE id = ?1"))?;
    let found = stmt.query_and_then([id], person_from_row)?.next();
    found.transpose()
}

pub(super) fn upsert_person(conn: &Connection, p: &Person, version: u64) -> Result<(), StoreError> {
    conn.prepare_cached(
        "INSERT INTO person (id, name, role, phone, version) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(id) DO UPDATE SET name = excluded.name, role = excluded.role,
             phone = excluded.phone, version = excluded.version",
    )?
    .execute((&p.id, &p.name, p.role.as_str(), &p.phone, version))?;
    Ok(())
}

pub(super) fn delete_person(conn: &Connection, id: &str) -> Result<(), StoreError> {
    conn.prepare_cached("DELETE FROM person WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

fn feature_values(f: &Feature, version: u64) -> Result<Vec<Value>, StoreError> {
    let version = i64::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("version {version} is too large")))?;
    let people = serde_json::to_string(&f.people).expect("a list of strings always serialises");
    let mut values = vec![
        Value::Blob(binary::encode(&f.shape, SRS_ID)),
        Value::Text(f.id.clone()),
        Value::Text(f.name.clone()),
        Value::Integer(version),
        Value::Text(people),
    ];
    values.extend(attribute_values(&f.attributes));
    Ok(values)
}

fn attribute_values(attributes: &Attributes) -> Vec<Value> {
    let text = |s: &Option<String>| s.clone().map_or(Value::Null, Value::Text);
    let real = |x: Option<f64>| x.map_or(Value::Null, Value::Real);
    match attributes {
        Attributes::Grid {
            level,
            parent,
            kind,
            category,
            setting,
        } => vec![
            Value::Integer(i64::from(*level)),
            text(parent),
            Value::Text(keyword(kind)),
            text(category),
            setting
                .as_ref()
                .map_or(Value::Null, |s| Value::Text(keyword(s))),
        ],
        Attributes::Beat { station } => vec![text(station)],
        Attributes::Station { location } => {
            vec![real(location.map(|p| p.x())), real(location.map(|p| p.y()))]
        }
        Attributes::Camera {
            kind,
            status,
            heading,
            range_m,
        } => vec![
            Value::Text(kind.clone()),
            Value::Text(keyword(status)),
            real(*heading),
            real(*range_m),
        ],
    }
}

/// Reads a row selected with [`select_sql`].
fn feature_from_row(layer: Layer, row: &Row) -> Result<Feature, StoreError> {
    let id: String = row.get(1)?;
    let corrupt = |why: String| StoreError::Corrupt(format!("{layer}/{id}: {why}"));
    let blob: Vec<u8> = row.get(0)?;
    let people: String = row.get(4)?;
    Ok(Feature {
        shape: binary::decode(&blob).map_err(corrupt)?,
        name: row.get(2)?,
        version: row.get(3)?,
        people: serde_json::from_str(&people)
            .map_err(|e| corrupt(format!("people is not a JSON list of ids: {e}")))?,
        attributes: read_attributes(layer, row, COMMON.len()).map_err(corrupt)?,
        id,
    })
}

/// Reads the layer-specific columns, which start at column `at`.
fn read_attributes(layer: Layer, row: &Row, at: usize) -> Result<Attributes, String> {
    let column = |i: usize| attribute_columns(layer)[i];
    let get = |i: usize| -> Result<Value, String> { row.get(at + i).map_err(|e| e.to_string()) };
    let text = |i| match get(i)? {
        Value::Null => Ok(None),
        Value::Text(s) => Ok(Some(s)),
        other => Err(format!("column {} holds {other:?}, not text", column(i))),
    };
    let real = |i| match get(i)? {
        Value::Null => Ok(None),
        Value::Real(x) => Ok(Some(x)),
        Value::Integer(n) => Ok(Some(n as f64)),
        other => Err(format!(
            "column {} holds {other:?}, not a number",
            column(i)
        )),
    };
    Ok(match layer {
        Layer::Grid => Attributes::Grid {
            level: match get(0)? {
                Value::Integer(n) => {
                    u8::try_from(n).map_err(|_| format!("level {n} is out of range"))?
                }
                other => return Err(format!("level holds {other:?}, not an integer")),
            },
            parent: text(1)?,
            kind: required(column(2), word(text(2)?)?)?,
            category: text(3)?,
            setting: word(text(4)?)?,
        },
        Layer::Beat => Attributes::Beat { station: text(0)? },
        Layer::Station => Attributes::Station {
            location: real(0)?.zip(real(1)?).map(|(x, y)| Point::new(x, y)),
        },
        Layer::Camera => Attributes::Camera {
            kind: text(0)?.unwrap_or_default(),
            status: required(column(1), word(text(1)?)?)?,
            heading: real(2)?,
            range_m: real(3)?,
        },
    })
}

fn required<T>(column: &str, value: Option<T>) -> Result<T, String> {
    value.ok_or_else(|| format!("column {column} is empty"))
}

/// A model enum from the word stored for it, if any.
fn word<T: DeserializeOwned>(stored: Option<String>) -> Result<Option<T>, String> {
    stored
        .map(|word| {
            serde_json::from_value(serde_json::Value::String(word.clone()))
                .map_err(|_| format!("`{word}` is not a known value"))
        })
        .transpose()
}

fn person_from_row(row: &Row) -> Result<Person, StoreError> {
    let id: String = row.get(0)?;
    let role: String = row.get(2)?;
    Ok(Person {
        name: row.get(1)?,
        role: role
            .parse()
            .map_err(|e| StoreError::Corrupt(format!("person/{id}: {e}")))?,
        phone: row.get(3)?,
        version: row.get(4)?,
        id,
    })
}

/// The lowercase word a model enum is written as (`exclusive`, `rural`, `offline`).
fn keyword<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(word)) => word,
        _ => unreachable!("model enums serialise as words"),
    }
}
