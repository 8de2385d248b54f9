//! Simplification of a polygon coverage as a whole, so that neighbours stay neighbours.
//!
//! Grids share their edges vertex for vertex. Simplifying each grid on its own would drop
//! different vertices on the two sides of a shared edge and open slivers and overlaps between
//! them. Instead the rings are cut into *arcs*, the stretches between *nodes* (vertices where
//! the edge graph branches or ends), each arc is simplified once, and every ring is rebuilt
//! from its simplified arcs, so both sides of an edge get the very same line at every zoom.
//! Vertices are matched by their exact bits, which is how the data arrives from the index.

use rustc_hash::FxHashMap as HashMap;

use geo_types::{LineString, MultiPolygon, Polygon};

use crate::rings::{bbox, clean_ring, sub, Rings};
use crate::simplify::douglas_peucker;

/// A ring's way through one arc.
#[derive(Clone, Copy, Debug)]
struct ArcUse {
    arc: u32,
    reversed: bool,
}

/// What a ring needs to know about an arc to judge its own shape without being rebuilt.
#[derive(Clone, Copy, Debug, Default)]
struct ArcSummary {
    segments: u32,
    /// The arc's share of twice a ring's signed area, measured from [`Topology::origin`];
    /// the shares of a ring's arcs add up to the ring's area.
    twice_area: f64,
}

/// Rings cut into shared arcs, built once and then simplified at any number of tolerances.
#[derive(Debug)]
pub(crate) struct Topology {
    points: Vec<[f64; 2]>,
    /// Point ids of all arcs, one after another; `arc_spans` says where each begins and ends.
    arc_points: Vec<u32>,
    arc_spans: Vec<(u32, u32)>,
    arc_full: Vec<ArcSummary>,
    /// The arcs of all rings in ring order; `ring_spans` says which belong to which ring.
    ring_arcs: Vec<ArcUse>,
    ring_spans: Vec<(u32, u32)>,
    exterior: Vec<bool>,
    /// Per ring, the larger side of its bounding box: rings smaller than the tolerance may vanish.
    ring_size: Vec<f64>,
    origin: [f64; 2],
}

impl Topology {
    /// Finds the arcs of the `active` rings of `rings`; the others are left out, so that the
    /// coverage of, say, townships alone is not cut at every corner of the grids inside them.
    /// Repeated points and spikes are removed first; rings left with fewer than three points
    /// have no arcs. Rings without arcs come out of [`Topology::simplify`] empty.
    pub fn new(rings: &Rings, active: &[bool]) -> Topology {
        let mut input = PointRings::new(rings, active);
        let is_node = input.nodes();
        let mut topology = Topology {
            origin: input.points.first().copied().unwrap_or([0.0, 0.0]),
            points: std::mem::take(&mut input.points),
            arc_points: Vec::new(),
            arc_spans: Vec::new(),
            arc_full: Vec::new(),
            ring_arcs: Vec::new(),
            ring_spans: Vec::with_capacity(rings.spans.len()),
            exterior: rings.spans.iter().map(|s| s.exterior).collect(),
            ring_size: Vec::with_capacity(rings.spans.len()),
        };
        // An arc is known by its first directed edge, from either end.
        let mut arc_by_start: HashMap<(u32, u32), ArcUse> = HashMap::default();
        for ids in input.rings() {
            let first_arc = topology.ring_arcs.len() as u32;
            topology.ring_size.push(
                bbox(ids.iter().map(|&i| topology.points[i as usize]))
                    .map_or(0.0, |b| (b[2] - b[0]).max(b[3] - b[1])),
            );
            if let Some(first) = ids.iter().position(|&i| is_node[i as usize]) {
                let n = ids.len();
                let mut at = first;
                loop {
                    let mut next = (at + 1) % n;
                    while !is_node[ids[next] as usize] {
                        next = (next + 1) % n;
                    }
                    let arc = match arc_by_start.get(&(ids[at], ids[(at + 1) % n])) {
                        Some(&known) => known,
                        None => {
                            // `next == at` when the ring has a single node: the arc is the whole loop.
                            let steps = (next + n - at - 1) % n + 1;
                            let arc = topology.add_arc((at..=at + steps).map(|k| ids[k % n]));
                            let (s, e) = topology.arc_spans[arc.arc as usize];
                            let p = &topology.arc_points[s as usize..e as usize];
                            let last = p.len() - 1;
                            arc_by_start.insert((p[0], p[1]), arc);
                            arc_by_start.insert(
                                (p[last], p[last - 1]),
                                ArcUse {
                                    reversed: true,
                                    ..arc
                                },
                            );
                            arc
                        }
                    };
                    topology.ring_arcs.push(arc);
                    at = next;
                    if at == first {
                        break;
                    }
                }
            }
            topology
                .ring_spans
                .push((first_arc, topology.ring_arcs.len() as u32));
        }
        topology
    }

