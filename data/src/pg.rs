//! The shared store: a city kept in PostgreSQL/PostGIS, the source of truth when several
//! `onemap serve` nodes serve one city.
//!
//! Tables live in the schema `onemap` (see `pg/schema.rs`), one per layer with typed,
//! GiST-indexed geometries, so analysts query them in SQL and QGIS. Every commit is one
//! transaction that locks the `city_version` row (so commits from any node are serialised and
//! numbered without gaps), checks `expect`, writes the records with the new version, one audit
//! row per changed record and one `change_log` row holding the change set, then sends
//! `NOTIFY onemap_changes` with the version. Other nodes follow through [`ChangeFeed`]: the
//! notification wakes them, the change log tells them what to apply, so a node that missed
//! notifications (restart, network cut) catches up from the log.
//!
//! A lost connection is `StoreError::Unavailable` and is dropped; the next call connects
//! again, so nodes recover from a database restart by themselves.

mod events;
mod schema;

use crate::geojson_io::{attributes_from_json, attributes_json};
use crate::gpkg::binary::decode_wkb;
use crate::postgis::wkt;
use crate::store::Action;
use crate::store::{audit_entry, check_expected, group_results, AuditEntry, Key, Record};
use crate::{Change, ChangeFeed, ChangeSet, Commit, Store, StoreError};
use onemap_index::events::Event;
use onemap_index::layers::{self, FieldKind};
use onemap_index::{City, Feature, Layer, Person};
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, GenericClient, NoTls, Row};
use serde_json::json;
use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// The channel commits are announced on; the payload is the new city version.
const CHANNEL: &str = "onemap_changes";

/// The most records one statement writes, and the most changes one `change_log` row holds:
/// a province's import is far larger than the 1 GB a parameter and the 255 MB a jsonb value
/// may be, so big change sets go in parts.
const PART: usize = 2000;

/// How long connecting may take when the URL does not say (`connect_timeout=`): short, so a
/// write or `/health` reports a dead database in seconds instead of hanging.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// A city kept in PostGIS.
pub struct PostgisStore {
    config: postgres::Config,
    /// `host:port/database`, for messages (never the password).
    place: String,
    /// The connection for reads and commits; `None` after it failed, until the next call.
    client: Mutex<Option<Client>>,
    /// A second connection that LISTENs, so waiting for news never holds up a commit.
    listener: Mutex<Option<Client>>,
}

impl PostgisStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and creates or
    /// upgrades the `onemap` schema.
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut config: postgres::Config = url.parse().map_err(|e| {
            StoreError::Unavailable(format!(
                "the database URL is not a PostgreSQL URL ({e}): write postgres://user:password@host:port/database"
            ))
        })?;
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECT_TIMEOUT);
        }
        let store = PostgisStore {
            place: place(&config),
            config,
            client: Mutex::new(None),
            listener: Mutex::new(None),
        };
        store.with_client(|client| schema::migrate(client).map(drop))?;
        Ok(store)
    }

    fn connect(&self) -> Result<Client, StoreError> {
        self.config.connect(NoTls).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot connect to PostgreSQL at {} ({}): check that it runs and accepts \
                 connections; onemap connects again on the next request",
                self.place,
                describe(&e)
            ))
        })
    }

    /// Runs `f` on the connection, connecting first if there is none; a connection that
    /// failed is dropped so that the next call starts afresh.
    fn with_client<T>(
        &self,
        f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        with_connection(&self.client, || self.connect(), f)
    }
}

/// The shared body of [`PostgisStore::with_client`] for both connections.
fn with_connection<T>(
    slot: &Mutex<Option<Client>>,
    connect: impl FnOnce() -> Result<Client, StoreError>,
    f: impl FnOnce(&mut Client) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    let mut slot: MutexGuard<'_, Option<Client>> =
        slot.lock().unwrap_or_else(PoisonError::into_inner);
    if slot.as_ref().is_none_or(Client::is_closed) {
        *slot = Some(connect()?);
    }
    let client = slot.as_mut().expect("connected above");
    let result = f(client);
    if matches!(result, Err(StoreError::Unavailable(_))) || client.is_closed() {
        *slot = None;
    }
    result
}

