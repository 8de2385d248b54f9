//! Getting onemap data in and out: stores, GeoJSON and the other import formats.

pub mod events_io;
pub mod formats;
pub mod geojson_io;
pub mod gpkg;
pub mod pg;
pub mod postgis;
pub mod store;

pub use store::{Change, ChangeFeed, ChangeSet, Commit, Store, StoreError};
