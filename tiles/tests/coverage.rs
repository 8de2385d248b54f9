//! Generalisation without cracks: neighbours stay edge to edge at every zoom, in the simplified
//! geometry and in the quantised tiles, and small polygons do not collapse.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod common;

use std::collections::{HashMap, HashSet};

use common::{
    decode, grid_layer, lattice, lattice_bbox, polygon_lnglat, polygons, quantised, twice_area,
};
use geo::{Area, BooleanOps};
use geo_types::{coord, Coord, LineString, MultiPolygon, Polygon};
use onemap_tiles::{
    simplify_coverage, tiles_covering, TileFeature, TileId, TileLayer, Tiler, TilerOptions,
};

const NX: usize = 12;
const NY: usize = 10;
const CELL: f64 = 100.0;
const WIDTH: f64 = NX as f64 * CELL;
const HEIGHT: f64 = NY as f64 * CELL;

fn bits(c: Coord<f64>) -> [u64; 2] {
    [c.x.to_bits(), c.y.to_bits()]
}

fn rings(mp: &MultiPolygon<f64>) -> impl Iterator<Item = &LineString<f64>> {
    mp.0.iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
}

/// Directed edges of all rings that do not lie on the lattice's straight outline, each of
/// which must be matched by the same edge, reversed, in exactly one other polygon; returns
/// how many are not.
fn unmatched_edges(polygons: &[MultiPolygon<f64>]) -> usize {
    let on_outline = |a: Coord<f64>, b: Coord<f64>| {
        (a.x == b.x && (a.x == 0.0 || a.x == WIDTH))
            || (a.y == b.y && (a.y == 0.0 || a.y == HEIGHT))
    };
    let mut edges: HashMap<([u64; 2], [u64; 2]), usize> = HashMap::new();
    for (k, mp) in polygons.iter().enumerate() {
        for ring in rings(mp) {
            for line in ring.lines().filter(|l| !on_outline(l.start, l.end)) {
                assert!(
                    edges
                        .insert((bits(line.start), bits(line.end)), k)
                        .is_none(),
                    "edge repeated"
                );
            }
        }
    }
    edges
        .iter()
        .filter(|((a, b), k)| edges.get(&(*b, *a)).is_none_or(|other| other == *k))
        .count()
}

fn coverage() -> Vec<MultiPolygon<f64>> {
    lattice(NX, NY, CELL, 20, 42)
        .into_iter()
        .map(|p| MultiPolygon(vec![p]))
        .collect()
}

fn vertex_count(polygons: &[MultiPolygon<f64>]) -> usize {
    polygons.iter().flat_map(rings).map(|r| r.0.len() - 1).sum()
}

#[test]
fn simplified_coverages_have_no_gaps_and_no_overlaps() {
    let input = coverage();
    let originals: HashSet<[u64; 2]> = input
        .iter()
        .flat_map(rings)
        .flat_map(|r| r.coords().map(|c| bits(*c)))
        .collect();
    assert_eq!(unmatched_edges(&input), 0, "the input is a clean coverage");
    let total = WIDTH * HEIGHT;
    for tolerance in [0.5, 2.0, 5.0, 10.0, 25.0] {
        let out = simplify_coverage(&input, tolerance);
        assert_eq!(out.len(), input.len());
        for (k, mp) in out.iter().enumerate() {
            assert_eq!(
                mp.0.len(),
                1,
                "cell {k} at {tolerance}: one polygon, not collapsed"
            );
            assert!(
                mp.unsigned_area() > 0.25 * CELL * CELL,
                "cell {k} at {tolerance} kept its size"
            );
        }
        // Wiggles of up to 6 units: from a tolerance of 5 most vertices go.
        let kept = vertex_count(&out) as f64 / vertex_count(&input) as f64;
        assert!(
            kept < if tolerance >= 5.0 { 0.5 } else { 0.9 },
            "tolerance {tolerance} kept {kept}"
        );
        // Douglas–Peucker keeps original vertices only, bit for bit.
        assert!(out
            .iter()
            .flat_map(rings)
            .flat_map(|r| r.coords())
            .all(|c| originals.contains(&bits(*c))));
        // Every edge is shared with exactly one neighbour, reversed: no cracks.
        assert_eq!(unmatched_edges(&out), 0, "tolerance {tolerance}");
        // The areas add up to the outline's: no overlaps, no gaps.
        let sum: f64 = out.iter().map(|mp| mp.unsigned_area()).sum();
        assert!(
            (sum - total).abs() < 1e-9 * total,
            "tolerance {tolerance}: {sum} vs {total}"
        );
        // And the union, computed independently, is the outline. (Its floating-point overlay
        // leaves specks of 1e-5 square units even on the input; a crack would be far bigger.)
        let union = out
            .iter()
            .skip(1)
            .fold(out[0].clone(), |acc, mp| acc.union(mp));
        assert_eq!(union.0.len(), 1, "tolerance {tolerance}");
        let specks: f64 = union.0[0]
            .interiors()
            .iter()
            .map(|h| Polygon::new(h.clone(), vec![]).unsigned_area())
            .sum();
        assert!(
            specks < 1e-6 * total,
            "tolerance {tolerance}: holes of {specks} in the union"
        );
        assert!((union.unsigned_area() - total).abs() < 1e-6 * total);
    }
}

