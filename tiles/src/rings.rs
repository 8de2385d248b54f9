//! Flat storage for many polygon rings, and the ring clean-up shared by topology and encoding.
//!
//! Rings live in one coordinate buffer with a span per ring, instead of a `Vec` per ring, so
//! that building thousands of polygons per zoom band and walking them per tile does not churn
//! the allocator and stays cache-friendly.

use geo_types::{Coord, Polygon};

/// One ring's place in [`Rings::coords`], and whether it starts a new polygon.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct RingSpan {
    pub start: u32,
    pub end: u32,
    /// An exterior ring; the holes that follow it, up to the next exterior, belong to it.
    pub exterior: bool,
}

/// Rings in one buffer. Rings are open: the closing point is not repeated.
#[derive(Clone, Debug, Default)]
pub(crate) struct Rings {
    pub coords: Vec<[f64; 2]>,
    pub spans: Vec<RingSpan>,
}

impl Rings {
    /// Appends a ring made of the points `extend` pushes onto the coordinate buffer.
    pub fn push_with(&mut self, exterior: bool, extend: impl FnOnce(&mut Vec<[f64; 2]>)) {
        let start = self.coords.len() as u32;
        extend(&mut self.coords);
        let end = self.coords.len() as u32;
        self.spans.push(RingSpan {
            start,
            end,
            exterior,
        });
    }

    /// Appends a polygon's exterior and holes, each point mapped by `point`; points that are
    /// not finite are skipped, so bad input cannot poison the arithmetic downstream.
    pub fn push_polygon(
        &mut self,
        polygon: &Polygon<f64>,
        mut point: impl FnMut(Coord<f64>) -> [f64; 2],
    ) {
        let lines = std::iter::once((true, polygon.exterior()))
            .chain(polygon.interiors().iter().map(|hole| (false, hole)));
        for (exterior, line) in lines {
            self.push_with(exterior, |coords| {
                let finite = line.coords().filter(|c| c.x.is_finite() && c.y.is_finite());
                coords.extend(finite.map(|&c| point(c)));
            });
        }
    }

    pub fn ring(&self, index: usize) -> &[[f64; 2]] {
        let span = self.spans[index];
        &self.coords[span.start as usize..span.end as usize]
    }
}

/// Removes from an open ring the points that add nothing to its outline: repeats of the
/// previous point (including a closing point equal to the first) and the tips of spikes
/// `a, b, a`, which enclose no area but would make a ring touch itself.
///
/// Removal is symmetric, so a stretch shared by two rings in opposite directions is cleaned
/// the same way on both sides. The ring may come out with fewer than three points.
pub(crate) fn clean_ring<T: Copy + PartialEq>(ring: &mut Vec<T>) {
    let mut kept = 0;
    for i in 0..ring.len() {
        let p = ring[i];
        if kept > 0 && ring[kept - 1] == p {
            continue;
        }
        if kept > 1 && ring[kept - 2] == p {
            kept -= 1;
            continue;
        }
        ring[kept] = p;
        kept += 1;
    }
    ring.truncate(kept);
    // The ring is cyclic: the same faults can hide where the end meets the start.
    loop {
        let n = ring.len();
        let closing_repeat = n >= 2 && ring[0] == ring[n - 1];
        let spike_at_end = n >= 3 && ring[n - 2] == ring[0];
        if closing_repeat || spike_at_end {
            ring.pop();
        } else if n >= 3 && ring[n - 1] == ring[1] {
            ring.remove(0);
        } else {
            break;
        }
    }
}

