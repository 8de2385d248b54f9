//! Untangling a polygon whose rings touch or overlap themselves or each other after snapping
//! and clipping, into the simple rings MVT 2.1 asks for (no self-intersection, no
//! self-tangency).
//!
//! Sutherland–Hodgman returns a concave ring that leaves the clip square and comes back as one
//! ring whose parts are joined by zero-width bridges along the square's sides; a hole cut by a
//! side runs back along the stretch of side its exterior runs along; snapping to the grid can
//! pinch a ring to a point. Yet the rings, oriented as MVT wants, still bound the right area,
//! with the polygon's inside on the same side of every edge. So the edges along the square's
//! sides are cut at every vertex on those sides, and edges that appear in both directions
//! cancel: what is left is the boundary of the polygon's part of the square, each stretch once.
//! Walking it and cutting off a loop whenever the walk comes back to a vertex on it gives loops
//! that are simple and at most touch at vertices. Loops with positive area are exteriors; each
//! hole goes to the smallest exterior around it, and a hole inside none (a fold of a ring
//! twisted by snapping) is dropped.
//!
//! Only *junctions* can be left or reached more than one way: vertices on the square's sides
//! and vertices the rings pass through more than once. Between junctions the walk simply
//! follows a ring, so only the ways out of junctions are sorted, and untangling costs little
//! more than copying the rings.

use std::ops::Range;

use crate::clip::Square;
use crate::rings::twice_area_i64;

/// A way out of a junction to the next junction.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Way {
    /// Along a ring from the vertex at this index, past other vertices, up to its next junction.
    Ring(usize),
    /// Straight to this junction.
    Edge([i64; 2]),
}

/// The buffers of untangling, reused from polygon to polygon.
#[derive(Debug, Default)]
pub(crate) struct Untangler {
    /// Per vertex of the rings: the index of the next vertex of its ring, and whether it is a
    /// junction.
    next: Vec<usize>,
    junction: Vec<bool>,
    /// Where the polygon's vertices lie along each side of the square, sorted.
    on_sides: [Vec<i64>; 4],
    /// The edges from junction to junction (those along the sides cut at every junction on
    /// them), before cancelling.
    pieces: Vec<([i64; 2], [i64; 2])>,
    /// The ways out of the junctions, sorted by junction.
    exits: Vec<([i64; 2], Way)>,
    used: Vec<bool>,
    /// For the first way out of each junction: 1 + the junction's place on the walk, or 0.
    on_walk: Vec<usize>,
    /// The walk so far: each vertex, with 1 + its first way out if it is a junction, else 0.
    walk: Vec<([i64; 2], usize)>,
    /// The simple loops cut off the walk, and twice their signed areas.
    loops: Vec<[i64; 2]>,
    loop_spans: Vec<Range<usize>>,
    loop_areas: Vec<i64>,
    /// The exterior each hole loop belongs to.
    owners: Vec<Option<usize>>,
    /// The result, as loop numbers: each exterior followed by its holes.
    order: Vec<usize>,
}

impl Untangler {
    /// Untangles the polygon whose rings `rings` cut `coords` into, one after another from the
    /// start: oriented as MVT wants (the exterior with positive area, holes negative) and within
    /// `square`. `repeated` lists, sorted, the points the rings pass through more than once.
    pub fn untangle(
        &mut self,
        coords: &[[i64; 2]],
        rings: &[Range<usize>],
        square: Square,
        repeated: &[[i64; 2]],
    ) {
        self.loops.clear();
        self.loop_spans.clear();
        self.find_junctions(coords, rings, square, repeated);
        self.collect_exits(coords, rings, square);
        self.walk_loops(coords);
        self.assemble();
    }

    /// The rings found, in MVT order: each exterior, then its holes.
    pub fn rings(&self) -> impl Iterator<Item = &[[i64; 2]]> {
        self.order
            .iter()
            .map(|&r| &self.loops[self.loop_spans[r].clone()])
    }

