//! Geometry within reason: limits a feature must meet before it may enter a city, beyond
//! being valid. A grid covering the whole earth, or one with a million vertices, is valid
//! geometry and still a mistake (or an attack): once stored, it answers every locate and
//! slows every query that meets it.

use crate::{Feature, Layer, Snapshot};
use geo_types::MultiPolygon;
use std::collections::HashMap;

/// The most vertices one feature may have unless configured otherwise. Real grid and beat
/// outlines have hundreds to a few thousand; district outlines tens of thousands.
pub const DEFAULT_MAX_VERTICES: usize = 100_000;
/// How far beyond the city's extent new features may reach unless configured otherwise.
pub const DEFAULT_SERVICE_MARGIN_KM: f64 = 50.0;
/// Children may exceed their parent's area by rounding only.
const PARENT_AREA_SLACK: f64 = 1e-6;

/// The most features one import may hold unless configured otherwise.
pub const DEFAULT_MAX_FEATURES: usize = 500_000;

/// The limits a write is checked against.
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    pub max_vertices: usize,
    /// Features one import may hold.
    pub max_features: usize,
    /// `[west, south, east, north]` every feature must lie inside; `None` for no bound.
    pub service_area: Option<[f64; 4]>,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_vertices: DEFAULT_MAX_VERTICES,
            max_features: DEFAULT_MAX_FEATURES,
            service_area: None,
        }
    }
}

/// A rule a feature breaks; [`Unreasonable::rule`] names it for clients.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Unreasonable {
    #[error("{layer}/{id} has {vertices} vertices, more than the limit of {limit}: simplify it or raise max_vertices")]
    TooManyVertices {
        layer: Layer,
        id: String,
        vertices: usize,
        limit: usize,
    },
    #[error("{layer}/{id} reaches {bbox:?}, outside the service area {area:?} (the city's extent plus a margin): check the coordinates, or set service_area")]
    OutsideServiceArea {
        layer: Layer,
        id: String,
        bbox: [f64; 4],
        area: [f64; 4],
    },
    #[error("grid/{id} covers {area_m2:.0} m², more than its parent grid/{parent} ({parent_area_m2:.0} m²): a grid must lie within its parent")]
    LargerThanParent {
        id: String,
        parent: String,
        area_m2: f64,
        parent_area_m2: f64,
    },
}

impl Unreasonable {
    /// The rule's stable name, for error bodies.
    pub fn rule(&self) -> &'static str {
        match self {
            Unreasonable::TooManyVertices { .. } => "max_vertices",
            Unreasonable::OutsideServiceArea { .. } => "service_area",
            Unreasonable::LargerThanParent { .. } => "within_parent",
        }
    }

    /// The id of the feature that breaks the rule.
    pub fn feature_id(&self) -> &str {
        match self {
            Unreasonable::TooManyVertices { id, .. }
            | Unreasonable::OutsideServiceArea { id, .. }
            | Unreasonable::LargerThanParent { id, .. } => id,
        }
    }
}

/// The number of positions of a feature's geometry.
pub fn vertex_count(f: &Feature) -> usize {
    f.area().map_or(1, vertices_of)
}

/// The number of positions of an area, closing ones included.
pub fn vertices_of(mp: &MultiPolygon<f64>) -> usize {
    mp.iter()
        .map(|p| p.exterior().0.len() + p.interiors().iter().map(|r| r.0.len()).sum::<usize>())
        .sum()
}

impl Snapshot {
    /// The city's extent grown by `margin_km` on every side, or `None` for an empty city
    /// (the first import defines the city).
    ///
    /// ```
    /// use onemap_index::{City, Snapshot};
    /// assert_eq!(Snapshot::build(City::default(), 0).extent_with_margin(50.0), None);
    /// ```
    pub fn extent_with_margin(&self, margin_km: f64) -> Option<[f64; 4]> {
        let b = self.bounds();
        if self.features().is_empty() || !b.iter().all(|v| v.is_finite()) || b[0] > b[2] {
            return None;
        }
        let dlat = margin_km / 111.32;
        let mid = ((b[1] + b[3]) / 2.0).to_radians().cos().max(0.01);
        let dlng = dlat / mid;
        Some([
            (b[0] - dlng).max(-180.0),
            (b[1] - dlat).max(-90.0),
            (b[2] + dlng).min(180.0),
            (b[3] + dlat).min(90.0),
        ])
    }

