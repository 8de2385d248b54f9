//! A cell index that answers "which polygon of each mesh contains this point?" with one or two
//! memory reads for most points.
//!
//! The bounding box of the data is cut into a uniform grid of coarse cells, each split into
//! 4 × 4 fine cells. A fine cell that no edge of a mesh crosses has one answer for that mesh,
//! found once at build time. A coarse cell whose sixteen fine cells all have the same answers
//! stores them directly (one read); otherwise it points to a block of sixteen fine entries (a
//! second read, one cache line). A fine cell that edges cross keeps, for each polygon that may
//! contain part of it, only the edges a ray from a point in the cell towards east can meet:
//! those in the cell's row band, east of its west side. Those lists are shared by every cell of
//! a row, sorted so each cell uses a prefix. The exact crossing test of [`crate::crossing`]
//! then runs over a handful of edges, and the answer is exactly the one
//! [`crate::crossing::contains`] gives on the whole polygon.
//!
//! Several meshes (grids and beats) share one table, so one read answers all of them.
//!
//! An edit rebuilds only the coarse cells it touches ([`CellIndex::rebuilt_in`]): they are
//! laid out again, in the same frame and by the same arithmetic, into a small *patch*, and
//! the copied coarse table points there. Everything else (blocks, mixed cells, edges) is shared
//! with the previous index, so an edit costs its region plus one copy of the coarse table.
//!
//! The types and the cell arithmetic are here; `build` lays meshes out, `lookup` answers
//! points, `patch` rebuilds the cells an edit touches, `compaction` folds patches in.

mod build;
mod compaction;
mod lookup;
mod patch;

use build::MeshLayout;

use crate::crossing::{bbox_of, crosses, Edge};
use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

/// No polygon of the mesh contains the point.
pub const NONE: u32 = u32::MAX;

/// Tag bit of a table entry: a coarse entry points to a block, a fine entry to a mixed cell.
const TAG: u32 = 1 << 31;
/// With [`TAG`], a coarse entry points to a patch that was rebuilt after an edit.
const PATCH: u32 = 1 << 30;
const INDEX: u32 = PATCH - 1;

/// Fine cells per coarse cell along each axis (a power of two).
const SPLIT: usize = 4;
const SPLIT_SHIFT: usize = 2;

/// One polygon to index: its edges (all rings) and a bounding box `[minx, miny, maxx, maxy]`.
/// Where polygons of one mesh overlap, the earlier one in the mesh wins.
#[derive(Clone, Debug)]
pub struct MeshPolygon {
    pub edges: Vec<Edge>,
    pub bbox: [f64; 4],
}

impl MeshPolygon {
    pub fn new(edges: Vec<Edge>) -> Self {
        let bbox = bbox_of(&edges);
        MeshPolygon { edges, bbox }
    }
}

/// A polygon that may contain part of a mixed cell.
#[derive(Clone, Copy, Debug)]
struct Candidate {
    polygon: u32,
    /// Range in `CellIndex::edges`; empty when the polygon covers the whole cell.
    edges_start: u32,
    edges_len: u32,
}

/// One mesh's state in a mixed cell: a fixed answer (`len == 0`, `start` is the answer) or a
/// range of candidates to test in order.
#[derive(Clone, Copy, Debug)]
struct Slot {
    start: u32,
    len: u32,
}

/// The grid of cells over `M` meshes. See the module documentation.
#[derive(Clone, Debug)]
pub struct CellIndex<const M: usize> {
    /// The box the index was built over: edits inside it can be patched.
    bounds: [f64; 4],
    origin: [f64; 2],
    /// Fine cell size and its inverse.
    cell: [f64; 2],
    inverse_cell: [f64; 2],
    /// Where this index's first fine cell is in the frame: zero, or a patch's corner.
    offset: [usize; 2],
    /// Coarse cells per row and rows.
    columns: usize,
    rows: usize,
    table: Vec<u32>,
    /// Shared by every index patched from the same build.
    arenas: Arc<Arenas<M>>,
    /// Regions rebuilt since the index was built whole; patches have none of their own.
    patches: Vec<Arc<CellIndex<M>>>,
}

