//! The live city: the current snapshot that readers share, and the one path writes take.
//!
//! A write holds the writer lock, commits to the store, applies the same changes to a copy of
//! the city, builds the next snapshot (reusing what the edit did not touch) and swaps it in.
//! Readers keep whatever snapshot they loaded and never wait.

use crate::error::ApiError;
use crate::tilesource::Tiles;
use arc_swap::ArcSwap;
use onemap_data::{Change, ChangeSet, Commit, Store};
use onemap_index::{City, Feature, Layer, Person, Snapshot};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub struct Live {
    snapshot: ArcSwap<Snapshot>,
    store: Arc<dyn Store>,
    writer: tokio::sync::Mutex<()>,
    /// Tiles follow every new snapshot before a write is acknowledged.
    tiles: Tiles,
}

impl Live {
    /// Loads the store and builds the first snapshot.
    pub fn open(
        store: Arc<dyn Store>,
        tile_cache_bytes: usize,
    ) -> Result<Self, onemap_data::StoreError> {
        let city = store.load()?;
        let version = store.version()?;
        let snapshot = Snapshot::build(city, version);
        let tiles = Tiles::new(&snapshot, tile_cache_bytes);
        Ok(Live {
            snapshot: ArcSwap::from_pointee(snapshot),
            store,
            writer: Default::default(),
            tiles,
        })
    }

    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.snapshot.load_full()
    }

    pub fn tiles(&self) -> &Tiles {
        &self.tiles
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.store
    }

    /// Commits `changes` and makes them visible to every later read.
    pub async fn write(self: &Arc<Self>, changes: ChangeSet) -> Result<Commit, ApiError> {
        let _writer = self.writer.lock().await;
        let live = Arc::clone(self);
        tokio::task::spawn_blocking(move || live.write_now(changes))
            .await
            .map_err(|e| ApiError::internal("write task", e))?
    }

    fn write_now(&self, changes: ChangeSet) -> Result<Commit, ApiError> {
        let commit = self.store.commit(&changes)?;
        let current = self.snapshot();
        let (city, touched, boxes) = apply(&current, &changes.changes, commit.version);
        let next = Arc::new(current.next(city, commit.version, &touched));
        self.snapshot.store(Arc::clone(&next));
        self.tiles.refresh(&next, &boxes);
        Ok(commit)
    }
}

/// The city after `changes`, the `(layer, id)`s they touched, and the boxes they touched.
fn apply(
    snapshot: &Snapshot,
    changes: &[Change],
    version: u64,
) -> (City, Vec<(Layer, String)>, Vec<[f64; 4]>) {
    let city = snapshot.to_city();
    let mut features: BTreeMap<(Layer, String), Feature> = city
        .features
        .into_iter()
        .map(|f| ((f.layer(), f.id.clone()), f))
        .collect();
    let mut people: BTreeMap<String, Person> =
        city.people.into_iter().map(|p| (p.id.clone(), p)).collect();
    let mut touched: Vec<(Layer, String)> = Vec::new();
    let mut boxes = Vec::new();
    for change in changes {
        let gone = match change {
            Change::Upsert(f) => {
                let mut f = f.clone();
                f.version = version;
                boxes.extend(f.bbox());
                touched.push((f.layer(), f.id.clone()));
                features
                    .insert((f.layer(), f.id.clone()), f)
                    .into_iter()
                    .collect()
            }
            Change::Delete { layer, id } => {
                touched.push((*layer, id.clone()));
                features.remove(&(*layer, id.clone())).into_iter().collect()
            }
            Change::ClearLayer(layer) => {
                let keys: Vec<_> = features
                    .range((*layer, String::new())..)
                    .take_while(|(k, _)| k.0 == *layer)
                    .map(|(k, _)| k.clone())
                    .collect();
                touched.extend(keys.iter().cloned());
                keys.iter().filter_map(|k| features.remove(k)).collect()
            }
            Change::UpsertPerson(p) => {
                people.insert(
                    p.id.clone(),
                    Person {
                        version,
                        ..p.clone()
                    },
                );
                Vec::new()
            }
            Change::DeletePerson { id } => {
                people.remove(id);
                Vec::new()
            }
        };
        boxes.extend(gone.iter().filter_map(Feature::bbox));
    }
    // Tiles show counts of people (officers per beat): features that list a changed person
    // must be redrawn too.
    let people_changed: HashSet<&str> = changes
        .iter()
        .filter_map(|c| match c {
            Change::UpsertPerson(p) => Some(p.id.as_str()),
            Change::DeletePerson { id } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    if !people_changed.is_empty() {
        boxes.extend(
            features
                .values()
                .filter(|f| f.people.iter().any(|p| people_changed.contains(p.as_str())))
                .filter_map(Feature::bbox),
        );
    }
    let city = City {
        features: features.into_values().collect(),
        people: people.into_values().collect(),
    };
    (city, touched, boxes)
}
