//! Every polygon in the tiles over a whole city is valid. MVT 2.1 (§4.3.4.4) asks for rings
//! without self-intersection or self-tangency, exteriors clockwise on screen followed by the
//! holes inside them: OGC simple-feature validity. The demo city is the real workload, with
//! thousands of grids sharing edges, and every tile's buffer edge cutting hundreds of them.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod common;

use std::time::{Duration, Instant};

use common::{decode, polygons};
use geo::Validation;
use geo_types::{LineString, MultiPolygon, Polygon};
use onemap_demo::{generate, DemoConfig};
use onemap_index::{Layer, Shape};
use onemap_tiles::{tiles_covering, TileFeature, TileId, TileLayer, Tiler, TilerOptions};

/// A tiler over the polygon layers of the default demo city; feature `k` of a layer has id
/// `k + 1`. Cameras are left out: points cannot be invalid.
fn demo_tiler() -> Tiler {
    let city = generate(&DemoConfig::default());
    let layers = [Layer::Grid, Layer::Beat, Layer::Station]
        .into_iter()
        .map(|layer| TileLayer {
            name: layer.to_string(),
            features: city
                .layer(layer)
                .enumerate()
                .filter_map(|(k, f)| match &f.shape {
                    Shape::Area(area) => Some(TileFeature {
                        id: k as u64 + 1,
                        geometry: area.clone().into(),
                        properties: vec![],
                        min_zoom: f.min_zoom(),
                    }),
                    Shape::Point(_) => None,
                })
                .collect(),
        })
        .collect();
    Tiler::new(layers, TilerOptions::default())
}

/// Every tile over the city at z9–z12, where one tile's buffer edge cuts through hundreds of
/// polygons, and an even sample of about 150 tiles at each of z13–z16 (full detail from z15).
fn sample_tiles(bounds: [f64; 4]) -> Vec<TileId> {
    (9..=16)
        .flat_map(|z| {
            let all: Vec<TileId> = tiles_covering(bounds, z).collect();
            let step = if z <= 12 { 1 } else { all.len() / 150 + 1 };
            all.into_iter().step_by(step)
        })
        .collect()
}

/// The tiles of `tiles` that hold polygons, rendered, and the time of the fastest of three
/// passes over all of them: printed to show what validity costs, not asserted, as the machine
/// may be busy.
fn render_all(tiler: &Tiler, tiles: &[TileId]) -> (Vec<(TileId, Vec<u8>)>, Duration) {
    let pass = || {
        let started = Instant::now();
        let rendered: Vec<(TileId, Vec<u8>)> = tiles
            .iter()
            .filter_map(|&t| {
                tiler
                    .render(&["grid", "beat", "station"], t)
                    .map(|b| (t, b))
            })
            .collect();
        (rendered, started.elapsed())
    };
    let (rendered, first) = pass();
    let fastest = (0..2).map(|_| pass().1).fold(first, Duration::min);
    (rendered, fastest)
}

/// A decoded polygon (exterior, then holes; open rings in tile units) as a `geo` polygon.
fn to_geo(rings: &[Vec<[i64; 2]>]) -> Polygon<f64> {
    let line = |ring: &Vec<[i64; 2]>| {
        LineString::from(
            ring.iter()
                .map(|p| (p[0] as f64, p[1] as f64))
                .collect::<Vec<_>>(),
        )
    };
    Polygon::new(line(&rings[0]), rings[1..].iter().map(line).collect())
}

/// Counts over the checked tiles, and the first few faults found.
#[derive(Default)]
struct Tally {
    features: usize,
    polygons: usize,
    invalid_polygons: usize,
    /// Features whose polygons are each valid but overlap or touch along a line.
    invalid_features: usize,
    faults: Vec<String>,
}

impl Tally {
    /// Checks every polygon feature of one tile. `polygons` (the shared decoder) asserts that
    /// every ring is closed, without repeated points and with area, and that each polygon
    /// starts with an exterior of positive area (clockwise on screen) followed by holes of
    /// negative area: the MVT winding. `geo` then checks the OGC rules: simple rings, holes
    /// inside their exterior, rings touching only at points.
    fn check(&mut self, tile: TileId, bytes: &[u8]) {
        for layer in decode(bytes) {
            for f in &layer.features {
                self.features += 1;
                let parts: Vec<Polygon<f64>> =
                    polygons(&f.geometry).iter().map(|p| to_geo(p)).collect();
                let mut each_valid = true;
                for polygon in &parts {
                    self.polygons += 1;
                    if let Err(why) = polygon.check_validation() {
                        each_valid = false;
                        self.invalid_polygons += 1;
                        self.fault(tile, &layer.name, f.id, why.to_string());
                    }
                }
                if each_valid {
                    if let Err(why) = MultiPolygon(parts).check_validation() {
                        self.invalid_features += 1;
                        self.fault(tile, &layer.name, f.id, why.to_string());
                    }
                }
            }
        }
    }

    fn fault(&mut self, tile: TileId, layer: &str, id: u64, why: String) {
        if self.faults.len() < 20 {
            self.faults.push(format!("{tile} {layer} #{id}: {why}"));
        }
    }
}

#[test]
fn every_polygon_in_the_tiles_over_the_demo_city_is_valid() {
    let started = Instant::now();
    let tiler = demo_tiler();
    let prepared = started.elapsed();
    let tiles = sample_tiles(tiler.bounds());
    let (rendered, render_time) = render_all(&tiler, &tiles);
    let mut tally = Tally::default();
    for (tile, bytes) in &rendered {
        tally.check(*tile, bytes);
    }
    println!(
        "{} tiles ({} with polygons) rendered in {render_time:?} after {prepared:?} preparing: \
         {} features, {} polygons, {} invalid polygons, {} features with overlapping parts",
        tiles.len(),
        rendered.len(),
        tally.features,
        tally.polygons,
        tally.invalid_polygons,
        tally.invalid_features
    );
    assert!(tally.polygons > 5_000, "the sample is large enough");
    assert!(
        tally.invalid_polygons + tally.invalid_features == 0,
        "{} of {} polygons invalid, {} features with overlapping parts; the first:\n  {}",
        tally.invalid_polygons,
        tally.polygons,
        tally.invalid_features,
        tally.faults.join("\n  ")
    );
}
