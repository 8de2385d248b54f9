//! Tiles (to be written).