    /// Checks `incoming` (the features of one write) against `limits` and this city: vertex
    /// counts, the service area, and grids no larger than their parents (looked up among
    /// `incoming` first, then in the city).
    pub fn check_within_reason(
        &self,
        incoming: &[Feature],
        limits: &Limits,
    ) -> Result<(), (usize, Unreasonable)> {
        let projection = self.projection();
        let batch: HashMap<&str, &Feature> = incoming
            .iter()
            .filter(|f| f.layer() == Layer::Grid)
            .map(|f| (f.id.as_str(), f))
            .collect();
        for (i, f) in incoming.iter().enumerate() {
            let vertices = vertex_count(f);
            if vertices > limits.max_vertices {
                return Err((
                    i,
                    Unreasonable::TooManyVertices {
                        layer: f.layer(),
                        id: f.id.clone(),
                        vertices,
                        limit: limits.max_vertices,
                    },
                ));
            }
            if let (Some(area), Some(bbox)) = (limits.service_area, f.bbox()) {
                let inside = bbox[0] >= area[0]
                    && bbox[1] >= area[1]
                    && bbox[2] <= area[2]
                    && bbox[3] <= area[3];
                if !inside {
                    return Err((
                        i,
                        Unreasonable::OutsideServiceArea {
                            layer: f.layer(),
                            id: f.id.clone(),
                            bbox,
                            area,
                        },
                    ));
                }
            }
            let parent = f
                .parent()
                .and_then(|p| batch.get(p).copied().or_else(|| self.get(Layer::Grid, p)));
            if let (Some(mp), Some(parent)) = (f.area(), parent) {
                let Some(parent_mp) = parent.area() else {
                    continue;
                };
                let (area_m2, parent_area_m2) = (projection.area(mp), projection.area(parent_mp));
                if area_m2 > parent_area_m2 * (1.0 + PARENT_AREA_SLACK) {
                    return Err((
                        i,
                        Unreasonable::LargerThanParent {
                            id: f.id.clone(),
                            parent: parent.id.clone(),
                            area_m2,
                            parent_area_m2,
                        },
                    ));
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::grid;
    use crate::City;

    fn limits(city: &Snapshot) -> Limits {
        Limits {
            // A square: five positions, the closing one included.
            max_vertices: 5,
            service_area: city.extent_with_margin(DEFAULT_SERVICE_MARGIN_KM),
            ..Limits::default()
        }
    }

    #[test]
    fn each_rule_names_itself_and_the_feature() {
        let city = Snapshot::build(
            City {
                features: vec![grid("parent", None, 121.0, 0.1)],
                people: Vec::new(),
            },
            1,
        );
        let ok = [grid("child", Some("parent"), 121.0, 0.05)];
        assert_eq!(city.check_within_reason(&ok, &limits(&city)), Ok(()));
        let cases = [
            (grid("big", Some("parent"), 121.0, 0.2), "within_parent"),
            (grid("far", None, 125.0, 0.01), "service_area"),
            (grid("earth", None, -179.0, 170.0), "service_area"),
        ];
        for (f, rule) in cases {
            let (i, why) = city
                .check_within_reason(&[ok[0].clone(), f.clone()], &limits(&city))
                .unwrap_err();
            assert_eq!(
                (i, why.rule(), why.feature_id()),
                (1, rule, f.id.as_str()),
                "{why}"
            );
        }
        let tight = Limits {
            max_vertices: 4,
            ..Limits::default()
        };
        let (_, why) = city.check_within_reason(&ok, &tight).unwrap_err();
        assert_eq!(why.rule(), "max_vertices");
    }

    #[test]
    fn a_parent_in_the_same_write_counts() {
        let city = Snapshot::build(City::default(), 0);
        let write = [
            grid("p", None, 121.0, 0.01),
            grid("c", Some("p"), 121.0, 0.02),
        ];
        let (i, why) = city
            .check_within_reason(&write, &limits(&city))
            .unwrap_err();
        assert_eq!((i, why.rule()), (1, "within_parent"));
    }
}
