//! An immutable, fully indexed view of a city at one version.
//!
//! Readers hold an `Arc<Snapshot>` and never block; a write builds the next snapshot from the
//! previous one (reusing what the edit did not touch) and swaps it in.
//!
//! Assembly and the accessors are here; `upkeep` decides what the next snapshot keeps of the
//! previous one, `hierarchy` who is above whom, `overlaps` the grid × beat matrix, and
//! `queries` the point and box questions readers ask.

mod advance;
mod hierarchy;
mod overlaps;
mod queries;
mod upkeep;

pub use advance::Advanced;
use advance::Carry;
use hierarchy::{covered_by_children, Lookup};
pub use overlaps::{BeatGrid, GridOverlaps};
use upkeep::Indexes;

use crate::cells::{CellIndex, MeshPolygon, NONE};
use crate::crossing::{contains, edges_of, Edge};
use crate::matrix::{OverlapMatrix, Side, STRADDLE_SHARE};
use crate::metric::{EqualArea, LocalFrame};
use crate::model::{level, City, Feature, Layer, Person};
use crate::overlap::Region;
use crate::search::SearchIndex;
use geo::InteriorPoint;
use rstar::primitives::{GeomWithData, Rectangle};
use rstar::{RTree, AABB};
use rustc_hash::FxHashMap;
use std::sync::Arc;
use std::sync::OnceLock;

type BoxEntry = GeomWithData<Rectangle<[f64; 2]>, u32>;
type PointEntry = GeomWithData<[f64; 2], u32>;

/// What a point falls in: feature indices into [`Snapshot::features`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Hit {
    /// The deepest grid containing the point.
    pub grid: Option<u32>,
    pub beat: Option<u32>,
    pub station: Option<u32>,
}

/// A city at one version with every index built.
pub struct Snapshot {
    version: u64,
    features: Vec<Feature>,
    ids: Ids,
    people: FxHashMap<String, Person>,
    /// Beats in id order (feature indices).
    beat_mesh: Vec<u32>,
    /// Grid and beat by point. Shared with the next snapshot when an edit leaves every
    /// indexed shape as it was, patched where an edit changed one; answers are keys.
    cells: Arc<CellIndex<2>>,
    station_cells: Arc<CellIndex<1>>,
    /// The cell indexes answer with keys, which stay with a feature from snapshot to
    /// snapshot while feature indices shift with every insert: feature index → key.
    key_of: Vec<u32>,
    /// Key → feature index, or [`NONE`] for a feature since deleted.
    feature_of_key: Vec<u32>,
    /// Whether every key is its feature's index (a whole build, or edits that kept them so),
    /// which saves lookups a read.
    keys_are_indices: bool,
    /// Per feature: which cell-index mesh it is in, to tell what an edit changed.
    mesh_of: Vec<Mesh>,
    /// Bounding boxes of areal features (lng/lat).
    boxes: RTree<BoxEntry>,
    /// Cameras in a frame scaled so that distances are isotropic near the city.
    cameras: RTree<PointEntry>,
    camera_scale: f64,
    /// Per feature: the parent grid (explicit, or inferred from geometry) or the beat's station.
    parents: Vec<Option<u32>>,
    /// Projected regions of grids and beats, for overlaps.
    regions: Vec<Option<Arc<Region>>>,
    /// Per feature: its area in m² (0 for points).
    areas: Vec<f64>,
    /// Per feature: its lng/lat bounding box, `None` without coordinates.
    bboxes: Vec<Option<[f64; 4]>>,
    projection: EqualArea,
    matrix: OverlapMatrix,
    bounds: [f64; 4],
    /// Names and ids for search, built on the first search of this snapshot.
    search: OnceLock<SearchIndex>,
}

/// The cell-index mesh a feature answers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mesh {
    None,
    Grid,
    Beat,
    Station,
}

/// An edit whose region spans more than this share of the coarse cells rebuilds the cell index
/// whole; patches holding more than this share of its bytes are folded in.
const PATCH_SHARE: f64 = 0.25;

/// Grids at this level or deeper take part in the overlap matrix.
pub const MATRIX_MIN_LEVEL: u8 = level::GRID;

impl Snapshot {
    /// Builds every index for `city` at `version`.
    pub fn build(city: City, version: u64) -> Snapshot {
        Self::assemble(city, version, None)
    }

