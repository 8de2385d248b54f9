//! Vector tiles of a real `onemap serve` process, decoded by the reference decoder (npm
//! `@mapbox/vector-tile` 3 in `tests/mvt/decode.mjs`) and checked against MVT 2.1, PostGIS
//! `ST_AsMVT`, the server's own `/v1/locate` and the rules of HTTP caching.
//!
//! The tile arithmetic here is written from the Web-Mercator formulas, independently of the
//! `onemap-tiles` crate under test.

use onemap_data::geojson_io::layer_to_geojson;
use onemap_demo::{generate, DemoConfig};
use onemap_index::{City, Feature, Layer, Shape};
use onemap_tests::{collection, Server, TempDir, TestDatabase};
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
    let server = Server::start(&dir.0.join("city.gpkg"), &[]);
    let city = generate(&DemoConfig::with_grids(grids));
    let planner = server.planner();
    planner
        .import_people(&serde_json::to_string(&city.people).unwrap())
        .expect(200, "importing people");
    for layer in Layer::ALL {
        planner
            .import(layer, &layer_to_geojson(city.layer(layer)))
            .expect(200, &format!("importing {layer}"));
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

/// What the server answers for a point: the ids of its (deepest) grid, beat and station.
#[derive(Clone, Debug, Default)]
struct Located {
    grid: Option<String>,
    beat: Option<String>,
    station: Option<String>,
}

/// `POST /v1/locate` of `points`, in order.
fn locate(server: &Server, points: &[[f64; 2]]) -> Vec<Located> {
    let v = server
        .planner()
        .post("/v1/locate", &json!({ "points": points }).to_string())
        .expect(200, "batch locate")
        .body;
    let id = |r: &Value, k: &str| r[k].as_str().map(str::to_string);
    v["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| Located {
            grid: id(r, "grid"),
            beat: id(r, "beat"),
            station: id(r, "station"),
        })
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

    /// A point feature's (first) point.
    fn point(&self) -> Option<[i64; 2]> {
        if self.kind != 1 {
            return None;
        }
        self.rings.first()?.first().copied()
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
        return match shared[..] {
            _ if border => None,
            [] => None,
            [p, ..] if shared.iter().all(|&q| q == p) => Some(format!(
                "collinear edges {a:?}-{b:?} and {c:?}-{d:?} touch at {p:?}"
            )),
            _ => Some(format!(
                "collinear edges {a:?}-{b:?} and {c:?}-{d:?} overlap"
            )),
        };
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
            .filter(|f| f.min_zoom() <= z)
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
    // Every tile of these zooms, so that each label and camera can be counted once.
    for z in [0, 5, 9, 10, 11, 12, 13] {
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
    // Samples of the last simplified band and of full detail, with positions checked.
    let mut deep = sample(&Tile::covering(f.bounds, 14), 60, 14);
    deep.extend(sample(&Tile::covering(f.bounds, 17), 10, 17));
    for (tile, decoded) in fetch_decoded(&f.server, None, &deep, true) {
        problems.extend(tile_problems(tile, &decoded));
        problems.extend(camera_position_problems(&f.city, tile, &decoded));
    }
    assert_no_problems("tiles over the city", &problems);
}

// A hand-made tile with one broken feature of each kind, to show the checks above catch them.

fn push_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8 & 0x7f) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A length-delimited protobuf field.
fn push_bytes(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    push_varint(out, field << 3 | 2);
    push_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

fn push_uint(out: &mut Vec<u8>, field: u64, v: u64) {
    push_varint(out, field << 3);
    push_varint(out, v);
}

/// MVT commands for `rings`: MoveTo, LineTo and (if `close`) ClosePath for each.
fn ring_commands(rings: &[&[[i64; 2]]], close: bool) -> Vec<u64> {
    let zigzag = |v: i64| ((v << 1) ^ (v >> 63)) as u64;
    let mut cursor = [0, 0];
    let mut out = Vec::new();
    for ring in rings {
        for (i, p) in ring.iter().enumerate() {
            match i {
                0 => out.push(1 << 3 | 1),
                1 => out.push((ring.len() as u64 - 1) << 3 | 2),
                _ => {}
            }
            out.extend([zigzag(p[0] - cursor[0]), zigzag(p[1] - cursor[1])]);
            cursor = *p;
        }
        if close {
            out.push(1 << 3 | 7);
        }
    }
    out
}

/// A one-layer (`grid`) MVT 2 tile of polygons with the given feature ids and commands; the
/// `id` property of the n-th feature is `fn`.
fn handmade_tile(features: &[(Option<u64>, Vec<u64>)]) -> Vec<u8> {
    let mut layer = Vec::new();
    push_uint(&mut layer, 15, 2);
    push_bytes(&mut layer, 1, b"grid");
    for (n, (id, commands)) in features.iter().enumerate() {
        let mut feature = Vec::new();
        if let Some(id) = id {
            push_uint(&mut feature, 1, *id);
        }
        let mut tags = Vec::new();
        [0, n as u64]
            .iter()
            .for_each(|&t| push_varint(&mut tags, t));
        push_bytes(&mut feature, 2, &tags);
        push_uint(&mut feature, 3, 3);
        let mut geometry = Vec::new();
        commands.iter().for_each(|&c| push_varint(&mut geometry, c));
        push_bytes(&mut feature, 4, &geometry);
        push_bytes(&mut layer, 2, &feature);
    }
    push_bytes(&mut layer, 3, b"id");
    for n in 0..features.len() {
        let mut value = Vec::new();
        push_bytes(&mut value, 1, format!("f{n}").as_bytes());
        push_bytes(&mut layer, 4, &value);
    }
    push_uint(&mut layer, 5, 4096);
    let mut tile = Vec::new();
    push_bytes(&mut tile, 3, &layer);
    tile
}

#[test]
fn the_checks_catch_broken_geometry() {
    let square: &[[i64; 2]] = &[[0, 0], [100, 0], [100, 100], [0, 100]];
    let hole: &[[i64; 2]] = &[[10, 10], [10, 20], [20, 20], [20, 10]];
    let reversed: Vec<[i64; 2]> = square.iter().rev().copied().collect();
    let cases: Vec<(Option<u64>, Vec<u64>, &str)> = vec![
        (Some(1), ring_commands(&[square, hole], true), ""),
        (
            Some(2),
            ring_commands(&[&reversed], true),
            "not an exterior",
        ),
        (
            Some(3),
            ring_commands(&[&[[0, 0], [100, 0], [0, 100], [100, 100]]], true),
            "not simple",
        ),
        (
            Some(4),
            ring_commands(&[&[[0, 0], [100, 0], [100, 0], [0, 100]]], true),
            "zero-length",
        ),
        (Some(5), ring_commands(&[square], false), "ring commands"),
        (
            Some(6),
            ring_commands(&[&[[0, 0], [100, 0], [0, 0]]], true),
            "distinct points",
        ),
        (Some(7), ring_commands(&[hole], true), "not an exterior"),
        (
            Some(8),
            ring_commands(&[square, &[[0, 0], [50, 0], [100, 0]]], true),
            "no area",
        ),
        (Some(1), ring_commands(&[square], true), "twice"),
        (None, ring_commands(&[square], true), "no feature id"),
        (
            Some(9),
            ring_commands(&[&[[0, 0], [9000, 0], [0, 100]]], true),
            "beyond the buffer",
        ),
    ];
    let tile = Tile { z: 14, x: 0, y: 0 };
    let features: Vec<_> = cases.iter().map(|(id, c, _)| (*id, c.clone())).collect();
    let decoded = decode_one(tile, handmade_tile(&features));
    let problems = spec_problems(tile, &decoded);
    for (n, (_, _, want)) in cases.iter().enumerate() {
        let mine: Vec<&String> = problems
            .iter()
            .filter(|p| p.contains(&format!("/grid/f{n}:")))
            .collect();
        if want.is_empty() {
            assert!(
                mine.is_empty(),
                "case {n} is a valid polygon with a hole: {mine:?}"
            );
        } else {
            assert!(
                mine.iter().any(|p| p.contains(want)),
                "case {n} should be reported as `{want}`, got {mine:?}"
            );
        }
    }
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
    // `load_city` stores level 0 for everything but grids.
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

/// Our geometry where PostGIS has it: each polygon covers about the area of the tile PostGIS
/// finds (simplification by a unit and rounding by half a unit move each edge by at most 1.5
/// units), and each camera sits within rounding of PostGIS's position.
fn placement_problems(
    tile: Tile,
    layer: &str,
    decoded: &DecodedTile,
    oracle: &[Oracle],
) -> Vec<String> {
    let at = format!("{}/{layer}", tile.path());
    let mut out = Vec::new();
    for o in oracle {
        let Some(f) = decoded.feature(layer, &o.id) else {
            continue;
        };
        if let Some(p) = f.point() {
            let d = (p[0] as f64 - o.position[0]).hypot(p[1] as f64 - o.position[1]);
            if d > 0.75 {
                out.push(format!(
                    "{at}/{}: at {p:?}, PostGIS puts it at {:?}",
                    o.id, o.position
                ));
            }
            continue;
        }
        let area = covered_area(&[f]);
        let perimeter: f64 = f
            .open_rings()
            .map(|ring| {
                let clipped = clip_to_tile(ring);
                (0..clipped.len())
                    .map(|i| {
                        let (a, b) = (clipped[i], clipped[(i + 1) % clipped.len()]);
                        (b[0] - a[0]).hypot(b[1] - a[1])
                    })
                    .sum::<f64>()
            })
            .sum();
        if (area - o.area).abs() > 1.5 * perimeter + 4.0 {
            out.push(format!(
                "{at}/{}: covers {area:.0} unit² of the tile, PostGIS {:.0} unit²",
                o.id, o.area
            ));
        }
    }
    out
}

#[test]
fn tiles_hold_the_features_postgis_st_asmvt_finds() {
    let f = fixture();
    let db = TestDatabase::create("tiles");
    let mut client = db.client();
    onemap_data::postgis::load_city(&mut client, "city", &f.city).expect("loading the city");
    let mut tiles: Vec<Tile> = [10, 11, 12]
        .into_iter()
        .flat_map(|z| Tile::covering(f.bounds, z))
        .collect();
    tiles.extend(sample(&Tile::covering(f.bounds, 13), 10, 4));
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
            if layer != "camera" {
                slivers += in_mvt.symmetric_difference(&ids).count();
            }
            problems.extend(oracle_problems(*tile, layer, &ids, &oracle));
            problems.extend(placement_problems(*tile, layer, decoded, &oracle));
        }
    }
    eprintln!(
        "compared {compared} features in {} tiles with PostGIS; {slivers} polygons (slivers) kept by only one side",
        tiles.len()
    );
    assert!(compared > 1000, "too few features compared: {compared}");
    assert_no_problems("our tiles against PostGIS", &problems);
}

// ---------------------------------------------------------------------------------------------
// 4. No gaps and no overlaps.
//
// Each grid level, the beats and the stations partition the city. Sample points on a lattice
// over the part of a tile the city's box covers are located by the server; where it finds a
// feature of a layer, the tile's polygons of that layer (and level) must cover the point, with
// the right feature, exactly once. Simplification moves edges by up to a tile unit and rounding
// by half a unit, so points within 2 units of a polygon's outline are given the benefit of the
// doubt. Where a layer covers every sample of a whole tile, its clipped polygons must add up to
// exactly the tile's area: shared edges are the same integer points on both sides.

/// Sample points on an `n`×`n` lattice over `window` (`[x0, y0, x1, y1]` in tile units).
fn lattice_over(window: [f64; 4], n: usize) -> Vec<[f64; 2]> {
    let step = [
        (window[2] - window[0]) / n as f64,
        (window[3] - window[1]) / n as f64,
    ];
    (0..n * n)
        .map(|k| {
            [
                window[0] + ((k % n) as f64 + 0.5) * step[0],
                window[1] + ((k / n) as f64 + 0.5) * step[1],
            ]
        })
        .collect()
}

fn lattice(n: usize) -> Vec<[f64; 2]> {
    lattice_over([0.0, 0.0, EXTENT, EXTENT], n)
}

/// The part of `tile` over the city's box, in tile units.
fn city_window(f: &Served, tile: Tile) -> [f64; 4] {
    let [x0, y0] = tile.units(f.bounds[0], f.bounds[3]);
    let [x1, y1] = tile.units(f.bounds[2], f.bounds[1]);
    [x0.max(0.0), y0.max(0.0), x1.min(EXTENT), y1.min(EXTENT)]
}

/// Up to `count` z`z` tiles whose 3×3 probe points all lie in a grid and a beat, spread over
/// the city.
fn tiles_inside_the_city(f: &Served, z: u8, count: usize) -> Vec<Tile> {
    let candidates = Tile::covering(f.bounds, z);
    let probes = lattice(3);
    let points: Vec<[f64; 2]> = candidates
        .iter()
        .flat_map(|&t| probes.iter().map(move |&p| t.lnglat(p)))
        .collect();
    let located = locate(&f.server, &points);
    let inside: Vec<Tile> = candidates
        .iter()
        .zip(located.chunks(probes.len()))
        .filter(|(_, hits)| hits.iter().all(|l| l.grid.is_some() && l.beat.is_some()))
        .map(|(&t, _)| t)
        .collect();
    assert!(!inside.is_empty(), "no z{z} tile lies inside the city");
    let count = count.min(inside.len());
    (0..count)
        .map(|i| inside[i * inside.len() / count])
        .collect()
}

/// Where the polygons of `features` fail to cover the sample points the server puts in one of
/// them, overlap each other, or hold a point the server puts in another feature.
fn coverage_problems(
    at: &str,
    features: &[&DecodedFeature],
    samples: &[([f64; 2], Option<String>)],
) -> Vec<String> {
    let mut out = Vec::new();
    for (p, located) in samples {
        let Some(located) = located else { continue };
        let near_edge = |f: &DecodedFeature| f.boundary_distance(*p) <= 2.0;
        let containing: Vec<&&DecodedFeature> =
            features.iter().filter(|f| f.contains(*p)).collect();
        match containing[..] {
            [] if features.iter().any(|f| near_edge(f)) => {}
            [] => out.push(format!(
                "{at}: gap at {p:?}: the server locates {located} there, no polygon covers it"
            )),
            [f] if f.key() != located && !near_edge(f) => out.push(format!(
                "{at}: {p:?} is in {} in the tile, in {located} for the server",
                f.key()
            )),
            [_] => {}
            [..] if containing.iter().all(|f| near_edge(f)) => {}
            [..] => out.push(format!(
                "{at}: overlap at {p:?}: in {:?}",
                containing.iter().map(|f| f.key()).collect::<Vec<_>>()
            )),
        }
    }
    out
}

/// The area of the tile itself that `features` cover, counting overlaps twice.
fn covered_area(features: &[&DecodedFeature]) -> f64 {
    features
        .iter()
        .flat_map(|f| f.open_rings())
        .map(|ring| twice_area_f64(&clip_to_tile(ring)) / 2.0)
        .sum()
}

/// The grid of `level` that contains grid `id` (itself or an ancestor).
fn grid_at_level(city: &City, id: &str, level: u8) -> Option<String> {
    let mut grid = city.layer(Layer::Grid).find(|g| g.id == id)?;
    while grid.level()? > level {
        let onemap_index::Attributes::Grid {
            parent: Some(parent),
            ..
        } = &grid.attributes
        else {
            return None;
        };
        grid = city.layer(Layer::Grid).find(|g| g.id == *parent)?;
    }
    (grid.level() == Some(level)).then(|| grid.id.clone())
}

/// One partition to check in a tile: its polygons there, and for each sample point the id of
/// the feature the server puts it in.
struct Partition<'a> {
    name: String,
    features: Vec<&'a DecodedFeature>,
    want: Vec<Option<String>>,
}

