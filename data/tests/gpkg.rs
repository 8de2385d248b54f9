//! The GeoPackage store: round trips, versions, atomic change sets, the audit log, and the
//! file as plain SQLite sees it.

mod fixtures;

use fixtures::{at_version, beat, camera, feature_of, grid, person, rect, sample_city};
use geo_types::{point, Polygon};
use onemap_data::gpkg::GeoPackageStore;
use onemap_data::{Change, ChangeSet, Commit, Store, StoreError};
use onemap_index::{City, Feature, Layer, Role};
use proptest::prelude::*;
use rusqlite::Connection;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// A GeoPackage path under the temp dir, unique to this process and call, removed (with its
/// WAL files) when dropped.
struct TempGpkg(PathBuf);

impl TempGpkg {
    fn new(name: &str) -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let file = format!("onemap-test-{name}-{}-{n}.gpkg", std::process::id());
        let path = std::env::temp_dir().join(file);
        remove_with_wal(&path);
        TempGpkg(path)
    }

    fn open(&self) -> GeoPackageStore {
        GeoPackageStore::open(&self.0).unwrap()
    }
}

impl Drop for TempGpkg {
    fn drop(&mut self) {
        remove_with_wal(&self.0);
    }
}

fn remove_with_wal(path: &Path) {
    for suffix in ["", "-wal", "-shm"] {
        let mut p = path.as_os_str().to_owned();
        p.push(suffix);
        let _ = std::fs::remove_file(p);
    }
}

fn changes(changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        changes,
        expect: vec![],
        author: "tester".into(),
        action: "test".into(),
    }
}

fn upsert_city(city: &City) -> ChangeSet {
    let features = city.features.iter().cloned().map(Change::Upsert);
    let people = city.people.iter().cloned().map(Change::UpsertPerson);
    changes(features.chain(people).collect())
}

fn seeded(name: &str) -> (TempGpkg, GeoPackageStore) {
    let file = TempGpkg::new(name);
    let store = file.open();
    store.commit(&upsert_city(&sample_city())).unwrap();
    (file, store)
}

/// Everything a reader could observe, to show that a failed commit changed nothing.
fn observe(store: &GeoPackageStore) -> (City, u64, usize) {
    (
        store.load().unwrap(),
        store.version().unwrap(),
        store.audit(None, usize::MAX).unwrap().len(),
    )
}

fn find<'a>(city: &'a City, layer: Layer, id: &str) -> &'a Feature {
    city.features
        .iter()
        .find(|f| f.layer() == layer && f.id == id)
        .unwrap()
}

#[test]
fn every_layer_and_people_round_trip() {
    let file = TempGpkg::new("round-trip");
    let store = file.open();
    assert!(store.is_empty().unwrap());
    assert_eq!(store.load().unwrap(), City::default());
    let city = sample_city();
    let commit = store.commit(&upsert_city(&city)).unwrap();
    assert_eq!(
        commit,
        Commit {
            version: 1,
            written: 13
        }
    );
    assert_eq!(store.load().unwrap(), at_version(city, 1));
    assert!(!store.is_empty().unwrap());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn random_features_round_trip(features in prop::collection::vec(
        prop::sample::select(Layer::ALL.to_vec()).prop_flat_map(feature_of), 1..12)
    ) {
        let mut features = features;
        features.sort_by(|a, b| (a.layer(), &a.id).cmp(&(b.layer(), &b.id)));
        features.dedup_by(|a, b| (a.layer(), &a.id) == (b.layer(), &b.id));
        let file = TempGpkg::new("random");
        let store = file.open();
        store.commit(&changes(features.iter().cloned().map(Change::Upsert).collect())).unwrap();
        let city = City { features, people: vec![] };
        prop_assert_eq!(store.load().unwrap(), at_version(city, 1));
    }
}

