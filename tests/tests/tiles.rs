//! Vector tiles of a real `onemap serve` process, decoded by the reference decoder (npm
//! `@mapbox/vector-tile` 3 in `tests/mvt/decode.mjs`) and checked against MVT 2.1, PostGIS
//! `ST_AsMVT`, the server's own `/v1/locate` and the rules of HTTP caching.
//!
//! The tile arithmetic here is written from the Web-Mercator formulas, independently of the
//! `onemap-tiles` crate under test.

use onemap_data::demo::{generate, DemoConfig};
use onemap_data::geojson_io::layer_to_geojson;
use onemap_index::{City, Feature, Layer, Shape};
use onemap_tests::{call, Server, TempDir, TestDatabase, PLANNER};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::f64::consts::PI;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

/// Tile units across a tile.
const EXTENT: f64 = 4096.0;
/// Tile units the server draws beyond each tile edge (`TilerOptions::default().buffer`).
const BUFFER: i64 = 64;
const MVT: &str = "application/vnd.mapbox-vector-tile";
const POLYGON_LAYERS: [&str; 3] = ["grid", "beat", "station"];
const ALL_LAYERS: [&str; 7] = [
    "grid",
    "grid_label",
    "beat",
    "beat_label",
    "station",
    "station_label",
    "camera",
];

// ---------------------------------------------------------------------------------------------
// A generated city, imported over HTTP into a real server.

struct Served {
    server: Server,
    city: City,
    /// `[west, south, east, north]` of every coordinate of the city.
    bounds: [f64; 4],
    _dir: TempDir,
}

/// The city most tests read (and never edit): 1,500 level-3 grids.
fn fixture() -> &'static Served {
    static F: OnceLock<Served> = OnceLock::new();
    F.get_or_init(|| serve_city("tiles", 1500))
}

/// A fresh server with a generated city of `grids` level-3 grids, imported over HTTP.
fn serve_city(tag: &str, grids: usize) -> Served {
    let dir = TempDir::new(tag);
    let server = Server::start(&dir.0.join("city.gpkg"), &["--empty"]);
    let city = generate(&DemoConfig::with_grids(grids));
    let (status, v) = post_json(
        &server.url("/v1/people/import"),
        &serde_json::to_string(&city.people).unwrap(),
    );
    assert_eq!(status, 200, "importing people: {v}");
    for layer in Layer::ALL {
        import(&server, layer, &layer_to_geojson(city.layer(layer)));
    }
    let bounds = city
        .features
        .iter()
        .flat_map(coordinates)
        .fold([f64::MAX, f64::MAX, f64::MIN, f64::MIN], |b, [x, y]| {
            [b[0].min(x), b[1].min(y), b[2].max(x), b[3].max(y)]
        });
    Served {
        server,
        city,
        bounds,
        _dir: dir,
    }
}

fn post_json(url: &str, body: &str) -> (u16, Value) {
    let req = ureq::post(url)
        .set("Content-Type", "application/json")
        .set("Authorization", &format!("Bearer {PLANNER}"));
    let (status, v, _) = call(req, Some(body));
    (status, v)
}

/// Upserts a GeoJSON FeatureCollection into `layer`, as a planner.
fn import(server: &Server, layer: Layer, collection: &str) {
    let (status, v) = post_json(
        &server.url(&format!("/v1/layers/{layer}/import")),
        collection,
    );
    assert_eq!(status, 200, "importing {layer}: {v}");
}

fn coordinates(f: &Feature) -> Vec<[f64; 2]> {
    match &f.shape {
        Shape::Point(p) => vec![[p.x(), p.y()]],
        Shape::Area(mp) => mp
            .iter()
            .flat_map(|poly| std::iter::once(poly.exterior()).chain(poly.interiors()))
            .flat_map(|ring| ring.coords().map(|c| [c.x, c.y]))
            .collect(),
    }
}

/// The zoom from which the server draws a feature (`server/src/tilesource.rs`).
fn min_zoom(f: &Feature) -> u8 {
    match (f.layer(), f.level()) {
        (Layer::Grid, Some(0..=1)) => 0,
        (Layer::Grid, Some(2)) => 10,
        (Layer::Grid, _) => 12,
        (Layer::Beat, _) => 9,
        (Layer::Station, _) => 0,
        (Layer::Camera, _) => 13,
    }
}

/// The deepest grid level drawn at zoom `z`.
fn max_grid_level(z: u8) -> i64 {
    match z {
        0..=9 => 1,
        10..=11 => 2,
        _ => 4,
    }
}

/// The zoom from which a tile layer holds anything.
fn layer_min_zoom(layer: &str) -> u8 {
    match layer.trim_end_matches("_label") {
        "beat" => 9,
        "camera" => 13,
        _ => 0,
    }
}

// ---------------------------------------------------------------------------------------------
// Web-Mercator tiles.

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
struct Tile {
    z: u8,
    x: u32,
    y: u32,
}

/// Longitude/latitude to the unit square, y growing south.
fn world(lng: f64, lat: f64) -> [f64; 2] {
    [
        (lng + 180.0) / 360.0,
        0.5 - lat.to_radians().tan().asinh() / (2.0 * PI),
    ]
}

fn unworld([x, y]: [f64; 2]) -> [f64; 2] {
    [
        x * 360.0 - 180.0,
        (PI * (1.0 - 2.0 * y)).sinh().atan().to_degrees(),
    ]
}

