//! Exact predicates on the rings of one polygon: enclosed area, simplicity, rings meeting,
//! holes inside their exterior, and orientation.
//!
//! Callers have already checked that every ring is closed, finite and has 4+ positions.
//! Rings of a polygon may not meet at all, not even at a single point: that is stricter than
//! OGC simple features, but it keeps every check exact and local, and a grid whose hole
//! touches its boundary is nearly always a drawing slip.

use super::{Invalid, RingRef};
use geo_types::Coord;

/// A vertex that differs from the one before it, with its index in the input ring.
#[derive(Clone, Copy)]
struct Vertex {
    input: usize,
    at: Coord<f64>,
}

/// One edge between distinct vertices, tagged with where it sits in the polygon.
struct Edge {
    ring: usize,
    /// Position of the edge in its ring, counting only edges of non-zero length.
    index: usize,
    from: Vertex,
    to: Vertex,
}

impl Edge {
    /// The edge's `(min, max)` extent along x and along y.
    fn extent(&self) -> [(f64, f64); 2] {
        let (a, b) = (self.from.at, self.to.at);
        [(a.x.min(b.x), a.x.max(b.x)), (a.y.min(b.y), a.y.max(b.y))]
    }
}

/// Checks the rings of polygon `polygon` (`rings[0]` the exterior) for area, simplicity,
/// contact between rings and hole placement.
pub(super) fn check_polygon(polygon: usize, rings: &[&[Coord<f64>]]) -> Result<(), Invalid> {
    let vertices: Vec<Vec<Vertex>> = rings.iter().map(|r| distinct_vertices(r)).collect();
    for (ring, v) in vertices.iter().enumerate() {
        if !encloses_area(v) {
            return Err(Invalid::ZeroArea {
                ring: RingRef { polygon, ring },
            });
        }
    }
    check_spikes(polygon, &vertices)?;
    check_edges(polygon, &vertices)?;
    check_holes(polygon, rings)
}

/// Whether a closed, simple ring runs counter-clockwise.
///
/// Decided exactly at the lowest (then leftmost) vertex, where a simple ring is always convex,
/// so no area sum can be fooled by rounding.
pub(super) fn is_counter_clockwise(ring: &[Coord<f64>]) -> bool {
    let v = distinct_vertices(ring);
    if v.len() < 4 {
        return true; // no area, no orientation
    }
    let n = v.len() - 1; // the last vertex repeats the first
    let lowest = (0..n)
        .min_by(|&a, &b| {
            let (a, b) = (v[a].at, v[b].at);
            a.y.total_cmp(&b.y).then(a.x.total_cmp(&b.x))
        })
        .unwrap_or(0);
    let prev = v[(lowest + n - 1) % n].at;
    let next = v[(lowest + 1) % n].at;
    orient(prev, v[lowest].at, next) > 0.0
}

/// The ring with consecutive repeated positions dropped: repeats are legal but would make
/// zero-length edges.
fn distinct_vertices(ring: &[Coord<f64>]) -> Vec<Vertex> {
    let mut out: Vec<Vertex> = Vec::with_capacity(ring.len());
    for (input, &at) in ring.iter().enumerate() {
        if out.last().is_none_or(|last| last.at != at) {
            out.push(Vertex { input, at });
        }
    }
    out
}

fn encloses_area(v: &[Vertex]) -> bool {
    let a = v[0].at;
    match v.iter().find(|p| p.at != a) {
        Some(b) => v.iter().any(|c| orient(a, b.at, c.at) != 0.0),
        None => false,
    }
}

/// Finds a vertex where a ring turns straight back on itself. Done before [`check_edges`]
/// because "a spike at vertex 7" says more than "edges 6 and 8 touch".
fn check_spikes(polygon: usize, rings: &[Vec<Vertex>]) -> Result<(), Invalid> {
    for (ring, v) in rings.iter().enumerate() {
        let n = v.len() - 1; // the last vertex repeats the first
        for i in 0..n {
            let (a, at, c) = (v[(i + n - 1) % n], v[i], v[i + 1]);
            if doubles_back(a.at, at.at, c.at) {
                return Err(Invalid::Spike {
                    ring: RingRef { polygon, ring },
                    vertex: at.input,
                    at: at.at.into(),
                });
            }
        }
    }
    Ok(())
}

/// Finds two edges of the polygon that meet where they may not.
///
/// Sort-and-sweep along the polygon's longer side: edges are sorted by where they start on
/// that axis, and each is compared only with the edges that start before it ends and overlap
/// it across the axis. A line across a typical grid boundary cuts a handful of edges, so this
/// costs about n log n.
fn check_edges(polygon: usize, rings: &[Vec<Vertex>]) -> Result<(), Invalid> {
    let edges: Vec<Edge> = rings
        .iter()
        .enumerate()
        .flat_map(|(ring, v)| {
            v.windows(2).enumerate().map(move |(index, w)| Edge {
                ring,
                index,
                from: w[0],
                to: w[1],
            })
        })
        .collect();
    let mut spans: Vec<[(f64, f64); 2]> = edges.iter().map(Edge::extent).collect();
    if !longer_in_x(&spans) {
        spans.iter_mut().for_each(|s| s.swap(0, 1));
    }
    let mut order: Vec<usize> = (0..edges.len()).collect();
    order.sort_unstable_by(|&a, &b| spans[a][0].0.total_cmp(&spans[b][0].0));
    for (k, &i) in order.iter().enumerate() {
        let [along, across] = spans[i];
        for &j in &order[k + 1..] {
            let [other_along, other_across] = spans[j];
            if other_along.0 > along.1 {
                break;
            }
            if other_across.0 > across.1 || other_across.1 < across.0 {
                continue;
            }
            let (e, f) = (&edges[i.min(j)], &edges[i.max(j)]);
            if adjacent(e, f, rings[e.ring].len() - 1) {
                continue;
            }
            if let Some(at) = contact(e, f) {
                return Err(meeting(polygon, e, f, at));
            }
        }
    }
    Ok(())
}

