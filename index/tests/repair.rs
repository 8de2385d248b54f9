//! Repair against its promise: the result is valid (`geo`'s `Validation`, the OGC rules) and
//! keeps exactly the input's even-odd interior, which is what PostGIS's `ST_MakeValid` keeps.
//! The even-odd area is measured here independently, by slabs between every vertex and
//! crossing height.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use geo::{Area, BoundingRect, Validation};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use onemap_index::metric::EqualArea;
use onemap_index::validate::{FixKind, Repair, Repaired};
use proptest::prelude::*;

/// Taizhou-ish origin: rings are drawn in units of 2⁻¹⁰° (about 100 m) from here. Both are
/// binary fractions, so lattice points stay exact and collinear ones exactly collinear.
const ORIGIN: (f64, f64) = (121.375, 28.625);
const UNIT: f64 = 1.0 / 1024.0;

fn ring(points: &[(f64, f64)]) -> LineString<f64> {
    let mut coords: Vec<Coord<f64>> = points
        .iter()
        .map(|&(x, y)| Coord {
            x: ORIGIN.0 + x * UNIT,
            y: ORIGIN.1 + y * UNIT,
        })
        .collect();
    coords.extend(coords.first().copied());
    LineString(coords)
}

fn polygon(exterior: &[(f64, f64)], holes: &[&[(f64, f64)]]) -> Polygon<f64> {
    Polygon::new(ring(exterior), holes.iter().map(|h| ring(h)).collect())
}

/// The area (in square degrees) inside an odd number of the rings of `area`.
fn even_odd_area(area: &MultiPolygon<f64>) -> f64 {
    let edges: Vec<(Coord<f64>, Coord<f64>)> = area
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines().map(|l| (l.start, l.end)))
        .filter(|(a, b)| a.y != b.y)
        .collect();
    let mut heights: Vec<f64> = edges.iter().flat_map(|(a, b)| [a.y, b.y]).collect();
    for (i, e) in edges.iter().enumerate() {
        for f in &edges[i + 1..] {
            heights.extend(crossing_height(*e, *f));
        }
    }
    heights.sort_by(f64::total_cmp);
    heights.dedup();
    heights
        .windows(2)
        .map(|w| {
            let mid = (w[0] + w[1]) / 2.0;
            let mut xs: Vec<f64> = edges
                .iter()
                .filter(|(a, b)| a.y.min(b.y) < mid && mid < a.y.max(b.y))
                .map(|(a, b)| a.x + (b.x - a.x) * (mid - a.y) / (b.y - a.y))
                .collect();
            xs.sort_by(f64::total_cmp);
            let width: f64 = xs.chunks(2).map(|p| p[1] - p[0]).sum();
            width * (w[1] - w[0])
        })
        .sum()
}

/// The height where two segments cross inside both, if they do.
fn crossing_height(
    (p, q): (Coord<f64>, Coord<f64>),
    (r, s): (Coord<f64>, Coord<f64>),
) -> Option<f64> {
    let (d, e) = (q - p, s - r);
    let denominator = d.x * e.y - d.y * e.x;
    if denominator == 0.0 {
        return None;
    }
    let w = r - p;
    let t = (w.x * e.y - w.y * e.x) / denominator;
    let u = (w.x * d.y - w.y * d.x) / denominator;
    ((0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u)).then_some(p.y + d.y * t)
}

/// Repairs `input` and checks the promise; returns the repair for case-specific checks.
fn repaired(input: MultiPolygon<f64>) -> Repaired {
    let repaired = input.repair();
    let errors = repaired.area.validation_errors();
    assert!(errors.is_empty(), "{errors:?} in {:?}", repaired.area);
    let (want, got) = (even_odd_area(&input), repaired.area.unsigned_area());
    // Relative to the area, or to the bounding box's when little is left: where a ring
    // pinches at a crossing, the crossing keeps i_overlay's rounding (a billionth of the box).
    let scale = want.max(
        input
            .bounding_rect()
            .map_or(0.0, |b| b.width() * b.height()),
    );
    assert!(
        (got - want).abs() <= 1e-9 * scale,
        "area {got} but the even-odd interior has {want}: {:?}",
        repaired.area
    );
    repaired
}