#[test]
fn simplifying_polygons_one_by_one_would_crack_and_the_check_sees_it() {
    let input = coverage();
    let one_by_one: Vec<MultiPolygon<f64>> = input
        .iter()
        .map(|mp| simplify_coverage(std::slice::from_ref(mp), 5.0).remove(0))
        .collect();
    assert!(unmatched_edges(&one_by_one) > 100);
}

/// A 100 × 100 square and a thin lens on its right side: the lens's two arcs run between the
/// same two nodes and are both within `bulge` of their chord.
fn square_and_lens(bulge: f64) -> Vec<MultiPolygon<f64>> {
    let mut square = vec![coord! { x: 0.0, y: 0.0 }, coord! { x: 100.0, y: 0.0 }];
    let mut lens_outer = Vec::new();
    for k in 0..=10 {
        let t = k as f64 / 10.0;
        square.push(coord! { x: 100.0, y: 20.0 + 60.0 * t }); // the shared, straight arc
        lens_outer.push(
            coord! { x: 100.0 + bulge * (std::f64::consts::PI * t).sin(), y: 20.0 + 60.0 * t },
        );
    }
    square.extend([coord! { x: 100.0, y: 100.0 }, coord! { x: 0.0, y: 100.0 }]);
    let mut lens: Vec<Coord<f64>> = square[2..13].iter().rev().copied().collect();
    lens.extend(&lens_outer[1..10]);
    vec![
        MultiPolygon(vec![Polygon::new(LineString(square), vec![])]),
        MultiPolygon(vec![Polygon::new(LineString(lens), vec![])]),
    ]
}

#[test]
fn thin_polygons_keep_their_shape_where_simplification_would_flatten_them() {
    let input = square_and_lens(4.0);
    let lens_area = input[1].unsigned_area();
    // At tolerance 5 both arcs of the lens would become its chord, leaving no area.
    let out = simplify_coverage(&input, 5.0);
    assert_eq!(out[1].0.len(), 1, "the lens survives");
    assert!(
        (out[1].unsigned_area() - lens_area).abs() < 1e-9 * lens_area,
        "its arcs are restored"
    );
    // The square got the restored shared arc too, so they still fit.
    let sum = out[0].unsigned_area() + out[1].unsigned_area();
    assert!((sum - 100.0 * 100.0 - lens_area).abs() < 1e-6);
    // An island ring behaves the same: a circle of radius 3 at tolerance 5.
    let circle: Vec<Coord<f64>> = (0..24)
        .map(|k| {
            let a = std::f64::consts::TAU * k as f64 / 24.0;
            coord! { x: 3.0 * a.cos(), y: 3.0 * a.sin() }
        })
        .collect();
    let island = MultiPolygon(vec![Polygon::new(LineString(circle), vec![])]);
    let out = simplify_coverage(std::slice::from_ref(&island), 5.0);
    assert!((out[0].unsigned_area() - island.unsigned_area()).abs() < 1e-9);
}

/// The tile's own coordinates of a lng/lat point.
fn local(c: Coord<f64>, tile: TileId) -> [i64; 2] {
    let [x, y] = quantised(c, tile.z);
    [x - 4096 * i64::from(tile.x), y - 4096 * i64::from(tile.y)]
}

