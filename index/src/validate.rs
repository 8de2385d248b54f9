//! Checks a feature or a person before it may enter a city, and puts ring orientation right.
//!
//! Bad data found at import is cheap to fix; bad data found by a dispatcher at 3 a.m. is not.
//! So every rule names exactly what is wrong and where: polygons, rings and vertices count from
//! 0 in input order, ring 0 being the exterior. Geometry predicates are exact
//! (`robust::orient2d`), so a verdict never depends on rounding.

mod geometry;
mod repair;

pub use repair::{close_ring, Fix, FixKind, Repair, Repaired};

use crate::model::{level, Attributes, Feature, Layer, Person, Shape};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::fmt;

/// The longest id accepted, in characters: ids travel in URLs and log lines.
pub const MAX_ID_CHARS: usize = 128;
/// The longest name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// A longitude/latitude pair, shown in error messages as `(lng, lat)`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LngLat {
    pub lng: f64,
    pub lat: f64,
}

impl From<Coord<f64>> for LngLat {
    fn from(c: Coord<f64>) -> Self {
        LngLat { lng: c.x, lat: c.y }
    }
}

impl fmt::Display for LngLat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({}, {})", self.lng, self.lat)
    }
}

/// One ring of one polygon of an area; ring 0 is the exterior, the others are holes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RingRef {
    pub polygon: usize,
    pub ring: usize,
}

impl fmt::Display for RingRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let role = if self.ring == 0 { "exterior" } else { "hole" };
        write!(f, "polygon {}, ring {} ({role})", self.polygon, self.ring)
    }
}

/// Where a position sits in a feature.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    Vertex {
        ring: RingRef,
        vertex: usize,
    },
    /// The point of a point feature.
    Point,
    /// A station's `location` property.
    Location,
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Vertex { ring, vertex } => write!(f, "{ring}, vertex {vertex}"),
            Place::Point => f.write_str("the point"),
            Place::Location => f.write_str("the station location"),
        }
    }
}

/// What is wrong with a feature or person, and where.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Invalid {
    #[error("{at}: {pos} is not a finite coordinate; every position needs a real longitude and latitude")]
    NotFinite { at: Place, pos: LngLat },
    #[error("{at}: {pos} lies outside longitude -180..180 / latitude -90..90; send WGS84 degrees in [lng, lat] order, not projected metres or [lat, lng]")]
    OutOfRange { at: Place, pos: LngLat },
    #[error("{ring}: a ring needs at least 4 positions (3 corners and the first repeated at the end), this one has {count}")]
    TooFewPositions { ring: RingRef, count: usize },
    #[error("{ring}: the ring is not closed: it starts at {first} but ends at {last}; repeat the first position at the end")]
    NotClosed {
        ring: RingRef,
        first: LngLat,
        last: LngLat,
    },
    #[error("{ring}: all its vertices lie on one line, so it encloses no area; remove the ring or fix its vertices")]
    ZeroArea { ring: RingRef },
    #[error("{ring}: the ring doubles back on itself at vertex {vertex} {at} (a spike); delete that vertex")]
    Spike {
        ring: RingRef,
        vertex: usize,
        at: LngLat,
    },
    #[error("{ring}: the edges from vertex {first} and from vertex {second} touch or cross near {near}; redraw the ring so it does not meet itself (split a figure-eight into two polygons)")]
    SelfIntersection {
        ring: RingRef,
        first: usize,
        second: usize,
        near: LngLat,
    },
    #[error("polygon {polygon}: ring {first} and ring {second} touch or cross near {near}; a hole must lie strictly inside its exterior and apart from the other holes")]
    RingsTouch {
        polygon: usize,
        first: usize,
        second: usize,
        near: LngLat,
    },
    #[error("{ring}: the hole lies outside its exterior ring; make it a polygon of its own or remove it")]
    HoleOutside { ring: RingRef },
    #[error("{ring}: the hole lies inside hole {within}; remove one of them")]
    NestedHole { ring: RingRef, within: usize },
    #[error("the area has no polygons; give it at least one")]
    EmptyArea,
    #[error("a {layer} must be {expected}")]
    WrongShape {
        layer: Layer,
        expected: &'static str,
    },
    #[error("level {level} is too deep: grid levels run from 0 (county) to 4 (micro-grid)")]
    Level { level: u8 },
    #[error("heading {heading} is not a compass bearing: use degrees from 0 to 360")]
    Heading { heading: f64 },
    #[error("range_m {range_m} must be a positive number of metres")]
    Range { range_m: f64 },
    #[error("`{field}` is empty: every feature and person needs an id")]
    EmptyId { field: String },
    #[error(
        "`{field}` has a control character at character {position}: ids must be printable text"
    )]
    IdControl { field: String, position: usize },
    #[error("`{field}` is {chars} characters long; ids may have at most 128")]
    IdTooLong { field: String, chars: usize },
    #[error("the name is {chars} characters long; names may have at most 200")]
    NameTooLong { chars: usize },
}

