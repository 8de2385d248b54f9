//! `onemap bench`, writes: planners reshaping grids over HTTP at once, against the same edits
//! made by one planner at a time (what a server that commits writes one by one achieves
//! whatever the number of planners).

use crate::{request, BenchServer};
use anyhow::Context;
use onemap_data::geojson_io::feature_to_geojson;
use onemap_index::{Feature, Layer, Shape, Snapshot};
use std::time::{Duration, Instant};

/// The bench server's one token, for the writes.
pub const PLANNER_TOKENS: &str = "bench:planner:bench-planner-token";
const WRITES_EACH: usize = 24;

/// Writes per second and latencies with one planner, then four, each on grids of its own.
pub fn concurrent(server: &BenchServer, s: &Snapshot) -> anyhow::Result<()> {
    let grids: Vec<&Feature> = s
        .layer(Layer::Grid)
        .filter(|f| f.level() == Some(3))
        .step_by(97)
        .take(4 * WRITES_EACH)
        .collect();
    let mut versions: Vec<u64> = grids.iter().map(|g| g.version).collect();
    let mut alone = None;
    for planners in [1, 4] {
        let (latencies, took) = crate::timed(|| {
            std::thread::scope(|scope| {
                let runs: Vec<_> = versions
                    .chunks_mut(WRITES_EACH)
                    .zip(grids.chunks(WRITES_EACH))
                    .take(planners)
                    .map(|(versions, grids)| scope.spawn(|| reshape_each(server, grids, versions)))
                    .collect();
                runs.into_iter()
                    .map(|run| run.join().expect("a planner thread panicked"))
                    .collect::<anyhow::Result<Vec<Vec<Duration>>>>()
            })
        });
        let mut latencies: Vec<Duration> = latencies?.into_iter().flatten().collect();
        latencies.sort_unstable();
        let rate = latencies.len() as f64 / took.as_secs_f64();
        let median = latencies[latencies.len() / 2];
        let ratio = alone.map_or(String::new(), |one: f64| {
            format!(", {:.1}× one planner", rate / one)
        });
        println!(
            "{:<44} {:>12.1} writes/s  (median PUT {:.0} ms, slowest {:.0} ms{ratio})",
            format!("PUT grid reshapes, {planners} planner(s) at once"),
            rate,
            median.as_secs_f64() * 1e3,
            latencies[latencies.len() - 1].as_secs_f64() * 1e3,
        );
        alone.get_or_insert(rate);
    }
    Ok(())
}

/// One planner: reshapes each grid once, in turn; the latency of every PUT.
fn reshape_each(
    server: &BenchServer,
    grids: &[&Feature],
    versions: &mut [u64],
) -> anyhow::Result<Vec<Duration>> {
    grids
        .iter()
        .zip(versions)
        .map(|(grid, version)| {
            let body = serde_json::to_string(&feature_to_geojson(&reshaped(grid, *version)))?;
            let headers =
                format!("Authorization: Bearer bench-planner-token\r\nIf-Match: \"{version}\"\r\n");
            let path = format!("/v1/layers/grid/features/{}", grid.id);
            let start = Instant::now();
            let response = request(server.addr, "PUT", &path, &headers, &body)?;
            let took = start.elapsed();
            anyhow::ensure!(
                response.starts_with("HTTP/1.1 200"),
                "PUT {path} failed: {}",
                &response[..response.len().min(300)]
            );
            *version = etag(&response).context("a PUT answered without an ETag")?;
            Ok(took)
        })
        .collect()
}

/// The grid with one vertex pulled a little further inwards on every edit: a real reshape
/// that stays inside its parent and leaves its neighbours alone.
fn reshaped(grid: &Feature, version: u64) -> Feature {
    let mut grid = grid.clone();
    if let Shape::Area(area) = &mut grid.shape {
        area.0[0].exterior_mut(|ring| {
            let (a, b) = (ring.0[0], ring.0[2]);
            let t = 0.01 * (version % 50) as f64;
            let towards = geo_types::coord! { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
            ring.0[1] = ring.0[1] + (towards - ring.0[1]) * t;
        });
    }
    grid
}

fn etag(response: &str) -> Option<u64> {
    let line = response
        .lines()
        .find(|l| l.to_ascii_lowercase().starts_with("etag:"))?;
    line[5..].trim().trim_matches('"').parse().ok()
}
