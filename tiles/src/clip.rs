//! Sutherland–Hodgman clipping of one ring to the buffered tile square, in integer tile units.
//!
//! Clipping after quantisation keeps every output vertex on the integer grid, and computing
//! each cut from the segment's endpoints in a fixed order gives the same cut point whichever
//! way a ring runs along the segment, so two neighbours that share an edge are cut alike.
//! Concave rings can come out with zero-width bridges along the square's sides; those lie in
//! the buffer, outside the visible tile.

use crate::tile_id::round_to_grid;

/// Clips the open ring `ring` to the square `[lo, hi]²`, writing the result to `out`;
/// `scratch` is working space. The result may have repeated points and fewer than 3 points.
pub(crate) fn clip_ring(
    ring: &[[i64; 2]],
    lo: i64,
    hi: i64,
    out: &mut Vec<[i64; 2]>,
    scratch: &mut Vec<[i64; 2]>,
) {
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

    fn clipped(ring: &[[i64; 2]]) -> Vec<[i64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(ring, 0, 10, &mut out, &mut scratch);
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
}