/// The partitions a tile draws: each grid level, the beats and the stations.
fn partitions<'a>(
    f: &Served,
    tile: Tile,
    decoded: &'a DecodedTile,
    located: &[Located],
) -> Vec<Partition<'a>> {
    let mut out = Vec::new();
    for level in 0..=max_grid_level(tile.z).min(3) as u8 {
        out.push(Partition {
            name: format!("level-{level} grids"),
            features: decoded
                .features("grid")
                .iter()
                .filter(|g| g.level() == Some(i64::from(level)))
                .collect(),
            want: located
                .iter()
                .map(|l| grid_at_level(&f.city, l.grid.as_deref()?, level))
                .collect(),
        });
    }
    let beats = located.iter().map(|l| l.beat.clone()).collect();
    let stations = located.iter().map(|l| l.station.clone()).collect();
    for (layer, want) in [("beat", beats), ("station", stations)] {
        if tile.z >= layer_min_zoom(layer) {
            out.push(Partition {
                name: format!("{layer}s"),
                features: decoded.features(layer).iter().collect(),
                want,
            });
        }
    }
    out
}

/// Every partition of a tile against the server's answers at its sample points.
fn tile_coverage_problems(f: &Served, tile: Tile, decoded: &DecodedTile) -> Vec<String> {
    let window = city_window(f, tile);
    let samples = lattice_over(window, 20);
    let lnglat: Vec<[f64; 2]> = samples.iter().map(|&p| tile.lnglat(p)).collect();
    let located = locate(&f.server, &lnglat);
    let whole_tile = window == [0.0, 0.0, EXTENT, EXTENT];
    let mut out = Vec::new();
    for Partition {
        name,
        features,
        want,
    } in partitions(f, tile, decoded, &located)
    {
        let at = format!("{} {name}", tile.path());
        if want.iter().all(Option::is_none) {
            out.push(format!("{at}: no sample point is in one"));
        }
        let points: Vec<_> = samples.iter().copied().zip(want.iter().cloned()).collect();
        out.extend(coverage_problems(&at, &features, &points));
        if whole_tile && want.iter().all(Option::is_some) {
            let area = covered_area(&features);
            if (area - EXTENT * EXTENT).abs() > 1.0 {
                out.push(format!(
                    "{at} cover {area} unit², the tile is {}",
                    EXTENT * EXTENT
                ));
            }
        }
    }
    out
}