fn place(config: &postgres::Config) -> String {
    let host = match config.get_hosts().first() {
        Some(postgres::config::Host::Tcp(h)) => h.clone(),
        Some(postgres::config::Host::Unix(p)) => p.display().to_string(),
        None => "localhost".into(),
    };
    let port = config.get_ports().first().copied().unwrap_or(5432);
    format!(
        "{host}:{port}/{}",
        config.get_dbname().unwrap_or("(default database)")
    )
}

impl Store for PostgisStore {
    fn load(&self) -> Result<City, StoreError> {
        self.with_client(|client| {
            // One snapshot across all tables.
            let mut tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let mut features = Vec::new();
            for layer in Layer::ALL {
                features.extend(read_features(&mut tx, layer, None)?);
            }
            let people = read_people(&mut tx, None)?;
            tx.commit()?;
            Ok(City { features, people })
        })
    }

    fn version(&self) -> Result<u64, StoreError> {
        self.with_client(|client| {
            let row = client.query_one(
                "SELECT value FROM onemap.meta WHERE key = 'city_version'",
                &[],
            )?;
            Ok(row.get::<_, i64>(0) as u64)
        })
    }

    fn commit(&self, changes: &ChangeSet) -> Result<Commit, StoreError> {
        self.with_client(|client| {
            let mut tx = client.transaction()?;
            let done = write(&mut tx, changes)?;
            tx.commit()?;
            Ok(done)
        })
    }

    fn commit_group(&self, sets: &[ChangeSet]) -> Vec<Result<Commit, StoreError>> {
        let grouped = self.with_client(|client| {
            let mut tx = client.transaction()?;
            let mut results = Vec::with_capacity(sets.len());
            for set in sets {
                // A savepoint per set: one that fails rolls back alone (on drop).
                let mut part = tx.transaction()?;
                let result = write(&mut part, set);
                if result.is_ok() {
                    part.commit()?;
                }
                results.push(result);
            }
            tx.commit()?;
            Ok(results)
        });
        group_results(sets.len(), grouped)
    }

    fn audit(
        &self,
        layer_id: Option<(Layer, &str)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.with_client(|client| {
            let select = r#"SELECT version,
                    to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                    author, action, layer, id, "before"::text, "after"::text
                FROM onemap.audit"#;
            let rows = match layer_id {
                Some((layer, id)) => client.query(
                    &format!("{select} WHERE layer = $1 AND id = $2 ORDER BY seq DESC LIMIT $3"),
                    &[&layer.as_str(), &id, &limit],
                )?,
                None => client.query(&format!("{select} ORDER BY seq DESC LIMIT $1"), &[&limit])?,
            };
            rows.iter().map(audit_from_row).collect()
        })
    }

    fn append_events(&self, events: Vec<Event>, author: &str) -> Result<Vec<Event>, StoreError> {
        self.with_client(|client| {
            let mut tx = client.transaction()?;
            let stored = events::append(&mut tx, events, author)?;
            tx.commit()?;
            Ok(stored)
        })
    }

    fn events_since(&self, after: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        self.with_client(|client| events::since(client, after, limit))
    }

    /// A connection busy with a commit (a province's import takes minutes) proves the
    /// database answers; waiting for it would make a load balancer think the node is dead.
    fn ping(&self) -> Result<(), StoreError> {
        let busy = matches!(
            self.client.try_lock(),
            Err(std::sync::TryLockError::WouldBlock)
        );
        if busy {
            Ok(())
        } else {
            self.version().map(drop)
        }
    }

    fn feed(&self) -> Option<&dyn ChangeFeed> {
        Some(self)
    }
}

impl ChangeFeed for PostgisStore {
    fn prune(&self, older_than: Duration, keep_last: u64) -> Result<u64, StoreError> {
        self.with_client(|client| {
            Ok(client.execute(
                "DELETE FROM onemap.change_log
                 WHERE at < now() - make_interval(secs => $1)
                   AND version <= (SELECT value FROM onemap.meta WHERE key = 'city_version') - $2",
                &[&older_than.as_secs_f64(), &to_i64(keep_last)?],
            )?)
        })
    }

