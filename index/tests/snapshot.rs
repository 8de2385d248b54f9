//! The next snapshot after an edit answers for the edited city, whether or not it could share
//! the previous cell index.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use geo_types::{coord, LineString, MultiPolygon, Polygon};
use onemap_index::write::Change;
use onemap_index::{Attributes, City, Feature, GridKind, Layer, Shape, Snapshot};

fn square(x0: f64, y0: f64, size: f64) -> MultiPolygon<f64> {
    let ring = LineString(vec![
        coord! { x: x0, y: y0 },
        coord! { x: x0 + size, y: y0 },
        coord! { x: x0 + size, y: y0 + size },
        coord! { x: x0, y: y0 + size },
        coord! { x: x0, y: y0 },
    ]);
    MultiPolygon(vec![Polygon::new(ring, vec![])])
}

fn grid(id: &str, shape: MultiPolygon<f64>) -> Feature {
    Feature {
        id: id.into(),
        name: id.into(),
        version: 1,
        shape: Shape::Area(shape),
        attributes: Attributes::Grid {
            level: 3,
            parent: None,
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
            population: None,
            households: None,
        },
        people: Vec::new(),
    }
}

fn city() -> City {
    let mut features: Vec<Feature> = (0..3)
        .map(|i| {
            grid(
                &format!("g{i}"),
                square(121.0 + i as f64 * 0.01, 28.0, 0.01),
            )
        })
        .collect();
    features.push(Feature {
        attributes: Attributes::Beat { station: None },
        ..grid("b0", square(121.0, 28.0, 0.03))
    });
    City {
        features,
        people: Vec::new(),
    }
}

fn grid_at(s: &Snapshot, x: f64, y: f64) -> Option<String> {
    s.locate(x, y).grid.map(|i| s.feature(i).id.clone())
}

#[test]
fn a_rename_keeps_answers_and_a_reshape_changes_them() {
    let first = Snapshot::build(city(), 1);
    assert_eq!(grid_at(&first, 121.015, 28.005).as_deref(), Some("g1"));

    let mut renamed = city();
    renamed.features[1].name = "新名字".into();
    let second = first.next(renamed, 2, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&second, 121.015, 28.005).as_deref(), Some("g1"));
    assert_eq!(second.get(Layer::Grid, "g1").unwrap().name, "新名字");

    // g1 shrinks to its western half: the eastern half now lies in no grid.
    let mut reshaped = city();
    reshaped.features[1].shape = Shape::Area(square(121.01, 28.0, 0.005));
    let third = second.next(reshaped, 3, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&third, 121.0175, 28.0025), None);
    assert_eq!(grid_at(&third, 121.0125, 28.0025).as_deref(), Some("g1"));
    let row = third.matrix().row("g1").unwrap();
    let area = third.projection().area(&square(121.01, 28.0, 0.005));
    assert!(
        (row[0].area_m2 - area).abs() < 1e-9 * area,
        "the overlap follows the edit: {row:?}, grid {area} m²"
    );
    assert!(row[0].area_m2 < 0.3 * second.matrix().row("g1").unwrap()[0].area_m2);

    // A deleted grid is gone from the answers and from the matrix.
    let mut deleted = city();
    deleted.features.remove(1);
    let fourth = third.next(deleted, 4, &[(Layer::Grid, "g1".into())]);
    assert_eq!(grid_at(&fourth, 121.015, 28.005), None);
    assert!(fourth.matrix().row("g1").is_none());
    assert_eq!(grid_at(&fourth, 121.025, 28.005).as_deref(), Some("g2"));
}

mod support;

use proptest::prelude::*;
use support::{blocks, lattice};