/// What table entries point into.
#[derive(Clone, Debug, Default)]
struct Arenas<const M: usize> {
    blocks: Vec<[u32; SPLIT * SPLIT]>,
    answers: Vec<[u32; M]>,
    mixed: Vec<[Slot; M]>,
    candidates: Vec<Candidate>,
    edges: Vec<Edge>,
}

impl<const M: usize> Arenas<M> {
    fn memory_bytes(&self) -> usize {
        std::mem::size_of_val(self.blocks.as_slice())
            + std::mem::size_of_val(self.answers.as_slice())
            + std::mem::size_of_val(self.mixed.as_slice())
            + std::mem::size_of_val(self.candidates.as_slice())
            + std::mem::size_of_val(self.edges.as_slice())
    }

    #[inline]
    fn resolve(&self, slot: Slot, x: f64, y: f64) -> u32 {
        if slot.len == 0 {
            return slot.start;
        }
        let start = slot.start as usize;
        for c in &self.candidates[start..start + slot.len as usize] {
            if c.edges_len == 0 {
                return c.polygon;
            }
            let s = c.edges_start as usize;
            let edges = &self.edges[s..s + c.edges_len as usize];
            if edges.iter().filter(|e| crosses(**e, x, y)).count() % 2 == 1 {
                return c.polygon;
            }
        }
        NONE
    }

    /// Appends the candidates of one mesh in one mixed fine cell, in priority order, stopping
    /// at the first polygon that covers the whole cell.
    fn add_candidates(
        &mut self,
        layout: &MeshLayout,
        offset: u32,
        west: f64,
        row: usize,
        crossed: &[(u32, u32)],
        covering: &[(u32, u32)],
    ) -> Slot {
        let mut polygons: Vec<(u32, bool)> = crossed
            .iter()
            .map(|(_, p)| (*p, false))
            .chain(covering.iter().map(|(_, p)| (*p, true)))
            .collect();
        polygons.sort_unstable();
        let start = self.candidates.len() as u32;
        for (polygon, covers) in polygons {
            if covers {
                self.candidates.push(Candidate {
                    polygon,
                    edges_start: 0,
                    edges_len: 0,
                });
                break;
            }
            let (band_start, band_len) = layout.bands.run(polygon, row);
            let band = &layout.bands.edges[band_start as usize..(band_start + band_len) as usize];
            let reach = band.partition_point(|e| e[0].max(e[2]) >= west);
            self.candidates.push(Candidate {
                polygon,
                edges_start: offset + band_start,
                edges_len: reach as u32,
            });
        }
        Slot {
            start,
            len: self.candidates.len() as u32 - start,
        }
    }
}

/// A block of coarse cells to rebuild, and the box polygons must meet to matter there.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CellRange {
    columns: (usize, usize),
    rows: (usize, usize),
    /// `[minx, miny, maxx, maxy]`, a fine cell wider than the coarse cells on every side.
    pub bbox: [f64; 4],
}

impl CellRange {
    /// How many coarse cells the range holds.
    pub fn cells(&self) -> usize {
        (self.columns.1 - self.columns.0 + 1) * (self.rows.1 - self.rows.0 + 1)
    }
}

/// How many coarse cells the index aims for per polygon, and the bounds on the table size.
const CELLS_PER_POLYGON: usize = 128;
const MIN_CELLS: usize = 1 << 12;
const MAX_CELLS: usize = 1 << 22;

impl<const M: usize> CellIndex<M> {
    /// Coarse cells in the table.
    pub fn coarse_cells(&self) -> usize {
        self.table.len()
    }

    /// Bytes held by the index, for reports.
    pub fn memory_bytes(&self) -> usize {
        self.table.len() * 4
            + self.arenas.memory_bytes()
            + self.patches.iter().map(|p| p.memory_bytes()).sum::<usize>()
    }

    /// A one-line description of the layout, for reports.
    pub fn describe(&self) -> String {
        let a = &self.arenas;
        format!(
            "{}×{} coarse cells, {} blocks, {} mixed cells, {} candidates, {} edges, {} patches",
            self.columns,
            self.rows,
            a.blocks.len(),
            a.mixed.len(),
            a.candidates.len(),
            a.edges.len(),
            self.patches.len()
        )
    }

