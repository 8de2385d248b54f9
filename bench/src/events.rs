//! Incidents: ingest persisted to the GeoPackage, events per grid, H3 heatmaps and the whole
//! city's statistics over a million events, beside DuckDB (spatial extension) and PostGIS
//! doing the same counts on the same events in the same run.

use crate::{report, timed};
use onemap_data::gpkg::GeoPackageStore;
use onemap_data::postgis::wkt;
use onemap_data::Store;
use onemap_demo::EVENTS_END;
use onemap_index::events::{Event, EventLog, Selection};
use onemap_index::stats::{coverage, Norms, Period};
use onemap_index::{City, Layer, Snapshot};
use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Duration;

const DAY: i64 = 86_400;

/// The figures of our side that the anchors are set against.
pub struct Ours {
    year: Selection,
    per_grid: Duration,
    heatmap: Duration,
    /// Events per level-3 grid over the year, by grid id.
    counts: BTreeMap<String, u64>,
}

/// Measures onemap's side: generation, ingest to a GeoPackage, the in-memory log, and the
/// leaders' queries over a month and the year.
pub fn ours(city: &City, s: &Snapshot, count: usize) -> anyhow::Result<(Ours, Vec<Event>)> {
    let (events, took) = timed(|| onemap_demo::events(city, count, 2026));
    report("incidents generated", took, &format!("{count} over a year"));
    let dir = std::env::temp_dir().join(format!("onemap-bench-events-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("events.gpkg");
    let _ = std::fs::remove_file(&path);
    let store = GeoPackageStore::open(&path)?;
    let (stored, took) = timed(|| {
        events
            .chunks(100_000)
            .map(|batch| store.append_events(batch.to_vec(), "bench"))
            .collect::<Result<Vec<_>, _>>()
    });
    stored?;
    report(
        "ingest persisted to the GeoPackage",
        took,
        &format!(
            "{:.0} events/s, 100,000 a transaction",
            count as f64 / took.as_secs_f64()
        ),
    );
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    let mut log = EventLog::default();
    let ((), took) = timed(|| log.append(events.clone(), s));
    report(
        "incidents located and indexed in memory",
        took,
        &format!(
            "{:.0} events/s (grid, beat and station of each)",
            count as f64 / took.as_secs_f64()
        ),
    );
    let year = Selection {
        from: Some(EVENTS_END - 365 * DAY),
        to: Some(EVENTS_END),
        ..Selection::default()
    };
    let month = Selection {
        from: Some(EVENTS_END - 30 * DAY),
        ..year.clone()
    };
    let per_grid = best(|| log.counts(&log.select(&year), s));
    report(
        "events per grid, the year",
        per_grid,
        "every grid, beat and station, rolled up",
    );
    report(
        "events per grid, the last month",
        best(|| log.counts(&log.select(&month), s)),
        "",
    );
    report(
        "H3 heatmap, resolution 9, the year, first",
        timed(|| log.heatmap(&log.select(&year), h3o::Resolution::Nine, None)).1,
        "each event's cell worked out once",
    );
    let heatmap = best(|| log.heatmap(&log.select(&year), h3o::Resolution::Nine, None));
    report("H3 heatmap, resolution 9, the year", heatmap, "");
    let disputes = Selection {
        category: Some("纠纷".into()),
        ..month.clone()
    };
    report(
        "H3 heatmap, resolution 7, a month, one category",
        best(|| log.heatmap(&log.select(&disputes), h3o::Resolution::Seven, None)),
        "",
    );
    let period = Period {
        events: month.clone(),
    };
    report(
        "all statistics for the city, a month",
        best(|| coverage(s, &log, &period, &Norms::default(), 0)),
        "every grid, beat and station: people, cameras, beats, events with 环比 and 同比",
    );
    let totals = log.counts(&log.select(&year), s);
    let counts = s
        .layer(Layer::Grid)
        .filter(|f| f.level() >= Some(3))
        .filter_map(|f| {
            let i = s.index_of(Layer::Grid, &f.id)?;
            let n = u64::from(totals.total(i));
            (n > 0).then(|| (f.id.clone(), n))
        })
        .collect();
    Ok((
        Ours {
            year,
            per_grid,
            heatmap,
            counts,
        },
        events,
    ))
}

/// The best of five runs: what a warm server answers in.
fn best<T>(mut f: impl FnMut() -> T) -> Duration {
    (0..5)
        .map(|_| timed(|| std::hint::black_box(f())).1)
        .min()
        .unwrap_or_default()
}

/// The same counts by DuckDB with its spatial extension, run by `python` (a venv with
/// `duckdb` and `duckdb-ext-spatial`; `make bench` makes it).
pub fn duckdb(python: &Path, city: &City, events: &[Event], ours: &Ours) -> anyhow::Result<()> {
    let dir = std::env::temp_dir().join(format!("onemap-bench-duckdb-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let mut grids = String::from("id,wkt\n");
    for f in city.layer(Layer::Grid).filter(|f| f.level() >= Some(3)) {
        writeln!(grids, "{},\"{}\"", f.id, wkt(&f.shape))?;
    }
    std::fs::write(dir.join("grids.csv"), grids)?;
    let mut file = std::io::BufWriter::new(std::fs::File::create(dir.join("events.csv"))?);
    writeln!(file, "lng,lat,time,category,cell9")?;
    for e in events {
        let cell = h3o::LatLng::new(e.lat, e.lng)
            .map(|p| p.to_cell(h3o::Resolution::Nine).to_string())
            .unwrap_or_default();
        writeln!(file, "{},{},{},{},{cell}", e.lng, e.lat, e.time, e.category)?;
    }
    file.flush()?;
    drop(file);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/duckdb_events.py");
    let (year_from, year_to) = (
        ours.year.from.unwrap_or_default(),
        ours.year.to.unwrap_or_default(),
    );
    let out = std::process::Command::new(python)
        .arg(&script)
        .arg(&dir)
        .arg(year_from.to_string())
        .arg(year_to.to_string())
        .output()?;
    let _ = std::fs::remove_dir_all(&dir);
    anyhow::ensure!(
        out.status.success(),
        "the DuckDB anchor failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let answer: serde_json::Value = serde_json::from_slice(&out.stdout)?;
    let seconds = |key: &str| Duration::from_secs_f64(answer[key].as_f64().unwrap_or_default());
    let theirs: BTreeMap<String, u64> = answer["per_grid"]
        .as_object()
        .map(|o| {
            o.iter()
                .map(|(k, v)| (k.clone(), v.as_u64().unwrap_or_default()))
                .collect()
        })
        .unwrap_or_default();
    let agree = theirs
        .iter()
        .filter(|(id, n)| ours.counts.get(*id) == Some(n))
        .count();
    report("DuckDB: events and grids loaded", seconds("load_s"), "");
    ratio(
        "DuckDB events per grid (spatial join)",
        seconds("per_grid_s"),
        ours.per_grid,
        &format!("same count for {agree} of {} grids", theirs.len()),
    );
    ratio(
        "DuckDB H3 res 9 count (cells precomputed)",
        seconds("h3_s"),
        ours.heatmap,
        &format!("{} cells", answer["h3_cells"]),
    );
    Ok(())
}

/// The same count by PostGIS at its best: events in a GiST-indexed, `CLUSTER`ed table, each
/// grid counting its own (the planner's default join is ten times slower).
pub fn postgis(
    client: &mut postgres::Client,
    schema: &str,
    events: &[Event],
    ours: &Ours,
) -> anyhow::Result<()> {
    let mut rows = String::with_capacity(events.len() * 48);
    for e in events {
        writeln!(rows, "{}\tSRID=4326;POINT({} {})", e.time, e.lng, e.lat)?;
    }
    let (loaded, took) = timed(|| -> anyhow::Result<()> {
        client.batch_execute(&format!(
            "CREATE TABLE {schema}.event (time bigint NOT NULL, geom geometry(Point, 4326) NOT NULL)"
        ))?;
        let mut writer = client.copy_in(&format!("COPY {schema}.event (time, geom) FROM STDIN"))?;
        writer.write_all(rows.as_bytes())?;
        writer.finish()?;
        client.batch_execute(&format!(
            "CREATE INDEX event_geom ON {schema}.event USING gist (geom);
             CLUSTER {schema}.event USING event_geom; ANALYZE {schema}.event"
        ))?;
        Ok(())
    });
    loaded?;
    report("PostGIS: events loaded (COPY, GiST, CLUSTER)", took, "");
    let sql = format!(
        "SELECT g.id, (SELECT count(*) FROM {schema}.event e
             WHERE ST_Contains(g.geom, e.geom) AND e.time >= $1 AND e.time < $2)
         FROM {schema}.grid g WHERE g.level >= 3"
    );
    let (from, to) = (
        ours.year.from.unwrap_or_default(),
        ours.year.to.unwrap_or_default(),
    );
    let (answer, took) = timed(|| client.query(&sql, &[&from, &to]));
    let agree = answer?
        .iter()
        .filter(|row| {
            let n: i64 = row.get(1);
            ours.counts.get(row.get::<_, &str>(0)).copied().unwrap_or(0) == n as u64
        })
        .count();
    ratio(
        "PostGIS events per grid (grid-outer count)",
        took,
        ours.per_grid,
        &format!("same count for {agree} grids"),
    );
    Ok(())
}

/// An anchor's time beside ours, and how many times faster ours is.
fn ratio(what: &str, theirs: Duration, ours: Duration, detail: &str) {
    report(
        what,
        theirs,
        &format!(
            "onemap is {:.0}× faster ({detail})",
            theirs.as_secs_f64() / ours.as_secs_f64().max(1e-9)
        ),
    );
}
