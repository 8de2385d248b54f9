//! The coordinate systems imports are taken in, and the inverse projections that bring them
//! to WGS84/CGCS2000 longitude/latitude: Web Mercator, and Transverse Mercator as the CGCS2000
//! Gauss–Krüger zones (EPSG:4513–4554) use it. Chinese planning data comes in those; other
//! systems are refused with the way to convert them, never guessed.

use std::str::FromStr;

/// How the coordinates of an input are to be read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Crs {
    /// WGS84 or CGCS2000 longitude/latitude (EPSG:4326, 4490, CRS84): taken as they are.
    LngLat,
    /// EPSG:3857 metres on the sphere of radius 6,378,137 m.
    WebMercator,
    TransverseMercator(TransverseMercator),
}

/// A Transverse Mercator projection of the GRS80/CGCS2000 ellipsoid (WGS84's differs from it
/// by 0.1 mm in the semi-minor axis, far below what a boundary means).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TransverseMercator {
    pub central_meridian: f64,
    pub scale: f64,
    pub false_easting: f64,
    pub false_northing: f64,
}

const SEMI_MAJOR: f64 = 6_378_137.0;
const INVERSE_FLATTENING: f64 = 298.257_222_101;

/// What to say when a system is not one of ours.
pub const ACCEPTED: &str = "WGS84/CGCS2000 longitude/latitude (EPSG:4326, EPSG:4490), Web Mercator (EPSG:3857) or a CGCS2000 3° Gauss–Krüger zone (EPSG:4513–4554)";

impl Crs {
    /// The system an EPSG code names, if it is one of ours.
    pub fn from_epsg(code: u32) -> Option<Crs> {
        let zone_meridian = |first: u32| 3.0 * f64::from(code - first + 25);
        match code {
            4326 | 4490 => Some(Crs::LngLat),
            3857 | 900913 | 102100 => Some(Crs::WebMercator),
            // Zones 25–45, the zone number in front of the false easting (39500000 m).
            4513..=4533 => Some(Crs::gauss_kruger(
                zone_meridian(4513),
                f64::from(code - 4513 + 25) * 1e6 + 500_000.0,
            )),
            // The same zones by central meridian, false easting 500000 m.
            4534..=4554 => Some(Crs::gauss_kruger(zone_meridian(4534), 500_000.0)),
            _ => None,
        }
    }

    fn gauss_kruger(central_meridian: f64, false_easting: f64) -> Crs {
        Crs::TransverseMercator(TransverseMercator {
            central_meridian,
            scale: 1.0,
            false_easting,
            false_northing: 0.0,
        })
    }

    /// Reads a system from a Shapefile `.prj` or a GeoPackage definition (OGC or ESRI WKT 1):
    /// by its EPSG authority when it names one of ours, else by its projection and parameters.
    pub fn from_wkt(wkt: &str) -> Result<Crs, String> {
        let refuse = || {
            let short: String = wkt.chars().take(80).collect();
            format!("the coordinate system `{short}…` is not supported: send {ACCEPTED}, or reproject first with `ogr2ogr -t_srs EPSG:4326`")
        };
        if let Some(crs) = authority(wkt).and_then(Crs::from_epsg) {
            return Ok(crs);
        }
        let upper = wkt.to_ascii_uppercase();
        let on_our_ellipsoid = upper.contains("6378137");
        if !upper.starts_with("PROJCS") {
            return (upper.starts_with("GEOGCS") && on_our_ellipsoid)
                .then_some(Crs::LngLat)
                .ok_or_else(refuse);
        }
        if upper.contains("MERCATOR_AUXILIARY_SPHERE")
            || upper.contains("PSEUDO_MERCATOR")
            || upper.contains("PSEUDO-MERCATOR")
        {
            return Ok(Crs::WebMercator);
        }
        let transverse = upper.contains("TRANSVERSE_MERCATOR") || upper.contains("GAUSS_KRUGER");
        let parameter = |name: &str| parameter(&upper, name);
        if !transverse || !on_our_ellipsoid || parameter("LATITUDE_OF_ORIGIN").unwrap_or(0.0) != 0.0
        {
            return Err(refuse());
        }
        Ok(Crs::TransverseMercator(TransverseMercator {
            central_meridian: parameter("CENTRAL_MERIDIAN").ok_or_else(refuse)?,
            scale: parameter("SCALE_FACTOR").unwrap_or(1.0),
            false_easting: parameter("FALSE_EASTING").unwrap_or(0.0),
            false_northing: parameter("FALSE_NORTHING").unwrap_or(0.0),
        }))
    }

    /// WGS84 longitude/latitude of a position given in this system.
    pub fn to_lng_lat(&self, x: f64, y: f64) -> (f64, f64) {
        match self {
            Crs::LngLat => (x, y),
            Crs::WebMercator => (
                (x / SEMI_MAJOR).to_degrees(),
                (y / SEMI_MAJOR).sinh().atan().to_degrees(),
            ),
            Crs::TransverseMercator(tm) => tm.inverse(x, y),
        }
    }
}

