//! The coordinate systems phones and consumer maps in China report, converted to WGS84.
//!
//! GCJ-02 is WGS84 shifted by a published non-linear offset of a few hundred metres; BD-09 is
//! GCJ-02 shifted once more. The forward offsets are closed formulas; the way back is found by
//! fixed-point iteration, which converges to well under a millimetre in a few steps.

use serde::{Deserialize, Serialize};
use std::f64::consts::PI;
use std::str::FromStr;

/// A coordinate system a point may be given in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Crs {
    /// WGS84 / CGCS2000 (EPSG:4326 / 4490): what onemap stores.
    #[default]
    Wgs84,
    /// GCJ-02, used by most Chinese consumer maps (高德, 腾讯).
    Gcj02,
    /// BD-09, used by Baidu maps.
    Bd09,
}

impl FromStr for Crs {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "wgs84" | "cgcs2000" | "epsg:4326" | "epsg:4490" => Ok(Crs::Wgs84),
            "gcj02" | "gcj-02" => Ok(Crs::Gcj02),
            "bd09" | "bd-09" => Ok(Crs::Bd09),
            _ => Err(format!("unknown crs `{s}`: use wgs84, gcj02 or bd09")),
        }
    }
}

impl Crs {
    /// Converts `(lng, lat)` in this system to WGS84.
    ///
    /// ```
    /// use onemap_index::crs::{Crs, wgs84_to_gcj02};
    /// let wgs = (121.42, 28.66);
    /// let gcj = wgs84_to_gcj02(wgs.0, wgs.1);
    /// assert!((gcj.0 - wgs.0).abs() > 1e-3); // hundreds of metres apart
    /// let back = Crs::Gcj02.to_wgs84(gcj.0, gcj.1);
    /// assert!((back.0 - wgs.0).abs() < 1e-9 && (back.1 - wgs.1).abs() < 1e-9);
    /// ```
    pub fn to_wgs84(self, lng: f64, lat: f64) -> (f64, f64) {
        match self {
            Crs::Wgs84 => (lng, lat),
            Crs::Gcj02 => invert(lng, lat, wgs84_to_gcj02),
            Crs::Bd09 => {
                let (g_lng, g_lat) = bd09_to_gcj02(lng, lat);
                invert(g_lng, g_lat, wgs84_to_gcj02)
            }
        }
    }
}

const KRASOVSKY_A: f64 = 6_378_245.0;
const KRASOVSKY_E2: f64 = 0.006_693_421_622_965_943;

/// Whether the GCJ-02 offset applies (it is defined for mainland China only).
fn in_china(lng: f64, lat: f64) -> bool {
    (72.004..=137.8347).contains(&lng) && (0.8293..=55.8271).contains(&lat)
}

/// WGS84 to GCJ-02.
pub fn wgs84_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    if !in_china(lng, lat) {
        return (lng, lat);
    }
    let (x, y) = (lng - 105.0, lat - 35.0);
    // Each term is a pair of sine waves weighted by 2/3, as the published offset is written.
    let waves = |a: f64, fa: f64, b: f64, fb: f64, t: f64| {
        (a * (fa * t * PI).sin() + b * (fb * t * PI).sin()) * 2.0 / 3.0
    };
    let common = waves(20.0, 6.0, 20.0, 2.0, x);
    let d_lat = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + common
        + waves(20.0, 1.0, 40.0, 1.0 / 3.0, y)
        + waves(160.0, 1.0 / 12.0, 320.0, 1.0 / 30.0, y);
    let d_lng = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + common
        + waves(20.0, 1.0, 40.0, 1.0 / 3.0, x)
        + waves(150.0, 1.0 / 12.0, 300.0, 1.0 / 30.0, x);
    let rad = lat.to_radians();
    let magic = 1.0 - KRASOVSKY_E2 * rad.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let d_lat =
        (d_lat * 180.0) / ((KRASOVSKY_A * (1.0 - KRASOVSKY_E2)) / (magic * sqrt_magic) * PI);
    let d_lng = (d_lng * 180.0) / (KRASOVSKY_A / sqrt_magic * rad.cos() * PI);
    (lng + d_lng, lat + d_lat)
}

/// BD-09 to GCJ-02.
pub fn bd09_to_gcj02(lng: f64, lat: f64) -> (f64, f64) {
    let x_pi = PI * 3000.0 / 180.0;
    let (x, y) = (lng - 0.0065, lat - 0.006);
    let z = (x * x + y * y).sqrt() - 0.000_02 * (y * x_pi).sin();
    let theta = y.atan2(x) - 0.000_003 * (x * x_pi).cos();
    (z * theta.cos(), z * theta.sin())
}

/// Solves `forward(p) = target` for `p` by fixed-point iteration.
fn invert(lng: f64, lat: f64, forward: fn(f64, f64) -> (f64, f64)) -> (f64, f64) {
    let mut p = (lng, lat);
    for _ in 0..30 {
        let f = forward(p.0, p.1);
        let (dx, dy) = (f.0 - lng, f.1 - lat);
        p = (p.0 - dx, p.1 - dy);
        if dx.abs() < 1e-12 && dy.abs() < 1e-12 {
            break;
        }
    }
    p
}
