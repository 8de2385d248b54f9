//! `onemap bench`: throughput on the demo city, and the same work by PostGIS in the same run.
//!
//! Every figure is measured here and now; nothing is asserted. A crate of its own, out of the
//! production crates: `onemap bench` calls [`run`]. Points are uniform over the
//! city's bounding box in random order, so caches help no more than real calls would.

pub mod events;
pub mod tiles;
pub mod writes;

use anyhow::Context;
use onemap_data::gpkg::GeoPackageStore;
use onemap_demo::{generate, DemoConfig};
use onemap_index::{City, Layer, Snapshot};
use onemap_server::cli::seed_store;
use onemap_server::config::Config;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::io::{Read, Write};
use std::time::{Duration, Instant};

#[derive(clap::Args, Debug)]
pub struct BenchArgs {
    /// Level-3 grids of the generated city (default: the Taizhou-sized demo).
    #[arg(long)]
    grids: Option<usize>,
    /// Random points for the in-process and HTTP locate runs.
    #[arg(long, default_value_t = 1_000_000)]
    points: usize,
    /// PostGIS to compare with (postgres://...); skipped when absent.
    #[arg(long, env = "DATABASE_URL")]
    database: Option<String>,
    /// Points sent to PostGIS (it is slow; a sample is enough for a rate).
    #[arg(long, default_value_t = 100_000)]
    postgis_points: usize,
    /// Skip the HTTP batch run.
    #[arg(long)]
    no_http: bool,
    /// Incidents for the leaders' figures (0 to skip them).
    #[arg(long, default_value_t = 1_000_000)]
    events: usize,
    /// A Python with `duckdb` and `duckdb-ext-spatial` for the DuckDB anchor
    /// [default: target/duckdb-venv/bin/python, which `make bench` makes].
    #[arg(long)]
    duckdb: Option<std::path::PathBuf>,
}

pub fn run(args: BenchArgs) -> anyhow::Result<()> {
    let config = args
        .grids
        .map_or_else(DemoConfig::default, DemoConfig::with_grids);
    let (city, took) = timed(|| generate(&config));
    report(
        "demo city generated",
        took,
        &format!(
            "{} features, {} people",
            city.features.len(),
            city.people.len()
        ),
    );
    let (snapshot, took) = timed(|| Snapshot::build(city.clone(), 1));
    report(
        "index built",
        took,
        &format!(
            "cell index {:.1} MB, {:.1}% of cells answer in one read",
            snapshot.index_bytes() as f64 / 1e6,
            snapshot.settled_share() * 100.0
        ),
    );
    let points = random_points(snapshot.bounds(), args.points, 7);
    let ours = locate_rate(&snapshot, &points);
    let (matrix, matrix_time) = timed(|| snapshot.full_matrix());
    report(
        "overlap matrix (grid × beat), full",
        matrix_time,
        &format!("{} grids, {} pairs", matrix.len(), matrix.entries().count()),
    );
    incremental(&snapshot);
    edits_applied(&snapshot);
    let tiles = crate::tiles::cold(&snapshot);
    let (sights, took) = timed(|| snapshot.sight(Layer::Grid, Some(3)));
    report(
        "camera coverage as area, every grid",
        took,
        &format!(
            "{} grids, fields of view unioned and cut from each",
            sights.len()
        ),
    );
    let incidents = if args.events > 0 {
        let (ours, events) = crate::events::ours(&city, &snapshot, args.events)?;
        let python = args.duckdb.clone().unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../target/duckdb-venv/bin/python")
        });
        if python.exists() {
            crate::events::duckdb(&python, &city, &events, &ours)?;
        } else {
            println!(
                "DuckDB comparison skipped: {} is missing (make bench makes it)",
                python.display()
            );
        }
        Some((ours, events))
    } else {
        None
    };
    if !args.no_http {
        let server = BenchServer::start(&city)?;
        let rate = http_batch(&server, &points)?;
        println!(
            "{:<44} {:>12.0} points/s",
            "batch HTTP locate (POST /v1/locate, 1 conn)", rate
        );
        crate::tiles::warm(&server, &tiles)?;
        crate::writes::concurrent(&server, &snapshot)?;
    }
    let Some(url) = &args.database else {
        println!("PostGIS comparison skipped: pass --database postgres://... or set DATABASE_URL");
        return Ok(());
    };
    let mut client =
        onemap_data::postgis::connect(url).with_context(|| format!("cannot connect to {url}"))?;
    let schema = format!("onemap_bench_{}", std::process::id());
    let (loaded, took) = timed(|| onemap_data::postgis::load_city(&mut client, &schema, &city));
    loaded.map_err(|e| anyhow::anyhow!("loading the city into PostGIS: {e}"))?;
    report("PostGIS: city loaded (COPY + GiST)", took, &schema);
    let sample = &points[..args.postgis_points.min(points.len())];
    let compared = postgis(&mut client, &schema, &snapshot, sample, ours, matrix_time)
        .and_then(|_| crate::tiles::postgis(&mut client, &schema, &tiles))
        .and_then(|_| match &incidents {
            Some((ours, events)) => crate::events::postgis(&mut client, &schema, events, ours),
            None => Ok(()),
        });
    client.batch_execute(&format!("DROP SCHEMA {schema} CASCADE"))?;
    compared
}

