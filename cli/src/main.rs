//! `onemap`: serve the one-map, import layers, generate the demo city, measure speed.

use clap::{Parser, Subcommand};
use onemap_index::check::CheckOptions;
use onemap_index::Layer;
use onemap_server::config::{Config, Flags};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "onemap",
    version,
    about = "网格+警格一张图: grids, beats, stations and cameras in one spatial index"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the map page (a new store is seeded with the demo city).
    Serve(Flags),
    /// Import a layer file into a store (GeoJSON, a zipped Shapefile, GeoPackage, KML, FlatGeobuf or CSV,
    /// told apart by content), or incidents (GeoJSON, NDJSON or CSV) with `--layer event`.
    Import {
        #[arg(long, default_value = "onemap.gpkg")]
        store: PathBuf,
        /// Import into this PostgreSQL/PostGIS database instead; running nodes pick it up.
        #[arg(long, env = "ONEMAP_DATABASE", conflicts_with = "store")]
        database: Option<String>,
        /// grid, beat, station or camera; `people` for a JSON array of people; `event` for
        /// incidents.
        #[arg(long)]
        layer: String,
        /// Replace the whole layer instead of adding and updating by id.
        #[arg(long)]
        replace: bool,
        #[command(flatten)]
        read: onemap_server::cli::ReadFlags,
        file: PathBuf,
    },
    /// Create or upgrade the onemap schema in a PostGIS database (nodes also do it at start).
    Migrate {
        /// postgres://user:password@host:port/database
        #[arg(long, env = "ONEMAP_DATABASE")]
        database: String,
    },
    /// Generate the demo city (Taizhou-sized by default) as GeoJSON files or into a store.
    DemoCity {
        /// Folder for grid.geojson, beat.geojson, station.geojson, camera.geojson, people.json.
        #[arg(long, conflicts_with = "store")]
        out: Option<PathBuf>,
        /// Write into this GeoPackage store instead.
        #[arg(long)]
        store: Option<PathBuf>,
        /// Level-3 grids in total; other counts scale with it (e.g. 300000 for a province).
        #[arg(long)]
        grids: Option<usize>,
        #[arg(long, default_value_t = 2026)]
        seed: u64,
    },
    /// Measure locate, batch HTTP, overlap and tile speed, against PostGIS when given one.
    Bench(onemap_bench::BenchArgs),
    /// Check that grids and beats tile the city: gaps, overlaps, slivers, children outside
    /// their parent, beats outside their station. Prints GeoJSON; fails when there are any.
    Check {
        #[arg(long, default_value = "onemap.gpkg")]
        store: PathBuf,
        /// Check this PostgreSQL/PostGIS database instead.
        #[arg(long, env = "ONEMAP_DATABASE", conflicts_with = "store")]
        database: Option<String>,
        /// The layers to check (grid, beat, station); all three by default.
        #[arg(long, value_delimiter = ',')]
        layer: Vec<String>,
        /// Overlaps and gaps smaller than this (m²) are slivers, to merge into a neighbour.
        #[arg(long, default_value_t = 1.0)]
        sliver_m2: f64,
    },
    /// Print the OpenAPI document the server serves at /openapi.json (generated from the code).
    Openapi {
        /// Write it to this file instead (the repository keeps a copy in docs/openapi.json).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,tower_http=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    log_panics_in_one_line();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

/// A panicking handler already answers a JSON 500 (`CatchPanicLayer`); the log gets one line
/// saying where, not a backtrace per request that an attacker could use to flood the disk.
fn log_panics_in_one_line() {
    std::panic::set_hook(Box::new(|info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|m| (*m).to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        let thread = std::thread::current();
        tracing::error!(
            "panic in thread {} at {place}: {message}",
            thread.name().unwrap_or("unnamed")
        );
    }));
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve(flags) => onemap_server::serve::serve(Config::resolve(flags)?),
        Command::Import {
            store,
            database,
            layer,
            replace,
            read,
            file,
        } => onemap_server::cli::import(&store, database.as_deref(), &layer, replace, &file, read),
        Command::Migrate { database } => onemap_server::cli::migrate(&database),
        Command::DemoCity {
            out,
            store,
            grids,
            seed,
        } => onemap_server::cli::demo_city(out, store, grids, seed),
        Command::Bench(args) => onemap_bench::run(args),
        Command::Check {
            store,
            database,
            layer,
            sliver_m2,
        } => {
            let layers = if layer.is_empty() {
                vec![Layer::Grid, Layer::Beat, Layer::Station]
            } else {
                layer.iter().map(|l| l.parse()).collect::<Result<_, _>>()?
            };
            let options = CheckOptions {
                sliver_m2,
                ..CheckOptions::default()
            };
            onemap_server::cli::check(&store, database.as_deref(), &layers, &options)
        }
        Command::Openapi { out } => {
            let document = onemap_server::openapi::pretty();
            match out {
                Some(path) => std::fs::write(&path, document)
                    .map_err(|e| anyhow::anyhow!("writing {}: {e}", path.display())),
                None => {
                    print!("{document}");
                    Ok(())
                }
            }
        }
    }
}
