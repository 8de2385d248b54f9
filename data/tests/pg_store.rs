//! The PostGIS store: the store contract every store passes, then what only a shared database
//! has: migrations run once by several nodes, the change feed, analysts' SQL on the tables.
//!
//! Needs PostgreSQL with PostGIS: `$DATABASE_URL`, or the role `make setup` creates.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod fixtures;
mod store_suite;

use fixtures::{camera, sample_city};
use geo_types::point;
use onemap_data::pg::PostgisStore;
use onemap_data::{Change, ChangeFeed, Store};
use onemap_index::Layer;
use postgres::{Client, NoTls};
use std::time::Duration;
use store_suite::{changes, seed, store_contract, upsert_city};

/// A database of its own for one test, dropped afterwards. The data crate cannot use the
/// tests crate's `TestDatabase`, so this is the small version of it.
struct Database {
    url: String,
    name: String,
}

fn admin_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://onemap:onemap@127.0.0.1:5432/postgres".into())
}

fn admin() -> Client {
    let url = admin_url();
    Client::connect(&url, NoTls).unwrap_or_else(|e| {
        panic!("PostGIS is required and {url} does not answer ({e}): run `make setup` or set DATABASE_URL")
    })
}

impl Database {
    fn create(tag: &str) -> Database {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "onemap_data_{}_{}_{}",
            tag.chars().take(20).collect::<String>(),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        admin()
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let url = match admin_url().rsplit_once('/') {
            Some((head, _)) => format!("{head}/{name}"),
            None => panic!("DATABASE_URL has no database name"),
        };
        Database { url, name }
    }

    fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).expect("connect")
    }
}

impl Drop for Database {
    fn drop(&mut self) {
        let _ = admin().batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

fn fresh(tag: &str) -> (Database, PostgisStore) {
    let db = Database::create(tag);
    let store = PostgisStore::open(&db.url).unwrap();
    (db, store)
}

store_contract!(fresh);

#[test]
fn nodes_opening_a_new_database_together_migrate_it_once() {
    let db = Database::create("migrate");
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| PostgisStore::open(&db.url).unwrap());
        }
    });
    let schema_version: i64 = db
        .client()
        .query_one(
            "SELECT value FROM onemap.meta WHERE key = 'schema_version'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(schema_version, 3, "every migration applied once");
    let store = PostgisStore::open(&db.url).unwrap();
    assert_eq!(store.version().unwrap(), 0, "reopening changes nothing");
}

#[test]
fn the_change_feed_replays_every_commit_in_order() {
    let (db, store) = fresh("feed");
    let other = PostgisStore::open(&db.url).unwrap();
    assert!(
        !other.wait(Duration::from_millis(50)).unwrap(),
        "no news yet"
    );
    seed(&store);
    store
        .commit(&changes(vec![Change::Delete {
            layer: Layer::Camera,
            id: "cam2".into(),
        }]))
        .unwrap();
    assert!(
        other.wait(Duration::from_secs(5)).unwrap(),
        "a NOTIFY arrived"
    );
    let log = other.changes_since(0).unwrap();
    assert_eq!(
        log.iter().map(|(v, _)| *v).collect::<Vec<_>>(),
        [1, 2],
        "versions in commit order"
    );
    assert_eq!(log[0].1.changes, upsert_city(&sample_city()).changes);
    assert_eq!(log[1].1.action, onemap_index::write::Action::Update);
    assert_eq!(other.changes_since(2).unwrap(), []);
    // Replaying the log from nothing gives what the store holds.
    assert_eq!(other.changes_since(1).unwrap().len(), 1);
}