    fn changes_since(&self, version: u64) -> Result<Vec<(u64, ChangeSet)>, StoreError> {
        self.with_client(|client| {
            let rows = client.query(
                "SELECT version, author, action, changes::text FROM onemap.change_log
                 WHERE version > $1 ORDER BY version, part",
                &[&to_i64(version)?],
            )?;
            let mut commits: Vec<(u64, ChangeSet)> = Vec::new();
            for row in &rows {
                let version = row.get::<_, i64>(0) as u64;
                let part: Vec<Change> = serde_json::from_str(row.get(3)).map_err(|e| {
                    StoreError::Corrupt(format!("change_log version {version}: {e}"))
                })?;
                match commits.last_mut() {
                    Some((v, set)) if *v == version => set.changes.extend(part),
                    _ => commits.push((
                        version,
                        ChangeSet {
                            changes: part,
                            expect: Vec::new(),
                            author: row.get(1),
                            // Replay needs the changes, not the action: one this onemap
                            // does not know (a newer node's) replays all the same.
                            action: Action::from_name(row.get(2)).unwrap_or_default(),
                        },
                    )),
                }
            }
            Ok(commits)
        })
    }

    fn wait(&self, timeout: Duration) -> Result<bool, StoreError> {
        let connect = || {
            let mut client = self.connect()?;
            client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
            Ok(client)
        };
        with_connection(&self.listener, connect, |client| {
            let mut notifications = client.notifications();
            let news = notifications.timeout_iter(timeout).next()?.is_some();
            // Several commits may have been announced: one catch-up covers them all.
            while notifications.iter().next()?.is_some() {}
            Ok(news)
        })
    }
}

/// Writes `changes` in the caller's transaction; any error rolls it back.
fn write(tx: &mut postgres::Transaction<'_>, changes: &ChangeSet) -> Result<Commit, StoreError> {
    // Locking the version row serialises commits from every node.
    let current: i64 = tx
        .query_one(
            "SELECT value FROM onemap.meta WHERE key = 'city_version' FOR UPDATE",
            &[],
        )?
        .get(0);
    let current = current as u64;
    check_expected(&changes.expect, |layer, id| {
        let row = tx.query_opt(
            &format!("SELECT version FROM onemap.{layer} WHERE id = $1"),
            &[&id],
        )?;
        Ok(row.map_or(0, |row| row.get::<_, i64>(0) as u64))
    })?;
    if changes.changes.is_empty() {
        return Ok(Commit {
            version: current,
            written: 0,
        });
    }
    let version = current + 1;
    let (keys, before) = read_before(tx, &changes.changes)?;
    let after = apply(&before, &changes.changes, version)?;
    let mut written = 0;
    let mut audit = Vec::new();
    let mut upserts: BTreeMap<Option<Layer>, Vec<serde_json::Value>> = BTreeMap::new();
    let mut deletes: BTreeMap<Option<Layer>, Vec<String>> = BTreeMap::new();
    for key in &keys {
        let (was, now) = (before.get(key), after.get(key));
        written += usize::from(was.is_some() || now.is_some());
        if was.map(Record::content) != now.map(Record::content) {
            // The time is left to the database: `now()`, the same for the whole commit.
            audit.push(audit_entry(
                changes,
                version,
                "",
                key,
                was.cloned(),
                now.cloned(),
            ));
        }
        let (table, id) = match key {
            Key::Feature(layer, id) => (Some(*layer), id),
            Key::Person(id) => (None, id),
        };
        match now {
            Some(Record::Feature(f)) => upserts.entry(table).or_default().push(feature_row(f)),
            Some(Record::Person(p)) => upserts.entry(table).or_default().push(json!(p)),
            None if was.is_some() => deletes.entry(table).or_default().push(id.clone()),
            None => {}
        }
    }
    for (table, ids) in deletes {
        tx.execute(
            &format!(
                "DELETE FROM onemap.{} WHERE id = ANY($1)",
                table_name(table)
            ),
            &[&ids],
        )?;
    }
    for (table, rows) in upserts {
        let sql = upsert_sql(table);
        for part in rows.chunks(PART) {
            tx.execute(&sql, &[&json!(part).to_string()])?;
        }
    }
    for part in audit.chunks(PART) {
        tx.execute(
            r#"INSERT INTO onemap.audit (version, author, action, layer, id, "before", "after")
               SELECT $1, $2, $3, e->>'layer', e->>'id', NULLIF(e->'before', 'null'),
                   NULLIF(e->'after', 'null')
               FROM jsonb_array_elements($4::text::jsonb) WITH ORDINALITY AS a(e, n)
               ORDER BY n"#,
            &[
                &to_i64(version)?,
                &changes.author,
                &changes.action.as_str(),
                &json!(part).to_string(),
            ],
        )?;
    }
    for (part, chunk) in changes.changes.chunks(PART).enumerate() {
        let log = serde_json::to_string(chunk).expect("changes always serialise");
        tx.execute(
            "INSERT INTO onemap.change_log (version, part, author, action, changes)
             VALUES ($1, $2, $3, $4, $5::text::jsonb)",
            &[
                &to_i64(version)?,
                &(part as i32),
                &changes.author,
                &changes.action.as_str(),
                &log,
            ],
        )?;
    }
    tx.execute(
        "UPDATE onemap.meta SET value = $1 WHERE key = 'city_version'",
        &[&to_i64(version)?],
    )?;
    // Delivered only if the transaction commits, and after it does.
    tx.execute(
        "SELECT pg_notify($1, $2)",
        &[&CHANNEL, &version.to_string()],
    )?;
    Ok(Commit { version, written })
}

