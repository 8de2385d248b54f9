//! The cell index against a brute-force scan of every polygon with the same exact rule.

mod support;

use onemap_index::cells::{CellIndex, NONE};
use onemap_index::crossing::contains;
use proptest::prelude::*;
use support::{blocks, lattice, mesh, ring_edges};

/// The first polygon (priority order) containing the point, by scanning them all.
fn brute(rings: &[Vec<[f64; 2]>], x: f64, y: f64) -> u32 {
    rings
        .iter()
        .position(|r| contains(&ring_edges(r), x, y))
        .map_or(NONE, |i| i as u32)
}

fn check_points(seed: u64, n: usize, grid_block: usize, beat_block: usize, points: &[[f64; 2]]) {
    let lat = lattice(n, 10.0, seed);
    let grids = blocks(&lat, grid_block, 0);
    let beats = blocks(&lat, beat_block, beat_block / 2);
    let index = CellIndex::<2>::build([mesh(&grids), mesh(&beats)]);
    for p in points {
        let want = [brute(&grids, p[0], p[1]), brute(&beats, p[0], p[1])];
        assert_eq!(index.locate(p[0], p[1]), want, "point {p:?} seed {seed}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_points_match_brute_force(seed in 0u64..1000, n in 4usize..30, gb in 1usize..5, bb in 2usize..7,
        pts in prop::collection::vec((-1.0f64..11.0, -1.0f64..11.0), 400)) {
        let points: Vec<[f64; 2]> = pts.into_iter().map(|(x, y)| [x, y]).collect();
        check_points(seed, n, gb, bb, &points);
    }

    #[test]
    fn vertices_and_edge_points_match_brute_force(seed in 0u64..1000, n in 4usize..20, gb in 1usize..4, bb in 2usize..6) {
        let lat = lattice(n, 10.0, seed);
        let mut points = Vec::new();
        for row in &lat {
            for w in row.windows(2) {
                points.push(w[0]);
                points.push([(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]);
            }
        }
        check_points(seed, n, gb, bb, &points);
    }
}

/// On a shared edge the east neighbour wins; on an east–west edge the north one.
#[test]
fn shared_edges_follow_the_documented_rule() {
    let square = |x0: f64, y0: f64| {
        vec![
            [x0, y0],
            [x0 + 1.0, y0],
            [x0 + 1.0, y0 + 1.0],
            [x0, y0 + 1.0],
            [x0, y0],
        ]
    };
    let rings = vec![
        square(0.0, 0.0),
        square(1.0, 0.0),
        square(0.0, 1.0),
        square(1.0, 1.0),
    ];
    let index = CellIndex::<1>::build([mesh(&rings)]);
    assert_eq!(index.locate(1.0, 0.5), [1], "west/east edge goes east");
    assert_eq!(index.locate(0.5, 1.0), [2], "south/north edge goes north");
    assert_eq!(index.locate(1.0, 1.0), [3], "a corner goes north-east");
    assert_eq!(
        index.locate(0.0, 0.5),
        [0],
        "the outline's west edge is inside"
    );
    assert_eq!(
        index.locate(2.0, 0.5),
        [NONE],
        "the outline's east edge is outside"
    );
    assert_eq!(index.locate(f64::NAN, 0.5), [NONE]);
}

/// Where polygons overlap (a micro-grid inside a grid), the earlier one in the mesh wins.
#[test]
fn priority_decides_overlaps() {
    let outer = vec![[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]];
    let inner = vec![[1.0, 1.0], [2.0, 1.0], [2.0, 2.0], [1.0, 2.0], [1.0, 1.0]];
    let index = CellIndex::<1>::build([mesh(&[inner.clone(), outer.clone()])]);
    assert_eq!(index.locate(1.5, 1.5), [0]);
    assert_eq!(index.locate(3.0, 3.0), [1]);
    let reversed = CellIndex::<1>::build([mesh(&[outer, inner])]);
    assert_eq!(reversed.locate(1.5, 1.5), [0]);
}

/// Holes are not inside.
#[test]
fn holes_are_outside() {
    let mut edges = ring_edges(&[[0.0, 0.0], [4.0, 0.0], [4.0, 4.0], [0.0, 4.0], [0.0, 0.0]]);
    edges.extend(ring_edges(&[
        [1.0, 1.0],
        [1.0, 3.0],
        [3.0, 3.0],
        [3.0, 1.0],
        [1.0, 1.0],
    ]));
    let index = CellIndex::<1>::build([vec![onemap_index::cells::MeshPolygon::new(edges)]]);
    assert_eq!(index.locate(2.0, 2.0), [NONE]);
    assert_eq!(index.locate(0.5, 2.0), [0]);
}
