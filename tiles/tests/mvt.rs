//! Tiles are valid MVT 2.1 and carry the right features, properties, labels and zooms.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod common;

use std::collections::{HashMap, HashSet};

use common::{decode, grid_layer, lattice, lattice_bbox, points, polygons, to_lnglat};
use geo_types::{coord, point, polygon, LineString, MultiPolygon, Polygon};
use onemap_tiles::{
    tiles_covering, PropValue, TileFeature, TileId, TileLayer, Tiler, TilerOptions,
};

const NX: usize = 12;
const NY: usize = 10;
const CELL: f64 = 500.0;

fn cameras() -> TileLayer {
    let features = (0..200)
        .map(|k| {
            let c = to_lnglat(
                coord! { x: (k % 20) as f64 * 300.0 + 17.0, y: (k / 20) as f64 * 500.0 + 31.0 },
            );
            TileFeature {
                id: 10_000 + k,
                geometry: point!(c).into(),
                properties: vec![
                    (
                        "kind".into(),
                        PropValue::from(if k % 2 == 0 { "dome" } else { "gun" }),
                    ),
                    ("heading".into(), PropValue::Float(k as f64 * 1.5)),
                    ("offset".into(), PropValue::Int(-(k as i64))),
                    ("online".into(), PropValue::Bool(k % 3 != 0)),
                    (
                        "kind".into(),
                        PropValue::from("a repeated key: the first value wins"),
                    ),
                ],
                min_zoom: 13,
            }
        })
        .collect();
    TileLayer {
        name: "camera".into(),
        features,
    }
}

/// A township with a hole (an enclave) and a second part, over the lattice.
fn townships() -> TileLayer {
    let square = |x0: f64, y0: f64, size: f64| {
        LineString::from(vec![
            (x0, y0),
            (x0 + size, y0),
            (x0 + size, y0 + size),
            (x0, y0 + size),
            (x0, y0),
        ])
    };
    let with_hole = Polygon::new(
        square(200.0, 200.0, 3000.0),
        vec![square(1000.0, 1000.0, 800.0)],
    );
    let island = Polygon::new(square(4000.0, 3000.0, 900.0), vec![]);
    let area = MultiPolygon(vec![with_hole, island]);
    TileLayer {
        name: "township".into(),
        features: vec![TileFeature {
            id: 1,
            geometry: geo::MapCoords::map_coords(&area, to_lnglat).into(),
            properties: vec![("name".into(), PropValue::from("城关镇"))],
            min_zoom: 0,
        }],
    }
}

fn tiler() -> Tiler {
    let cells = lattice(NX, NY, CELL, 8, 7);
    Tiler::new(
        vec![townships(), grid_layer("grid", &cells, 12), cameras()],
        TilerOptions::default(),
    )
}

fn render_all(tiler: &Tiler, z: u8) -> Vec<(TileId, Vec<common::Layer>)> {
    tiles_covering(lattice_bbox(NX, NY, CELL), z)
        .filter_map(|t| tiler.render(&[], t).map(|bytes| (t, decode(&bytes))))
        .collect()
}

#[test]
fn every_tile_is_valid_at_every_zoom() {
    let tiler = tiler();
    for z in [0, 5, 9, 11, 12, 13, 14, 15, 17] {
        // `decode` asserts the spec: rings, winding, ids, tags, deduplicated tables.
        let tiles = render_all(&tiler, z);
        assert!(!tiles.is_empty(), "z{z}");
    }
}

#[test]
fn layers_and_bounds_are_reported() {
    let tiler = tiler();
    assert_eq!(
        tiler.layer_names(),
        ["township", "township_label", "grid", "grid_label", "camera"]
    );
    let b = tiler.bounds();
    let expected = lattice_bbox(NX, NY, CELL);
    for k in 0..4 {
        assert!((b[k] - expected[k]).abs() < 1e-9, "{b:?} vs {expected:?}");
    }
}

#[test]
fn features_appear_from_their_min_zoom() {
    let tiler = tiler();
    let layers_at = |z| {
        render_all(&tiler, z)
            .iter()
            .flat_map(|(_, layers)| layers.iter().map(|l| l.name.clone()))
            .collect::<HashSet<_>>()
    };
    let names = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<HashSet<_>>();
    assert_eq!(layers_at(11), names(&["township", "township_label"]));
    assert_eq!(
        layers_at(12),
        names(&["township", "township_label", "grid", "grid_label"])
    );
    assert_eq!(
        layers_at(13),
        names(&["township", "township_label", "grid", "grid_label", "camera"])
    );
}

