//! The PostGIS schema `onemap` and its migrations.
//!
//! As in the GeoPackage store, each migration is frozen SQL: a later change is a new entry at
//! the end of [`MIGRATIONS`], never an edit of an old one. `onemap.meta.schema_version` counts
//! the migrations applied. Several nodes starting at once on a new database must not race to
//! create the tables, so migrating holds a session advisory lock.

use crate::StoreError;
use postgres::Client;

/// The advisory lock key every onemap node migrates under: "onemap" in ASCII.
const LOCK_KEY: i64 = 0x6f6e_656d_6170;

/// The migrations, oldest first.
const MIGRATIONS: &[&str] = &[V1_INITIAL, V2_EVENTS, V3_RESIDENTS];

/// Plain tables with attribute columns and typed, GiST-indexed geometries, so analysts can
/// query them in SQL and QGIS opens them as layers; people, the audit log and the change log
/// that other nodes follow.
const V1_INITIAL: &str = r#"
CREATE TABLE onemap.grid (
    id text PRIMARY KEY,
    name text NOT NULL,
    version bigint NOT NULL,
    people jsonb NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    level smallint NOT NULL,
    parent text,
    kind text NOT NULL,
    category text,
    setting text
);
CREATE TABLE onemap.beat (
    id text PRIMARY KEY,
    name text NOT NULL,
    version bigint NOT NULL,
    people jsonb NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    station text
);
CREATE TABLE onemap.station (
    id text PRIMARY KEY,
    name text NOT NULL,
    version bigint NOT NULL,
    people jsonb NOT NULL,
    geom geometry(MultiPolygon, 4326) NOT NULL,
    location_lng double precision,
    location_lat double precision
);
CREATE TABLE onemap.camera (
    id text PRIMARY KEY,
    name text NOT NULL,
    version bigint NOT NULL,
    people jsonb NOT NULL,
    geom geometry(Point, 4326) NOT NULL,
    kind text NOT NULL,
    status text NOT NULL,
    heading double precision,
    range_m double precision
);
CREATE INDEX grid_geom ON onemap.grid USING gist (geom);
CREATE INDEX beat_geom ON onemap.beat USING gist (geom);
CREATE INDEX station_geom ON onemap.station USING gist (geom);
CREATE INDEX camera_geom ON onemap.camera USING gist (geom);
CREATE TABLE onemap.person (
    id text PRIMARY KEY,
    name text NOT NULL,
    role text NOT NULL,
    phone text NOT NULL,
    version bigint NOT NULL
);
CREATE TABLE onemap.audit (
    seq bigserial PRIMARY KEY,
    version bigint NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    author text NOT NULL,
    action text NOT NULL,
    layer text,
    id text NOT NULL,
    "before" jsonb,
    "after" jsonb
);
CREATE INDEX audit_by_record ON onemap.audit (layer, id);
CREATE TABLE onemap.change_log (
    version bigint NOT NULL,
    part integer NOT NULL,
    at timestamptz NOT NULL DEFAULT now(),
    author text NOT NULL,
    action text NOT NULL,
    changes jsonb NOT NULL,
    PRIMARY KEY (version, part)
);
"#;

/// Incident events, append-only, numbered by `seq` from the `event_seq` counter row.
const V2_EVENTS: &str = r#"
CREATE TABLE onemap.event (
    seq bigint PRIMARY KEY,
    time timestamptz NOT NULL,
    geom geometry(Point, 4326) NOT NULL,
    category text NOT NULL,
    source text NOT NULL,
    text text
);
CREATE INDEX event_time ON onemap.event (time);
INSERT INTO onemap.meta VALUES ('event_seq', 0);
"#;

/// How many people and households live in a grid.
const V3_RESIDENTS: &str = r#"
ALTER TABLE onemap.grid ADD COLUMN population bigint;
ALTER TABLE onemap.grid ADD COLUMN households bigint;
"#;

/// Creates the schema on a new database or brings it up to date; returns the schema version.
pub(super) fn migrate(client: &mut Client) -> Result<usize, StoreError> {
    client.execute("SELECT pg_advisory_lock($1)", &[&LOCK_KEY])?;
    let result = migrate_locked(client);
    client.execute("SELECT pg_advisory_unlock($1)", &[&LOCK_KEY])?;
    result
}

fn migrate_locked(client: &mut Client) -> Result<usize, StoreError> {
    // `IF NOT EXISTS` on a migrated database would log a NOTICE per statement at every start.
    client.batch_execute("SET client_min_messages = warning")?;
    client
        .batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "PostGIS is not available in this database ({}): install postgresql-15-postgis-3 \
                 and run `CREATE EXTENSION postgis` as a superuser",
                super::describe(&e)
            ))
        })?;
    client.batch_execute(
        "CREATE SCHEMA IF NOT EXISTS onemap;
         CREATE TABLE IF NOT EXISTS onemap.meta (key text PRIMARY KEY, value bigint NOT NULL);
         INSERT INTO onemap.meta VALUES ('schema_version', 0), ('city_version', 0)
             ON CONFLICT DO NOTHING;",
    )?;
    let applied: i64 = client
        .query_one(
            "SELECT value FROM onemap.meta WHERE key = 'schema_version'",
            &[],
        )?
        .get(0);
    let applied = usize::try_from(applied)
        .map_err(|_| StoreError::Corrupt(format!("schema_version {applied} is negative")))?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the database has onemap schema version {applied} but this onemap knows only {}: \
             run a newer onemap",
            MIGRATIONS.len()
        )));
    }
    for (done, sql) in MIGRATIONS.iter().enumerate().skip(applied) {
        let mut tx = client.transaction()?;
        tx.batch_execute(sql)?;
        tx.execute(
            "UPDATE onemap.meta SET value = $1 WHERE key = 'schema_version'",
            &[&(done as i64 + 1)],
        )?;
        tx.commit()?;
    }
    Ok(MIGRATIONS.len())
}
