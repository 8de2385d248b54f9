//! Intersection areas of two polygons without building the intersection.
//!
//! The area of a region is half the integral of `x dy - y dx` around its boundary, and the
//! boundary of `A ∩ B` is made of the parts of A's boundary inside B and the parts of B's
//! boundary inside A. So each edge is cut where it crosses the other polygon's edges, and the
//! pieces inside the other polygon are summed. Edges the two polygons share vertex for vertex
//! (neighbours drawn on the same roads) are counted once when both polygons lie on the same
//! side of them and not at all otherwise, which is what makes this exact on real meshes where
//! a grid and a beat follow the same street.

use crate::crossing::{bbox_of, crosses, grow, Edge};

/// A polygon prepared for intersection: edges in projected metres with the interior on the
/// left (exteriors counter-clockwise, holes clockwise), its bounding box and area.
#[derive(Clone, Debug, PartialEq)]
pub struct Region {
    pub edges: Vec<Edge>,
    pub bbox: [f64; 4],
    pub area: f64,
}

impl Region {
    /// Builds a region from rings of projected points: the first ring of each polygon is its
    /// exterior, the rest are holes. Orientation is fixed here whatever the input's.
    pub fn from_polygons(polygons: &[Vec<Vec<[f64; 2]>>]) -> Region {
        let mut edges = Vec::new();
        let mut area = 0.0;
        for rings in polygons {
            for (k, ring) in rings.iter().enumerate() {
                let signed = signed_area(ring);
                let want_ccw = k == 0;
                let flip = (signed > 0.0) != want_ccw;
                area += if want_ccw {
                    signed.abs()
                } else {
                    -signed.abs()
                };
                for w in ring.windows(2) {
                    let (a, b) = if flip { (w[1], w[0]) } else { (w[0], w[1]) };
                    if a != b {
                        edges.push([a[0], a[1], b[0], b[1]]);
                    }
                }
            }
        }
        let bbox = bbox_of(&edges);
        Region { edges, bbox, area }
    }
}

/// The area in m² (the unit of the projection) of `a ∩ b`.
///
/// ```
/// use onemap_index::overlap::{intersection_area, Region};
/// let square = |x0: f64, y0: f64, s: f64| Region::from_polygons(&[vec![vec![
///     [x0, y0], [x0 + s, y0], [x0 + s, y0 + s], [x0, y0 + s], [x0, y0]]]]);
/// let a = square(0.0, 0.0, 2.0);
/// let b = square(1.0, 1.0, 2.0);
/// assert!((intersection_area(&a, &b) - 1.0).abs() < 1e-12);
/// // A shared edge: neighbours do not overlap.
/// assert_eq!(intersection_area(&a, &square(2.0, 0.0, 2.0)), 0.0);
/// ```
pub fn intersection_area(a: &Region, b: &Region) -> f64 {
    if !boxes_meet(a.bbox, b.bbox) {
        return 0.0;
    }
    // Only edges near the other polygon's box can lie inside it.
    let a_near_b: Vec<Edge> = near(&a.edges, b.bbox);
    let b_near_a: Vec<Edge> = near(&b.edges, a.bbox);
    if a_near_b.is_empty() && b_near_a.is_empty() {
        // No boundary comes near the other: one contains the other or they are apart.
        return nested_area(a, b);
    }
    let a_keys = edge_keys(&a_near_b);
    let b_keys = edge_keys(&b_near_a);
    // The pieces form closed loops, so any origin gives the same area; one near the data keeps
    // the products small and the digits.
    let o = [a.bbox[0], a.bbox[1]];
    let mut twice = 0.0;
    for e in &a_near_b {
        twice += match shared(&b_keys, e) {
            Some(true) => cross(o, [e[0], e[1]], [e[2], e[3]]),
            Some(false) => 0.0,
            None => inside_part(e, b, &b_near_a, Overlap::CountSameDirection, o),
        };
    }
    for e in &b_near_a {
        if shared(&a_keys, e).is_none() {
            twice += inside_part(e, a, &a_near_b, Overlap::Skip, o);
        }
    }
    // The pieces are summed about another origin than each region's own area, so rounding
    // can put the sum a few ulps past the smaller area (a grid drawn inside or along its beat
    // would hold 1.0000000000000002 of itself). No intersection is larger than either region
    // or negative; `max` first so a NaN also ends at 0.
    (twice / 2.0).max(0.0).min(a.area.min(b.area))
}

