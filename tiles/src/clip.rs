//! Sutherland–Hodgman clipping of one ring to the buffered tile square, in integer tile units.
//!
//! Clipping after quantisation keeps every output vertex on the integer grid, and computing
//! each cut from the segment's endpoints in a fixed order gives the same cut point whichever
//! way a ring runs along the segment, so two neighbours that share an edge are cut alike.
//! A concave ring that leaves the square and comes back comes out as one ring whose parts are
//! joined by zero-width bridges along the square's sides; [`Square::touches_itself`] finds
//! those, and `untangle` turns them into simple rings.

use crate::tile_id::round_to_grid;

/// The clip square `[lo, hi]²`. Its sides are numbered 0 to 3: `x = lo`, `x = hi`, `y = lo`,
/// `y = hi`; a position *along* a side is the coordinate that varies on it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Square {
    pub lo: i64,
    pub hi: i64,
}

impl Square {
    pub fn contains(self, p: [i64; 2]) -> bool {
        (self.lo..=self.hi).contains(&p[0]) && (self.lo..=self.hi).contains(&p[1])
    }

    /// The sides `p` lies on: none, one, or two at a corner.
    pub fn sides_of(self, p: [i64; 2]) -> impl Iterator<Item = usize> {
        let mask = self.side_mask(p);
        (0..4).filter(move |&side| mask >> side & 1 == 1)
    }

    /// The side the edge `a`–`b` runs along, if it runs along one.
    pub fn side_of_edge(self, a: [i64; 2], b: [i64; 2]) -> Option<usize> {
        let common = self.side_mask(a) & self.side_mask(b);
        (common != 0).then(|| common.trailing_zeros() as usize)
    }

    /// The sides `p` lies on as bits, side `s` at bit `s`: four comparisons without branches,
    /// as every vertex of a clipped ring is asked.
    fn side_mask(self, p: [i64; 2]) -> u8 {
        u8::from(p[0] == self.lo)
            | u8::from(p[0] == self.hi) << 1
            | u8::from(p[1] == self.lo) << 2
            | u8::from(p[1] == self.hi) << 3
    }

    /// Where `p`, a point on `side`, lies along it.
    pub fn along(side: usize, p: [i64; 2]) -> i64 {
        p[1 - side / 2]
    }

    /// The point of `side` at `along`.
    pub fn point(self, side: usize, along: i64) -> [i64; 2] {
        let mut p = [along; 2];
        p[side / 2] = self.bound(side);
        p
    }

    /// The coordinate that stays the same along `side`.
    fn bound(self, side: usize) -> i64 {
        [self.lo, self.hi][side % 2]
    }

    /// Whether an open ring touches or overlaps itself along the square's sides: some vertex
    /// lies strictly inside an edge running along a side. That is how a bridge shows, running
    /// past the end of another bridge or a part that only touches the side; bridges that meet
    /// end to end repeat a point instead. `on_sides` is working space, for each vertex on a
    /// side: the side, the position along it and the vertex's index. Asked of every clipped
    /// exterior: one pass over the ring, then a sort of its few vertices on the sides.
    pub fn touches_itself(
        self,
        ring: &[[i64; 2]],
        on_sides: &mut Vec<(usize, i64, usize)>,
    ) -> bool {
        on_sides.clear();
        for (i, &p) in ring.iter().enumerate() {
            if self.side_mask(p) != 0 {
                on_sides.extend(self.sides_of(p).map(|side| (side, Self::along(side, p), i)));
            }
        }
        if on_sides.len() < 3 {
            return false;
        }
        on_sides.sort_unstable();
        // An edge along a side starts at a vertex on it.
        on_sides.iter().any(|&(_, _, i)| {
            let (a, b) = (ring[i], ring[if i + 1 == ring.len() { 0 } else { i + 1 }]);
            self.side_of_edge(a, b).is_some_and(|side| {
                let (a, b) = (Self::along(side, a), Self::along(side, b));
                let first_past = on_sides.partition_point(|&(s, v, _)| (s, v) <= (side, a.min(b)));
                on_sides
                    .get(first_past)
                    .is_some_and(|&(s, v, _)| (s, v) < (side, a.max(b)))
            })
        })
    }
}