#[test]
fn versions_grow_and_stale_writes_are_refused() {
    let (_file, store) = seeded("versions");
    let mut g1 = find(&store.load().unwrap(), Layer::Grid, "g1").clone();
    g1.name = "renamed".into();
    let mut update = changes(vec![Change::Upsert(g1.clone())]);
    update.expect = vec![(Layer::Grid, "g1".into(), 1)];
    assert_eq!(
        store.commit(&update).unwrap(),
        Commit {
            version: 2,
            written: 1
        }
    );
    let city = store.load().unwrap();
    assert_eq!(
        (
            find(&city, Layer::Grid, "g1").version,
            find(&city, Layer::Grid, "g2").version
        ),
        (2, 1)
    );

    let before = observe(&store);
    let err = store.commit(&update).unwrap_err();
    assert!(
        matches!(&err, StoreError::Stale { layer: Layer::Grid, id, expected: 1, current: 2 } if id == "g1"),
        "{err}"
    );
    assert_eq!(observe(&store), before);

    let mut create = changes(vec![Change::Upsert(grid(
        "g9",
        vec![Polygon::new(rect(120.5, 28.5, 0.01, 0.01), vec![])],
    ))]);
    create.expect = vec![(Layer::Grid, "g9".into(), 0)];
    assert_eq!(store.commit(&create).unwrap().version, 3);
    assert!(matches!(
        store.commit(&create),
        Err(StoreError::Stale {
            current: 3,
            expected: 0,
            ..
        })
    ));
    let mut missing = changes(vec![]);
    missing.expect = vec![(Layer::Beat, "nope".into(), 4)];
    assert!(matches!(
        store.commit(&missing),
        Err(StoreError::Stale { current: 0, .. })
    ));
}

#[test]
fn an_empty_change_set_checks_versions_but_writes_nothing() {
    let (_file, store) = seeded("empty-set");
    let mut check = changes(vec![]);
    check.expect = vec![(Layer::Camera, "cam1".into(), 1)];
    assert_eq!(
        store.commit(&check).unwrap(),
        Commit {
            version: 1,
            written: 0
        }
    );
}

#[test]
fn replace_mode_clears_a_layer_and_refills_it_atomically() {
    let (_file, store) = seeded("replace");
    let fresh = vec![
        grid(
            "g1",
            vec![Polygon::new(rect(120.3, 28.3, 0.02, 0.02), vec![])],
        ),
        grid(
            "g7",
            vec![Polygon::new(rect(120.4, 28.3, 0.02, 0.02), vec![])],
        ),
    ];
    let mut replace = vec![Change::ClearLayer(Layer::Grid)];
    replace.extend(fresh.iter().cloned().map(Change::Upsert));

    // With a failing change at the end, nothing of the replacement lands.
    let before = observe(&store);
    let mut failing = replace.clone();
    failing.push(Change::Delete {
        layer: Layer::Beat,
        id: "no-such-beat".into(),
    });
    let err = store.commit(&changes(failing)).unwrap_err();
    assert!(
        matches!(&err, StoreError::NotFound { layer: Layer::Beat, id } if id == "no-such-beat"),
        "{err}"
    );
    assert_eq!(observe(&store), before);

    // g1 rewritten, g2 deleted, g7 created.
    assert_eq!(
        store.commit(&changes(replace)).unwrap(),
        Commit {
            version: 2,
            written: 3
        }
    );
    let city = store.load().unwrap();
    assert_eq!(
        city.layer(Layer::Grid).cloned().collect::<Vec<_>>(),
        at_version(
            City {
                features: fresh,
                people: vec![]
            },
            2
        )
        .features
    );
    let untouched = at_version(sample_city(), 1);
    assert_eq!(
        city.layer(Layer::Beat).collect::<Vec<_>>(),
        untouched.layer(Layer::Beat).collect::<Vec<_>>()
    );
    assert_eq!(city.people, untouched.people);
}

