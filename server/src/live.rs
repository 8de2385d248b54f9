//! The live city: the current snapshot that readers share, and the one path to a new one.
//!
//! Writes queue for one committer thread, which takes every write waiting, commits them in one
//! store transaction (each checked on its own), applies them to a copy of the city, builds the
//! next snapshot once (reusing what the edits did not touch), swaps it in and only then
//! answers each writer: group commit, so concurrent planners share the cost of a snapshot.
//! Commits made by other nodes on a shared store reach the same path through
//! [`Live::catch_up`], called by the follower (`follow.rs`). Readers keep whatever snapshot
//! they loaded and never wait.

use crate::error::ApiError;
use crate::tilesource::Tiles;
use arc_swap::ArcSwap;
use onemap_data::{Change, ChangeSet, Commit, Store, StoreError};
use onemap_index::events::{Event, EventLog};
use onemap_index::snapshot::Advanced;
use onemap_index::{Feature, Layer, Snapshot};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::sync::{Arc, Mutex, PoisonError, RwLock, RwLockReadGuard, Weak};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// The most writes one group commits: enough to absorb a burst, few enough that the first
/// writer of a group is not kept waiting behind a long tail.
const MAX_GROUP: usize = 256;

/// How long a group waits for writers answered by the group before it: a round trip on the
/// network the planners share, a small part of what a group costs.
const GATHER: Duration = Duration::from_millis(3);

pub struct Live {
    snapshot: ArcSwap<Snapshot>,
    store: Arc<dyn Store>,
    /// Serialises everything that makes a new snapshot: the committer and catching up.
    writer: Mutex<()>,
    /// Tiles follow every new snapshot on their own thread.
    tiles: Tiles,
    /// Writes waiting for the committer thread.
    pending: Sender<Pending>,
    /// Incidents, each located in the current snapshot: appended by [`Live::ingest`], located
    /// again where an edit moved a boundary, never part of a snapshot.
    events: RwLock<EventLog>,
    /// Whether the last commit failed because the store could not be written (a full disk,
    /// a lost database), for `/health`; the next commit that succeeds, here or (on a shared
    /// store) on another node, clears it.
    failing: AtomicBool,
}

/// A write waiting to be committed, and where its answer goes.
struct Pending {
    changes: ChangeSet,
    answer: oneshot::Sender<Result<Commit, ApiError>>,
}

impl Live {
    /// Loads the store, builds the first snapshot and starts the committer thread (which
    /// ends when the `Live` is dropped).
    pub fn open(store: Arc<dyn Store>, tile_cache_bytes: usize) -> Result<Arc<Self>, StoreError> {
        // The version is read before the city: a commit landing in between is then applied
        // once more by catching up, which is harmless (changes set whole records), where the
        // other order would skip it for good.
        let version = store.version()?;
        let city = store.load()?;
        let snapshot = Snapshot::build(city, version);
        let mut events = EventLog::default();
        read_events(&*store, &mut events, &snapshot)?;
        let tiles = Tiles::new(&snapshot, tile_cache_bytes)
            .map_err(|e| StoreError::Unavailable(format!("cannot start the tile follower: {e}")))?;
        let (pending, queue) = channel();
        let live = Arc::new(Live {
            snapshot: ArcSwap::from_pointee(snapshot),
            store,
            writer: Mutex::new(()),
            tiles,
            pending,
            events: RwLock::new(events),
            failing: AtomicBool::new(false),
        });
        let committer = Arc::downgrade(&live);
        std::thread::Builder::new()
            .name("committer".into())
            .spawn(move || commit_pending(&committer, &queue))
            .map_err(|e| StoreError::Unavailable(format!("cannot start the committer: {e}")))?;
        Ok(live)
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

    /// The incidents, located in the current snapshot. Hold the guard only while counting.
    pub fn events(&self) -> RwLockReadGuard<'_, EventLog> {
        self.events.read().unwrap_or_else(PoisonError::into_inner)
    }

    /// Stores `events` (all or none, attributed to `author`) and then counts them in: located
    /// in the snapshot current when they go in, so an edit swapped in meanwhile has them
    /// located again with the rest. Blocks: call it off the async runtime.
    pub fn ingest(&self, events: Vec<Event>, author: &str) -> Result<usize, StoreError> {
        let stored = self.store.append_events(events, author)?;
        let count = stored.len();
        self.events
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .append(stored, &self.snapshot());
        Ok(count)
    }

    /// Reads the events other nodes stored since the last one held (a shared store).
    pub fn follow_events(&self) -> Result<usize, StoreError> {
        let mut log = self.events.write().unwrap_or_else(PoisonError::into_inner);
        let before = log.len();
        read_events(&*self.store, &mut log, &self.snapshot())?;
        Ok(log.len() - before)
    }

    /// Whether the last commit failed for want of a writable store.
    pub fn writes_failing(&self) -> bool {
        self.failing.load(Ordering::Relaxed)
    }

    /// Commits `changes` and makes them visible to every later read. A caller that goes
    /// away does not stop the write: it is committed and shown all the same.
    pub async fn write(&self, changes: ChangeSet) -> Result<Commit, ApiError> {
        let (answer, answered) = oneshot::channel();
        let stopped = || ApiError::internal("committer", "the committer thread has stopped");
        self.pending
            .send(Pending { changes, answer })
            .map_err(|_| stopped())?;
        answered.await.map_err(|_| stopped())?
    }