pub fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

pub fn report(what: &str, took: Duration, detail: &str) {
    println!(
        "{what:<44} {:>10.1} ms   {detail}",
        took.as_secs_f64() * 1e3
    );
}

pub fn random_points(b: [f64; 4], n: usize, seed: u64) -> Vec<[f64; 2]> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..n)
        .map(|_| [rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3])])
        .collect()
}

/// Grid + beat lookups per second on one core, one call per point and in batches, each
/// repeated for at least a second.
fn locate_rate(s: &Snapshot, points: &[[f64; 2]]) -> f64 {
    let one_by_one = repeat(points.len(), || {
        points
            .iter()
            .filter(|p| s.locate_pair(p[0], p[1])[0] != u32::MAX)
            .count()
    });
    let mut out = Vec::with_capacity(points.len());
    let batched = repeat(points.len(), || {
        out.clear();
        s.locate_pairs(points, &mut out);
        out.iter().filter(|a| a[0] != u32::MAX).count()
    });
    println!(
        "{:<44} {:>12.0} locates/s  (grid + beat, one core, one call per point)",
        "in-process locate", one_by_one.0
    );
    println!(
        "{:<44} {:>12.0} locates/s  (grid + beat, one core, {:.0}% of points in a grid)",
        "in-process locate, batched (locate_pairs)",
        batched.0,
        100.0 * batched.1 as f64 / points.len() as f64
    );
    batched.0
}

/// Runs `work` (which handles `n` points and returns a count) for at least a second; returns
/// points per second and the last count.
fn repeat(n: usize, mut work: impl FnMut() -> usize) -> (f64, usize) {
    let start = Instant::now();
    let mut done = 0;
    let mut last = 0;
    while start.elapsed() < Duration::from_secs(1) {
        last = std::hint::black_box(work());
        done += n;
    }
    (done as f64 / start.elapsed().as_secs_f64(), last)
}

/// Average cost of keeping the matrix current after one grid edit and one beat edit.
fn incremental(s: &Snapshot) {
    for layer in [Layer::Grid, Layer::Beat] {
        let ids: Vec<String> = s
            .layer(layer)
            .filter(|f| {
                layer != Layer::Grid || f.level() >= Some(onemap_index::snapshot::MATRIX_MIN_LEVEL)
            })
            .step_by(37)
            .take(100)
            .map(|f| f.id.clone())
            .collect();
        let (_, took) = timed(|| {
            for id in &ids {
                std::hint::black_box(s.updated_matrix(s, &[(layer, id.clone())]));
            }
        });
        let each = took / ids.len().max(1) as u32;
        report(
            &format!("overlap matrix update per edited {layer}"),
            each,
            &format!("average of {}", ids.len()),
        );
    }
}