    /// The share of the area whose points are answered without an edge test.
    pub fn settled_share(&self) -> f64 {
        let fine = (SPLIT * SPLIT) as f64;
        let settled: f64 = self
            .table
            .iter()
            .map(|e| {
                if e & TAG == 0 {
                    fine
                } else if e & PATCH != 0 {
                    // Rebuilt regions are small: count them as the rest of the index does.
                    fine / 2.0
                } else {
                    self.arenas.blocks[(e & INDEX) as usize]
                        .iter()
                        .filter(|f| *f & TAG == 0)
                        .count() as f64
                }
            })
            .sum();
        settled / (self.table.len() as f64 * fine).max(1.0)
    }

    fn fine_columns(&self) -> usize {
        self.columns * SPLIT
    }

    fn fine_rows(&self) -> usize {
        self.rows * SPLIT
    }

    /// Fine cells are numbered coarse cell by coarse cell, so each block is a run.
    fn key(&self, column: usize, row: usize) -> usize {
        ((row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT)) * SPLIT * SPLIT
            + sub_index(column, row)
    }

    /// The fine cell's bounds grown by a margin wider than any rounding in [`Self::locate`], so
    /// a point placed in a neighbouring cell by rounding is still covered. `column` and `row`
    /// count from this index's offset; the arithmetic is the frame's, so a patch and a whole
    /// build see the very same cells.
    fn padded_cell(&self, column: usize, row: usize) -> [f64; 4] {
        let pad = [self.cell[0] * 1e-3, self.cell[1] * 1e-3];
        let x0 = self.origin[0] + (column + self.offset[0]) as f64 * self.cell[0];
        let y0 = self.origin[1] + (row + self.offset[1]) as f64 * self.cell[1];
        [
            x0 - pad[0],
            y0 - pad[1],
            x0 + self.cell[0] + pad[0],
            y0 + self.cell[1] + pad[1],
        ]
    }

    /// `round` of the fine position of `v` on `axis` in the frame, counted from this index's
    /// offset (negative before it). Rounded before the offset is taken off, so a patch rounds
    /// exactly as a whole build does.
    fn fine_cell(&self, v: f64, axis: usize, shift: f64, round: fn(f64) -> f64) -> f64 {
        round((v - self.origin[axis]) * self.inverse_cell[axis] - shift) - self.offset[axis] as f64
    }

    fn column_range(&self, min: f64, max: f64) -> (usize, usize) {
        let lo = self.fine_cell(min, 0, 0.0, f64::floor) - 1.0;
        let hi = self.fine_cell(max, 0, 0.0, f64::floor) + 1.0;
        clamp_range(lo, hi, self.fine_columns())
    }

    fn row_range(&self, min: f64, max: f64) -> (usize, usize) {
        let lo = self.fine_cell(min, 1, 0.0, f64::floor) - 1.0;
        let hi = self.fine_cell(max, 1, 0.0, f64::floor) + 1.0;
        clamp_range(lo, hi, self.fine_rows())
    }

    fn fine_position(&self, coarse: usize, sub: usize) -> (usize, usize) {
        let (cx, cy) = (coarse % self.columns, coarse / self.columns);
        (cx * SPLIT + sub % SPLIT, cy * SPLIT + sub / SPLIT)
    }
}

#[inline]
fn sub_index(column: usize, row: usize) -> usize {
    (row & (SPLIT - 1)) * SPLIT + (column & (SPLIT - 1))
}

fn clamp_range(lo: f64, hi: f64, len: usize) -> (usize, usize) {
    let lo = lo.max(0.0) as usize;
    let hi = (hi.max(0.0) as usize).min(len - 1);
    (lo.min(hi), hi)
}

/// Whether segment `e` meets the closed box `b` (Liang–Barsky clipping).
fn segment_meets_box(e: Edge, b: [f64; 4]) -> bool {
    let [x0, y0, x1, y1] = e;
    let (dx, dy) = (x1 - x0, y1 - y0);
    let mut t0: f64 = 0.0;
    let mut t1: f64 = 1.0;
    for (p, q) in [
        (-dx, x0 - b[0]),
        (dx, b[2] - x0),
        (-dy, y0 - b[1]),
        (dy, b[3] - y0),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return false;
            }
        } else {
            let r = q / p;
            if p < 0.0 {
                t0 = t0.max(r);
            } else {
                t1 = t1.min(r);
            }
            if t0 > t1 {
                return false;
            }
        }
    }
    true
}
