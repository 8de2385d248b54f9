//! The live city: the current snapshot that readers share, and the one path to a new one.
//!
//! A write holds the writer lock, commits to the store, applies the same changes to a copy of
//! the city, builds the next snapshot (reusing what the edit did not touch) and swaps it in.
//! Commits made by other nodes on a shared store reach the same path through
//! [`Live::catch_up`], called by the follower (`follow.rs`). Readers keep whatever snapshot
//! they loaded and never wait.

use crate::error::ApiError;
use crate::tilesource::Tiles;
use arc_swap::ArcSwap;
use onemap_data::{Change, ChangeSet, Commit, Store, StoreError};
use onemap_index::{City, Feature, Layer, Person, Snapshot};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

pub struct Live {
    snapshot: ArcSwap<Snapshot>,
    store: Arc<dyn Store>,
    /// Serialises everything that makes a new snapshot: local writes and catching up.
    writer: tokio::sync::Mutex<()>,
    /// Tiles follow every new snapshot before a write is acknowledged.
    tiles: Tiles,
}

impl Live {
    /// Loads the store and builds the first snapshot.
    pub fn open(store: Arc<dyn Store>, tile_cache_bytes: usize) -> Result<Self, StoreError> {
        // The version is read before the city: a commit landing in between is then applied
        // once more by catching up, which is harmless (changes set whole records), where the
        // other order would skip it for good.
        let version = store.version()?;
        let city = store.load()?;
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
        if commit.version > self.snapshot().version() + 1 {
            // Other nodes committed since our snapshot: theirs come first, so replay the log,
            // ours included, in commit order. Should that fail now, the follower does it.
            if let Err(e) = self.catch_up_locked() {
                tracing::warn!("commit {} is stored but not yet shown: {e}", commit.version);
            }
        } else {
            self.advance(&[(commit.version, &changes.changes)]);
        }
        Ok(commit)
    }

    /// Applies the store's commits newer than the snapshot, oldest first; how many there
    /// were. For stores other processes write too (see [`Store::feed`]); blocks, so call it
    /// off the async runtime.
    pub fn catch_up(&self) -> Result<usize, StoreError> {
        let _writer = self.writer.blocking_lock();
        self.catch_up_locked()
    }

    /// [`Live::catch_up`] with the writer lock already held. Versions up to the snapshot's,
    /// this node's own writes among them, are never applied twice.
    fn catch_up_locked(&self) -> Result<usize, StoreError> {
        let Some(feed) = self.store.feed() else {
            return Ok(0);
        };
        let from = self.snapshot().version();
        let commits = feed.changes_since(from)?;
        if let Some(&(first, _)) = commits.first().filter(|(v, _)| *v > from + 1) {
            tracing::warn!(
                "the change log no longer holds commits {} to {} (pruned while this node was \
                 away): loading the whole city again",
                from + 1,
                first - 1
            );
            self.reload()?;
            return Ok(commits.len());
        }
        if !commits.is_empty() {
            let commits: Vec<(u64, &[Change])> = commits
                .iter()
                .map(|(version, set)| (*version, set.changes.as_slice()))
                .collect();
            self.advance(&commits);
        }
        Ok(commits.len())
    }

    /// Builds the snapshot and the tiles from the store's tables, as at start.
    fn reload(&self) -> Result<(), StoreError> {
        let version = self.store.version()?;
        let next = Snapshot::build(self.store.load()?, version);
        self.tiles.replace(&next);
        self.snapshot.store(Arc::new(next));
        Ok(())
    }

    /// The one way to a new snapshot: applies `commits` (in order) to a copy of the city,
    /// builds the next snapshot and its tiler, drops the tiles the commits touched and swaps the
    /// snapshot in.
    fn advance(&self, commits: &[(u64, &[Change])]) {
        let Some(&(version, _)) = commits.last() else {
            return;
        };
        let current = self.snapshot();
        let (city, touched, mut boxes) = apply(&current, commits);
        let next = Arc::new(current.next(city, version, &touched));
        boxes.extend(reassigned_grids(&current, &next, &touched));
        // Tiles first, so that a node never answers locate with data its tiles do not show.
        self.tiles.refresh(&next, &boxes);
        self.snapshot.store(next);
    }
}

/// Boxes of the grids whose assigned beat (or its station) an edit to beats changed: tiles
/// colour grids by it, and a grid may reach beyond the edited beat's box.
fn reassigned_grids(
    before: &Snapshot,
    after: &Snapshot,
    touched: &[(Layer, String)],
) -> Vec<[f64; 4]> {
    let assignment = |s: &Snapshot, grid: &str| {
        s.assigned_beat(grid).map(|(beat, straddles)| {
            let station = s.index_of(Layer::Beat, beat).and_then(|b| s.parent(b));
            (
                beat.to_string(),
                straddles,
                station.map(|i| s.feature(i).id.clone()),
            )
        })
    };
    let mut grids: Vec<String> = Vec::new();
    for (layer, id) in touched.iter().filter(|(l, _)| *l == Layer::Beat) {
        for s in [before, after] {
            if let Some(b) = s.get(*layer, id).and_then(Feature::bbox) {
                grids.extend(
                    s.areal_in(b)
                        .into_iter()
                        .map(|i| s.feature(i))
                        .filter(|f| f.layer() == Layer::Grid)
                        .map(|f| f.id.clone()),
                );
            }
        }
    }
    grids.sort_unstable();
    grids.dedup();
    grids
        .iter()
        .filter(|g| assignment(before, g) != assignment(after, g))
        .flat_map(|g| {
            [before, after]
                .into_iter()
                .filter_map(|s| s.get(Layer::Grid, g).and_then(Feature::bbox))
        })
        .collect()
}

/// The city after `commits` (each a version and its changes, in commit order), the
/// `(layer, id)`s they touched, and the boxes they touched.
fn apply(
    snapshot: &Snapshot,
    commits: &[(u64, &[Change])],
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
    let changes = || {
        commits
            .iter()
            .flat_map(|&(version, changes)| changes.iter().map(move |c| (version, c)))
    };
    for (version, change) in changes() {
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
    let people_changed: HashSet<&str> = changes()
        .filter_map(|(_, c)| match c {
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