/// What a node spends making one geometry edit visible: the next snapshot (cell index
/// patched, overlap rows redone) and the next tiler, averaged over grids across the city.
fn edits_applied(s: &Snapshot) {
    let tiler = onemap_server::tilesource::build_tiler(s);
    let grids: Vec<String> = s
        .layer(Layer::Grid)
        .filter(|f| f.level() == Some(3))
        .step_by(701)
        .take(8)
        .map(|f| f.id.clone())
        .collect();
    let (mut snapshot_time, mut tiles_time) = (Duration::ZERO, Duration::ZERO);
    for id in &grids {
        let mut grid = s
            .get(Layer::Grid, id)
            .expect("the grid is in the city")
            .clone();
        if let onemap_index::Shape::Area(mp) = &mut grid.shape {
            // Pull one vertex a little inwards: a real reshape, its neighbours untouched.
            mp.0[0].exterior_mut(|ring| {
                let (a, b) = (ring.0[0], ring.0[2]);
                ring.0[1] = geo_types::coord! { x: (a.x + b.x) / 2.0, y: (a.y + b.y) / 2.0 };
            });
        }
        let change = [onemap_index::write::Change::Upsert(grid)];
        let (next, took) = timed(|| s.advance(&[(s.version() + 1, &change)]).snapshot);
        snapshot_time += took;
        tiles_time += timed(|| onemap_server::tilesource::next_tiler(&tiler, &next)).1;
    }
    let n = grids.len().max(1) as u32;
    report(
        "edit applied: next snapshot (patched)",
        snapshot_time / n,
        &format!("average of {n} grid reshapes"),
    );
    report(
        "edit applied: next tiler",
        tiles_time / n,
        "labels of unchanged features kept",
    );
}

/// A real server on a temporary store, for the HTTP figures.
pub struct BenchServer {
    pub addr: std::net::SocketAddr,
    dir: std::path::PathBuf,
    runtime: Option<tokio::runtime::Runtime>,
}

impl BenchServer {
    /// Serves `city` on one worker thread, so HTTP figures are per server core.
    fn start(city: &City) -> anyhow::Result<BenchServer> {
        let dir = std::env::temp_dir().join(format!("onemap-bench-{}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        let store_path = dir.join("bench.gpkg");
        let _ = std::fs::remove_file(&store_path);
        seed_store(&GeoPackageStore::open(&store_path)?, city.clone())?;
        let mut config = Config::resolve(onemap_server::config::Flags {
            listen: Some("127.0.0.1:0".parse()?),
            store: Some(store_path),
            max_body_mb: Some(1024),
            tokens: Some(crate::writes::PLANNER_TOKENS.into()),
            ..Default::default()
        })?;
        // The load comes from one anonymous client: measure speed, not the rate limit.
        config.guard.public_requests_per_s = 0;
        config.guard.public_max_body_mb = 1024;
        let state = onemap_server::serve::open(config)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()?;
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))?;
        let addr = listener.local_addr()?;
        runtime.spawn(onemap_server::listen::serve(
            listener,
            state,
            std::future::pending(),
        ));
        Ok(BenchServer {
            addr,
            dir,
            runtime: Some(runtime),
        })
    }
}

