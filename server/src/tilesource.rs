//! The tile side of the live city: a `Tiler` built from each snapshot, the tile cache, and the
//! properties the map's style needs.
//!
//! Tiles follow the snapshot on a thread of their own, so that a write is acknowledged once its
//! snapshot is in, without waiting for the tiler (the dearer half of an edit). Snapshots that
//! arrive while a tiler is being built are taken together by the next build. A tile request
//! waits until the tiles have caught up with the snapshot it saw, so nobody is ever served a
//! tile older than an answer they already had.

use onemap_index::{layers, Feature, Layer, Role, Snapshot};
use onemap_tiles::{
    PropValue, TileCache, TileFeature, TileGeometry, TileLayer, Tiler, TilerOptions,
};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Condvar, Mutex, PoisonError, RwLock};
use tokio::sync::watch;

/// How many colours the style has for beats; neighbouring beats rarely share one.
pub const BEAT_COLOURS: i64 = 12;

/// The tiler of the current snapshot, the cache of rendered tiles, and the thread that keeps
/// them up with new snapshots (it ends when the `Tiles` is dropped).
pub struct Tiles {
    shared: Arc<Shared>,
}

struct Shared {
    /// Rendering holds the read side; the follower takes the write side only to swap the tiler
    /// and drop the tiles the edit touched, so no tile rendered from old data is cached after.
    tiler: RwLock<Arc<Tiler>>,
    cache: TileCache,
    /// The snapshot version the tiler shows.
    shown: watch::Sender<u64>,
    due: Mutex<Due>,
    wake: Condvar,
}

/// The boxes (lng/lat) whose tiles changed; `None` when they may have changed anywhere.
type Dirty = Option<Vec<[f64; 4]>>;

/// Work for the follower thread.
#[derive(Default)]
struct Due {
    /// The newest snapshot not yet shown, and the boxes every snapshot since the shown one
    /// touched (`None`: the whole city changed, build afresh and drop every cached tile).
    next: Option<(Arc<Snapshot>, Dirty)>,
    /// Snapshots readers no longer see, freed here rather than on the committer's time.
    retired: Vec<Arc<Snapshot>>,
    closed: bool,
}

impl Tiles {
    pub fn new(snapshot: &Snapshot, cache_bytes: usize) -> std::io::Result<Tiles> {
        let shared = Arc::new(Shared {
            tiler: RwLock::new(Arc::new(build_tiler(snapshot))),
            cache: TileCache::new(cache_bytes),
            shown: watch::Sender::new(snapshot.version()),
            due: Mutex::default(),
            wake: Condvar::new(),
        });
        let follower = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("tiles".into())
            .spawn(move || follower.follow())?;
        Ok(Tiles { shared })
    }

    pub fn cache(&self) -> &TileCache {
        &self.shared.cache
    }

    /// Has the tiles follow `snapshot`, which replaced `retired`; `boxes` are what it changed
    /// since `retired`, `None` when it may differ anywhere.
    pub fn follow(&self, snapshot: Arc<Snapshot>, retired: Arc<Snapshot>, boxes: Dirty) {
        let mut due = self.shared.lock_due();
        let (boxes, skipped) = match (due.next.take(), boxes) {
            (Some((skipped, Some(mut earlier))), Some(boxes)) => {
                earlier.extend(boxes);
                (Some(earlier), Some(skipped))
            }
            (Some((skipped, _)), _) => (None, Some(skipped)),
            (None, boxes) => (boxes, None),
        };
        due.retired.extend(skipped);
        due.retired.push(retired);
        due.next = Some((snapshot, boxes));
        self.shared.wake.notify_one();
    }

    /// Waits until the tiles show `version` or later.
    pub async fn caught_up(&self, version: u64) {
        let mut shown = self.shared.shown.subscribe();
        // The sender lives as long as `self`.
        let _ = shown.wait_for(|v| *v >= version).await;
    }

    /// Runs `f` with the current tiler while holding off swaps.
    pub fn with_tiler<T>(&self, f: impl FnOnce(&Tiler) -> T) -> T {
        let tiler = self
            .shared
            .tiler
            .read()
            .unwrap_or_else(PoisonError::into_inner);
        f(&tiler)
    }
}

impl Drop for Tiles {
    fn drop(&mut self) {
        self.shared.lock_due().closed = true;
        self.shared.wake.notify_one();
    }
}

impl Shared {
    fn lock_due(&self) -> std::sync::MutexGuard<'_, Due> {
        self.due.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The follower thread: builds the tiler of each newest snapshot until closed, at a lower
    /// priority than the committer and the async workers.
    fn follow(&self) {
        crate::work::lower_priority();
        loop {
            let (snapshot, boxes, retired) = {
                let mut due = self.lock_due();
                loop {
                    if due.closed {
                        return;
                    }
                    if let Some((snapshot, boxes)) = due.next.take() {
                        break (snapshot, boxes, std::mem::take(&mut due.retired));
                    }
                    due = self.wake.wait(due).unwrap_or_else(PoisonError::into_inner);
                }
            };
            drop(retired);
            self.show(&snapshot, boxes.as_deref());
            self.shown.send_replace(snapshot.version());
        }
    }

