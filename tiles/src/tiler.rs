//! The tiler: layers prepared once per data version, then rendered to MVT on request.
//!
//! Everything that does not depend on the requested tile happens in [`Tiler::new`]: projecting
//! to Web-Mercator, interning properties, finding the shared arcs, simplifying them for each
//! zoom band, placing labels and building one R-tree per layer and band. A request then only
//! queries the R-tree, quantises, clips and writes bytes.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use rstar::{RTree, RTreeObject, AABB};

use crate::coverage::Topology;
use crate::feature::{TileGeometry, TileLayer};
use crate::label::label_point;
use crate::mvt::{Commands, GeomType, LayerEncoder};
use crate::render::{AreaEncoder, TileFrame};
use crate::rings::{bbox, grow, Rings};
use crate::tags::TagTable;
use crate::tile_id::{lnglat_to_world, tiles_per_axis, TileId, EXTENT, MAX_LATITUDE};

/// How a [`Tiler`] prepares its layers.
#[derive(Clone, Debug, PartialEq)]
pub struct TilerOptions {
    /// Tile units (of 4096 across a tile) of geometry kept beyond each tile edge, so that
    /// outlines are stroked past the seam and tiles join without visible breaks.
    pub buffer: u32,
    /// The highest zoom of each simplified band. Tiles of zoom `z` use the first band with
    /// `z <= band`, simplified for that band's highest zoom; zooms past the last band (at most
    /// [`TileId::MAX_ZOOM`]) get the data at full detail.
    pub bands: Vec<u8>,
    /// The Douglas–Peucker tolerance in tile units at each band's highest zoom. One unit is an
    /// eighth of a pixel on a 512-pixel tile: finer than the eye and than quantisation.
    pub tolerance: f64,
}

impl Default for TilerOptions {
    fn default() -> Self {
        TilerOptions {
            buffer: 64,
            bands: vec![6, 8, 10, 12, 14],
            tolerance: 1.0,
        }
    }
}

/// A prepared, immutable source of vector tiles, built once per data version and shared by
/// every request (it is `Send + Sync`).
///
/// For every layer `X` with polygons it also serves `X_label`: one point per polygon feature,
/// at its pole of inaccessibility, with the same id and properties, in the one tile of each
/// zoom that contains it, so that each grid is labelled once.
///
/// ```
/// use geo_types::{point, polygon};
/// use onemap_tiles::{tiles_covering, PropValue, TileFeature, TileLayer, Tiler, TilerOptions};
///
/// let grid = TileFeature {
///     id: 7,
///     geometry: polygon![
///         (x: 121.40, y: 28.60), (x: 121.41, y: 28.60), (x: 121.41, y: 28.61), (x: 121.40, y: 28.61),
///     ].into(),
///     properties: vec![("name".into(), PropValue::from("白云网格"))],
///     min_zoom: 12,
/// };
/// let camera = TileFeature {
///     id: 8,
///     geometry: point!(x: 121.405, y: 28.605).into(),
///     properties: vec![("status".into(), PropValue::from("online"))],
///     min_zoom: 13,
/// };
/// let tiler = Tiler::new(
///     vec![
///         TileLayer { name: "grid".into(), features: vec![grid] },
///         TileLayer { name: "camera".into(), features: vec![camera] },
///     ],
///     TilerOptions::default(),
/// );
/// assert_eq!(tiler.layer_names(), ["grid", "grid_label", "camera"]);
///
/// let tile = tiles_covering([121.405, 28.605, 121.405, 28.605], 14).next().unwrap();
/// let mvt = tiler.render(&[], tile).expect("the grid and the camera are in this tile");
/// assert!(mvt.len() > 50);
/// // Grids start at z12: at z11 there is nothing to draw.
/// let tile = tiles_covering([121.405, 28.605, 121.405, 28.605], 11).next().unwrap();
/// assert_eq!(tiler.render(&["grid"], tile), None);
/// ```
pub struct Tiler {
    layers: Vec<PreparedLayer>,
    /// Each band's highest zoom; the last is `u8::MAX`, the full-detail band.
    bands: Vec<u8>,
    buffer: u32,
    bounds: [f64; 4],
}