fn kinds(r: &Repaired) -> Vec<FixKind> {
    r.fixes.iter().map(|f| f.kind).collect()
}

#[test]
fn a_bow_tie_becomes_two_triangles() {
    let bow_tie = polygon(&[(0.0, 0.0), (4.0, 4.0), (4.0, 0.0), (0.0, 4.0)], &[]);
    let r = repaired(MultiPolygon(vec![bow_tie]));
    assert_eq!(r.area.0.len(), 2);
    assert_eq!(kinds(&r), [FixKind::SelfIntersection]);
    let [lng, lat] = r.fixes[0].at;
    assert!(
        (lng - (ORIGIN.0 + 2.0 * UNIT)).abs() < 1e-9
            && (lat - (ORIGIN.1 + 2.0 * UNIT)).abs() < 1e-9
    );
    // Drawn, the two triangles cancel; repaired, both count.
    let whole = EqualArea::at_latitude(ORIGIN.1).area(&r.area);
    assert!(
        (r.fixes[0].area_change_m2 - whole).abs() < 1e-6,
        "{:?}",
        r.fixes
    );
}

#[test]
fn a_spike_is_removed_and_every_other_vertex_kept() {
    let square = [(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)];
    let spiked = polygon(
        &[
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (2.0, 4.0),
            (2.0, 6.0),
            (2.0, 4.0),
            (0.0, 4.0),
        ],
        &[],
    );
    let r = repaired(MultiPolygon(vec![spiked]));
    assert_eq!(kinds(&r), [FixKind::Spike]);
    assert_eq!(r.fixes[0].area_change_m2, 0.0);
    let expected = polygon(
        &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (2.0, 4.0), (0.0, 4.0)],
        &[],
    );
    assert_eq!(
        r.area,
        MultiPolygon(vec![expected]),
        "a square {square:?} with its top vertex"
    );
}

#[test]
fn repeated_vertices_are_dropped() {
    let repeated = polygon(
        &[
            (0.0, 0.0),
            (0.0, 0.0),
            (4.0, 0.0),
            (4.0, 4.0),
            (4.0, 4.0),
            (4.0, 4.0),
            (0.0, 4.0),
        ],
        &[],
    );
    let r = repaired(MultiPolygon(vec![repeated]));
    assert_eq!(kinds(&r), [FixKind::RepeatedVertex; 3]);
    assert_eq!(r.area.0[0].exterior().0.len(), 5);
}

#[test]
fn reversed_rings_are_turned_round() {
    let reversed = polygon(
        &[(0.0, 0.0), (0.0, 4.0), (4.0, 4.0), (4.0, 0.0)],
        &[&[(1.0, 1.0), (2.0, 1.0), (2.0, 2.0), (1.0, 2.0)]],
    );
    let r = repaired(MultiPolygon(vec![reversed]));
    assert_eq!(kinds(&r), [FixKind::Orientation; 2]);
}

#[test]
fn a_valid_area_needs_no_fix() {
    let fine = polygon(
        &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)],
        &[&[(1.0, 1.0), (1.0, 2.0), (2.0, 2.0), (2.0, 1.0)]],
    );
    let input = MultiPolygon(vec![fine]);
    let r = repaired(input.clone());
    assert!(r.fixes.is_empty(), "{:?}", r.fixes);
    assert_eq!(r.area, input);
}

#[test]
fn a_hole_touching_the_shell_is_kept_as_ogc_allows() {
    let touching = polygon(
        &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)],
        &[&[(0.0, 0.0), (1.0, 2.0), (2.0, 1.0)]],
    );
    let r = repaired(MultiPolygon(vec![touching]));
    assert_eq!(kinds(&r), [FixKind::MisplacedHole]);
    assert!(r.fixes[0].area_change_m2.abs() < 1e-6, "{:?}", r.fixes);
}

#[test]
fn a_hole_along_the_shell_becomes_a_notch() {
    let along = polygon(
        &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)],
        &[&[(0.0, 0.0), (1.0, 1.0), (2.0, 0.0)]],
    );
    let r = repaired(MultiPolygon(vec![along]));
    assert_eq!(r.area.0.len(), 1);
    assert!(r.area.0[0].interiors().is_empty(), "{:?}", r.area);
}