#[test]
fn tiles_have_no_cracks_after_quantisation() {
    const N: usize = 40;
    const SIZE: f64 = 400.0;
    let cells = lattice(N, N, SIZE, 12, 5);
    let tiler = Tiler::new(vec![grid_layer("grid", &cells, 0)], TilerOptions::default());
    let bbox = lattice_bbox(N, N, SIZE);
    let sw = coord! { x: bbox[0], y: bbox[1] };
    let ne = coord! { x: bbox[2], y: bbox[3] };
    for z in [9, 11, 12, 13, 14, 16] {
        let mut full_tiles = 0;
        for tile in tiles_covering(bbox, z).step_by(if z >= 14 { 3 } else { 1 }) {
            let Some(bytes) = tiler.render(&["grid"], tile) else {
                continue;
            };
            let layer = &decode(&bytes)[0];
            // Lines where an edge may legitimately have no partner: the clip square and the
            // coverage's outline, which is a rectangle in Web-Mercator too.
            let [ox0, oy1] = local(sw, tile);
            let [ox1, oy0] = local(ne, tile);
            let on_border = |a: [i64; 2], b: [i64; 2]| {
                let same = |axis: usize, v: i64| a[axis] == v && b[axis] == v;
                same(0, -64)
                    || same(0, 4160)
                    || same(1, -64)
                    || same(1, 4160)
                    || same(0, ox0)
                    || same(0, ox1)
                    || same(1, oy0)
                    || same(1, oy1)
            };
            let mut edges: HashMap<([i64; 2], [i64; 2]), u64> = HashMap::new();
            let mut area = 0;
            for f in &layer.features {
                for ring in polygons(&f.geometry).iter().flatten() {
                    area += twice_area(ring);
                    for k in 0..ring.len() {
                        let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
                        if !on_border(a, b) {
                            edges.insert((a, b), f.id);
                        }
                    }
                }
            }
            let unmatched: Vec<_> = edges
                .iter()
                .filter(|((a, b), id)| edges.get(&(*b, *a)).is_none_or(|o| o == *id))
                .collect();
            assert!(
                unmatched.is_empty(),
                "{tile}: {} unmatched edges, e.g. {:?}",
                unmatched.len(),
                &unmatched[..unmatched.len().min(3)]
            );
            // A tile wholly inside the coverage is covered exactly once.
            if ox0 < -64 && ox1 > 4160 && oy0 < -64 && oy1 > 4160 {
                assert_eq!(area, 2 * 4224 * 4224, "{tile}");
                full_tiles += 1;
            }
        }
        if z >= 12 {
            assert!(full_tiles > 0, "z{z}: some tile lies inside the coverage");
        }
    }
}

#[test]
fn a_thin_grid_is_still_drawn_where_simplification_would_flatten_it() {
    // The square and lens in metres near Taizhou; at z14 a tile unit is about half a metre,
    // and with a tolerance of 8 units the lens (4 m thick) would flatten to its chord.
    let scaled = |mp: &MultiPolygon<f64>| {
        let p = geo::MapCoords::map_coords(&mp.0[0], |c| coord! { x: c.x * 3.0, y: c.y * 3.0 });
        MultiPolygon(vec![polygon_lnglat(&p)])
    };
    let shapes = square_and_lens(4.0 / 3.0);
    let features = shapes
        .iter()
        .enumerate()
        .map(|(k, mp)| TileFeature {
            id: k as u64 + 1,
            geometry: scaled(mp).into(),
            properties: vec![],
            min_zoom: 0,
        })
        .collect();
    let options = TilerOptions {
        tolerance: 8.0,
        bands: vec![14],
        ..TilerOptions::default()
    };
    let tiler = Tiler::new(
        vec![TileLayer {
            name: "grid".into(),
            features,
        }],
        options,
    );
    let lens = scaled(&shapes[1]);
    let centre = lens.0[0].exterior().0[5];
    let tile = tiles_covering([centre.x, centre.y, centre.x, centre.y], 14)
        .next()
        .unwrap();
    let layers = decode(&tiler.render(&["grid"], tile).unwrap());
    let drawn = layers[0]
        .features
        .iter()
        .find(|f| f.id == 2)
        .expect("the lens is drawn");
    let drawn_area: i64 = polygons(&drawn.geometry)
        .iter()
        .flatten()
        .map(|r| twice_area(r))
        .sum();
    let ring: Vec<[i64; 2]> = lens.0[0]
        .exterior()
        .coords()
        .map(|c| local(*c, tile))
        .collect();
    let true_area = twice_area(&ring[..ring.len() - 1]).abs();
    assert!(
        drawn_area * 10 > true_area * 9,
        "drawn {drawn_area} of {true_area}"
    );
}

/// The outline of a lattice as one ring, made of the very points of the cells' outer edges.
fn outline(cells: &[Polygon<f64>]) -> Polygon<f64> {
    let edges: Vec<(Coord<f64>, Coord<f64>)> = cells
        .iter()
        .flat_map(|p| p.exterior().lines().map(|l| (l.start, l.end)))
        .collect();
    let inner: HashSet<([u64; 2], [u64; 2])> =
        edges.iter().map(|(a, b)| (bits(*a), bits(*b))).collect();
    let next: HashMap<[u64; 2], Coord<f64>> = edges
        .iter()
        .filter(|(a, b)| !inner.contains(&(bits(*b), bits(*a))))
        .map(|(a, b)| (bits(*a), *b))
        .collect();
    let start = *next.values().next().unwrap();
    let mut ring = vec![start];
    while let Some(&c) = next.get(&bits(*ring.last().unwrap())) {
        if bits(c) == bits(start) {
            break;
        }
        ring.push(c);
    }
    assert_eq!(ring.len(), next.len());
    Polygon::new(LineString(ring), vec![])
}