/// Every record the changes may touch, in order of first mention (a cleared layer touches
/// every feature it holds now), and those of them that exist.
fn read_before(
    tx: &mut postgres::Transaction<'_>,
    changes: &[Change],
) -> Result<(Vec<Key>, HashMap<Key, Record>), StoreError> {
    let mut named: BTreeMap<Option<Layer>, Vec<String>> = BTreeMap::new();
    let mut cleared = Vec::new();
    for change in changes {
        match change {
            Change::Upsert(f) => named.entry(Some(f.layer())).or_default().push(f.id.clone()),
            Change::Delete { layer, id } => named.entry(Some(*layer)).or_default().push(id.clone()),
            Change::ClearLayer(layer) => cleared.push(*layer),
            Change::UpsertPerson(p) => named.entry(None).or_default().push(p.id.clone()),
            Change::DeletePerson { id } => named.entry(None).or_default().push(id.clone()),
        }
    }
    let mut before = HashMap::new();
    for (table, ids) in &named {
        match table {
            // A cleared layer is read whole below.
            Some(layer) if cleared.contains(layer) => {}
            Some(layer) => {
                for f in read_features(tx, *layer, Some(ids))? {
                    before.insert(Key::Feature(*layer, f.id.clone()), Record::Feature(f));
                }
            }
            None => {
                for p in read_people(tx, Some(ids))? {
                    before.insert(Key::Person(p.id.clone()), Record::Person(p));
                }
            }
        }
    }
    let mut cleared_ids: HashMap<Layer, Vec<String>> = HashMap::new();
    for layer in cleared.iter().copied() {
        for f in read_features(tx, layer, None)? {
            cleared_ids.entry(layer).or_default().push(f.id.clone());
            before.insert(Key::Feature(layer, f.id.clone()), Record::Feature(f));
        }
    }
    let mut keys = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for change in changes {
        let new: Vec<Key> = match change {
            Change::Upsert(f) => vec![Key::Feature(f.layer(), f.id.clone())],
            Change::Delete { layer, id } => vec![Key::Feature(*layer, id.clone())],
            Change::ClearLayer(layer) => cleared_ids
                .get(layer)
                .into_iter()
                .flatten()
                .map(|id| Key::Feature(*layer, id.clone()))
                .collect(),
            Change::UpsertPerson(p) => vec![Key::Person(p.id.clone())],
            Change::DeletePerson { id } => vec![Key::Person(id.clone())],
        };
        keys.extend(new.into_iter().filter(|k| seen.insert(k.clone())));
    }
    Ok((keys, before))
}

/// The records after `changes`, worked out in memory from those before, so each table is
/// written with one statement whatever the size of the change set.
fn apply(
    before: &HashMap<Key, Record>,
    changes: &[Change],
    version: u64,
) -> Result<HashMap<Key, Record>, StoreError> {
    let mut after = before.clone();
    for change in changes {
        match change {
            Change::Upsert(f) => {
                let f = Feature {
                    version,
                    ..f.clone()
                };
                after.insert(Key::Feature(f.layer(), f.id.clone()), Record::Feature(f));
            }
            Change::Delete { layer, id } => {
                if after.remove(&Key::Feature(*layer, id.clone())).is_none() {
                    return Err(StoreError::NotFound {
                        layer: *layer,
                        id: id.clone(),
                    });
                }
            }
            Change::ClearLayer(layer) => {
                after.retain(|key, _| !matches!(key, Key::Feature(l, _) if l == layer));
            }
            Change::UpsertPerson(p) => {
                let p = Person {
                    version,
                    ..p.clone()
                };
                after.insert(Key::Person(p.id.clone()), Record::Person(p));
            }
            // Deleting someone who is not there leaves the store as asked: no error.
            Change::DeletePerson { id } => {
                after.remove(&Key::Person(id.clone()));
            }
        }
    }
    Ok(after)
}