    /// Marks the junctions, notes where vertices lie along the sides, and keeps as they are
    /// the rings without junctions, which nothing can tangle with.
    fn find_junctions(
        &mut self,
        coords: &[[i64; 2]],
        rings: &[Range<usize>],
        square: Square,
        repeated: &[[i64; 2]],
    ) {
        for along in &mut self.on_sides {
            along.clear();
        }
        self.next.clear();
        self.junction.clear();
        for ring in rings {
            self.next
                .extend((ring.start + 1..ring.end).chain([ring.start]));
            let mut any = false;
            for &p in &coords[ring.clone()] {
                let mut on_side = false;
                for side in square.sides_of(p) {
                    self.on_sides[side].push(Square::along(side, p));
                    on_side = true;
                }
                let junction = on_side || repeated.binary_search(&p).is_ok();
                self.junction.push(junction);
                any |= junction;
            }
            if !any {
                let start = self.loops.len();
                self.loops.extend_from_slice(&coords[ring.clone()]);
                self.loop_spans.push(start..self.loops.len());
            }
        }
        for along in &mut self.on_sides {
            along.sort_unstable();
            along.dedup();
        }
    }

    /// Collects the ways out of the junctions: along the rings, and straight to the next
    /// junction, where edges run both ways cancel. Edges along the sides are first cut at every
    /// vertex on their side. Elsewhere an edge runs both ways where snapping laid a hole onto
    /// its exterior, or one part of a ring onto another.
    fn collect_exits(&mut self, coords: &[[i64; 2]], rings: &[Range<usize>], square: Square) {
        self.exits.clear();
        self.pieces.clear();
        for k in rings.iter().flat_map(|ring| ring.clone()) {
            let (a, b) = (coords[k], coords[self.next[k]]);
            match square.side_of_edge(a, b) {
                Some(side) => self.push_pieces(square, side, a, b),
                None if self.junction[k] && self.junction[self.next[k]] => self.pieces.push((a, b)),
                None if self.junction[k] => self.exits.push((a, Way::Ring(k))),
                None => {}
            }
        }
        let undirected = |&(a, b): &([i64; 2], [i64; 2])| (a.min(b), a.max(b));
        self.pieces.sort_unstable_by_key(undirected);
        for same in self.pieces.chunk_by(|x, y| undirected(x) == undirected(y)) {
            let net: i64 = same.iter().map(|(a, b)| if a < b { 1 } else { -1 }).sum();
            let (low, high) = undirected(&same[0]);
            let exit = if net > 0 {
                (low, Way::Edge(high))
            } else {
                (high, Way::Edge(low))
            };
            self.exits
                .extend(std::iter::repeat_n(exit, net.unsigned_abs() as usize));
        }
        self.exits.sort_unstable();
    }

    /// Pushes the edge `a`–`b`, which runs along `side`, as its pieces between the vertices
    /// on that side.
    fn push_pieces(&mut self, square: Square, side: usize, a: [i64; 2], b: [i64; 2]) {
        let (from, to) = (Square::along(side, a), Square::along(side, b));
        let stops = &self.on_sides[side];
        let between = &stops[stops.partition_point(|&v| v <= from.min(to))
            ..stops.partition_point(|&v| v < from.max(to))];
        let mut push = |stops: &mut dyn Iterator<Item = &i64>| {
            let mut prev = a;
            for p in stops.map(|&v| square.point(side, v)).chain([b]) {
                self.pieces.push((prev, p));
                prev = p;
            }
        };
        if from < to {
            push(&mut between.iter());
        } else {
            push(&mut between.iter().rev());
        }
    }