#[test]
fn levels_are_simplified_on_their_own_and_agree_where_they_meet() {
    const N: usize = 20;
    const SIZE: f64 = 400.0;
    let cells = lattice(N, N, SIZE, 8, 11);
    let mut layer = grid_layer("grid", &cells, 12);
    layer.features.push(TileFeature {
        id: 1000,
        geometry: MultiPolygon(vec![polygon_lnglat(&outline(&cells))]).into(),
        properties: vec![],
        min_zoom: 0,
    });
    let tiler = Tiler::new(vec![layer], TilerOptions::default());
    let bbox = lattice_bbox(N, N, SIZE);
    // Below z12 the township is alone: its straight sides lose the 8 · 20 vertices per side
    // that the grids along them have, keeping its corners and where tiles cut it.
    for tile in tiles_covering(bbox, 10) {
        let Some(bytes) = tiler.render(&["grid"], tile) else {
            continue;
        };
        let layer = &decode(&bytes)[0];
        assert_eq!(layer.ids(), [1000]);
        let vertices: usize = polygons(&layer.features[0].geometry)
            .iter()
            .flatten()
            .map(Vec::len)
            .sum();
        assert!(vertices <= 12, "{tile}: {vertices} vertices");
    }
    // From z12 the township's outline is made of the same arcs as the grids along it.
    for tile in tiles_covering(bbox, 14) {
        let Some(bytes) = tiler.render(&["grid"], tile) else {
            continue;
        };
        let layer = &decode(&bytes)[0];
        let mut grid_edges = HashSet::new();
        let mut township_edges = Vec::new();
        for f in &layer.features {
            for ring in polygons(&f.geometry).iter().flatten() {
                for k in 0..ring.len() {
                    let edge = (ring[k], ring[(k + 1) % ring.len()]);
                    let on_clip = |axis: usize| {
                        [-64, 4160]
                            .iter()
                            .any(|&v| edge.0[axis] == v && edge.1[axis] == v)
                    };
                    if on_clip(0) || on_clip(1) {
                        continue;
                    }
                    if f.id == 1000 {
                        township_edges.push(edge);
                    } else {
                        grid_edges.insert(edge);
                    }
                }
            }
        }
        for edge in township_edges {
            assert!(
                grid_edges.contains(&edge),
                "{tile}: township edge {edge:?} is no grid's edge"
            );
        }
    }
}

/// A tiler made from the previous one after an edit (labels of unchanged features carried
/// over) serves the very bytes a tiler made from scratch does, labels included, and labels
/// follow a reshaped feature.
#[test]
fn the_next_tiler_after_an_edit_matches_one_built_from_scratch() {
    let cells = lattice(NX, NY, CELL, 3, 11);
    let before = Tiler::new(vec![grid_layer("grid", &cells, 0)], TilerOptions::default());
    // Cell 17 moves its inner vertices; cell 40 is removed and a new feature takes its place.
    let mut edited = cells.clone();
    edited[17] = Polygon::new(
        LineString::from(vec![
            (250.0, 120.0),
            (320.0, 130.0),
            (310.0, 190.0),
            (240.0, 180.0),
        ]),
        vec![],
    );
    let mut layer = grid_layer("grid", &edited, 0);
    layer.features[40].id = 9_999;
    let fresh = Tiler::new(vec![layer.clone()], TilerOptions::default());
    let next = before.next(vec![layer], TilerOptions::default());
    let mut compared = 0;
    for z in [10, 12, 14, 16] {
        for tile in tiles_covering(lattice_bbox(NX, NY, CELL), z) {
            let (a, b) = (fresh.render(&[], tile), next.render(&[], tile));
            assert_eq!(a, b, "tile {tile:?}");
            compared += usize::from(a.is_some());
        }
    }
    assert!(compared > 10, "only {compared} tiles had data");
    let label_of = |tiler: &Tiler, id: u64| -> Option<[i64; 2]> {
        tiles_covering(lattice_bbox(NX, NY, CELL), 16)
            .filter_map(|t| tiler.render(&["grid_label"], t).map(|mvt| (t, mvt)))
            .flat_map(|(t, mvt)| {
                decode(&mvt)
                    .into_iter()
                    .flat_map(|l| l.features)
                    .filter(|f| f.id == id)
                    .map(move |f| {
                        let p = common::points(&f.geometry)[0];
                        [p[0] + 4096 * i64::from(t.x), p[1] + 4096 * i64::from(t.y)]
                    })
                    .collect::<Vec<_>>()
            })
            .next()
    };
    assert_ne!(
        label_of(&before, 18),
        label_of(&next, 18),
        "the reshaped cell's label moved"
    );
    assert_eq!(
        label_of(&before, 19),
        label_of(&next, 19),
        "a neighbour's label stayed"
    );
}