impl Tiler {
    /// Prepares `layers` for rendering; every layer with polygons gets an `X_label` layer
    /// right after it. Coordinates that are not finite are skipped.
    pub fn new(layers: Vec<TileLayer>, options: TilerOptions) -> Tiler {
        Self::prepare(layers, options, None)
    }

    /// The tiler of `layers` after an edit to the data `self` was made from: the same tiles
    /// [`Tiler::new`] would give, but features whose id and coordinates are as they were keep
    /// their label points instead of placing them again, the slowest step of preparing.
    pub fn next(&self, layers: Vec<TileLayer>, options: TilerOptions) -> Tiler {
        Self::prepare(layers, options, Some(self))
    }

    fn prepare(layers: Vec<TileLayer>, options: TilerOptions, previous: Option<&Tiler>) -> Tiler {
        let mut bands = options.bands;
        bands.retain(|&b| b <= TileId::MAX_ZOOM);
        bands.sort_unstable();
        bands.dedup();
        bands.push(u8::MAX);
        let tolerance = if options.tolerance.is_finite() {
            options.tolerance.max(0.0)
        } else {
            0.0
        };
        // Layers are independent: prepare them side by side, each with its own bounds.
        let per_layer: Vec<(Vec<PreparedLayer>, Bounds)> = std::thread::scope(|s| {
            let workers: Vec<_> = layers
                .iter()
                .map(|layer| {
                    let bands = &bands;
                    let known = previous.and_then(|t| KnownLabels::of(t, &layer.name));
                    s.spawn(move || prepare_layer(layer, bands, tolerance, known.as_ref()))
                })
                .collect();
            workers
                .into_iter()
                .map(|w| w.join().expect("preparing a layer does not panic"))
                .collect()
        });
        let mut bounds = Bounds::default();
        let mut prepared = Vec::with_capacity(layers.len() * 2);
        for (layers, layer_bounds) in per_layer {
            bounds.merge(&layer_bounds);
            prepared.extend(layers);
        }
        Tiler {
            layers: prepared,
            bands,
            buffer: options.buffer,
            bounds: bounds.lnglat(),
        }
    }

    /// The MVT 2.1 tile (uncompressed) with the layers named in `layers`, or all layers when it
    /// is empty, in [`Tiler::layer_names`] order. Label layers are asked for by their own name.
    /// `None` when no feature touches the tile, or the tile does not exist (a hand-made
    /// `TileId` beyond [`TileId::MAX_ZOOM`] or outside its zoom).
    pub fn render(&self, layers: &[&str], tile: TileId) -> Option<Vec<u8>> {
        if tile.z > TileId::MAX_ZOOM {
            return None;
        }
        let band = self
            .bands
            .iter()
            .position(|&b| tile.z <= b)
            .unwrap_or(self.bands.len() - 1);
        let [x0, y0, x1, y1] = tile.world_bbox(f64::from(self.buffer));
        let window = AABB::from_corners([x0, y0], [x1, y1]);
        let frame = TileFrame::new(tile, self.buffer);
        let mut scratch = Scratch::default();
        let mut out = Vec::new();
        for layer in &self.layers {
            if layers.is_empty() || layers.contains(&layer.name.as_str()) {
                layer.render(band, tile.z, &window, &frame, &mut scratch, &mut out);
            }
        }
        (!out.is_empty()).then_some(out)
    }

    /// The names of the layers tiles can hold, in the order tiles hold them.
    pub fn layer_names(&self) -> Vec<String> {
        self.layers.iter().map(|l| l.name.clone()).collect()
    }

    /// `[west, south, east, north]` of all the data, for TileJSON; the whole Web-Mercator
    /// square when there is none.
    pub fn bounds(&self) -> [f64; 4] {
        self.bounds
    }
}

