//! onemap's engine: the model of a city and the spatial index that answers
//! "who answers for this point?" and "how do grids and beats overlap?".
//!
//! This crate does no I/O: it knows nothing of HTTP, SQL or files.

pub mod budget;
pub mod cells;
pub mod check;
pub mod command;
pub mod crossing;
pub mod crs;
pub mod dispatch;
pub mod events;
pub mod heatmap;
pub mod intersects;
pub mod layers;
pub mod matrix;
pub mod metric;
pub mod model;
pub mod overlap;
pub mod reason;
pub mod search;
pub mod sight;
pub mod snapshot;
pub mod stats;
#[cfg(test)]
mod test_support;
pub mod validate;
pub mod write;

pub use model::*;
pub use snapshot::{Hit, Snapshot};
