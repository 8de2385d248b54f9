use super::*;
use crate::model::{CameraStatus, GridKind, Role};
use geo_types::{coord, point};

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    points.iter().map(|&(x, y)| coord! { x: x, y: y }).collect()
}

fn grid_with(polygons: Vec<Polygon<f64>>) -> Feature {
    Feature {
        id: "g1".into(),
        name: "网格一".into(),
        version: 0,
        shape: Shape::Area(MultiPolygon(polygons)),
        attributes: Attributes::Grid {
            level: level::GRID,
            parent: Some("c1".into()),
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
            population: None,
            households: None,
        },
        people: vec!["p1".into()],
    }
}

fn grid(exterior: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> Feature {
    let holes = holes.iter().map(|h| ring(h)).collect();
    grid_with(vec![Polygon::new(ring(exterior), holes)])
}

fn camera(heading: Option<f64>, range_m: Option<f64>) -> Feature {
    Feature {
        id: "cam-1".into(),
        name: "东门".into(),
        version: 0,
        shape: Shape::Point(point! { x: 120.1, y: 28.6 }),
        attributes: Attributes::Camera {
            kind: "dome".into(),
            status: CameraStatus::Online,
            heading,
            range_m,
        },
        people: vec![],
    }
}

const SQUARE: [(f64, f64); 5] = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0), (0.0, 0.0)];
const INNER: [(f64, f64); 5] = [(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0), (1.0, 1.0)];
const EXTERIOR: RingRef = RingRef {
    polygon: 0,
    ring: 0,
};
const HOLE: RingRef = RingRef {
    polygon: 0,
    ring: 1,
};

#[test]
fn valid_polygon_with_hole_passes() {
    assert_eq!(validate_feature(&grid(&SQUARE, &[&INNER])), Ok(()));
}

#[test]
fn valid_multipolygon_and_camera_pass() {
    let far: Vec<_> = SQUARE.iter().map(|&(x, y)| (x + 10.0, y)).collect();
    let two = grid_with(vec![
        Polygon::new(ring(&SQUARE), vec![]),
        Polygon::new(ring(&far), vec![]),
    ]);
    assert_eq!(validate_feature(&two), Ok(()));
    assert_eq!(validate_feature(&camera(Some(360.0), Some(50.0))), Ok(()));
    assert_eq!(validate_feature(&camera(None, None)), Ok(()));
}

#[test]
fn repeated_positions_and_straight_vertices_are_fine() {
    let f = grid(
        &[
            (0.0, 0.0),
            (0.0, 0.0),
            (2.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ],
        &[],
    );
    assert_eq!(validate_feature(&f), Ok(()));
}

#[test]
fn figure_eight_is_a_self_intersection() {
    let bow_tie = grid(
        &[(0.0, 0.0), (2.0, 2.0), (2.0, 0.0), (0.0, 2.0), (0.0, 0.0)],
        &[],
    );
    let err = validate_feature(&bow_tie).unwrap_err();
    assert_eq!(
        err,
        Invalid::SelfIntersection {
            ring: EXTERIOR,
            first: 0,
            second: 2,
            near: LngLat { lng: 1.0, lat: 1.0 }
        }
    );
    assert_eq!(err.code(), "invalid_geometry");
    assert!(
        err.to_string().contains("polygon 0, ring 0 (exterior)"),
        "{err}"
    );
}

#[test]
fn ring_through_its_own_vertex_is_a_self_intersection() {
    // Two squares joined at (2, 2): the ring visits that vertex twice.
    let f = grid(
        &[
            (0.0, 0.0),
            (2.0, 0.0),
            (2.0, 2.0),
            (4.0, 2.0),
            (4.0, 4.0),
            (2.0, 4.0),
            (2.0, 2.0),
            (0.0, 2.0),
            (0.0, 0.0),
        ],
        &[],
    );
    assert!(matches!(
        validate_feature(&f),
        Err(Invalid::SelfIntersection {
            near: LngLat { lng: 2.0, lat: 2.0 },
            ..
        })
    ));
}

#[test]
fn spike_is_rejected() {
    let f = grid(
        &[
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (6.0, 6.0),
            (4.0, 4.0),
            (0.0, 4.0),
            (0.0, 0.0),
        ],
        &[],
    );
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::Spike {
            ring: EXTERIOR,
            vertex: 3,
            at: LngLat { lng: 6.0, lat: 6.0 }
        })
    );
}