impl fmt::Debug for Tiler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let layers: Vec<_> = self.layers.iter().map(|l| (&l.name, l.ids.len())).collect();
        f.debug_struct("Tiler")
            .field("layers", &layers)
            .field("bands", &self.bands)
            .field("buffer", &self.buffer)
            .field("bounds", &self.bounds)
            .finish()
    }
}

/// A layer prepared for rendering, followed by its label layer if it has polygons, and the
/// bounds of its coordinates.
fn prepare_layer(
    layer: &TileLayer,
    bands: &[u8],
    tolerance: f64,
    known: Option<&KnownLabels>,
) -> (Vec<PreparedLayer>, Bounds) {
    let mut bounds = Bounds::default();
    let source = Source::new(layer, &mut bounds);
    // Placing labels is slow and independent of simplification: overlap them.
    let (mut base, labels) = std::thread::scope(|s| {
        let labels = source
            .has_areas
            .then(|| s.spawn(|| label_points(&source, layer, known)));
        let base = PreparedLayer::base(layer, &source, bands, tolerance);
        let labels = labels.map(|points| points.join().expect("labelling does not panic"));
        (base, labels)
    });
    let labels = labels.map(|points| PreparedLayer::labels(&base, points, bands));
    base.source = source.has_areas.then(|| Arc::new(source));
    (std::iter::once(base).chain(labels).collect(), bounds)
}

/// The growing lng/lat box of everything seen.
#[derive(Default)]
struct Bounds(Option<[f64; 4]>);

impl Bounds {
    fn add(&mut self, lng: f64, lat: f64) {
        self.0 = Some(grow(self.0, [lng, lat]));
    }

    fn merge(&mut self, other: &Bounds) {
        if let Some(b) = other.0 {
            self.add(b[0], b[1]);
            self.add(b[2], b[3]);
        }
    }

    fn lnglat(&self) -> [f64; 4] {
        self.0
            .unwrap_or([-180.0, -MAX_LATITUDE, 180.0, MAX_LATITUDE])
    }
}

/// A layer's features projected to world coordinates, before simplification.
#[derive(Debug)]
struct Source {
    rings: Rings,
    shapes: Vec<Shape>,
    /// Each feature's world bbox, `None` when it has no usable coordinates.
    bboxes: Vec<Option<[f64; 4]>>,
    has_areas: bool,
}

impl Source {
    fn new(layer: &TileLayer, bounds: &mut Bounds) -> Source {
        let mut source = Source {
            rings: Rings::default(),
            shapes: Vec::with_capacity(layer.features.len()),
            bboxes: Vec::with_capacity(layer.features.len()),
            has_areas: false,
        };
        for feature in &layer.features {
            let first_point = source.rings.coords.len();
            let shape = match &feature.geometry {
                TileGeometry::Point(p) => {
                    let finite = p.x().is_finite() && p.y().is_finite();
                    if finite {
                        bounds.add(p.x(), p.y());
                    }
                    let world = lnglat_to_world(p.x(), p.y());
                    source
                        .bboxes
                        .push(finite.then_some([world[0], world[1], world[0], world[1]]));
                    Shape::Point(world)
                }
                TileGeometry::MultiPolygon(mp) => {
                    source.has_areas = true;
                    let first_ring = source.rings.spans.len() as u32;
                    for polygon in &mp.0 {
                        source.rings.push_polygon(polygon, |c| {
                            bounds.add(c.x, c.y);
                            lnglat_to_world(c.x, c.y)
                        });
                    }
                    source
                        .bboxes
                        .push(bbox(source.rings.coords[first_point..].iter().copied()));
                    Shape::Area(first_ring, source.rings.spans.len() as u32)
                }
            };
            source.shapes.push(shape);
        }
        source
    }
}

/// A feature's geometry in world coordinates: a point, or a range of ring spans of the band.
#[derive(Clone, Copy, Debug)]
enum Shape {
    Point([f64; 2]),
    Area(u32, u32),
}

