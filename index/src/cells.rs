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
    /// Builds the index over `meshes`, each a list of polygons in priority order.
    ///
    /// ```
    /// use onemap_index::cells::{CellIndex, MeshPolygon, NONE};
    /// let square = |x0: f64, y0: f64| MeshPolygon::new(vec![
    ///     [x0, y0, x0 + 1.0, y0], [x0 + 1.0, y0, x0 + 1.0, y0 + 1.0],
    ///     [x0 + 1.0, y0 + 1.0, x0, y0 + 1.0], [x0, y0 + 1.0, x0, y0],
    /// ]);
    /// let index = CellIndex::<1>::build([vec![square(0.0, 0.0), square(1.0, 0.0)]]);
    /// assert_eq!(index.locate(0.5, 0.5), [0]);
    /// assert_eq!(index.locate(1.5, 0.5), [1]);
    /// assert_eq!(index.locate(1.0, 0.5), [1]); // a shared edge belongs to the east side
    /// assert_eq!(index.locate(5.0, 0.5), [NONE]);
    /// ```
    pub fn build(meshes: [Vec<MeshPolygon>; M]) -> Self {
        let polygons: usize = meshes.iter().map(Vec::len).sum();
        let mut bbox = [
            f64::INFINITY,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::NEG_INFINITY,
        ];
        for p in meshes.iter().flatten() {
            bbox[0] = bbox[0].min(p.bbox[0]);
            bbox[1] = bbox[1].min(p.bbox[1]);
            bbox[2] = bbox[2].max(p.bbox[2]);
            bbox[3] = bbox[3].max(p.bbox[3]);
        }
        if !bbox[0].is_finite() {
            bbox = [0.0, 0.0, 1.0, 1.0];
        }
        let width = (bbox[2] - bbox[0]).max(1e-9);
        let height = (bbox[3] - bbox[1]).max(1e-9);
        let target = (polygons * CELLS_PER_POLYGON).clamp(MIN_CELLS, MAX_CELLS) as f64;
        let side = (width * height / target).sqrt();
        let columns = ((width / side).ceil() as usize).max(1);
        let rows = ((height / side).ceil() as usize).max(1);
        let cell = [
            width / (columns * SPLIT) as f64,
            height / (rows * SPLIT) as f64,
        ];
        let mut index = CellIndex {
            bounds: bbox,
            origin: [bbox[0], bbox[1]],
            inverse_cell: [1.0 / cell[0], 1.0 / cell[1]],
            cell,
            offset: [0, 0],
            columns,
            rows,
            table: Vec::new(),
            arenas: Arc::default(),
            patches: Vec::new(),
        };
        index.lay_out_all(&meshes);
        index
    }

    /// The coarse cells that answers in `area` depend on, or `None` when `area` is not inside
    /// the index (a city that grew needs a whole new build).
    pub fn range_of(&self, area: [f64; 4]) -> Option<CellRange> {
        let b = self.bounds;
        let inside = area[0] >= b[0] && area[1] >= b[1] && area[2] <= b[2] && area[3] <= b[3];
        if !inside {
            return None;
        }
        let fine =
            |v: f64, axis: usize| ((v - self.origin[axis]) * self.inverse_cell[axis]).floor();
        let (last_column, last_row) = (
            self.fine_columns() as f64 - 1.0,
            self.fine_rows() as f64 - 1.0,
        );
        // One fine cell more on each side covers points that rounding places next door.
        let c0 = (fine(area[0], 0) - 1.0).clamp(0.0, last_column);
        let r0 = (fine(area[1], 1) - 1.0).clamp(0.0, last_row);
        let c1 = (fine(area[2], 0) + 1.0).clamp(0.0, last_column);
        let r1 = (fine(area[3], 1) + 1.0).clamp(0.0, last_row);
        let columns = (c0 as usize >> SPLIT_SHIFT, c1 as usize >> SPLIT_SHIFT);
        let rows = (r0 as usize >> SPLIT_SHIFT, r1 as usize >> SPLIT_SHIFT);
        let at = |coarse: usize, side: f64, axis: usize| {
            self.origin[axis] + ((coarse * SPLIT) as f64 + side) * self.cell[axis]
        };
        Some(CellRange {
            columns,
            rows,
            bbox: [
                at(columns.0, -1.0, 0),
                at(rows.0, -1.0, 1),
                at(columns.1 + 1, 1.0, 0),
                at(rows.1 + 1, 1.0, 1),
            ],
        })
    }

    /// This index with the answers in `range` recomputed from `meshes`: for each mesh, in
    /// priority order, every polygon whose bbox meets `range.bbox`, answering with `labels`.
    /// Answers elsewhere are kept; inside `range` they are exactly those a whole build gives.
    ///
    /// ```
    /// use onemap_index::cells::{CellIndex, MeshPolygon};
    /// let square = |x0: f64, y0: f64, side: f64| MeshPolygon::new(vec![
    ///     [x0, y0, x0 + side, y0], [x0 + side, y0, x0 + side, y0 + side],
    ///     [x0 + side, y0 + side, x0, y0 + side], [x0, y0 + side, x0, y0],
    /// ]);
    /// let before = CellIndex::<1>::build([(0..8).map(|i| square(i as f64, 0.0, 1.0)).collect()]);
    /// // Polygon 3 grows into polygon 4's west half; 4 keeps its shape (and the lower priority).
    /// let range = before.range_of([3.0, 0.0, 4.5, 1.0]).unwrap();
    /// let after = before.rebuilt_in(&range, [vec![square(3.0, 0.0, 1.5), square(4.0, 0.0, 1.0)]], [&[3, 4]]);
    /// assert_eq!(after.locate(4.25, 0.5), [3]);
    /// assert_eq!(after.locate(4.75, 0.5), [4]);
    /// assert_eq!(after.locate(7.5, 0.5), [7]);
    /// assert_eq!(before.locate(4.25, 0.5), [4]);
    /// ```
    pub fn rebuilt_in(
        &self,
        range: &CellRange,
        meshes: [Vec<MeshPolygon>; M],
        labels: [&[u32]; M],
    ) -> Self {
        let mut patch = CellIndex {
            offset: [range.columns.0 * SPLIT, range.rows.0 * SPLIT],
            columns: range.columns.1 - range.columns.0 + 1,
            rows: range.rows.1 - range.rows.0 + 1,
            table: Vec::new(),
            arenas: Arc::default(),
            patches: Vec::new(),
            ..*self
        };
        patch.lay_out_all(&meshes);
        patch.relabel(labels);
        let mut next = self.clone();
        next.drop_unused_patches();
        next.patches.push(Arc::new(patch));
        let entry = TAG | PATCH | (next.patches.len() - 1) as u32;
        for row in range.rows.0..=range.rows.1 {
            let start = row * self.columns;
            next.table[start + range.columns.0..=start + range.columns.1].fill(entry);
        }
        next
    }

    /// Forgets patches that later patches have covered entirely, once there are enough of
    /// them to be worth the scan of the table.
    fn drop_unused_patches(&mut self) {
        if self.patches.len() < 32 || !self.patches.len().is_power_of_two() {
            return;
        }
        let mut renumber = vec![u32::MAX; self.patches.len()];
        let mut kept = Vec::new();
        for entry in &mut self.table {
            if *entry & (TAG | PATCH) == TAG | PATCH {
                let old = (*entry & INDEX) as usize;
                if renumber[old] == u32::MAX {
                    renumber[old] = kept.len() as u32;
                    kept.push(Arc::clone(&self.patches[old]));
                }
                *entry = TAG | PATCH | renumber[old];
            }
        }
        self.patches = kept;
    }

    /// Regions rebuilt since the whole index was built, and the bytes they hold: a caller
    /// builds the index whole again when these grow large.
    pub fn patches(&self) -> (usize, usize) {
        (
            self.patches.len(),
            self.patches.iter().map(|p| p.memory_bytes()).sum(),
        )
    }

    /// The same index in one set of arenas: patches folded in, and whatever they replaced
    /// dropped. Copies what the table reaches, so it costs the index's size, far less than
    /// laying the meshes out again.
    pub fn compacted(&self) -> Self {
        let sources: Vec<&CellIndex<M>> = std::iter::once(self)
            .chain(self.patches.iter().map(|p| &**p))
            .collect();
        // What each coarse cell's entry is, and in which index's arenas.
        let entries: Vec<(usize, u32)> = (0..self.table.len())
            .map(|coarse| {
                let entry = self.table[coarse];
                if entry & (TAG | PATCH) != TAG | PATCH {
                    return (0, entry);
                }
                let k = (entry & INDEX) as usize;
                let patch = &self.patches[k];
                let (column, row) = (coarse % self.columns, coarse / self.columns);
                let (c, r) = (
                    column - patch.offset[0] / SPLIT,
                    row - patch.offset[1] / SPLIT,
                );
                (k + 1, patch.table[r * patch.columns + c])
            })
            .collect();
        let mut copy = Compaction::new(&sources);
        for &(source, entry) in &entries {
            copy.note_edges(source, entry);
        }
        copy.copy_edges();
        let table = entries
            .iter()
            .map(|&(source, entry)| copy.coarse(source, entry))
            .collect();
        CellIndex {
            offset: [0, 0],
            table,
            arenas: Arc::new(copy.out),
            patches: Vec::new(),
            ..*self
        }
    }

    /// Lays out every mesh (one thread each) and writes the table and arenas.
    fn lay_out_all(&mut self, meshes: &[Vec<MeshPolygon>; M]) {
        let layouts: Vec<MeshLayout> = std::thread::scope(|scope| {
            let index = &*self;
            let workers: Vec<_> = meshes
                .iter()
                .map(|m| scope.spawn(move || index.lay_out(m)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("cell layout worker panicked"))
                .collect()
        });
        self.combine(&layouts);
    }

    /// The polygon of each mesh that contains `(x, y)`, or [`NONE`].
    #[inline]
    pub fn locate(&self, x: f64, y: f64) -> [u32; M] {
        match self.fine_of(x, y) {
            Some((column, row)) => self.answer_at(column, row, x, y),
            None => [NONE; M],
        }
    }

    /// The answers for a point in fine cell `(column, row)` of the frame.
    #[inline]
    fn answer_at(&self, column: usize, row: usize, x: f64, y: f64) -> [u32; M] {
        let (c, r) = (column - self.offset[0], row - self.offset[1]);
        let mut entry = self.table[(r >> SPLIT_SHIFT) * self.columns + (c >> SPLIT_SHIFT)];
        let arenas = &*self.arenas;
        if entry & TAG == 0 {
            return arenas.answers[entry as usize];
        }
        if entry & PATCH != 0 {
            return self.patches[(entry & INDEX) as usize].answer_at(column, row, x, y);
        }
        entry = arenas.blocks[(entry & INDEX) as usize][sub_index(c, r)];
        if entry & TAG == 0 {
            return arenas.answers[entry as usize];
        }
        let slots = &arenas.mixed[(entry & INDEX) as usize];
        let mut out = [NONE; M];
        for (answer, slot) in out.iter_mut().zip(slots) {
            *answer = arenas.resolve(*slot, x, y);
        }
        out
    }

    /// [`Self::locate`] for many points, in order, into `out`.
    ///
    /// Lookups of random points wait on memory, not arithmetic, so this reads ahead: the
    /// coarse entry of the point `AHEAD` places on, and the block of the point half as far,
    /// are touched early so that their cache lines are in flight while earlier points are
    /// answered. Same answers as calling `locate` point by point.
    pub fn locate_many(&self, points: &[[f64; 2]], out: &mut Vec<[u32; M]>) {
        const AHEAD: usize = 16;
        let arenas = &*self.arenas;
        out.reserve(points.len());
        for (i, p) in points.iter().enumerate() {
            if let Some(q) = points.get(i + AHEAD) {
                if let Some(coarse) = self.coarse_of(q[0], q[1]) {
                    prefetch(&self.table[coarse]);
                }
            }
            if let Some(q) = points.get(i + AHEAD / 2) {
                if let Some((entry, sub)) = self.block_entry(q[0], q[1]) {
                    prefetch(&arenas.blocks[entry][sub]);
                }
            }
            if let Some(q) = points.get(i + AHEAD / 4) {
                if let Some((entry, sub)) = self.block_entry(q[0], q[1]) {
                    let fine = arenas.blocks[entry][sub];
                    if fine & TAG != 0 {
                        let slots = &arenas.mixed[(fine & INDEX) as usize];
                        prefetch(slots);
                        prefetch(
                            &arenas.candidates
                                [slots[0].start.min(arenas.candidates.len() as u32 - 1) as usize],
                        );
                    }
                }
            }
            out.push(self.locate(p[0], p[1]));
        }
    }

    /// The coarse cell of a point, if it lies in the grid.
    #[inline]
    fn coarse_of(&self, x: f64, y: f64) -> Option<usize> {
        self.fine_of(x, y)
            .map(|(column, row)| (row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT))
    }

    /// The block a point's coarse entry points to (not a patch's) and its fine cell's place
    /// in it.
    #[inline]
    fn block_entry(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (column, row) = self.fine_of(x, y)?;
        let entry = self.table[(row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT)];
        (entry & (TAG | PATCH) == TAG).then(|| ((entry & INDEX) as usize, sub_index(column, row)))
    }

    /// The fine cell `(column, row)` of a point, if it lies in the grid (NaN does not).
    #[inline]
    fn fine_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let fx = (x - self.origin[0]) * self.inverse_cell[0];
        let fy = (y - self.origin[1]) * self.inverse_cell[1];
        if !(fx >= 0.0 && fy >= 0.0) {
            return None;
        }
        let (column, row) = (fx as usize, fy as usize);
        (column >> SPLIT_SHIFT < self.columns && row >> SPLIT_SHIFT < self.rows)
            .then_some((column, row))
    }

    /// Replaces every answer `i` of mesh `m` by `labels[m][i]`, so lookups return the caller's
    /// own numbers (feature keys) with no second table to read.
    pub fn relabel(&mut self, labels: [&[u32]; M]) {
        let map = |m: usize, i: u32| {
            if i == NONE {
                NONE
            } else {
                labels[m][i as usize]
            }
        };
        let arenas = Arc::make_mut(&mut self.arenas);
        for answer in &mut arenas.answers {
            for (m, a) in answer.iter_mut().enumerate() {
                *a = map(m, *a);
            }
        }
        for slots in &mut arenas.mixed {
            for (m, slot) in slots.iter_mut().enumerate() {
                if slot.len == 0 {
                    slot.start = map(m, slot.start);
                } else {
                    let range = slot.start as usize..(slot.start + slot.len) as usize;
                    for c in &mut arenas.candidates[range] {
                        c.polygon = map(m, c.polygon);
                    }
                }
            }
        }
        for patch in &mut self.patches {
            Arc::make_mut(patch).relabel(labels);
        }
    }

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

    /// Finds, for one mesh, which fine cells edges cross, which polygon settles every other
    /// cell, and the band lists of crossed rows.
    fn lay_out(&self, mesh: &[MeshPolygon]) -> MeshLayout {
        let cells = self.fine_columns() * self.fine_rows();
        let mut crossed: Vec<(u32, u32)> = Vec::new();
        for (i, polygon) in mesh.iter().enumerate() {
            for e in &polygon.edges {
                let (c0, c1) = self.column_range(e[0].min(e[2]), e[0].max(e[2]));
                let (r0, r1) = self.row_range(e[1].min(e[3]), e[1].max(e[3]));
                for row in r0..=r1 {
                    for column in c0..=c1 {
                        if segment_meets_box(*e, self.padded_cell(column, row)) {
                            crossed.push((self.key(column, row) as u32, i as u32));
                        }
                    }
                }
            }
        }
        crossed.sort_unstable();
        crossed.dedup();
        let mut is_crossed = vec![false; cells];
        for (cell, _) in &crossed {
            is_crossed[*cell as usize] = true;
        }
        let mut settled = vec![NONE; cells];
        let mut covering: Vec<(u32, u32)> = Vec::new();
        for (i, polygon) in mesh.iter().enumerate() {
            self.scan_fill(polygon, |cell| {
                if !is_crossed[cell] {
                    if settled[cell] == NONE {
                        settled[cell] = i as u32;
                    }
                } else if crossed.binary_search(&(cell as u32, i as u32)).is_err() {
                    covering.push((cell as u32, i as u32));
                }
            });
        }
        covering.sort_unstable();
        MeshLayout {
            bands: self.bands(mesh),
            crossed,
            covering,
            settled,
        }
    }

    /// For each polygon and fine row it spans: the edges meeting the row's padded band, those
    /// reaching furthest east first.
    fn bands(&self, mesh: &[MeshPolygon]) -> Bands {
        let mut bands = Bands::default();
        let mut rows: Vec<Vec<Edge>> = Vec::new();
        for (i, polygon) in mesh.iter().enumerate() {
            let (r0, r1) = self.row_range(polygon.bbox[1], polygon.bbox[3]);
            rows.clear();
            rows.resize(r1 - r0 + 1, Vec::new());
            for e in &polygon.edges {
                let (e0, e1) = self.row_range(e[1].min(e[3]), e[1].max(e[3]));
                for row in e0.max(r0)..=e1.min(r1) {
                    let band = self.padded_cell(0, row);
                    if e[1].min(e[3]) <= band[3] && e[1].max(e[3]) >= band[1] {
                        rows[row - r0].push(*e);
                    }
                }
            }
            bands.first_row.push(r0 as u32);
            bands.polygon_start.push(bands.runs.len() as u32);
            for list in rows.iter_mut() {
                list.sort_by(|a, b| a[0].max(a[2]).total_cmp(&b[0].max(b[2])).reverse());
                let start = bands.edges.len() as u32;
                bands.edges.extend_from_slice(list);
                bands.runs.push((start, list.len() as u32));
            }
            debug_assert_eq!(bands.first_row.len(), i + 1);
        }
        bands
    }

    /// Calls `visit` with the key of every fine cell whose centre `polygon` contains.
    fn scan_fill(&self, polygon: &MeshPolygon, mut visit: impl FnMut(usize)) {
        let (r0, r1) = self.row_range(polygon.bbox[1], polygon.bbox[3]);
        let mut xs: Vec<f64> = Vec::new();
        for row in r0..=r1 {
            let y = self.origin[1] + ((row + self.offset[1]) as f64 + 0.5) * self.cell[1];
            xs.clear();
            for &[ax, ay, bx, by] in &polygon.edges {
                if (ay > y) != (by > y) {
                    xs.push(ax + (y - ay) * (bx - ax) / (by - ay));
                }
            }
            xs.sort_unstable_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let first = self.fine_cell(pair[0], 0, 0.5, f64::ceil);
                let last = self.fine_cell(pair[1], 0, 0.5, f64::floor);
                let last = last.min(self.fine_columns() as f64 - 1.0);
                if last < 0.0 {
                    continue;
                }
                for column in first.max(0.0) as usize..=last as usize {
                    visit(self.key(column, row));
                }
            }
        }
    }

    /// Writes the coarse table, blocks and mixed cells from every mesh's layout.
    fn combine(&mut self, layouts: &[MeshLayout]) {
        let mut a = Arenas::<M>::default();
        // Every mesh's band lists go into one edge array; candidates point into it.
        let mut offsets = [0u32; M];
        for (m, layout) in layouts.iter().enumerate() {
            offsets[m] = a.edges.len() as u32;
            a.edges.extend_from_slice(&layout.bands.edges);
        }
        let mut cursors = vec![(0usize, 0usize); M];
        let mut answer_ids: HashMap<[u32; M], u32> = HashMap::default();
        let mut block_ids: HashMap<[u32; SPLIT * SPLIT], u32> = HashMap::default();
        let mut table = Vec::with_capacity(self.columns * self.rows);
        for coarse in 0..self.columns * self.rows {
            let mut block = [0u32; SPLIT * SPLIT];
            for (sub, entry) in block.iter_mut().enumerate() {
                let key = coarse * SPLIT * SPLIT + sub;
                let (column, row) = self.fine_position(coarse, sub);
                let mut slots = [Slot {
                    start: NONE,
                    len: 0,
                }; M];
                let mut mixed = false;
                for (m, layout) in layouts.iter().enumerate() {
                    let (crossed_at, covering_at) = &mut cursors[m];
                    let crossed = take_cell(&layout.crossed, crossed_at, key);
                    let covering = take_cell(&layout.covering, covering_at, key);
                    if crossed.is_empty() {
                        slots[m].start = layout.settled[key];
                    } else {
                        mixed = true;
                        let west = self.padded_cell(column, row)[0];
                        slots[m] =
                            a.add_candidates(layout, offsets[m], west, row, crossed, covering);
                    }
                }
                *entry = if mixed {
                    a.mixed.push(slots);
                    TAG | (a.mixed.len() - 1) as u32
                } else {
                    let answer = slots.map(|s| s.start);
                    let next = a.answers.len() as u32;
                    *answer_ids.entry(answer).or_insert_with(|| {
                        a.answers.push(answer);
                        next
                    })
                };
            }
            let uniform = block.iter().all(|e| *e == block[0] && e & TAG == 0);
            let entry = if uniform {
                block[0]
            } else {
                let next = a.blocks.len() as u32;
                TAG | *block_ids.entry(block).or_insert_with(|| {
                    a.blocks.push(block);
                    next
                })
            };
            table.push(entry);
        }
        self.table = table;
        self.arenas = Arc::new(a);
    }

    fn fine_position(&self, coarse: usize, sub: usize) -> (usize, usize) {
        let (cx, cy) = (coarse % self.columns, coarse / self.columns);
        (cx * SPLIT + sub % SPLIT, cy * SPLIT + sub / SPLIT)
    }
}

