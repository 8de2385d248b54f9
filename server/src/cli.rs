//! The non-serving commands: import, migrate and demo-city.

use anyhow::Context;
use onemap_data::events_io::{parse_events, EventFormat};
use onemap_data::formats::{read_layer, Crs, FieldMap, Format, ImportOptions, TextEncoding};
use onemap_data::geojson_io::{layer_to_geojson, parse_people, FeatureRepairs, OnInvalid};
use onemap_data::gpkg::GeoPackageStore;
use onemap_data::pg::PostgisStore;
use onemap_data::store::Action;
use onemap_data::{Change, ChangeSet, Store, StoreError};
use onemap_demo::{generate, DemoConfig};
use onemap_index::{City, Layer};
use std::path::{Path, PathBuf};

/// Opens the store a command names: the PostGIS database if given, else the GeoPackage file.
pub fn open_store(store: &Path, database: Option<&str>) -> anyhow::Result<Box<dyn Store>> {
    Ok(match database {
        Some(url) => {
            Box::new(PostgisStore::open(url).context("cannot open the PostGIS store (--database)")?)
        }
        None => Box::new(
            GeoPackageStore::open(store)
                .with_context(|| format!("cannot open the store {}", store.display()))?,
        ),
    })
}

/// `onemap migrate`: create or upgrade the `onemap` schema of a PostGIS database. Nodes do it
/// when they start; this is for deployments that migrate before rolling nodes out.
pub fn migrate(database: &str) -> anyhow::Result<()> {
    let store = open_store(Path::new(""), Some(database))?;
    println!(
        "the onemap schema is up to date; city version {}",
        store.version()?
    );
    Ok(())
}

/// How `onemap import` reads a layer file, beyond what its content says.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct ReadFlags {
    /// The GeoPackage table, or the Shapefile in a zip of several; the first by default.
    #[arg(long)]
    pub table: Option<String>,
    /// The coordinate system when the file does not say (no .prj): EPSG:4326, EPSG:4490,
    /// EPSG:3857 or a CGCS2000 Gauss–Krüger zone EPSG:4513–4554.
    #[arg(long)]
    pub crs: Option<Crs>,
    /// The text encoding of a GeoJSON, CSV or KML file, or of a Shapefile's attributes
    /// over its .cpg: utf-8 or gbk.
    #[arg(long)]
    pub encoding: Option<TextEncoding>,
    /// Renames columns to the layer's properties, e.g. `id=WGBM,name=WGMC`.
    #[arg(long)]
    pub map: Option<FieldMap>,
    /// Repair invalid areas (repeated vertices, spikes, self-intersections, orientation,
    /// unclosed rings) as PostGIS's ST_MakeValid would, and list each fix, instead of
    /// refusing the file.
    #[arg(long)]
    pub repair: bool,
}

impl ReadFlags {
    /// The import options for `file`, whose extension hints at its format.
    fn options(self, file: &Path) -> ImportOptions {
        ImportOptions {
            hint: file
                .extension()
                .and_then(|e| e.to_str())
                .and_then(Format::from_extension),
            table: self.table,
            crs: self.crs,
            encoding: self.encoding,
            map: self.map.unwrap_or_default(),
            on_invalid: OnInvalid::repair_if(self.repair),
        }
    }
}

/// `onemap import`: one file into one layer, all or nothing: GeoJSON, a zipped Shapefile,
/// GeoPackage, KML, FlatGeobuf or CSV for the feature layers; with `--repair` invalid areas
/// are repaired as `ST_MakeValid` would and each fix is listed.
pub fn import(
    store: &Path,
    database: Option<&str>,
    layer: &str,
    replace: bool,
    file: &Path,
    read: ReadFlags,
) -> anyhow::Result<()> {
    let body = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    if layer == "event" {
        return import_events(&*open_store(store, database)?, &body, file);
    }
    let mut changes = Vec::new();
    if layer == "people" {
        changes.extend(parse_people(&body)?.into_iter().map(Change::UpsertPerson));
    } else {
        let layer: Layer = layer.parse()?;
        if replace {
            changes.push(Change::ClearLayer(layer));
        }
        let imported = read_layer(layer, &body, &read.options(file))?;
        eprintln!("read {} as {}", file.display(), imported.format.name());
        imported
            .notes
            .iter()
            .for_each(|note| eprintln!("note: {note}"));
        print_repairs(&imported.repairs);
        changes.extend(imported.features.into_iter().map(Change::Upsert));
    }
    let count = changes
        .iter()
        .filter(|c| !matches!(c, Change::ClearLayer(_)))
        .count();
    let store = open_store(store, database)?;
    let commit = store.commit(&ChangeSet {
        changes,
        expect: Vec::new(),
        author: whoami(),
        action: Action::Import,
    })?;
    println!(
        "imported {count} into {layer} of {}; city version {}",
        file.display(),
        commit.version
    );
    Ok(())
}

