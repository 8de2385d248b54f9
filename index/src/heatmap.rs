//! H3 hexagon aggregates of point features (cameras; incident events next): how many fall in
//! each cell of one resolution, for heatmaps. Cell ids are `h3o`'s, which equal the reference
//! `h3` library's (`tests/tests/heatmap.rs` checks them against it).

use crate::model::{Feature, Layer, Shape};
use crate::snapshot::Snapshot;
use h3o::{CellIndex, LatLng, Resolution};
use std::collections::BTreeMap;

/// The resolutions heatmaps are made at: from about 250 km² (5) down to 2,100 m² (11) a cell.
pub const RESOLUTIONS: std::ops::RangeInclusive<u8> = 5..=11;

impl Snapshot {
    /// The number of `layer`'s point features passing `keep` in each H3 cell of `resolution`,
    /// in cell order; cells without any are left out.
    ///
    /// ```
    /// use h3o::Resolution;
    /// use onemap_index::{City, Layer, Snapshot};
    /// let s = Snapshot::build(City::default(), 0);
    /// assert!(s.heatmap(Layer::Camera, Resolution::Nine, |_| true).is_empty());
    /// ```
    pub fn heatmap(
        &self,
        layer: Layer,
        resolution: Resolution,
        keep: impl Fn(&Feature) -> bool,
    ) -> Vec<(CellIndex, u32)> {
        let mut cells: BTreeMap<CellIndex, u32> = BTreeMap::new();
        for f in self.layer(layer).filter(|f| keep(f)) {
            let Shape::Point(p) = f.shape else { continue };
            if let Ok(at) = LatLng::new(p.y(), p.x()) {
                *cells.entry(at.to_cell(resolution)).or_default() += 1;
            }
        }
        cells.into_iter().collect()
    }
}