impl std::fmt::Display for Crs {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Crs::LngLat => write!(f, "WGS84 longitude/latitude"),
            Crs::WebMercator => write!(f, "Web Mercator (EPSG:3857)"),
            Crs::TransverseMercator(tm) => write!(
                f,
                "Gauss–Krüger (central meridian {}°, false easting {} m)",
                tm.central_meridian, tm.false_easting
            ),
        }
    }
}

/// `EPSG:4527`, `4527`, `urn:ogc:def:crs:EPSG::3857`, `http://www.opengis.net/def/crs/EPSG/0/4490`,
/// `CRS84`, `WGS 84`.
impl FromStr for Crs {
    type Err = String;

    fn from_str(name: &str) -> Result<Crs, String> {
        let upper = name.trim().to_ascii_uppercase();
        if upper.ends_with("CRS84") || upper.replace(' ', "") == "WGS84" {
            return Ok(Crs::LngLat);
        }
        let code = upper.rsplit([':', '/']).next().unwrap_or_default();
        let named_epsg = upper.contains("EPSG") || upper == code;
        code.parse()
            .ok()
            .filter(|_| named_epsg)
            .and_then(Crs::from_epsg)
            .ok_or_else(|| {
                format!("the crs `{name}` is not supported: give {ACCEPTED}, e.g. EPSG:4527")
            })
    }
}

/// The EPSG code of a WKT's own `AUTHORITY["EPSG","…"]` (WKT 1) or `ID["EPSG",…]` (WKT 2):
/// the last one, and only if nothing but closing brackets follows it, since the authority of
/// a projected system's base (`GEOGCS[…,AUTHORITY["EPSG","4490"]]`) names another system.
fn authority(wkt: &str) -> Option<u32> {
    let upper = wkt.to_ascii_uppercase();
    let at = upper.rfind("AUTHORITY[").or_else(|| upper.rfind("ID["))?;
    let rest = &upper[at..];
    let (open, close) = (rest.find('[')?, rest.find(']')?);
    let last = rest[close + 1..]
        .chars()
        .all(|c| c == ']' || c.is_whitespace());
    let mut parts = rest[open + 1..close]
        .split(',')
        .map(|p| p.trim().trim_matches('"'));
    (last && parts.next()? == "EPSG").then_some(())?;
    parts.next()?.parse().ok()
}

/// The value of a WKT `PARAMETER["name", value]`, by case-insensitive name.
fn parameter(upper_wkt: &str, name: &str) -> Option<f64> {
    upper_wkt.split("PARAMETER[").skip(1).find_map(|p| {
        let (key, rest) = p.split_once(',')?;
        (key.trim().trim_matches('"') == name).then_some(())?;
        rest.split(']').next()?.trim().parse().ok()
    })
}

impl TransverseMercator {
    /// Krüger's series in the third flattening n (Karney 2011, eq. 36), to n⁴: its error is
    /// under a millimetre within a 3° zone; the latitude then comes from the conformal one by
    /// Newton's method, exactly.
    fn inverse(&self, easting: f64, northing: f64) -> (f64, f64) {
        let f = 1.0 / INVERSE_FLATTENING;
        let e = (f * (2.0 - f)).sqrt();
        let n = f / (2.0 - f);
        let (n2, n3, n4) = (n * n, n * n * n, n * n * n * n);
        let rectifying = SEMI_MAJOR / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0);
        let beta = [
            n / 2.0 - 2.0 * n2 / 3.0 + 37.0 * n3 / 96.0 - n4 / 360.0,
            n2 / 48.0 + n3 / 15.0 - 437.0 * n4 / 1440.0,
            17.0 * n3 / 480.0 - 37.0 * n4 / 840.0,
            4397.0 * n4 / 161_280.0,
        ];
        let xi = (northing - self.false_northing) / (self.scale * rectifying);
        let eta = (easting - self.false_easting) / (self.scale * rectifying);
        let (mut xi_p, mut eta_p) = (xi, eta);
        for (j, b) in beta.iter().enumerate() {
            let k = 2.0 * (j as f64 + 1.0);
            xi_p -= b * (k * xi).sin() * (k * eta).cosh();
            eta_p -= b * (k * xi).cos() * (k * eta).sinh();
        }
        let conformal = (xi_p.sin() / eta_p.cosh()).asin();
        let longitude = self.central_meridian + eta_p.sinh().atan2(xi_p.cos()).to_degrees();
        (longitude, geodetic_latitude(conformal, e).to_degrees())
    }
}

