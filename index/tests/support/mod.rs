//! Synthetic meshes for the index tests: jittered lattices whose neighbours share edges
//! vertex for vertex, grouped into blocks the way grids and beats group city blocks.

// Each test file uses its own part of these helpers.
#![allow(dead_code)]

use onemap_index::cells::MeshPolygon;
use onemap_index::crossing::Edge;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// A jittered `n × n` lattice of points over the unit square scaled by `size`.
pub fn lattice(n: usize, size: f64, seed: u64) -> Vec<Vec<[f64; 2]>> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let step = size / n as f64;
    (0..=n)
        .map(|j| {
            (0..=n)
                .map(|i| {
                    let edge = i == 0 || j == 0 || i == n || j == n;
                    let jitter = if edge { 0.0 } else { 0.3 * step };
                    [
                        i as f64 * step + rng.random_range(-jitter..=jitter),
                        j as f64 * step + rng.random_range(-jitter..=jitter),
                    ]
                })
                .collect()
        })
        .collect()
}

/// Polygons made of `block × block` lattice cells starting at `offset`, each a ring walking
/// the block's outline through every lattice vertex on it (so shared edges are identical).
pub fn blocks(points: &[Vec<[f64; 2]>], block: usize, offset: usize) -> Vec<Vec<[f64; 2]>> {
    let n = points.len() - 1;
    let mut starts = vec![0];
    let mut s = offset % block;
    if s == 0 {
        s = block;
    }
    while s < n {
        starts.push(s);
        s += block;
    }
    starts.push(n);
    let mut rings = Vec::new();
    for wy in starts.windows(2) {
        for wx in starts.windows(2) {
            let (x0, x1, y0, y1) = (wx[0], wx[1], wy[0], wy[1]);
            // South side east, east side north, north side west, west side south.
            let mut ring: Vec<[f64; 2]> = points[y0][x0..x1].to_vec();
            ring.extend(points[y0..y1].iter().map(|row| row[x1]));
            ring.extend(points[y1][x0 + 1..=x1].iter().rev());
            ring.extend(points[y0 + 1..=y1].iter().rev().map(|row| row[x0]));
            ring.push(ring[0]);
            rings.push(ring);
        }
    }
    rings
}

pub fn ring_edges(ring: &[[f64; 2]]) -> Vec<Edge> {
    ring.windows(2)
        .map(|w| [w[0][0], w[0][1], w[1][0], w[1][1]])
        .collect()
}

pub fn mesh(rings: &[Vec<[f64; 2]>]) -> Vec<MeshPolygon> {
    rings
        .iter()
        .map(|r| MeshPolygon::new(ring_edges(r)))
        .collect()
}