    fn add_arc(&mut self, ids: impl Iterator<Item = u32>) -> ArcUse {
        let start = self.arc_points.len() as u32;
        self.arc_points.extend(ids);
        let end = self.arc_points.len() as u32;
        let summary = self.summarise(&self.arc_points[start as usize..end as usize]);
        self.arc_spans.push((start, end));
        self.arc_full.push(summary);
        ArcUse {
            arc: self.arc_spans.len() as u32 - 1,
            reversed: false,
        }
    }

    fn summarise(&self, ids: &[u32]) -> ArcSummary {
        let mut twice_area = 0.0;
        for w in ids.windows(2) {
            let a = sub(self.points[w[0] as usize], self.origin);
            let b = sub(self.points[w[1] as usize], self.origin);
            twice_area += a[0] * b[1] - b[0] * a[1];
        }
        ArcSummary {
            segments: ids.len() as u32 - 1,
            twice_area,
        }
    }

    fn arc(&self, arc: u32) -> &[u32] {
        let (s, e) = self.arc_spans[arc as usize];
        &self.arc_points[s as usize..e as usize]
    }

    fn ring(&self, ring: usize) -> &[ArcUse] {
        let (s, e) = self.ring_spans[ring];
        &self.ring_arcs[s as usize..e as usize]
    }

    /// The rings simplified with Douglas–Peucker at `tolerance` (`None`: as they are), in the
    /// order they were given.
    ///
    /// A ring that would lose more than half its area or fall below three points, while it is
    /// larger than the tolerance, gets all its arcs back unsimplified; as those arcs are shared,
    /// its neighbours get them too, so the coverage stays without gaps.
    pub fn simplify(&self, tolerance: Option<f64>) -> Rings {
        let arcs = self.arc_spans.len();
        let mut kept = Vec::new();
        let mut kept_spans = Vec::with_capacity(arcs);
        let mut summary = Vec::with_capacity(arcs);
        // Whether each arc is used as it is: with no tolerance, all are.
        let mut full = vec![tolerance.is_none(); arcs];
        if let Some(tolerance) = tolerance {
            let mut coords = Vec::new();
            for arc in 0..arcs as u32 {
                let ids = self.arc(arc);
                coords.clear();
                coords.extend(ids.iter().map(|&i| self.points[i as usize]));
                let start = kept.len();
                douglas_peucker(&coords, tolerance, &mut kept);
                for k in &mut kept[start..] {
                    *k = ids[*k as usize];
                }
                kept_spans.push((start as u32, kept.len() as u32));
                summary.push(self.summarise(&kept[start..]));
            }
            self.restore_collapsed(tolerance, &summary, &mut full);
        }
        let mut out = Rings::default();
        for r in 0..self.ring_spans.len() {
            out.push_with(self.exterior[r], |coords| {
                for u in self.ring(r) {
                    let ids = if full[u.arc as usize] {
                        self.arc(u.arc)
                    } else {
                        let (s, e) = kept_spans[u.arc as usize];
                        &kept[s as usize..e as usize]
                    };
                    // Where an arc ends the next begins: leave the shared point to the next.
                    let point = |&i: &u32| self.points[i as usize];
                    if u.reversed {
                        coords.extend(ids[1..].iter().rev().map(point));
                    } else {
                        coords.extend(ids[..ids.len() - 1].iter().map(point));
                    }
                }
            });
        }
        out
    }

    /// Marks `full` every arc of every ring that simplification would collapse, until no ring
    /// collapses. Terminates because arcs only ever go back to full.
    fn restore_collapsed(&self, tolerance: f64, simplified: &[ArcSummary], full: &mut [bool]) {
        loop {
            let mut changed = false;
            for r in 0..self.ring_spans.len() {
                let (mut segments, mut twice_area, mut twice_original) = (0, 0.0, 0.0);
                for u in self.ring(r) {
                    let a = u.arc as usize;
                    let now = if full[a] {
                        self.arc_full[a]
                    } else {
                        simplified[a]
                    };
                    let sign = if u.reversed { -1.0 } else { 1.0 };
                    segments += now.segments;
                    twice_area += sign * now.twice_area;
                    twice_original += sign * self.arc_full[a].twice_area;
                }
                let collapsed = segments < 3
                    || twice_area * twice_original.signum() < 0.5 * twice_original.abs();
                if collapsed && self.ring_size[r] > tolerance {
                    for u in self.ring(r) {
                        changed |= !std::mem::replace(&mut full[u.arc as usize], true);
                    }
                }
            }
            if !changed {
                return;
            }
        }
    }
}

/// The input rings as lists of point ids, where equal points (by exact bits) share an id.
struct PointRings {
    points: Vec<[f64; 2]>,
    ids: Vec<u32>,
    /// Ring `r` is `ids[spans[r]]`: cleaned, and empty if fewer than three points were left.
    spans: Vec<(u32, u32)>,
}