/// The geodetic latitude whose conformal latitude is `chi` (radians), on an ellipsoid of
/// eccentricity `e`: solves ψ(φ) = asinh(tan χ) for the isometric latitude ψ.
fn geodetic_latitude(chi: f64, e: f64) -> f64 {
    let target = chi.tan().asinh();
    let mut phi = chi;
    for _ in 0..8 {
        let s = phi.sin();
        let psi = phi.tan().asinh() - e * (e * s).atanh();
        let slope = (1.0 - e * e) / ((1.0 - e * e * s * s) * phi.cos());
        phi += (target - psi) / slope;
    }
    phi
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reference points from `echo x y | gdaltransform -s_srs EPSG:N -t_srs EPSG:4490 -output_xy`
    /// (GDAL 3.6).
    #[test]
    fn gauss_kruger_and_web_mercator_match_gdal() {
        for (code, x, y, lng, lat) in REFERENCE {
            let crs = Crs::from_epsg(code).unwrap();
            let (a, b) = crs.to_lng_lat(x, y);
            assert!(
                (a - lng).abs() < 1e-9 && (b - lat).abs() < 1e-9,
                "EPSG:{code}: ({a}, {b}) vs ({lng}, {lat})"
            );
        }
    }

    #[test]
    fn names_and_codes_are_read() {
        assert_eq!("EPSG:4490".parse(), Ok(Crs::LngLat));
        assert_eq!("urn:ogc:def:crs:EPSG::3857".parse(), Ok(Crs::WebMercator));
        assert!(
            matches!("4527".parse(), Ok(Crs::TransverseMercator(t)) if t.central_meridian == 117.0 && t.false_easting == 39_500_000.0)
        );
        assert!(
            matches!("EPSG:4549".parse(), Ok(Crs::TransverseMercator(t)) if t.central_meridian == 120.0 && t.false_easting == 500_000.0)
        );
        assert!("EPSG:2385"
            .parse::<Crs>()
            .unwrap_err()
            .contains("EPSG:4513–4554"));
        assert!("EPSG:43260".parse::<Crs>().is_err());
    }

    #[test]
    fn esri_prj_files_are_read_by_their_parameters() {
        let prj = r#"PROJCS["CGCS2000_3_Degree_GK_Zone_40",GEOGCS["GCS_China_Geodetic_Coordinate_System_2000",DATUM["D_China_2000",SPHEROID["CGCS2000",6378137.0,298.257222101]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]],PROJECTION["Gauss_Kruger"],PARAMETER["False_Easting",40500000.0],PARAMETER["False_Northing",0.0],PARAMETER["Central_Meridian",120.0],PARAMETER["Scale_Factor",1.0],PARAMETER["Latitude_Of_Origin",0.0],UNIT["Meter",1.0]]"#;
        assert_eq!(Crs::from_wkt(prj), Ok(Crs::from_epsg(4528).unwrap()));
        let geographic = r#"GEOGCS["GCS_WGS_1984",DATUM["D_WGS_1984",SPHEROID["WGS_1984",6378137.0,298.257223563]],PRIMEM["Greenwich",0.0],UNIT["Degree",0.0174532925199433]]"#;
        assert_eq!(Crs::from_wkt(geographic), Ok(Crs::LngLat));
        let custom = r#"PROJCS["GK 120E",GEOGCS["China Geodetic Coordinate System 2000",DATUM["China_2000",SPHEROID["CGCS2000",6378137,298.257222101]],AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",120],PARAMETER["scale_factor",1],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1]]"#;
        assert_eq!(Crs::from_wkt(custom), Ok(Crs::from_epsg(4549).unwrap()));
        let gpkg = r#"PROJCS["CGCS2000 / 3-degree Gauss-Kruger zone 39",GEOGCS["China Geodetic Coordinate System 2000",AUTHORITY["EPSG","4490"]],PROJECTION["Transverse_Mercator"],AUTHORITY["EPSG","4527"]]"#;
        assert_eq!(Crs::from_wkt(gpkg), Ok(Crs::from_epsg(4527).unwrap()));
        let beijing = r#"GEOGCS["GCS_Beijing_1954",DATUM["D_Beijing_1954",SPHEROID["Krasovsky_1940",6378245.0,298.3]]]"#;
        assert!(Crs::from_wkt(beijing).unwrap_err().contains("ogr2ogr"));
    }

    const REFERENCE: [(u32, f64, f64, f64, f64); 6] = [
        (4527, 39_500_000.0, 3_000_000.0, 117.0, 27.1116355081243),
        (
            4527,
            39_400_000.0,
            3_100_000.0,
            115.983279200619,
            28.0103009094312,
        ),
        (
            4527,
            39_612_345.678,
            3_210_987.654,
            118.153061458847,
            29.0105565263155,
        ),
        (4549, 500_000.0, 3_000_000.0, 120.0, 27.1116355081243),
        (
            4549,
            380_000.0,
            3_400_000.0,
            118.747275521695,
            30.7145730619444,
        ),
        (
            3857,
            13_500_000.0,
            3_300_000.0,
            121.272563356135,
            28.4039597653325,
        ),
    ];
}
