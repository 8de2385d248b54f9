//! Makes an invalid area valid the way PostGIS's `ST_MakeValid` does, and says what it changed.
//!
//! Boundaries drawn in other systems arrive with repeated vertices, spikes, figure-eights and
//! holes in the wrong place. Refusing them is right by default (a planner should know), but a
//! planner importing a county's outlines wants them fixed and a list of what was fixed, so
//! that a change of area is never silent.
//!
//! What is kept is the input's *even-odd* interior: a point is inside when a ray from it
//! crosses the input's rings an odd number of times. That is what `ST_MakeValid` keeps: a
//! bow-tie becomes two triangles, a hole outside its exterior becomes a polygon of its own, and
//! where two parts overlap the overlap cancels out. Every part with area is kept; a ring or a
//! part with no area is dropped and reported.

mod rebuild;

use super::geometry::{check_polygon, doubles_back, is_counter_clockwise, orient};
use super::Invalid;
use crate::metric::EqualArea;
use geo::coordinate_position::CoordPos;
use geo::dimensions::Dimensions;
use geo::{BooleanOps, BoundingRect, Relate};
use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use serde::Serialize;
use std::fmt;

/// What a [`Fix`] changed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FixKind {
    /// A ring that did not end where it started was closed.
    Unclosed,
    /// A vertex equal to the one before it was dropped.
    RepeatedVertex,
    /// A vertex where the ring turned straight back on itself was dropped.
    Spike,
    /// A ring running the wrong way round was reversed.
    Orientation,
    /// A ring that crossed or touched itself was rebuilt into simple rings.
    SelfIntersection,
    /// A hole that touched, crossed or lay outside its exterior or another hole was rebuilt.
    MisplacedHole,
    /// Parts that overlapped or shared an edge were rebuilt; an overlap cancels out.
    OverlappingParts,
    /// A ring or a part that enclosed no area was dropped.
    NoArea,
}

impl fmt::Display for FixKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FixKind::Unclosed => "closed an unclosed ring",
            FixKind::RepeatedVertex => "dropped a repeated vertex",
            FixKind::Spike => "removed a spike",
            FixKind::Orientation => "reversed a ring running the wrong way round",
            FixKind::SelfIntersection => "split a self-intersecting ring",
            FixKind::MisplacedHole => "rebuilt a misplaced hole",
            FixKind::OverlappingParts => "rebuilt overlapping parts",
            FixKind::NoArea => "dropped a ring with no area",
        })
    }
}

/// One change a repair made: what, where (`[lng, lat]`) and by how many m² it changed the area.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Fix {
    pub kind: FixKind,
    pub at: [f64; 2],
    /// The repaired area minus the area as drawn (exteriors minus holes), in m² on the
    /// ellipsoid; 0 for fixes that move no boundary.
    pub area_change_m2: f64,
}

impl Fix {
    fn new(kind: FixKind, at: Coord<f64>) -> Fix {
        Fix {
            kind,
            at: [at.x, at.y],
            area_change_m2: 0.0,
        }
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [lng, lat] = self.at;
        write!(
            f,
            "{} at ({lng}, {lat}), area {:+.1} m²",
            self.kind, self.area_change_m2
        )
    }
}

/// A repaired area and the fixes that made it valid; no fixes means it was valid already.
#[derive(Clone, Debug, PartialEq)]
pub struct Repaired {
    pub area: MultiPolygon<f64>,
    pub fixes: Vec<Fix>,
}

/// Makes an area valid (OGC simple features, as `ST_IsValid` judges) the way `ST_MakeValid`
/// does, keeping the input's even-odd interior and every vertex that was not at fault.
///
/// ```
/// use geo_types::{polygon, MultiPolygon};
/// use onemap_index::validate::{FixKind, Repair};
/// // A bow-tie: the ring crosses itself at (121.005, 28.005).
/// let bow_tie = polygon![(x: 121.0, y: 28.0), (x: 121.01, y: 28.01), (x: 121.01, y: 28.0), (x: 121.0, y: 28.01)];
/// let repaired = MultiPolygon(vec![bow_tie]).repair();
/// assert_eq!(repaired.area.0.len(), 2, "two triangles, as ST_MakeValid makes");
/// assert_eq!(repaired.fixes[0].kind, FixKind::SelfIntersection);
/// assert!(repaired.fixes[0].area_change_m2 > 0.0, "the ring as drawn encloses no net area");
/// ```
pub trait Repair {
    fn repair(&self) -> Repaired;
}