    /// Walks from junction to junction, cutting off a loop each time the walk comes back to a
    /// junction on it, so that every loop is simple.
    fn walk_loops(&mut self, coords: &[[i64; 2]]) {
        let n = self.exits.len();
        self.used.clear();
        self.used.resize(n, false);
        self.on_walk.clear();
        self.on_walk.resize(n, 0);
        for start in 0..n {
            if self.used[start] {
                continue;
            }
            let first = self.first_exit(self.exits[start].0);
            self.walk.clear();
            self.walk.push((self.exits[start].0, first + 1));
            self.on_walk[first] = 1;
            let mut exit = start;
            loop {
                self.used[exit] = true;
                let to = self.follow(coords, self.exits[exit].1);
                let first = self.first_exit(to);
                // Every junction reached has a way out, as the rings were closed; if not, the
                // walk is given up.
                if self.exits.get(first).is_none_or(|e| e.0 != to) {
                    break;
                }
                match self.on_walk[first] {
                    0 => {
                        self.walk.push((to, first + 1));
                        self.on_walk[first] = self.walk.len();
                    }
                    at => self.close_loop(at - 1),
                }
                let Some(next) = self.unused_exit(first) else {
                    break;
                };
                exit = next;
            }
            for &(_, junction) in &self.walk {
                if junction > 0 {
                    self.on_walk[junction - 1] = 0;
                }
            }
        }
    }

    /// Puts on the walk the vertices passed going `way`, and returns the junction it leads to.
    fn follow(&mut self, coords: &[[i64; 2]], way: Way) -> [i64; 2] {
        match way {
            Way::Edge(to) => to,
            Way::Ring(mut k) => loop {
                k = self.next[k];
                if self.junction[k] {
                    break coords[k];
                }
                self.walk.push((coords[k], 0));
            },
        }
    }

    /// Where the ways out of junction `p` begin (or would, if it had none).
    fn first_exit(&self, p: [i64; 2]) -> usize {
        self.exits.partition_point(|e| e.0 < p)
    }

    /// A way not taken yet out of the junction whose first way out is `first`.
    fn unused_exit(&self, first: usize) -> Option<usize> {
        let from = self.exits[first].0;
        (first..self.exits.len())
            .take_while(|&e| self.exits[e].0 == from)
            .find(|&e| !self.used[e])
    }

    /// Cuts the walk back to its vertex `at`, keeping what it went round since as a loop.
    fn close_loop(&mut self, at: usize) {
        for &(_, junction) in &self.walk[at + 1..] {
            if junction > 0 {
                self.on_walk[junction - 1] = 0;
            }
        }
        let start = self.loops.len();
        self.loops.extend(self.walk[at..].iter().map(|w| w.0));
        self.loop_spans.push(start..self.loops.len());
        self.walk.truncate(at + 1);
    }

    /// Groups the loops into polygons: loops with positive area are exteriors, each hole goes
    /// to the smallest exterior around it, and loops without area or around nothing are dropped.
    fn assemble(&mut self) {
        let loop_of = |span: &Range<usize>| &self.loops[span.clone()];
        self.loop_areas.clear();
        self.loop_areas
            .extend(self.loop_spans.iter().map(|s| twice_area_i64(loop_of(s))));
        self.owners.clear();
        for (span, &area) in self.loop_spans.iter().zip(&self.loop_areas) {
            let ring = loop_of(span);
            let owner = (area < 0).then(|| {
                // Twice the middle of the hole's first edge: on no other loop, as loops only
                // touch at vertices.
                let probe = [ring[0][0] + ring[1][0], ring[0][1] + ring[1][1]];
                (0..self.loop_spans.len())
                    .filter(|&e| self.loop_areas[e] > 0)
                    .filter(|&e| winds_around(loop_of(&self.loop_spans[e]), probe))
                    .min_by_key(|&e| self.loop_areas[e])
            });
            self.owners.push(owner.flatten());
        }
        self.order.clear();
        for exterior in (0..self.loop_spans.len()).filter(|&e| self.loop_areas[e] > 0) {
            self.order.push(exterior);
            self.order
                .extend((0..self.loop_spans.len()).filter(|&h| self.owners[h] == Some(exterior)));
        }
    }
}

