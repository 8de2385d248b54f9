//! The HTTP API: thin handlers over the engine.

pub mod events;
pub mod layers;
pub mod leaders;
pub mod locate;
pub mod meta;
pub mod ogc;
mod ogc_html;
pub mod overlaps;
pub mod sight;
pub mod stats;
pub mod tiles;