impl Repair for MultiPolygon<f64> {
    fn repair(&self) -> Repaired {
        let mid_latitude = self
            .bounding_rect()
            .map_or(0.0, |b| (b.min().y + b.max().y) / 2.0);
        // Equal-area: the m² do not depend on the standard parallel, only the shapes do.
        let projection = EqualArea::at_latitude(mid_latitude);
        let mut fixes = Vec::new();
        let parts = self
            .iter()
            .flat_map(|p| repair_polygon(p, &projection, &mut fixes))
            .collect();
        let area = separate_parts(MultiPolygon(parts), &projection, &mut fixes);
        Repaired { area, fixes }
    }
}

/// Closes a ring whose last position differs from its first, as read from input (before
/// `geo_types` would close it without a word).
pub fn close_ring(ring: &mut Vec<Coord<f64>>) -> Option<Fix> {
    let (&first, &last) = (ring.first()?, ring.last()?);
    (first != last).then(|| {
        ring.push(first);
        Fix::new(FixKind::Unclosed, last)
    })
}

/// One polygon made valid: zero, one or several polygons.
fn repair_polygon(
    polygon: &Polygon<f64>,
    projection: &EqualArea,
    fixes: &mut Vec<Fix>,
) -> Vec<Polygon<f64>> {
    let mut rings = std::iter::once(polygon.exterior()).chain(polygon.interiors());
    let exterior = rings.next().and_then(|r| clean_ring(r, fixes));
    let holes: Vec<LineString<f64>> = rings.filter_map(|r| clean_ring(r, fixes)).collect();
    let Some(exterior) = exterior else {
        // Without its exterior, what the holes enclose is the even-odd interior left.
        let parts = rebuild::even_odd(holes.iter().map(|r| r.0.as_slice()));
        if let Some(hole) = holes.first() {
            let holes_area: f64 = holes
                .iter()
                .map(|h| projection.area(&MultiPolygon(vec![Polygon::new(h.clone(), vec![])])))
                .sum();
            fixes.push(Fix {
                // Drawn, the holes counted against an exterior that enclosed nothing.
                area_change_m2: projection.area(&MultiPolygon(parts.clone())) + holes_area,
                ..Fix::new(FixKind::MisplacedHole, hole.0[0])
            });
        }
        return parts;
    };
    let cleaned = Polygon::new(exterior, holes);
    let slices: Vec<&[Coord<f64>]> = std::iter::once(cleaned.exterior())
        .chain(cleaned.interiors())
        .map(|r| r.0.as_slice())
        .collect();
    match check_polygon(0, &slices) {
        Ok(()) => vec![oriented(cleaned, fixes)],
        Err(fault) => {
            let (kind, at) = where_at_fault(&fault, &slices);
            let drawn = projection.area(&MultiPolygon(vec![cleaned.clone()]));
            let parts = rebuild::even_odd(slices.iter().copied());
            let after = projection.area(&MultiPolygon(parts.clone()));
            fixes.push(Fix {
                area_change_m2: after - drawn,
                ..Fix::new(kind, at)
            });
            parts
        }
    }
}

/// A ring without repeated vertices and spikes, or `None` (with a [`FixKind::NoArea`] fix)
/// when nothing with area is left of it.
fn clean_ring(ring: &LineString<f64>, fixes: &mut Vec<Fix>) -> Option<LineString<f64>> {
    let open = ring.0.split_last().map_or(&[][..], |(_, open)| open);
    let mut v: Vec<Coord<f64>> = Vec::with_capacity(open.len() + 1);
    for &c in open {
        if v.last() == Some(&c) {
            fixes.push(Fix::new(FixKind::RepeatedVertex, c));
        } else {
            v.push(c);
        }
    }
    while v.len() > 1 && v.first() == v.last() {
        let repeated = v.pop().expect("the loop runs only while v has 2+ vertices");
        fixes.push(Fix::new(FixKind::RepeatedVertex, repeated));
    }
    for tip in remove_spikes(&mut v) {
        fixes.push(Fix::new(FixKind::Spike, tip));
    }
    if !encloses_area(&v) {
        fixes.push(Fix::new(
            FixKind::NoArea,
            open.first().copied().unwrap_or_default(),
        ));
        return None;
    }
    v.push(v[0]);
    Some(LineString(v))
}