impl Tile {
    fn n(self) -> f64 {
        f64::from(self.z).exp2()
    }

    fn containing(lng: f64, lat: f64, z: u8) -> Tile {
        let [x, y] = world(lng, lat);
        let n = f64::from(z).exp2();
        Tile {
            z,
            x: (x * n).floor() as u32,
            y: (y * n).floor() as u32,
        }
    }

    /// Every tile of zoom `z` touching `bbox`, row by row.
    fn covering(bbox: [f64; 4], z: u8) -> Vec<Tile> {
        let nw = Tile::containing(bbox[0], bbox[3], z);
        let se = Tile::containing(bbox[2], bbox[1], z);
        (nw.y..=se.y)
            .flat_map(|y| (nw.x..=se.x).map(move |x| Tile { z, x, y }))
            .collect()
    }

    /// A lng/lat point in this tile's units: 0..4096 inside the tile, y down.
    fn units(self, lng: f64, lat: f64) -> [f64; 2] {
        let [x, y] = world(lng, lat);
        [
            (x * self.n() - f64::from(self.x)) * EXTENT,
            (y * self.n() - f64::from(self.y)) * EXTENT,
        ]
    }

    /// A point in this tile's units to lng/lat.
    fn lnglat(self, [u, v]: [f64; 2]) -> [f64; 2] {
        unworld([
            (f64::from(self.x) + u / EXTENT) / self.n(),
            (f64::from(self.y) + v / EXTENT) / self.n(),
        ])
    }

    fn path(self) -> String {
        format!("{}/{}/{}.mvt", self.z, self.x, self.y)
    }

    /// How far apart two tiles of one zoom are, in tiles (Chebyshev).
    fn distance(self, other: Tile) -> u32 {
        self.x.abs_diff(other.x).max(self.y.abs_diff(other.y))
    }
}

/// `count` tiles of `tiles`, drawn with a fixed seed.
fn sample(tiles: &[Tile], count: usize, seed: u64) -> Vec<Tile> {
    let mut tiles = tiles.to_vec();
    tiles.shuffle(&mut ChaCha8Rng::seed_from_u64(seed));
    tiles.truncate(count);
    tiles.sort();
    tiles
}

// ---------------------------------------------------------------------------------------------
// HTTP.

struct Fetched {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

impl Fetched {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| {
            panic!(
                "expected a JSON body ({e}), got {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }
}

/// A GET whatever its status, with the raw body.
fn fetch(url: &str, headers: &[(&str, &str)]) -> Fetched {
    let mut req = ureq::get(url);
    for (k, v) in headers {
        req = req.set(k, v);
    }
    let response = match req.call() {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("GET {url}: {e}"),
    };
    let status = response.status();
    let headers = response
        .headers_names()
        .into_iter()
        .filter_map(|name| {
            let value = response.header(&name)?.to_string();
            Some((name.to_ascii_lowercase(), value))
        })
        .collect();
    let mut body = Vec::new();
    response
        .into_reader()
        .read_to_end(&mut body)
        .expect("reading the body");
    Fetched {
        status,
        headers,
        body,
    }
}

fn tile_url(server: &Server, layer: Option<&str>, tile: Tile) -> String {
    match layer {
        Some(layer) => server.url(&format!("/tiles/{layer}/{}", tile.path())),
        None => server.url(&format!("/tiles/{}", tile.path())),
    }
}

/// A tile as served: 200 with MVT bytes, or 204 (returned as no bytes).
fn tile_bytes(server: &Server, layer: Option<&str>, tile: Tile) -> Vec<u8> {
    let url = tile_url(server, layer, tile);
    let r = fetch(&url, &[]);
    match r.status {
        200 => {
            assert_eq!(r.header("content-type"), Some(MVT), "{url}");
            assert!(!r.body.is_empty(), "{url}: 200 with an empty body");
            r.body
        }
        204 => {
            assert!(r.body.is_empty(), "{url}: 204 with a body");
            Vec::new()
        }
        s => panic!("{url}: status {s}: {}", String::from_utf8_lossy(&r.body)),
    }
}

/// A gzip-encoded tile (asking with `Accept-Encoding: gzip`), gunzipped.
fn gzip_tile_bytes(server: &Server, layer: Option<&str>, tile: Tile) -> Vec<u8> {
    let url = tile_url(server, layer, tile);
    let r = fetch(&url, &[("Accept-Encoding", "gzip")]);
    match r.status {
        200 => {
            assert_eq!(r.header("content-encoding"), Some("gzip"), "{url}");
            gunzip(&r.body)
        }
        204 => Vec::new(),
        s => panic!("{url}: status {s}"),
    }
}

fn gunzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .expect("the body is gzip");
    out
}

/// `POST /v1/locate` of `points`: each point's grid and beat ids.
fn locate(server: &Server, points: &[[f64; 2]]) -> Vec<(Option<String>, Option<String>)> {
    let (status, v) = post_json(
        &server.url("/v1/locate"),
        &json!({ "points": points }).to_string(),
    );
    assert_eq!(status, 200, "batch locate: {v}");
    let id = |r: &Value, k: &str| r[k].as_str().map(str::to_string);
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| (id(r, "grid"), id(r, "beat")))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The reference decoder.

#[derive(Debug, Default, Deserialize)]
struct DecodedTile {
    layers: BTreeMap<String, DecodedLayer>,
}

#[derive(Debug, Deserialize)]
struct DecodedLayer {
    version: u32,
    extent: u32,
    features: Vec<DecodedFeature>,
}

#[derive(Debug, Deserialize)]
struct DecodedFeature {
    id: Option<u64>,
    #[serde(rename = "type")]
    kind: u8,
    properties: Map<String, Value>,
    /// `[command id, count]` runs, straight from the protobuf.
    commands: Vec<[u32; 2]>,
    /// `loadGeometry()`: rings closed by the decoder on ClosePath.
    rings: Vec<Vec<[i64; 2]>>,
    /// `classifyRings()`: indices into `rings`.
    polygons: Vec<Vec<i64>>,
    #[serde(default)]
    geojson: Option<Value>,
}

impl DecodedTile {
    fn features(&self, layer: &str) -> &[DecodedFeature] {
        self.layers.get(layer).map_or(&[], |l| &l.features)
    }

