//! Intersection areas against geo's boolean operations and against partition sums.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod support;

use geo::{Area, BooleanOps, Coord, LineString, Polygon};
use onemap_index::overlap::{intersection_area, Region};
use proptest::prelude::*;
use support::{blocks, lattice};

fn region(ring: &[[f64; 2]]) -> Region {
    Region::from_polygons(&[vec![ring.to_vec()]])
}

fn polygon(ring: &[[f64; 2]]) -> Polygon<f64> {
    Polygon::new(
        LineString(ring.iter().map(|p| Coord { x: p[0], y: p[1] }).collect()),
        vec![],
    )
}

/// A star-shaped ring around `(cx, cy)` with `n` random radii: simple, often concave.
fn star(cx: f64, cy: f64, radii: &[f64], turn: f64) -> Vec<[f64; 2]> {
    let n = radii.len();
    let mut ring: Vec<[f64; 2]> = radii
        .iter()
        .enumerate()
        .map(|(k, r)| {
            let a = turn + k as f64 * std::f64::consts::TAU / n as f64;
            [cx + r * a.cos(), cy + r * a.sin()]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn matches_geo_boolean_ops(
        ra in prop::collection::vec(0.5f64..2.0, 3..24),
        rb in prop::collection::vec(0.5f64..2.0, 3..24),
        dx in -2.5f64..2.5, dy in -2.5f64..2.5, turn in 0.0f64..6.3,
    ) {
        let a = star(0.0, 0.0, &ra, 0.0);
        let b = star(dx, dy, &rb, turn);
        let want = polygon(&a).intersection(&polygon(&b)).unsigned_area();
        let got = intersection_area(&region(&a), &region(&b));
        prop_assert!((got - want).abs() <= 1e-6 * (1.0 + want), "got {got} want {want}");
    }
}

/// Grids and beats drawn on the same lattice share edges; each grid's shares of the beats sum
/// to the grid's area exactly, and no grid overlaps its neighbours.
#[test]
fn partition_sums_with_shared_edges() {
    for seed in 0..8 {
        let lat = lattice(24, 1000.0, seed);
        let grids = blocks(&lat, 2, 0);
        let beats = blocks(&lat, 5, 3);
        let beat_regions: Vec<Region> = beats.iter().map(|b| region(b)).collect();
        let grid_regions: Vec<Region> = grids.iter().map(|g| region(g)).collect();
        for g in &grid_regions {
            let sum: f64 = beat_regions.iter().map(|b| intersection_area(g, b)).sum();
            assert!(
                (sum - g.area).abs() < 1e-6 * g.area,
                "seed {seed}: {sum} vs {}",
                g.area
            );
            let with_neighbours: f64 = grid_regions
                .iter()
                .filter(|o| *o != g)
                .map(|o| intersection_area(g, o))
                .sum();
            assert!(
                with_neighbours.abs() < 1e-6,
                "grids overlap by {with_neighbours}"
            );
            assert!(
                (intersection_area(g, g) - g.area).abs() < 1e-6 * g.area,
                "self intersection"
            );
        }
    }
}

/// Holes take their area out of an intersection.
#[test]
fn holes_count() {
    let outer = vec![
        vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]],
        vec![[1.0, 1.0], [3.0, 1.0], [3.0, 3.0], [1.0, 3.0], [1.0, 1.0]],
    ];
    let donut = Region::from_polygons(&[outer]);
    assert!((donut.area - 12.0).abs() < 1e-12);
    let square = region(&[[0.0, 0.0], [2.0, 0.0], [2.0, 2.0], [0.0, 2.0], [0.0, 0.0]]);
    assert!((intersection_area(&donut, &square) - 3.0).abs() < 1e-12);
    let inside_hole = region(&[[1.5, 1.5], [2.5, 1.5], [2.5, 2.5], [1.5, 2.5], [1.5, 1.5]]);
    assert_eq!(intersection_area(&donut, &inside_hole), 0.0);
}

/// Grids and beats along the same streets but with different vertices: edges that overlap in
/// part, on one line. Each grid's shares still sum to its area and neighbours never overlap.
#[test]
fn collinear_boundaries_with_different_vertices() {
    let square = |x0: f64, y0: f64, s: f64| {
        region(&[
            [x0, y0],
            [x0 + s, y0],
            [x0 + s, y0 + s],
            [x0, y0 + s],
            [x0, y0],
        ])
    };
    // An n × n block of squares of side `side`, far from the origin like projected metres.
    let block = |n: usize, side: f64| -> Vec<Region> {
        let origin = [13_500_000.0, 3_300_000.0];
        (0..n * n)
            .map(|k| {
                square(
                    origin[0] + side * (k / n) as f64,
                    origin[1] + side * (k % n) as f64,
                    side,
                )
            })
            .collect()
    };
    let grids = block(6, 200.0);
    let beats = block(4, 300.0);
    for g in &grids {
        let sum: f64 = beats.iter().map(|b| intersection_area(g, b)).sum();
        assert!((sum - g.area).abs() < 1e-9 * g.area, "{sum} vs {}", g.area);
        let apart: f64 = grids
            .iter()
            .filter(|o| *o != g)
            .map(|o| intersection_area(g, o))
            .sum();
        assert!(apart.abs() < 1e-6, "neighbouring grids overlap by {apart}");
    }
}
