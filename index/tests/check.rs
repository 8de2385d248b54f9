//! The coverage check against a city with planted faults: it reports every planted fault and
//! nothing else, each with the features involved.

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use onemap_index::check::{CheckOptions, Reason, Repair};
use onemap_index::{Attributes, City, Feature, GridKind, Layer, Shape, Snapshot};

/// A polygon at 121°E 28°N from offsets in degrees.
fn area(ring: &[[f64; 2]]) -> Shape {
    let mut coords: Vec<Coord<f64>> = ring
        .iter()
        .map(|p| Coord {
            x: 121.0 + p[0],
            y: 28.0 + p[1],
        })
        .collect();
    coords.push(coords[0]);
    Shape::Area(MultiPolygon(vec![Polygon::new(LineString(coords), vec![])]))
}

fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Shape {
    area(&[[x0, y0], [x1, y0], [x1, y1], [x0, y1]])
}

fn feature(id: &str, shape: Shape, attributes: Attributes) -> Feature {
    Feature {
        id: id.into(),
        name: id.into(),
        version: 1,
        shape,
        attributes,
        people: vec![],
    }
}

fn grid(id: &str, level: u8, parent: Option<&str>, shape: Shape) -> Feature {
    feature(
        id,
        shape,
        Attributes::Grid {
            level,
            parent: parent.map(String::from),
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
            population: None,
            households: None,
        },
    )
}

fn beat(id: &str, station: Option<&str>, shape: Shape) -> Feature {
    feature(
        id,
        shape,
        Attributes::Beat {
            station: station.map(String::from),
        },
    )
}

/// A community `c` of three grids with four faults planted among them and their neighbours,
/// two beats with a notch between them, a beat outside its station, and a bow-tie grid.
fn planted() -> City {
    let sliver = 5e-9; // half a millimetre: g2 reaches under g1 by this much, 1.1 km long
    City {
        features: vec![
            grid("c", 2, None, rect(0.0, 0.0, 0.02, 0.02)),
            // A 0.0002° strip along c's west edge is in no grid: a gap.
            grid("g1", 3, Some("c"), rect(0.0002, 0.0, 0.01, 0.02)),
            // g2 reaches into g3 by 0.0005° (an overlap) and under g1 by `sliver` (a sliver).
            grid("g2", 3, Some("c"), rect(0.01 - sliver, 0.0, 0.02, 0.0105)),
            grid("g3", 3, Some("c"), rect(0.01, 0.01, 0.02, 0.02)),
            // Named as c's child but wholly east of it.
            grid("g4", 3, Some("c"), rect(0.02, 0.0, 0.021, 0.01)),
            // Far away, on its own: a ring that crosses itself.
            grid(
                "bowtie",
                0,
                None,
                area(&[[1.0, 0.0], [1.01, 0.01], [1.01, 0.0], [1.0, 0.01]]),
            ),
            feature(
                "s",
                rect(0.0, 0.0, 0.02, 0.02),
                Attributes::Station { location: None },
            ),
            // b1 has a notch under its edge with b2, enclosed by the two: a gap.
            beat(
                "b1",
                None,
                area(&[
                    [0.0, 0.0],
                    [0.02, 0.0],
                    [0.02, 0.01],
                    [0.011, 0.01],
                    [0.011, 0.009],
                    [0.009, 0.009],
                    [0.009, 0.01],
                    [0.0, 0.01],
                ]),
            ),
            beat("b2", None, rect(0.0, 0.01, 0.02, 0.02)),
            // Named as s's beat but east of it.
            beat("b3", Some("s"), rect(0.02, 0.0, 0.03, 0.01)),
        ],
        people: vec![],
    }
}

fn found(s: &Snapshot, layer: Layer) -> Vec<(Reason, Vec<String>)> {
    s.check(layer, &CheckOptions::default())
        .into_iter()
        .map(|p| (p.reason, p.ids.into_iter().map(|(_, id)| id).collect()))
        .collect()
}

fn ids(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| s.to_string()).collect()
}

#[test]
fn every_planted_fault_is_reported_and_nothing_else() {
    let s = Snapshot::build(planted(), 1);
    assert_eq!(
        found(&s, Layer::Grid),
        vec![
            (Reason::Overlap, ids(&["g2", "g3"])),
            (Reason::Gap, ids(&["c", "g1"])),
            (Reason::Sliver, ids(&["g1", "g2"])),
            (Reason::OutsideParent, ids(&["g4", "c"])),
            (Reason::InvalidRing, ids(&["bowtie"])),
        ]
    );
    assert_eq!(
        found(&s, Layer::Beat),
        vec![
            (Reason::Gap, ids(&["b1"])),
            (Reason::OutsideStation, ids(&["b3", "s"])),
        ]
    );
    assert_eq!(found(&s, Layer::Station), vec![]);
}

#[test]
fn problems_carry_their_piece_its_area_and_a_repair() {
    let s = Snapshot::build(planted(), 1);
    let problems = s.check(Layer::Grid, &CheckOptions::default());
    let by = |r: Reason| problems.iter().find(|p| p.reason == r).unwrap();
    // 0.0005° × 0.01° at 28°N: about 55 m × 983 m.
    let overlap = by(Reason::Overlap);
    assert!(
        (overlap.area_m2 - 53_900.0).abs() < 1_000.0,
        "{}",
        overlap.area_m2
    );
    assert_eq!(overlap.repair, None);
    let sliver = by(Reason::Sliver);
    assert!(
        sliver.area_m2 > 0.01 && sliver.area_m2 < 1.0,
        "{}",
        sliver.area_m2
    );
    assert!(matches!(
        &sliver.repair,
        Some(Repair::MergeInto(Layer::Grid, _))
    ));
    // The strip's longest side lies along g1.
    assert_eq!(
        by(Reason::Gap).repair,
        Some(Repair::MergeInto(Layer::Grid, "g1".into()))
    );
    assert_eq!(
        by(Reason::OutsideParent).repair,
        Some(Repair::Clip(Layer::Grid, "g4".into()))
    );
    for p in problems.iter().filter(|p| p.reason != Reason::InvalidRing) {
        assert!(!p.geometry.0.is_empty(), "{p:?} has its piece");
    }
}

#[test]
fn a_coarser_sliver_area_turns_the_small_overlap_into_a_sliver() {
    let s = Snapshot::build(planted(), 1);
    let options = CheckOptions {
        sliver_m2: 100_000.0,
        ..CheckOptions::default()
    };
    let overlaps = s
        .check(Layer::Grid, &options)
        .into_iter()
        .filter(|p| p.reason == Reason::Overlap)
        .count();
    assert_eq!(overlaps, 0);
}
