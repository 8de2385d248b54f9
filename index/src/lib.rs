//! onemap's engine: the model of a city and the spatial index that answers
//! "who answers for this point?" and "how do grids and beats overlap?".
//!
//! This crate does no I/O: it knows nothing of HTTP, SQL or files.

pub mod model;
pub mod validate;

pub use model::*;
