//! The tile part of `onemap bench`: cold renders, warm HTTP serving and PostGIS `ST_AsMVT` on
//! the same tiles.

use crate::{report, timed, BenchServer};
use onemap_index::Snapshot;
use onemap_server::tilesource::build_tiler;
use onemap_tiles::{tiles_covering, TileId};
use std::io::{BufRead, BufReader, Read, Write};
use std::time::{Duration, Instant};

/// The tiles measured: every z12 and z14 tile over the city.
pub struct TileSet {
    pub zooms: Vec<(u8, Vec<TileId>, Duration)>,
}

/// Renders every tile of z12 and z14 with no cache, one core, and finds the heaviest tile of
/// z0–z14.
pub fn cold(s: &Snapshot) -> TileSet {
    let (tiler, took) = timed(|| build_tiler(s));
    report("tile source built (all layers, all bands)", took, "");
    let mut zooms = Vec::new();
    for z in [12u8, 14] {
        let ids: Vec<TileId> = tiles_covering(s.bounds(), z).collect();
        let (bytes, took) = timed(|| {
            ids.iter()
                .map(|t| tiler.render(&[], *t).map_or(0, |b| b.len()))
                .sum::<usize>()
        });
        println!(
            "{:<44} {:>12.0} tiles/s  ({} tiles, {:.2} ms each, {:.1} KB average)",
            format!("cold tiles z{z} (render, no cache)"),
            ids.len() as f64 / took.as_secs_f64(),
            ids.len(),
            took.as_secs_f64() * 1e3 / ids.len() as f64,
            bytes as f64 / 1024.0 / ids.len() as f64
        );
        zooms.push((z, ids, took));
    }
    let mut heaviest = (TileId::new(0, 0, 0).expect("z0"), 0usize, Duration::ZERO);
    for z in 0..=14 {
        for t in tiles_covering(s.bounds(), z) {
            let (bytes, took) = timed(|| tiler.render(&[], t).map_or(0, |b| b.len()));
            if bytes > heaviest.1 {
                heaviest = (t, bytes, took);
            }
        }
    }
    report(
        &format!("heaviest tile z0–z14 ({})", heaviest.0),
        heaviest.2,
        &format!("{:.0} KB", heaviest.1 as f64 / 1024.0),
    );
    TileSet { zooms }
}

/// Cached tiles served over HTTP by one server core to four keep-alive connections.
pub fn warm(server: &BenchServer, tiles: &TileSet) -> anyhow::Result<()> {
    let paths: Vec<String> = tiles
        .zooms
        .iter()
        .flat_map(|(_, ids, _)| {
            ids.iter()
                .map(|t| format!("/tiles/{}/{}/{}.mvt", t.z, t.x, t.y))
        })
        .collect();
    // Warm the cache.
    fetch_all(server.addr, &paths, 1)?;
    let rounds = 4;
    let start = Instant::now();
    let done = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..4)
            .map(|_| scope.spawn(|| fetch_all(server.addr, &paths, rounds)))
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("client thread"))
            .sum::<anyhow::Result<usize>>()
    })?;
    println!(
        "{:<44} {:>12.0} tiles/s  (server on 1 worker thread, 4 pipelined keep-alive clients)",
        "warm tiles over HTTP (z12 + z14, cached)",
        done as f64 / start.elapsed().as_secs_f64()
    );
    Ok(())
}

