//! The grid × beat overlap matrix of a snapshot: built whole, or updated where an edit fell.

use super::*;
use crate::matrix::Share;

/// A grid's overlaps with beats.
#[derive(Clone, Debug, PartialEq)]
pub struct GridOverlaps {
    /// The grid's area in m².
    pub area_m2: f64,
    /// The beat holding the largest share of the grid.
    pub assigned_beat: Option<String>,
    /// No beat holds enough of the grid ([`STRADDLE_SHARE`]).
    pub straddles: bool,
    /// Every beat it overlaps, largest first.
    pub beats: Vec<Share>,
}

/// One grid a beat holds part of.
#[derive(Clone, Debug, PartialEq)]
pub struct BeatGrid {
    pub grid: String,
    /// The intersection's area in m².
    pub area_m2: f64,
    /// The intersection's share of the grid.
    pub fraction: f64,
    /// Whether the grid is assigned to this beat.
    pub assigned: bool,
}

impl Snapshot {
    pub(super) fn matrix_grids(&self) -> Vec<Side<'_>> {
        self.features
            .iter()
            .zip(&self.regions)
            .filter(|(f, _)| f.layer() == Layer::Grid)
            .filter_map(|(f, r)| {
                Some(Side {
                    id: &f.id,
                    region: r.as_deref()?,
                })
            })
            .collect()
    }

    /// The whole grid × beat matrix computed from scratch (both cores).
    pub fn full_matrix(&self) -> OverlapMatrix {
        let grids = self.matrix_grids();
        let beats = self.beat_boxes();
        OverlapMatrix::build(&grids, |r| self.beats_in(&beats, r))
    }

    /// `prev`'s matrix with only the rows that `changed` features touch recomputed.
    pub fn updated_matrix(&self, prev: &Snapshot, changed: &[(Layer, String)]) -> OverlapMatrix {
        let mut matrix = prev.matrix.clone();
        let mut redo: Vec<u32> = Vec::new();
        let mut gone: Vec<&str> = Vec::new();
        for (layer, id) in changed {
            match layer {
                Layer::Grid => match self.index_of(Layer::Grid, id) {
                    Some(i) => redo.push(i),
                    None => gone.push(id),
                },
                Layer::Beat => {
                    // Grids under the beat before or after the edit.
                    redo.extend(
                        prev.matrix
                            .grids_with(id)
                            .into_iter()
                            .filter_map(|(g, _)| self.index_of(Layer::Grid, g)),
                    );
                    if let Some(b) = self.get(Layer::Beat, id).and_then(Feature::bbox) {
                        redo.extend(
                            self.areal_in(b)
                                .into_iter()
                                .filter(|i| self.feature(*i).layer() == Layer::Grid),
                        );
                    }
                }
                _ => {}
            }
        }
        redo.sort_unstable();
        redo.dedup();
        let grids: Vec<Side<'_>> = redo
            .iter()
            .filter_map(|i| {
                Some(Side {
                    id: &self.features[*i as usize].id,
                    region: self.regions[*i as usize].as_deref()?,
                })
            })
            .collect();
        let beats = self.beat_boxes();
        matrix.update(&grids, &gone, |r| self.beats_in(&beats, r));
        matrix
    }

    /// An R-tree over beats' projected boxes, for the matrix.
    pub(super) fn beat_boxes(&self) -> RTree<BoxEntry> {
        RTree::bulk_load(
            self.beat_mesh
                .iter()
                .filter_map(|i| {
                    let b = self.regions[*i as usize].as_ref()?.bbox;
                    Some(BoxEntry::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        *i,
                    ))
                })
                .collect(),
        )
    }

    pub(super) fn beats_in<'s>(
        &'s self,
        beats: &RTree<BoxEntry>,
        region: &Region,
    ) -> Vec<Side<'s>> {
        let b = region.bbox;
        beats
            .locate_in_envelope_intersecting(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .filter_map(|e| {
                let i = e.data as usize;
                Some(Side {
                    id: &self.features[i].id,
                    region: self.regions[i].as_deref()?,
                })
            })
            .collect()
    }

    /// The grid × beat overlap matrix (grids of level 3 and deeper).
    pub fn matrix(&self) -> &OverlapMatrix {
        &self.matrix
    }

    /// The beats a grid overlaps with areas and shares, largest first. Grids above the matrix
    /// levels (townships, communities) are computed on demand.
    pub fn grid_overlaps(&self, grid: u32) -> Vec<crate::matrix::Share> {
        let f = self.feature(grid);
        if let Some(row) = self.matrix.row(&f.id) {
            return row.to_vec();
        }
        let Some(mp) = f.area() else {
            return Vec::new();
        };
        let region = region_of(&self.projection, mp);
        let beats = self.beat_boxes();
        let mut matrix = OverlapMatrix::default();
        matrix.update(
            &[Side {
                id: &f.id,
                region: &region,
            }],
            &[],
            |r| self.beats_in(&beats, r),
        );
        matrix.row(&f.id).map(<[_]>::to_vec).unwrap_or_default()
    }

    /// The beat holding the largest share of a grid, and whether the grid straddles beats.
    pub fn assigned_beat(&self, grid: &str) -> Option<(&str, bool)> {
        let row = self.matrix.row(grid)?;
        let first = row.first()?;
        Some((&first.id, first.fraction < 1.0 - STRADDLE_SHARE))
    }

    /// What the "两张皮" view of a grid shows: its area, the beats it overlaps (largest first),
    /// the beat it is assigned to and whether it straddles beats; `None` for no such grid.
    pub fn overlaps_of_grid(&self, id: &str) -> Option<GridOverlaps> {
        let g = self.index_of(Layer::Grid, id)?;
        let beats = self.grid_overlaps(g);
        Some(GridOverlaps {
            area_m2: self.areas[g as usize],
            assigned_beat: beats.first().map(|b| b.id.clone()),
            straddles: beats
                .first()
                .is_some_and(|b| b.fraction < 1.0 - STRADDLE_SHARE),
            beats,
        })
    }

    /// The grids a beat holds part of, largest intersection first, each saying whether the
    /// beat is the one it is assigned to; `None` for no such beat.
    pub fn grids_of_beat(&self, id: &str) -> Option<Vec<BeatGrid>> {
        self.index_of(Layer::Beat, id)?;
        let mut grids: Vec<BeatGrid> = self
            .matrix
            .grids_with(id)
            .into_iter()
            .map(|(grid, share)| BeatGrid {
                grid: grid.to_string(),
                area_m2: share.area_m2,
                fraction: share.fraction,
                assigned: self.assigned_beat(grid).map(|a| a.0) == Some(id),
            })
            .collect();
        grids.sort_by(|a, b| b.area_m2.total_cmp(&a.area_m2));
        Some(grids)
    }

    /// The projected region of a grid or beat.
    pub fn region(&self, layer: Layer, id: &str) -> Option<&Region> {
        self.regions[self.index_of(layer, id)? as usize].as_deref()
    }
}