    /// The next snapshot of `city`, in which only the features in `changed` (layer, id) were
    /// written or deleted: every other feature must be as it is in `self`, since what was
    /// derived from it (areas, inferred parents, regions, overlap rows) is carried over
    /// unchecked. [`Snapshot::advance`] works this out from committed changes.
    pub fn next(&self, city: City, version: u64, changed: &[(Layer, String)]) -> Snapshot {
        Self::assemble(city, version, Some((self, changed)))
    }

    fn assemble(
        mut city: City,
        version: u64,
        previous: Option<(&Snapshot, &[(Layer, String)])>,
    ) -> Snapshot {
        city.features
            .sort_by(|a, b| (a.layer(), &a.id).cmp(&(b.layer(), &b.id)));
        let features = city.features;
        let ids = Ids::new(&features);
        let carry = previous.map(|(prev, changed)| Carry::new(prev, changed, &features, &ids));
        let people = city.people.into_iter().map(|p| (p.id.clone(), p)).collect();
        // Boxes are a pass over every coordinate: carried for what no edit touched.
        let bboxes: Vec<Option<[f64; 4]>> = features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let before = carry.as_ref().and_then(|c| Some((c.prev, c.before[i]?)));
                before.map_or_else(|| f.bbox(), |(prev, p)| prev.bboxes[p as usize])
            })
            .collect();
        let bounds = bounds_of(&bboxes);
        let projection = EqualArea::at_latitude((bounds[1] + bounds[3]) / 2.0);

        let of_layer = |layer: Layer| -> Vec<u32> {
            (0..features.len() as u32)
                .filter(|i| features[*i as usize].layer() == layer)
                .collect()
        };
        let boxes = RTree::bulk_load(
            features
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    let b = bboxes[i]?;
                    f.area()?;
                    Some(BoxEntry::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        i as u32,
                    ))
                })
                .collect(),
        );
        let parents = Lookup {
            features: &features,
            ids: &ids,
            boxes: &boxes,
            bboxes: &bboxes,
        }
        .parents(carry.as_ref());
        let same_projection = carry.as_ref().filter(|c| c.prev.projection == projection);
        let areas: Vec<f64> = features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let carried =
                    same_projection.and_then(|c| Some(c.prev.areas[c.before[i]? as usize]));
                carried.unwrap_or_else(|| f.area().map_or(0.0, |mp| projection.area(mp)))
            })
            .collect();
        let covered = covered_by_children(&features, &parents, &areas);
        let mut grid_mesh = of_layer(Layer::Grid);
        grid_mesh.retain(|i| !covered[*i as usize]);
        grid_mesh.sort_by_key(|i| std::cmp::Reverse(features[*i as usize].level().unwrap_or(0)));
        let beat_mesh = of_layer(Layer::Beat);
        let station_mesh = of_layer(Layer::Station);
        let mut mesh_of = vec![Mesh::None; features.len()];
        for (members, kind) in [
            (&grid_mesh, Mesh::Grid),
            (&beat_mesh, Mesh::Beat),
            (&station_mesh, Mesh::Station),
        ] {
            for i in members {
                mesh_of[*i as usize] = kind;
            }
        }
        let Indexes {
            cells,
            station_cells,
            key_of,
            feature_of_key,
        } = Indexes::after(
            carry.as_ref(),
            &features,
            &boxes,
            [&grid_mesh, &beat_mesh, &station_mesh],
            &mesh_of,
        );

        let camera_scale = ((bounds[1] + bounds[3]) / 2.0).to_radians().cos();
        let cameras = RTree::bulk_load(
            features
                .iter()
                .enumerate()
                .filter_map(|(i, f)| {
                    f.point()
                        .map(|p| PointEntry::new([p.x() * camera_scale, p.y()], i as u32))
                })
                .collect(),
        );
        let regions: Vec<Option<Arc<Region>>> = features
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let keep = matches!(f.layer(), Layer::Beat)
                    || (f.layer() == Layer::Grid && f.level().unwrap_or(0) >= MATRIX_MIN_LEVEL);
                if !keep {
                    return None;
                }
                if let Some(c) = same_projection {
                    if let Some(p) = c.before[i] {
                        return c.prev.regions[p as usize].clone();
                    }
                }
                f.area().map(|mp| Arc::new(region_of(&projection, mp)))
            })
            .collect();

        let mut snapshot = Snapshot {
            version,
            ids,
            people,
            parents,
            features,
            beat_mesh,
            cells,
            station_cells,
            keys_are_indices: feature_of_key
                .iter()
                .enumerate()
                .all(|(k, i)| *i == k as u32),
            key_of,
            feature_of_key,
            mesh_of,
            boxes,
            cameras,
            camera_scale,
            regions,
            areas,
            bboxes,
            projection,
            matrix: OverlapMatrix::default(),
            bounds,
            search: OnceLock::new(),
        };
        snapshot.matrix = match previous {
            Some((prev, changed)) if prev.projection == snapshot.projection => {
                snapshot.updated_matrix(prev, changed)
            }
            _ => snapshot.full_matrix(),
        };
        snapshot
    }

    pub fn version(&self) -> u64 {
        self.version
    }

    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    pub fn feature(&self, i: u32) -> &Feature {
        &self.features[i as usize]
    }

    pub fn index_of(&self, layer: Layer, id: &str) -> Option<u32> {
        self.ids.get(layer, id)
    }

    pub fn get(&self, layer: Layer, id: &str) -> Option<&Feature> {
        self.index_of(layer, id).map(|i| self.feature(i))
    }

    pub fn layer(&self, layer: Layer) -> impl Iterator<Item = &Feature> {
        self.features.iter().filter(move |f| f.layer() == layer)
    }

    /// Feature `i`'s area in m² (0 for points).
    pub fn area_m2(&self, i: u32) -> f64 {
        self.areas[i as usize]
    }

    pub fn person(&self, id: &str) -> Option<&Person> {
        self.people.get(id)
    }

    pub fn people(&self) -> impl Iterator<Item = &Person> {
        self.people.values()
    }

    /// The people who answer for a feature, in the order the feature lists them.
    pub fn people_of(&self, f: &Feature) -> Vec<&Person> {
        f.people
            .iter()
            .filter_map(|id| self.people.get(id))
            .collect()
    }

    /// The city back as a plain [`City`] (for writes, which build the next snapshot).
    pub fn to_city(&self) -> City {
        let mut people: Vec<Person> = self.people.values().cloned().collect();
        people.sort_by(|a, b| a.id.cmp(&b.id));
        City {
            features: self.features.clone(),
            people,
        }
    }

    /// lng/lat bounds of all data, `[minx, miny, maxx, maxy]`.
    pub fn bounds(&self) -> [f64; 4] {
        self.bounds
    }

    pub fn projection(&self) -> EqualArea {
        self.projection
    }

    /// The search index, built on first use.
    pub(crate) fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(self))
    }

    /// Memory held by the cell indexes, for reports.
    pub fn index_bytes(&self) -> usize {
        self.cells.memory_bytes() + self.station_cells.memory_bytes()
    }

    /// How the cell index is laid out, for reports.
    pub fn describe_index(&self) -> String {
        self.cells.describe()
    }

    /// The share of cells that answer with one read.
    pub fn settled_share(&self) -> f64 {
        self.cells.settled_share()
    }
}