/// Requests every path `rounds` times over one keep-alive connection, pipelining a window
/// of requests per write as load generators do; returns the count.
fn fetch_all(addr: std::net::SocketAddr, paths: &[String], rounds: usize) -> anyhow::Result<usize> {
    const WINDOW: usize = 32;
    let stream = std::net::TcpStream::connect(addr)?;
    stream.set_nodelay(true)?;
    let mut reader = BufReader::with_capacity(1 << 20, stream.try_clone()?);
    let mut writer = stream;
    let mut count = 0;
    let all: Vec<&String> = (0..rounds).flat_map(|_| paths.iter()).collect();
    let mut request = String::new();
    for window in all.chunks(WINDOW) {
        request.clear();
        for path in window {
            request.push_str(&format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\n\r\n"));
        }
        writer.write_all(request.as_bytes())?;
        for _ in window {
            read_response(&mut reader)?;
            count += 1;
        }
    }
    Ok(count)
}

/// Reads one response (status line, headers, `Content-Length` body).
fn read_response(reader: &mut impl BufRead) -> anyhow::Result<()> {
    let mut line = String::new();
    let mut length = 0usize;
    reader.read_line(&mut line)?;
    anyhow::ensure!(
        line.starts_with("HTTP/1.1 200") || line.starts_with("HTTP/1.1 204"),
        "tile request failed: {line}"
    );
    loop {
        line.clear();
        reader.read_line(&mut line)?;
        if line == "\r\n" || line.is_empty() {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse()?;
        }
    }
    std::io::copy(
        &mut reader.by_ref().take(length as u64),
        &mut std::io::sink(),
    )?;
    Ok(())
}

/// The same tiles from PostGIS `ST_AsMVT`, with the same layers and zoom rules.
pub fn postgis(client: &mut postgres::Client, schema: &str, tiles: &TileSet) -> anyhow::Result<()> {
    let sql = format!(
        "WITH e AS (SELECT ST_TileEnvelope($1, $2, $3) AS env, ST_Transform(ST_TileEnvelope($1, $2, $3), 4326) AS box)
         SELECT
          (SELECT ST_AsMVT(q, 'grid', 4096, 'geom') FROM (SELECT id, level, ST_AsMVTGeom(ST_Transform(g.geom, 3857), e.env, 4096, 64, true) AS geom
             FROM {schema}.grid g, e WHERE g.geom && e.box AND (g.level <= 1 OR ($1 >= 10 AND g.level = 2) OR ($1 >= 12 AND g.level >= 3))) q)
          || (SELECT ST_AsMVT(q, 'beat', 4096, 'geom') FROM (SELECT id, ST_AsMVTGeom(ST_Transform(b.geom, 3857), e.env, 4096, 64, true) AS geom
             FROM {schema}.beat b, e WHERE b.geom && e.box AND $1 >= 9) q)
          || (SELECT ST_AsMVT(q, 'station', 4096, 'geom') FROM (SELECT id, ST_AsMVTGeom(ST_Transform(s.geom, 3857), e.env, 4096, 64, true) AS geom
             FROM {schema}.station s, e WHERE s.geom && e.box) q)
          || (SELECT ST_AsMVT(q, 'camera', 4096, 'geom') FROM (SELECT id, ST_AsMVTGeom(ST_Transform(c.geom, 3857), e.env, 4096, 64, true) AS geom
             FROM {schema}.camera c, e WHERE c.geom && e.box AND $1 >= 13) q)
         FROM e"
    );
    let statement = client.prepare(&sql)?;
    for (z, ids, ours) in &tiles.zooms {
        let start = Instant::now();
        let mut bytes = 0usize;
        for t in ids {
            let row =
                client.query_one(&statement, &[&(*z as i32), &(t.x as i32), &(t.y as i32)])?;
            bytes += row.get::<_, Option<Vec<u8>>>(0).map_or(0, |b| b.len());
        }
        let took = start.elapsed();
        println!(
            "{:<44} {:>12.0} tiles/s  ({:.2} ms each, {:.1} KB average); onemap cold is {:.0}× faster",
            format!("PostGIS ST_AsMVT z{z}"),
            ids.len() as f64 / took.as_secs_f64(),
            took.as_secs_f64() * 1e3 / ids.len() as f64,
            bytes as f64 / 1024.0 / ids.len() as f64,
            took.as_secs_f64() / ours.as_secs_f64()
        );
    }
    Ok(())
}
