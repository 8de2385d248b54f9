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

use crate::crossing::{bbox_of, crosses, Edge};
use rustc_hash::FxHashMap as HashMap;

/// No polygon of the mesh contains the point.
pub const NONE: u32 = u32::MAX;

/// Tag bit of a table entry: a coarse entry points to a block, a fine entry to a mixed cell.
const TAG: u32 = 1 << 31;

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
    origin: [f64; 2],
    /// Fine cell size and its inverse.
    cell: [f64; 2],
    inverse_cell: [f64; 2],
    /// Coarse cells per row and rows.
    columns: usize,
    rows: usize,
    table: Vec<u32>,
    blocks: Vec<[u32; SPLIT * SPLIT]>,
    answers: Vec<[u32; M]>,
    mixed: Vec<[Slot; M]>,
    candidates: Vec<Candidate>,
    edges: Vec<Edge>,
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
            origin: [bbox[0], bbox[1]],
            inverse_cell: [1.0 / cell[0], 1.0 / cell[1]],
            cell,
            columns,
            rows,
            table: Vec::new(),
            blocks: Vec::new(),
            answers: Vec::new(),
            mixed: Vec::new(),
            candidates: Vec::new(),
            edges: Vec::new(),
        };
        // Meshes are laid out independently, one thread each.
        let layouts: Vec<MeshLayout> = std::thread::scope(|scope| {
            let index = &index;
            let workers: Vec<_> = meshes
                .iter()
                .map(|m| scope.spawn(move || index.lay_out(m)))
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("cell layout worker panicked"))
                .collect()
        });
        index.combine(&layouts);
        index
    }

    /// The polygon of each mesh that contains `(x, y)`, or [`NONE`].
    #[inline]
    pub fn locate(&self, x: f64, y: f64) -> [u32; M] {
        let Some((column, row)) = self.fine_of(x, y) else {
            return [NONE; M];
        };
        let mut entry = self.table[(row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT)];
        if entry & TAG == 0 {
            return self.answers[entry as usize];
        }
        entry = self.blocks[(entry & !TAG) as usize][sub_index(column, row)];
        if entry & TAG == 0 {
            return self.answers[entry as usize];
        }
        let slots = &self.mixed[(entry & !TAG) as usize];
        let mut out = [NONE; M];
        for (answer, slot) in out.iter_mut().zip(slots) {
            *answer = self.resolve(*slot, x, y);
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
        out.reserve(points.len());
        for (i, p) in points.iter().enumerate() {
            if let Some(q) = points.get(i + AHEAD) {
                if let Some(coarse) = self.coarse_of(q[0], q[1]) {
                    prefetch(&self.table[coarse]);
                }
            }
            if let Some(q) = points.get(i + AHEAD / 2) {
                if let Some((entry, sub)) = self.coarse_entry(q[0], q[1]) {
                    if entry & TAG != 0 {
                        prefetch(&self.blocks[(entry & !TAG) as usize][sub]);
                    }
                }
            }
            if let Some(q) = points.get(i + AHEAD / 4) {
                if let Some((entry, sub)) = self.coarse_entry(q[0], q[1]) {
                    if entry & TAG != 0 {
                        let fine = self.blocks[(entry & !TAG) as usize][sub];
                        if fine & TAG != 0 {
                            let slots = &self.mixed[(fine & !TAG) as usize];
                            prefetch(slots);
                            prefetch(
                                &self.candidates
                                    [slots[0].start.min(self.candidates.len() as u32 - 1) as usize],
                            );
                        }
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

    /// The coarse entry of a point and its fine cell's place in a block.
    #[inline]
    fn coarse_entry(&self, x: f64, y: f64) -> Option<(u32, usize)> {
        let (column, row) = self.fine_of(x, y)?;
        let coarse = (row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT);
        Some((self.table[coarse], sub_index(column, row)))
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
    /// own numbers (feature indices) with no second table to read.
    pub fn relabel(&mut self, labels: [&[u32]; M]) {
        let map = |m: usize, i: u32| {
            if i == NONE {
                NONE
            } else {
                labels[m][i as usize]
            }
        };
        for answer in &mut self.answers {
            for (m, a) in answer.iter_mut().enumerate() {
                *a = map(m, *a);
            }
        }
        for slots in &mut self.mixed {
            for (m, slot) in slots.iter_mut().enumerate() {
                if slot.len == 0 {
                    slot.start = map(m, slot.start);
                } else {
                    let range = slot.start as usize..(slot.start + slot.len) as usize;
                    for c in &mut self.candidates[range] {
                        c.polygon = map(m, c.polygon);
                    }
                }
            }
        }
    }

    /// Bytes held by the index, for reports.
    pub fn memory_bytes(&self) -> usize {
        self.table.len() * 4
            + std::mem::size_of_val(self.blocks.as_slice())
            + std::mem::size_of_val(self.answers.as_slice())
            + std::mem::size_of_val(self.mixed.as_slice())
            + std::mem::size_of_val(self.candidates.as_slice())
            + std::mem::size_of_val(self.edges.as_slice())
    }

    /// A one-line description of the layout, for reports.
    pub fn describe(&self) -> String {
        format!(
            "{}×{} coarse cells, {} blocks, {} mixed cells, {} candidates, {} edges",
            self.columns,
            self.rows,
            self.blocks.len(),
            self.mixed.len(),
            self.candidates.len(),
            self.edges.len()
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
                } else {
                    self.blocks[(e & !TAG) as usize]
                        .iter()
                        .filter(|f| *f & TAG == 0)
                        .count() as f64
                }
            })
            .sum();
        settled / (self.table.len() as f64 * fine).max(1.0)
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
    /// a point placed in a neighbouring cell by rounding is still covered.
    fn padded_cell(&self, column: usize, row: usize) -> [f64; 4] {
        let pad = [self.cell[0] * 1e-3, self.cell[1] * 1e-3];
        let x0 = self.origin[0] + column as f64 * self.cell[0];
        let y0 = self.origin[1] + row as f64 * self.cell[1];
        [
            x0 - pad[0],
            y0 - pad[1],
            x0 + self.cell[0] + pad[0],
            y0 + self.cell[1] + pad[1],
        ]
    }

    fn column_range(&self, min: f64, max: f64) -> (usize, usize) {
        let lo = ((min - self.origin[0]) * self.inverse_cell[0]).floor() - 1.0;
        let hi = ((max - self.origin[0]) * self.inverse_cell[0]).floor() + 1.0;
        clamp_range(lo, hi, self.fine_columns())
    }

    fn row_range(&self, min: f64, max: f64) -> (usize, usize) {
        let lo = ((min - self.origin[1]) * self.inverse_cell[1]).floor() - 1.0;
        let hi = ((max - self.origin[1]) * self.inverse_cell[1]).floor() + 1.0;
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
            let y = self.origin[1] + (row as f64 + 0.5) * self.cell[1];
            xs.clear();
            for &[ax, ay, bx, by] in &polygon.edges {
                if (ay > y) != (by > y) {
                    xs.push(ax + (y - ay) * (bx - ax) / (by - ay));
                }
            }
            xs.sort_unstable_by(f64::total_cmp);
            for pair in xs.chunks_exact(2) {
                let first = ((pair[0] - self.origin[0]) * self.inverse_cell[0] - 0.5).ceil();
                let last = ((pair[1] - self.origin[0]) * self.inverse_cell[0] - 0.5).floor();
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
        // Every mesh's band lists go into one edge array; candidates point into it.
        let mut offsets = [0u32; M];
        for (m, layout) in layouts.iter().enumerate() {
            offsets[m] = self.edges.len() as u32;
            self.edges.extend_from_slice(&layout.bands.edges);
        }
        let mut cursors = vec![(0usize, 0usize); M];
        let mut answer_ids: HashMap<[u32; M], u32> = HashMap::default();
        let mut block_ids: HashMap<[u32; SPLIT * SPLIT], u32> = HashMap::default();
        self.table = Vec::with_capacity(self.columns * self.rows);
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
                        slots[m] =
                            self.add_candidates(layout, offsets[m], column, row, crossed, covering);
                    }
                }
                *entry = if mixed {
                    self.mixed.push(slots);
                    TAG | (self.mixed.len() - 1) as u32
                } else {
                    let answer = slots.map(|s| s.start);
                    let next = self.answers.len() as u32;
                    *answer_ids.entry(answer).or_insert_with(|| {
                        self.answers.push(answer);
                        next
                    })
                };
            }
            let uniform = block.iter().all(|e| *e == block[0] && e & TAG == 0);
            let entry = if uniform {
                block[0]
            } else {
                let next = self.blocks.len() as u32;
                TAG | *block_ids.entry(block).or_insert_with(|| {
                    self.blocks.push(block);
                    next
                })
            };
            self.table.push(entry);
        }
    }

    fn fine_position(&self, coarse: usize, sub: usize) -> (usize, usize) {
        let (cx, cy) = (coarse % self.columns, coarse / self.columns);
        (cx * SPLIT + sub % SPLIT, cy * SPLIT + sub / SPLIT)
    }

    /// Appends the candidates of one mesh in one mixed fine cell, in priority order, stopping
    /// at the first polygon that covers the whole cell.
    fn add_candidates(
        &mut self,
        layout: &MeshLayout,
        offset: u32,
        column: usize,
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
        let west = self.padded_cell(column, row)[0];
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