    fn ids(&self, layer: &str) -> BTreeSet<String> {
        self.features(layer)
            .iter()
            .map(|f| f.key().to_string())
            .collect()
    }

    fn feature(&self, layer: &str, id: &str) -> Option<&DecodedFeature> {
        self.features(layer).iter().find(|f| f.key() == id)
    }
}

impl DecodedFeature {
    /// The feature's string id (the `id` property).
    fn key(&self) -> &str {
        self.properties
            .get("id")
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    fn level(&self) -> Option<i64> {
        self.properties.get("level").and_then(Value::as_i64)
    }

    fn name(&self) -> Option<&str> {
        self.properties.get("name").and_then(Value::as_str)
    }

    /// The rings without the closing point the decoder repeats.
    fn open_rings(&self) -> impl Iterator<Item = &[[i64; 2]]> {
        self.rings.iter().map(|r| open(r))
    }

    /// Even-odd over all rings: inside an exterior and outside its holes.
    fn contains(&self, p: [f64; 2]) -> bool {
        self.open_rings()
            .filter(|ring| ring_crosses(ring, p))
            .count()
            % 2
            == 1
    }

    fn boundary_distance(&self, p: [f64; 2]) -> f64 {
        self.open_rings()
            .flat_map(edges)
            .map(|(a, b)| segment_distance(p, a, b))
            .fold(f64::INFINITY, f64::min)
    }

    fn point(&self) -> Option<[i64; 2]> {
        (self.kind == 1).then(|| self.rings.first()?.first().copied())?
    }
}

fn decoder_dir() -> &'static Path {
    static READY: OnceLock<PathBuf> = OnceLock::new();
    READY.get_or_init(|| {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("mvt");
        if !dir.join("node_modules/@mapbox/vector-tile").exists() {
            let out = Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund"])
                .current_dir(&dir)
                .output()
                .expect("npm (Node 20) is needed for the reference MVT decoder");
            assert!(
                out.status.success(),
                "npm ci in {} failed:\n{}",
                dir.display(),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        dir
    })
}

/// Decodes `tiles` with the reference decoder; empty tiles decode to no layers.
fn decode(tiles: &[(Tile, Vec<u8>)], geojson: bool) -> Vec<DecodedTile> {
    let scratch = TempDir::new("mvt");
    let request: Vec<Value> = tiles
        .iter()
        .enumerate()
        .map(|(i, (t, bytes))| {
            let file = scratch.0.join(format!("{i}.mvt"));
            std::fs::write(&file, bytes).expect("writing a tile file");
            json!({ "z": t.z, "x": t.x, "y": t.y, "file": file, "geojson": geojson })
        })
        .collect();
    let mut child = Command::new("node")
        .arg("decode.mjs")
        .current_dir(decoder_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("node is needed for the reference MVT decoder");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(Value::from(request).to_string().as_bytes())
        .expect("writing to the decoder");
    let out = child.wait_with_output().expect("the decoder runs");
    assert!(
        out.status.success(),
        "the reference decoder refused a tile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("the decoder's JSON")
}

/// Fetches and decodes `tiles` (of layer `layer`, or all); 204s decode to no layers.
fn fetch_decoded(
    server: &Server,
    layer: Option<&str>,
    tiles: &[Tile],
    geojson: bool,
) -> Vec<(Tile, DecodedTile)> {
    let bytes: Vec<(Tile, Vec<u8>)> = tiles
        .iter()
        .map(|&t| (t, tile_bytes(server, layer, t)))
        .collect();
    tiles.iter().copied().zip(decode(&bytes, geojson)).collect()
}

fn decode_one(tile: Tile, bytes: Vec<u8>) -> DecodedTile {
    decode(&[(tile, bytes)], false)
        .pop()
        .expect("one decoded tile")
}

// ---------------------------------------------------------------------------------------------
// Plane geometry in tile units.

fn open(ring: &[[i64; 2]]) -> &[[i64; 2]] {
    match ring {
        [first, .., last] if first == last => &ring[..ring.len() - 1],
        _ => ring,
    }
}

/// The edges of an open ring, closing edge included.
fn edges(ring: &[[i64; 2]]) -> impl Iterator<Item = ([i64; 2], [i64; 2])> + '_ {
    (0..ring.len()).map(move |i| (ring[i], ring[(i + 1) % ring.len()]))
}

/// Twice the area by the surveyor's formula, in tile coordinates (y down): MVT 2.1 calls a
/// ring with positive area an exterior.
fn twice_area(ring: &[[i64; 2]]) -> i64 {
    edges(ring).map(|(a, b)| a[0] * b[1] - b[0] * a[1]).sum()
}

fn twice_area_f64(ring: &[[f64; 2]]) -> f64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// Whether a ray from `p` towards +x crosses the edge (half-open in y, as in PNPOLY).
fn ring_crosses(ring: &[[i64; 2]], p: [f64; 2]) -> bool {
    edges(ring)
        .filter(|&(a, b)| {
            let (ax, ay, bx, by) = (a[0] as f64, a[1] as f64, b[0] as f64, b[1] as f64);
            (ay > p[1]) != (by > p[1]) && p[0] < ax + (p[1] - ay) * (bx - ax) / (by - ay)
        })
        .count()
        % 2
        == 1
}

fn segment_distance(p: [f64; 2], a: [i64; 2], b: [i64; 2]) -> f64 {
    let (a, b) = ([a[0] as f64, a[1] as f64], [b[0] as f64, b[1] as f64]);
    let d = [b[0] - a[0], b[1] - a[1]];
    let len2 = d[0] * d[0] + d[1] * d[1];
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((p[0] - a[0]) * d[0] + (p[1] - a[1]) * d[1]) / len2).clamp(0.0, 1.0)
    };
    (p[0] - a[0] - t * d[0]).hypot(p[1] - a[1] - t * d[1])
}

/// The part of a ring inside the tile itself (`[0, 4096]²`), by Sutherland–Hodgman.
fn clip_to_tile(ring: &[[i64; 2]]) -> Vec<[f64; 2]> {
    let mut out: Vec<[f64; 2]> = ring.iter().map(|p| [p[0] as f64, p[1] as f64]).collect();
    for (axis, bound, keep_above) in [
        (0, 0.0, true),
        (0, EXTENT, false),
        (1, 0.0, true),
        (1, EXTENT, false),
    ] {
        let inside = |p: &[f64; 2]| (p[axis] >= bound) == keep_above || p[axis] == bound;
        let input = std::mem::take(&mut out);
        for i in 0..input.len() {
            let (a, b) = (input[i], input[(i + 1) % input.len()]);
            if inside(&a) {
                out.push(a);
            }
            if inside(&a) != inside(&b) {
                let t = (bound - a[axis]) / (b[axis] - a[axis]);
                out.push([a[0] + t * (b[0] - a[0]), a[1] + t * (b[1] - a[1])]);
            }
        }
    }
    out
}

fn orient(a: [i64; 2], b: [i64; 2], c: [i64; 2]) -> i64 {
    ((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0])).signum()
}

/// `p` on segment `ab`, given the three are collinear.
fn within(a: [i64; 2], b: [i64; 2], p: [i64; 2]) -> bool {
    (a[0].min(b[0])..=a[0].max(b[0])).contains(&p[0])
        && (a[1].min(b[1])..=a[1].max(b[1])).contains(&p[1])
}

/// On a side of the buffered clip square, where the server documents zero-width bridges.
fn on_clip_border(p: [i64; 2]) -> bool {
    let (lo, hi) = (-BUFFER, 4096 + BUFFER);
    p[0] == lo || p[0] == hi || p[1] == lo || p[1] == hi
}

/// Where two non-adjacent edges of a ring meet, if they do, unless only on the clip square's
/// border (the bridges `tiles/src/clip.rs` documents, outside the visible tile).
fn edges_meet(a: [i64; 2], b: [i64; 2], c: [i64; 2], d: [i64; 2]) -> Option<String> {
    let (o1, o2, o3, o4) = (
        orient(a, b, c),
        orient(a, b, d),
        orient(c, d, a),
        orient(c, d, b),
    );
    if o1 != 0 && o2 != 0 && o3 != 0 && o4 != 0 {
        return (o1 != o2 && o3 != o4).then(|| format!("edges {a:?}-{b:?} and {c:?}-{d:?} cross"));
    }
    if o1 == 0 && o2 == 0 {
        let shared: Vec<[i64; 2]> = [(a, b, c), (a, b, d), (c, d, a), (c, d, b)]
            .into_iter()
            .filter(|&(s, e, p)| within(s, e, p))
            .map(|(_, _, p)| p)
            .collect();
        let border = [a, b, c, d].iter().all(|&p| on_clip_border(p))
            && (a[0] == b[0] && c[0] == a[0] || a[1] == b[1] && c[1] == a[1]);
        return (!shared.is_empty() && !border)
            .then(|| format!("collinear edges {a:?}-{b:?} and {c:?}-{d:?} overlap"));
    }
    let touch = [(a, b, c, o1), (a, b, d, o2), (c, d, a, o3), (c, d, b, o4)]
        .into_iter()
        .find(|&(s, e, p, o)| o == 0 && within(s, e, p))
        .map(|(_, _, p, _)| p)?;
    (!on_clip_border(touch))
        .then(|| format!("edges {a:?}-{b:?} and {c:?}-{d:?} touch at {touch:?}"))
}

/// The first place an open ring touches or crosses itself, by a sweep over edge boxes.
fn self_intersection(ring: &[[i64; 2]]) -> Option<String> {
    let n = ring.len();
    let mut order: Vec<usize> = (0..n).collect();
    let min_x = |i: usize| ring[i][0].min(ring[(i + 1) % n][0]);
    let max_x = |i: usize| ring[i][0].max(ring[(i + 1) % n][0]);
    order.sort_by_key(|&i| min_x(i));
    for (k, &i) in order.iter().enumerate() {
        for &j in &order[k + 1..] {
            if min_x(j) > max_x(i) {
                break;
            }
            let adjacent = (i + 1) % n == j || (j + 1) % n == i;
            let (a, b, c, d) = (ring[i], ring[(i + 1) % n], ring[j], ring[(j + 1) % n]);
            let problem = if adjacent {
                // Sharing a vertex is fine; doubling back along the other edge is not.
                let (p, q, r) = if b == c { (a, b, d) } else { (c, d, b) };
                let back = orient(p, q, r) == 0
                    && (q[0] - p[0]) * (r[0] - q[0]) + (q[1] - p[1]) * (r[1] - q[1]) < 0;
                (back && !(on_clip_border(p) && on_clip_border(q) && on_clip_border(r)))
                    .then(|| format!("the ring doubles back at {q:?}"))
            } else {
                edges_meet(a, b, c, d)
            };
            if problem.is_some() {
                return problem;
            }
        }
    }
    None
}

// ---------------------------------------------------------------------------------------------
// What a valid tile is.

/// Everything wrong with one decoded tile by MVT 2.1 alone: version, extent, unique feature ids,
/// and geometry (points, and rings: closed, simple, with area, exteriors positive first).
fn spec_problems(tile: Tile, decoded: &DecodedTile) -> Vec<String> {
    let mut out = Vec::new();
    for (name, layer) in &decoded.layers {
        let at = format!("{}/{name}", tile.path());
        if (layer.version, layer.extent) != (2, 4096) {
            out.push(format!(
                "{at}: version {} extent {}, want 2 and 4096",
                layer.version, layer.extent
            ));
        }
        let mut ids = BTreeSet::new();
        for f in &layer.features {
            let at = format!("{at}/{}", f.key());
            match f.id {
                None => out.push(format!("{at}: no feature id")),
                Some(id) if !ids.insert(id) => out.push(format!("{at}: feature id {id} twice")),
                Some(_) => {}
            }
            match f.kind {
                1 => point_problems(&at, f, &mut out),
                3 => polygon_problems(&at, f, &mut out),
                kind => out.push(format!("{at}: geometry type {kind}")),
            }
        }
    }
    out
}

/// Everything wrong with one decoded tile by MVT 2.1 and by the server's own rules: known
/// layers of the right kind, min zooms, string ids, points only in the tile that contains them
/// (`[0, 4096)`, where MapLibre places symbols) and labels inside their polygons.
fn tile_problems(tile: Tile, decoded: &DecodedTile) -> Vec<String> {
    let mut out = spec_problems(tile, decoded);
    for (name, layer) in &decoded.layers {
        let at = format!("{}/{name}", tile.path());
        if !ALL_LAYERS.contains(&name.as_str()) {
            out.push(format!("{at}: unknown layer"));
        }
        if tile.z < layer_min_zoom(name) {
            out.push(format!(
                "{at}: drawn below its min zoom {}",
                layer_min_zoom(name)
            ));
        }
        let polygons = POLYGON_LAYERS.contains(&name.as_str());
        let mut keys = BTreeSet::new();
        for f in &layer.features {
            let at = format!("{at}/{}", f.key());
            if f.key().is_empty() {
                out.push(format!("{at}: a feature without a string `id` property"));
            } else if !keys.insert(f.key()) {
                out.push(format!("{at}: `id` {} twice", f.key()));
            }
            if let Some(level) = f.level().filter(|&l| l > max_grid_level(tile.z)) {
                out.push(format!(
                    "{at}: a level-{level} grid is drawn at z{}",
                    tile.z
                ));
            }
            if f.kind != if polygons { 3 } else { 1 } {
                out.push(format!("{at}: geometry type {} in this layer", f.kind));
            }
            if let Some(p) = f.point() {
                if !(0..4096).contains(&p[0]) || !(0..4096).contains(&p[1]) {
                    out.push(format!(
                        "{at}: point {p:?} is not inside the tile's [0, 4096)²"
                    ));
                }
            }
        }
    }
    label_placement_problems(tile, decoded, &mut out);
    out
}

fn point_problems(at: &str, f: &DecodedFeature, out: &mut Vec<String>) {
    if f.commands != [[1, 1]] || f.rings.len() != 1 || f.rings[0].len() != 1 {
        out.push(format!(
            "{at}: want one point (MoveTo 1), got commands {:?}",
            f.commands
        ));
    }
}

fn polygon_problems(at: &str, f: &DecodedFeature, out: &mut Vec<String>) {
    // Each ring: MoveTo 1, LineTo n >= 2, ClosePath 1.
    let well_formed = f.commands.len() == 3 * f.rings.len()
        && f.commands
            .chunks(3)
            .all(|c| c[0] == [1, 1] && c[1][0] == 2 && c[1][1] >= 2 && c[2] == [7, 1]);
    if !well_formed || f.rings.is_empty() {
        out.push(format!("{at}: ring commands {:?}", f.commands));
    }
    for (i, ring) in f.rings.iter().enumerate() {
        if ring.first() != ring.last() {
            out.push(format!("{at}: ring {i} is not closed"));
        }
        let ring = open(ring);
        let distinct: BTreeSet<_> = ring.iter().collect();
        if distinct.len() < 3 {
            out.push(format!(
                "{at}: ring {i} has {} distinct points",
                distinct.len()
            ));
        }
        if let Some((a, _)) = edges(ring).find(|(a, b)| a == b) {
            out.push(format!("{at}: ring {i} has a zero-length segment at {a:?}"));
        }
        if twice_area(ring) == 0 {
            out.push(format!("{at}: ring {i} has no area"));
        }
        let (lo, hi) = (-BUFFER, 4096 + BUFFER);
        if let Some(p) = ring
            .iter()
            .find(|p| p.iter().any(|v| !(lo..=hi).contains(v)))
        {
            out.push(format!("{at}: ring {i} reaches {p:?}, beyond the buffer"));
        }
        if let Some(why) = self_intersection(ring) {
            out.push(format!("{at}: ring {i} is not simple: {why}"));
        }
    }
    if f.rings.first().is_some_and(|r| twice_area(open(r)) <= 0) {
        out.push(format!(
            "{at}: the first ring is not an exterior (positive area)"
        ));
    }
    let classified: Vec<i64> = f.polygons.iter().flatten().copied().collect();
    if classified != (0..f.rings.len() as i64).collect::<Vec<_>>() {
        out.push(format!(
            "{at}: classifyRings grouped the rings as {:?}",
            f.polygons
        ));
    }
    for polygon in &f.polygons {
        for (k, &r) in polygon.iter().enumerate() {
            let area = f
                .rings
                .get(r as usize)
                .map_or(0, |ring| twice_area(open(ring)));
            if (k == 0) != (area > 0) {
                out.push(format!(
                    "{at}: ring {r} is ring {k} of its polygon with twice-area {area}"
                ));
            }
        }
    }
}

/// Each `X_label` point lies in its own polygon of layer `X` in the same tile.
fn label_placement_problems(tile: Tile, decoded: &DecodedTile, out: &mut Vec<String>) {
    for layer in POLYGON_LAYERS {
        for label in decoded.features(&format!("{layer}_label")) {
            let at = format!("{}/{layer}_label/{}", tile.path(), label.key());
            let Some(p) = label.point() else { continue };
            let p = [p[0] as f64, p[1] as f64];
            match decoded.feature(layer, label.key()) {
                None => out.push(format!("{at}: labels no {layer} of this tile")),
                Some(f) if !f.contains(p) && f.boundary_distance(p) > 1.0 => {
                    out.push(format!("{at}: label {p:?} lies outside its polygon"))
                }
                Some(f) if f.properties != label.properties => {
                    out.push(format!("{at}: label properties differ from its polygon's"))
                }
                Some(_) => {}
            }
        }
    }
}

/// Over all the tiles of one zoom covering the city, each label and camera is drawn once.
fn drawn_once_problems(city: &City, z: u8, tiles: &[(Tile, DecodedTile)]) -> Vec<String> {
    let mut out = Vec::new();
    for (layer, tile_layer) in [
        (Layer::Grid, "grid_label"),
        (Layer::Beat, "beat_label"),
        (Layer::Station, "station_label"),
        (Layer::Camera, "camera"),
    ] {
        let mut drawn: BTreeMap<&str, usize> = city
            .layer(layer)
            .filter(|f| min_zoom(f) <= z)
            .map(|f| (f.id.as_str(), 0))
            .collect();
        for (tile, decoded) in tiles {
            for f in decoded.features(tile_layer) {
                match drawn.get_mut(f.key()) {
                    Some(n) => *n += 1,
                    None => out.push(format!(
                        "{}/{tile_layer}: {} is not a {layer} drawn at z{z}",
                        tile.path(),
                        f.key()
                    )),
                }
            }
        }
        out.extend(
            drawn
                .iter()
                .filter(|(_, &n)| n != 1)
                .map(|(id, n)| format!("z{z} {tile_layer}: {id} drawn {n} times, want once")),
        );
    }
    out
}

/// Cameras decoded with `toGeoJSON` sit within a tile unit of where the city has them.
fn camera_position_problems(city: &City, tile: Tile, decoded: &DecodedTile) -> Vec<String> {
    let unit_m = 40_075_016.7 / tile.n() / EXTENT;
    decoded
        .features("camera")
        .iter()
        .filter_map(|f| {
            let camera = city.layer(Layer::Camera).find(|c| c.id == f.key())?;
            let [lng, lat] = coordinates(camera)[0];
            let got = &f.geojson.as_ref()?["coordinates"];
            let (glng, glat) = (got[0].as_f64()?, got[1].as_f64()?);
            let dx = (glng - lng).to_radians() * 6_378_137.0;
            let dy = (world(glng, glat)[1] - world(lng, lat)[1]) * 40_075_016.7;
            (dx.hypot(dy) > unit_m).then(|| {
                format!(
                    "{}/camera/{}: decoded at {glng},{glat}, placed at {lng},{lat}",
                    tile.path(),
                    camera.id
                )
            })
        })
        .collect()
}

fn assert_no_problems(what: &str, problems: &[String]) {
    assert!(
        problems.is_empty(),
        "{what}: {} problem(s), the first ones:\n  {}",
        problems.len(),
        problems
            .iter()
            .take(30)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n  ")
    );
}

// ---------------------------------------------------------------------------------------------
// 1–2. Every tile is valid MVT 2.1 for the reference decoder.

#[test]
fn every_tile_over_the_city_is_valid_mvt() {
    let f = fixture();
    let mut problems = Vec::new();
    for z in [10, 12, 13] {
        let tiles = fetch_decoded(&f.server, None, &Tile::covering(f.bounds, z), false);
        assert!(
            tiles.iter().any(|(_, d)| !d.layers.is_empty()),
            "no tile at z{z} holds anything"
        );
        for (tile, decoded) in &tiles {
            problems.extend(tile_problems(*tile, decoded));
        }
        problems.extend(drawn_once_problems(&f.city, z, &tiles));
    }
    let z14 = sample(&Tile::covering(f.bounds, 14), 40, 14);
    for (tile, decoded) in fetch_decoded(&f.server, None, &z14, true) {
        problems.extend(tile_problems(tile, &decoded));
        problems.extend(camera_position_problems(&f.city, tile, &decoded));
    }
    assert_no_problems("tiles over the city", &problems);
}

// ---------------------------------------------------------------------------------------------
// 3. The same features as PostGIS `ST_AsMVT`.
//
// PostGIS clips with the same 64-unit buffer but keeps slivers and drops what it cannot make
// valid, while our tiler simplifies per zoom band and drops rings that quantise to nothing, so
// the two sides may disagree about features that barely reach into the tile. The rule:
// - a polygon whose intersection with the tile itself (no buffer) has at least
//   `MIN_SHARED_AREA` square tile units must be in our tile, with the same `id`;
// - a polygon in our tile must at least touch the tile grown by the buffer and 2 more units
//   (the tolerance of simplification and rounding);
// - a camera strictly inside the tile (by more than 0.01 unit) must be in our tile, and a camera
//   in our tile must be inside the tile (to within 0.01 unit): points are drawn only in the
//   tile that contains them, not in the buffers.

/// Square tile units of a polygon inside the tile for it to count as really there.
const MIN_SHARED_AREA: f64 = 1.0;

/// What PostGIS says about one feature near a tile.
struct Oracle {
    id: String,
    /// `ST_AsMVTGeom(…, 4096, 64, true)` keeps it.
    in_mvt: bool,
    /// Polygons: square tile units inside the tile itself. Points: unused.
    area: f64,
    /// Polygons: it touches the tile grown by 66 units. Points: unused.
    near: bool,
    /// Points: the position in tile units.
    position: [f64; 2],
}

fn postgis_features(db: &mut postgres::Client, tile: Tile, layer: &str) -> Vec<Oracle> {
    let sql = if layer == "camera" {
        "WITH t AS (SELECT ST_TileEnvelope($1, $2, $3) AS e)
         SELECT id, ST_AsMVTGeom(ST_Transform(geom, 3857), e, 4096, 64, true) IS NOT NULL,
                0.0::float8, true,
                (ST_X(ST_Transform(geom, 3857)) - ST_XMin(e)) / (ST_XMax(e) - ST_XMin(e)) * 4096,
                (ST_YMax(e) - ST_Y(ST_Transform(geom, 3857))) / (ST_YMax(e) - ST_YMin(e)) * 4096
         FROM city.camera, t
         WHERE geom && ST_Transform(ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * 66 / 4096), 4326)
           AND level <= $4"
            .to_string()
    } else {
        format!(
            "WITH t AS (SELECT ST_TileEnvelope($1, $2, $3) AS e),
                  w AS (SELECT e, ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * 66 / 4096) AS near FROM t)
             SELECT id, ST_AsMVTGeom(ST_Transform(geom, 3857), e, 4096, 64, true) IS NOT NULL,
                    ST_Area(ST_Intersection(ST_Transform(geom, 3857), e)) / ST_Area(e) * 16777216,
                    ST_Intersects(ST_Transform(geom, 3857), near), 0.0::float8, 0.0::float8
             FROM city.{layer}, w
             WHERE geom && ST_Transform(near, 4326) AND level <= $4"
        )
    };
    let max_level = if layer == "grid" {
        max_grid_level(tile.z) as i32
    } else {
        0
    };
    db.query(
        &sql,
        &[
            &i32::from(tile.z),
            &(tile.x as i32),
            &(tile.y as i32),
            &max_level,
        ],
    )
    .unwrap_or_else(|e| panic!("PostGIS on {layer} {}: {e}", tile.path()))
    .iter()
    .map(|row| Oracle {
        id: row.get(0),
        in_mvt: row.get(1),
        area: row.get(2),
        near: row.get(3),
        position: [row.get(4), row.get(5)],
    })
    .collect()
}