/// Whether the open `ring` winds around `doubled`, a point given in doubled coordinates so that
/// the middle of an edge is whole. Exact: Sunday's winding number on integers.
fn winds_around(ring: &[[i64; 2]], doubled: [i64; 2]) -> bool {
    let p = doubled;
    let n = ring.len();
    let winding: i64 = (0..n)
        .map(|i| {
            let (a, b) = (ring[i].map(|v| 2 * v), ring[(i + 1) % n].map(|v| 2 * v));
            // Positive when `p` lies to the left of the edge, looking along it with y up.
            let turn = (b[0] - a[0]) * (p[1] - a[1]) - (b[1] - a[1]) * (p[0] - a[0]);
            if a[1] <= p[1] && b[1] > p[1] && turn > 0 {
                1
            } else if a[1] > p[1] && b[1] <= p[1] && turn < 0 {
                -1
            } else {
                0
            }
        })
        .sum();
    winding != 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clip::clip_ring;
    use crate::rings::{clean_ring, repeated_points};

    const SQUARE: Square = Square { lo: 0, hi: 10 };

    /// The rings untangled from `rings` (oriented as MVT wants), each as (twice its area,
    /// vertex count), in output order.
    fn untangled(rings: &[&[[i64; 2]]]) -> Vec<(i64, usize)> {
        let mut coords = Vec::new();
        let mut spans = Vec::new();
        for ring in rings {
            let start = coords.len();
            coords.extend_from_slice(ring);
            spans.push(start..coords.len());
        }
        let mut repeated = Vec::new();
        repeated_points(&coords, &mut repeated);
        let mut untangler = Untangler::default();
        untangler.untangle(&coords, &spans, SQUARE, &repeated);
        untangler
            .rings()
            .map(|r| (twice_area_i64(r), r.len()))
            .collect()
    }

    /// `ring` clipped to the square and turned to have the sign of area `sign` asks for.
    fn clipped(ring: &[[i64; 2]], sign: i64) -> Vec<[i64; 2]> {
        let (mut out, mut scratch) = (Vec::new(), Vec::new());
        clip_ring(ring, SQUARE, &mut out, &mut scratch);
        clean_ring(&mut out);
        if twice_area_i64(&out).signum() != sign {
            out.reverse();
        }
        out
    }

    #[test]
    fn a_bridged_ring_falls_apart_into_its_parts() {
        let arch = clipped(&crate::test_rings::ARCH, 1);
        assert_eq!(untangled(&[&arch]), [(20, 4), (20, 4)]);
    }

    #[test]
    fn a_pinched_ring_splits_into_its_lobes_and_folds_go() {
        assert_eq!(untangled(&[&crate::test_rings::PINCHED]), [(8, 4), (8, 4)]);
        // The same with its second square turned inside out: a fold.
        let folded = [
            [0, 0],
            [2, 0],
            [2, 2],
            [2, 4],
            [4, 4],
            [4, 2],
            [2, 2],
            [0, 2],
        ];
        assert_eq!(untangled(&[&folded]), [(8, 4)]);
    }

    #[test]
    fn a_loop_pinched_inside_becomes_a_hole() {
        // A square whose outline dips in at (1, 5) to go round a hole touching it there.
        let inverted = [
            [1, 1],
            [9, 1],
            [9, 9],
            [1, 9],
            [1, 5],
            [4, 6],
            [4, 4],
            [1, 5],
        ];
        assert_eq!(untangled(&[&inverted]), [(128, 5), (-6, 3)]);
    }

    #[test]
    fn a_hole_cut_by_a_side_opens_into_a_notch() {
        // The exterior covers the square; the hole crosses its left side.
        let exterior = clipped(&[[-5, -5], [15, -5], [15, 15], [-5, 15]], 1);
        let hole = clipped(&[[-3, 3], [-3, 6], [4, 6], [4, 3]], -1);
        assert_eq!(untangled(&[&exterior, &hole]), [(200 - 24, 8)]);
        // A hole over the whole square leaves nothing.
        let mut all = exterior.clone();
        all.reverse();
        assert_eq!(untangled(&[&exterior, &all]), []);
    }

    #[test]
    fn holes_go_to_the_exterior_around_them() {
        let arch = clipped(
            &[
                [1, 9],
                [1, -5],
                [9, -5],
                [9, 9],
                [6, 9],
                [6, -2],
                [4, -2],
                [4, 9],
            ],
            1,
        );
        // A hole in the right leg.
        let hole = clipped(&[[7, 6], [8, 7], [8, 6]], -1);
        assert_eq!(untangled(&[&arch, &hole]), [(54, 4), (54, 4), (-1, 3)]);
    }
}
