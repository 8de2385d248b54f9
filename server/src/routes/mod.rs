//! The HTTP API: thin handlers over the engine.

pub mod layers;
pub mod locate;
pub mod meta;
pub mod ogc;
pub mod overlaps;
pub mod tiles;
