//! What callers hand to the [`Tiler`](crate::Tiler): named layers of features in longitude/latitude.

use geo_types::{MultiPolygon, Point, Polygon};
use onemap_index::Shape;

/// A property value, as MVT can carry it.
#[derive(Clone, Debug, PartialEq)]
pub enum PropValue {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

impl From<&str> for PropValue {
    fn from(v: &str) -> Self {
        PropValue::Str(v.to_string())
    }
}

impl From<String> for PropValue {
    fn from(v: String) -> Self {
        PropValue::Str(v)
    }
}

impl From<i64> for PropValue {
    fn from(v: i64) -> Self {
        PropValue::Int(v)
    }
}

impl From<f64> for PropValue {
    fn from(v: f64) -> Self {
        PropValue::Float(v)
    }
}

impl From<bool> for PropValue {
    fn from(v: bool) -> Self {
        PropValue::Bool(v)
    }
}

/// A feature's shape in WGS84/CGCS2000 longitude/latitude (RFC 7946 order).
///
/// Ring orientation does not matter: the encoder orients rings as MVT wants. Non-finite
/// coordinates are ignored.
#[derive(Clone, Debug, PartialEq)]
pub enum TileGeometry {
    MultiPolygon(MultiPolygon<f64>),
    Point(Point<f64>),
}

impl From<MultiPolygon<f64>> for TileGeometry {
    fn from(v: MultiPolygon<f64>) -> Self {
        TileGeometry::MultiPolygon(v)
    }
}

impl From<Polygon<f64>> for TileGeometry {
    fn from(v: Polygon<f64>) -> Self {
        TileGeometry::MultiPolygon(MultiPolygon(vec![v]))
    }
}

impl From<Point<f64>> for TileGeometry {
    fn from(v: Point<f64>) -> Self {
        TileGeometry::Point(v)
    }
}

/// The model's shapes map one to one, so the server can pass features through unchanged.
impl From<Shape> for TileGeometry {
    fn from(v: Shape) -> Self {
        match v {
            Shape::Area(area) => TileGeometry::MultiPolygon(area),
            Shape::Point(point) => TileGeometry::Point(point),
        }
    }
}

/// One feature to be tiled.
#[derive(Clone, Debug, PartialEq)]
pub struct TileFeature {
    /// The MVT feature id, so the map can highlight and look up a feature across tiles.
    pub id: u64,
    pub geometry: TileGeometry,
    /// Properties in order; when a key repeats, the first value wins.
    pub properties: Vec<(String, PropValue)>,
    /// The feature appears only in tiles of this zoom or deeper, which keeps low-zoom tiles
    /// small (e.g. townships from z0, grids from z12).
    pub min_zoom: u8,
}

/// A named layer of features; the name becomes the MVT layer name.
#[derive(Clone, Debug, PartialEq)]
pub struct TileLayer {
    pub name: String,
    pub features: Vec<TileFeature>,
}
