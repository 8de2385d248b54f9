//! The tile cache: LRU within a byte budget, and invalidation of exactly the touched tiles.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use std::collections::HashSet;
use std::f64::consts::PI;
use std::sync::Arc;

use onemap_tiles::{tiles_covering, CacheStats, TileCache, TileId};

fn tile(z: u8, x: u32, y: u32) -> TileId {
    TileId::new(z, x, y).unwrap()
}

#[test]
fn hits_misses_and_replacing() {
    let cache = TileCache::new(1 << 20);
    assert_eq!(cache.get("grid", tile(3, 1, 1)), None);
    let stored = cache.insert("grid", tile(3, 1, 1), vec![0u8; 10]);
    let got = cache.get("grid", tile(3, 1, 1)).unwrap();
    assert!(Arc::ptr_eq(&stored, &got), "hits share the stored bytes");
    assert_eq!(
        cache.get("beat", tile(3, 1, 1)),
        None,
        "layer sets are separate"
    );
    let overhead = cache.stats().bytes - 10; // an entry costs its bytes and a fixed overhead
    cache.insert("grid", tile(3, 1, 1), vec![1u8; 30]);
    assert_eq!(cache.get("grid", tile(3, 1, 1)).unwrap()[0], 1);
    let stats = cache.stats();
    assert_eq!(
        stats,
        CacheStats {
            hits: 2,
            misses: 2,
            bytes: overhead + 30,
            entries: 1
        }
    );
    cache.clear();
    assert_eq!(
        cache.stats(),
        CacheStats {
            hits: 2,
            misses: 2,
            bytes: 0,
            entries: 0
        }
    );
}

#[test]
fn least_recently_used_tiles_go_first_and_the_budget_holds() {
    let probe = TileCache::new(1 << 20);
    probe.insert("a", tile(0, 0, 0), vec![0u8; 100]);
    let entry = probe.stats().bytes; // 100 bytes and the overhead
    let cache = TileCache::new(3 * entry);
    for x in 0..3 {
        cache.insert("a", tile(2, x, 0), vec![x as u8; 100]);
    }
    assert!(cache.get("a", tile(2, 0, 0)).is_some()); // now 1 is the oldest
    cache.insert("a", tile(2, 3, 0), vec![3u8; 100]);
    assert!(
        cache.get("a", tile(2, 1, 0)).is_none(),
        "the least recently used went"
    );
    for x in [0, 2, 3] {
        assert!(cache.get("a", tile(2, x, 0)).is_some(), "{x} stays");
    }
    assert_eq!(cache.stats().entries, 3);
    assert!(cache.stats().bytes <= 3 * entry);
    // A big tile pushes out as many as needed; one bigger than the budget is not kept.
    cache.insert("a", tile(2, 0, 1), vec![0u8; 2 * 100 + 64]);
    assert_eq!(cache.stats().entries, 2);
    assert!(cache.stats().bytes <= 3 * entry);
    let huge = cache.insert("a", tile(2, 1, 1), vec![0u8; 4 * entry]);
    assert_eq!(huge.len(), 4 * entry, "still handed back");
    assert!(cache.get("a", tile(2, 1, 1)).is_none());
    assert_eq!(cache.stats().entries, 2);
}

/// The tile's extent grown by `buffer` of 4096 units, in lng/lat, computed independently.
fn buffered_bbox(t: TileId, buffer: f64) -> [f64; 4] {
    let n = f64::from(t.z).exp2();
    let b = buffer / 4096.0;
    let lng = |x: f64| x / n * 360.0 - 180.0;
    let lat = |y: f64| (PI * (1.0 - 2.0 * y / n)).sinh().atan().to_degrees();
    let (x, y) = (f64::from(t.x), f64::from(t.y));
    [lng(x - b), lat(y + 1.0 + b), lng(x + 1.0 + b), lat(y - b)]
}

fn meets(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

#[test]
fn invalidation_drops_exactly_the_tiles_whose_buffered_extent_meets_the_edit() {
    let cache = TileCache::new(1 << 30);
    let region = [121.30, 28.50, 121.60, 28.75];
    let edit = [121.4213, 28.6071, 121.4388, 28.6189];
    let mut all = Vec::new();
    for z in 0..=17 {
        for t in tiles_covering(region, z) {
            for layers in ["grid", "grid,beat"] {
                cache.insert(layers, t, vec![z; 8]);
                all.push((layers, t));
            }
        }
    }
    let expected: HashSet<_> = all
        .iter()
        .filter(|(_, t)| meets(buffered_bbox(*t, 64.0), edit))
        .copied()
        .collect();
    let touching_only_by_buffer = expected
        .iter()
        .filter(|(_, t)| !meets(buffered_bbox(*t, 0.0), edit))
        .count();
    assert!(
        touching_only_by_buffer > 0,
        "the test has tiles that only the buffer reaches"
    );
    assert!(
        expected.len() < all.len() / 2,
        "and many that the edit does not touch"
    );

    let dropped = cache.invalidate_bbox(edit);
    assert_eq!(dropped, expected.len());
    for (layers, t) in &all {
        assert_eq!(
            cache.get(layers, *t).is_none(),
            expected.contains(&(*layers, *t)),
            "{layers} {t}"
        );
    }
    assert_eq!(cache.stats().entries, all.len() - expected.len());
    // Every zoom lost its tiles over the edit.
    for z in 0..=17 {
        assert!(expected.iter().any(|(_, t)| t.z == z), "z{z}");
    }
}

#[test]
fn the_buffer_the_tiles_were_made_with_is_the_one_invalidated() {
    let t = tiles_covering([121.43, 28.61, 121.43, 28.61], 14)
        .next()
        .unwrap();
    let b = buffered_bbox(t, 0.0);
    // A point just east of the tile, inside a 64-unit buffer but outside a 0-unit one.
    let east = b[2] + (b[2] - b[0]) * 0.01;
    let edit = [east, b[1] + 0.001, east, b[1] + 0.001];
    let unbuffered = TileCache::with_buffer(1 << 20, 0);
    let buffered = TileCache::new(1 << 20);
    for cache in [&unbuffered, &buffered] {
        cache.insert("grid", t, vec![1]);
    }
    assert_eq!(unbuffered.invalidate_bbox(edit), 0);
    assert_eq!(buffered.invalidate_bbox(edit), 1);
}

#[test]
fn many_threads_share_one_cache() {
    let cache = TileCache::new(200 * 1024);
    let base = tiles_covering([121.43, 28.61, 121.43, 28.61], 16)
        .next()
        .unwrap();
    std::thread::scope(|s| {
        for thread in 0..8u32 {
            let cache = &cache;
            s.spawn(move || {
                for i in 0..2000u32 {
                    let t = tile(16, base.x + thread * 20 + i % 20, base.y + i % 5);
                    if cache.get("grid", t).is_none() {
                        cache.insert("grid", t, vec![thread as u8; 100 + (i % 50) as usize]);
                    }
                    if i % 500 == 499 {
                        cache.invalidate_bbox([121.43, 28.61, 121.44, 28.62]);
                    }
                }
            });
        }
    });
    let stats = cache.stats();
    assert_eq!(stats.hits + stats.misses, 16_000);
    assert!(stats.hits > 8_000, "{stats:?}");
    assert!(
        stats.bytes <= 200 * 1024 && stats.entries > 0 && stats.entries <= 800,
        "{stats:?}"
    );
    cache.clear();
    assert_eq!(cache.stats().bytes, 0);
}
