//! Tile addresses, their extents and the tiles covering a box.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use onemap_tiles::{tile_bbox_lnglat, tiles_covering, TileId, TileIdError, MAX_LATITUDE};

#[test]
fn addresses_are_checked() {
    assert_eq!(TileId::new(0, 0, 0), Ok(TileId { z: 0, x: 0, y: 0 }));
    assert!(TileId::new(22, (1 << 22) - 1, (1 << 22) - 1).is_ok());
    assert_eq!(TileId::new(23, 0, 0), Err(TileIdError::ZoomTooHigh(23)));
    assert_eq!(
        TileId::new(3, 8, 0),
        Err(TileIdError::OutOfRange { z: 3, x: 8, y: 0 })
    );
    assert_eq!(
        TileId::new(3, 0, 8),
        Err(TileIdError::OutOfRange { z: 3, x: 0, y: 8 })
    );
    assert_eq!(
        TileId::new(12, 3425, 1710).unwrap().to_string(),
        "12/3425/1710"
    );
    assert!(TileIdError::ZoomTooHigh(30).to_string().contains("22"));
}

fn close(a: [f64; 4], b: [f64; 4]) -> bool {
    a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-9)
}

#[test]
fn extents_follow_web_mercator() {
    let m = MAX_LATITUDE;
    assert!(close(
        tile_bbox_lnglat(TileId::new(0, 0, 0).unwrap()),
        [-180.0, -m, 180.0, m]
    ));
    assert!(close(
        tile_bbox_lnglat(TileId::new(1, 0, 0).unwrap()),
        [-180.0, 0.0, 0.0, m]
    ));
    assert!(close(
        tile_bbox_lnglat(TileId::new(1, 1, 1).unwrap()),
        [0.0, -m, 180.0, 0.0]
    ));
    // Neighbours share their edges exactly, and Mercator rows shrink towards the poles: this
    // tile, in the north, spans less latitude than the one below it.
    let t = TileId::new(10, 857, 426).unwrap();
    let right = tile_bbox_lnglat(TileId { x: t.x + 1, ..t });
    let below = tile_bbox_lnglat(TileId { y: t.y + 1, ..t });
    let b = tile_bbox_lnglat(t);
    assert_eq!(b[2], right[0]);
    assert_eq!(b[1], below[3]);
    assert!(b[3] - b[1] < below[3] - below[1]);
    assert!((b[2] - b[0] - 360.0 / 1024.0).abs() < 1e-12);
}

#[test]
fn covering_tiles_are_exactly_those_that_meet_the_box() {
    let bbox = [121.31, 28.52, 121.55, 28.71];
    for z in [0, 5, 10, 13, 15] {
        let tiles: Vec<TileId> = tiles_covering(bbox, z).collect();
        let meets = |t: TileId| {
            let b = tile_bbox_lnglat(t);
            b[0] <= bbox[2] && bbox[0] <= b[2] && b[1] <= bbox[3] && bbox[1] <= b[3]
        };
        assert!(tiles.iter().all(|&t| meets(t)), "z{z}");
        // The ring of tiles around the covering does not meet the box.
        let (x0, x1) = (
            tiles.iter().map(|t| t.x).min().unwrap(),
            tiles.iter().map(|t| t.x).max().unwrap(),
        );
        let (y0, y1) = (
            tiles.iter().map(|t| t.y).min().unwrap(),
            tiles.iter().map(|t| t.y).max().unwrap(),
        );
        assert_eq!(tiles.len() as u32, (x1 - x0 + 1) * (y1 - y0 + 1));
        let n = 1u32 << z;
        for x in x0.saturating_sub(1)..=(x1 + 1).min(n - 1) {
            for y in y0.saturating_sub(1)..=(y1 + 1).min(n - 1) {
                let t = TileId::new(z, x, y).unwrap();
                assert_eq!(meets(t), tiles.contains(&t), "z{z} {t}");
            }
        }
    }
}

#[test]
fn a_point_is_covered_by_the_one_tile_holding_it() {
    for (lng, lat) in [(121.4, 28.6), (-73.98, 40.75), (0.5, -0.5), (179.9, -85.0)] {
        for z in [0, 7, 14, 22] {
            let tiles: Vec<_> = tiles_covering([lng, lat, lng, lat], z).collect();
            assert_eq!(tiles.len(), 1);
            let b = tile_bbox_lnglat(tiles[0]);
            assert!(
                b[0] <= lng && lng <= b[2] && b[1] <= lat && lat <= b[3],
                "{lng},{lat} z{z}"
            );
        }
    }
}

#[test]
fn covering_clamps_to_the_world_and_refuses_nonsense() {
    assert_eq!(tiles_covering([-180.0, -90.0, 180.0, 90.0], 2).count(), 16);
    assert_eq!(tiles_covering([-500.0, -100.0, 500.0, 100.0], 1).count(), 4);
    assert_eq!(tiles_covering([10.0, 10.0, 0.0, 20.0], 5).count(), 0);
    assert_eq!(tiles_covering([f64::NAN, 10.0, 0.0, 20.0], 5).count(), 0);
    assert_eq!(tiles_covering([0.0, 0.0, 1.0, 1.0], 23).count(), 0);
    let first = tiles_covering([-180.0, -90.0, 180.0, 90.0], 1)
        .next()
        .unwrap();
    assert_eq!(first, TileId::new(1, 0, 0).unwrap(), "from the north-west");
}
