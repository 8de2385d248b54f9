//! Label points: the pole of inaccessibility, the interior point farthest from the outline.
//!
//! A centroid can fall outside an L-shaped or crescent grid, and a point on some scan line can
//! hug a border; the point farthest from every edge is where a label has the most room. It is
//! found by the usual best-first search over square cells: a cell's centre is a candidate, and
//! no point in the cell can be farther from the outline than the centre's distance plus the
//! cell's half-diagonal, so cells that cannot beat the best candidate are never split.

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::ops::Range;

use crate::rings::{bbox, twice_area_f64, Rings};

/// Stop after this many cells, so that no pathological polygon can stall building a tiler.
const MAX_CELLS: usize = 10_000;

/// Where to label a feature made of the rings `spans` of `rings`: the pole of inaccessibility
/// of its largest polygon; `None` when it has no area.
pub(crate) fn label_point(rings: &Rings, spans: Range<usize>) -> Option<[f64; 2]> {
    pole_of_inaccessibility(&largest_polygon(rings, spans)?)
}

/// The rings (exterior first) of the polygon with the largest area among `spans` of `rings`.
fn largest_polygon(rings: &Rings, spans: Range<usize>) -> Option<Vec<&[[f64; 2]]>> {
    let mut best: Option<(f64, Vec<&[[f64; 2]]>)> = None;
    let mut current: Option<(f64, Vec<&[[f64; 2]]>)> = None;
    for r in spans {
        let ring = rings.ring(r);
        let area = twice_area_f64(ring).abs();
        if rings.spans[r].exterior {
            best = pick_larger(best, current.take());
            current = Some((area, vec![ring]));
        } else if let Some((total, polygon)) = &mut current {
            *total -= area;
            polygon.push(ring);
        }
    }
    pick_larger(best, current).map(|(_, polygon)| polygon)
}

fn pick_larger<T>(a: Option<(f64, T)>, b: Option<(f64, T)>) -> Option<(f64, T)> {
    match (a, b) {
        (Some(a), Some(b)) => Some(if b.0 > a.0 { b } else { a }),
        (a, b) => a.or(b),
    }
}

/// The pole of inaccessibility of the polygon whose exterior is `rings[0]` and holes the rest
/// (open rings), to within 1% of its size; `None` when it has no area.
fn pole_of_inaccessibility(rings: &[&[[f64; 2]]]) -> Option<[f64; 2]> {
    let exterior = rings.first()?;
    let [x0, y0, x1, y1] = bbox(exterior.iter().copied())?;
    let (width, height) = (x1 - x0, y1 - y0);
    let precision = width.max(height) / 100.0;
    // Square cells as wide as the polygon's short side, but not so many that thin shapes explode.
    let cell = width.min(height).max(width.max(height) / 64.0);
    if cell <= 0.0 {
        return None;
    }
    let mut queue = BinaryHeap::new();
    let mut x = x0;
    while x < x1 {
        let mut y = y0;
        while y < y1 {
            queue.push(Cell::new(
                [x + cell / 2.0, y + cell / 2.0],
                cell / 2.0,
                rings,
            ));
            y += cell;
        }
        x += cell;
    }
    let mut best = Cell::new(centroid(exterior).unwrap_or([x0, y0]), 0.0, rings);
    let centre = Cell::new([x0 + width / 2.0, y0 + height / 2.0], 0.0, rings);
    if centre.distance > best.distance {
        best = centre;
    }
    let mut examined = 0;
    while let Some(cell) = queue.pop() {
        if cell.distance > best.distance {
            best = cell;
        }
        examined += 1;
        // The queue is ordered by potential: nothing left can do better.
        if cell.potential - best.distance <= precision || examined >= MAX_CELLS {
            break;
        }
        let h = cell.half / 2.0;
        for (dx, dy) in [(-h, -h), (h, -h), (-h, h), (h, h)] {
            queue.push(Cell::new(
                [cell.centre[0] + dx, cell.centre[1] + dy],
                h,
                rings,
            ));
        }
    }
    (best.distance > 0.0).then_some(best.centre)
}

