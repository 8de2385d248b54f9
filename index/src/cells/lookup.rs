//! Answering a point: one read of the coarse table for most points, a fine block and a
//! handful of edges for the rest.

use super::*;

impl<const M: usize> CellIndex<M> {
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
    pub(super) fn answer_at(&self, column: usize, row: usize, x: f64, y: f64) -> [u32; M] {
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
    pub(super) fn coarse_of(&self, x: f64, y: f64) -> Option<usize> {
        self.fine_of(x, y)
            .map(|(column, row)| (row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT))
    }

    /// The block a point's coarse entry points to (not a patch's) and its fine cell's place
    /// in it.
    #[inline]
    pub(super) fn block_entry(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let (column, row) = self.fine_of(x, y)?;
        let entry = self.table[(row >> SPLIT_SHIFT) * self.columns + (column >> SPLIT_SHIFT)];
        (entry & (TAG | PATCH) == TAG).then(|| ((entry & INDEX) as usize, sub_index(column, row)))
    }

    /// The fine cell `(column, row)` of a point, if it lies in the grid (NaN does not).
    #[inline]
    pub(super) fn fine_of(&self, x: f64, y: f64) -> Option<(usize, usize)> {
        let fx = (x - self.origin[0]) * self.inverse_cell[0];
        let fy = (y - self.origin[1]) * self.inverse_cell[1];
        if !(fx >= 0.0 && fy >= 0.0) {
            return None;
        }
        let (column, row) = (fx as usize, fy as usize);
        (column >> SPLIT_SHIFT < self.columns && row >> SPLIT_SHIFT < self.rows)
            .then_some((column, row))
    }
}

/// Asks the CPU to start loading `value`'s cache line; a hint with no effect on results.
#[inline(always)]
#[allow(unsafe_code)]
pub(super) fn prefetch<T>(value: &T) {
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
