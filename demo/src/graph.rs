//! Grouping nodes of an adjacency graph into contiguous regions of chosen sizes.
//!
//! The nodes are atoms at the bottom and regions of the level below further up; growing
//! regions only ever across an adjacency keeps each of them in one piece.

use super::distance;
use super::mesh::{Mesh, NONE};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// An undirected graph of weighted nodes placed on the map.
pub(super) struct Graph {
    /// Compressed adjacency: the neighbours of `v` are `adjacent[offsets[v]..offsets[v + 1]]`.
    offsets: Vec<usize>,
    adjacent: Vec<u32>,
    /// Position of each node, km from the city centre (an atom's centre, a region's centroid).
    pub pos: Vec<[f64; 2]>,
    /// Atoms in each node.
    pub weight: Vec<f64>,
}

impl Graph {
    /// The atoms of `mesh`, adjacent when they share an edge.
    pub fn of_atoms(mesh: &Mesh) -> Graph {
        let mut offsets = Vec::with_capacity(mesh.atoms() + 1);
        let mut adjacent = Vec::with_capacity(6 * mesh.atoms());
        offsets.push(0);
        for atom in 0..mesh.atoms() as u32 {
            adjacent.extend(
                mesh.sides(atom)
                    .iter()
                    .map(|s| s.across)
                    .filter(|&a| a != NONE),
            );
            offsets.push(adjacent.len());
        }
        Graph {
            offsets,
            adjacent,
            pos: (0..mesh.atoms() as u32).map(|a| mesh.atom_km(a)).collect(),
            weight: vec![1.0; mesh.atoms()],
        }
    }

    pub fn len(&self) -> usize {
        self.pos.len()
    }

    pub fn neighbours(&self, v: u32) -> &[u32] {
        &self.adjacent[self.offsets[v as usize]..self.offsets[v as usize + 1]]
    }

    /// The graph of the `regions` regions that `owner` groups the nodes into: adjacent when
    /// any of their nodes are, placed at their weighted centroid.
    pub fn quotient(&self, owner: &[u32], regions: usize) -> Graph {
        let mut weight = vec![0.0; regions];
        let mut sum = vec![[0.0; 2]; regions];
        let mut pairs = Vec::new();
        for v in 0..self.len() as u32 {
            let r = owner[v as usize] as usize;
            let w = self.weight[v as usize];
            weight[r] += w;
            let [x, y] = self.pos[v as usize];
            sum[r] = [sum[r][0] + w * x, sum[r][1] + w * y];
            pairs.extend(
                self.neighbours(v)
                    .iter()
                    .map(|&u| owner[u as usize])
                    .filter(|&s| s as usize != r)
                    .map(|s| (r as u32, s)),
            );
        }
        pairs.sort_unstable();
        pairs.dedup();
        let pos = sum
            .iter()
            .zip(&weight)
            .map(|([x, y], w)| [x / w, y / w])
            .collect();
        Graph::from_pairs(regions, &pairs, pos, weight)
    }

    /// The subgraph of the nodes for which `keep` holds, and the original index of each of
    /// its nodes.
    pub fn subgraph(&self, keep: impl Fn(u32) -> bool) -> (Graph, Vec<u32>) {
        let original: Vec<u32> = (0..self.len() as u32).filter(|&v| keep(v)).collect();
        let mut local = vec![NONE; self.len()];
        for (l, &v) in original.iter().enumerate() {
            local[v as usize] = l as u32;
        }
        let mut pairs = Vec::new();
        for (l, &v) in original.iter().enumerate() {
            pairs.extend(
                self.neighbours(v)
                    .iter()
                    .map(|&u| local[u as usize])
                    .filter(|&m| m != NONE)
                    .map(|m| (l as u32, m)),
            );
        }
        let pos = original.iter().map(|&v| self.pos[v as usize]).collect();
        let weight = original.iter().map(|&v| self.weight[v as usize]).collect();
        (
            Graph::from_pairs(original.len(), &pairs, pos, weight),
            original,
        )
    }

    /// A graph from its directed adjacency pairs, sorted by their first node.
    fn from_pairs(n: usize, pairs: &[(u32, u32)], pos: Vec<[f64; 2]>, weight: Vec<f64>) -> Graph {
        let mut offsets = vec![0; n + 1];
        for &(a, _) in pairs {
            offsets[a as usize + 1] += 1;
        }
        for v in 0..n {
            offsets[v + 1] += offsets[v];
        }
        Graph {
            offsets,
            adjacent: pairs.iter().map(|&(_, b)| b).collect(),
            pos,
            weight,
        }
    }

