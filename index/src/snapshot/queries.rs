//! Point and box queries on a snapshot: locate, cameras near a point, neighbours near a
//! boundary, the nearest grid.

use super::upkeep::areal_meeting;
use super::*;

impl Snapshot {
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
    pub(super) fn feature_at(&self, key: u32) -> u32 {
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

    pub(super) fn hit(&self, g: u32, b: u32, lng: f64, lat: f64) -> Hit {
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

    /// Features whose bounding box meets `bbox` (lng/lat), for polygon queries.
    pub fn areal_in(&self, bbox: [f64; 4]) -> Vec<u32> {
        areal_meeting(&self.boxes, bbox)
    }

    /// Features of `layer` whose geometry meets `bbox` (lng/lat, edges included), in feature
    /// (id) order: the OGC API `bbox` query.
    pub fn layer_in(&self, layer: Layer, bbox: [f64; 4]) -> Vec<u32> {
        use geo::Intersects;
        let rect = geo_types::Rect::new(
            geo_types::coord! { x: bbox[0], y: bbox[1] },
            geo_types::coord! { x: bbox[2], y: bbox[3] },
        );
        let candidates = if layer.is_areal() {
            self.areal_in(bbox)
        } else {
            self.cameras_in(bbox)
        };
        candidates
            .into_iter()
            .filter(|i| {
                let f = self.feature(*i);
                f.layer() == layer
                    && match &f.shape {
                        crate::Shape::Area(mp) => mp.intersects(&rect),
                        crate::Shape::Point(p) => rect.intersects(p),
                    }
            })
            .collect()
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
}
