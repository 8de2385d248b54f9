//! What an arbitrary polygon touches: the grids, beats and stations it overlaps, with the
//! area of each overlap, and the cameras inside it.

use crate::budget::{Budget, Interrupted};
use crate::crossing::{contains, edges_of};
use crate::matrix::DUST_M2;
use crate::overlap::intersection_area;
use crate::snapshot::region_of;
use crate::Snapshot;
use geo::BoundingRect;
use geo_types::MultiPolygon;

/// One feature a probe overlaps.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Touch {
    /// The feature's index in the snapshot.
    pub feature: u32,
    /// The area of the overlap in m².
    pub area_m2: f64,
}

/// The answer of [`Snapshot::intersects`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Intersection {
    /// The probe's own area in m².
    pub area_m2: f64,
    /// Areal features overlapping the probe by more than dust, in snapshot order (by layer,
    /// then id).
    pub areal: Vec<Touch>,
    /// Cameras inside the probe, in snapshot order.
    pub cameras: Vec<u32>,
}

impl Snapshot {
    /// The features `probe` (lng/lat) overlaps and the cameras inside it. Asks `budget`
    /// between features, so a huge probe over a whole city stops when it is called off.
    ///
    /// ```
    /// use onemap_index::budget::Budget;
    /// use geo_types::polygon;
    /// use onemap_index::{City, Snapshot};
    /// let empty = Snapshot::build(City::default(), 0);
    /// let square = geo_types::MultiPolygon::new(vec![polygon![
    ///     (x: 0.0, y: 0.0), (x: 1.0, y: 0.0), (x: 1.0, y: 1.0), (x: 0.0, y: 1.0)]]);
    /// let hit = empty.intersects(&square, &Budget::unlimited()).unwrap();
    /// assert!(hit.areal.is_empty() && hit.cameras.is_empty());
    /// ```
    pub fn intersects(
        &self,
        probe: &MultiPolygon<f64>,
        budget: &Budget,
    ) -> Result<Intersection, Interrupted> {
        let Some(rect) = probe.bounding_rect() else {
            return Ok(Intersection::default());
        };
        let bbox = [rect.min().x, rect.min().y, rect.max().x, rect.max().y];
        let projection = self.projection();
        let region = region_of(&projection, probe);
        let mut areal = Vec::new();
        for i in self.areal_in(bbox) {
            budget.check()?;
            let f = self.feature(i);
            let area = match self.region(f.layer(), &f.id) {
                Some(r) => intersection_area(&region, r),
                None => match f.area() {
                    Some(mp) => intersection_area(&region, &region_of(&projection, mp)),
                    None => continue,
                },
            };
            if area > DUST_M2 {
                areal.push(Touch {
                    feature: i,
                    area_m2: area,
                });
            }
        }
        budget.check()?;
        let edges = edges_of(probe);
        let cameras = self
            .cameras_in(bbox)
            .into_iter()
            .filter(|i| {
                self.feature(*i)
                    .point()
                    .is_some_and(|p| contains(&edges, p.x(), p.y()))
            })
            .collect();
        Ok(Intersection {
            area_m2: region.area,
            areal,
            cameras,
        })
    }
}