#[test]
fn spike_at_the_closing_vertex_is_rejected() {
    // The ring starts at the spike's tip, so the spike spans the last and first edges.
    let f = grid(
        &[
            (0.0, 6.0),
            (0.0, 4.0),
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (0.0, 4.0),
            (0.0, 6.0),
        ],
        &[],
    );
    assert!(matches!(
        validate_feature(&f),
        Err(Invalid::Spike { vertex: 0, .. })
    ));
}

#[test]
fn unclosed_and_short_rings_are_rejected_before_geo_types_closes_them() {
    let open = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)].map(|(x, y)| coord! { x: x, y: y });
    assert_eq!(
        check_ring_positions(HOLE, &open),
        Err(Invalid::NotClosed {
            ring: HOLE,
            first: LngLat { lng: 0.0, lat: 0.0 },
            last: LngLat { lng: 0.0, lat: 4.0 }
        })
    );
    let err = check_ring_positions(EXTERIOR, &open[..3]).unwrap_err();
    assert_eq!(
        err,
        Invalid::TooFewPositions {
            ring: EXTERIOR,
            count: 3
        }
    );
    // A closed triangle written with three positions is still too short.
    let f = grid(&[(0.0, 0.0), (4.0, 0.0), (0.0, 0.0)], &[]);
    assert!(matches!(
        validate_feature(&f),
        Err(Invalid::TooFewPositions { count: 3, .. })
    ));
}

#[test]
fn zero_area_ring_is_rejected() {
    let line = grid(&[(0.0, 0.0), (1.0, 1.0), (2.0, 2.0), (0.0, 0.0)], &[]);
    assert_eq!(
        validate_feature(&line),
        Err(Invalid::ZeroArea { ring: EXTERIOR })
    );
    let point = grid(&[(1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0)], &[]);
    assert_eq!(
        validate_feature(&point),
        Err(Invalid::ZeroArea { ring: EXTERIOR })
    );
}

#[test]
fn nan_and_out_of_range_coordinates_are_rejected() {
    let nan = grid(&[(0.0, 0.0), (f64::NAN, 0.0), (4.0, 4.0), (0.0, 0.0)], &[]);
    let at = Place::Vertex {
        ring: EXTERIOR,
        vertex: 1,
    };
    assert!(matches!(validate_feature(&nan), Err(Invalid::NotFinite { at: a, .. }) if a == at));
    let lat91 = grid(&[(0.0, 0.0), (4.0, 0.0), (4.0, 91.0), (0.0, 0.0)], &[]);
    let err = validate_feature(&lat91).unwrap_err();
    assert!(matches!(
        err,
        Invalid::OutOfRange {
            pos: LngLat { lat: 91.0, .. },
            ..
        }
    ));
    assert!(err.to_string().contains("vertex 2"), "{err}");
    let mut cam = camera(None, None);
    cam.shape = Shape::Point(point! { x: 181.0, y: 0.0 });
    assert!(matches!(
        validate_feature(&cam),
        Err(Invalid::OutOfRange {
            at: Place::Point,
            ..
        })
    ));
}

#[test]
fn station_location_is_checked_as_a_property() {
    let mut f = grid(&SQUARE, &[]);
    f.attributes = Attributes::Station {
        location: Some(point! { x: 120.0, y: 91.0 }),
    };
    let err = validate_feature(&f).unwrap_err();
    assert!(matches!(
        err,
        Invalid::OutOfRange {
            at: Place::Location,
            ..
        }
    ));
    assert_eq!(err.code(), "invalid_property");
}

