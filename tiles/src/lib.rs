//! Vector tiles for the one-map: grids, beats, stations and cameras as MVT 2.1.
//!
//! A [`Tiler`] is built once per data version from [`TileLayer`]s in longitude/latitude. It
//! projects them to Web-Mercator, simplifies each polygon layer per zoom band *as a coverage*
//! (shared edges are simplified once, so neighbours never gap or overlap), places a label
//! point in every polygon and indexes everything in R-trees. [`Tiler::render`] then turns a
//! [`TileId`] into tile bytes in microseconds, and a [`TileCache`] keeps the results until an
//! edit invalidates the tiles it touches. The crate knows nothing of HTTP or SQL.
//!
//! ```
//! use geo_types::polygon;
//! use onemap_tiles::{tiles_covering, PropValue, TileCache, TileFeature, TileLayer, Tiler, TilerOptions};
//!
//! let grid = TileFeature {
//!     id: 1,
//!     geometry: polygon![
//!         (x: 121.40, y: 28.60), (x: 121.42, y: 28.60), (x: 121.42, y: 28.62), (x: 121.40, y: 28.62),
//!     ].into(),
//!     properties: vec![("name".into(), PropValue::from("东门网格")), ("level".into(), PropValue::Int(3))],
//!     min_zoom: 0,
//! };
//! let tiler = Tiler::new(vec![TileLayer { name: "grid".into(), features: vec![grid] }], TilerOptions::default());
//! let cache = TileCache::new(256 << 20);
//!
//! // What a tile endpoint does:
//! let tile = tiles_covering([121.41, 28.61, 121.41, 28.61], 13).next().unwrap();
//! let bytes = match cache.get("grid", tile) {
//!     Some(bytes) => bytes,
//!     None => cache.insert("grid", tile, tiler.render(&["grid", "grid_label"], tile).unwrap_or_default()),
//! };
//! assert!(!bytes.is_empty());
//!
//! // After an edit: a new tiler, and the old tiles of the edited area are gone.
//! assert_eq!(cache.invalidate_bbox([121.40, 28.60, 121.42, 28.62]), 1);
//! ```

mod cache;
mod clip;
mod coverage;
mod feature;
mod label;
mod mvt;
mod render;
mod rings;
mod simplify;
mod tags;
#[cfg(test)]
mod test_rings;
mod tile_id;
mod tiler;
mod untangle;

pub use cache::{CacheStats, TileCache};
pub use coverage::simplify_coverage;
pub use feature::{PropValue, TileFeature, TileGeometry, TileLayer};
pub use tile_id::{tile_bbox_lnglat, tiles_covering, TileId, TileIdError, EXTENT, MAX_LATITUDE};
pub use tiler::{render_layer, Tiler, TilerOptions};