#[test]
fn a_stale_expectation_among_good_ones_leaves_the_file_unchanged() {
    let (file, store) = seeded("stale-middle");
    let before = observe(&store);
    let mut set = changes(vec![
        Change::Upsert(beat("b3", Some("s1"))),
        Change::DeletePerson { id: "p1".into() },
        Change::ClearLayer(Layer::Camera),
    ]);
    set.expect = vec![
        (Layer::Grid, "g1".into(), 1),
        (Layer::Station, "s1".into(), 7),
        (Layer::Camera, "cam1".into(), 1),
    ];
    assert!(matches!(
        store.commit(&set),
        Err(StoreError::Stale {
            layer: Layer::Station,
            current: 1,
            ..
        })
    ));
    assert_eq!(observe(&store), before);
    drop(store);
    assert_eq!(
        observe(&file.open()),
        before,
        "nothing reached the file either"
    );
}

#[test]
fn reopening_loses_nothing() {
    let file = TempGpkg::new("reopen");
    let city = sample_city();
    {
        let store = file.open();
        store.commit(&upsert_city(&city)).unwrap();
        store
            .commit(&changes(vec![Change::Delete {
                layer: Layer::Camera,
                id: "cam2".into(),
            }]))
            .unwrap();
    }
    let store = file.open();
    let mut expected = at_version(city, 1);
    expected.features.retain(|f| f.id != "cam2");
    assert_eq!(store.load().unwrap(), expected);
    assert_eq!(store.version().unwrap(), 2);
    assert_eq!(
        store
            .commit(&changes(vec![Change::UpsertPerson(person(
                "p9",
                Role::Auxiliary
            ))]))
            .unwrap()
            .version,
        3
    );
    assert_eq!(store.audit(None, usize::MAX).unwrap().len(), 15);
}

#[test]
fn the_audit_log_keeps_before_and_after() {
    let (_file, store) = seeded("audit");
    let mut moved = camera("cam1", point! { x: 120.5, y: 28.5 });
    moved.name = "moved".into();
    let mut set = changes(vec![
        Change::Upsert(moved),
        Change::Delete {
            layer: Layer::Beat,
            id: "b2".into(),
        },
        Change::UpsertPerson(person("p1", Role::GridWorker)),
        Change::Upsert(find(&store.load().unwrap(), Layer::Grid, "g2").clone()), // unchanged
    ]);
    set.author = "planner-7".into();
    set.action = "update".into();
    assert_eq!(
        store.commit(&set).unwrap(),
        Commit {
            version: 2,
            written: 4
        }
    );

    let latest = store.audit(None, 3).unwrap();
    assert_eq!(latest.len(), 3, "the unchanged grid has no audit row");
    assert!(latest
        .iter()
        .all(|e| e.version == 2 && e.author == "planner-7" && e.action == "update"));
    let cam = store.audit(Some((Layer::Camera, "cam1")), 10).unwrap();
    assert_eq!(cam.len(), 2, "created, then moved: newest first");
    assert_eq!(
        cam[0].before.as_ref().unwrap()["properties"]["name"],
        "摄像头 cam1"
    );
    assert_eq!(
        cam[0].after.as_ref().unwrap()["properties"]["name"],
        "moved"
    );
    assert_eq!(
        cam[0].after.as_ref().unwrap()["geometry"]["coordinates"],
        serde_json::json!([120.5, 28.5])
    );
    assert_eq!(
        (
            cam[1].version,
            cam[1].before.is_none(),
            cam[1].author.as_str()
        ),
        (1, true, "tester")
    );
    let gone = store.audit(Some((Layer::Beat, "b2")), 1).unwrap();
    assert!(gone[0].after.is_none() && gone[0].before.is_some());
    let person = latest.iter().find(|e| e.id == "p1").unwrap();
    assert_eq!(
        (
            person.layer,
            person.after.as_ref().unwrap()["role"].as_str()
        ),
        (None, Some("grid_worker"))
    );
    let at = &latest[0].at;
    assert!(
        at.len() == 24 && at.ends_with('Z') && at.as_bytes()[10] == b'T',
        "RFC 3339 UTC: {at}"
    );
}

