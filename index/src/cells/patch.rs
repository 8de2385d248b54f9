//! Edits: the coarse cells an edit touches, rebuilt into a patch over a copy of the coarse
//! table.

use super::*;

impl<const M: usize> CellIndex<M> {
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
    pub(super) fn drop_unused_patches(&mut self) {
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
}