/// A feature's bbox in an R-tree.
#[derive(Debug)]
struct Entry {
    bbox: AABB<[f64; 2]>,
    feature: u32,
}

impl RTreeObject for Entry {
    type Envelope = AABB<[f64; 2]>;
    fn envelope(&self) -> Self::Envelope {
        self.bbox
    }
}

/// A layer's geometry for one band of zooms.
struct Band {
    /// Simplified rings, with the same spans as the source; empty for features not in the band.
    rings: Rings,
    /// The features with `min_zoom` within the band. Bands with the same features share one.
    index: Arc<RTree<Entry>>,
}

struct PreparedLayer {
    name: String,
    ids: Vec<u64>,
    min_zoom: Vec<u8>,
    shapes: Vec<Shape>,
    /// Shared with the layer's label layer, whose features are the same.
    tags: Arc<TagTable>,
    bands: Vec<Band>,
    /// A polygon layer's input, kept so the next tiler can tell which features changed.
    source: Option<Arc<Source>>,
}

impl PreparedLayer {
    /// The layer itself, its polygons simplified per band as one coverage.
    fn base(layer: &TileLayer, source: &Source, bands: &[u8], tolerance: f64) -> PreparedLayer {
        let min_zoom: Vec<u8> = layer.features.iter().map(|f| f.min_zoom).collect();
        let mut ring_active = vec![false; source.rings.spans.len()];
        // The topology of the rings active in a band, kept while the next bands add none.
        let mut topology: Option<(usize, Topology)> = None;
        let mut prepared_bands: Vec<Band> = Vec::with_capacity(bands.len());
        for &band in bands {
            for (f, shape) in source.shapes.iter().enumerate() {
                if let (Shape::Area(s, e), true) = (shape, min_zoom[f] <= band) {
                    ring_active[*s as usize..*e as usize].fill(true);
                }
            }
            let active = ring_active.iter().filter(|&&a| a).count();
            let rings = if active == 0 {
                Rings::default()
            } else {
                if topology.as_ref().is_some_and(|(seen, _)| *seen != active) {
                    topology = None;
                }
                let (_, current) = topology
                    .get_or_insert_with(|| (active, Topology::new(&source.rings, &ring_active)));
                let world_tolerance = (band != u8::MAX)
                    .then(|| tolerance / (f64::from(EXTENT) * tiles_per_axis(band)));
                current.simplify(world_tolerance)
            };
            let index = band_index(prepared_bands.last(), &source.bboxes, &min_zoom, band);
            prepared_bands.push(Band { rings, index });
        }
        PreparedLayer {
            name: layer.name.clone(),
            ids: layer.features.iter().map(|f| f.id).collect(),
            tags: Arc::new(TagTable::new(
                layer.features.iter().map(|f| f.properties.as_slice()),
            )),
            min_zoom,
            shapes: source.shapes.clone(),
            bands: prepared_bands,
            source: None,
        }
    }

    /// The `X_label` layer of a polygon layer, with a feature for each of `points`.
    fn labels(base: &PreparedLayer, points: Vec<Option<[f64; 2]>>, bands: &[u8]) -> PreparedLayer {
        let bboxes: Vec<_> = points
            .iter()
            .map(|p| p.map(|p| [p[0], p[1], p[0], p[1]]))
            .collect();
        let mut prepared_bands: Vec<Band> = Vec::with_capacity(bands.len());
        for &band in bands {
            let index = band_index(prepared_bands.last(), &bboxes, &base.min_zoom, band);
            prepared_bands.push(Band {
                rings: Rings::default(),
                index,
            });
        }
        PreparedLayer {
            name: format!("{}_label", base.name),
            ids: base.ids.clone(),
            min_zoom: base.min_zoom.clone(),
            // A feature without a label has no bbox, so it is in no index and never drawn.
            shapes: points
                .iter()
                .map(|p| Shape::Point(p.unwrap_or([f64::NAN; 2])))
                .collect(),
            tags: Arc::clone(&base.tags),
            bands: prepared_bands,
            source: None,
        }
    }

