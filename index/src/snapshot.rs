//! An immutable, fully indexed view of a city at one version.
//!
//! Readers hold an `Arc<Snapshot>` and never block; a write builds the next snapshot from the
//! previous one (reusing what the edit did not touch) and swaps it in.

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

    /// The next snapshot after the features in `changed` (layer, id) were written or deleted.
    /// Unchanged overlap rows are reused, so an edit costs the rows it touches.
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
        let people = city.people.into_iter().map(|p| (p.id.clone(), p)).collect();
        let bounds = bounds_of(&features);
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
                    let b = f.bbox()?;
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
        }
        .parents();
        let covered = covered_by_children(&features, &parents, &projection);
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
            previous.map(|(prev, _)| prev),
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
            .map(|f| {
                let keep = matches!(f.layer(), Layer::Beat)
                    || (f.layer() == Layer::Grid && f.level().unwrap_or(0) >= MATRIX_MIN_LEVEL);
                if !keep {
                    return None;
                }
                if let Some((prev, _)) = previous {
                    if let Some(r) = prev.region_if_same(f) {
                        return Some(r);
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

    fn region_if_same(&self, f: &Feature) -> Option<Arc<Region>> {
        let i = self.ids.get(f.layer(), &f.id)?;
        let old = &self.features[i as usize];
        (old.shape == f.shape).then(|| self.regions[i as usize].clone())?
    }

    fn matrix_grids(&self) -> Vec<Side<'_>> {
        self.features
            .iter()
            .zip(&self.regions)
            .filter(|(f, _)| f.layer() == Layer::Grid)
            .filter_map(|(f, r)| {
                Some(Side {
                    id: &f.id,
                    region: r.as_deref()?,
                })
            })
            .collect()
    }

    /// The whole grid × beat matrix computed from scratch (both cores).
    pub fn full_matrix(&self) -> OverlapMatrix {
        let grids = self.matrix_grids();
        let beats = self.beat_boxes();
        OverlapMatrix::build(&grids, |r| self.beats_in(&beats, r))
    }

    /// `prev`'s matrix with only the rows that `changed` features touch recomputed.
    pub fn updated_matrix(&self, prev: &Snapshot, changed: &[(Layer, String)]) -> OverlapMatrix {
        let mut matrix = prev.matrix.clone();
        let mut redo: Vec<u32> = Vec::new();
        let mut gone: Vec<&str> = Vec::new();
        for (layer, id) in changed {
            match layer {
                Layer::Grid => match self.index_of(Layer::Grid, id) {
                    Some(i) => redo.push(i),
                    None => gone.push(id),
                },
                Layer::Beat => {
                    // Grids under the beat before or after the edit.
                    redo.extend(
                        prev.matrix
                            .grids_with(id)
                            .into_iter()
                            .filter_map(|(g, _)| self.index_of(Layer::Grid, g)),
                    );
                    if let Some(b) = self.get(Layer::Beat, id).and_then(Feature::bbox) {
                        redo.extend(
                            self.areal_in(b)
                                .into_iter()
                                .filter(|i| self.feature(*i).layer() == Layer::Grid),
                        );
                    }
                }
                _ => {}
            }
        }
        redo.sort_unstable();
        redo.dedup();
        let grids: Vec<Side<'_>> = redo
            .iter()
            .filter_map(|i| {
                Some(Side {
                    id: &self.features[*i as usize].id,
                    region: self.regions[*i as usize].as_deref()?,
                })
            })
            .collect();
        let beats = self.beat_boxes();
        matrix.update(&grids, &gone, |r| self.beats_in(&beats, r));
        matrix
    }

    /// An R-tree over beats' projected boxes, for the matrix.
    fn beat_boxes(&self) -> RTree<BoxEntry> {
        RTree::bulk_load(
            self.beat_mesh
                .iter()
                .filter_map(|i| {
                    let b = self.regions[*i as usize].as_ref()?.bbox;
                    Some(BoxEntry::new(
                        Rectangle::from_corners([b[0], b[1]], [b[2], b[3]]),
                        *i,
                    ))
                })
                .collect(),
        )
    }

    fn beats_in<'s>(&'s self, beats: &RTree<BoxEntry>, region: &Region) -> Vec<Side<'s>> {
        let b = region.bbox;
        beats
            .locate_in_envelope_intersecting(&AABB::from_corners([b[0], b[1]], [b[2], b[3]]))
            .filter_map(|e| {
                let i = e.data as usize;
                Some(Side {
                    id: &self.features[i].id,
                    region: self.regions[i].as_deref()?,
                })
            })
            .collect()
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

    /// The grid's parent grid or the beat's station.
    pub fn parent(&self, i: u32) -> Option<u32> {
        self.parents[i as usize]
    }

    /// A grid's ancestors, parent first, up to the top level.
    pub fn ancestors(&self, i: u32) -> Vec<u32> {
        let mut out = Vec::new();
        let mut at = i;
        while let Some(p) = self.parent(at) {
            if out.contains(&p) || out.len() > level::DEEPEST as usize + 1 {
                break;
            }
            out.push(p);
            at = p;
        }
        out
    }

    /// The deepest grid and the beat containing the point, as feature indices ([`NONE`] for
    /// none). The hot path: one table read for most points.
    #[inline]
    pub fn locate_pair(&self, lng: f64, lat: f64) -> [u32; 2] {
        self.cells.locate(lng, lat).map(|key| self.feature_at(key))
    }

    /// [`Self::locate_pair`] for many points, reading memory ahead (see
    /// [`CellIndex::locate_many`]).
    pub fn locate_pairs(&self, points: &[[f64; 2]], out: &mut Vec<[u32; 2]>) {
        let start = out.len();
        self.cells.locate_many(points, out);
        if !self.keys_are_indices {
            for pair in &mut out[start..] {
                *pair = pair.map(|key| self.feature_at(key));
            }
        }
    }

    /// The feature a cell index's key stands for.
    #[inline]
    fn feature_at(&self, key: u32) -> u32 {
        if key == NONE || self.keys_are_indices {
            key
        } else {
            self.feature_of_key[key as usize]
        }
    }

    /// [`Self::locate`] for many points, in order.
    pub fn locate_all(&self, points: &[[f64; 2]]) -> Vec<Hit> {
        let mut pairs = Vec::with_capacity(points.len());
        self.locate_pairs(points, &mut pairs);
        pairs
            .into_iter()
            .zip(points)
            .map(|([g, b], p)| self.hit(g, b, p[0], p[1]))
            .collect()
    }

    fn hit(&self, g: u32, b: u32, lng: f64, lat: f64) -> Hit {
        let some = |i: u32| (i != NONE).then_some(i);
        let station = some(b)
            .and_then(|b| self.parents[b as usize])
            .or_else(|| some(self.feature_at(self.station_cells.locate(lng, lat)[0])));
        Hit {
            grid: some(g),
            beat: some(b),
            station,
        }
    }

    /// The deepest grid, the beat and the station containing the point.
    pub fn locate(&self, lng: f64, lat: f64) -> Hit {
        let [g, b] = self.locate_pair(lng, lat);
        self.hit(g, b, lng, lat)
    }

    /// Cameras within `radius_m` of the point, nearest first, at most `k`, with distances.
    pub fn cameras_near(&self, lng: f64, lat: f64, k: usize, radius_m: f64) -> Vec<(u32, f64)> {
        if k == 0 {
            return Vec::new();
        }
        let frame = LocalFrame::at(lng, lat);
        let reach = frame.degrees(radius_m)[1] * 1.05;
        let mut found: Vec<(u32, f64)> = self
            .cameras
            .nearest_neighbor_iter(&[lng * self.camera_scale, lat])
            .take_while(|e| {
                let p = e.geom();
                (p[0] - lng * self.camera_scale).hypot(p[1] - lat) <= reach
            })
            .take(k * 2 + 8)
            .filter_map(|e| {
                let c = self.features[e.data as usize].point()?;
                let d = frame.distance([lng, lat], [c.x(), c.y()]);
                (d <= radius_m).then_some((e.data, d))
            })
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(k);
        found
    }

    /// How many cameras lie within `radius_m` metres of the point: the panel's "N within
    /// 300 m", which [`Snapshot::cameras_near`] cannot give since it stops at `k`.
    pub fn cameras_within(&self, lng: f64, lat: f64, radius_m: f64) -> usize {
        let frame = LocalFrame::at(lng, lat);
        let [dlng, dlat] = frame.degrees(radius_m);
        let (x, reach) = (
            lng * self.camera_scale,
            dlat.max(dlng * self.camera_scale) * 1.05,
        );
        let envelope =
            rstar::AABB::from_corners([x - reach, lat - reach], [x + reach, lat + reach]);
        self.cameras
            .locate_in_envelope(&envelope)
            .filter(|e| {
                self.features[e.data as usize]
                    .point()
                    .is_some_and(|c| frame.distance([lng, lat], [c.x(), c.y()]) <= radius_m)
            })
            .count()
    }

    /// Areal features of `layer` (and, for grids, of `grid_level`) whose boundary passes
    /// within `within_m` of the point, nearest first, with distances in metres.
    pub fn near(
        &self,
        layer: Layer,
        grid_level: Option<u8>,
        lng: f64,
        lat: f64,
        within_m: f64,
    ) -> Vec<(u32, f64)> {
        let frame = LocalFrame::at(lng, lat);
        let [dx, dy] = frame.degrees(within_m);
        let envelope = AABB::from_corners([lng - dx, lat - dy], [lng + dx, lat + dy]);
        let mut found: Vec<(u32, f64)> = self
            .boxes
            .locate_in_envelope_intersecting(&envelope)
            .filter_map(|e| {
                let f = &self.features[e.data as usize];
                if f.layer() != layer || (grid_level.is_some() && f.level() != grid_level) {
                    return None;
                }
                let d = frame.distance_to_boundary(f.area()?);
                (d <= within_m).then_some((e.data, d))
            })
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        found
    }

    /// The grid nearest to a point outside every grid, with its distance in metres.
    pub fn nearest_grid(&self, lng: f64, lat: f64) -> Option<(u32, f64)> {
        let frame = LocalFrame::at(lng, lat);
        self.boxes
            .nearest_neighbor_iter(&[lng, lat])
            .filter(|e| self.features[e.data as usize].layer() == Layer::Grid)
            .take(32)
            .filter_map(|e| {
                Some((
                    e.data,
                    frame.distance_to_boundary(self.features[e.data as usize].area()?),
                ))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// Distance in metres from the point to the nearest boundary of feature `i`.
    pub fn boundary_distance(&self, i: u32, lng: f64, lat: f64) -> Option<f64> {
        Some(LocalFrame::at(lng, lat).distance_to_boundary(self.feature(i).area()?))
    }

    /// The search index, built on first use.
    pub(crate) fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(self))
    }

    /// The grid × beat overlap matrix (grids of level 3 and deeper).
    pub fn matrix(&self) -> &OverlapMatrix {
        &self.matrix
    }

    /// The beats a grid overlaps with areas and shares, largest first. Grids above the matrix
    /// levels (townships, communities) are computed on demand.
    pub fn grid_overlaps(&self, grid: u32) -> Vec<crate::matrix::Share> {
        let f = self.feature(grid);
        if let Some(row) = self.matrix.row(&f.id) {
            return row.to_vec();
        }
        let Some(mp) = f.area() else {
            return Vec::new();
        };
        let region = region_of(&self.projection, mp);
        let beats = self.beat_boxes();
        let mut matrix = OverlapMatrix::default();
        matrix.update(
            &[Side {
                id: &f.id,
                region: &region,
            }],
            &[],
            |r| self.beats_in(&beats, r),
        );
        matrix.row(&f.id).map(<[_]>::to_vec).unwrap_or_default()
    }

    /// The beat holding the largest share of a grid, and whether the grid straddles beats.
    pub fn assigned_beat(&self, grid: &str) -> Option<(&str, bool)> {
        let row = self.matrix.row(grid)?;
        let first = row.first()?;
        Some((&first.id, first.fraction < 1.0 - STRADDLE_SHARE))
    }

    /// The projected region of a grid or beat.
    pub fn region(&self, layer: Layer, id: &str) -> Option<&Region> {
        self.regions[self.index_of(layer, id)? as usize].as_deref()
    }

    /// Features whose bounding box meets `bbox` (lng/lat), for polygon queries.
    pub fn areal_in(&self, bbox: [f64; 4]) -> Vec<u32> {
        areal_meeting(&self.boxes, bbox)
    }

    /// Cameras inside `bbox` (lng/lat).
    pub fn cameras_in(&self, bbox: [f64; 4]) -> Vec<u32> {
        let env = AABB::from_corners(
            [bbox[0] * self.camera_scale, bbox[1]],
            [bbox[2] * self.camera_scale, bbox[3]],
        );
        let mut v: Vec<u32> = self
            .cameras
            .locate_in_envelope(&env)
            .map(|e| e.data)
            .collect();
        v.sort_unstable();
        v
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

/// The cell indexes of a snapshot and the keys they answer with.
struct Indexes {
    cells: Arc<CellIndex<2>>,
    station_cells: Arc<CellIndex<1>>,
    key_of: Vec<u32>,
    feature_of_key: Vec<u32>,
}

impl Indexes {
    /// The indexes over `meshes` (grids, beats, stations): `previous`'s patched where an edit
    /// changed them and shared where it did not, or built whole.
    fn after(
        previous: Option<&Snapshot>,
        features: &[Feature],
        boxes: &RTree<BoxEntry>,
        [grid_mesh, beat_mesh, station_mesh]: [&[u32]; 3],
        mesh_of: &[Mesh],
    ) -> Indexes {
        let kept = previous.map(|prev| {
            let keys = Keys::carried(prev, features);
            let changes = MeshChanges::between(prev, features, &keys.key_of, mesh_of);
            (prev, keys, changes)
        });
        let indexes = kept.as_ref().and_then(|(prev, keys, changes)| {
            let cells = if changes.cells.is_empty() {
                Arc::clone(&prev.cells)
            } else {
                let ranks = ranks(features.len(), [grid_mesh, beat_mesh]);
                let patched = patch_cells(
                    &prev.cells,
                    &changes.cells,
                    |bbox| {
                        let mut found: [Vec<u32>; 2] = Default::default();
                        for i in areal_meeting(boxes, bbox) {
                            match mesh_of[i as usize] {
                                Mesh::Grid => found[0].push(i),
                                Mesh::Beat => found[1].push(i),
                                _ => {}
                            }
                        }
                        found.map(|mut members| {
                            members.sort_unstable_by_key(|i| ranks[*i as usize]);
                            members
                        })
                    },
                    features,
                    &keys.key_of,
                )?;
                Arc::new(patched)
            };
            let station_cells = if changes.stations {
                Arc::new(cell_index([station_mesh], features, &keys.key_of))
            } else {
                Arc::clone(&prev.station_cells)
            };
            Some((cells, station_cells))
        });
        match (indexes, kept) {
            (Some((cells, station_cells)), Some((_, keys, _))) => Indexes {
                cells,
                station_cells,
                key_of: keys.key_of,
                feature_of_key: keys.feature_of_key,
            },
            _ => {
                let identity: Vec<u32> = (0..features.len() as u32).collect();
                Indexes {
                    cells: Arc::new(cell_index([grid_mesh, beat_mesh], features, &identity)),
                    station_cells: Arc::new(cell_index([station_mesh], features, &identity)),
                    key_of: identity.clone(),
                    feature_of_key: identity,
                }
            }
        }
    }
}

/// Keys carried over from the previous snapshot; new features get fresh ones.
struct Keys {
    key_of: Vec<u32>,
    feature_of_key: Vec<u32>,
}

impl Keys {
    fn carried(prev: &Snapshot, features: &[Feature]) -> Keys {
        let mut fresh = prev.feature_of_key.len() as u32;
        let key_of: Vec<u32> = features
            .iter()
            .map(|f| match prev.ids.get(f.layer(), &f.id) {
                Some(p) => prev.key_of[p as usize],
                None => {
                    fresh += 1;
                    fresh - 1
                }
            })
            .collect();
        let mut feature_of_key = vec![NONE; fresh as usize];
        for (i, key) in key_of.iter().enumerate() {
            feature_of_key[*key as usize] = i as u32;
        }
        Keys {
            key_of,
            feature_of_key,
        }
    }
}

/// What an edit changed in the cell indexes' meshes.
struct MeshChanges {
    /// Boxes (old and new) of grid or beat mesh polygons that appeared, went, moved or changed
    /// priority.
    cells: Vec<[f64; 4]>,
    stations: bool,
}

impl MeshChanges {
    fn between(prev: &Snapshot, features: &[Feature], key_of: &[u32], mesh_of: &[Mesh]) -> Self {
        let mut changes = MeshChanges {
            cells: Vec::new(),
            stations: false,
        };
        let mut note = |mesh: Mesh, f: &Feature| match mesh {
            Mesh::Grid | Mesh::Beat => changes.cells.extend(f.bbox()),
            Mesh::Station => changes.stations = true,
            Mesh::None => {}
        };
        let mut alive = vec![false; prev.features.len()];
        for (i, f) in features.iter().enumerate() {
            let old = prev.feature_of_key.get(key_of[i] as usize).copied();
            let old = old.filter(|p| *p != NONE).map(|p| p as usize);
            if let Some(p) = old {
                alive[p] = true;
            }
            let (new_mesh, old_mesh) = (mesh_of[i], old.map_or(Mesh::None, |p| prev.mesh_of[p]));
            if new_mesh == Mesh::None && old_mesh == Mesh::None {
                continue;
            }
            let same = old.is_some_and(|p| {
                let before = &prev.features[p];
                new_mesh == old_mesh && before.shape == f.shape && before.level() == f.level()
            });
            if !same {
                note(new_mesh, f);
                if let Some(p) = old {
                    note(old_mesh, &prev.features[p]);
                }
            }
        }
        for (p, f) in prev.features.iter().enumerate() {
            if !alive[p] {
                note(prev.mesh_of[p], f);
            }
        }
        changes
    }
}

/// Each mesh member's position in its mesh, for ordering the members of a patch.
fn ranks<const M: usize>(features: usize, meshes: [&[u32]; M]) -> Vec<u32> {
    let mut rank = vec![u32::MAX; features];
    for members in meshes {
        for (position, i) in members.iter().enumerate() {
            rank[*i as usize] = position as u32;
        }
    }
    rank
}

/// The cell index over `meshes` (feature indices, in priority order) answering `labels[i]`.
fn cell_index<const M: usize>(
    meshes: [&[u32]; M],
    features: &[Feature],
    labels: &[u32],
) -> CellIndex<M> {
    let polygons = meshes.map(|members| mesh_polygons(members, features));
    let labels = meshes.map(|members| members_labels(members, labels));
    let mut index = CellIndex::build(polygons);
    index.relabel(labels.each_ref().map(Vec::as_slice));
    index
}

fn mesh_polygons(members: &[u32], features: &[Feature]) -> Vec<MeshPolygon> {
    members
        .iter()
        .map(|i| MeshPolygon::new(feature_edges(&features[*i as usize])))
        .collect()
}

fn members_labels(members: &[u32], labels: &[u32]) -> Vec<u32> {
    members.iter().map(|i| labels[*i as usize]).collect()
}

/// `cells` with the regions around `dirty` rebuilt, each from the mesh members `meeting`
/// finds for its box, and compacted once patches hold too much of it; `None` when the edit
/// is too large for patches to pay.
fn patch_cells(
    cells: &CellIndex<2>,
    dirty: &[[f64; 4]],
    meeting: impl Fn([f64; 4]) -> [Vec<u32>; 2],
    features: &[Feature],
    key_of: &[u32],
) -> Option<CellIndex<2>> {
    let mut ranges = Vec::new();
    for area in merged_boxes(dirty) {
        ranges.push(cells.range_of(area)?);
    }
    let cells_rebuilt: usize = ranges.iter().map(|r| r.cells()).sum();
    if cells_rebuilt as f64 > PATCH_SHARE * cells.coarse_cells() as f64 {
        return None;
    }
    let mut next: Option<CellIndex<2>> = None;
    for range in &ranges {
        let members = meeting(range.bbox);
        let polygons = members.each_ref().map(|m| mesh_polygons(m, features));
        let labels = members.each_ref().map(|m| members_labels(m, key_of));
        let base = next.as_ref().unwrap_or(cells);
        next = Some(base.rebuilt_in(range, polygons, labels.each_ref().map(Vec::as_slice)));
    }
    let next = next?;
    let (_, patch_bytes) = next.patches();
    if patch_bytes as f64 > PATCH_SHARE * next.memory_bytes() as f64 {
        return Some(next.compacted());
    }
    Some(next)
}

/// `boxes` with every group of overlapping boxes replaced by the box around the group.
fn merged_boxes(boxes: &[[f64; 4]]) -> Vec<[f64; 4]> {
    let meet =
        |a: &[f64; 4], b: &[f64; 4]| a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
    let union = |a: [f64; 4], b: [f64; 4]| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    };
    let mut merged: Vec<[f64; 4]> = Vec::new();
    for b in boxes {
        let mut b = *b;
        // Growing a box may make it meet ones merged before: fold until none does.
        while let Some(k) = merged.iter().position(|m| meet(m, &b)) {
            b = union(b, merged.swap_remove(k));
        }
        merged.push(b);
    }
    merged
}

/// Areal features whose bounding box meets `bbox` (lng/lat), in feature order.
fn areal_meeting(boxes: &RTree<BoxEntry>, bbox: [f64; 4]) -> Vec<u32> {
    let env = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
    let mut v: Vec<u32> = boxes
        .locate_in_envelope_intersecting(&env)
        .map(|e| e.data)
        .collect();
    v.sort_unstable();
    v
}

/// Feature indices by layer and id, looked up with a borrowed id (no allocation per lookup).
struct Ids([FxHashMap<String, u32>; 4]);

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

/// What parent inference needs before the snapshot exists.
struct Lookup<'a> {
    features: &'a [Feature],
    ids: &'a Ids,
    boxes: &'a RTree<BoxEntry>,
}

impl Lookup<'_> {
    /// Explicit parents where given and present; otherwise the grid one level up containing
    /// the feature's interior point (cities import one level at a time).
    fn parents(&self) -> Vec<Option<u32>> {
        self.features
            .iter()
            .map(|f| {
                let explicit = match f.layer() {
                    Layer::Grid => f.parent().and_then(|p| self.ids.get(Layer::Grid, p)),
                    Layer::Beat => f.parent().and_then(|p| self.ids.get(Layer::Station, p)),
                    _ => None,
                };
                explicit.or_else(|| {
                    let inner = f.area()?.interior_point()?;
                    match f.layer() {
                        Layer::Grid => {
                            let lvl = f.level()?;
                            let up = lvl.checked_sub(1)?;
                            self.containing(Layer::Grid, inner.x(), inner.y(), |g| {
                                g.level() == Some(up)
                            })
                        }
                        Layer::Beat => {
                            self.containing(Layer::Station, inner.x(), inner.y(), |_| true)
                        }
                        _ => None,
                    }
                })
            })
            .collect()
    }

    /// The first feature of `layer` (by id) that contains the point and passes `keep`.
    fn containing(
        &self,
        layer: Layer,
        x: f64,
        y: f64,
        keep: impl Fn(&Feature) -> bool,
    ) -> Option<u32> {
        let mut found: Vec<u32> = self
            .boxes
            .locate_all_at_point(&[x, y])
            .map(|e| e.data)
            .filter(|i| {
                let f = &self.features[*i as usize];
                f.layer() == layer
                    && keep(f)
                    && f.area().is_some_and(|mp| contains(&edges_of(mp), x, y))
            })
            .collect();
        found.sort_unstable();
        found.first().copied()
    }
}

/// Grids whose children cover them exactly (by area) answer through their children, so the
/// cell index needs only the leaves; a parent with gaps stays in to answer for the gaps.
fn covered_by_children(
    features: &[Feature],
    parents: &[Option<u32>],
    projection: &EqualArea,
) -> Vec<bool> {
    let area = |f: &Feature| f.area().map_or(0.0, |mp| projection.area(mp));
    let mut children_area = vec![0.0; features.len()];
    for (i, f) in features.iter().enumerate() {
        if let (Layer::Grid, Some(p)) = (f.layer(), parents[i]) {
            children_area[p as usize] += area(f);
        }
    }
    features
        .iter()
        .zip(children_area)
        .map(|(f, sum)| f.layer() == Layer::Grid && sum > 0.0 && sum >= area(f) * (1.0 - 1e-9))
        .collect()
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

fn bounds_of(features: &[Feature]) -> [f64; 4] {
    let mut b = [
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    ];
    for f in features {
        if let Some(fb) = f.bbox() {
            b = [
                b[0].min(fb[0]),
                b[1].min(fb[1]),
                b[2].max(fb[2]),
                b[3].max(fb[3]),
            ];
        }
    }
    if b[0].is_finite() {
        b
    } else {
        [0.0, 0.0, 0.0, 0.0]
    }
}