/// PostGIS's own tile (`ST_AsMVT` of each layer, concatenated) with only the `id` property.
fn postgis_tile(db: &mut postgres::Client, tile: Tile) -> Vec<u8> {
    let mut bytes = Vec::new();
    for layer in ["grid", "beat", "station", "camera"] {
        if tile.z < layer_min_zoom(layer) {
            continue;
        }
        let max_level = max_grid_level(tile.z) as i32;
        let sql = format!(
            "WITH t AS (SELECT ST_TileEnvelope($1, $2, $3) AS e),
                  q AS (SELECT id, row_number() OVER () AS fid, ST_AsMVTGeom(ST_Transform(geom, 3857), e, 4096, 64, true) AS geom
                        FROM city.{layer}, t
                        WHERE geom && ST_Transform(ST_Expand(e, (ST_XMax(e) - ST_XMin(e)) * 64 / 4096), 4326)
                          AND ('{layer}' <> 'grid' OR level <= $4))
             SELECT ST_AsMVT(q, '{layer}', 4096, 'geom', 'fid') FROM q WHERE geom IS NOT NULL"
        );
        let row = db
            .query_one(
                &sql,
                &[
                    &i32::from(tile.z),
                    &(tile.x as i32),
                    &(tile.y as i32),
                    &max_level,
                ],
            )
            .unwrap_or_else(|e| panic!("ST_AsMVT of {layer} {}: {e}", tile.path()));
        bytes.extend(row.get::<_, Option<Vec<u8>>>(0).unwrap_or_default());
    }
    bytes
}