/// A city on a jittered lattice: communities (level 2) of 2 × 2 cells made of level-3 grids
/// of one cell each, beats of 3 × 3 cells shifted by one, and one station over all. Grid `k`
/// of `gone` is left out, and so is beat `k % 16`; so are the communities in `orphaned`.
fn lattice_city(
    lat: &[Vec<[f64; 2]>],
    gone: &[usize],
    levels: &[(usize, u8)],
    orphaned: &[usize],
) -> City {
    let lnglat = |ring: &Vec<[f64; 2]>| -> MultiPolygon<f64> {
        let ring: Vec<_> = ring
            .iter()
            .map(|p| coord! { x: 121.0 + p[0] * 0.01, y: 28.0 + p[1] * 0.01 })
            .collect();
        MultiPolygon(vec![Polygon::new(LineString(ring), vec![])])
    };
    let with_level = |f: Feature, level: u8| Feature {
        attributes: Attributes::Grid {
            level,
            parent: None,
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
            population: None,
            households: None,
        },
        ..f
    };
    let mut features = Vec::new();
    for (k, ring) in blocks(lat, 2, 0).iter().enumerate() {
        if orphaned.contains(&k) {
            continue;
        }
        features.push(with_level(grid(&format!("c{k}"), lnglat(ring)), 2));
    }
    for (k, ring) in blocks(lat, 1, 0).iter().enumerate() {
        if gone.contains(&k) {
            continue;
        }
        let level = levels.iter().find(|(g, _)| *g == k).map_or(3, |(_, l)| *l);
        features.push(with_level(grid(&format!("g{k}"), lnglat(ring)), level));
    }
    for (k, ring) in blocks(lat, 3, 1).iter().enumerate() {
        if gone.iter().any(|g| g % 16 == k) {
            continue;
        }
        features.push(Feature {
            attributes: Attributes::Beat { station: None },
            ..grid(&format!("b{k}"), lnglat(ring))
        });
    }
    let outline = vec![
        [0.0, 0.0],
        [10.0, 0.0],
        [10.0, 10.0],
        [0.0, 10.0],
        [0.0, 0.0],
    ];
    features.push(Feature {
        attributes: Attributes::Station { location: None },
        ..grid("s0", lnglat(&outline))
    });
    City {
        features,
        people: Vec::new(),
    }
}

/// What a snapshot answers for a point, by ids.
fn answer(s: &Snapshot, x: f64, y: f64) -> [Option<String>; 3] {
    let hit = s.locate(x, y);
    [hit.grid, hit.beat, hit.station].map(|i| i.map(|i| s.feature(i).id.clone()))
}

