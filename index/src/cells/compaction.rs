//! Folding patches in: copying what the coarse table reaches into fresh arenas, each shared
//! entry once.

use super::*;

impl<const M: usize> CellIndex<M> {
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
}

/// Copies the reachable entries of several indexes' arenas into one, remembering what went
/// where so that shared entries are copied once.
pub(super) struct Compaction<'a, const M: usize> {
    pub(super) sources: Vec<&'a Arenas<M>>,
    /// Per source and edge: the longest run any candidate reads from there (0: none), then
    /// where the run went.
    pub(super) runs: Vec<Vec<u32>>,
    /// Per source and mixed cell: where it went ([`NONE`]: not yet copied).
    pub(super) mixed: Vec<Vec<u32>>,
    pub(super) answers: HashMap<[u32; M], u32>,
    pub(super) blocks: HashMap<[u32; SPLIT * SPLIT], u32>,
    pub(super) out: Arenas<M>,
}

impl<'a, const M: usize> Compaction<'a, M> {
    pub(super) fn new(indexes: &[&'a CellIndex<M>]) -> Self {
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

    pub(super) fn note_edges(&mut self, source: usize, entry: u32) {
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
    pub(super) fn copy_edges(&mut self) {
        for (source, runs) in self.runs.iter_mut().enumerate() {
            for (start, run) in runs.iter_mut().enumerate().filter(|(_, len)| **len > 0) {
                let at = self.out.edges.len() as u32;
                let edges = &self.sources[source].edges[start..start + *run as usize];
                self.out.edges.extend_from_slice(edges);
                *run = at;
            }
        }
    }

    pub(super) fn answer(&mut self, answer: [u32; M]) -> u32 {
        let next = self.out.answers.len() as u32;
        *self.answers.entry(answer).or_insert_with(|| {
            self.out.answers.push(answer);
            next
        })
    }

    pub(super) fn fine(&mut self, source: usize, entry: u32) -> u32 {
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

    pub(super) fn coarse(&mut self, source: usize, entry: u32) -> u32 {
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
