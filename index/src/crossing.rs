//! The exact point-in-polygon rule every lookup in onemap uses.
//!
//! A point is inside a polygon when a ray from it towards +x (east) crosses the polygon's
//! boundary an odd number of times. An edge counts when its end points lie on opposite sides of
//! the ray's line (one strictly above, the other on or below) and the point lies strictly west
//! of the edge, decided by the exact orientation predicate [`robust::orient2d`].
//!
//! The rule is the same as evaluating the point nudged a tiny bit east and an even tinier bit
//! north, so on a mesh whose neighbours share edges vertex for vertex every point belongs to
//! exactly one polygon: **a point on a shared edge belongs to the feature to its east, and a
//! point on an east–west edge to the feature to its north.**

use robust::{orient2d, Coord};

/// One boundary edge, `[ax, ay, bx, by]`.
pub type Edge = [f64; 4];

/// Whether the ray east from `(px, py)` crosses `edge` under the half-open rule.
///
/// ```
/// use onemap_index::crossing::crosses;
/// assert!(crosses([1.0, -1.0, 1.0, 1.0], 0.0, 0.0));
/// assert!(!crosses([-1.0, -1.0, -1.0, 1.0], 0.0, 0.0));
/// // A point on the edge itself is not west of it.
/// assert!(!crosses([0.0, -1.0, 0.0, 1.0], 0.0, 0.0));
/// ```
#[inline]
pub fn crosses(edge: Edge, px: f64, py: f64) -> bool {
    let [ax, ay, bx, by] = edge;
    if (ay > py) == (by > py) {
        return false;
    }
    // Cheap rejections before the exact predicate: entirely east or west of the point.
    if ax > px && bx > px {
        return true;
    }
    if ax <= px && bx <= px {
        // Both ends west of or level with the point: the edge can only pass through it.
        if ax < px && bx < px {
            return false;
        }
    }
    let o = orient2d(
        Coord { x: ax, y: ay },
        Coord { x: bx, y: by },
        Coord { x: px, y: py },
    );
    if by > ay {
        o > 0.0
    } else {
        o < 0.0
    }
}

/// Whether `(px, py)` lies inside the region bounded by `edges` (all rings of a polygon or
/// multipolygon, in any order).
///
/// ```
/// use onemap_index::crossing::contains;
/// let square = [[0.0, 0.0, 2.0, 0.0], [2.0, 0.0, 2.0, 2.0], [2.0, 2.0, 0.0, 2.0], [0.0, 2.0, 0.0, 0.0]];
/// assert!(contains(&square, 1.0, 1.0));
/// assert!(!contains(&square, 3.0, 1.0));
/// // The west edge belongs to the square, the east edge to its neighbour.
/// assert!(contains(&square, 0.0, 1.0));
/// assert!(!contains(&square, 2.0, 1.0));
/// ```
pub fn contains(edges: &[Edge], px: f64, py: f64) -> bool {
    edges.iter().filter(|e| crosses(**e, px, py)).count() % 2 == 1
}

/// The edges of every ring of a multipolygon, in lng/lat.
pub fn edges_of(mp: &geo_types::MultiPolygon<f64>) -> Vec<Edge> {
    let mut out = Vec::new();
    for poly in mp {
        for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
            out.extend(ring.lines().filter_map(|l| {
                let e = [l.start.x, l.start.y, l.end.x, l.end.y];
                (l.start != l.end).then_some(e)
            }));
        }
    }
    out
}

/// The box `[minx, miny, maxx, maxy]` of some edges; inverted (min > max) when there are none.
pub fn bbox_of(edges: &[Edge]) -> [f64; 4] {
    edges.iter().fold(
        [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ],
        grow,
    )
}

/// `b` grown to take in edge `e`.
pub fn grow(b: [f64; 4], e: &Edge) -> [f64; 4] {
    [
        b[0].min(e[0]).min(e[2]),
        b[1].min(e[1]).min(e[3]),
        b[2].max(e[0]).max(e[2]),
        b[3].max(e[1]).max(e[3]),
    ]
}