/// One edit to the lattice city.
#[derive(Clone, Debug)]
enum Edit {
    /// Moves an inner lattice vertex (reshaping the grids, community and beats around it).
    Move(usize, usize, f64, f64),
    /// Deletes a grid, so its community answers for the hole, and a beat, leaving a hole.
    Delete(usize),
    /// Brings a deleted grid back (a new feature).
    Restore,
    /// Makes a grid a micro-grid (level 4), which changes its priority.
    Deepen(usize),
    /// Deletes a community, or brings it back: grids no edit touched gain or lose a parent.
    Community(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (1usize..8, 1usize..8, -0.4f64..0.4, -0.4f64..0.4)
            .prop_map(|(i, j, dx, dy)| Edit::Move(i, j, dx, dy)),
        (0usize..64).prop_map(Edit::Delete),
        Just(Edit::Restore),
        (0usize..64).prop_map(Edit::Deepen),
        // Few communities, so that one often goes and comes back.
        (0usize..2).prop_map(Edit::Community),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, failure_persistence: None, ..ProptestConfig::default() })]

    /// After any run of edits, the snapshot made edit by edit (its cell index patched where
    /// each edit fell, its keys, areas, regions and inferred parents carried) answers every
    /// point, parent and assigned beat as one built from scratch.
    #[test]
    fn snapshots_made_edit_by_edit_answer_as_one_built_from_scratch(seed in 0u64..1000,
        edits in prop::collection::vec(edit(), 1..7),
        pts in prop::collection::vec((-0.5f64..10.5, -0.5f64..10.5), 300)) {
        let mut lat = lattice(8, 10.0, seed);
        let (mut gone, mut levels, mut orphaned) = (Vec::new(), Vec::new(), Vec::new());
        let mut snapshot = Snapshot::build(lattice_city(&lat, &gone, &levels, &orphaned), 1);
        for (version, e) in edits.iter().enumerate() {
            match e {
                Edit::Move(i, j, dx, dy) => {
                    lat[*j][*i][0] += dx * 1.25;
                    lat[*j][*i][1] += dy * 1.25;
                }
                Edit::Delete(g) => gone.push(*g),
                Edit::Restore => { gone.pop(); }
                Edit::Deepen(g) => levels.push((*g, 4)),
                Edit::Community(c) => match orphaned.iter().position(|o| o == c) {
                    Some(at) => { orphaned.remove(at); }
                    None => orphaned.push(*c),
                },
            }
            let city = lattice_city(&lat, &gone, &levels, &orphaned);
            let changes = changes_between(&snapshot, &city);
            snapshot = snapshot.advance(&[(version as u64 + 2, &changes)]).snapshot;
        }
        let fresh = Snapshot::build(lattice_city(&lat, &gone, &levels, &orphaned), 99);
        let mut points: Vec<[f64; 2]> = pts.iter().map(|(x, y)| [121.0 + x * 0.01, 28.0 + y * 0.01]).collect();
        points.extend(lat.iter().flatten().map(|p| [121.0 + p[0] * 0.01, 28.0 + p[1] * 0.01]));
        for p in &points {
            prop_assert_eq!(answer(&snapshot, p[0], p[1]), answer(&fresh, p[0], p[1]), "point {:?} after {:?}", p, edits);
        }
        for f in fresh.features() {
            let parent = |s: &Snapshot| {
                let i = s.index_of(f.layer(), &f.id)?;
                s.parent(i).map(|p| s.feature(p).id.clone())
            };
            prop_assert_eq!(parent(&snapshot), parent(&fresh), "parent of {} after {:?}", f.id, edits);
            prop_assert_eq!(snapshot.assigned_beat(&f.id), fresh.assigned_beat(&f.id), "beat of {} after {:?}", f.id, edits);
        }
    }
}

/// The changes that turn `s`'s city into `city`: upserts of what is new or different, deletes
/// of what is gone, as a store's commit would carry them.
fn changes_between(s: &Snapshot, city: &City) -> Vec<Change> {
    let mut changes: Vec<Change> = city
        .features
        .iter()
        .filter(|f| {
            s.get(f.layer(), &f.id)
                .is_none_or(|old| old.shape != f.shape || old.attributes != f.attributes)
        })
        .cloned()
        .map(Change::Upsert)
        .collect();
    changes.extend(
        s.features()
            .iter()
            .filter(|f| {
                !city
                    .features
                    .iter()
                    .any(|n| n.layer() == f.layer() && n.id == f.id)
            })
            .map(|f| Change::Delete {
                layer: f.layer(),
                id: f.id.clone(),
            }),
    );
    changes
}

/// The two overlap views agree: a beat lists a grid exactly when the grid lists the beat, with
/// the same area, and "assigned" on the beat's side is the grid's assigned beat.
#[test]
fn the_grid_and_beat_overlap_views_agree() {
    let s = Snapshot::build(lattice_city(&lattice(8, 10.0, 3), &[], &[], &[]), 1);
    let mut pairs = 0;
    for beat in s.layer(Layer::Beat) {
        for g in s.grids_of_beat(&beat.id).unwrap() {
            let view = s.overlaps_of_grid(&g.grid).unwrap();
            let share = view.beats.iter().find(|b| b.id == beat.id).unwrap();
            assert!(
                (share.area_m2 - g.area_m2).abs() < 1e-6,
                "{} × {}",
                g.grid,
                beat.id
            );
            assert_eq!(
                g.assigned,
                view.assigned_beat.as_deref() == Some(beat.id.as_str())
            );
            assert!(view.area_m2 > 0.0 && g.fraction <= 1.0 + 1e-9);
            pairs += 1;
        }
    }
    assert!(
        pairs >= 64,
        "each of the 64 grids lies in a beat: {pairs} pairs"
    );
    assert!(s.overlaps_of_grid("no-such-grid").is_none());
    assert!(s.grids_of_beat("no-such-beat").is_none());
}
