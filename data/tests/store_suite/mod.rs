//! The store contract: what every [`Store`] must do, whatever keeps the data. `gpkg.rs` runs
//! these cases against the GeoPackage store and `pg_store.rs` against PostGIS, through
//! [`store_contract!`], so the two stores cannot drift apart.

use crate::fixtures::{at_version, beat, camera, grid, person, rect, sample_city};
use geo_types::{point, Polygon};
use onemap_data::store::Action;
use onemap_data::{Change, ChangeSet, Commit, Store, StoreError};
use onemap_index::events::{Event, Source};
use onemap_index::{City, Feature, Layer, Role};

/// One `#[test]` per contract case; `$fresh(tag)` gives `(guard, store)`: a new, empty store
/// and whatever must live as long as it (a temp file, a test database).
macro_rules! store_contract {
    ($fresh:expr) => {
        store_contract!($fresh;
            every_layer_and_people_round_trip,
            versions_grow_and_stale_writes_are_refused,
            an_empty_change_set_checks_versions_but_writes_nothing,
            replace_mode_clears_a_layer_and_refills_it_atomically,
            a_stale_expectation_among_good_ones_changes_nothing,
            a_group_commits_each_set_on_its_own,
            the_audit_log_keeps_before_and_after,
            the_store_is_shared_between_threads,
            events_are_appended_numbered_and_audited,
        );
    };
    ($fresh:expr; $($case:ident,)*) => {
        $(
            #[test]
            fn $case() {
                let (_guard, store) = $fresh(stringify!($case));
                crate::store_suite::$case(&store);
            }
        )*
    };
}
pub(crate) use store_contract;

/// Commits the sample city: version 1.
pub fn seed(store: &dyn Store) {
    store.commit(&upsert_city(&sample_city())).unwrap();
}

pub fn changes(changes: Vec<Change>) -> ChangeSet {
    ChangeSet {
        changes,
        expect: vec![],
        author: "tester".into(),
        action: Action::Update,
    }
}

pub fn upsert_city(city: &City) -> ChangeSet {
    let features = city.features.iter().cloned().map(Change::Upsert);
    let people = city.people.iter().cloned().map(Change::UpsertPerson);
    changes(features.chain(people).collect())
}

/// Everything a reader could observe, to show that a failed commit changed nothing.
pub fn observe(store: &dyn Store) -> (City, u64, usize) {
    (
        store.load().unwrap(),
        store.version().unwrap(),
        store.audit(None, usize::MAX).unwrap().len(),
    )
}

pub fn find<'a>(city: &'a City, layer: Layer, id: &str) -> &'a Feature {
    city.features
        .iter()
        .find(|f| f.layer() == layer && f.id == id)
        .unwrap()
}

pub fn every_layer_and_people_round_trip(store: &dyn Store) {
    assert_eq!(store.version().unwrap(), 0);
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
}

