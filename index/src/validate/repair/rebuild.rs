//! The even-odd interior of a set of rings as valid polygons, by `i_overlay` (the overlay
//! engine behind `geo`'s `BooleanOps`).
//!
//! `i_overlay` computes on an integer grid about a billionth of the rings' extent wide, so
//! every vertex comes back rounded, and crossings by a few grid steps. Vertices that were in
//! the input are put back exactly, and each new vertex (a crossing) is recomputed in floating
//! point from the two input edges that meet there: a repair moves nothing else, and areas
//! stay right to about 1e-15 rather than 1e-9.

use super::{encloses_area, remove_spikes};
use geo::Validation;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay::ShapeType;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};
use i_overlay::i_float::adapter::FloatPointAdapter;
use std::collections::HashMap;

/// The region inside an odd number of `rings` (closed rings of positions), as polygons valid
/// by OGC rules: exteriors counter-clockwise, holes clockwise, rings touching only at points.
pub(super) fn even_odd<'a>(rings: impl Iterator<Item = &'a [Coord<f64>]>) -> Vec<Polygon<f64>> {
    let contours: Vec<Vec<[f64; 2]>> = rings
        .map(|ring| {
            let open = ring.split_last().map_or(&[][..], |(_, open)| open);
            open.iter().map(|c| [c.x, c.y]).collect()
        })
        .collect();
    let adapter = FloatPointAdapter::with_iter(contours.iter().flatten());
    let originals: HashMap<[u64; 2], [f64; 2]> = contours
        .iter()
        .flatten()
        .map(|p| (bits(adapter.int_to_float(&adapter.float_to_int(p))), *p))
        .collect();
    let crossings = Crossings::new(&contours, adapter.inv_scale);
    let capacity = contours.iter().map(Vec::len).sum();
    let shapes =
        FloatOverlay::new_custom(adapter, OverlayOptions::ogc(), Default::default(), capacity)
            .unsafe_add_source(&contours, ShapeType::Subject)
            .overlay(OverlayRule::Subject, FillRule::EvenOdd);
    let exact = polygons(&shapes, |contour| {
        exact_positions(contour, &originals, &crossings)
    });
    // Rare: a crossing put back exactly falls on the wrong side of a vertex nearly in line
    // with it. `i_overlay`'s own rounded answer is consistent, so it is the one kept then.
    if MultiPolygon(exact.clone()).is_valid() {
        exact
    } else {
        polygons(&shapes, <[[f64; 2]]>::to_vec)
    }
}

/// `i_overlay`'s shapes as polygons, each position placed by `place`. Placed off the integer
/// grid, a sliver `i_overlay` saw between nearly collinear edges becomes a spike: it is
/// removed, and a ring left with no area dropped.
fn polygons(
    shapes: &[Vec<Vec<[f64; 2]>>],
    place: impl Fn(&[[f64; 2]]) -> Vec<[f64; 2]>,
) -> Vec<Polygon<f64>> {
    let ring = |contour: &Vec<[f64; 2]>| {
        let mut coords: Vec<Coord<f64>> = place(contour)
            .into_iter()
            .map(|[x, y]| Coord { x, y })
            .collect();
        coords.dedup();
        remove_spikes(&mut coords);
        encloses_area(&coords).then(|| {
            coords.push(coords[0]);
            LineString(coords)
        })
    };
    shapes
        .iter()
        .filter_map(|shape| {
            let mut rings = shape.iter().map(ring);
            let exterior = rings.next()??;
            Some(Polygon::new(exterior, rings.flatten().collect()))
        })
        .collect()
}

/// Where each rounded point of an output ring really lies: the input vertex it came from, or
/// the crossing it approximates. A crossing that would land on another vertex of the same
/// ring stays rounded: merging two of `i_overlay`'s vertices would pinch the ring.
fn exact_positions(
    contour: &[[f64; 2]],
    originals: &HashMap<[u64; 2], [f64; 2]>,
    crossings: &Crossings,
) -> Vec<[f64; 2]> {
    let placed: Vec<([f64; 2], Option<[f64; 2]>)> = contour
        .iter()
        .map(|&p| match originals.get(&bits(p)) {
            Some(&original) => (original, None),
            None => (p, Some(crossings.refine(p))),
        })
        .collect();
    let mut landings: HashMap<[u64; 2], usize> = HashMap::new();
    for (at, crossing) in &placed {
        *landings.entry(bits(crossing.unwrap_or(*at))).or_default() += 1;
    }
    placed
        .into_iter()
        .map(|(at, crossing)| match crossing {
            Some(x) if landings[&bits(x)] == 1 => x,
            _ => at,
        })
        .collect()
}

/// A point's exact bits, to find it again after the round trip through the integer grid.
fn bits(p: [f64; 2]) -> [u64; 2] {
    [p[0].to_bits(), p[1].to_bits()]
}

/// The input's edges, to recompute where two of them cross.
struct Crossings {
    edges: Vec<[[f64; 2]; 2]>,
    /// How far a rounded crossing may lie from the edges that cross there: a few grid steps.
    /// Along the edges it may be much further off when they cross at a narrow angle.
    tolerance: f64,
}

impl Crossings {
    fn new(contours: &[Vec<[f64; 2]>], grid_step: f64) -> Crossings {
        let edges = contours
            .iter()
            .flat_map(|c| {
                c.iter()
                    .zip(c.iter().cycle().skip(1))
                    .map(|(a, b)| [*a, *b])
            })
            .filter(|[a, b]| a != b)
            .collect();
        Crossings {
            edges,
            tolerance: 8.0 * grid_step,
        }
    }

    /// The crossing nearest to `p` (a rounded crossing) of two input edges passing near it;
    /// `p` itself when no two edges do.
    fn refine(&self, p: [f64; 2]) -> [f64; 2] {
        let near: Vec<&[[f64; 2]; 2]> = self
            .edges
            .iter()
            .filter(|e| distance_to_segment(p, e) <= self.tolerance)
            .collect();
        let mut best = (f64::INFINITY, p);
        for (i, e) in near.iter().enumerate() {
            for f in &near[i + 1..] {
                if let Some(x) = line_crossing(e, f) {
                    let d = (x[0] - p[0]).hypot(x[1] - p[1]);
                    if d <= best.0 {
                        best = (d, x);
                    }
                }
            }
        }
        best.1
    }
}

/// Where the lines through two edges cross, unless they are parallel.
fn line_crossing([a, b]: &[[f64; 2]; 2], [c, d]: &[[f64; 2]; 2]) -> Option<[f64; 2]> {
    let (r, s) = ([b[0] - a[0], b[1] - a[1]], [d[0] - c[0], d[1] - c[1]]);
    let denominator = r[0] * s[1] - r[1] * s[0];
    if denominator == 0.0 {
        return None;
    }
    let t = ((c[0] - a[0]) * s[1] - (c[1] - a[1]) * s[0]) / denominator;
    Some([a[0] + r[0] * t, a[1] + r[1] * t])
}

fn distance_to_segment(p: [f64; 2], [a, b]: &[[f64; 2]; 2]) -> f64 {
    let (d, w) = ([b[0] - a[0], b[1] - a[1]], [p[0] - a[0], p[1] - a[1]]);
    let t = ((w[0] * d[0] + w[1] * d[1]) / (d[0] * d[0] + d[1] * d[1])).clamp(0.0, 1.0);
    (w[0] - d[0] * t).hypot(w[1] - d[1] * t)
}
