//! What cameras see, as area: each online camera's field of view (a sector from its position,
//! heading, angle and range; a disc for a dome), and per grid or beat the share of its area
//! that some camera sees and the parts none does.
//!
//! Where a camera lacks a heading or range, its kind's defaults stand in ([`view_of`]); a fixed
//! camera with no heading counts as a disc of a third of its range, since where it looks is
//! unknown.
//!
//! ```
//! use onemap_index::sight::view_of;
//! let gun = view_of("gun", Some(90.0), None);
//! assert_eq!((gun.angle_deg, gun.range_m), (60.0, 50.0));
//! ```

use crate::model::{Attributes, CameraStatus, Layer};
use crate::snapshot::Snapshot;
use geo::BooleanOps;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// Metres in a degree of latitude (and of longitude at the equator), near enough for
/// sectors tens of metres across.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// The longest range counted: a recorded range beyond it is taken as it (no street camera
/// identifies anything a kilometre away).
pub const MAX_RANGE_M: f64 = 1000.0;

/// Segments of a full circle when drawing an arc.
const CIRCLE_SEGMENTS: f64 = 32.0;

/// Where a camera looks and how far it sees.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// Compass bearing of the centre of view, degrees; `None` for all round.
    pub heading: Option<f64>,
    /// The opening angle, degrees (360 all round).
    pub angle_deg: f64,
    pub range_m: f64,
}

/// The view of a camera of `kind` (gun, dome, face, plate) with what it records, kinds'
/// defaults filling the gaps: gun 60° × 50 m, dome all round 80 m, face 30° × 15 m, plate
/// 40° × 25 m, anything else as a gun.
pub fn view_of(kind: &str, heading: Option<f64>, range_m: Option<f64>) -> View {
    let (angle_deg, default_range) = match kind {
        "dome" => (360.0, 80.0),
        "face" => (30.0, 15.0),
        "plate" => (40.0, 25.0),
        _ => (60.0, 50.0),
    };
    let range_m = range_m
        .filter(|r| r.is_finite() && *r > 0.0)
        .unwrap_or(default_range)
        .min(MAX_RANGE_M);
    match heading.filter(|h| h.is_finite()) {
        _ if angle_deg >= 360.0 => View {
            heading: None,
            angle_deg,
            range_m,
        },
        Some(h) => View {
            heading: Some(h.rem_euclid(360.0)),
            angle_deg,
            range_m,
        },
        None => View {
            heading: None,
            angle_deg: 360.0,
            range_m: range_m / 3.0,
        },
    }
}

/// The area a camera at `(lng, lat)` with `view` sees, in longitude/latitude.
pub fn field_of_view(lng: f64, lat: f64, view: &View) -> Polygon<f64> {
    let to_degrees = |east_m: f64, north_m: f64| Coord {
        x: lng + east_m / (METRES_PER_DEGREE * lat.to_radians().cos()),
        y: lat + north_m / METRES_PER_DEGREE,
    };
    let at_bearing = |deg: f64| {
        let rad = deg.to_radians();
        to_degrees(view.range_m * rad.sin(), view.range_m * rad.cos())
    };
    let steps = ((view.angle_deg / 360.0 * CIRCLE_SEGMENTS).ceil() as usize).max(2);
    let (start, sweep) = match view.heading {
        Some(h) => (h - view.angle_deg / 2.0, view.angle_deg),
        None => (0.0, 360.0),
    };
    let arc = (0..=steps).map(|k| at_bearing(start + sweep * k as f64 / steps as f64));
    let mut ring: Vec<Coord<f64>> = match view.heading {
        Some(_) => std::iter::once(Coord { x: lng, y: lat })
            .chain(arc)
            .collect(),
        None => arc.collect(),
    };
    // Counter-clockwise for the exterior: the bearings ran clockwise.
    ring.reverse();
    Polygon::new(LineString::new(ring), Vec::new())
}

/// One feature's coverage.
#[derive(Clone, Debug, PartialEq)]
pub struct Sight {
    pub feature: u32,
    pub area_m2: f64,
    /// The part of the area some online camera sees.
    pub covered_m2: f64,
    /// The parts no camera sees, in longitude/latitude.
    pub uncovered: MultiPolygon<f64>,
}

impl Sight {
    /// The covered share of the area, 0 to 1.
    pub fn share(&self) -> f64 {
        if self.area_m2 > 0.0 {
            (self.covered_m2 / self.area_m2).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

impl Snapshot {
    /// The coverage of every feature of `layer` (grids of `level` only, when given) by the
    /// online cameras.
    pub fn sight(&self, layer: Layer, level: Option<u8>) -> Vec<Sight> {
        let projection = self.projection();
        (0..self.features().len() as u32)
            .filter(|&i| {
                let f = self.feature(i);
                f.layer() == layer && level.is_none_or(|l| f.level() == Some(l))
            })
            .filter_map(|i| {
                let area = self.feature(i).area()?;
                let bbox = self.feature(i).bbox()?;
                let views = self.views_near(bbox);
                let uncovered = if views.is_empty() {
                    area.clone()
                } else {
                    area.difference(&geo::unary_union(&views))
                };
                let area_m2 = self.area_m2(i);
                Some(Sight {
                    feature: i,
                    area_m2,
                    covered_m2: (area_m2 - projection.area(&uncovered)).max(0.0),
                    uncovered,
                })
            })
            .collect()
    }

    /// The fields of view of the online cameras that may reach into `bbox`.
    fn views_near(&self, bbox: [f64; 4]) -> Vec<Polygon<f64>> {
        let margin = MAX_RANGE_M / METRES_PER_DEGREE / bbox[1].to_radians().cos().max(0.1);
        let wide = [
            bbox[0] - margin,
            bbox[1] - margin,
            bbox[2] + margin,
            bbox[3] + margin,
        ];
        self.cameras_in(wide)
            .into_iter()
            .filter_map(|c| {
                let c = self.feature(c);
                let Attributes::Camera {
                    kind,
                    status: CameraStatus::Online,
                    heading,
                    range_m,
                } = &c.attributes
                else {
                    return None;
                };
                let p = c.point()?;
                let view = view_of(kind, *heading, *range_m);
                let reach = view.range_m / METRES_PER_DEGREE / p.y().to_radians().cos().max(0.1);
                let touches = p.x() + reach >= bbox[0]
                    && p.x() - reach <= bbox[2]
                    && p.y() + reach >= bbox[1]
                    && p.y() - reach <= bbox[3];
                touches.then(|| field_of_view(p.x(), p.y(), &view))
            })
            .collect()
    }
}
