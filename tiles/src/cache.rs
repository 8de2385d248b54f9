//! A byte-bounded LRU cache of rendered tiles that forgets exactly the tiles an edit touches.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::tile_id::{bbox_to_world, boxes_touch, TileId};
use crate::TilerOptions;

/// What an entry costs beyond its bytes, so that empty tiles, which are worth caching, still
/// count against the budget.
const ENTRY_OVERHEAD: usize = 64;

/// Rendered tiles keyed by a layer-set key (any string naming the layers, e.g. `"grid,beat"`)
/// and a [`TileId`], least recently used first out once the byte budget is spent.
///
/// All methods take `&self`: one cache serves all request threads. Tiles are shared as
/// `Arc<[u8]>`, so a hit costs a reference count, not a copy (for a `bytes::Bytes` body,
/// `Bytes::from_owner(tile)` keeps it that way). An empty slice is a fine way to remember an
/// empty tile.
///
/// ```
/// use onemap_tiles::{tiles_covering, TileCache};
///
/// let cache = TileCache::new(64 << 20);
/// let tile = tiles_covering([121.42, 28.65, 121.42, 28.65], 14).next().unwrap(); // in Taizhou
/// assert!(cache.get("grid", tile).is_none());
/// cache.insert("grid", tile, vec![1, 2, 3]);
/// assert_eq!(cache.get("grid", tile).as_deref(), Some(&[1u8, 2, 3][..]));
///
/// // An edit far away keeps the tile; one inside it drops it, at every zoom.
/// cache.invalidate_bbox([116.0, 39.0, 116.1, 39.1]);
/// assert!(cache.get("grid", tile).is_some());
/// cache.invalidate_bbox([121.41, 28.64, 121.43, 28.66]);
/// assert!(cache.get("grid", tile).is_none());
/// assert_eq!(cache.stats().hits, 2);
/// ```
#[derive(Debug)]
pub struct TileCache {
    inner: Mutex<Inner>,
    max_bytes: usize,
    /// The tiler's buffer in tile units: a tile shows data this far beyond its edges.
    buffer: f64,
}

/// Counters and sizes, for metrics.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    /// Bytes held, counting a small fixed overhead per entry.
    pub bytes: usize,
    pub entries: usize,
}

#[derive(Debug, Default)]
struct Inner {
    tiles: HashMap<Arc<str>, HashMap<TileId, Entry>>,
    /// Entries by last use, oldest first.
    by_use: BTreeMap<u64, (Arc<str>, TileId)>,
    clock: u64,
    stats: CacheStats,
}

#[derive(Debug)]
struct Entry {
    data: Arc<[u8]>,
    last_use: u64,
}

impl TileCache {
    /// A cache of at most `max_bytes`, for tiles rendered with the default buffer.
    pub fn new(max_bytes: usize) -> Self {
        Self::with_buffer(max_bytes, TilerOptions::default().buffer)
    }

    /// A cache for tiles rendered with [`TilerOptions::buffer`] `buffer`, which
    /// [`TileCache::invalidate_bbox`] must know to find every tile an edit shows in.
    pub fn with_buffer(max_bytes: usize, buffer: u32) -> Self {
        TileCache {
            inner: Mutex::default(),
            max_bytes,
            buffer: f64::from(buffer),
        }
    }

    /// A poisoned lock only means another thread panicked; the cache itself is still whole.
    fn lock(&self) -> MutexGuard<'_, Inner> {
        self.inner
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn get(&self, layers: &str, tile: TileId) -> Option<Arc<[u8]>> {
        let mut inner = self.lock();
        let inner = &mut *inner;
        let found = inner.tiles.get_key_value(layers).and_then(|(key, tiles)| {
            let entry = tiles.get(&tile)?;
            Some((Arc::clone(key), entry.last_use, Arc::clone(&entry.data)))
        });
        let Some((key, last_use, data)) = found else {
            inner.stats.misses += 1;
            return None;
        };
        inner.stats.hits += 1;
        inner.by_use.remove(&last_use);
        inner.clock += 1;
        let now = inner.clock;
        inner.by_use.insert(now, (Arc::clone(&key), tile));
        if let Some(entry) = inner.tiles.get_mut(&key).and_then(|t| t.get_mut(&tile)) {
            entry.last_use = now;
        }
        Some(data)
    }

    /// Caches `data` as the tile `tile` of the layer set `layers`, replacing what was there,
    /// and hands it back shared. A tile larger than the whole budget is not kept.
    pub fn insert(&self, layers: &str, tile: TileId, data: impl Into<Arc<[u8]>>) -> Arc<[u8]> {
        let data = data.into();
        let size = data.len() + ENTRY_OVERHEAD;
        let mut inner = self.lock();
        inner.remove(layers, tile);
        if size > self.max_bytes {
            return data;
        }
        while inner.stats.bytes + size > self.max_bytes {
            let Some((_, (key, oldest))) = inner.by_use.pop_first() else {
                break;
            };
            inner.remove(&key, oldest);
        }
        let key = match inner.tiles.get_key_value(layers) {
            Some((key, _)) => Arc::clone(key),
            None => Arc::from(layers),
        };
        inner.clock += 1;
        let now = inner.clock;
        inner.by_use.insert(now, (Arc::clone(&key), tile));
        let entry = Entry {
            data: Arc::clone(&data),
            last_use: now,
        };
        inner.tiles.entry(key).or_default().insert(tile, entry);
        inner.stats.bytes += size;
        inner.stats.entries += 1;
        data
    }

    /// Drops every cached tile, of every zoom and layer set, whose extent grown by the buffer
    /// intersects (or touches) `bbox_lnglat` (`[west, south, east, north]`), and only those;
    /// returns how many. Pass the union of an edit's old and new bounding boxes.
    pub fn invalidate_bbox(&self, bbox_lnglat: [f64; 4]) -> usize {
        let edit = bbox_to_world(bbox_lnglat);
        let mut inner = self.lock();
        let doomed: Vec<(Arc<str>, TileId)> = inner
            .tiles
            .iter()
            .flat_map(|(key, tiles)| tiles.keys().map(move |&tile| (key, tile)))
            .filter(|(_, tile)| boxes_touch(tile.world_bbox(self.buffer), edit))
            .map(|(key, tile)| (Arc::clone(key), tile))
            .collect();
        for (key, tile) in &doomed {
            inner.remove(key, *tile);
        }
        doomed.len()
    }

    /// Drops every tile; the hit and miss counters keep counting.
    pub fn clear(&self) {
        let mut inner = self.lock();
        inner.tiles.clear();
        inner.by_use.clear();
        inner.stats.bytes = 0;
        inner.stats.entries = 0;
    }

    pub fn stats(&self) -> CacheStats {
        self.lock().stats
    }
}

impl Inner {
    fn remove(&mut self, layers: &str, tile: TileId) {
        let Some(tiles) = self.tiles.get_mut(layers) else {
            return;
        };
        let Some(entry) = tiles.remove(&tile) else {
            return;
        };
        if tiles.is_empty() {
            self.tiles.remove(layers);
        }
        self.by_use.remove(&entry.last_use);
        self.stats.bytes -= entry.data.len() + ENTRY_OVERHEAD;
        self.stats.entries -= 1;
    }
}
