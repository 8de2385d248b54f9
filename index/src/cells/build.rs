//! Building a cell index: laying each mesh out over the fine cells and combining the meshes
//! into one table.

use super::*;

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

    /// Lays out every mesh (one thread each) and writes the table and arenas.
    pub(super) fn lay_out_all(&mut self, meshes: &[Vec<MeshPolygon>; M]) {
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

    /// Finds, for one mesh, which fine cells edges cross, which polygon settles every other
    /// cell, and the band lists of crossed rows.
    pub(super) fn lay_out(&self, mesh: &[MeshPolygon]) -> MeshLayout {
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
    pub(super) fn bands(&self, mesh: &[MeshPolygon]) -> Bands {
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
    pub(super) fn scan_fill(&self, polygon: &MeshPolygon, mut visit: impl FnMut(usize)) {
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
    pub(super) fn combine(&mut self, layouts: &[MeshLayout]) {
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
}

/// What one mesh contributes to the table.
pub(super) struct MeshLayout {
    /// `(cell key, polygon)` for every polygon with an edge in the cell, sorted.
    pub(super) crossed: Vec<(u32, u32)>,
    /// `(cell key, polygon)` for polygons that cover a crossed cell without an edge in it.
    pub(super) covering: Vec<(u32, u32)>,
    /// For cells no edge crosses: the first polygon that contains them, or [`NONE`].
    pub(super) settled: Vec<u32>,
    pub(super) bands: Bands,
}

/// Per `(polygon, fine row)`: a run of `edges`, found by the polygon's first row and the
/// start of its runs.
#[derive(Default)]
pub(super) struct Bands {
    pub(super) edges: Vec<Edge>,
    pub(super) first_row: Vec<u32>,
    pub(super) polygon_start: Vec<u32>,
    pub(super) runs: Vec<(u32, u32)>,
}

impl Bands {
    pub(super) fn run(&self, polygon: u32, row: usize) -> (u32, u32) {
        let p = polygon as usize;
        self.runs[self.polygon_start[p] as usize + row - self.first_row[p] as usize]
    }
}

/// The run of `pairs` (sorted by cell) for `cell`, advancing `at` past it.
pub(super) fn take_cell<'a>(
    pairs: &'a [(u32, u32)],
    at: &mut usize,
    cell: usize,
) -> &'a [(u32, u32)] {
    let start = *at;
    while *at < pairs.len() && pairs[*at].0 as usize == cell {
        *at += 1;
    }
    &pairs[start..*at]
}
