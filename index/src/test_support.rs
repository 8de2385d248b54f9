//! Small features for the engine's unit tests.

use crate::model::{Attributes, GridKind, Shape};
use crate::Feature;
use geo_types::{polygon, MultiPolygon};

/// A level-3 grid: a square of `size` degrees at `(x0, 28)`.
pub(crate) fn grid(id: &str, parent: Option<&str>, x0: f64, size: f64) -> Feature {
    let square = polygon![(x: x0, y: 28.0), (x: x0 + size, y: 28.0), (x: x0 + size, y: 28.0 + size), (x: x0, y: 28.0 + size), (x: x0, y: 28.0)];
    Feature {
        id: id.into(),
        name: id.into(),
        version: 0,
        people: Vec::new(),
        shape: Shape::Area(MultiPolygon::new(vec![square])),
        attributes: Attributes::Grid {
            level: 3,
            parent: parent.map(Into::into),
            kind: GridKind::default(),
            category: None,
            setting: None,
            population: None,
            households: None,
        },
    }
}