#[test]
fn every_feature_is_drawn_and_every_label_and_camera_appears_exactly_once() {
    let tiler = tiler();
    for z in [12, 14, 16] {
        let mut grid_ids = HashSet::new();
        let mut labels: HashMap<String, Vec<u64>> = HashMap::new();
        for (_, layers) in render_all(&tiler, z) {
            for layer in layers {
                if layer.name == "grid" {
                    grid_ids.extend(layer.ids());
                } else if layer.name.ends_with("_label") || layer.name == "camera" {
                    for f in &layer.features {
                        for p in points(&f.geometry) {
                            assert!(
                                (0..=4096).contains(&p[0]) && (0..=4096).contains(&p[1]),
                                "{p:?}"
                            );
                        }
                    }
                    labels
                        .entry(layer.name.clone())
                        .or_default()
                        .extend(layer.ids());
                }
            }
        }
        assert_eq!(grid_ids, (1..=(NX * NY) as u64).collect(), "z{z}");
        let mut grid_labels = labels["grid_label"].clone();
        grid_labels.sort_unstable();
        assert_eq!(
            grid_labels,
            (1..=(NX * NY) as u64).collect::<Vec<_>>(),
            "z{z}"
        );
        assert_eq!(labels["township_label"], [1], "z{z}");
        let mut cameras = labels.get("camera").cloned().unwrap_or_default();
        cameras.sort_unstable();
        let expected: Vec<u64> = if z >= 13 {
            (10_000..10_200).collect()
        } else {
            vec![]
        };
        assert_eq!(cameras, expected, "z{z}");
    }
}

#[test]
fn labels_lie_inside_their_polygons() {
    // At z16 a grid spans hundreds of tile units: find each label's tile, and check the label
    // is inside the grid drawn in that same tile.
    let tiler = tiler();
    let mut checked = 0;
    for (_, layers) in render_all(&tiler, 16) {
        let Some(labels) = layers.iter().find(|l| l.name == "grid_label") else {
            continue;
        };
        let grid = layers
            .iter()
            .find(|l| l.name == "grid")
            .expect("a label comes with its grid");
        for label in &labels.features {
            let p = points(&label.geometry)[0];
            let shape = grid
                .features
                .iter()
                .find(|f| f.id == label.id)
                .expect("the labelled grid is in the tile");
            let inside = polygons(&shape.geometry).iter().any(|rings| {
                rings
                    .iter()
                    .filter(|ring| winding_contains(ring, p))
                    .count()
                    % 2
                    == 1
            });
            assert!(inside, "label of grid {} at {p:?} is outside it", label.id);
            checked += 1;
        }
    }
    assert_eq!(checked, NX * NY);
}

fn winding_contains(ring: &[[i64; 2]], p: [i64; 2]) -> bool {
    let (x, y) = (p[0] as f64 + 0.25, p[1] as f64 + 0.25);
    let mut inside = false;
    for k in 0..ring.len() {
        let (a, b) = (ring[k], ring[(k + 1) % ring.len()]);
        let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
        if (ay > y) != (by > y) && x < (bx - ax) * (y - ay) / (by - ay) + ax {
            inside = !inside;
        }
    }
    inside
}

#[test]
fn properties_round_trip_and_repeated_keys_keep_the_first_value() {
    let tiler = tiler();
    let mut seen = 0;
    for (_, layers) in render_all(&tiler, 14) {
        for layer in layers.iter().filter(|l| l.name == "camera") {
            for f in &layer.features {
                let k = (f.id - 10_000) as i64;
                let props = layer.properties(f);
                assert_eq!(
                    props,
                    vec![
                        (
                            "kind".to_string(),
                            PropValue::from(if k % 2 == 0 { "dome" } else { "gun" })
                        ),
                        ("heading".to_string(), PropValue::Float(k as f64 * 1.5)),
                        ("offset".to_string(), PropValue::Int(-k)),
                        ("online".to_string(), PropValue::Bool(k % 3 != 0)),
                    ]
                );
                seen += 1;
            }
        }
        for layer in layers
            .iter()
            .filter(|l| l.name == "grid" || l.name == "grid_label")
        {
            for f in &layer.features {
                let props = layer.properties(f);
                assert_eq!(
                    props[0],
                    ("name".to_string(), PropValue::Str(format!("网格{}", f.id)))
                );
                assert_eq!(props[1], ("level".to_string(), PropValue::Int(3)));
            }
        }
    }
    assert_eq!(seen, 200);
}