/// Removes every vertex of the open ring `v` where it turns straight back on itself, until
/// none is left, and returns them.
fn remove_spikes(v: &mut Vec<Coord<f64>>) -> Vec<Coord<f64>> {
    let mut tips = Vec::new();
    while let Some(i) = spike(v) {
        tips.push(v.remove(i));
        // The spike's two sides may have started and ended at the same vertex.
        v.dedup();
        while v.len() > 1 && v.first() == v.last() {
            v.pop();
        }
    }
    tips
}

/// The index of a vertex of the open ring `v` where it turns straight back on itself.
fn spike(v: &[Coord<f64>]) -> Option<usize> {
    let n = v.len();
    if n < 3 {
        return None;
    }
    (0..n).find(|&i| doubles_back(v[(i + n - 1) % n], v[i], v[(i + 1) % n]))
}

/// Whether the open ring `v` has three vertices not on one line.
fn encloses_area(v: &[Coord<f64>]) -> bool {
    match v {
        [a, b, rest @ ..] => rest.iter().any(|&c| orient(*a, *b, c) != 0.0),
        _ => false,
    }
}

/// A valid polygon with its exterior counter-clockwise and its holes clockwise.
fn oriented(mut polygon: Polygon<f64>, fixes: &mut Vec<Fix>) -> Polygon<f64> {
    let mut orient_ring = |ring: &mut LineString<f64>, counter_clockwise: bool| {
        if is_counter_clockwise(&ring.0) != counter_clockwise {
            ring.0.reverse();
            fixes.push(Fix::new(FixKind::Orientation, ring.0[0]));
        }
    };
    polygon.exterior_mut(|ring| orient_ring(ring, true));
    polygon.interiors_mut(|holes| holes.iter_mut().for_each(|h| orient_ring(h, false)));
    polygon
}

/// The kind of fix a validation fault calls for, and where it is.
fn where_at_fault(fault: &Invalid, rings: &[&[Coord<f64>]]) -> (FixKind, Coord<f64>) {
    let hole_start = |ring: usize| rings[ring][0];
    match fault {
        Invalid::SelfIntersection { near, .. } => (
            FixKind::SelfIntersection,
            Coord {
                x: near.lng,
                y: near.lat,
            },
        ),
        Invalid::RingsTouch { near, .. } => (
            FixKind::MisplacedHole,
            Coord {
                x: near.lng,
                y: near.lat,
            },
        ),
        Invalid::HoleOutside { ring } | Invalid::NestedHole { ring, .. } => {
            (FixKind::MisplacedHole, hole_start(ring.ring))
        }
        // Zero-area rings and spikes were cleaned away before the check; nothing else fails.
        _ => (FixKind::SelfIntersection, rings[0][0]),
    }
}

/// The parts made apart: when two overlap or share an edge, all are rebuilt as their even-odd
/// interior together, as `ST_MakeValid` does with a multipolygon.
fn separate_parts(
    area: MultiPolygon<f64>,
    projection: &EqualArea,
    fixes: &mut Vec<Fix>,
) -> MultiPolygon<f64> {
    let Some(at) = first_conflict(&area.0) else {
        return area;
    };
    let rings = area
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()));
    let rebuilt = MultiPolygon(rebuild::even_odd(rings.map(|r| r.0.as_slice())));
    fixes.push(Fix {
        area_change_m2: projection.area(&rebuilt) - projection.area(&area),
        ..Fix::new(FixKind::OverlappingParts, at)
    });
    rebuilt
}

/// A point where two parts overlap or share an edge, if any do; parts may meet at points.
fn first_conflict(parts: &[Polygon<f64>]) -> Option<Coord<f64>> {
    let boxes: Vec<_> = parts.iter().map(BoundingRect::bounding_rect).collect();
    for (i, a) in parts.iter().enumerate() {
        for (j, b) in parts.iter().enumerate().skip(i + 1) {
            let (Some(p), Some(q)) = (boxes[i], boxes[j]) else {
                continue;
            };
            let apart = p.max().x < q.min().x
                || q.max().x < p.min().x
                || p.max().y < q.min().y
                || q.max().y < p.min().y;
            if apart {
                continue;
            }
            let m = a.relate(b);
            let interiors = m.get(CoordPos::Inside, CoordPos::Inside) != Dimensions::Empty;
            let edges =
                m.get(CoordPos::OnBoundary, CoordPos::OnBoundary) == Dimensions::OneDimensional;
            if interiors || edges {
                let overlap = a.intersection(b);
                let at = overlap
                    .iter()
                    .next()
                    .map_or(b.exterior().0[0], |p| p.exterior().0[0]);
                return Some(at);
            }
        }
    }
    None
}