#[test]
fn a_hole_outside_its_shell_becomes_a_part() {
    let outside = polygon(
        &[(0.0, 0.0), (4.0, 0.0), (4.0, 4.0), (0.0, 4.0)],
        &[&[(5.0, 5.0), (6.0, 5.0), (6.0, 6.0)]],
    );
    let r = repaired(MultiPolygon(vec![outside]));
    assert_eq!(r.area.0.len(), 2);
    assert_eq!(kinds(&r), [FixKind::MisplacedHole]);
}

#[test]
fn overlapping_parts_cancel_where_they_overlap() {
    let a = polygon(&[(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)], &[]);
    let b = polygon(&[(1.0, 1.0), (3.0, 1.0), (3.0, 3.0), (1.0, 3.0)], &[]);
    let r = repaired(MultiPolygon(vec![a, b]));
    assert_eq!(kinds(&r), [FixKind::OverlappingParts]);
    assert!(
        r.fixes[0].area_change_m2 < 0.0,
        "the overlap is lost twice over"
    );
}

#[test]
fn parts_sharing_an_edge_are_merged() {
    let a = polygon(&[(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)], &[]);
    let b = polygon(&[(2.0, 0.0), (4.0, 0.0), (4.0, 2.0), (2.0, 2.0)], &[]);
    let r = repaired(MultiPolygon(vec![a, b]));
    assert_eq!(r.area.0.len(), 1);
    assert_eq!(kinds(&r), [FixKind::OverlappingParts]);
}

#[test]
fn a_ring_with_no_area_is_dropped_and_reported() {
    let flat = polygon(&[(0.0, 0.0), (2.0, 0.0), (4.0, 0.0)], &[]);
    let square = polygon(&[(5.0, 0.0), (6.0, 0.0), (6.0, 1.0), (5.0, 1.0)], &[]);
    let r = repaired(MultiPolygon(vec![flat, square.clone()]));
    assert_eq!(
        kinds(&r),
        [FixKind::Spike, FixKind::NoArea],
        "a flat ring folds back at its end"
    );
    assert_eq!(r.area, MultiPolygon(vec![square]));
}

#[test]
fn holes_whose_exterior_has_no_area_become_parts() {
    let flat_with_hole = polygon(
        &[(0.0, 0.0), (8.0, 0.0), (4.0, 0.0)],
        &[&[(1.0, 1.0), (2.0, 1.0), (2.0, 2.0)]],
    );
    let r = repaired(MultiPolygon(vec![flat_with_hole]));
    assert_eq!(r.area.0.len(), 1);
    assert_eq!(
        kinds(&r),
        [FixKind::Spike, FixKind::NoArea, FixKind::MisplacedHole]
    );
}

/// A ring of `n` random vertices in a 10 × 10 box: mostly self-intersecting.
fn random_ring() -> impl Strategy<Value = Vec<(f64, f64)>> {
    prop::collection::vec((0.0..10.0f64, 0.0..10.0f64), 4..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_rings_become_valid_and_keep_their_even_odd_interior(ring in random_ring()) {
        repaired(MultiPolygon(vec![polygon(&ring, &[])]));
    }

    #[test]
    fn random_rings_with_a_random_hole_too(exterior in random_ring(), hole in random_ring()) {
        repaired(MultiPolygon(vec![polygon(&exterior, &[&hole])]));
    }

    #[test]
    fn random_parts_too(a in random_ring(), b in random_ring()) {
        repaired(MultiPolygon(vec![polygon(&a, &[]), polygon(&b, &[])]));
    }

    /// Coordinates on a coarse lattice meet often: shared vertices, collinear edges, spikes.
    #[test]
    fn lattice_rings_too(ring in prop::collection::vec((0..4u8, 0..4u8), 4..10)) {
        let ring: Vec<(f64, f64)> = ring.iter().map(|&(x, y)| (x as f64, y as f64)).collect();
        repaired(MultiPolygon(vec![polygon(&ring, &[])]));
    }
}