/// Clips the open ring `ring` to `square`, writing the result to `out`; `scratch` is working
/// space. The result may have repeated points and fewer than 3 points.
pub(crate) fn clip_ring(
    ring: &[[i64; 2]],
    square: Square,
    out: &mut Vec<[i64; 2]>,
    scratch: &mut Vec<[i64; 2]>,
) {
    let Square { lo, hi } = square;
    clip_side(
        ring,
        scratch,
        Side {
            axis: 0,
            bound: lo,
            keep_above: true,
        },
    );
    clip_side(
        scratch,
        out,
        Side {
            axis: 0,
            bound: hi,
            keep_above: false,
        },
    );
    clip_side(
        out,
        scratch,
        Side {
            axis: 1,
            bound: lo,
            keep_above: true,
        },
    );
    clip_side(
        scratch,
        out,
        Side {
            axis: 1,
            bound: hi,
            keep_above: false,
        },
    );
}

/// One side of the clip square: the half-plane `p[axis] >= bound` or `p[axis] <= bound`.
#[derive(Clone, Copy)]
struct Side {
    axis: usize,
    bound: i64,
    keep_above: bool,
}

impl Side {
    fn inside(self, p: [i64; 2]) -> bool {
        if self.keep_above {
            p[self.axis] >= self.bound
        } else {
            p[self.axis] <= self.bound
        }
    }

    /// Where the segment `a`–`b`, which crosses this side's line, meets it, rounded to the grid.
    fn cut(self, a: [i64; 2], b: [i64; 2]) -> [i64; 2] {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        let other = 1 - self.axis;
        let t = (self.bound - a[self.axis]) as f64 / (b[self.axis] - a[self.axis]) as f64;
        let mut p = [0; 2];
        p[self.axis] = self.bound;
        p[other] = a[other] + round_to_grid(t * (b[other] - a[other]) as f64);
        p
    }
}

fn clip_side(ring: &[[i64; 2]], out: &mut Vec<[i64; 2]>, side: Side) {
    out.clear();
    let Some(&last) = ring.last() else {
        return;
    };
    let mut prev = last;
    for &cur in ring {
        match (side.inside(prev), side.inside(cur)) {
            (true, true) => out.push(cur),
            (true, false) => out.push(side.cut(prev, cur)),
            (false, true) => {
                out.push(side.cut(prev, cur));
                out.push(cur);
            }
            (false, false) => {}
        }
        prev = cur;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rings::twice_area_i64;

    const SQUARE: Square = Square { lo: 0, hi: 10 };

    fn clipped(ring: &[[i64; 2]]) -> Vec<[i64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(ring, SQUARE, &mut out, &mut scratch);
        out
    }

    #[test]
    fn a_ring_inside_is_untouched() {
        let ring = [[1, 1], [9, 1], [9, 9]];
        assert_eq!(clipped(&ring), ring);
    }

    #[test]
    fn a_ring_around_the_square_becomes_the_square() {
        let ring = [[-5, -5], [15, -5], [15, 15], [-5, 15]];
        assert_eq!(twice_area_i64(&clipped(&ring)), 200);
    }

    #[test]
    fn a_ring_outside_vanishes() {
        assert!(clipped(&[[20, 20], [30, 20], [30, 30]]).is_empty());
    }

    #[test]
    fn cuts_do_not_depend_on_direction() {
        let side = Side {
            axis: 0,
            bound: 0,
            keep_above: true,
        };
        assert_eq!(side.cut([-3, 1], [4, 8]), side.cut([4, 8], [-3, 1]));
        assert_eq!(side.cut([-3, 1], [4, 8]), [0, 4]);
    }

    #[test]
    fn a_ring_leaving_the_square_twice_comes_back_bridged() {
        let ring = clipped(&crate::test_rings::ARCH);
        assert_eq!(twice_area_i64(&ring).abs(), 40);
        assert!(SQUARE.touches_itself(&ring, &mut Vec::new()));
        // One leg alone leaves once and is joined to nothing.
        let leg = clipped(&[[2, 5], [2, -5], [4, -5], [4, 5]]);
        assert!(!SQUARE.touches_itself(&leg, &mut Vec::new()));
    }

    #[test]
    fn sides_and_positions_along_them() {
        assert_eq!(SQUARE.sides_of([0, 10]).collect::<Vec<_>>(), [0, 3]);
        assert_eq!(SQUARE.side_of_edge([10, 2], [10, 7]), Some(1));
        assert_eq!(SQUARE.side_of_edge([0, 0], [10, 10]), None);
        assert_eq!(Square::along(2, [7, 0]), 7);
        assert_eq!(SQUARE.point(3, 4), [4, 10]);
    }
}
