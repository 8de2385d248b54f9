//! The cell index against a brute-force scan of every polygon with the same exact rule.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

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

/// The polygons of `rings` whose bbox meets `area`, in order, with their positions.
fn meeting(rings: &[Vec<[f64; 2]>], area: [f64; 4]) -> (Vec<Vec<[f64; 2]>>, Vec<u32>) {
    rings
        .iter()
        .enumerate()
        .filter(|(_, r)| {
            let b = bbox(r);
            b[0] <= area[2] && area[0] <= b[2] && b[1] <= area[3] && area[1] <= b[3]
        })
        .map(|(i, r)| (r.clone(), i as u32))
        .unzip()
}

fn bbox(ring: &[[f64; 2]]) -> [f64; 4] {
    ring.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        |b, p| {
            [
                b[0].min(p[0]),
                b[1].min(p[1]),
                b[2].max(p[0]),
                b[3].max(p[1]),
            ]
        },
    )
}

/// The box around the rings that differ between `before` and `after` (same length).
fn changed_box(before: &[Vec<[f64; 2]>], after: &[Vec<[f64; 2]>]) -> Option<[f64; 4]> {
    before
        .iter()
        .zip(after)
        .filter(|(a, b)| a != b)
        .flat_map(|(a, b)| [bbox(a), bbox(b)])
        .reduce(|a, b| {
            [
                a[0].min(b[0]),
                a[1].min(b[1]),
                a[2].max(b[2]),
                a[3].max(b[3]),
            ]
        })
}

/// `index` with the region where `before` and `after` differ rebuilt from `after`.
fn rebuilt(
    index: &CellIndex<2>,
    before: [&[Vec<[f64; 2]>]; 2],
    after: [&[Vec<[f64; 2]>]; 2],
) -> CellIndex<2> {
    let area = [
        changed_box(before[0], after[0]),
        changed_box(before[1], after[1]),
    ]
    .into_iter()
    .flatten()
    .reduce(|a, b| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    })
    .expect("something changed");
    let range = index
        .range_of(area)
        .expect("the edit stays inside the index");
    let (grids, grid_labels) = meeting(after[0], range.bbox);
    let (beats, beat_labels) = meeting(after[1], range.bbox);
    index.rebuilt_in(
        &range,
        [mesh(&grids), mesh(&beats)],
        [&grid_labels, &beat_labels],
    )
}

/// The lattice with interior vertex `(i, j)` moved by `(dx, dy)` lattice steps.
fn moved(lat: &[Vec<[f64; 2]>], i: usize, j: usize, dx: f64, dy: f64) -> Vec<Vec<[f64; 2]>> {
    let step = 10.0 / (lat.len() - 1) as f64;
    let mut out = lat.to_vec();
    out[j][i][0] += dx * step;
    out[j][i][1] += dy * step;
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, failure_persistence: None, ..ProptestConfig::default() })]

    /// An index patched after two successive edits answers exactly as brute force does on
    /// the edited meshes, inside the patched regions and out, on vertices and on edges; and
    /// so does the same index compacted.
    #[test]
    fn patched_regions_match_brute_force(seed in 0u64..1000, n in 6usize..24, gb in 1usize..4, bb in 2usize..6,
        edits in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0, -0.45f64..0.45, -0.45f64..0.45), 2),
        pts in prop::collection::vec((-1.0f64..11.0, -1.0f64..11.0), 300)) {
        let mut lat = lattice(n, 10.0, seed);
        let meshes = |lat: &[Vec<[f64; 2]>]| (blocks(lat, gb, 0), blocks(lat, bb, bb / 2));
        let (mut grids, mut beats) = meshes(&lat);
        let mut index = CellIndex::<2>::build([mesh(&grids), mesh(&beats)]);
        for (fx, fy, dx, dy) in edits {
            let (i, j) = (1 + (fx * (n - 1) as f64) as usize % (n - 1), 1 + (fy * (n - 1) as f64) as usize % (n - 1));
            lat = moved(&lat, i, j, dx, dy);
            let (new_grids, new_beats) = meshes(&lat);
            if new_grids == grids && new_beats == beats {
                continue;
            }
            index = rebuilt(&index, [&grids, &beats], [&new_grids, &new_beats]);
            (grids, beats) = (new_grids, new_beats);
        }
        let mut points: Vec<[f64; 2]> = pts.into_iter().map(|(x, y)| [x, y]).collect();
        for row in &lat {
            for w in row.windows(2) {
                points.push(w[0]);
                points.push([(w[0][0] + w[1][0]) / 2.0, (w[0][1] + w[1][1]) / 2.0]);
            }
        }
        for p in &points {
            let want = [brute(&grids, p[0], p[1]), brute(&beats, p[0], p[1])];
            prop_assert_eq!(index.locate(p[0], p[1]), want, "point {:?}", p);
        }
        let mut many = Vec::new();
        index.locate_many(&points, &mut many);
        let one_by_one: Vec<[u32; 2]> = points.iter().map(|p| index.locate(p[0], p[1])).collect();
        prop_assert_eq!(&many, &one_by_one);
        // Folding the patches in changes no answer.
        let compacted = index.compacted();
        prop_assert_eq!(compacted.patches().0, 0);
        let folded: Vec<[u32; 2]> = points.iter().map(|p| compacted.locate(p[0], p[1])).collect();
        prop_assert_eq!(folded, one_by_one);
    }
}

/// An edit reaching outside the index cannot be patched: the caller builds anew.
#[test]
fn an_edit_outside_the_index_asks_for_a_whole_build() {
    let lat = lattice(8, 10.0, 3);
    let index = CellIndex::<1>::build([mesh(&blocks(&lat, 2, 0))]);
    assert!(index.range_of([9.0, 9.0, 10.5, 9.5]).is_none());
    assert!(index.range_of([f64::NAN, 0.0, 1.0, 1.0]).is_none());
    assert!(index.range_of([4.0, 4.0, 5.0, 5.0]).is_some());
}