impl Drop for BenchServer {
    fn drop(&mut self) {
        if let Some(r) = self.runtime.take() {
            r.shutdown_background();
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Posts every point in one request and waits for the whole answer.
fn http_batch(server: &BenchServer, points: &[[f64; 2]]) -> anyhow::Result<f64> {
    let mut body = String::with_capacity(points.len() * 40);
    body.push_str("{\"points\":[");
    for (i, p) in points.iter().enumerate() {
        if i > 0 {
            body.push(',');
        }
        body.push_str(&format!("[{},{}]", p[0], p[1]));
    }
    body.push_str("]}");
    let start = Instant::now();
    let response = post(server.addr, "/v1/locate", &body)?;
    let took = start.elapsed().as_secs_f64();
    anyhow::ensure!(
        response.starts_with("HTTP/1.1 200"),
        "batch locate failed: {}",
        &response[..response.len().min(300)]
    );
    let answered = response.matches("\"grid\":").count();
    anyhow::ensure!(
        answered == points.len(),
        "batch locate answered {answered} of {} points",
        points.len()
    );
    Ok(points.len() as f64 / took)
}

/// A minimal HTTP/1.1 POST over a fresh connection; returns the raw response.
fn post(addr: std::net::SocketAddr, path: &str, body: &str) -> anyhow::Result<String> {
    request(addr, "POST", path, "", body)
}

/// A minimal HTTP/1.1 request over a fresh connection; `headers` are whole lines, each
/// ending in CRLF. Returns the raw response.
pub fn request(
    addr: std::net::SocketAddr,
    method: &str,
    path: &str,
    headers: &str,
    body: &str,
) -> anyhow::Result<String> {
    let mut stream = std::net::TcpStream::connect(addr)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\n{headers}Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body.as_bytes())?;
    let mut out = String::new();
    stream.read_to_string(&mut out)?;
    Ok(out)
}

/// The same locate and matrix work done by PostGIS, with ratios.
fn postgis(
    client: &mut postgres::Client,
    schema: &str,
    s: &Snapshot,
    points: &[[f64; 2]],
    ours: f64,
    ours_matrix: Duration,
) -> anyhow::Result<()> {
    // The fastest way found to ask PostGIS: the points in a GiST-indexed table joined with
    // each layer, so every polygon is prepared once for all the points in its box.
    let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
    let mut answers: Vec<[Option<String>; 2]> = vec![[None, None]; points.len()];
    let (found, took) = timed(|| -> Result<(), postgres::Error> {
        let mut tx = client.transaction()?;
        tx.batch_execute(
            "CREATE TEMP TABLE bench_points (n int, g geometry(Point, 4326)) ON COMMIT DROP",
        )?;
        tx.execute(
            "INSERT INTO bench_points SELECT n::int, ST_SetSRID(ST_MakePoint(x, y), 4326)
             FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, n)",
            &[&xs, &ys],
        )?;
        tx.batch_execute("CREATE INDEX ON bench_points USING gist (g); ANALYZE bench_points")?;
        for (slot, sql) in [
            (0, format!("SELECT p.n, l.id FROM bench_points p JOIN {schema}.grid l ON ST_Contains(l.geom, p.g) WHERE l.level >= 3")),
            (1, format!("SELECT p.n, l.id FROM bench_points p JOIN {schema}.beat l ON ST_Contains(l.geom, p.g)")),
        ] {
            for row in tx.query(&sql, &[])? {
                let n: i32 = row.get(0);
                answers[n as usize - 1][slot] = Some(row.get(1));
            }
        }
        tx.commit()
    });
    found?;
    let theirs = points.len() as f64 / took.as_secs_f64();
    let id = |i: Option<u32>| i.map(|i| s.feature(i).id.clone());
    let agree = answers
        .iter()
        .zip(points)
        .filter(|(a, p)| {
            let hit = s.locate(p[0], p[1]);
            a[0] == id(hit.grid) && a[1] == id(hit.beat)
        })
        .count();
    println!(
        "{:<44} {:>12.0} locates/s  (same answers for {agree} of {} points); onemap is {:.0}× faster",
        "PostGIS ST_Contains locate (GiST, set join)",
        theirs,
        points.len(),
        ours / theirs
    );
    let matrix_sql = format!(
        "SELECT g.id, b.id, ST_Area(ST_Intersection(g.geom, b.geom)::geography) FROM {schema}.grid g
         JOIN {schema}.beat b ON ST_Intersects(g.geom, b.geom) WHERE g.level >= 3"
    );
    let (pairs, took) = timed(|| client.query(&matrix_sql, &[]));
    let pairs = pairs?;
    report(
        "PostGIS overlap matrix (ST_Intersection)",
        took,
        &format!(
            "{} pairs; onemap is {:.1}× faster",
            pairs.len(),
            took.as_secs_f64() / ours_matrix.as_secs_f64()
        ),
    );
    Ok(())
}