/// Lists the fixes `--repair` made, one line each under the feature's id.
fn print_repairs(repairs: &[FeatureRepairs]) {
    for repaired in repairs {
        println!("repaired {}:", repaired.id);
        for fix in &repaired.fixes {
            println!("  {fix}");
        }
    }
}

/// `onemap import --layer event`: incidents as GeoJSON, NDJSON or CSV (told apart by the
/// file's extension, else its content), appended all or none. Running nodes on the same
/// PostGIS database read them within a second; a GeoPackage's server on its next start.
fn import_events(store: &dyn Store, body: &[u8], file: &Path) -> anyhow::Result<()> {
    let extension = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let kind = match extension.to_ascii_lowercase().as_str() {
        "csv" => Some("text/csv"),
        "ndjson" | "jsonl" | "geojsonl" | "geojsons" => Some("application/x-ndjson"),
        _ => None,
    };
    let events = parse_events(body, EventFormat::of(kind, body))
        .with_context(|| format!("{} is not a file of incidents", file.display()))?;
    let stored = store.append_events(events, &whoami())?;
    println!(
        "imported {} incidents from {} (numbers {}–{})",
        stored.len(),
        file.display(),
        stored.first().map_or(0, |e| e.seq),
        stored.last().map_or(0, |e| e.seq)
    );
    Ok(())
}

/// `onemap demo-city`
pub fn demo_city(
    out: Option<PathBuf>,
    store: Option<PathBuf>,
    grids: Option<usize>,
    seed: u64,
) -> anyhow::Result<()> {
    let mut config = grids.map_or_else(DemoConfig::default, DemoConfig::with_grids);
    config.seed = seed;
    let started = std::time::Instant::now();
    let city = generate(&config);
    eprintln!(
        "generated {} features and {} people in {:.2?}",
        city.features.len(),
        city.people.len(),
        started.elapsed()
    );
    match (out, store) {
        (_, Some(path)) => {
            let store = GeoPackageStore::open(&path)?;
            let commit = seed_store(&store, city)?;
            println!(
                "wrote the demo city into {} (version {})",
                path.display(),
                commit.version
            );
        }
        (out, None) => {
            let dir = out.unwrap_or_else(|| PathBuf::from("demo-city"));
            std::fs::create_dir_all(&dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            for layer in Layer::ALL {
                let path = dir.join(format!("{layer}.geojson"));
                std::fs::write(&path, layer_to_geojson(city.layer(layer)))?;
            }
            std::fs::write(
                dir.join("people.json"),
                serde_json::to_string_pretty(&city.people)?,
            )?;
            println!("wrote the demo city to {}/", dir.display());
        }
    }
    Ok(())
}

/// Commits a whole city into a store as one change set.
pub fn seed_store(store: &dyn Store, city: City) -> Result<onemap_data::Commit, StoreError> {
    seed_store_expecting(store, city, Vec::new())
}

/// [`seed_store`] only if every `(layer, id, version)` of `expect` holds when it commits.
pub fn seed_store_expecting(
    store: &dyn Store,
    city: City,
    expect: Vec<(Layer, String, u64)>,
) -> Result<onemap_data::Commit, StoreError> {
    let changes = city
        .features
        .into_iter()
        .map(Change::Upsert)
        .chain(city.people.into_iter().map(Change::UpsertPerson))
        .collect();
    store.commit(&ChangeSet {
        changes,
        expect,
        author: "onemap demo-city".into(),
        action: Action::Seed,
    })
}

fn whoami() -> String {
    std::env::var("USER")
        .map(|u| format!("cli:{u}"))
        .unwrap_or_else(|_| "cli".into())
}

/// `onemap check`: the coverage problems of each layer in `layers`, as one GeoJSON
/// FeatureCollection per layer on standard output; an error when there are any, so scripts
/// can stop on it.
pub fn check(
    store: &Path,
    database: Option<&str>,
    layers: &[Layer],
    options: &onemap_index::check::CheckOptions,
) -> anyhow::Result<()> {
    let store = open_store(store, database)?;
    let snapshot = onemap_index::Snapshot::build(store.load()?, store.version()?);
    let mut total = 0;
    for layer in layers {
        let problems = snapshot.check(*layer, options);
        eprintln!("{layer}: {} problems", problems.len());
        total += problems.len();
        println!(
            "{}",
            serde_json::to_string(&crate::present::problems(*layer, &problems))?
        );
    }
    anyhow::ensure!(
        total == 0,
        "the coverage has {total} problems (listed above as GeoJSON)"
    );
    Ok(())
}
