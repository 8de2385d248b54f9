//! The dispatcher's answer (110 / 12345): for one point, the grid, beat and station that
//! answer for it, everyone up the escalation chain (四级流转), the cameras that can see it,
//! and, close to a boundary, the neighbours it may also belong to.
//!
//! The answer holds feature indices into the snapshot, not JSON: the server decides what
//! each caller may see of the people (names and phones are personal data).

use crate::{Layer, Snapshot};

/// What a dispatch question may ask for beyond the point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DispatchOptions {
    /// The nearest cameras to list.
    pub cameras: usize,
    /// How far cameras may be, in metres.
    pub camera_radius_m: f64,
    /// A point this close to its grid's (or beat's) boundary, in metres, lists the
    /// neighbours on the other side: a caller's position is rarely better than that.
    pub near_m: f64,
}

impl Default for DispatchOptions {
    fn default() -> Self {
        DispatchOptions {
            cameras: 5,
            camera_radius_m: 300.0,
            near_m: 30.0,
        }
    }
}

/// An area feature holding the point, and how far the point is from its boundary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct AreaHit {
    pub feature: u32,
    pub boundary_distance_m: f64,
}

/// One rung of the escalation chain, lowest first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rung {
    /// The grid holding the point, at its own level.
    Grid,
    /// The police beat (警格).
    Beat,
    /// The police station (派出所).
    Station,
    /// A parent grid at this level (2 community, 1 township, 0 county).
    Level(u8),
}

/// Who answers for the point at one rung.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Escalation {
    pub rung: Rung,
    pub feature: u32,
}

/// A neighbouring grid or beat the point may belong to, being close to a boundary.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Neighbour {
    pub layer: Layer,
    pub feature: u32,
    pub distance_m: f64,
}

/// The whole answer for a point inside the city.
#[derive(Clone, Debug, PartialEq)]
pub struct Dispatch {
    pub grid: AreaHit,
    /// The grid's parents, nearest first.
    pub ancestors: Vec<u32>,
    pub beat: Option<AreaHit>,
    pub station: Option<u32>,
    /// Who to call, in order: grid, beat, station, then each parent grid.
    pub escalation: Vec<Escalation>,
    /// The nearest cameras within the radius, nearest first, with distances in metres.
    pub cameras: Vec<(u32, f64)>,
    /// Every camera within the radius, counted.
    pub cameras_in_radius: usize,
    pub near: Vec<Neighbour>,
}

/// A point no grid holds, and the grid nearest to it (with its distance in metres).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OutsideEveryGrid {
    pub nearest: Option<(u32, f64)>,
}

impl Snapshot {
    /// Everything a dispatcher needs about the point (WGS84 lng/lat).
    ///
    /// ```
    /// use onemap_index::dispatch::DispatchOptions;
    /// use onemap_index::{City, Snapshot};
    /// let empty = Snapshot::build(City::default(), 0);
    /// let outside = empty.dispatch(121.0, 28.0, &DispatchOptions::default()).unwrap_err();
    /// assert_eq!(outside.nearest, None);
    /// ```
    pub fn dispatch(
        &self,
        lng: f64,
        lat: f64,
        options: &DispatchOptions,
    ) -> Result<Dispatch, OutsideEveryGrid> {
        let hit = self.locate(lng, lat);
        let Some(grid) = hit.grid else {
            return Err(OutsideEveryGrid {
                nearest: self.nearest_grid(lng, lat),
            });
        };
        let area_hit = |feature: u32| AreaHit {
            feature,
            boundary_distance_m: self.boundary_distance(feature, lng, lat).unwrap_or(0.0),
        };
        let ancestors = self.ancestors(grid);
        let escalation = [
            (Rung::Grid, Some(grid)),
            (Rung::Beat, hit.beat),
            (Rung::Station, hit.station),
        ]
        .into_iter()
        .filter_map(|(rung, feature)| {
            Some(Escalation {
                rung,
                feature: feature?,
            })
        })
        .chain(ancestors.iter().map(|&a| Escalation {
            rung: Rung::Level(self.feature(a).level().unwrap_or(0)),
            feature: a,
        }))
        .collect();
        let grid = area_hit(grid);
        let beat = hit.beat.map(area_hit);
        let near = [(Layer::Grid, Some(grid)), (Layer::Beat, beat)]
            .into_iter()
            .filter_map(|(layer, own)| Some((layer, own?)))
            .filter(|(_, own)| own.boundary_distance_m <= options.near_m)
            .flat_map(|(layer, own)| {
                let level = self.feature(own.feature).level();
                self.near(layer, level, lng, lat, options.near_m)
                    .into_iter()
                    .filter(move |&(i, _)| i != own.feature)
                    .map(move |(feature, distance_m)| Neighbour {
                        layer,
                        feature,
                        distance_m,
                    })
            })
            .collect();
        Ok(Dispatch {
            grid,
            ancestors,
            beat,
            station: hit.station,
            escalation,
            cameras: self.cameras_near(lng, lat, options.cameras, options.camera_radius_m),
            cameras_in_radius: self.cameras_within(lng, lat, options.camera_radius_m),
            near,
        })
    }
}