fn table_name(table: Option<Layer>) -> &'static str {
    table.map_or("person", Layer::as_str)
}

/// A feature as one element of the JSON array [`upsert_sql`] reads; the attributes in their
/// serde form, which the layer's SQL takes apart into columns.
fn feature_row(f: &Feature) -> serde_json::Value {
    json!({
        "id": f.id, "name": f.name, "version": f.version, "people": f.people,
        "wkt": wkt(&f.shape), "a": attributes_json(&f.attributes),
    })
}

/// The SQL that inserts or updates every row of a JSON array (`$1`) into one table.
fn upsert_sql(table: Option<Layer>) -> String {
    let Some(layer) = table else {
        return "INSERT INTO onemap.person (id, name, role, phone, version)
                SELECT id, name, role, phone, version
                FROM jsonb_populate_recordset(NULL::onemap.person, $1::text::jsonb)
                ON CONFLICT (id) DO UPDATE SET name = excluded.name, role = excluded.role,
                    phone = excluded.phone, version = excluded.version"
            .into();
    };
    let columns = attributes(layer);
    let names: Vec<&str> = ["name", "version", "people", "geom"]
        .into_iter()
        .chain(columns.iter().map(|c| c.name.as_str()))
        .collect();
    let updates: Vec<String> = names
        .iter()
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    let writes: Vec<&str> = columns.iter().map(|c| c.write.as_str()).collect();
    format!(
        "INSERT INTO onemap.{layer} (id, {names})
         SELECT e->>'id', e->>'name', (e->>'version')::bigint, (e->'people')::jsonb,
             ST_GeomFromText(e->>'wkt', 4326), {writes}
         FROM json_array_elements($1::text::json) e, LATERAL (SELECT e->'a' AS a) x
         ON CONFLICT (id) DO UPDATE SET {updates}",
        names = names.join(", "),
        writes = writes.join(", "),
        updates = updates.join(", "),
    )
}

/// A layer-specific column, from the registry: how it is written from the attributes' JSON
/// (`a`, as [`attributes_json`] makes it) and how it is read back into that form (empty for
/// the second column of a position, read with the first).
struct Column {
    name: String,
    write: String,
    read: String,
}

fn attributes(layer: Layer) -> Vec<Column> {
    let mut columns = Vec::new();
    for field in layers::spec(layer).fields {
        let name = field.name;
        let plain = |write: String| Column {
            name: name.to_string(),
            write,
            read: format!("'{name}', {name}"),
        };
        match field.kind {
            FieldKind::Text | FieldKind::Keyword(_) => columns.push(plain(format!("a->>'{name}'"))),
            FieldKind::Integer { .. } => columns.push(plain(format!("(a->>'{name}')::bigint"))),
            FieldKind::Number => columns.push(plain(format!("(a->>'{name}')::float8"))),
            FieldKind::Boolean => columns.push(plain(format!("(a->>'{name}')::boolean"))),
            FieldKind::Position => columns.extend([
                Column {
                    name: format!("{name}_lng"),
                    write: format!("(a->'{name}'->>0)::float8"),
                    read: format!(
                        "'{name}', CASE WHEN {name}_lng IS NULL THEN NULL \
                         ELSE jsonb_build_array({name}_lng, {name}_lat) END"
                    ),
                },
                Column {
                    name: format!("{name}_lat"),
                    write: format!("(a->'{name}'->>1)::float8"),
                    read: String::new(),
                },
            ]),
        }
    }
    columns
}