    fn render(
        &self,
        band: usize,
        z: u8,
        window: &AABB<[f64; 2]>,
        frame: &TileFrame,
        s: &mut Scratch,
        out: &mut Vec<u8>,
    ) {
        let band = &self.bands[band];
        s.candidates.clear();
        s.candidates.extend(
            band.index
                .locate_in_envelope_intersecting(window)
                .map(|e| e.feature),
        );
        // Input order, so that tiles come out the same whatever the tree's shape.
        s.candidates.sort_unstable();
        let candidates = std::mem::take(&mut s.candidates);
        for &f in &candidates {
            let f = f as usize;
            if self.min_zoom[f] <= z {
                s.draw(
                    frame,
                    &band.rings,
                    self.shapes[f],
                    self.ids[f],
                    self.tags.feature(f),
                );
            }
        }
        s.candidates = candidates;
        if !s.layer.is_empty() {
            s.layer.finish(&self.name, &self.tags, out);
        }
    }
}

/// One tile of `layer` drawn directly, without preparing a [`Tiler`]: no simplification, no
/// labels, every feature tested against the tile. For small layers made for one request (a
/// heatmap's hexagons), where preparing a tiler would cost more than drawing the tile. `None`
/// when nothing is in the tile.
///
/// ```
/// use geo_types::polygon;
/// use onemap_tiles::{render_layer, tiles_covering, TileFeature, TileLayer};
///
/// let hexagon = TileFeature {
///     id: 1,
///     geometry: polygon![
///         (x: 121.40, y: 28.60), (x: 121.42, y: 28.60), (x: 121.42, y: 28.62), (x: 121.40, y: 28.62),
///     ].into(),
///     properties: vec![("count".into(), 12i64.into())],
///     min_zoom: 0,
/// };
/// let layer = TileLayer { name: "heatmap".into(), features: vec![hexagon] };
/// let tile = tiles_covering([121.41, 28.61, 121.41, 28.61], 12).next().unwrap();
/// assert!(render_layer(&layer, tile, 64).is_some());
/// let elsewhere = tiles_covering([100.0, 20.0, 100.0, 20.0], 12).next().unwrap();
/// assert!(render_layer(&layer, elsewhere, 64).is_none());
/// ```
pub fn render_layer(layer: &TileLayer, tile: TileId, buffer: u32) -> Option<Vec<u8>> {
    if tile.z > TileId::MAX_ZOOM {
        return None;
    }
    let source = Source::new(layer, &mut Bounds::default());
    let tags = TagTable::new(layer.features.iter().map(|f| f.properties.as_slice()));
    let frame = TileFrame::new(tile, buffer);
    let [x0, y0, x1, y1] = tile.world_bbox(f64::from(buffer));
    let mut s = Scratch::default();
    for (f, feature) in layer.features.iter().enumerate() {
        let inside =
            source.bboxes[f].is_some_and(|b| b[0] <= x1 && b[2] >= x0 && b[1] <= y1 && b[3] >= y0);
        if inside && feature.min_zoom <= tile.z {
            s.draw(
                &frame,
                &source.rings,
                source.shapes[f],
                feature.id,
                tags.feature(f),
            );
        }
    }
    let mut out = Vec::new();
    if !s.layer.is_empty() {
        s.layer.finish(&layer.name, &tags, &mut out);
    }
    (!out.is_empty()).then_some(out)
}

/// The R-tree of the features (with a bbox) whose `min_zoom` is at most `band`. Bands are
/// visited in increasing order, so a band with no more features than the previous one has
/// the same features and reuses its tree.
fn band_index(
    previous: Option<&Band>,
    bboxes: &[Option<[f64; 4]>],
    min_zoom: &[u8],
    band: u8,
) -> Arc<RTree<Entry>> {
    let entries: Vec<Entry> = bboxes
        .iter()
        .zip(min_zoom)
        .enumerate()
        .filter(|(_, (_, &z))| z <= band)
        .filter_map(|(f, (bbox, _))| {
            bbox.map(|b| Entry {
                bbox: AABB::from_corners([b[0], b[1]], [b[2], b[3]]),
                feature: f as u32,
            })
        })
        .collect();
    match previous {
        Some(previous) if previous.index.size() == entries.len() => Arc::clone(&previous.index),
        _ => Arc::new(RTree::bulk_load(entries)),
    }
}

