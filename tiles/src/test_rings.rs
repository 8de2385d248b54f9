//! Rings the unit tests of clipping and untangling share.

/// A "∩" whose arch lies above the square y ≥ 0: clipped, its legs come back joined along
/// y = 0.
pub(crate) const ARCH: [[i64; 2]; 8] = [
    [2, 5],
    [2, -5],
    [8, -5],
    [8, 5],
    [6, 5],
    [6, -2],
    [4, -2],
    [4, 5],
];

/// Two squares meeting at (2, 2), walked as one ring.
pub(crate) const PINCHED: [[i64; 2]; 8] = [
    [0, 0],
    [2, 0],
    [2, 2],
    [4, 2],
    [4, 4],
    [2, 4],
    [2, 2],
    [0, 2],
];