/// Features of a layer, all of them or those with the given ids, ordered by id.
fn read_features(
    client: &mut impl GenericClient,
    layer: Layer,
    ids: Option<&[String]>,
) -> Result<Vec<Feature>, StoreError> {
    let reads: Vec<String> = attributes(layer)
        .into_iter()
        .map(|c| c.read)
        .filter(|r| !r.is_empty())
        .collect();
    let select = format!(
        "SELECT id, name, version, people::text, ST_AsBinary(geom),
             jsonb_build_object({})::text
         FROM onemap.{layer}",
        reads.join(", ")
    );
    let rows = match ids {
        Some(ids) => client.query(&format!("{select} WHERE id = ANY($1) ORDER BY id"), &[&ids])?,
        None => client.query(&format!("{select} ORDER BY id"), &[])?,
    };
    rows.iter()
        .map(|row| feature_from_row(layer, row))
        .collect()
}

fn feature_from_row(layer: Layer, row: &Row) -> Result<Feature, StoreError> {
    let id: String = row.get(0);
    let corrupt = |why: String| StoreError::Corrupt(format!("{layer}/{id}: {why}"));
    Ok(Feature {
        name: row.get(1),
        version: row.get::<_, i64>(2) as u64,
        people: serde_json::from_str(row.get(3))
            .map_err(|e| corrupt(format!("people is not a JSON list of ids: {e}")))?,
        shape: decode_wkb(row.get(4)).map_err(corrupt)?,
        attributes: serde_json::from_str(row.get(5))
            .map_err(|e| e.to_string())
            .and_then(|object| attributes_from_json(layer, &object))
            .map_err(|e| corrupt(format!("an attribute column holds {e}")))?,
        id,
    })
}

fn read_people(
    client: &mut impl GenericClient,
    ids: Option<&[String]>,
) -> Result<Vec<Person>, StoreError> {
    let select = "SELECT id, name, role, phone, version FROM onemap.person";
    let rows = match ids {
        Some(ids) => client.query(&format!("{select} WHERE id = ANY($1) ORDER BY id"), &[&ids])?,
        None => client.query(&format!("{select} ORDER BY id"), &[])?,
    };
    rows.iter()
        .map(|row| {
            let id: String = row.get(0);
            let role: &str = row.get(2);
            Ok(Person {
                name: row.get(1),
                role: role
                    .parse()
                    .map_err(|e| StoreError::Corrupt(format!("person/{id}: {e}")))?,
                phone: row.get(3),
                version: row.get::<_, i64>(4) as u64,
                id,
            })
        })
        .collect()
}

fn audit_from_row(row: &Row) -> Result<AuditEntry, StoreError> {
    let json = |i: usize| -> Result<Option<serde_json::Value>, StoreError> {
        row.get::<_, Option<&str>>(i)
            .map(serde_json::from_str)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("an audit row holds invalid JSON: {e}")))
    };
    let layer: Option<&str> = row.get(4);
    Ok(AuditEntry {
        version: row.get::<_, i64>(0) as u64,
        at: row.get(1),
        author: row.get(2),
        action: row.get(3),
        layer: layer
            .map(str::parse)
            .transpose()
            .map_err(|e| StoreError::Corrupt(format!("an audit row names {e}")))?,
        id: row.get(5),
        before: json(6)?,
        after: json(7)?,
    })
}

fn to_i64(version: u64) -> Result<i64, StoreError> {
    i64::try_from(version)
        .map_err(|_| StoreError::Corrupt(format!("version {version} is too large")))
}

impl From<postgres::Error> for StoreError {
    /// Lost connections, a database shutting down or out of resources are passing
    /// (`Unavailable`: try again); a statement PostgreSQL refuses means the schema is not ours.
    fn from(e: postgres::Error) -> Self {
        let passing = e.code().is_none_or(|code| {
            let class = &code.code()[..2];
            matches!(class, "08" | "53" | "57" | "40") || *code == SqlState::ADMIN_SHUTDOWN
        });
        if passing {
            StoreError::Unavailable(format!("PostgreSQL: {}", describe(&e)))
        } else {
            StoreError::Corrupt(format!(
                "PostgreSQL refused a statement ({}): check that the `onemap` schema is \
                 onemap's own (`onemap migrate --database URL`)",
                describe(&e)
            ))
        }
    }
}

/// What went wrong, with the cause: `postgres::Error` alone says only "db error" or "error
/// connecting to server".
fn describe(e: &postgres::Error) -> String {
    match (e.as_db_error(), std::error::Error::source(e)) {
        (Some(db), _) => db.to_string(),
        (None, Some(cause)) => format!("{e}: {cause}"),
        (None, None) => e.to_string(),
    }
}