/// Pruning keeps the newest commits and the recent ones, and touches nothing else: the
/// tables, the audit log and the version stay as they were.
#[test]
fn pruning_the_change_log_keeps_the_newest_commits_and_the_history() {
    let (db, store) = fresh("prune");
    seed(&store);
    for k in 2..=5 {
        let moved = camera(
            &format!("cam{k}"),
            point!(x: 121.0 + k as f64 * 0.001, y: 28.0),
        );
        store.commit(&changes(vec![Change::Upsert(moved)])).unwrap();
    }
    let versions = |store: &PostgisStore| -> Vec<u64> {
        store
            .changes_since(0)
            .unwrap()
            .iter()
            .map(|(v, _)| *v)
            .collect()
    };
    assert_eq!(
        store.prune(Duration::from_secs(3600), 1).unwrap(),
        0,
        "all are recent"
    );
    assert_eq!(versions(&store), [1, 2, 3, 4, 5]);
    let audit_rows = |db: &Database| -> i64 {
        db.client()
            .query_one("SELECT count(*) FROM onemap.audit", &[])
            .unwrap()
            .get(0)
    };
    let (audit, city) = (audit_rows(&db), store.load().unwrap());
    assert!(store.prune(Duration::ZERO, 2).unwrap() > 0);
    assert_eq!(versions(&store), [4, 5], "the two newest are kept");
    assert_eq!(
        (
            audit_rows(&db),
            store.load().unwrap(),
            store.version().unwrap()
        ),
        (audit, city, 5)
    );
}

#[test]
fn a_change_set_larger_than_a_statement_is_written_and_replayed_whole() {
    let (db, store) = fresh("big");
    let cameras: Vec<_> = (0..4500)
        .map(|i| {
            let at = point! { x: 120.0 + i as f64 * 1e-4, y: 28.0 };
            Change::Upsert(camera(&format!("cam{i:05}"), at))
        })
        .collect();
    assert_eq!(
        store.commit(&changes(cameras.clone())).unwrap().written,
        4500
    );
    assert_eq!(store.load().unwrap().features.len(), 4500);
    let log = store.changes_since(0).unwrap();
    assert_eq!(log.len(), 1, "one commit, however many parts");
    assert_eq!(log[0].1.changes, cameras, "in order");
    let parts: i64 = db
        .client()
        .query_one("SELECT count(*) FROM onemap.change_log", &[])
        .unwrap()
        .get(0);
    assert!(parts > 1, "stored in parts");
    let audit = store.audit(None, 1).unwrap();
    assert_eq!(
        audit[0].id, "cam04499",
        "audit rows in the order of the changes"
    );
}

#[test]
fn analysts_can_query_the_tables_with_postgis() {
    let (db, store) = fresh("sql");
    seed(&store);
    let mut sql = db.client();
    let row = sql
        .query_one(
            "SELECT count(*), bool_and(ST_IsValid(geom)), min(ST_SRID(geom)), min(level)
             FROM onemap.grid",
            &[],
        )
        .unwrap();
    let city = sample_city();
    assert_eq!(
        row.get::<_, i64>(0) as usize,
        city.layer(Layer::Grid).count()
    );
    assert!(row.get::<_, bool>(1));
    assert_eq!(row.get::<_, i32>(2), 4326);
    let indexed: i64 = sql
        .query_one(
            "SELECT count(*) FROM pg_indexes WHERE schemaname = 'onemap' AND indexdef LIKE '%gist%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(indexed, 4, "a GiST index per layer");
    let audited: i64 = sql
        .query_one("SELECT count(*) FROM onemap.audit WHERE version = 1", &[])
        .unwrap()
        .get(0);
    assert_eq!(
        audited as usize,
        store.audit(None, usize::MAX).unwrap().len()
    );
}

#[test]
fn a_stopped_database_is_unavailable_and_the_store_reconnects() {
    let (db, store) = fresh("reconnect");
    seed(&store);
    // Cut every connection of the store, as a database restart does.
    admin()
        .batch_execute(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{}'",
            db.name
        ))
        .unwrap();
    // The first call finds its connection dead, the next one connects again.
    let first = store.version();
    assert!(
        matches!(first, Ok(1) | Err(onemap_data::StoreError::Unavailable(_))),
        "{first:?}"
    );
    assert_eq!(store.version().unwrap(), 1);
    let unreachable = PostgisStore::open("postgres://onemap:onemap@127.0.0.1:1/nowhere");
    let err = unreachable.err().unwrap().to_string();
    assert!(
        err.contains("127.0.0.1:1/nowhere") && err.contains("check that it runs"),
        "{err}"
    );
}