#[derive(Clone, Copy)]
struct Cell {
    centre: [f64; 2],
    half: f64,
    /// Distance from the centre to the outline, negative outside.
    distance: f64,
    /// The most any point of the cell could reach.
    potential: f64,
}

impl Cell {
    fn new(centre: [f64; 2], half: f64, rings: &[&[[f64; 2]]]) -> Cell {
        let distance = signed_distance(centre, rings);
        Cell {
            centre,
            half,
            distance,
            potential: distance + half * std::f64::consts::SQRT_2,
        }
    }
}

impl PartialEq for Cell {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Cell {}

impl PartialOrd for Cell {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Cell {
    fn cmp(&self, other: &Self) -> Ordering {
        self.potential.total_cmp(&other.potential)
    }
}

/// The area centroid of a ring: usually a good first guess, and a cheap one.
fn centroid(ring: &[[f64; 2]]) -> Option<[f64; 2]> {
    let origin = *ring.first()?;
    let (mut cx, mut cy) = (0.0, 0.0);
    for (k, a) in ring.iter().enumerate() {
        let b = ring[(k + 1) % ring.len()];
        let (a, b) = (
            [a[0] - origin[0], a[1] - origin[1]],
            [b[0] - origin[0], b[1] - origin[1]],
        );
        let cross = a[0] * b[1] - b[0] * a[1];
        cx += (a[0] + b[0]) * cross;
        cy += (a[1] + b[1]) * cross;
    }
    let twice_area = twice_area_f64(ring);
    (twice_area != 0.0).then(|| {
        [
            origin[0] + cx / (3.0 * twice_area),
            origin[1] + cy / (3.0 * twice_area),
        ]
    })
}

/// Distance from `p` to the nearest edge of any ring, positive inside the polygon (even-odd).
fn signed_distance(p: [f64; 2], rings: &[&[[f64; 2]]]) -> f64 {
    let mut inside = false;
    let mut best = f64::INFINITY;
    for ring in rings {
        for (k, &a) in ring.iter().enumerate() {
            let b = ring[(k + 1) % ring.len()];
            if (a[1] > p[1]) != (b[1] > p[1])
                && p[0] < (b[0] - a[0]) * (p[1] - a[1]) / (b[1] - a[1]) + a[0]
            {
                inside = !inside;
            }
            best = best.min(segment_dist2(p, a, b));
        }
    }
    let d = best.sqrt();
    if inside {
        d
    } else {
        -d
    }
}

fn segment_dist2(p: [f64; 2], a: [f64; 2], b: [f64; 2]) -> f64 {
    let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let (ex, ey) = (a[0] + t * dx - p[0], a[1] + t * dy - p[1]);
    ex * ex + ey * ey
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_square_is_labelled_at_its_centre() {
        let square: &[[f64; 2]] = &[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let p = pole_of_inaccessibility(&[square]).unwrap();
        assert!(
            (p[0] - 5.0).abs() < 0.1 && (p[1] - 5.0).abs() < 0.1,
            "{p:?}"
        );
    }

    #[test]
    fn an_l_shape_is_labelled_inside_although_its_centroid_is_not() {
        let l: &[[f64; 2]] = &[
            [0.0, 0.0],
            [10.0, 0.0],
            [10.0, 2.0],
            [2.0, 2.0],
            [2.0, 10.0],
            [0.0, 10.0],
        ];
        assert!(signed_distance(centroid(l).unwrap(), &[l]) < 0.0);
        let p = pole_of_inaccessibility(&[l]).unwrap();
        assert!(signed_distance(p, &[l]) >= 0.95, "{p:?}");
    }

    #[test]
    fn a_hole_pushes_the_label_aside() {
        let outer: &[[f64; 2]] = &[[0.0, 0.0], [10.0, 0.0], [10.0, 10.0], [0.0, 10.0]];
        let hole: &[[f64; 2]] = &[[3.0, 3.0], [7.0, 3.0], [7.0, 7.0], [3.0, 7.0]];
        let p = pole_of_inaccessibility(&[outer, hole]).unwrap();
        assert!(signed_distance(p, &[outer, hole]) > 1.0, "{p:?}");
    }
}