/// Our layer against PostGIS's view of it, by the rule above.
fn oracle_problems(
    tile: Tile,
    layer: &str,
    ours: &BTreeSet<String>,
    oracle: &[Oracle],
) -> Vec<String> {
    let at = format!("{}/{layer}", tile.path());
    let (required, allowed): (BTreeSet<&str>, BTreeSet<&str>) = if layer == "camera" {
        let inside = |margin: f64| {
            move |o: &&Oracle| {
                o.position
                    .iter()
                    .all(|&v| v >= margin && v < EXTENT - margin)
            }
        };
        (
            oracle
                .iter()
                .filter(inside(0.01))
                .map(|o| o.id.as_str())
                .collect(),
            oracle
                .iter()
                .filter(inside(-0.01))
                .map(|o| o.id.as_str())
                .collect(),
        )
    } else {
        (
            oracle
                .iter()
                .filter(|o| o.area >= MIN_SHARED_AREA)
                .map(|o| o.id.as_str())
                .collect(),
            oracle
                .iter()
                .filter(|o| o.near)
                .map(|o| o.id.as_str())
                .collect(),
        )
    };
    let mut out = Vec::new();
    for o in oracle.iter().filter(|o| required.contains(o.id.as_str())) {
        if !ours.contains(&o.id) {
            out.push(format!(
                "{at}: PostGIS has {} ({:.1} unit² inside, ST_AsMVTGeom keeps it: {}), our tile lacks it",
                o.id, o.area, o.in_mvt
            ));
        }
        if !o.in_mvt {
            out.push(format!(
                "{at}: ST_AsMVTGeom drops {}, which is well inside",
                o.id
            ));
        }
    }
    for id in ours.iter().filter(|id| !allowed.contains(id.as_str())) {
        out.push(format!(
            "{at}: our tile has {id}, which PostGIS does not find near the tile"
        ));
    }
    out
}