/// The area when neither boundary meets the other's box.
fn nested_area(a: &Region, b: &Region) -> f64 {
    let inside = |r: &Region, e: &Edge| {
        let mid = [(e[0] + e[2]) / 2.0, (e[1] + e[3]) / 2.0];
        r.edges
            .iter()
            .filter(|x| crosses(**x, mid[0], mid[1]))
            .count()
            % 2
            == 1
    };
    match (a.edges.first(), b.edges.first()) {
        (Some(ea), _) if inside(b, ea) => a.area,
        (_, Some(eb)) if inside(a, eb) => b.area,
        _ => 0.0,
    }
}

/// What to do with a piece of an edge that lies along the other polygon's boundary (the two
/// follow the same street with different vertices): it belongs to the intersection's boundary
/// once, when both interiors lie on its same side, so one pass counts it then and the other
/// pass never does.
#[derive(Clone, Copy, PartialEq)]
enum Overlap {
    CountSameDirection,
    Skip,
}

/// Twice the area contribution of the parts of edge `e` inside `other`, whose edges near `e`'s
/// polygon are `other_near` (those are the only ones `e` can cross).
fn inside_part(e: &Edge, other: &Region, other_near: &[Edge], along: Overlap, o: [f64; 2]) -> f64 {
    let (p, d) = ([e[0], e[1]], [e[2] - e[0], e[3] - e[1]]);
    let mut cuts: Vec<f64> = vec![0.0, 1.0];
    // Stretches of `e` that lie on an edge of `other`: (from, to, same direction).
    let mut collinear: Vec<(f64, f64, bool)> = Vec::new();
    let ebox = grow([e[0], e[1], e[0], e[1]], e);
    for f in other_near {
        if !boxes_meet(ebox, grow([f[0], f[1], f[0], f[1]], f)) {
            continue;
        }
        if let Some(t) = crossing_parameter(p, d, f) {
            cuts.push(t);
        } else if let Some((t0, t1)) = collinear_stretch(e, f) {
            cuts.extend([t0, t1]);
            collinear.push((t0, t1, d[0] * (f[2] - f[0]) + d[1] * (f[3] - f[1]) > 0.0));
        }
    }
    if cuts.len() > 2 {
        cuts.sort_unstable_by(f64::total_cmp);
    }
    let at = |t: f64| [p[0] + t * d[0], p[1] + t * d[1]];
    let mut twice = 0.0;
    for w in cuts.windows(2) {
        if w[1] <= w[0] {
            continue;
        }
        let t_mid = (w[0] + w[1]) / 2.0;
        if let Some(&(_, _, same)) = collinear
            .iter()
            .find(|(t0, t1, _)| *t0 <= t_mid && t_mid <= *t1)
        {
            if same && along == Overlap::CountSameDirection {
                twice += cross(o, at(w[0]), at(w[1]));
            }
            continue;
        }
        let mid = at(t_mid);
        let inside = other
            .edges
            .iter()
            .filter(|x| crosses(**x, mid[0], mid[1]))
            .count()
            % 2
            == 1;
        if inside {
            twice += cross(o, at(w[0]), at(w[1]));
        }
    }
    twice
}

