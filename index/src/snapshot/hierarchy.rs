//! Who is above whom: a grid's parent grid (named, or inferred from where it lies) and a
//! beat's station.

use super::advance::Carry;
use super::*;

impl Snapshot {
    /// The grid's parent grid or the beat's station.
    pub fn parent(&self, i: u32) -> Option<u32> {
        self.parents[i as usize]
    }

    /// A grid's ancestors, parent first, up to the top level.
    pub fn ancestors(&self, i: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = i;
        while let Some(p) = self.parent(at) {
            if out.contains(&p) || out.len() > level::DEEPEST as usize + 1 {
                break;
            }
            out.push(p);
            at = p;
        }
        out
    }
}

/// What parent inference needs before the snapshot exists.
pub(super) struct Lookup<'a> {
    pub(super) features: &'a [Feature],
    pub(super) ids: &'a Ids,
    pub(super) boxes: &'a RTree<BoxEntry>,
    pub(super) bboxes: &'a [Option<[f64; 4]>],
}

impl Lookup<'_> {
    /// Explicit parents where given and present; otherwise the grid one level up containing
    /// the feature's interior point (cities import one level at a time).
    /// Inferred parents of features an edit could not have moved (untouched, and no touched
    /// box meets theirs) come from `carry` instead.
    pub(super) fn parents(&self, carry: Option<&Carry>) -> Vec<Option<u32>> {
        let carried = |i: usize| -> Option<Option<u32>> {
            let carry = carry?;
            let before = carry.before[i]?;
            if carry.touches(self.bboxes[i]?) {
                return None;
            }
            Some(carry.prev.parents[before as usize].and_then(|p| {
                let parent = carry.prev.feature(p);
                self.ids.get(parent.layer(), &parent.id)
            }))
        };
        self.features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let explicit = match f.layer() {
                    Layer::Grid => f.parent().and_then(|p| self.ids.get(Layer::Grid, p)),
                    Layer::Beat => f.parent().and_then(|p| self.ids.get(Layer::Station, p)),
                    _ => None,
                };
                explicit.or_else(|| {
                    if let Some(parent) = carried(i) {
                        return parent;
                    }
                    let inner = f.area()?.interior_point()?;
                    match f.layer() {
                        Layer::Grid => {
                            let lvl = f.level()?;
                            let up = lvl.checked_sub(1)?;
                            self.containing(Layer::Grid, inner.x(), inner.y(), |g| {
                                g.level() == Some(up)
                            })
                        }
                        Layer::Beat => {
                            self.containing(Layer::Station, inner.x(), inner.y(), |_| true)
                        }
                        _ => None,
                    }
                })
            })
            .collect()
    }

    /// The first feature of `layer` (by id) that contains the point and passes `keep`.
    pub(super) fn containing(
        &self,
        layer: Layer,
        x: f64,
        y: f64,
        keep: impl Fn(&Feature) -> bool,
    ) -> Option<u32> {
        let mut found: Vec<u32> = self
            .boxes
            .locate_all_at_point(&[x, y])
            .map(|e| e.data)
            .filter(|i| {
                let f = &self.features[*i as usize];
                f.layer() == layer
                    && keep(f)
                    && f.area().is_some_and(|mp| contains(&edges_of(mp), x, y))
            })
            .collect();
        found.sort_unstable();
        found.first().copied()
    }
}

/// Grids whose children cover them exactly (by area) answer through their children, so the
/// cell index needs only the leaves; a parent with gaps stays in to answer for the gaps.
pub(super) fn covered_by_children(
    features: &[Feature],
    parents: &[Option<u32>],
    areas: &[f64],
) -> Vec<bool> {
    let mut children_area = vec![0.0; features.len()];
    for (i, f) in features.iter().enumerate() {
        if let (Layer::Grid, Some(p)) = (f.layer(), parents[i]) {
            children_area[p as usize] += areas[i];
        }
    }
    features
        .iter()
        .zip(children_area)
        .zip(areas)
        .map(|((f, sum), area)| f.layer() == Layer::Grid && sum > 0.0 && sum >= area * (1.0 - 1e-9))
        .collect()
}