#[test]
fn hole_outside_its_exterior_is_rejected() {
    let away = [(5.0, 5.0), (5.0, 6.0), (6.0, 6.0), (6.0, 5.0), (5.0, 5.0)];
    assert_eq!(
        validate_feature(&grid(&SQUARE, &[&away])),
        Err(Invalid::HoleOutside { ring: HOLE })
    );
}

#[test]
fn hole_crossing_or_touching_its_exterior_is_rejected() {
    let crossing = [(3.0, 1.0), (3.0, 2.0), (5.0, 2.0), (5.0, 1.0), (3.0, 1.0)];
    let touching = [(2.0, 0.0), (3.0, 1.0), (1.0, 1.0), (2.0, 0.0)];
    for hole in [&crossing[..], &touching[..]] {
        assert!(matches!(
            validate_feature(&grid(&SQUARE, &[hole])),
            Err(Invalid::RingsTouch {
                polygon: 0,
                first: 0,
                second: 1,
                ..
            })
        ));
    }
}

#[test]
fn nested_and_touching_holes_are_rejected() {
    let big = [(0.5, 0.5), (0.5, 3.5), (3.5, 3.5), (3.5, 0.5), (0.5, 0.5)];
    assert_eq!(
        validate_feature(&grid(&SQUARE, &[&big, &INNER])),
        Err(Invalid::NestedHole {
            ring: RingRef {
                polygon: 0,
                ring: 2
            },
            within: 1
        })
    );
    let beside = [(2.0, 1.0), (2.0, 2.0), (3.0, 2.0), (3.0, 1.0), (2.0, 1.0)];
    assert!(matches!(
        validate_feature(&grid(&SQUARE, &[&INNER, &beside])),
        Err(Invalid::RingsTouch {
            first: 1,
            second: 2,
            ..
        })
    ));
}

#[test]
fn errors_name_the_polygon() {
    let bad = ring(&[
        (10.0, 0.0),
        (12.0, 2.0),
        (12.0, 0.0),
        (10.0, 2.0),
        (10.0, 0.0),
    ]);
    let f = grid_with(vec![
        Polygon::new(ring(&SQUARE), vec![]),
        Polygon::new(bad, vec![]),
    ]);
    let err = validate_feature(&f).unwrap_err();
    assert!(
        err.to_string().starts_with("polygon 1, ring 0 (exterior)"),
        "{err}"
    );
}

#[test]
fn shape_must_match_the_layer() {
    let mut cam = camera(None, None);
    cam.shape = grid(&SQUARE, &[]).shape;
    assert!(matches!(
        validate_feature(&cam),
        Err(Invalid::WrongShape {
            layer: Layer::Camera,
            ..
        })
    ));
    let mut g = grid(&SQUARE, &[]);
    g.shape = Shape::Point(point! { x: 1.0, y: 1.0 });
    assert!(matches!(
        validate_feature(&g),
        Err(Invalid::WrongShape {
            layer: Layer::Grid,
            ..
        })
    ));
    assert_eq!(
        validate_feature(&grid_with(vec![])),
        Err(Invalid::EmptyArea)
    );
}

#[test]
fn grid_level_is_at_most_four() {
    let mut f = grid(&SQUARE, &[]);
    let Attributes::Grid { level, .. } = &mut f.attributes else {
        unreachable!()
    };
    *level = 4;
    assert_eq!(validate_feature(&f), Ok(()));
    let Attributes::Grid { level, .. } = &mut f.attributes else {
        unreachable!()
    };
    *level = 5;
    let err = validate_feature(&f).unwrap_err();
    assert_eq!(err, Invalid::Level { level: 5 });
    assert_eq!(err.code(), "invalid_property");
}