pub fn versions_grow_and_stale_writes_are_refused(store: &dyn Store) {
    seed(store);
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

    let before = observe(store);
    let err = store.commit(&update).unwrap_err();
    assert!(
        matches!(&err, StoreError::Stale { layer: Layer::Grid, id, expected: 1, current: 2 } if id == "g1"),
        "{err}"
    );
    assert_eq!(observe(store), before);

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

pub fn an_empty_change_set_checks_versions_but_writes_nothing(store: &dyn Store) {
    seed(store);
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

pub fn replace_mode_clears_a_layer_and_refills_it_atomically(store: &dyn Store) {
    seed(store);
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
    let before = observe(store);
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
    assert_eq!(observe(store), before);

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

pub fn a_stale_expectation_among_good_ones_changes_nothing(store: &dyn Store) {
    seed(store);
    let before = observe(store);
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
    assert_eq!(observe(store), before);
}

/// Group commit: each set is checked against what the sets before it in the group wrote, a
/// stale one is left out alone, and every good one gets its own version, in order.
pub fn a_group_commits_each_set_on_its_own(store: &dyn Store) {
    seed(store);
    let mut moved = camera("cam1", point! { x: 120.5, y: 28.5 });
    moved.name = "moved".into();
    let mut move_camera = changes(vec![Change::Upsert(moved)]);
    move_camera.expect = vec![(Layer::Camera, "cam1".into(), 1)];
    let mut stale = changes(vec![Change::Upsert(beat("b3", Some("s1")))]);
    stale.expect = vec![(Layer::Station, "s1".into(), 7)];
    // Saw cam1 before the first set of the group moved it.
    let mut overtaken = changes(vec![Change::Delete {
        layer: Layer::Camera,
        id: "cam1".into(),
    }]);
    overtaken.expect = vec![(Layer::Camera, "cam1".into(), 1)];
    let nothing = changes(vec![]);
    let remove_person = changes(vec![Change::DeletePerson { id: "p1".into() }]);
    let results = store.commit_group(&[move_camera, stale, overtaken, nothing, remove_person]);
    let versions: Vec<Result<(u64, usize), u64>> = results
        .iter()
        .map(|r| match r {
            Ok(c) => Ok((c.version, c.written)),
            Err(StoreError::Stale { current, .. }) => Err(*current),
            Err(e) => panic!("unexpected {e}"),
        })
        .collect();
    assert_eq!(
        versions,
        [Ok((2, 1)), Err(1), Err(2), Ok((2, 0)), Ok((3, 1))]
    );
    let city = store.load().unwrap();
    assert_eq!(store.version().unwrap(), 3);
    let cam1 = find(&city, Layer::Camera, "cam1");
    assert_eq!((cam1.name.as_str(), cam1.version), ("moved", 2));
    assert!(!city.features.iter().any(|f| f.id == "b3"));
    assert!(!city.people.iter().any(|p| p.id == "p1"));
    let audited: Vec<(u64, String)> = store
        .audit(None, 2)
        .unwrap()
        .into_iter()
        .map(|e| (e.version, e.id))
        .collect();
    assert_eq!(audited, [(3, "p1".into()), (2, "cam1".into())]);
}

pub fn the_audit_log_keeps_before_and_after(store: &dyn Store) {
    seed(store);
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
    set.action = Action::Update;
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

pub fn the_store_is_shared_between_threads(store: &dyn Store) {
    seed(store);
    std::thread::scope(|scope| {
        for t in 0..4 {
            scope.spawn(move || {
                for i in 0..5 {
                    let p = person(&format!("t{t}-{i}"), Role::GridWorker);
                    store
                        .commit(&changes(vec![Change::UpsertPerson(p)]))
                        .unwrap();
                }
            });
        }
    });
    assert_eq!(store.version().unwrap(), 21);
    assert_eq!(store.load().unwrap().people.len(), 25);
}

/// An incident with text that needs escaping in any format.
fn incident(n: i64) -> Event {
    Event {
        seq: 0,
        time: 1_780_000_000 + n * 61,
        lng: 121.4 + n as f64 * 1e-4,
        lat: 28.6 - n as f64 * 1e-4,
        category: if n % 2 == 0 { "纠纷" } else { "交通" }.into(),
        source: if n % 3 == 0 {
            Source::Hotline12345
        } else {
            Source::Police110
        },
        text: (n % 4 == 0).then(|| format!("第{n}号\t\"引号\"\n换行\\")),
    }
}

pub fn events_are_appended_numbered_and_audited(store: &dyn Store) {
    seed(store);
    let version = store.version().unwrap();
    let first = store
        .append_events((0..5).map(incident).collect(), "110 中心")
        .unwrap();
    let second = store
        .append_events((5..8).map(incident).collect(), "12345 热线")
        .unwrap();
    let numbers: Vec<u64> = first.iter().chain(&second).map(|e| e.seq).collect();
    assert_eq!(numbers, (1..=8).collect::<Vec<u64>>());
    // Events change no feature: the city version stays.
    assert_eq!(store.version().unwrap(), version);
    let stored = store.events_since(0, 100).unwrap();
    let sent: Vec<Event> = first.into_iter().chain(second).collect();
    assert_eq!(stored, sent);
    assert_eq!(store.events_since(5, 2).unwrap(), sent[5..7].to_vec());
    assert!(store.events_since(8, 100).unwrap().is_empty());
    let audit = store.audit(None, 10).unwrap();
    let rows: Vec<(&str, &str, &str)> = audit
        .iter()
        .filter(|a| a.action == "import_events")
        .map(|a| (a.author.as_str(), a.action.as_str(), a.id.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("12345 热线", "import_events", "event:6-8"),
            ("110 中心", "import_events", "event:1-5"),
        ]
    );
}