#[test]
fn the_file_is_a_valid_geopackage_to_plain_sqlite() {
    let (file, store) = seeded("plain-sql");
    drop(store);
    let sql = Connection::open(&file.0).unwrap();
    let pragma = |name: &str| {
        sql.query_row(&format!("PRAGMA {name}"), [], |r| r.get::<_, i64>(0))
            .unwrap()
    };
    assert_eq!(pragma("application_id"), 0x4750_4B47);
    assert_eq!(pragma("user_version"), 10300);
    let check: String = sql
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(check, "ok");
    assert!(sql
        .prepare("PRAGMA foreign_key_check")
        .unwrap()
        .query([])
        .unwrap()
        .next()
        .unwrap()
        .is_none());

    let srs: Vec<i64> = sql
        .prepare("SELECT srs_id FROM gpkg_spatial_ref_sys ORDER BY srs_id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(srs, [-1, 0, 4326]);
    let contents: Vec<(String, String, Option<i64>)> = sql
        .prepare("SELECT table_name, data_type, srs_id FROM gpkg_contents ORDER BY table_name")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let expected = [
        ("audit", "attributes", None),
        ("beat", "features", Some(4326)),
        ("camera", "features", Some(4326)),
        ("grid", "features", Some(4326)),
        ("onemap_meta", "attributes", None),
        ("person", "attributes", None),
        ("station", "features", Some(4326)),
    ];
    let expected: Vec<_> = expected
        .iter()
        .map(|(t, d, s)| (t.to_string(), d.to_string(), *s))
        .collect();
    assert_eq!(contents, expected);
    let columns: Vec<(String, String, String, i64)> = sql
        .prepare("SELECT table_name, column_name, geometry_type_name, srs_id FROM gpkg_geometry_columns ORDER BY table_name").unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))).unwrap().map(Result::unwrap).collect();
    assert_eq!(
        columns[1],
        ("camera".into(), "geom".into(), "POINT".into(), 4326)
    );
    assert_eq!(
        columns[2],
        ("grid".into(), "geom".into(), "MULTIPOLYGON".into(), 4326)
    );

    let extent: (f64, f64, f64, f64) = sql
        .query_row(
            "SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name = 'grid'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .unwrap();
    assert_eq!(extent, (120.0, 28.5, 120.05 + 0.01, 28.55 + 0.01));

    let blob: Vec<u8> = sql
        .query_row("SELECT geom FROM grid WHERE id = 'g2'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        &blob[..4],
        b"GP\x00\x03",
        "magic, version 0, little-endian xy envelope"
    );
    assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4326);
    let envelope: Vec<f64> = blob[8..40]
        .chunks(8)
        .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(envelope, [120.05, 120.05 + 0.01, 28.55, 28.55 + 0.01]);
    assert_eq!(
        &blob[40..49],
        &[1, 6, 0, 0, 0, 1, 0, 0, 0],
        "WKB MultiPolygon of one polygon"
    );
    let point: Vec<u8> = sql
        .query_row("SELECT geom FROM camera WHERE id = 'cam1'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(&point[40..45], &[1, 1, 0, 0, 0], "WKB Point");

    let (people, heading): (String, f64) = sql
        .query_row(
            "SELECT g.people, c.heading FROM grid g, camera c WHERE g.id = 'g1' AND c.id = 'cam1'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((people.as_str(), heading), (r#"["p1","p2"]"#, 135.5));
    let version: i64 = sql
        .query_row(
            "SELECT value FROM onemap_meta WHERE key = 'city_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, 1);
}

#[test]
fn files_that_are_not_ours_are_refused() {
    let plain = TempGpkg::new("plain-sqlite");
    Connection::open(&plain.0)
        .unwrap()
        .execute_batch("CREATE TABLE t (x)")
        .unwrap();
    let err = GeoPackageStore::open(&plain.0).err().unwrap();
    assert!(
        matches!(&err, StoreError::Corrupt(why) if why.contains("not a GeoPackage")),
        "{err}"
    );

    let foreign = TempGpkg::new("foreign-gpkg");
    Connection::open(&foreign.0)
        .unwrap()
        .execute_batch("PRAGMA application_id = 1196444487; CREATE TABLE t (x)")
        .unwrap();
    let err = GeoPackageStore::open(&foreign.0).err().unwrap();
    assert!(
        matches!(&err, StoreError::Corrupt(why) if why.contains("not written by onemap")),
        "{err}"
    );

    let text = TempGpkg::new("text");
    std::fs::write(
        &text.0,
        "this is not a database, just some text that is long enough".repeat(20),
    )
    .unwrap();
    assert!(matches!(
        GeoPackageStore::open(&text.0),
        Err(StoreError::Corrupt(_))
    ));

    let newer = TempGpkg::new("newer");
    drop(newer.open());
    Connection::open(&newer.0)
        .unwrap()
        .execute(
            "UPDATE onemap_meta SET value = 99 WHERE key = 'schema_version'",
            [],
        )
        .unwrap();
    let err = GeoPackageStore::open(&newer.0).err().unwrap();
    assert!(err.to_string().contains("newer onemap"), "{err}");
}

#[test]
fn the_store_is_shared_between_threads() {
    let (_file, store) = seeded("threads");
    let store = std::sync::Arc::new(store);
    let writers: Vec<_> = (0..4)
        .map(|t| {
            let store = store.clone();
            std::thread::spawn(move || {
                for i in 0..5 {
                    let p = person(&format!("t{t}-{i}"), Role::GridWorker);
                    store
                        .commit(&changes(vec![Change::UpsertPerson(p)]))
                        .unwrap();
                }
            })
        })
        .collect();
    writers.into_iter().for_each(|w| w.join().unwrap());
    assert_eq!(store.version().unwrap(), 21);
    assert_eq!(store.load().unwrap().people.len(), 25);
}

/// The file the crash child writes to; set only in the child process.
const CRASH_FILE: &str = "ONEMAP_TEST_CRASH_FILE";
const CRASH_BATCH: usize = 300;

/// Not a test on its own: the child process of `a_killed_writer_leaves_whole_commits`, which
/// rewrites a batch of grids in a loop until it is killed.
#[test]
#[ignore = "run by a_killed_writer_leaves_whole_commits"]
fn crash_child() {
    let Some(path) = std::env::var_os(CRASH_FILE) else {
        return;
    };
    let store = GeoPackageStore::open(PathBuf::from(path)).unwrap();
    loop {
        let round = store.version().unwrap() + 1;
        let batch = (0..CRASH_BATCH).map(|i| {
            let mut g = grid(
                &format!("g{i:04}"),
                vec![Polygon::new(
                    rect(120.0 + i as f64 * 0.01, 28.0, 0.01, 0.01),
                    vec![],
                )],
            );
            g.name = format!("round {round}");
            Change::Upsert(g)
        });
        store.commit(&changes(batch.collect())).unwrap();
    }
}

#[test]
fn a_killed_writer_leaves_whole_commits() {
    let file = TempGpkg::new("crash");
    drop(file.open());
    for delay_ms in [0, 7, 23] {
        let mut child = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["crash_child", "--exact", "--ignored", "--quiet"])
            .env(CRASH_FILE, &file.0)
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let reader = Connection::open(&file.0).unwrap();
        let start_version: i64 = reader
            .query_row(
                "SELECT value FROM onemap_meta WHERE key = 'city_version'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(60);
        while reader
            .query_row(
                "SELECT value FROM onemap_meta WHERE key = 'city_version'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .unwrap_or(start_version)
            < start_version + 2
        {
            assert!(Instant::now() < deadline, "the child made no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().unwrap();
        child.wait().unwrap();
        drop(reader);

        let store = file.open();
        let version = store.version().unwrap();
        let city = store.load().unwrap();
        assert_eq!(city.features.len(), CRASH_BATCH);
        let expected_name = format!("round {version}");
        assert!(
            city.features
                .iter()
                .all(|f| f.version == version && f.name == expected_name),
            "every grid carries the last whole commit, {version}"
        );
        assert_eq!(
            store.audit(None, usize::MAX).unwrap().len(),
            CRASH_BATCH * version as usize
        );
    }
}