#[test]
fn camera_heading_and_range_are_checked() {
    for heading in [-1.0, 360.5, f64::NAN] {
        assert!(matches!(
            validate_feature(&camera(Some(heading), None)),
            Err(Invalid::Heading { .. })
        ));
    }
    for range in [0.0, -5.0, f64::INFINITY, f64::NAN] {
        assert!(matches!(
            validate_feature(&camera(Some(0.0), Some(range))),
            Err(Invalid::Range { .. })
        ));
    }
}

#[test]
fn ids_and_names_are_checked() {
    let mut f = camera(None, None);
    f.id = String::new();
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::EmptyId { field: "id".into() })
    );
    f.id = "a\nb".into();
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::IdControl {
            field: "id".into(),
            position: 1
        })
    );
    f.id = "网".repeat(MAX_ID_CHARS); // 384 bytes, but 128 characters
    assert_eq!(validate_feature(&f), Ok(()));
    f.id.push('格');
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::IdTooLong {
            field: "id".into(),
            chars: 129
        })
    );
    f.id = "ok".into();
    f.name = "名".repeat(MAX_NAME_CHARS + 1);
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::NameTooLong { chars: 201 })
    );
    f.name = "ok".into();
    f.people = vec!["p1".into(), "\u{7}".into()];
    assert!(
        matches!(validate_feature(&f), Err(Invalid::IdControl { field, .. }) if field == "people[1]")
    );
}

#[test]
fn parent_ids_are_checked() {
    let mut f = grid(&SQUARE, &[]);
    let Attributes::Grid { parent, .. } = &mut f.attributes else {
        unreachable!()
    };
    *parent = Some(String::new());
    assert_eq!(
        validate_feature(&f),
        Err(Invalid::EmptyId {
            field: "parent".into()
        })
    );
}

#[test]
fn people_are_checked() {
    let mut p = Person {
        id: "p1".into(),
        name: "王小明".into(),
        role: Role::GridWorker,
        phone: "13800000000".into(),
        version: 0,
    };
    assert_eq!(validate_person(&p), Ok(()));
    p.id = "x".repeat(MAX_ID_CHARS + 1);
    assert!(matches!(
        validate_person(&p),
        Err(Invalid::IdTooLong { .. })
    ));
    p.id = "p1".into();
    p.name = "x".repeat(MAX_NAME_CHARS + 1);
    assert!(matches!(
        validate_person(&p),
        Err(Invalid::NameTooLong { .. })
    ));
}

#[test]
fn normalise_makes_exteriors_counter_clockwise_and_holes_clockwise() {
    let clockwise: Vec<_> = SQUARE.iter().rev().copied().collect();
    let counter_clockwise_hole: Vec<_> = INNER.iter().rev().copied().collect();
    let mut f = grid(&clockwise, &[&counter_clockwise_hole]);
    normalise(&mut f);
    assert_eq!(f, grid(&SQUARE, &[&INNER]));
    let before = f.clone();
    normalise(&mut f);
    assert_eq!(f, before, "normalising twice changes nothing");
}

/// A regular polygon of `n` vertices around (120, 30), about 1 km across.
fn circle(n: usize) -> Feature {
    let step = std::f64::consts::TAU / n as f64;
    let mut points: Vec<(f64, f64)> = (0..n)
        .map(|i| {
            (
                120.0 + 0.01 * (i as f64 * step).cos(),
                30.0 + 0.01 * (i as f64 * step).sin(),
            )
        })
        .collect();
    points.push(points[0]);
    grid(&points, &[])
}

#[test]
fn large_rings_check_quickly() {
    let f = circle(100_000);
    let start = std::time::Instant::now();
    assert_eq!(validate_feature(&f), Ok(()));
    // Comparing every pair of edges would take minutes; the sweep keeps this well under.
    assert!(start.elapsed().as_secs_f64() < 5.0, "{:?}", start.elapsed());
}