/// Where along `e` (as parameters in [0, 1]) it overlaps edge `f`, when the two lie exactly on
/// one line and share more than a point.
fn collinear_stretch(e: &Edge, f: &Edge) -> Option<(f64, f64)> {
    let c = |x: f64, y: f64| robust::Coord { x, y };
    let on_line = |x: f64, y: f64| robust::orient2d(c(e[0], e[1]), c(e[2], e[3]), c(x, y)) == 0.0;
    if !(on_line(f[0], f[1]) && on_line(f[2], f[3])) {
        return None;
    }
    let d = [e[2] - e[0], e[3] - e[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = |x: f64, y: f64| ((x - e[0]) * d[0] + (y - e[1]) * d[1]) / len2;
    let (a, b) = (t(f[0], f[1]), t(f[2], f[3]));
    let (lo, hi) = (a.min(b).max(0.0), a.max(b).min(1.0));
    (hi > lo).then_some((lo, hi))
}

/// Where segment `p + t d` meets edge `f`, for `t` strictly inside (0, 1).
fn crossing_parameter(p: [f64; 2], d: [f64; 2], f: &Edge) -> Option<f64> {
    let q = [f[0], f[1]];
    let g = [f[2] - f[0], f[3] - f[1]];
    let denom = d[0] * g[1] - d[1] * g[0];
    if denom == 0.0 {
        return None;
    }
    let w = [q[0] - p[0], q[1] - p[1]];
    let t = (w[0] * g[1] - w[1] * g[0]) / denom;
    let u = (w[0] * d[1] - w[1] * d[0]) / denom;
    (t > 0.0 && t < 1.0 && (0.0..=1.0).contains(&u)).then_some(t)
}

/// The cross product of `s - o` and `t - o`: twice the signed area of the triangle `o, s, t`.
fn cross(o: [f64; 2], s: [f64; 2], t: [f64; 2]) -> f64 {
    (s[0] - o[0]) * (t[1] - o[1]) - (t[0] - o[0]) * (s[1] - o[1])
}

/// Edges sorted by their bit patterns, for exact "same edge" look-ups.
fn edge_keys(edges: &[Edge]) -> Vec<[u64; 4]> {
    let mut keys: Vec<[u64; 4]> = edges.iter().map(|e| e.map(f64::to_bits)).collect();
    keys.sort_unstable();
    keys
}

/// `Some(true)` when the other polygon has this very edge in the same direction,
/// `Some(false)` in the opposite direction, `None` when it does not share it.
fn shared(keys: &[[u64; 4]], e: &Edge) -> Option<bool> {
    let k = e.map(f64::to_bits);
    if keys.binary_search(&k).is_ok() {
        return Some(true);
    }
    keys.binary_search(&[k[2], k[3], k[0], k[1]])
        .is_ok()
        .then_some(false)
}

/// The edges of `edges` whose boxes meet `bbox`.
fn near(edges: &[Edge], bbox: [f64; 4]) -> Vec<Edge> {
    edges
        .iter()
        .filter(|e| boxes_meet(grow([e[0], e[1], e[0], e[1]], e), bbox))
        .copied()
        .collect()
}

fn boxes_meet(a: [f64; 4], b: [f64; 4]) -> bool {
    a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3]
}

fn signed_area(ring: &[[f64; 2]]) -> f64 {
    let Some(&o) = ring.first() else { return 0.0 };
    ring.windows(2).map(|w| cross(o, w[0], w[1])).sum::<f64>() / 2.0
}

#[cfg(test)]
mod tests {
    use super::{intersection_area, Region};

    /// A star-shaped ring of `n` vertices around `(cx, cy)` in projected metres, its radii
    /// drawn from a little LCG so every seed gives another irregular polygon.
    fn star(seed: u64, n: usize, cx: f64, cy: f64) -> Region {
        let mut state = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        let mut ring: Vec<[f64; 2]> = (0..n)
            .map(|k| {
                state = state
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let r = 200.0 + (state >> 11) as f64 / (1u64 << 53) as f64 * 800.0;
                let t = k as f64 / n as f64 * std::f64::consts::TAU;
                [cx + r * t.cos(), cy + r * t.sin()]
            })
            .collect();
        ring.push(ring[0]);
        Region::from_polygons(&[vec![ring]])
    }

    #[test]
    fn a_share_never_leaves_zero_to_one() {
        // Projected coordinates of the size a city in China has, where rounding bites.
        for seed in 0..300 {
            let grid = star(seed, 40, 3.4e5 + seed as f64, 3.2e6);
            let beat = star(seed + 1_000, 40, 3.4e5 + seed as f64 + 300.0, 3.2e6);
            for other in [&grid, &beat] {
                let area = intersection_area(&grid, other);
                let share = area / grid.area;
                assert!(
                    (0.0..=1.0).contains(&share),
                    "seed {seed}: share {share} (area {area} of {})",
                    grid.area
                );
                assert!(area <= other.area, "seed {seed}: {area} > {}", other.area);
            }
            let itself = intersection_area(&grid, &grid);
            assert!(
                (itself - grid.area).abs() <= grid.area * 1e-12,
                "seed {seed}"
            );
        }
    }
}