#[test]
fn polygons_cover_their_tiles_without_gaps_or_overlaps() {
    let f = fixture();
    let centre = bbox_centre(f.bounds);
    let mut tiles: Vec<Tile> = [6, 8, 10]
        .map(|z| Tile::containing(centre[0], centre[1], z))
        .to_vec();
    for (z, count) in [(11, 1), (12, 3), (13, 2), (14, 6)] {
        tiles.extend(tiles_inside_the_city(f, z, count));
    }
    let mut problems = Vec::new();
    for (tile, decoded) in fetch_decoded(&f.server, None, &tiles, false) {
        problems.extend(tile_coverage_problems(f, tile, &decoded));
    }
    assert_no_problems("coverage of tiles over the city", &problems);
}

// ---------------------------------------------------------------------------------------------
// 5. HTTP.

fn assert_json_error(server: &Server, path: &str, status: u16, code: &str) {
    let r = fetch(&server.url(path), &[]);
    assert_eq!(
        r.status,
        status,
        "{path}: {}",
        String::from_utf8_lossy(&r.body)
    );
    assert!(
        r.header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{path}: an error is JSON, got {:?}",
        r.header("content-type")
    );
    let v = r.json();
    assert_eq!(v["error"], code, "{path}: {v}");
    assert!(
        v["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{path}: an error has a message: {v}"
    );
}

/// A z12 tile in the middle of the city.
fn central_tile(f: &Served, z: u8) -> Tile {
    let b = f.bounds;
    Tile::containing((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, z)
}

#[test]
fn tiles_speak_http() {
    let f = fixture();
    let s = &f.server;
    for path in [
        "/tiles/14/0/0.mvt",
        "/tiles/grid/14/0/0.mvt",
        "/tiles/camera/16/1000/30000.pbf",
    ] {
        let r = fetch(&s.url(path), &[]);
        assert_eq!(r.status, 204, "{path}: nothing there");
        assert!(r.body.is_empty(), "{path}: 204 without a body");
    }
    // The sea 0.5° east of the city.
    let sea = Tile::containing(f.bounds[2] + 0.5, (f.bounds[1] + f.bounds[3]) / 2.0, 12);
    assert_eq!(
        fetch(&tile_url(s, None, sea), &[]).status,
        204,
        "{}",
        sea.path()
    );
    assert_eq!(
        fetch(&s.url("/tiles/0/0/0.mvt"), &[]).status,
        200,
        "the world tile"
    );

    assert_json_error(s, "/tiles/23/0/0.mvt", 400, "out_of_range");
    assert_json_error(s, "/tiles/300/0/0.mvt", 400, "out_of_range");
    assert_json_error(s, "/tiles/3/8/0.mvt", 400, "out_of_range");
    assert_json_error(s, "/tiles/3/0/8.mvt", 400, "out_of_range");
    assert_json_error(s, "/tiles/grid/23/0/0.mvt", 400, "out_of_range");
    assert_json_error(s, "/tiles/3/x/0.mvt", 400, "invalid_tile");
    assert_json_error(s, "/tiles/-1/0/0.mvt", 400, "invalid_tile");
    assert_json_error(s, "/tiles/river/10/1/1.mvt", 404, "unknown_layer");
    assert_json_error(s, "/tiles/river.json", 404, "unknown_layer");

    let tile = central_tile(f, 12);
    let url = tile_url(s, None, tile);
    let plain = fetch(&url, &[]);
    assert_eq!(plain.status, 200, "{url}");
    assert_eq!(plain.header("content-type"), Some(MVT));
    assert_eq!(
        plain.header("content-encoding"),
        None,
        "no gzip unless asked"
    );
    let zipped = fetch(&url, &[("Accept-Encoding", "gzip, deflate, br")]);
    assert_eq!(zipped.status, 200);
    assert_eq!(zipped.header("content-encoding"), Some("gzip"));
    assert_eq!(zipped.header("content-type"), Some(MVT));
    assert!(
        zipped
            .header("vary")
            .is_some_and(|v| v.to_ascii_lowercase().contains("accept-encoding")),
        "Vary: Accept-Encoding"
    );
    assert!(
        zipped.body.len() < plain.body.len(),
        "gzip makes the tile smaller"
    );
    assert_eq!(
        gunzip(&zipped.body),
        plain.body,
        "the gzip body is the same tile"
    );

    let etag = plain.header("etag").expect("an ETag").to_string();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "a strong quoted ETag: {etag}"
    );
    let again = fetch(&url, &[]);
    assert_eq!(
        again.header("etag"),
        Some(etag.as_str()),
        "the same tile, the same ETag"
    );
    assert_eq!(again.body, plain.body);
    let revalidated = fetch(&url, &[("If-None-Match", &etag)]);
    assert_eq!(
        revalidated.status, 304,
        "If-None-Match with the current ETag"
    );
    assert!(revalidated.body.is_empty(), "304 has no body");
    assert_eq!(revalidated.header("etag"), Some(etag.as_str()));
    assert_eq!(fetch(&url, &[("If-None-Match", "\"0000\"")]).status, 200);
    assert_ne!(
        zipped.header("etag"),
        Some(etag.as_str()),
        "gzip bytes have their own ETag"
    );

    // TileJSON 3.0.0.
    let composite = fetch(&s.url("/tiles.json"), &[]);
    assert_eq!(composite.status, 200);
    let tj = composite.json();
    check_tilejson(f, &tj, "/tiles/{z}/{x}/{y}.mvt", &ALL_LAYERS);
    let grid = fetch(&s.url("/tiles/grid.json"), &[]).json();
    check_tilejson(
        f,
        &grid,
        "/tiles/grid/{z}/{x}/{y}.mvt",
        &["grid", "grid_label"],
    );

    // One layer: only the grids and their labels, the same as in the composite tile.
    let tile = central_tile(f, 14);
    let single = decode_one(tile, tile_bytes(s, Some("grid"), tile));
    let all = decode_one(tile, tile_bytes(s, None, tile));
    assert_eq!(
        single.layers.keys().collect::<Vec<_>>(),
        ["grid", "grid_label"],
        "/tiles/grid/{}",
        tile.path()
    );
    for layer in ["grid", "grid_label"] {
        let strip = |d: &DecodedTile| {
            d.features(layer)
                .iter()
                .map(|f| (f.key().to_string(), f.rings.clone(), f.properties.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            strip(&single),
            strip(&all),
            "{layer} alone and in the composite"
        );
    }
}

fn check_tilejson(f: &Served, tj: &Value, path: &str, layers: &[&str]) {
    assert_eq!(tj["tilejson"], "3.0.0", "{tj}");
    let tiles = tj["tiles"].as_array().expect("tiles");
    assert_eq!(tiles.len(), 1, "{tj}");
    let url = tiles[0].as_str().unwrap();
    assert!(
        url.starts_with("http") && url.ends_with(path),
        "tiles[0] = {url}"
    );
    let bounds: Vec<f64> = tj["bounds"]
        .as_array()
        .expect("bounds")
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (got, want) in bounds.iter().zip(f.bounds) {
        assert!(
            (got - want).abs() < 1e-9,
            "bounds {bounds:?}, the city spans {:?}",
            f.bounds
        );
    }
    let center = tj["center"].as_array().expect("center");
    let [lng, lat] = [0, 1].map(|i| center[i].as_f64().unwrap());
    assert!(
        (f.bounds[0]..=f.bounds[2]).contains(&lng) && (f.bounds[1]..=f.bounds[3]).contains(&lat),
        "center {center:?} in the city"
    );
    assert!(tj["minzoom"].as_u64().unwrap() <= tj["maxzoom"].as_u64().unwrap());
    let vector_layers = tj["vector_layers"].as_array().expect("vector_layers");
    let ids: Vec<&str> = vector_layers
        .iter()
        .map(|l| l["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, layers, "vector_layers");
    for l in vector_layers {
        let fields = l["fields"].as_object().expect("fields is an object");
        assert!(
            fields.contains_key("id") && fields.values().all(Value::is_string),
            "{l}"
        );
        assert_eq!(
            l["minzoom"].as_u64(),
            Some(u64::from(layer_min_zoom(l["id"].as_str().unwrap()))),
            "{l}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 6. Fresh after edits, and only where the edit is.

/// Every `[lng, lat]` of a GeoJSON geometry mapped by `f`.
fn map_positions(geometry: &mut Value, f: &impl Fn([f64; 2]) -> [f64; 2]) {
    match geometry {
        Value::Array(items) if items.first().is_some_and(Value::is_number) => {
            let p = f([items[0].as_f64().unwrap(), items[1].as_f64().unwrap()]);
            *geometry = json!(p);
        }
        Value::Array(items) => items.iter_mut().for_each(|item| map_positions(item, f)),
        Value::Object(geometry) => {
            if let Some(coordinates) = geometry.get_mut("coordinates") {
                map_positions(coordinates, f);
            }
        }
        _ => {}
    }
}

/// A square polygon feature of side `size` degrees around `centre`.
fn square_feature(template: &Value, id: &str, centre: [f64; 2], size: f64) -> Value {
    let [x, y, h] = [centre[0], centre[1], size / 2.0];
    let mut feature = template.clone();
    feature["id"] = json!(id);
    feature["properties"] = json!({ "id": id, "name": format!("{id} 测试") });
    feature["geometry"] = json!({ "type": "Polygon", "coordinates": [[
        [x - h, y - h], [x + h, y - h], [x + h, y + h], [x - h, y + h], [x - h, y - h]
    ]] });
    feature
}

/// The level-3 grid nearest the city's centre.
fn central_grid(c: &Served) -> &Feature {
    let centre = [
        (c.bounds[0] + c.bounds[2]) / 2.0,
        (c.bounds[1] + c.bounds[3]) / 2.0,
    ];
    let distance = |g: &&Feature| {
        let b = g.bbox().unwrap();
        ((b[0] + b[2]) / 2.0 - centre[0]).hypot((b[1] + b[3]) / 2.0 - centre[1])
    };
    c.city
        .layer(Layer::Grid)
        .filter(|g| g.level() == Some(3))
        .min_by(|a, b| distance(a).total_cmp(&distance(b)))
        .expect("a level-3 grid")
}

fn bbox_centre(b: [f64; 4]) -> [f64; 2] {
    [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0]
}

/// Asserts that a cached tile kept its ETag.
fn assert_still_cached(server: &Server, tile: Tile, etag: &str, after: &str) {
    let r = fetch(&tile_url(server, None, tile), &[("If-None-Match", etag)]);
    assert_eq!(
        r.status,
        304,
        "{} is far from the edit, yet its ETag changed after {after}",
        tile.path()
    );
}

/// The names a grid has in a tile, as a polygon and as a label.
fn names_in(decoded: &DecodedTile, id: &str) -> Vec<String> {
    ["grid", "grid_label"]
        .iter()
        .filter_map(|layer| decoded.feature(layer, id))
        .map(|f| f.name().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn edits_show_in_the_next_tile_and_leave_other_cached_tiles_alone() {
    let c = serve_city("tile-edits", 300);
    let s = &c.server;
    let grid = central_grid(&c);
    let centre = bbox_centre(grid.bbox().unwrap());
    let tile = Tile::containing(centre[0], centre[1], 14);
    let far = Tile::covering(c.bounds, 14)
        .into_iter()
        .filter(|t| !tile_bytes(s, None, *t).is_empty())
        .max_by_key(|t| t.distance(tile))
        .expect("a tile over the city");
    assert!(
        far.distance(tile) >= 3,
        "the city is too small for a far tile"
    );
    let sea_point = [c.bounds[2] + 0.05, centre[1]];
    let sea = Tile::containing(sea_point[0], sea_point[1], 14);

    // Cache the tile over the grid in every form, and the far and the empty tiles.
    let url = tile_url(s, None, tile);
    let first = fetch(&url, &[]);
    let second = fetch(&url, &[]);
    assert_eq!(first.status, 200, "{url}");
    assert_eq!(
        (second.header("etag"), &second.body),
        (first.header("etag"), &first.body)
    );
    let old_etag = first.header("etag").expect("ETag").to_string();
    assert_eq!(fetch(&url, &[("If-None-Match", &old_etag)]).status, 304);
    let views = [
        (None, tile),
        (Some("grid"), tile),
        (None, Tile::containing(centre[0], centre[1], 12)),
    ];
    let before: Vec<DecodedTile> = views
        .iter()
        .map(|&(l, t)| decode_one(t, tile_bytes(s, l, t)))
        .collect();
    gzip_tile_bytes(s, None, tile);
    for d in &before {
        assert_eq!(
            names_in(d, &grid.id)[0],
            grid.name,
            "{} is in its tile",
            grid.id
        );
    }
    let far_etag = fetch(&tile_url(s, None, far), &[])
        .header("etag")
        .unwrap()
        .to_string();
    assert!(
        tile_bytes(s, None, sea).is_empty(),
        "{} is open sea",
        sea.path()
    );

    // 1. A new name, everywhere the grid is drawn: every zoom, layer set and encoding.
    let got = s
        .anonymous()
        .feature("grid", &grid.id)
        .expect(200, &grid.id);
    let (mut feature, etag) = (got.body, got.etag.expect("a feature has an ETag"));
    let name = format!("{} 改名", grid.name);
    feature["properties"]["name"] = json!(name);
    s.planner()
        .put_feature("grid", &grid.id, &feature.to_string(), Some(&etag))
        .expect(200, &format!("PUT grid/{}", grid.id));
    let renamed = fetch(&url, &[("If-None-Match", &old_etag)]);
    assert_eq!(
        renamed.status, 200,
        "the edited tile is no longer the cached one"
    );
    assert_ne!(renamed.header("etag"), Some(old_etag.as_str()));
    for &(layer, t) in &views {
        let names = names_in(&decode_one(t, tile_bytes(s, layer, t)), &grid.id);
        assert!(
            !names.is_empty() && names.iter().all(|n| *n == name),
            "{} of {layer:?} names {} {names:?} after the rename to {name}",
            t.path(),
            grid.id
        );
    }
    let zipped = decode_one(tile, gzip_tile_bytes(s, None, tile));
    assert_eq!(
        names_in(&zipped, &grid.id)[0],
        name,
        "the gzip variant is fresh too"
    );
    assert_still_cached(s, far, &far_etag, "a rename");

    // 2. A new shape: half the size around the same centre.
    let got = s
        .anonymous()
        .feature("grid", &grid.id)
        .expect(200, &grid.id);
    let (mut feature, etag) = (got.body, got.etag.expect("a feature has an ETag"));
    let half = |p: [f64; 2]| {
        [
            centre[0] + (p[0] - centre[0]) / 2.0,
            centre[1] + (p[1] - centre[1]) / 2.0,
        ]
    };
    map_positions(&mut feature["geometry"], &half);
    s.planner()
        .put_feature("grid", &grid.id, &feature.to_string(), Some(&etag))
        .expect(200, &format!("PUT grid/{}", grid.id));
    let b = grid.bbox().unwrap();
    let [lo, hi] = [half([b[0], b[3]]), half([b[2], b[1]])].map(|p| tile.units(p[0], p[1]));
    let inside = |p: &[i64; 2]| {
        (lo[0] - 1.0..=hi[0] + 1.0).contains(&(p[0] as f64))
            && (lo[1] - 1.0..=hi[1] + 1.0).contains(&(p[1] as f64))
    };
    let vertices = |d: &DecodedTile| -> Vec<[i64; 2]> {
        d.feature("grid", &grid.id)
            .map(|f| f.rings.concat())
            .unwrap_or_default()
    };
    assert!(
        !vertices(&before[0]).iter().all(inside),
        "the old shape reaches beyond the new one"
    );
    let reshaped = vertices(&decode_one(tile, tile_bytes(s, None, tile)));
    assert!(
        !reshaped.is_empty(),
        "{} is still in {}",
        grid.id,
        tile.path()
    );
    assert!(
        reshaped.iter().all(inside),
        "{} after the reshape still has vertices outside its new box {lo:?}–{hi:?}: {reshaped:?}",
        tile.path()
    );
    assert_still_cached(s, far, &far_etag, "a reshape");

    // 3. A new grid where the tile was empty.
    let added = square_feature(&feature, "tile-test-new", sea_point, 0.002);
    s.planner()
        .import(Layer::Grid, &collection(vec![added]))
        .expect(200, "importing grid");
    let sea_tile = decode_one(sea, tile_bytes(s, None, sea));
    for layer in ["grid", "grid_label"] {
        assert_eq!(
            sea_tile.ids(layer),
            BTreeSet::from(["tile-test-new".to_string()]),
            "{} {layer} after the import",
            sea.path()
        );
    }
    assert_still_cached(s, far, &far_etag, "an import elsewhere");

    // 4. Whatever the edited server serves from its cache is what a server started afresh on
    // the same store renders (the ETag is a hash of the bytes, so it cannot tell a kept tile
    // from a re-rendered one; this catches tiles that were kept but should not have been).
    let mut tiles: Vec<Tile> = [12, 14]
        .into_iter()
        .flat_map(|z| Tile::covering(c.bounds, z))
        .collect();
    tiles.push(sea);
    let served: Vec<Vec<u8>> = tiles.iter().map(|&t| tile_bytes(s, None, t)).collect();
    let Served { server, _dir, .. } = c;
    let store = server.store.clone();
    server.kill();
    let restarted = Server::start(&store, &[]);
    let problems: Vec<String> = tiles
        .iter()
        .zip(served)
        .filter_map(|(&t, old)| {
            let new = tile_bytes(&restarted, None, t);
            (new != old).then(|| {
                let changes = tile_differences(&decode_one(t, old), &decode_one(t, new));
                format!("{} differs after a restart: {changes:?}", t.path())
            })
        })
        .collect();
    assert_no_problems(
        "tiles served after edits against a restarted server",
        &problems,
    );
}

/// What differs between two decodings of one tile: features missing on one side, and
/// properties that changed, as `layer/id key: old → new`.
fn tile_differences(old: &DecodedTile, new: &DecodedTile) -> Vec<String> {
    let mut out = Vec::new();
    for layer in ALL_LAYERS {
        for f in new.features(layer) {
            match old.feature(layer, f.key()) {
                None => out.push(format!("{layer}/{} only in the fresh tile", f.key())),
                Some(o) => out.extend(
                    f.properties
                        .iter()
                        .filter(|(k, v)| o.properties.get(*k) != Some(v))
                        .map(|(k, v)| {
                            format!(
                                "{layer}/{} {k}: {} → {v}",
                                f.key(),
                                o.properties.get(k).unwrap_or(&Value::Null)
                            )
                        }),
                ),
            }
        }
        out.extend(
            old.features(layer)
                .iter()
                .filter(|o| new.feature(layer, o.key()).is_none())
                .map(|o| format!("{layer}/{} only in the cached tile", o.key())),
        );
    }
    out
}

/// Each tile of `tiles` as served now against a fresh render of it: the gzip variant, which
/// must not have been asked for before (so it is rendered now from the current data).
fn stale_tiles(server: &Server, layer: Option<&str>, tiles: &[Tile], edit: &str) -> Vec<String> {
    tiles
        .iter()
        .filter_map(|&t| {
            let (served, fresh) = (
                tile_bytes(server, layer, t),
                gzip_tile_bytes(server, layer, t),
            );
            (served != fresh).then(|| {
                let changes = tile_differences(&decode_one(t, served), &decode_one(t, fresh));
                format!(
                    "after {edit}, {} ({layer:?}) is stale: {}",
                    t.path(),
                    changes
                        .iter()
                        .take(4)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })
        })
        .collect()
}

/// A city of its own to edit, with the tiles over it cached: all of z12 and a sample of z14.
fn cached_city(tag: &str, layer: Option<&str>) -> (Served, Vec<Tile>) {
    let c = serve_city(tag, 300);
    let mut tiles = Tile::covering(c.bounds, 12);
    tiles.extend(sample(&Tile::covering(c.bounds, 14), 20, 6));
    for &t in &tiles {
        tile_bytes(&c.server, layer, t);
    }
    (c, tiles)
}

#[test]
fn cached_tiles_follow_beat_colours_when_a_beat_is_added_elsewhere() {
    // Beats (and the grids they answer for) are coloured by the beat's rank among all beats, so
    // a new beat whose id sorts first shifts the colours everywhere, far from its own box.
    let (c, tiles) = cached_city("tile-colours", None);
    let s = &c.server;
    let beat_id = &c.city.layer(Layer::Beat).next().unwrap().id;
    let template = s
        .anonymous()
        .feature("beat", beat_id)
        .expect(200, beat_id)
        .body;
    let sea = [c.bounds[2] + 0.5, (c.bounds[1] + c.bounds[3]) / 2.0];
    let beat = square_feature(&template, "0-new-beat", sea, 0.01);
    s.planner()
        .import(Layer::Beat, &collection(vec![beat]))
        .expect(200, "importing beat");
    let problems = stale_tiles(s, None, &tiles, "adding a beat at sea");
    assert_no_problems(
        "tiles served after a new beat against fresh renders",
        &problems,
    );
}

#[test]
fn cached_tiles_follow_officer_counts_when_a_person_changes_role() {
    // An auxiliary becomes a community officer: the `officers` count of their beat changes
    // without any geometry changing.
    let (c, _) = cached_city("tile-officers", Some("beat"));
    let s = &c.server;
    let (person, beat) = c
        .city
        .layer(Layer::Beat)
        .find_map(|b| {
            let p = b.people.iter().find_map(|id| {
                c.city
                    .people
                    .iter()
                    .find(|p| p.id == *id && p.role == onemap_index::Role::Auxiliary)
            })?;
            Some((p, b))
        })
        .expect("a beat with an auxiliary");
    let mut promoted = serde_json::to_value(person).unwrap();
    promoted["role"] = json!("community_officer");
    s.planner()
        .import_people(&json!([promoted]).to_string())
        .expect(200, "importing people");
    let over_beat = Tile::covering(beat.bbox().unwrap(), 12);
    let problems = stale_tiles(s, Some("beat"), &over_beat, "promoting an auxiliary");
    assert_no_problems(
        "beat tiles served after a role change against fresh renders",
        &problems,
    );
}

/// Incident heatmap tiles: the hexagons of every tile over the incidents, decoded by the
/// reference decoder, are the JSON heatmap's cells with the same counts, a hexagon cut by a
/// tile edge has the same count in each tile, and the public's small cells are in neither.
#[test]
fn heatmap_tiles_hold_the_json_heatmaps_cells() {
    let dir = TempDir::new("heattiles");
    let store = onemap_tests::demo_store(&dir, Some(300));
    let server = Server::start(&store, &[]);
    let city = generate(&DemoConfig::with_grids(300));
    let incidents = onemap_demo::events(&city, 4000, 5);
    let mut csv = String::from("lng,lat,time,category,source\n");
    let mut bbox = [f64::MAX, f64::MAX, f64::MIN, f64::MIN];
    for e in &incidents {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            e.lng,
            e.lat,
            onemap_data::events_io::format_time(e.time),
            e.category,
            e.source.as_str()
        ));
        bbox = [
            bbox[0].min(e.lng),
            bbox[1].min(e.lat),
            bbox[2].max(e.lng),
            bbox[3].max(e.lat),
        ];
    }
    let reported = server.client(Some(onemap_tests::DISPATCHER)).send(
        "POST",
        "/v1/layers/event/import",
        Some(&csv),
        &[("Content-Type", "text/csv")],
    );
    assert_eq!(reported.status, 200, "{}", reported.body);
    let window = "from=2026-03-01&to=2026-09-01";
    let json = server
        .anonymous()
        .get(&format!("/v1/heatmap?layer=event&res=8&{window}"))
        .expect(200, "heatmap")
        .body;
    let expected: BTreeMap<u64, u64> = json["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                u64::from_str_radix(c[0].as_str().unwrap(), 16).unwrap(),
                c[1].as_u64().unwrap(),
            )
        })
        .collect();
    assert!(expected.len() > 20 && json["suppressed_cells"].as_u64() > Some(0));
    // Resolution 8 on zoom-14 tiles (2.4 km across): many hexagons are cut by tile edges.
    let tiles = Tile::covering(bbox, 14);
    let bytes: Vec<(Tile, Vec<u8>)> = tiles
        .iter()
        .map(|&t| {
            let url = server.url(&format!("/tiles/heatmap/{}?{window}&res=8", t.path()));
            let r = fetch(&url, &[]);
            match r.status {
                200 => (t, r.body),
                204 => (t, Vec::new()),
                s => panic!("{url}: {s}"),
            }
        })
        .collect();
    let mut drawn: BTreeMap<u64, u64> = BTreeMap::new();
    for decoded in decode(&bytes, false) {
        let Some(layer) = decoded.layers.get("heatmap") else {
            continue;
        };
        for f in &layer.features {
            assert_eq!(f.kind, 3, "hexagons are polygons");
            let count = f.properties["count"].as_u64().unwrap();
            // By the `cell` property: JavaScript reads the 64-bit feature id as a double.
            let cell = f.properties["cell"].as_str().unwrap();
            let id = u64::from_str_radix(cell, 16).unwrap();
            assert_eq!(
                f.id.unwrap() as f64,
                id as f64,
                "the feature id is the cell"
            );
            assert_eq!(*drawn.entry(id).or_insert(count), count, "cell {cell}");
        }
    }
    assert_eq!(drawn, expected);
}
