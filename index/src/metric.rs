//! Metres, not degrees: an equal-area projection for areas and local scales for distances.
//!
//! Areas use the cylindrical equal-area projection of the WGS84 ellipsoid (Snyder, *Map
//! Projections — A Working Manual*, §10), whose areas equal areas on the ellipsoid exactly; its
//! standard parallel is set at the data's latitude so shapes there stay true. Distances of up
//! to tens of kilometres use the ellipsoid's meridian and prime-vertical radii at the point,
//! which is within a few parts per million of the geodesic at those ranges.

use geo_types::{LineString, MultiPolygon};

const A: f64 = 6_378_137.0;
const F: f64 = 1.0 / 298.257_223_563;
const E2: f64 = F * (2.0 - F);

/// Equal-area projection of lng/lat to metres.
///
/// ```
/// use onemap_index::metric::EqualArea;
/// let p = EqualArea::at_latitude(28.6);
/// // One degree square near Taizhou: 97.9 km wide, 110.9 km high.
/// let ring = [(121.0, 28.0), (122.0, 28.0), (122.0, 29.0), (121.0, 29.0), (121.0, 28.0)];
/// let area = p.ring_area(ring.iter().map(|&(x, y)| p.project(x, y)));
/// assert!((area / 1e6 - 10_850.0).abs() < 5.0, "{area}");
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EqualArea {
    k0: f64,
    e: f64,
}

impl EqualArea {
    pub fn at_latitude(lat: f64) -> Self {
        let phi = lat.to_radians();
        let k0 = phi.cos() / (1.0 - E2 * phi.sin().powi(2)).sqrt();
        EqualArea { k0, e: E2.sqrt() }
    }

    /// Projected `[x, y]` in metres.
    #[inline]
    pub fn project(&self, lng: f64, lat: f64) -> [f64; 2] {
        let s = lat.to_radians().sin();
        let es = self.e * s;
        let q = (1.0 - E2)
            * (s / (1.0 - es * es) - (1.0 / (2.0 * self.e)) * ((1.0 - es) / (1.0 + es)).ln());
        [A * self.k0 * lng.to_radians(), A * q / (2.0 * self.k0)]
    }

    /// Signed shoelace area of a ring of projected points (positive when counter-clockwise).
    pub fn ring_area(&self, ring: impl IntoIterator<Item = [f64; 2]>) -> f64 {
        let mut points = ring.into_iter();
        let Some(first) = points.next() else {
            return 0.0;
        };
        // Relative to the first point: projected metres are in the millions, their products
        // would lose the digits a small ring's area lives in.
        let mut sum = 0.0;
        let mut previous = [0.0, 0.0];
        for p in points {
            let p = [p[0] - first[0], p[1] - first[1]];
            sum += previous[0] * p[1] - p[0] * previous[1];
            previous = p;
        }
        sum / 2.0
    }

    /// The area of a multipolygon in m² (holes subtracted, orientation ignored).
    pub fn area(&self, mp: &MultiPolygon<f64>) -> f64 {
        let ring = |r: &LineString<f64>| {
            self.ring_area(r.0.iter().map(|c| self.project(c.x, c.y)))
                .abs()
        };
        mp.iter()
            .map(|p| ring(p.exterior()) - p.interiors().iter().map(ring).sum::<f64>())
            .sum()
    }
}

/// A local frame in metres centred on a point, for distances near it.
///
/// ```
/// use onemap_index::metric::LocalFrame;
/// let f = LocalFrame::at(121.4, 28.6);
/// let d = f.distance([121.4, 28.6], [121.4, 28.61]);
/// assert!((d - 1108.6).abs() < 1.0, "{d}");
/// ```
#[derive(Clone, Copy, Debug)]
pub struct LocalFrame {
    origin: [f64; 2],
    metres_per_degree: [f64; 2],
}

impl LocalFrame {
    pub fn at(lng: f64, lat: f64) -> Self {
        let phi = lat.to_radians();
        let w = (1.0 - E2 * phi.sin().powi(2)).sqrt();
        let meridian = A * (1.0 - E2) / (w * w * w);
        let normal = A / w;
        LocalFrame {
            origin: [lng, lat],
            metres_per_degree: [
                normal * phi.cos() * std::f64::consts::PI / 180.0,
                meridian * std::f64::consts::PI / 180.0,
            ],
        }
    }

    #[inline]
    pub fn to_local(&self, p: [f64; 2]) -> [f64; 2] {
        [
            (p[0] - self.origin[0]) * self.metres_per_degree[0],
            (p[1] - self.origin[1]) * self.metres_per_degree[1],
        ]
    }

    /// Distance in metres between two points near the frame's origin.
    pub fn distance(&self, a: [f64; 2], b: [f64; 2]) -> f64 {
        let (a, b) = (self.to_local(a), self.to_local(b));
        (a[0] - b[0]).hypot(a[1] - b[1])
    }

    /// Distance in metres from the origin to the nearest point of any ring of `mp`.
    pub fn distance_to_boundary(&self, mp: &MultiPolygon<f64>) -> f64 {
        let mut best = f64::INFINITY;
        for poly in mp {
            for ring in std::iter::once(poly.exterior()).chain(poly.interiors()) {
                for l in ring.lines() {
                    let a = self.to_local([l.start.x, l.start.y]);
                    let b = self.to_local([l.end.x, l.end.y]);
                    best = best.min(distance_to_segment(a, b));
                }
            }
        }
        best
    }

    /// Degrees of longitude and latitude that `metres` spans here, for search boxes.
    pub fn degrees(&self, metres: f64) -> [f64; 2] {
        [
            metres / self.metres_per_degree[0],
            metres / self.metres_per_degree[1],
        ]
    }
}

/// Distance from the origin to segment `ab`.
fn distance_to_segment(a: [f64; 2], b: [f64; 2]) -> f64 {
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 == 0.0 {
        0.0
    } else {
        (-(a[0] * d[0] + a[1] * d[1]) / len2).clamp(0.0, 1.0)
    };
    (a[0] + t * d[0]).hypot(a[1] + t * d[1])
}