    /// Groups the nodes into `targets.len()` contiguous regions whose weights are roughly in
    /// proportion to `targets`; returns each node's region.
    ///
    /// Seeds are spread along a Hilbert curve so that each gets its share of the weight
    /// nearby. Then the region that is furthest behind its target takes its next node: the
    /// unclaimed neighbour nearest its seed, give or take `roughness` node spacings of noise
    /// (which makes borders wander instead of following the lattice). The graph must be
    /// connected: then every node is claimed.
    pub fn partition(&self, targets: &[f64], roughness: f64, rng: &mut ChaCha8Rng) -> Vec<u32> {
        let noise: Vec<f64> = (0..self.len() as u32)
            .map(|v| roughness * self.spacing(v) * rng.random::<f64>())
            .collect();
        let seeds = self.seeds(targets);
        let mut owner = vec![NONE; self.len()];
        let mut size = vec![0.0; targets.len()];
        // Keys are non-negative floats, whose bit patterns sort like the numbers themselves.
        let mut frontier: Vec<BinaryHeap<Reverse<(u64, u32)>>> =
            vec![BinaryHeap::new(); targets.len()];
        let mut behind = BinaryHeap::new();
        let mut claim = |v: u32, r: usize, owner: &mut [u32], frontier: &mut [BinaryHeap<_>]| {
            owner[v as usize] = r as u32;
            size[r] += self.weight[v as usize];
            let seed = self.pos[seeds[r] as usize];
            for &u in self.neighbours(v) {
                if owner[u as usize] == NONE {
                    let key = distance(self.pos[u as usize], seed) + noise[u as usize];
                    frontier[r].push(Reverse((key.to_bits(), u)));
                }
            }
            Reverse(((size[r] / targets[r]).to_bits(), r))
        };
        for (r, &seed) in seeds.iter().enumerate() {
            behind.push(claim(seed, r, &mut owner, &mut frontier));
        }
        while let Some(Reverse((_, r))) = behind.pop() {
            while let Some(Reverse((_, v))) = frontier[r].pop() {
                if owner[v as usize] == NONE {
                    behind.push(claim(v, r, &mut owner, &mut frontier));
                    break;
                }
            }
        }
        debug_assert!(owner.iter().all(|&r| r != NONE), "graph not connected");
        owner
    }

    /// The mean distance from `v` to its neighbours: how far apart nodes are around it.
    fn spacing(&self, v: u32) -> f64 {
        let near = self.neighbours(v);
        let at = |u: u32| self.pos[u as usize];
        let total: f64 = near.iter().map(|&u| distance(at(u), at(v))).sum();
        total / near.len().max(1) as f64
    }

    /// One distinct seed node per target, in order along a Hilbert curve through the nodes,
    /// each in the middle of a stretch of the curve carrying its share of the weight.
    fn seeds(&self, targets: &[f64]) -> Vec<u32> {
        let n = self.len();
        let k = targets.len();
        assert!(k <= n, "{k} regions from {n} nodes");
        let order = self.hilbert_order();
        let mut cumulative = Vec::with_capacity(n);
        let mut total = 0.0;
        for &v in &order {
            total += self.weight[v as usize];
            cumulative.push(total);
        }
        let scale = total / targets.iter().sum::<f64>();
        let mut before = 0.0;
        let mut previous: Option<usize> = None;
        let mut seeds = Vec::with_capacity(k);
        for (r, &t) in targets.iter().enumerate() {
            let middle = scale * (before + t / 2.0);
            before += t;
            let at = cumulative.partition_point(|&c| c < middle);
            let at = at.max(previous.map_or(0, |p| p + 1)).min(n - (k - r));
            previous = Some(at);
            seeds.push(order[at]);
        }
        seeds
    }

    /// The nodes in the order a Hilbert curve over their bounding box visits them.
    fn hilbert_order(&self) -> Vec<u32> {
        let (mut lo, mut hi) = ([f64::MAX; 2], [f64::MIN; 2]);
        for p in &self.pos {
            for d in 0..2 {
                lo[d] = lo[d].min(p[d]);
                hi[d] = hi[d].max(p[d]);
            }
        }
        let extent = (hi[0] - lo[0]).max(hi[1] - lo[1]).max(f64::MIN_POSITIVE);
        let cell =
            |p: [f64; 2], d: usize| ((p[d] - lo[d]) / extent * f64::from(HILBERT_SIDE - 1)) as u32;
        let mut keyed: Vec<(u64, u32)> = self
            .pos
            .iter()
            .enumerate()
            .map(|(v, &p)| (hilbert_index(cell(p, 0), cell(p, 1)), v as u32))
            .collect();
        keyed.sort_unstable();
        keyed.into_iter().map(|(_, v)| v).collect()
    }
}

/// Cells per side of the square the Hilbert curve fills.
const HILBERT_SIDE: u32 = 1 << 16;

/// The distance along the Hilbert curve of cell `(x, y)`: nearby distances are nearby cells.
fn hilbert_index(mut x: u32, mut y: u32) -> u64 {
    let mut d = 0u64;
    let mut s = HILBERT_SIDE / 2;
    while s > 0 {
        let rx = u32::from(x & s > 0);
        let ry = u32::from(y & s > 0);
        d += u64::from(s) * u64::from(s) * u64::from((3 * rx) ^ ry);
        if ry == 0 {
            if rx == 1 {
                x = HILBERT_SIDE - 1 - x;
                y = HILBERT_SIDE - 1 - y;
            }
            std::mem::swap(&mut x, &mut y);
        }
        s /= 2;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hilbert_steps_between_neighbouring_cells() {
        let side = 16u32;
        let scale = HILBERT_SIDE / side;
        let mut cells: Vec<(u64, [u32; 2])> = (0..side * side)
            .map(|c| [c % side, c / side])
            .map(|[x, y]| (hilbert_index(x * scale, y * scale), [x, y]))
            .collect();
        cells.sort_unstable();
        for pair in cells.windows(2) {
            let [a, b] = [pair[0].1, pair[1].1];
            assert_eq!(
                a[0].abs_diff(b[0]) + a[1].abs_diff(b[1]),
                1,
                "{a:?} -> {b:?}"
            );
        }
    }
}
