//! How features and people map to the columns of their GeoPackage tables.
//!
//! Attributes are plain columns (not one JSON blob) so that QGIS can style and filter on them;
//! only the list of people is JSON text. Enumerations are stored as the same lowercase words
//! GeoJSON uses.

use super::binary;
use crate::StoreError;
use geo_types::Point;
use onemap_index::layers::{self, FieldKind};
use onemap_index::{Attributes, Feature, Layer, Person};
use rusqlite::types::Value;
use rusqlite::{params_from_iter, Connection, OptionalExtension, Row};

/// The spatial reference system of every geometry: WGS84 longitude/latitude.
pub(super) const SRS_ID: i32 = 4326;

/// Columns every feature table has after `fid`, in the order rows are written and read.
const COMMON: [&str; 5] = ["geom", "id", "name", "version", "people"];

/// The layer-specific columns, from the registry: one per field, two for a position.
fn attribute_columns(layer: Layer) -> Vec<String> {
    layers::spec(layer)
        .fields
        .iter()
        .flat_map(|f| match f.kind {
            FieldKind::Position => vec![format!("{}_lng", f.name), format!("{}_lat", f.name)],
            _ => vec![f.name.to_string()],
        })
        .collect()
}

fn columns(layer: Layer) -> impl Iterator<Item = String> {
    COMMON
        .into_iter()
        .map(str::to_string)
        .chain(attribute_columns(layer))
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
    let spec = layers::spec(attributes.layer());
    let mut row = Vec::new();
    for (field, value) in spec.fields.iter().zip(spec.values(attributes)) {
        match (&field.kind, value) {
            (FieldKind::Position, Some(layers::Value::Position(p))) => {
                row.extend([Value::Real(p.x()), Value::Real(p.y())]);
            }
            (FieldKind::Position, _) => row.extend([Value::Null, Value::Null]),
            (_, None) => row.push(Value::Null),
            (_, Some(layers::Value::Text(s))) => row.push(Value::Text(s)),
            (_, Some(layers::Value::Integer(n))) => row.push(Value::Integer(n)),
            (_, Some(layers::Value::Number(x))) => row.push(Value::Real(x)),
            (_, Some(layers::Value::Boolean(b))) => row.push(Value::Integer(i64::from(b))),
            (_, Some(layers::Value::Position(_))) => row.push(Value::Null),
        }
    }
    row
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

/// Reads the layer-specific columns, which start at column `at`, as the registry lays them out.
fn read_attributes(layer: Layer, row: &Row, at: usize) -> Result<Attributes, String> {
    let spec = layers::spec(layer);
    let mut column = at;
    let mut next = || -> Result<Value, String> {
        column += 1;
        row.get(column - 1).map_err(|e| e.to_string())
    };
    let mut values = Vec::with_capacity(spec.fields.len());
    for field in spec.fields {
        let stored = |v: Value| -> Result<Option<layers::Value>, String> {
            let wrong = |v: &Value| {
                format!(
                    "column {} holds {v:?}, not {}",
                    field.name,
                    field.kind.expected()
                )
            };
            Ok(match (&field.kind, v) {
                (_, Value::Null) => None,
                (FieldKind::Text | FieldKind::Keyword(_), Value::Text(s)) => {
                    Some(layers::Value::Text(s))
                }
                (FieldKind::Integer { .. }, Value::Integer(n)) => Some(layers::Value::Integer(n)),
                (FieldKind::Boolean, Value::Integer(n)) => Some(layers::Value::Boolean(n != 0)),
                (FieldKind::Number, Value::Real(x)) => Some(layers::Value::Number(x)),
                (FieldKind::Number, Value::Integer(n)) => Some(layers::Value::Number(n as f64)),
                (_, other) => return Err(wrong(&other)),
            })
        };
        values.push(match field.kind {
            FieldKind::Position => {
                let number = |v: Value| match v {
                    Value::Real(x) => Some(x),
                    Value::Integer(n) => Some(n as f64),
                    _ => None,
                };
                number(next()?)
                    .zip(number(next()?))
                    .map(|(x, y)| layers::Value::Position(Point::new(x, y)))
            }
            _ => stored(next()?)?,
        });
    }
    for (field, value) in spec.fields.iter().zip(&values) {
        if field.required && value.is_none() {
            return Err(format!("column {} is empty", field.name));
        }
    }
    spec.attributes(&values).map_err(|e| format!("column {e}"))
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