/// Leaves in `repeated`, sorted, the points that `rings` pass through more than once, and says
/// whether there are any. MVT 2.1 wants no ring to touch itself: a point repeats where snapping
/// to the grid pinched a ring, where clipping left parts of a ring meeting at a point, or where
/// a hole touches its exterior.
pub(crate) fn repeated_points(rings: &[[i64; 2]], repeated: &mut Vec<[i64; 2]>) -> bool {
    repeated.clear();
    repeated.extend_from_slice(rings);
    repeated.sort_unstable();
    // One point of each run of equal points longer than one.
    let (mut kept, mut run) = (0, 0);
    while run < repeated.len() {
        let p = repeated[run];
        let end = run + repeated[run..].iter().take_while(|&&q| q == p).count();
        if end - run > 1 {
            repeated[kept] = p;
            kept += 1;
        }
        run = end;
    }
    repeated.truncate(kept);
    kept > 0
}

/// Twice the signed area of an open ring by the surveyor's formula.
///
/// In world and tile coordinates (y down) a positive value means the ring looks clockwise.
pub(crate) fn twice_area_f64(ring: &[[f64; 2]]) -> f64 {
    let Some(&origin) = ring.first() else {
        return 0.0;
    };
    // Relative to the first point, so that small rings far from the origin keep their digits.
    let mut sum = 0.0;
    for w in ring.windows(2) {
        let (a, b) = (sub(w[0], origin), sub(w[1], origin));
        sum += a[0] * b[1] - b[0] * a[1];
    }
    sum
}

/// Twice the signed area of an open ring in integer tile coordinates: exact.
pub(crate) fn twice_area_i64(ring: &[[i64; 2]]) -> i64 {
    let n = ring.len();
    (0..n)
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % n]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// `bbox` (`[min x, min y, max x, max y]`, `None` for empty) grown to take in `p`.
pub(crate) fn grow(bbox: Option<[f64; 4]>, p: [f64; 2]) -> [f64; 4] {
    match bbox {
        None => [p[0], p[1], p[0], p[1]],
        Some(b) => [
            b[0].min(p[0]),
            b[1].min(p[1]),
            b[2].max(p[0]),
            b[3].max(p[1]),
        ],
    }
}

/// The bounding box of `points`, `None` when there are none.
pub(crate) fn bbox(points: impl IntoIterator<Item = [f64; 2]>) -> Option<[f64; 4]> {
    points.into_iter().fold(None, |b, p| Some(grow(b, p)))
}

pub(crate) fn sub(a: [f64; 2], b: [f64; 2]) -> [f64; 2] {
    [a[0] - b[0], a[1] - b[1]]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cleaned(v: &[u32]) -> Vec<u32> {
        let mut v = v.to_vec();
        clean_ring(&mut v);
        v
    }

    #[test]
    fn repeats_and_closing_points_go() {
        assert_eq!(cleaned(&[1, 1, 2, 3, 3, 4, 1]), [1, 2, 3, 4]);
    }

    #[test]
    fn spikes_go_even_across_the_seam() {
        assert_eq!(cleaned(&[1, 2, 9, 2, 3]), [1, 2, 3]);
        assert_eq!(cleaned(&[9, 1, 2, 3, 1]), [1, 2, 3]);
        assert_eq!(cleaned(&[1, 2, 3, 9, 3]), [1, 2, 3]);
        assert_eq!(cleaned(&[1, 2, 1]), [1]);
    }

    #[test]
    fn area_sign_follows_screen_orientation() {
        // Clockwise on screen (y down): right along the top, then down.
        let square = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0]];
        assert_eq!(twice_area_f64(&square), 2.0);
        let int = [[0, 0], [1, 0], [1, 1], [0, 1]];
        assert_eq!(twice_area_i64(&int), 2);
    }

    #[test]
    fn a_pinched_ring_repeats_a_point() {
        let mut repeated = Vec::new();
        // The pinched ring, then a triangle through its pinch.
        let rings: Vec<[i64; 2]> = crate::test_rings::PINCHED
            .into_iter()
            .chain([[1, 1], [2, 2], [1, 2]])
            .collect();
        assert!(repeated_points(&rings, &mut repeated));
        assert_eq!(repeated, [[2, 2]]);
        assert!(!repeated_points(&[[0, 0], [1, 0], [1, 1]], &mut repeated));
        assert!(repeated.is_empty());
    }
}