/// The label points a previous tiler placed for one layer, by feature id.
struct KnownLabels<'t> {
    source: &'t Source,
    at: HashMap<u64, usize>,
    points: &'t [Shape],
}

impl<'t> KnownLabels<'t> {
    fn of(tiler: &'t Tiler, layer: &str) -> Option<Self> {
        let base = tiler.layers.iter().position(|l| l.name == layer)?;
        let labels = tiler.layers.get(base + 1)?;
        let base = &tiler.layers[base];
        Some(KnownLabels {
            source: base.source.as_deref()?,
            at: base
                .ids
                .iter()
                .enumerate()
                .map(|(i, id)| (*id, i))
                .collect(),
            points: &labels.shapes,
        })
    }

    /// The label point placed before for feature `id`, if its rings were `rings` then too.
    fn get(&self, id: u64, rings: &Rings, spans: (u32, u32)) -> Option<Option<[f64; 2]>> {
        let &old = self.at.get(&id)?;
        let Shape::Area(s, e) = self.source.shapes[old] else {
            return None;
        };
        let same = (e - s) == (spans.1 - spans.0)
            && (s..e).zip(spans.0..spans.1).all(|(a, b)| {
                let (a, b) = (a as usize, b as usize);
                self.source.rings.spans[a].exterior == rings.spans[b].exterior
                    && self.source.rings.ring(a) == rings.ring(b)
            });
        let Shape::Point(p) = self.points[old] else {
            return None;
        };
        same.then_some(p[0].is_finite().then_some(p))
    }
}

/// A label point for each polygon feature of `source`, in the largest of its polygons, computed
/// on all cores (or taken from `known` where the feature is unchanged); `None` for points and
/// for polygons without area.
fn label_points(
    source: &Source,
    layer: &TileLayer,
    known: Option<&KnownLabels>,
) -> Vec<Option<[f64; 2]>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = source.shapes.len().div_ceil(threads).max(1);
    let label = |f: usize| match source.shapes[f] {
        Shape::Area(s, e) => known
            .and_then(|k| k.get(layer.features[f].id, &source.rings, (s, e)))
            .unwrap_or_else(|| label_point(&source.rings, s as usize..e as usize)),
        Shape::Point(_) => None,
    };
    let features: Vec<usize> = (0..source.shapes.len()).collect();
    std::thread::scope(|s| {
        let parts: Vec<_> = features
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(|&f| label(f)).collect::<Vec<_>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|part| part.join().expect("labelling does not panic"))
            .collect()
    })
}

/// Buffers reused across the layers and features of one request.
#[derive(Default)]
struct Scratch {
    candidates: Vec<u32>,
    commands: Commands,
    areas: AreaEncoder,
    layer: LayerEncoder,
}

impl Scratch {
    /// Adds the feature `id` with `shape` (its rings in `rings`) to the layer being encoded,
    /// clipped to `frame`, unless nothing of it is left in the tile.
    fn draw(&mut self, frame: &TileFrame, rings: &Rings, shape: Shape, id: u64, tags: &[[u32; 2]]) {
        self.commands.clear();
        let kind = match shape {
            Shape::Point(p) => {
                if let Some(p) = frame.point(p) {
                    self.commands.point(p);
                }
                GeomType::Point
            }
            Shape::Area(start, end) => {
                self.areas.encode(
                    frame,
                    rings,
                    start as usize..end as usize,
                    &mut self.commands,
                );
                GeomType::Polygon
            }
        };
        if !self.commands.is_empty() {
            self.layer.add_feature(id, kind, tags, &self.commands);
        }
    }
}