    /// Swaps in the tiler of `snapshot`, reusing the current one where `boxes` allow, and
    /// drops the cached tiles they touched. Should building panic, the tiles stay as they were
    /// rather than keep tile requests waiting.
    fn show(&self, snapshot: &Snapshot, boxes: Option<&[[f64; 4]]>) {
        let current = Arc::clone(&self.tiler.read().unwrap_or_else(PoisonError::into_inner));
        let built = catch_unwind(AssertUnwindSafe(|| match boxes {
            Some(_) => next_tiler(&current, snapshot),
            None => build_tiler(snapshot),
        }));
        let Ok(next) = built else {
            tracing::error!(
                "building the tiles of version {} panicked: tiles show an earlier version until the next edit",
                snapshot.version()
            );
            return;
        };
        let mut tiler = self.tiler.write().unwrap_or_else(PoisonError::into_inner);
        *tiler = Arc::new(next);
        match boxes {
            Some(boxes) => {
                for b in boxes {
                    self.cache.invalidate_bbox(*b);
                }
            }
            None => self.cache.clear(),
        }
    }
}

/// A stable numeric id for MVT (and MapLibre feature state): FNV-1a of layer and id, cut to
/// 53 bits so JavaScript holds it exactly.
pub fn tile_id(f: &Feature) -> u64 {
    fnv1a(f.layer().as_str().bytes().chain([b'/']).chain(f.id.bytes())) & ((1 << 53) - 1)
}

/// A beat's colour from its id alone, so adding or removing another beat never recolours it
/// (and never leaves cached tiles with stale colours).
pub fn beat_colour(id: &str) -> i64 {
    (fnv1a(id.bytes()) % BEAT_COLOURS as u64) as i64
}

fn fnv1a(bytes: impl Iterator<Item = u8>) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// A tiler over every layer of `s`, with the properties the style uses.
pub fn build_tiler(s: &Snapshot) -> Tiler {
    Tiler::new(tile_layers(s), TilerOptions::default())
}

/// The tiler of `s` after `current`, keeping what `current` prepared where features are
/// unchanged.
pub fn next_tiler(current: &Tiler, s: &Snapshot) -> Tiler {
    current.next(tile_layers(s), TilerOptions::default())
}

fn tile_layers(s: &Snapshot) -> Vec<TileLayer> {
    Layer::ALL
        .iter()
        .map(|layer| TileLayer {
            name: layer.to_string(),
            features: s.layer(*layer).map(|f| tile_feature(s, f)).collect(),
        })
        .collect()
}

/// A feature as tiles carry it: id and name, the attributes the registry marks for tiles, then
/// what its kind derives from the snapshot (listed in the registry too).
fn tile_feature(s: &Snapshot, f: &Feature) -> TileFeature {
    let mut props: Vec<(String, PropValue)> = vec![
        ("id".into(), f.id.clone().into()),
        ("name".into(), f.name.clone().into()),
    ];
    let spec = layers::spec(f.layer());
    for (field, value) in spec.fields.iter().zip(spec.values(&f.attributes)) {
        if let (true, Some(value)) = (field.tile, value.and_then(tile_value)) {
            props.push((field.name.to_string(), value));
        }
    }
    let mut put = |k: &str, v: PropValue| props.push((k.to_string(), v));
    match f.layer() {
        Layer::Grid => {
            if let Some(p) = s.index_of(Layer::Grid, &f.id).and_then(|i| s.parent(i)) {
                put("parent", s.feature(p).id.clone().into());
            }
            if let Some((beat, straddles)) = s.assigned_beat(&f.id) {
                put("beat", beat.to_string().into());
                put("beat_color", beat_colour(beat).into());
                put("straddles", straddles.into());
                if let Some(station) = s.index_of(Layer::Beat, beat).and_then(|b| s.parent(b)) {
                    put("station", s.feature(station).id.clone().into());
                }
            }
        }
        Layer::Beat => {
            if let Some(station) = s.index_of(Layer::Beat, &f.id).and_then(|b| s.parent(b)) {
                put("station", s.feature(station).id.clone().into());
            }
            let officers = s
                .people_of(f)
                .iter()
                .filter(|p| p.role == Role::CommunityOfficer)
                .count();
            put("officers", (officers as i64).into());
            put("beat_color", beat_colour(&f.id).into());
        }
        Layer::Station | Layer::Camera => {}
    }
    let geometry = match &f.shape {
        onemap_index::Shape::Area(mp) => TileGeometry::MultiPolygon(mp.clone()),
        onemap_index::Shape::Point(p) => TileGeometry::Point(*p),
    };
    TileFeature {
        id: tile_id(f),
        geometry,
        properties: props,
        min_zoom: f.min_zoom(),
    }
}

/// An attribute as a tile property; positions are not carried.
fn tile_value(value: layers::Value) -> Option<PropValue> {
    Some(match value {
        layers::Value::Text(s) => s.into(),
        layers::Value::Integer(n) => n.into(),
        layers::Value::Number(x) => x.into(),
        layers::Value::Boolean(b) => b.into(),
        layers::Value::Position(_) => return None,
    })
}