#[test]
fn tiles_hold_the_features_postgis_st_asmvt_finds() {
    let f = fixture();
    let db = TestDatabase::create("tiles");
    let mut client = db.client();
    onemap_data::postgis::load_city(&mut client, "city", &f.city).expect("loading the city");
    let mut tiles = Tile::covering(f.bounds, 10);
    tiles.extend(sample(&Tile::covering(f.bounds, 12), 12, 3));
    tiles.extend(sample(&Tile::covering(f.bounds, 13), 5, 4));
    tiles.extend(sample(&Tile::covering(f.bounds, 14), 20, 5));
    let ours = fetch_decoded(&f.server, None, &tiles, false);
    let postgis: Vec<(Tile, Vec<u8>)> = tiles
        .iter()
        .map(|&t| (t, postgis_tile(&mut client, t)))
        .collect();
    let postgis = decode(&postgis, false);
    let mut problems = Vec::new();
    let (mut compared, mut slivers) = (0, 0);
    for ((tile, decoded), theirs) in ours.iter().zip(&postgis) {
        // The checks hold for PostGIS's own tiles too: they are not specific to our encoder.
        problems.extend(
            spec_problems(*tile, theirs)
                .into_iter()
                .map(|p| format!("PostGIS tile {p}")),
        );
        for layer in ["grid", "beat", "station", "camera"] {
            let ids = decoded.ids(layer);
            if tile.z < layer_min_zoom(layer) {
                if !ids.is_empty() {
                    problems.push(format!("{}: {layer} below its min zoom", tile.path()));
                }
                continue;
            }
            let oracle = postgis_features(&mut client, *tile, layer);
            let in_mvt: BTreeSet<String> = oracle
                .iter()
                .filter(|o| o.in_mvt)
                .map(|o| o.id.clone())
                .collect();
            if theirs.ids(layer) != in_mvt {
                problems.push(format!(
                    "{}/{layer}: the decoded ST_AsMVT tile disagrees with ST_AsMVTGeom",
                    tile.path()
                ));
            }
            compared += ids.len();
            slivers += in_mvt.symmetric_difference(&ids).count();
            problems.extend(oracle_problems(*tile, layer, &ids, &oracle));
        }
    }
    eprintln!(
        "compared {compared} features in {} tiles with PostGIS; {slivers} slivers kept by only one side",
        tiles.len()
    );
    assert!(compared > 1000, "too few features compared: {compared}");
    assert_no_problems("our tiles against PostGIS", &problems);
}