impl Invalid {
    /// Whether [`Repair`] fixes this fault: the shape of an area, not its positions.
    pub fn is_repairable(&self) -> bool {
        matches!(
            self,
            Invalid::NotClosed { .. }
                | Invalid::ZeroArea { .. }
                | Invalid::Spike { .. }
                | Invalid::SelfIntersection { .. }
                | Invalid::RingsTouch { .. }
                | Invalid::HoleOutside { .. }
                | Invalid::NestedHole { .. }
        )
    }

    /// The machine-readable error code: `invalid_geometry` for the shape, `invalid_property`
    /// for everything else (ids, names, attributes and the station location).
    pub fn code(&self) -> &'static str {
        match self {
            Invalid::NotFinite { at, .. } | Invalid::OutOfRange { at, .. } => {
                if *at == Place::Location {
                    "invalid_property"
                } else {
                    "invalid_geometry"
                }
            }
            Invalid::TooFewPositions { .. }
            | Invalid::NotClosed { .. }
            | Invalid::ZeroArea { .. }
            | Invalid::Spike { .. }
            | Invalid::SelfIntersection { .. }
            | Invalid::RingsTouch { .. }
            | Invalid::HoleOutside { .. }
            | Invalid::NestedHole { .. }
            | Invalid::EmptyArea
            | Invalid::WrongShape { .. } => "invalid_geometry",
            Invalid::Level { .. }
            | Invalid::Heading { .. }
            | Invalid::Range { .. }
            | Invalid::EmptyId { .. }
            | Invalid::IdControl { .. }
            | Invalid::IdTooLong { .. }
            | Invalid::NameTooLong { .. } => "invalid_property",
        }
    }
}

/// Checks everything about one feature that can be checked without the rest of the city.
///
/// Ring orientation is not checked: [`normalise`] fixes it.
pub fn validate_feature(f: &Feature) -> Result<(), Invalid> {
    check_id(&f.id, || "id".into())?;
    check_name(&f.name)?;
    for (i, person) in f.people.iter().enumerate() {
        check_id(person, || format!("people[{i}]"))?;
    }
    check_shape(f.layer(), &f.shape)?;
    check_attributes(&f.attributes)
}

/// Checks a person's id and name.
pub fn validate_person(p: &Person) -> Result<(), Invalid> {
    check_id(&p.id, || "id".into())?;
    check_name(&p.name)
}

/// The checks on a ring that must run on raw input, before it becomes a `geo_types` ring:
/// finite in-range positions, at least 4 of them, first equal to last.
///
/// `geo_types::Polygon::new` silently closes open rings, which would hide a truncated ring,
/// so parsers call this on the positions they read. [`validate_feature`] runs it too.
pub fn check_ring_positions(ring: RingRef, coords: &[Coord<f64>]) -> Result<(), Invalid> {
    check_ring_coordinates(ring, coords)?;
    match (coords.first(), coords.last()) {
        _ if coords.len() < 4 => Err(Invalid::TooFewPositions {
            ring,
            count: coords.len(),
        }),
        (Some(&first), Some(&last)) if first != last => Err(Invalid::NotClosed {
            ring,
            first: first.into(),
            last: last.into(),
        }),
        _ => Ok(()),
    }
}

/// Checks that every position of a ring is a finite longitude/latitude: what [`Repair`]
/// cannot fix, so parsers that repair check only this on raw input.
pub fn check_ring_coordinates(ring: RingRef, coords: &[Coord<f64>]) -> Result<(), Invalid> {
    coords
        .iter()
        .enumerate()
        .try_for_each(|(vertex, &c)| check_position(Place::Vertex { ring, vertex }, c))
}