impl PointRings {
    fn new(rings: &Rings, active: &[bool]) -> PointRings {
        let mut id_of: HashMap<[u64; 2], u32> =
            HashMap::with_capacity_and_hasher(rings.coords.len(), Default::default());
        let mut out = PointRings {
            points: Vec::new(),
            ids: Vec::with_capacity(rings.coords.len()),
            spans: Vec::with_capacity(rings.spans.len()),
        };
        let mut ring = Vec::new();
        for (r, &is_active) in active.iter().enumerate() {
            ring.clear();
            for &p in rings.ring(r).iter().filter(|_| is_active) {
                // `+ 0.0` turns -0.0 into 0.0, the one case where equal numbers differ in bits.
                let key = [(p[0] + 0.0).to_bits(), (p[1] + 0.0).to_bits()];
                let next = out.points.len() as u32;
                let id = *id_of.entry(key).or_insert(next);
                if id == next {
                    out.points.push(p);
                }
                ring.push(id);
            }
            clean_ring(&mut ring);
            let start = out.ids.len() as u32;
            if ring.len() >= 3 {
                out.ids.extend_from_slice(&ring);
            }
            out.spans.push((start, out.ids.len() as u32));
        }
        out
    }

    fn ring(&self, r: usize) -> &[u32] {
        let (s, e) = self.spans[r];
        &self.ids[s as usize..e as usize]
    }

    fn rings(&self) -> impl Iterator<Item = &[u32]> {
        (0..self.spans.len()).map(|r| self.ring(r))
    }

    /// Nodes are the points where the edge graph does not simply pass through: those with
    /// other than two distinct neighbours. A ring without any (an island, or a hole filled by
    /// one other polygon) gets its smallest point id, which every ring along the same cycle
    /// agrees on.
    fn nodes(&self) -> Vec<bool> {
        let mut edges: Vec<(u32, u32)> = Vec::with_capacity(self.ids.len());
        for ids in self.rings() {
            for (k, &a) in ids.iter().enumerate() {
                let b = ids[(k + 1) % ids.len()];
                edges.push((a.min(b), a.max(b)));
            }
        }
        edges.sort_unstable();
        edges.dedup();
        let mut degree = vec![0u32; self.points.len()];
        for (a, b) in edges {
            degree[a as usize] += 1;
            degree[b as usize] += 1;
        }
        let mut is_node: Vec<bool> = degree.iter().map(|&d| d != 2).collect();
        for ids in self.rings() {
            if !ids.iter().any(|&i| is_node[i as usize]) {
                if let Some(&lowest) = ids.iter().min() {
                    is_node[lowest as usize] = true;
                }
            }
        }
        is_node
    }
}

/// Simplifies polygons that form a coverage (neighbours share edges vertex for vertex) with
/// Douglas–Peucker at `tolerance`, in the polygons' own planar units, keeping every shared edge
/// identical on both sides. Polygons come back in order; the rare polygon no bigger than the
/// tolerance may come back empty. Tiles use the same machinery on Web-Mercator coordinates.
///
/// ```
/// use geo_types::{polygon, MultiPolygon};
/// use onemap_tiles::simplify_coverage;
///
/// // Two squares sharing a wiggly edge from (1, 0) to (1, 2).
/// let left = polygon![(x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.01, y: 1.0), (x: 1.0, y: 2.0), (x: 0.0, y: 2.0)];
/// let right = polygon![(x: 1.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 2.0), (x: 1.0, y: 2.0), (x: 1.01, y: 1.0)];
/// let out = simplify_coverage(&[MultiPolygon(vec![left]), MultiPolygon(vec![right])], 0.1);
/// // The wiggle is gone from both sides at once: no gap, no overlap.
/// assert_eq!(out[0].0[0].exterior().0.len(), 5); // 4 corners + closing point
/// assert_eq!(out[1].0[0].exterior().0.len(), 5);
/// ```
pub fn simplify_coverage(polygons: &[MultiPolygon<f64>], tolerance: f64) -> Vec<MultiPolygon<f64>> {
    let mut rings = Rings::default();
    for polygon in polygons.iter().flat_map(|mp| &mp.0) {
        rings.push_polygon(polygon, |c| [c.x, c.y]);
    }
    let all = vec![true; rings.spans.len()];
    let simplified = Topology::new(&rings, &all).simplify(Some(tolerance));
    let line = |r: usize| LineString::from(simplified.ring(r).to_vec());
    let mut next = 0;
    polygons
        .iter()
        .map(|mp| {
            let mut out = MultiPolygon(Vec::new());
            for polygon in &mp.0 {
                let exterior = next;
                let holes = exterior + 1..exterior + 1 + polygon.interiors().len();
                next = holes.end;
                if simplified.ring(exterior).len() >= 3 {
                    let holes = holes
                        .filter(|&h| simplified.ring(h).len() >= 3)
                        .map(line)
                        .collect();
                    out.0.push(Polygon::new(line(exterior), holes));
                }
            }
            out
        })
        .collect()
}
