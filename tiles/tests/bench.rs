//! Timings on a city-sized coverage; run with
//! `cargo test --release -p onemap-tiles --test bench -- --ignored --nocapture`.

mod common;

use std::time::Instant;

use common::{grid_layer, lattice, lattice_bbox};
use onemap_tiles::{tiles_covering, Tiler, TilerOptions};

#[test]
#[ignore = "a measurement, not a check: run on demand in release"]
fn city_of_8100_grids() {
    // 90 × 90 cells of 1.1 km (about 100 km square), 12 vertices per inner edge: 48 per grid.
    let (n, cell) = (90, 1100.0);
    let cells = lattice(n, n, cell, 11, 2024);
    let vertices: usize = cells.iter().map(|p| p.exterior().0.len() - 1).sum();
    let layers = vec![grid_layer("grid", &cells, 0)];
    // The best of three builds: the machine may be busy with other work.
    let (build, tiler) = (0..3)
        .map(|_| {
            let start = Instant::now();
            let tiler = Tiler::new(layers.clone(), TilerOptions::default());
            (start.elapsed(), tiler)
        })
        .min_by_key(|(took, _)| *took)
        .unwrap();
    println!(
        "Tiler::new: {} grids, {} vertices: {:.0} ms",
        cells.len(),
        vertices,
        build.as_secs_f64() * 1e3
    );
    let bbox = lattice_bbox(n, n, cell);
    for z in [8, 10, 12, 14, 16] {
        let tiles: Vec<_> = tiles_covering(bbox, z).collect();
        let rounds = (2000 / tiles.len()).max(1);
        let (mut rendered, mut bytes, mut slowest) = (0, 0, 0.0f64);
        let start = Instant::now();
        for _ in 0..rounds {
            for &t in &tiles {
                let t0 = Instant::now();
                if let Some(tile) = tiler.render(&[], t) {
                    rendered += 1;
                    bytes += tile.len();
                }
                slowest = slowest.max(t0.elapsed().as_secs_f64());
            }
        }
        let per_tile = start.elapsed().as_secs_f64() / (rounds * tiles.len()) as f64;
        println!(
            "z{z}: {} tiles, {:.1} µs per tile on average, slowest {:.1} µs, {:.1} KB per tile",
            tiles.len(),
            per_tile * 1e6,
            slowest * 1e6,
            bytes as f64 / rendered.max(1) as f64 / 1024.0
        );
    }
}