/// Whether the edges together reach further in x than in y.
fn longer_in_x(spans: &[[(f64, f64); 2]]) -> bool {
    let reach = |axis: usize| {
        let lo = spans
            .iter()
            .map(|s| s[axis].0)
            .fold(f64::INFINITY, f64::min);
        let hi = spans
            .iter()
            .map(|s| s[axis].1)
            .fold(f64::NEG_INFINITY, f64::max);
        hi - lo
    };
    reach(0) >= reach(1)
}

/// Whether `f`, coming after `e`, is its neighbour in the same ring: the two share a vertex
/// by construction, and spikes were ruled out before, so they meet nowhere else.
fn adjacent(e: &Edge, f: &Edge, edges_in_ring: usize) -> bool {
    e.ring == f.ring && (f.index == e.index + 1 || (e.index == 0 && f.index == edges_in_ring - 1))
}

/// The error for edges `e` and `f` meeting at `at`.
fn meeting(polygon: usize, e: &Edge, f: &Edge, at: Coord<f64>) -> Invalid {
    if e.ring == f.ring {
        Invalid::SelfIntersection {
            ring: RingRef {
                polygon,
                ring: e.ring,
            },
            first: e.from.input,
            second: f.from.input,
            near: at.into(),
        }
    } else {
        Invalid::RingsTouch {
            polygon,
            first: e.ring,
            second: f.ring,
            near: at.into(),
        }
    }
}

/// Where two edges meet, if they do: an endpoint lying on the other edge, or the (rounded)
/// crossing point.
fn contact(e: &Edge, f: &Edge) -> Option<Coord<f64>> {
    let (p, q) = ([e.from.at, e.to.at], [f.from.at, f.to.at]);
    let side_of_p = [orient(p[0], p[1], q[0]), orient(p[0], p[1], q[1])];
    let side_of_q = [orient(q[0], q[1], p[0]), orient(q[0], q[1], p[1])];
    let touching = [
        (side_of_p[0], p, q[0]),
        (side_of_p[1], p, q[1]),
        (side_of_q[0], q, p[0]),
        (side_of_q[1], q, p[1]),
    ];
    if let Some(&(_, _, c)) = touching
        .iter()
        .find(|(side, seg, c)| *side == 0.0 && in_box(*seg, *c))
    {
        return Some(c);
    }
    if opposite(side_of_p) && opposite(side_of_q) {
        let t = side_of_q[0] / (side_of_q[0] - side_of_q[1]);
        return Some(p[0] + (p[1] - p[0]) * t);
    }
    None
}

fn opposite([a, b]: [f64; 2]) -> bool {
    (a > 0.0 && b < 0.0) || (a < 0.0 && b > 0.0)
}

/// Whether `c`, known to be on the line through `seg`, lies within the segment.
fn in_box(seg: [Coord<f64>; 2], c: Coord<f64>) -> bool {
    let within = |a: f64, b: f64, x: f64| a.min(b) <= x && x <= a.max(b);
    within(seg[0].x, seg[1].x, c.x) && within(seg[0].y, seg[1].y, c.y)
}

/// Whether the path `a → v → c` turns back along itself at `v`. Coordinate comparisons are
/// exact, so together with `orient` this is exact too.
pub(super) fn doubles_back(a: Coord<f64>, v: Coord<f64>, c: Coord<f64>) -> bool {
    let same_side = if a.x != v.x {
        (a.x < v.x) == (c.x < v.x)
    } else {
        (a.y < v.y) == (c.y < v.y)
    };
    orient(a, v, c) == 0.0 && same_side
}

/// Holes must lie inside the exterior and outside each other. Rings do not meet (checked
/// before), so one vertex of a hole tells where the whole hole lies.
fn check_holes(polygon: usize, rings: &[&[Coord<f64>]]) -> Result<(), Invalid> {
    for (ring, hole) in rings.iter().enumerate().skip(1) {
        let at = RingRef { polygon, ring };
        if !contains(rings[0], hole[0]) {
            return Err(Invalid::HoleOutside { ring: at });
        }
        let within =
            (1..rings.len()).find(|&other| other != ring && contains(rings[other], hole[0]));
        if let Some(within) = within {
            return Err(Invalid::NestedHole { ring: at, within });
        }
    }
    Ok(())
}

/// Whether `p`, known not to lie on the closed ring, lies inside it (non-zero winding).
fn contains(ring: &[Coord<f64>], p: Coord<f64>) -> bool {
    let winding: i64 = ring
        .windows(2)
        .map(|w| {
            let (a, b) = (w[0], w[1]);
            if a.y <= p.y && b.y > p.y && orient(a, b, p) > 0.0 {
                1
            } else if a.y > p.y && b.y <= p.y && orient(a, b, p) < 0.0 {
                -1
            } else {
                0
            }
        })
        .sum();
    winding != 0
}

/// Positive when `a → b → c` turns left, negative when right, zero when collinear; exact.
pub(super) fn orient(a: Coord<f64>, b: Coord<f64>, c: Coord<f64>) -> f64 {
    let r = |p: Coord<f64>| robust::Coord { x: p.x, y: p.y };
    robust::orient2d(r(a), r(b), r(c))
}
