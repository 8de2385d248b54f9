//! Web-Mercator tile addressing and the coordinate conversions every other module relies on.
//!
//! Internally everything works in *world* coordinates: Web-Mercator scaled to the unit square,
//! x growing east and y growing **south**, so tile `z/x/y` is simply the square
//! `[x, x+1] × [y, y+1]` divided by `2^z`, and scaling by a power of two is exact. Keeping one
//! such frame means that a vertex shared by two polygons maps to bit-identical coordinates in
//! every tile, which is what keeps neighbours seamless after quantisation.

use std::f64::consts::PI;
use std::fmt;

/// Tile units across one tile (MVT 2.1's default extent).
pub const EXTENT: u32 = 4096;

/// The latitude where the Web-Mercator square ends (`atan(sinh(π))`).
pub const MAX_LATITUDE: f64 = 85.051_128_779_806_59;

/// A Web-Mercator tile address, as in `/{z}/{x}/{y}.mvt` (XYZ scheme: y = 0 is the north edge).
///
/// ```
/// use onemap_tiles::{tile_bbox_lnglat, TileId};
///
/// let tile = TileId::new(1, 1, 0)?; // the north-east quarter of the world
/// assert_eq!(tile.to_string(), "1/1/0");
/// let [west, south, east, north] = tile_bbox_lnglat(tile);
/// assert_eq!((west, south, east), (0.0, 0.0, 180.0));
/// assert!((north - 85.0511).abs() < 1e-4);
/// assert!(TileId::new(1, 2, 0).is_err());
/// assert!(TileId::new(23, 0, 0).is_err());
/// # Ok::<(), onemap_tiles::TileIdError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub z: u8,
    pub x: u32,
    pub y: u32,
}

/// Why a tile address is not valid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum TileIdError {
    #[error("zoom {0} is above the maximum zoom {max}", max = TileId::MAX_ZOOM)]
    ZoomTooHigh(u8),
    #[error("tile {z}/{x}/{y} does not exist: zoom {z} has 2^{z} tiles on each axis")]
    OutOfRange { z: u8, x: u32, y: u32 },
}

impl TileId {
    /// The deepest zoom served: at z22 a tile unit is about 2 cm, finer than any survey.
    pub const MAX_ZOOM: u8 = 22;

    /// A checked tile address.
    pub fn new(z: u8, x: u32, y: u32) -> Result<Self, TileIdError> {
        if z > Self::MAX_ZOOM {
            return Err(TileIdError::ZoomTooHigh(z));
        }
        let n = 1u32 << z;
        if x >= n || y >= n {
            return Err(TileIdError::OutOfRange { z, x, y });
        }
        Ok(TileId { z, x, y })
    }

    /// The tile's square in world coordinates, grown by `buffer` tile units on every side.
    pub(crate) fn world_bbox(self, buffer: f64) -> [f64; 4] {
        let n = tiles_per_axis(self.z);
        let b = buffer / f64::from(EXTENT);
        [
            (f64::from(self.x) - b) / n,
            (f64::from(self.y) - b) / n,
            (f64::from(self.x) + 1.0 + b) / n,
            (f64::from(self.y) + 1.0 + b) / n,
        ]
    }
}

impl fmt::Display for TileId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}/{}", self.z, self.x, self.y)
    }
}

/// `2^z` as a float; a float so that no zoom, however large, can overflow a shift.
pub(crate) fn tiles_per_axis(z: u8) -> f64 {
    f64::from(z).exp2()
}

/// Rounds a coordinate in tile units to the grid, ties to even. Adding and taking away
/// 1.5 · 2^52 pushes the fraction out of the mantissa: two additions instead of a call into
/// libm, on the hottest path of rendering. Exact for |v| < 2^51; tile units at z22 stay below
/// 2^35, and farther points are clipped away anyway.
pub(crate) fn round_to_grid(v: f64) -> i64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    ((v + SHIFT) - SHIFT) as i64
}

/// Longitude/latitude in degrees to world coordinates; latitudes are clamped to the Mercator square.
pub(crate) fn lnglat_to_world(lng: f64, lat: f64) -> [f64; 2] {
    let phi = lat.clamp(-MAX_LATITUDE, MAX_LATITUDE).to_radians();
    [(lng + 180.0) / 360.0, 0.5 - phi.tan().asinh() / (2.0 * PI)]
}

/// World coordinates back to longitude/latitude in degrees.
pub(crate) fn world_to_lnglat(x: f64, y: f64) -> [f64; 2] {
    [
        x * 360.0 - 180.0,
        (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees(),
    ]
}

/// A lng/lat box `[west, south, east, north]` as a world box `[min x, min y, max x, max y]`.
pub(crate) fn bbox_to_world(bbox: [f64; 4]) -> [f64; 4] {
    let [x0, y1] = lnglat_to_world(bbox[0], bbox[1]);
    let [x1, y0] = lnglat_to_world(bbox[2], bbox[3]);
    [x0, y0, x1, y1]
}

/// Whether two closed boxes `[min x, min y, max x, max y]` share at least a point.
pub(crate) fn boxes_touch(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

/// The tile's extent `[west, south, east, north]` in degrees, without buffer.
pub fn tile_bbox_lnglat(tile: TileId) -> [f64; 4] {
    let [x0, y0, x1, y1] = tile.world_bbox(0.0);
    let [west, north] = world_to_lnglat(x0, y0);
    let [east, south] = world_to_lnglat(x1, y1);
    [west, south, east, north]
}

/// The tiles of zoom `z` whose extent intersects `bbox_lnglat` (`[west, south, east, north]`;
/// touching counts), row by row from the north-west. Parts of the box beyond the Mercator square
/// are clamped to it; an inverted or non-finite box, or a zoom above [`TileId::MAX_ZOOM`],
/// yields nothing.
///
/// ```
/// use onemap_tiles::tiles_covering;
///
/// let tiles: Vec<_> = tiles_covering([-1.0, -1.0, 1.0, 1.0], 1).collect();
/// assert_eq!(tiles.len(), 4); // the box straddles the centre of the world
/// ```
pub fn tiles_covering(bbox_lnglat: [f64; 4], z: u8) -> impl Iterator<Item = TileId> {
    let valid = z <= TileId::MAX_ZOOM
        && bbox_lnglat.iter().all(|v| !v.is_nan())
        && bbox_lnglat[0] <= bbox_lnglat[2]
        && bbox_lnglat[1] <= bbox_lnglat[3];
    let (xs, ys) = if valid {
        let n = tiles_per_axis(z);
        let last = n - 1.0;
        let [x0, y0, x1, y1] = bbox_to_world(bbox_lnglat);
        let cell = |v: f64| (v * n).floor().clamp(0.0, last) as u32;
        (cell(x0)..cell(x1) + 1, cell(y0)..cell(y1) + 1)
    } else {
        (0..0, 0..0)
    };
    ys.flat_map(move |y| xs.clone().map(move |x| TileId { z, x, y }))
}
