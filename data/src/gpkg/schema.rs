//! The GeoPackage schema and its migrations.
//!
//! Each migration is frozen SQL: a later schema change is a new entry at the end of
//! [`MIGRATIONS`], never an edit of an old one, so every file can be brought up to date from
//! whatever version it is at. `onemap_meta.schema_version` counts the migrations applied.

use crate::StoreError;
use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

/// `PRAGMA application_id` of a GeoPackage: "GPKG" in ASCII.
const APPLICATION_ID: i32 = 0x4750_4B47;

/// The migrations, oldest first.
const MIGRATIONS: &[Migration] = &[
    Migration::Once(V1_INITIAL),
    Migration::PerTable(V2_RTREE, &["grid", "beat", "station", "camera"]),
    Migration::Once(V3_EVENTS),
    Migration::Once(V4_RESIDENTS),
];

/// One step of the schema.
enum Migration {
    /// SQL run as it is.
    Once(&'static str),
    /// SQL run for each table, with `{t}` standing for its name.
    PerTable(&'static str, &'static [&'static str]),
}

impl Migration {
    fn apply(&self, conn: &Connection) -> rusqlite::Result<()> {
        match self {
            Migration::Once(sql) => conn.execute_batch(sql),
            Migration::PerTable(sql, tables) => tables
                .iter()
                .try_for_each(|t| conn.execute_batch(&sql.replace("{t}", t))),
        }
    }
}

/// GeoPackage 1.3 core tables, the four feature tables, people, the audit log and our
/// metadata. Feature tables have the OGC shape (`fid` key, `geom` of the declared type) so
/// QGIS and GDAL open them with no plug-in.
const V1_INITIAL: &str = r#"
PRAGMA application_id = 1196444487;
PRAGMA user_version = 10300;

CREATE TABLE gpkg_spatial_ref_sys (
    srs_name TEXT NOT NULL,
    srs_id INTEGER PRIMARY KEY,
    organization TEXT NOT NULL,
    organization_coordsys_id INTEGER NOT NULL,
    definition TEXT NOT NULL,
    description TEXT
);
INSERT INTO gpkg_spatial_ref_sys VALUES
    ('Undefined cartesian SRS', -1, 'NONE', -1, 'undefined',
     'undefined cartesian coordinate reference system'),
    ('Undefined geographic SRS', 0, 'NONE', 0, 'undefined',
     'undefined geographic coordinate reference system'),
    ('WGS 84 geodetic', 4326, 'EPSG', 4326,
     'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]',
     'longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid');

CREATE TABLE gpkg_contents (
    table_name TEXT NOT NULL PRIMARY KEY,
    data_type TEXT NOT NULL,
    identifier TEXT UNIQUE,
    description TEXT DEFAULT '',
    last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
    min_x DOUBLE,
    min_y DOUBLE,
    max_x DOUBLE,
    max_y DOUBLE,
    srs_id INTEGER,
    CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

CREATE TABLE gpkg_geometry_columns (
    table_name TEXT NOT NULL,
    column_name TEXT NOT NULL,
    geometry_type_name TEXT NOT NULL,
    srs_id INTEGER NOT NULL,
    z TINYINT NOT NULL,
    m TINYINT NOT NULL,
    CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
    CONSTRAINT uk_gc_table_name UNIQUE (table_name),
    CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
    CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);

CREATE TABLE grid (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom MULTIPOLYGON,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    people TEXT NOT NULL,
    level INTEGER NOT NULL,
    parent TEXT,
    kind TEXT NOT NULL,
    category TEXT,
    setting TEXT
);
CREATE TABLE beat (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom MULTIPOLYGON,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    people TEXT NOT NULL,
    station TEXT
);
CREATE TABLE station (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom MULTIPOLYGON,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    people TEXT NOT NULL,
    location_lng REAL,
    location_lat REAL
);
CREATE TABLE camera (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom POINT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    version INTEGER NOT NULL,
    people TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    heading REAL,
    range_m REAL
);
CREATE TABLE person (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    phone TEXT NOT NULL,
    version INTEGER NOT NULL
);
CREATE TABLE audit (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    version INTEGER NOT NULL,
    at DATETIME NOT NULL,
    author TEXT NOT NULL,
    action TEXT NOT NULL,
    layer TEXT,
    id TEXT NOT NULL,
    "before" TEXT,
    "after" TEXT
);
CREATE INDEX audit_by_record ON audit (layer, id);
CREATE TABLE onemap_meta (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    value INTEGER NOT NULL
);
INSERT INTO onemap_meta (key, value) VALUES ('schema_version', 0), ('city_version', 0);

INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
    ('grid', 'features', 'grid', '网格: governance grids of every level', 4326),
    ('beat', 'features', 'beat', '警格: police beats', 4326),
    ('station', 'features', 'station', '派出所: police stations and their jurisdictions', 4326),
    ('camera', 'features', 'camera', '摄像头: cameras', 4326),
    ('person', 'attributes', 'person', 'people who answer for grids, beats and stations', NULL),
    ('audit', 'attributes', 'audit', 'who changed what, with the record before and after', NULL),
    ('onemap_meta', 'attributes', 'onemap_meta', 'city version and schema version', NULL);
INSERT INTO gpkg_geometry_columns VALUES
    ('grid', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
    ('beat', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
    ('station', 'geom', 'MULTIPOLYGON', 4326, 0, 0),
    ('camera', 'geom', 'POINT', 4326, 0, 0);
"#;

/// The GeoPackage R-tree spatial index extension (GPKG 1.3 §F.3) on a feature table, as
/// QGIS and GDAL make it, so they query the file by area without building one. The triggers
/// call the functions in `functions.rs`. `IF NOT EXISTS` throughout: GDAL may have added the
/// index to the file already.
const V2_RTREE: &str = r#"
CREATE TABLE IF NOT EXISTS gpkg_extensions (
    table_name TEXT,
    column_name TEXT,
    extension_name TEXT NOT NULL,
    definition TEXT NOT NULL,
    scope TEXT NOT NULL,
    CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
INSERT OR IGNORE INTO gpkg_extensions VALUES
    ('{t}', 'geom', 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only');
CREATE VIRTUAL TABLE IF NOT EXISTS rtree_{t}_geom USING rtree(id, minx, maxx, miny, maxy);
INSERT OR IGNORE INTO rtree_{t}_geom
    SELECT fid, ST_MinX(geom), ST_MaxX(geom), ST_MinY(geom), ST_MaxY(geom) FROM {t}
    WHERE geom NOT NULL AND NOT ST_IsEmpty(geom);
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_insert AFTER INSERT ON {t}
WHEN (NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
    INSERT OR REPLACE INTO rtree_{t}_geom VALUES
        (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_update1 AFTER UPDATE OF geom ON {t}
WHEN OLD.fid = NEW.fid AND (NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
    INSERT OR REPLACE INTO rtree_{t}_geom VALUES
        (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_update2 AFTER UPDATE OF geom ON {t}
WHEN OLD.fid = NEW.fid AND (NEW.geom IS NULL OR ST_IsEmpty(NEW.geom))
BEGIN
    DELETE FROM rtree_{t}_geom WHERE id = OLD.fid;
END;
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_update3 AFTER UPDATE ON {t}
WHEN OLD.fid != NEW.fid AND (NEW.geom NOT NULL AND NOT ST_IsEmpty(NEW.geom))
BEGIN
    DELETE FROM rtree_{t}_geom WHERE id = OLD.fid;
    INSERT OR REPLACE INTO rtree_{t}_geom VALUES
        (NEW.fid, ST_MinX(NEW.geom), ST_MaxX(NEW.geom), ST_MinY(NEW.geom), ST_MaxY(NEW.geom));
END;
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_update4 AFTER UPDATE ON {t}
WHEN OLD.fid != NEW.fid AND (NEW.geom IS NULL OR ST_IsEmpty(NEW.geom))
BEGIN
    DELETE FROM rtree_{t}_geom WHERE id IN (OLD.fid, NEW.fid);
END;
CREATE TRIGGER IF NOT EXISTS rtree_{t}_geom_delete AFTER DELETE ON {t}
WHEN OLD.geom NOT NULL
BEGIN
    DELETE FROM rtree_{t}_geom WHERE id = OLD.fid;
END;
"#;

/// Incident events: an append-only point table whose `fid` is the event's number. No R-tree:
/// a million rows a year are written far more than drawn from the file.
const V3_EVENTS: &str = r#"
CREATE TABLE event (
    fid INTEGER PRIMARY KEY AUTOINCREMENT,
    geom POINT NOT NULL,
    time DATETIME NOT NULL,
    category TEXT NOT NULL,
    source TEXT NOT NULL,
    text TEXT
);
INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id) VALUES
    ('event', 'features', 'event', '事件: 110 and 12345 incidents and grid reports, append-only', 4326);
INSERT INTO gpkg_geometry_columns VALUES ('event', 'geom', 'POINT', 4326, 0, 0);
"#;

/// How many people and households live in a grid.
const V4_RESIDENTS: &str = r#"
ALTER TABLE grid ADD COLUMN population INTEGER;
ALTER TABLE grid ADD COLUMN households INTEGER;
"#;

/// Sets up a new file or brings an existing one up to the current schema, in one
/// transaction: a crash halfway leaves the file as it was.
pub(super) fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let applied = applied_migrations(&tx)?;
    if applied > MIGRATIONS.len() {
        return Err(StoreError::Corrupt(format!(
            "the file has schema version {applied} but this onemap knows only {}: run a newer onemap",
            MIGRATIONS.len()
        )));
    }
    for migration in &MIGRATIONS[applied..] {
        migration.apply(&tx)?;
    }
    tx.execute(
        "UPDATE onemap_meta SET value = ?1 WHERE key = 'schema_version'",
        [MIGRATIONS.len()],
    )?;
    tx.commit()?;
    Ok(())
}

/// How many migrations the file has had: 0 for an empty file; an error for a file that is
/// not a GeoPackage or is somebody else's GeoPackage, which we must not write into.
fn applied_migrations(conn: &Connection) -> Result<usize, StoreError> {
    let tables: i64 = conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))?;
    let application_id: i32 = conn.query_row("PRAGMA application_id", [], |r| r.get(0))?;
    if tables == 0 && application_id == 0 {
        return Ok(0);
    }
    if application_id != APPLICATION_ID {
        return Err(StoreError::Corrupt(
            "the file is an SQLite database but not a GeoPackage: give onemap a new file name"
                .into(),
        ));
    }
    let ours: i64 = conn.query_row(
        "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'onemap_meta'",
        [],
        |r| r.get(0),
    )?;
    if ours == 0 {
        return Err(StoreError::Corrupt(
            "the GeoPackage was not written by onemap (it has no onemap_meta table): give onemap a new \
             file and import the layers as GeoJSON, e.g. `ogr2ogr -f GeoJSON grid.geojson in.gpkg grid`"
                .into(),
        ));
    }
    let applied = conn
        .query_row(
            "SELECT value FROM onemap_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()?;
    applied.ok_or_else(|| StoreError::Corrupt("onemap_meta has no schema_version row".into()))
}
