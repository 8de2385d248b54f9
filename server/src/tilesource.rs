//! The tile side of the live city: a `Tiler` built from each snapshot, the tile cache, and the
//! properties the map's style needs.

use onemap_index::{Attributes, Feature, Layer, Role, Snapshot};
use onemap_tiles::{
    PropValue, TileCache, TileFeature, TileGeometry, TileLayer, Tiler, TilerOptions,
};
use std::sync::{Arc, RwLock};

/// How many colours the style has for beats; neighbouring beats rarely share one.
pub const BEAT_COLOURS: i64 = 12;

/// The tiler of the current snapshot and the cache of rendered tiles.
///
/// Rendering holds the read side of `tiler`; an edit takes the write side only to swap the
/// tiler and drop the tiles it touched, so no tile rendered from the old data is cached after
/// the swap.
pub struct Tiles {
    tiler: RwLock<Arc<Tiler>>,
    pub cache: TileCache,
}

impl Tiles {
    pub fn new(snapshot: &Snapshot, cache_bytes: usize) -> Tiles {
        Tiles {
            tiler: RwLock::new(Arc::new(build_tiler(snapshot))),
            cache: TileCache::new(cache_bytes),
        }
    }

    /// Swaps in the tiler of a new snapshot and drops the cached tiles the edit touched.
    pub fn refresh(&self, snapshot: &Snapshot, boxes: &[[f64; 4]]) {
        let current = Arc::clone(&self.tiler.read().unwrap_or_else(|e| e.into_inner()));
        let next = Arc::new(current.next(tile_layers(snapshot), TilerOptions::default()));
        let mut tiler = self.tiler.write().unwrap_or_else(|e| e.into_inner());
        *tiler = next;
        for b in boxes {
            self.cache.invalidate_bbox(*b);
        }
    }

    /// Swaps in a tiler built from scratch for `snapshot` and drops every cached tile.
    pub fn replace(&self, snapshot: &Snapshot) {
        let next = Arc::new(build_tiler(snapshot));
        let mut tiler = self.tiler.write().unwrap_or_else(|e| e.into_inner());
        *tiler = next;
        self.cache.clear();
    }

    /// Runs `f` with the current tiler while holding off refreshes.
    pub fn with_tiler<T>(&self, f: impl FnOnce(&Tiler) -> T) -> T {
        let tiler = self.tiler.read().unwrap_or_else(|e| e.into_inner());
        f(&tiler)
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

fn tile_layers(s: &Snapshot) -> Vec<TileLayer> {
    Layer::ALL
        .iter()
        .map(|layer| TileLayer {
            name: layer.to_string(),
            features: s.layer(*layer).map(|f| tile_feature(s, f)).collect(),
        })
        .collect()
}

fn tile_feature(s: &Snapshot, f: &Feature) -> TileFeature {
    let mut props: Vec<(String, PropValue)> = vec![
        ("id".into(), f.id.clone().into()),
        ("name".into(), f.name.clone().into()),
    ];
    let mut put = |k: &str, v: PropValue| props.push((k.to_string(), v));
    match &f.attributes {
        Attributes::Grid {
            level,
            kind,
            setting,
            category,
            ..
        } => {
            put("level", (*level as i64).into());
            put("kind", kind_str(kind).into());
            if let Some(c) = category {
                put("category", c.clone().into());
            }
            if let Some(st) = setting {
                put(
                    "setting",
                    if *st == onemap_index::Setting::Urban {
                        "urban"
                    } else {
                        "rural"
                    }
                    .into(),
                );
            }
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
        Attributes::Beat { .. } => {
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
        Attributes::Station { .. } => {}
        Attributes::Camera { kind, status, .. } => {
            put("kind", kind.clone().into());
            put(
                "status",
                if *status == onemap_index::CameraStatus::Online {
                    "online"
                } else {
                    "offline"
                }
                .into(),
            );
        }
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

fn kind_str(kind: &onemap_index::GridKind) -> &'static str {
    match kind {
        onemap_index::GridKind::Comprehensive => "comprehensive",
        onemap_index::GridKind::Exclusive => "exclusive",
    }
}