/// Feature indices by layer and id, looked up with a borrowed id (no allocation per lookup).
struct Ids([FxHashMap<String, u32>; Layer::ALL.len()]);

impl Ids {
    fn new(features: &[Feature]) -> Ids {
        let mut ids = Ids(Default::default());
        for (i, f) in features.iter().enumerate() {
            ids.0[f.layer() as usize].insert(f.id.clone(), i as u32);
        }
        ids
    }

    fn get(&self, layer: Layer, id: &str) -> Option<u32> {
        self.0[layer as usize].get(id).copied()
    }
}

/// A multipolygon projected to equal-area metres.
pub fn region_of(projection: &EqualArea, mp: &geo_types::MultiPolygon<f64>) -> Region {
    let rings = |p: &geo_types::Polygon<f64>| -> Vec<Vec<[f64; 2]>> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| r.0.iter().map(|c| projection.project(c.x, c.y)).collect())
            .collect()
    };
    Region::from_polygons(&mp.iter().map(rings).collect::<Vec<_>>())
}

/// The edges of a feature's area, for exact point tests.
pub fn feature_edges(f: &Feature) -> Vec<Edge> {
    f.area().map(edges_of).unwrap_or_default()
}

fn bounds_of(bboxes: &[Option<[f64; 4]>]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for fb in bboxes.iter().flatten() {
        b = [
            b[0].min(fb[0]),
            b[1].min(fb[1]),
            b[2].max(fb[2]),
            b[3].max(fb[3]),
        ];
    }
    if b[0].is_finite() {
        b
    } else {
        [0.0, 0.0, 0.0, 0.0]
    }
}