/// Copies the reachable entries of several indexes' arenas into one, remembering what went
/// where so that shared entries are copied once.
struct Compaction<'a, const M: usize> {
    sources: Vec<&'a Arenas<M>>,
    /// Per source and edge: the longest run any candidate reads from there (0: none), then
    /// where the run went.
    runs: Vec<Vec<u32>>,
    /// Per source and mixed cell: where it went ([`NONE`]: not yet copied).
    mixed: Vec<Vec<u32>>,
    answers: HashMap<[u32; M], u32>,
    blocks: HashMap<[u32; SPLIT * SPLIT], u32>,
    out: Arenas<M>,
}

impl<'a, const M: usize> Compaction<'a, M> {
    fn new(indexes: &[&'a CellIndex<M>]) -> Self {
        let sources: Vec<&Arenas<M>> = indexes.iter().map(|i| &*i.arenas).collect();
        let mut out = Arenas::default();
        out.mixed
            .reserve(sources.iter().map(|a| a.mixed.len()).sum());
        out.candidates
            .reserve(sources.iter().map(|a| a.candidates.len()).sum());
        out.edges
            .reserve(sources.iter().map(|a| a.edges.len()).sum());
        Compaction {
            runs: sources.iter().map(|a| vec![0; a.edges.len()]).collect(),
            mixed: sources.iter().map(|a| vec![NONE; a.mixed.len()]).collect(),
            sources,
            answers: HashMap::default(),
            blocks: HashMap::default(),
            out,
        }
    }

    fn note_edges(&mut self, source: usize, entry: u32) {
        if entry & TAG == 0 {
            return;
        }
        let arenas = self.sources[source];
        for fine in arenas.blocks[(entry & INDEX) as usize] {
            if fine & TAG == 0 {
                continue;
            }
            for slot in arenas.mixed[(fine & INDEX) as usize]
                .iter()
                .filter(|s| s.len > 0)
            {
                let range = slot.start as usize..(slot.start + slot.len) as usize;
                for c in arenas.candidates[range].iter().filter(|c| c.edges_len > 0) {
                    let longest = &mut self.runs[source][c.edges_start as usize];
                    *longest = (*longest).max(c.edges_len);
                }
            }
        }
    }

    /// Runs start at band-list starts, which never overlap, so each is copied once.
    fn copy_edges(&mut self) {
        for (source, runs) in self.runs.iter_mut().enumerate() {
            for (start, run) in runs.iter_mut().enumerate().filter(|(_, len)| **len > 0) {
                let at = self.out.edges.len() as u32;
                let edges = &self.sources[source].edges[start..start + *run as usize];
                self.out.edges.extend_from_slice(edges);
                *run = at;
            }
        }
    }

    fn answer(&mut self, answer: [u32; M]) -> u32 {
        let next = self.out.answers.len() as u32;
        *self.answers.entry(answer).or_insert_with(|| {
            self.out.answers.push(answer);
            next
        })
    }

    fn fine(&mut self, source: usize, entry: u32) -> u32 {
        if entry & TAG == 0 {
            return self.answer(self.sources[source].answers[entry as usize]);
        }
        let at = self.mixed[source][(entry & INDEX) as usize];
        if at != NONE {
            return TAG | at;
        }
        let arenas = self.sources[source];
        let mut slots = arenas.mixed[(entry & INDEX) as usize];
        for slot in slots.iter_mut().filter(|s| s.len > 0) {
            let start = self.out.candidates.len() as u32;
            let range = slot.start as usize..(slot.start + slot.len) as usize;
            for c in &arenas.candidates[range] {
                let mut c = *c;
                if c.edges_len > 0 {
                    c.edges_start = self.runs[source][c.edges_start as usize];
                }
                self.out.candidates.push(c);
            }
            slot.start = start;
        }
        self.out.mixed.push(slots);
        let at = (self.out.mixed.len() - 1) as u32;
        self.mixed[source][(entry & INDEX) as usize] = at;
        TAG | at
    }

    fn coarse(&mut self, source: usize, entry: u32) -> u32 {
        if entry & TAG == 0 {
            return self.answer(self.sources[source].answers[entry as usize]);
        }
        let block = self.sources[source].blocks[(entry & INDEX) as usize];
        let block = block.map(|fine| self.fine(source, fine));
        let next = self.out.blocks.len() as u32;
        TAG | *self.blocks.entry(block).or_insert_with(|| {
            self.out.blocks.push(block);
            next
        })
    }
}

/// What one mesh contributes to the table.
struct MeshLayout {
    /// `(cell key, polygon)` for every polygon with an edge in the cell, sorted.
    crossed: Vec<(u32, u32)>,
    /// `(cell key, polygon)` for polygons that cover a crossed cell without an edge in it.
    covering: Vec<(u32, u32)>,
    /// For cells no edge crosses: the first polygon that contains them, or [`NONE`].
    settled: Vec<u32>,
    bands: Bands,
}

/// Per `(polygon, fine row)`: a run of `edges`, found by the polygon's first row and the
/// start of its runs.
#[derive(Default)]
struct Bands {
    edges: Vec<Edge>,
    first_row: Vec<u32>,
    polygon_start: Vec<u32>,
    runs: Vec<(u32, u32)>,
}

impl Bands {
    fn run(&self, polygon: u32, row: usize) -> (u32, u32) {
        let p = polygon as usize;
        self.runs[self.polygon_start[p] as usize + row - self.first_row[p] as usize]
    }
}

/// Asks the CPU to start loading `value`'s cache line; a hint with no effect on results.
#[inline(always)]
#[allow(unsafe_code)]
fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        // SAFETY: SSE is part of every x86_64 CPU, and a prefetch never faults whatever the
        // address; this one points into a live reference anyway.
        unsafe { _mm_prefetch::<_MM_HINT_T0>((value as *const T).cast::<i8>()) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}

#[inline]
fn sub_index(column: usize, row: usize) -> usize {
    (row & (SPLIT - 1)) * SPLIT + (column & (SPLIT - 1))
}

/// The run of `pairs` (sorted by cell) for `cell`, advancing `at` past it.
fn take_cell<'a>(pairs: &'a [(u32, u32)], at: &mut usize, cell: usize) -> &'a [(u32, u32)] {
    let start = *at;
    while *at < pairs.len() && pairs[*at].0 as usize == cell {
        *at += 1;
    }
    &pairs[start..*at]
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