/// Orients rings the RFC 7946 way: exteriors counter-clockwise, holes clockwise.
///
/// Input from shapefiles and older tools often has them the other way round; that is not an
/// error, so it is fixed here rather than rejected. Meant for features that passed
/// [`validate_feature`].
pub fn normalise(f: &mut Feature) {
    if let Shape::Area(area) = &mut f.shape {
        area.0.iter_mut().for_each(orient_polygon);
    }
}

fn orient_polygon(polygon: &mut Polygon<f64>) {
    polygon.exterior_mut(|ring| orient_ring(ring, true));
    polygon.interiors_mut(|holes| holes.iter_mut().for_each(|h| orient_ring(h, false)));
}

fn orient_ring(ring: &mut LineString<f64>, counter_clockwise: bool) {
    if geometry::is_counter_clockwise(&ring.0) != counter_clockwise {
        ring.0.reverse();
    }
}

/// Checks an id; `field` names it in the error (built only on error: this runs for every id).
fn check_id(id: &str, field: impl FnOnce() -> String) -> Result<(), Invalid> {
    if id.is_empty() {
        return Err(Invalid::EmptyId { field: field() });
    }
    if let Some(position) = id.chars().position(char::is_control) {
        return Err(Invalid::IdControl {
            field: field(),
            position,
        });
    }
    match id.chars().count() {
        chars if chars > MAX_ID_CHARS => Err(Invalid::IdTooLong {
            field: field(),
            chars,
        }),
        _ => Ok(()),
    }
}

fn check_name(name: &str) -> Result<(), Invalid> {
    match name.chars().count() {
        chars if chars > MAX_NAME_CHARS => Err(Invalid::NameTooLong { chars }),
        _ => Ok(()),
    }
}

fn check_position(at: Place, c: Coord<f64>) -> Result<(), Invalid> {
    let pos = c.into();
    if !(c.x.is_finite() && c.y.is_finite()) {
        Err(Invalid::NotFinite { at, pos })
    } else if !((-180.0..=180.0).contains(&c.x) && (-90.0..=90.0).contains(&c.y)) {
        Err(Invalid::OutOfRange { at, pos })
    } else {
        Ok(())
    }
}

fn check_shape(layer: Layer, shape: &Shape) -> Result<(), Invalid> {
    match shape {
        Shape::Area(area) if layer.is_areal() => check_area(area),
        Shape::Point(p) if !layer.is_areal() => check_position(Place::Point, p.0),
        _ => Err(Invalid::WrongShape {
            layer,
            expected: if layer.is_areal() {
                "an area (Polygon or MultiPolygon)"
            } else {
                "a Point"
            },
        }),
    }
}

fn check_area(area: &MultiPolygon<f64>) -> Result<(), Invalid> {
    if area.0.is_empty() {
        return Err(Invalid::EmptyArea);
    }
    area.0
        .iter()
        .enumerate()
        .try_for_each(|(i, polygon)| check_polygon(i, polygon))
}

fn check_polygon(index: usize, polygon: &Polygon<f64>) -> Result<(), Invalid> {
    let rings: Vec<&[Coord<f64>]> = std::iter::once(polygon.exterior())
        .chain(polygon.interiors())
        .map(|ring| ring.0.as_slice())
        .collect();
    for (ring, coords) in rings.iter().enumerate() {
        check_ring_positions(
            RingRef {
                polygon: index,
                ring,
            },
            coords,
        )?;
    }
    geometry::check_polygon(index, &rings)
}

fn check_attributes(attributes: &Attributes) -> Result<(), Invalid> {
    match attributes {
        Attributes::Grid { level, parent, .. } => {
            if *level > level::DEEPEST {
                return Err(Invalid::Level { level: *level });
            }
            parent
                .as_deref()
                .map_or(Ok(()), |p| check_id(p, || "parent".into()))
        }
        Attributes::Beat { station } => station
            .as_deref()
            .map_or(Ok(()), |s| check_id(s, || "station".into())),
        Attributes::Station { location } => {
            location.map_or(Ok(()), |p: Point<f64>| check_position(Place::Location, p.0))
        }
        Attributes::Camera {
            heading, range_m, ..
        } => {
            if let Some(heading) = heading.filter(|h| !(0.0..=360.0).contains(h)) {
                return Err(Invalid::Heading { heading });
            }
            match range_m {
                Some(range_m) if !(range_m.is_finite() && *range_m > 0.0) => {
                    Err(Invalid::Range { range_m: *range_m })
                }
                _ => Ok(()),
            }
        }
    }
}

#[cfg(test)]
mod tests;
