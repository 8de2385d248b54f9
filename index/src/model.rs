//! The model of a city: layers of features and the people who answer for them.
//!
//! Every feature has a stable string `id`, a `name` and a `version` that grows with each write.
//! Geometries are WGS84/CGCS2000 longitude/latitude (RFC 7946 order).

use geo_types::{MultiPolygon, Point};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The spatial layers of the one-map.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// Governance grids (网格), all levels.
    Grid,
    /// Police beats (警格).
    Beat,
    /// Police stations (派出所): jurisdiction polygon and a location point.
    Station,
    /// Cameras (智慧小区 / 雪亮工程): points.
    Camera,
}

impl Layer {
    pub const ALL: [Layer; 4] = [Layer::Grid, Layer::Beat, Layer::Station, Layer::Camera];

    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Grid => "grid",
            Layer::Beat => "beat",
            Layer::Station => "station",
            Layer::Camera => "camera",
        }
    }

    /// Whether features of this layer are areas (polygons) rather than points.
    pub fn is_areal(self) -> bool {
        !matches!(self, Layer::Camera)
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The error for a layer name that is not one of ours.
#[derive(Debug, thiserror::Error)]
#[error("unknown layer `{0}`: use one of grid, beat, station, camera")]
pub struct UnknownLayer(pub String);

impl FromStr for Layer {
    type Err = UnknownLayer;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Layer::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLayer(s.to_string()))
    }
}

/// Grid levels, from the county down to the micro-grid.
pub mod level {
    /// County or district (区/县): the top of the escalation chain.
    pub const COUNTY: u8 = 0;
    /// Street or township (街道/乡镇).
    pub const TOWNSHIP: u8 = 1;
    /// Community or village (社区/村).
    pub const COMMUNITY: u8 = 2;
    /// Comprehensive or exclusive grid (网格): the default for imports.
    pub const GRID: u8 = 3;
    /// Micro-grid (微网格).
    pub const MICRO: u8 = 4;
    /// The deepest level there is.
    pub const DEEPEST: u8 = MICRO;
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum GridKind {
    /// 综合网格: covers everything in its area.
    #[default]
    Comprehensive,
    /// 专属网格: a school, factory, park or market with its own grid.
    Exclusive,
}

/// Whether a grid lies in the city or the countryside.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Setting {
    Urban,
    Rural,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum CameraStatus {
    #[default]
    Online,
    Offline,
}

/// The properties that differ between layers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "layer", rename_all = "lowercase")]
pub enum Attributes {
    Grid {
        level: u8,
        parent: Option<String>,
        kind: GridKind,
        /// For exclusive grids: school, factory, park, market, hospital, ...
        category: Option<String>,
        setting: Option<Setting>,
        /// Residents and households living in the grid (户籍 or 常住, as the city counts them),
        /// for people per officer and per grid worker.
        population: Option<u32>,
        households: Option<u32>,
    },
    Beat {
        station: Option<String>,
    },
    Station {
        /// Where the station building is; the jurisdiction is the feature's geometry.
        location: Option<Point<f64>>,
    },
    Camera {
        /// gun / dome / face / plate, free text.
        kind: String,
        status: CameraStatus,
        /// Compass bearing in degrees the camera looks at, if fixed.
        heading: Option<f64>,
        /// How far it sees, in metres.
        range_m: Option<f64>,
    },
}

impl Attributes {
    pub fn layer(&self) -> Layer {
        match self {
            Attributes::Grid { .. } => Layer::Grid,
            Attributes::Beat { .. } => Layer::Beat,
            Attributes::Station { .. } => Layer::Station,
            Attributes::Camera { .. } => Layer::Camera,
        }
    }
}

/// The shape of a feature: an area for grids, beats and stations, a point for cameras.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    Area(MultiPolygon<f64>),
    Point(Point<f64>),
}

/// One feature of any layer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Feature {
    pub id: String,
    pub name: String,
    pub version: u64,
    pub shape: Shape,
    pub attributes: Attributes,
    /// Ids of the people who answer for this feature; their role says in what capacity.
    pub people: Vec<String>,
}

impl Feature {
    pub fn layer(&self) -> Layer {
        self.attributes.layer()
    }

    pub fn area(&self) -> Option<&MultiPolygon<f64>> {
        match &self.shape {
            Shape::Area(mp) => Some(mp),
            Shape::Point(_) => None,
        }
    }

    pub fn point(&self) -> Option<Point<f64>> {
        match &self.shape {
            Shape::Point(p) => Some(*p),
            Shape::Area(_) => None,
        }
    }

    /// The lng/lat bounding box `[minx, miny, maxx, maxy]`, if the shape has any points.
    pub fn bbox(&self) -> Option<[f64; 4]> {
        use geo::BoundingRect;
        let r = match &self.shape {
            Shape::Area(mp) => mp.bounding_rect()?,
            Shape::Point(p) => geo_types::Rect::new(p.0, p.0),
        };
        Some([r.min().x, r.min().y, r.max().x, r.max().y])
    }

    /// The grid level, for grids.
    pub fn level(&self) -> Option<u8> {
        match &self.attributes {
            Attributes::Grid { level, .. } => Some(*level),
            _ => None,
        }
    }

    /// The zoom from which maps draw the feature (its kind's [`crate::layers::LayerSpec`]
    /// says): counties and townships at once, communities from 10, grids from 12, beats from 9,
    /// stations at once, cameras from 13. Tiles, the page's style and every test of tiles take
    /// it from here.
    pub fn min_zoom(&self) -> u8 {
        crate::layers::spec(self.layer()).zoom_of(&self.attributes)
    }

    /// The grid's parent or the beat's station: the next feature up.
    pub fn parent(&self) -> Option<&str> {
        match &self.attributes {
            Attributes::Grid { parent, .. } => parent.as_deref(),
            Attributes::Beat { station } => station.as_deref(),
            _ => None,
        }
    }
}

/// The duty a person has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 网格长
    GridLeader,
    /// 网格员
    GridWorker,
    /// 社区民警
    CommunityOfficer,
    /// 辅警
    Auxiliary,
    /// 所长
    StationChief,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::GridLeader,
        Role::GridWorker,
        Role::CommunityOfficer,
        Role::Auxiliary,
        Role::StationChief,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::GridLeader => "grid_leader",
            Role::GridWorker => "grid_worker",
            Role::CommunityOfficer => "community_officer",
            Role::Auxiliary => "auxiliary",
            Role::StationChief => "station_chief",
        }
    }

    /// The Chinese title shown on the map.
    pub fn title(self) -> &'static str {
        match self {
            Role::GridLeader => "网格长",
            Role::GridWorker => "网格员",
            Role::CommunityOfficer => "社区民警",
            Role::Auxiliary => "辅警",
            Role::StationChief => "所长",
        }
    }
}

impl FromStr for Role {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                format!("unknown role `{s}`: use grid_leader, grid_worker, community_officer, auxiliary or station_chief")
            })
    }
}

/// A person who answers for a grid, beat or station. Name and phone are personal data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub id: String,
    pub name: String,
    pub role: Role,
    pub phone: String,
    pub version: u64,
}

/// Everything a city holds: the input from which a [`crate::Snapshot`] is built.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct City {
    pub features: Vec<Feature>,
    pub people: Vec<Person>,
}

impl City {
    pub fn layer(&self, layer: Layer) -> impl Iterator<Item = &Feature> {
        self.features.iter().filter(move |f| f.layer() == layer)
    }
}
