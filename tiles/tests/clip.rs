//! Clipping: the pieces a polygon is cut into, one per tile, add up to the whole polygon.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod common;

use common::{decode, geometry_twice_area, quantised};
use geo_types::{LineString, Polygon};
use onemap_tiles::{tiles_covering, TileFeature, TileLayer, Tiler, TilerOptions};

/// A concave star with a hole, spanning several tiles at z15.
fn star() -> Polygon<f64> {
    let (cx, cy) = (121.42, 28.65);
    let ring = |r_in: f64, r_out: f64, n: usize, phase: f64| {
        LineString::from(
            (0..2 * n)
                .map(|k| {
                    let r = if k % 2 == 0 { r_out } else { r_in };
                    let a = phase + std::f64::consts::PI * k as f64 / n as f64;
                    (cx + r * a.cos(), cy + r * a.sin())
                })
                .collect::<Vec<_>>(),
        )
    };
    Polygon::new(ring(0.02, 0.05, 9, 0.1), vec![ring(0.001, 0.002, 5, 0.3)])
}

/// The polygon's rings quantised to the tile grid of zoom `z`, open.
fn quantised_rings(polygon: &Polygon<f64>, z: u8) -> Vec<Vec<[i64; 2]>> {
    std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .map(|line| {
            let mut pts: Vec<[i64; 2]> = line.coords().map(|c| quantised(*c, z)).collect();
            pts.pop();
            pts
        })
        .collect()
}

/// Twice the polygon's area in tile units, and how far clipping may honestly move it: a cut
/// point is rounded to the grid, which moves the cut edge by up to half a unit, changing twice
/// the area by up to half the edge's length per tile edge it crosses.
fn twice_area_and_slack(polygon: &Polygon<f64>, z: u8) -> (i64, i64) {
    let rings = quantised_rings(polygon, z);
    let area = rings.iter().enumerate().map(|(k, r)| {
        let a = common::twice_area(r).abs();
        if k == 0 {
            a
        } else {
            -a
        }
    });
    let mut slack = 0.0;
    for r in &rings {
        for (k, a) in r.iter().enumerate() {
            let b = r[(k + 1) % r.len()];
            let crossings = (a[0].div_euclid(4096) - b[0].div_euclid(4096)).abs()
                + (a[1].div_euclid(4096) - b[1].div_euclid(4096)).abs();
            let len = (((a[0] - b[0]).pow(2) + (a[1] - b[1]).pow(2)) as f64).sqrt();
            slack += crossings as f64 * len / 2.0;
        }
    }
    (area.sum(), slack.ceil() as i64)
}

#[test]
fn pieces_over_all_tiles_add_up_to_the_polygon() {
    let polygon = star();
    let tiler = Tiler::new(
        vec![TileLayer {
            name: "star".into(),
            features: vec![TileFeature {
                id: 1,
                geometry: polygon.clone().into(),
                properties: vec![],
                min_zoom: 0,
            }],
        }],
        // No buffer, so pieces do not overlap; no simplification, so only clipping is tested.
        TilerOptions {
            buffer: 0,
            bands: vec![],
            tolerance: 0.0,
        },
    );
    for z in [13, 15, 16] {
        let bbox = [121.36, 28.59, 121.48, 28.71];
        let mut sum = 0;
        let mut tiles = 0;
        let mut full_tiles = 0;
        for tile in tiles_covering(bbox, z) {
            let Some(bytes) = tiler.render(&["star"], tile) else {
                continue;
            };
            let layers = decode(&bytes);
            let piece = geometry_twice_area(&layers[0].features[0].geometry);
            assert!(piece > 0);
            full_tiles += usize::from(piece == 2 * 4096 * 4096);
            sum += piece;
            tiles += 1;
        }
        let (expected, slack) = twice_area_and_slack(&polygon, z);
        // A missing or doubled piece would be off by far more than the rounding of cut points
        // (plus a unit for each tile corner a piece may be cut at twice).
        assert!(
            (sum - expected).abs() <= slack + 4 * tiles as i64,
            "z{z}: pieces {sum} vs polygon {expected} (slack {slack}) over {tiles} tiles"
        );
        assert!(slack < expected / 1000, "z{z}: the test is sharp");
        assert!(tiles > 4, "z{z}: the polygon spans several tiles");
        if z == 16 {
            assert!(full_tiles > 0, "some tile lies wholly inside the star");
        }
    }
}