#[test]
fn holes_and_parts_survive() {
    let tiler = tiler();
    // At z12 the whole township fits in one or a few tiles: look for a polygon with a hole.
    let mut holes = 0;
    let mut parts = 0;
    for (_, layers) in render_all(&tiler, 12) {
        for layer in layers.iter().filter(|l| l.name == "township") {
            for f in &layer.features {
                let polys = polygons(&f.geometry);
                parts += polys.len();
                holes += polys.iter().map(|p| p.len() - 1).sum::<usize>();
            }
        }
    }
    assert!(holes >= 1 && parts >= 2, "holes {holes}, parts {parts}");
}

#[test]
fn empty_and_filtered_tiles() {
    let tiler = tiler();
    let inside = tiles_covering(lattice_bbox(NX, NY, CELL), 14)
        .next()
        .unwrap();
    // Far away, or no tile at all: nothing.
    assert_eq!(tiler.render(&[], TileId::new(14, 0, 0).unwrap()), None);
    assert_eq!(tiler.render(&[], TileId { z: 60, ..inside }), None);
    assert_eq!(
        tiler.render(
            &[],
            TileId {
                x: 1 << 20,
                ..inside
            }
        ),
        None
    );
    // Unknown layer: nothing.
    assert_eq!(tiler.render(&["nope"], inside), None);
    // A filter keeps only what it names, in the tiler's order.
    let bytes = tiler.render(&["camera", "grid"], inside).unwrap();
    let names: Vec<_> = decode(&bytes).into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["grid", "camera"]);
    // The whole tile is the layers one after another.
    let all = tiler.render(&[], inside).unwrap();
    let grid = tiler.render(&["grid"], inside).unwrap();
    assert!(all.windows(grid.len()).any(|w| w == grid.as_slice()));
}

#[test]
fn points_in_the_buffer_are_left_to_their_own_tile() {
    let camera = |id: u64, lng: f64, lat: f64| TileFeature {
        id,
        geometry: point!(x: lng, y: lat).into(),
        properties: vec![],
        min_zoom: 0,
    };
    let tile = tiles_covering([121.3, 28.6, 121.3, 28.6], 14)
        .next()
        .unwrap();
    let [west, south, east, north] = onemap_tiles::tile_bbox_lnglat(tile);
    let eps = (east - west) * 1e-3;
    let tiler = Tiler::new(
        vec![TileLayer {
            name: "camera".into(),
            features: vec![
                camera(1, (west + east) / 2.0, (south + north) / 2.0),
                camera(2, east + eps, (south + north) / 2.0), // in the buffer, belongs to the next tile
                camera(3, west + eps, north - eps),
            ],
        }],
        TilerOptions::default(),
    );
    let layers = decode(&tiler.render(&[], tile).unwrap());
    assert_eq!(layers[0].ids(), [1, 3]);
    let next = TileId::new(tile.z, tile.x + 1, tile.y).unwrap();
    assert_eq!(decode(&tiler.render(&[], next).unwrap())[0].ids(), [2]);
}

#[test]
fn bad_coordinates_are_skipped_not_fatal() {
    let bad = polygon![(x: f64::NAN, y: 1.0), (x: 121.0, y: 28.0), (x: 121.01, y: 28.0), (x: 121.01, y: 28.01)];
    let tiler = Tiler::new(
        vec![TileLayer {
            name: "grid".into(),
            features: vec![
                TileFeature {
                    id: 1,
                    geometry: bad.into(),
                    properties: vec![],
                    min_zoom: 0,
                },
                TileFeature {
                    id: 2,
                    geometry: point!(x: f64::INFINITY, y: 0.0).into(),
                    properties: vec![],
                    min_zoom: 0,
                },
                TileFeature {
                    id: 3,
                    geometry: MultiPolygon(vec![]).into(),
                    properties: vec![],
                    min_zoom: 0,
                },
            ],
        }],
        TilerOptions::default(),
    );
    let tile = tiles_covering([121.005, 28.004, 121.005, 28.004], 15)
        .next()
        .unwrap();
    let layers = decode(&tiler.render(&[], tile).unwrap());
    assert_eq!(layers[0].ids(), [1]);
    assert_eq!(tiler.bounds(), [121.0, 28.0, 121.01, 28.01]);
}

#[test]
fn tilers_and_caches_can_be_shared_between_threads() {
    fn shareable<T: Send + Sync>() {}
    shareable::<Tiler>();
    shareable::<onemap_tiles::TileCache>();
}