    /// Commits a group of writes and shows them, then answers each.
    fn commit_group(&self, group: Vec<Pending>) {
        let (sets, answers): (Vec<ChangeSet>, Vec<_>) =
            group.into_iter().map(|p| (p.changes, p.answer)).unzip();
        let results = {
            let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
            let results = catch_unwind(AssertUnwindSafe(|| self.store.commit_group(&sets)))
                .unwrap_or_else(|_| {
                    let failed =
                        StoreError::Unavailable("the store panicked while committing".into());
                    vec![Err(failed); sets.len()]
                });
            let committed: Vec<(u64, &[Change])> = results
                .iter()
                .zip(&sets)
                .filter(|(_, set)| !set.changes.is_empty())
                .filter_map(|(result, set)| {
                    Some((result.as_ref().ok()?.version, set.changes.as_slice()))
                })
                .collect();
            self.show(&committed);
            if results.iter().any(Result::is_ok) {
                self.failing.store(false, Ordering::Relaxed);
            } else if results
                .iter()
                .any(|r| matches!(r, Err(StoreError::Unavailable(_))))
            {
                self.failing.store(true, Ordering::Relaxed);
            }
            results
        };
        for (result, answer) in results.into_iter().zip(answers) {
            // A writer that went away has nobody to tell.
            let _ = answer.send(result.map_err(ApiError::from));
        }
    }

    /// Makes this node's fresh `committed` visible (writer lock held). They follow the
    /// snapshot directly unless others committed in between: those come first, from the
    /// change log, or, for a store without one (another process wrote the GeoPackage), by
    /// loading the city again. A write is never acknowledged and left unshown.
    fn show(&self, committed: &[(u64, &[Change])]) {
        let Some(&(first, _)) = committed.first() else {
            return;
        };
        let shown = self.snapshot().version();
        let outcome = if first == shown + 1 {
            catch_unwind(AssertUnwindSafe(|| self.advance(committed)))
                .map_err(|_| StoreError::Corrupt("applying the commits panicked".into()))
        } else if self.store.feed().is_some() {
            self.catch_up_locked().map(drop)
        } else {
            tracing::warn!(
                "the store is at version {first} but this node showed {shown}: another process \
                 wrote it, loading the whole city again"
            );
            self.reload()
        };
        if let Err(e) = outcome {
            tracing::error!("commits up to {} are stored, showing them failed ({e}): loading the whole city again", committed[committed.len() - 1].0);
            if let Err(e) = self.reload() {
                tracing::error!("loading the city failed too: {e}");
            }
        }
    }

    /// Applies the store's commits newer than the snapshot, oldest first; how many there
    /// were. For stores other processes write too (see [`Store::feed`]); blocks, so call it
    /// off the async runtime.
    pub fn catch_up(&self) -> Result<usize, StoreError> {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let applied = self.catch_up_locked()?;
        if applied > 0 {
            // Another node's commit went through: the shared store takes writes again.
            self.failing.store(false, Ordering::Relaxed);
        }
        Ok(applied)
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
        let next = Arc::new(Snapshot::build(self.store.load()?, version));
        let retired = self.snapshot.swap(Arc::clone(&next));
        self.relocate_events(&next, None);
        self.tiles.follow(next, retired, None);
        Ok(())
    }

    /// The one way to a new snapshot: applies `commits` (in order) to a copy of the city,
    /// builds the next snapshot, swaps it in and has the tiles follow it.
    fn advance(&self, commits: &[(u64, &[Change])]) {
        if commits.is_empty() {
            return;
        }
        let current = self.snapshot();
        let Advanced {
            snapshot: next,
            touched,
            mut boxes,
        } = current.advance(commits);
        let next = Arc::new(next);
        boxes.extend(reassigned_grids(&current, &next, &touched));
        // The snapshot replaced is freed by the tile follower, off the writers' time.
        let retired = self.snapshot.swap(Arc::clone(&next));
        self.relocate_events(&next, Some(&boxes));
        self.tiles.follow(next, retired, Some(boxes));
    }
}

impl Live {
    /// Locates again the events in `boxes` (all for `None`) after `next` was swapped in.
    /// Taking the lock after the swap means an ingest either saw `next` or is located here.
    fn relocate_events(&self, next: &Snapshot, boxes: Option<&[[f64; 4]]>) {
        self.events
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .relocate(next, boxes);
    }
}

/// Appends every stored event numbered above the last `log` holds, a page at a time.
fn read_events(store: &dyn Store, log: &mut EventLog, s: &Snapshot) -> Result<(), StoreError> {
    const PAGE: usize = 200_000;
    loop {
        let page = store.events_since(log.last_seq(), PAGE)?;
        let full = page.len() == PAGE;
        log.append(page, s);
        if !full {
            return Ok(());
        }
    }
}

/// The committer thread: waits for a write, takes every other one waiting too, and commits
/// them as one group. Ends when the `Live` is gone.
///
/// Writers answered together come back together, a moment apart: after a group of several,
/// the next group waits [`GATHER`] for the rest of them (as PostgreSQL's `commit_delay` does
/// when other transactions are active), where taking only the first would split them
/// into groups of one and two. A lone writer never waits.
fn commit_pending(live: &Weak<Live>, queue: &Receiver<Pending>) {
    let mut company = false;
    while let Ok(first) = queue.recv() {
        let mut group = vec![first];
        if company {
            let until = Instant::now() + GATHER;
            while group.len() < MAX_GROUP {
                match queue.recv_timeout(until.saturating_duration_since(Instant::now())) {
                    Ok(next) => group.push(next),
                    Err(_) => break,
                }
            }
        }
        group.extend(queue.try_iter().take(MAX_GROUP - group.len()));
        company = group.len() > 1;
        let Some(live) = live.upgrade() else {
            return;
        };
        live.commit_group(group);
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
