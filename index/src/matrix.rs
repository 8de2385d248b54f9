//! The grid × beat overlap matrix, kept up to date one edit at a time.

use crate::overlap::{intersection_area, Region};
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::Arc;

/// One cell of the matrix: how much of a grid lies in a beat.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Share {
    /// The other feature's id (a beat for a grid row, a grid for a beat's column).
    pub id: String,
    /// Intersection area in m².
    pub area_m2: f64,
    /// The share of the grid's area: `area_m2 / grid area`.
    pub fraction: f64,
}

/// A grid that is more than this share outside its assigned beat straddles beats.
pub const STRADDLE_SHARE: f64 = 0.05;

/// Intersections smaller than this (m²) are rounding dust along shared edges, not overlaps.
pub const DUST_M2: f64 = 1e-3;

/// Rows of the matrix, one per grid id, each sorted by decreasing area.
#[derive(Clone, Debug, Default)]
pub struct OverlapMatrix {
    /// Shared keys and rows make the copy an edit starts from cheap.
    rows: BTreeMap<Arc<str>, Arc<Vec<Share>>>,
}

/// What the matrix needs to know about a feature on either side.
pub struct Side<'a> {
    pub id: &'a str,
    pub region: &'a Region,
}

impl OverlapMatrix {
    /// Computes every row, splitting the grids over the machine's cores.
    pub fn build<'a>(
        grids: &[Side<'a>],
        beats_near: impl Fn(&Region) -> Vec<Side<'a>> + Sync,
    ) -> Self {
        OverlapMatrix {
            rows: rows_of(grids, &beats_near).into_iter().collect(),
        }
    }

    /// Recomputes the rows of `grids` (and drops the rows of `removed` grids).
    pub fn update<'a>(
        &mut self,
        grids: &[Side<'a>],
        removed: &[&str],
        beats_near: impl Fn(&Region) -> Vec<Side<'a>> + Sync,
    ) {
        for id in removed {
            self.rows.remove(*id);
        }
        self.rows.extend(rows_of(grids, &beats_near));
    }

    /// The beats a grid overlaps, largest share first.
    pub fn row(&self, grid: &str) -> Option<&[Share]> {
        self.rows.get(grid).map(|r| r.as_slice())
    }

    /// Every `(grid, share)` in grid id order.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Share)> {
        self.rows
            .iter()
            .flat_map(|(g, r)| r.iter().map(move |s| (&**g, s)))
    }

    /// Grid ids whose rows mention `beat`.
    pub fn grids_with(&self, beat: &str) -> Vec<(&str, &Share)> {
        self.entries().filter(|(_, s)| s.id == beat).collect()
    }

    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// The rows of `grids`, spread over the machine's cores when there are enough to share.
fn rows_of<'a>(
    grids: &[Side<'a>],
    beats_near: &(impl Fn(&Region) -> Vec<Side<'a>> + Sync),
) -> Vec<(Arc<str>, Arc<Vec<Share>>)> {
    let one = |g: &Side<'a>| {
        (
            Arc::from(g.id),
            Arc::new(row(g.region, beats_near(g.region))),
        )
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if grids.len() < 4 * threads {
        return grids.iter().map(one).collect();
    }
    let chunk = grids.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let workers: Vec<_> = grids
            .chunks(chunk)
            .map(|part| scope.spawn(move || part.iter().map(one).collect::<Vec<_>>()))
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("overlap worker panicked"))
            .collect()
    })
}

/// One grid's shares of the given beats.
fn row(grid: &Region, beats: Vec<Side<'_>>) -> Vec<Share> {
    let mut shares: Vec<Share> = beats
        .into_iter()
        .filter_map(|b| {
            let area = intersection_area(grid, b.region);
            (area > DUST_M2).then(|| Share {
                id: b.id.to_string(),
                area_m2: area,
                fraction: if grid.area > 0.0 {
                    area / grid.area
                } else {
                    0.0
                },
            })
        })
        .collect();
    shares.sort_by(|a, b| {
        b.area_m2
            .total_cmp(&a.area_m2)
            .then_with(|| a.id.cmp(&b.id))
    });
    shares
}
