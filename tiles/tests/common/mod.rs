//! Shared by the integration tests: a minimal, independent MVT decoder that checks what the
//! spec demands, and a generator of polygon coverages with shared wiggly edges.
#![allow(dead_code)] // each test binary uses its own part of this module

use std::collections::HashSet;

use geo_types::{Coord, LineString, MultiPolygon, Polygon};
use onemap_tiles::{PropValue, TileFeature, TileLayer};

// ---------------------------------------------------------------- protobuf reading

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn new(buf: &'a [u8]) -> Self {
        Reader { buf, pos: 0 }
    }

    fn done(&self) -> bool {
        self.pos >= self.buf.len()
    }

    fn varint(&mut self) -> u64 {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = self.buf[self.pos];
            self.pos += 1;
            v |= u64::from(b & 0x7f) << shift;
            if b < 0x80 {
                return v;
            }
        }
        panic!("varint longer than 10 bytes");
    }

    fn key(&mut self) -> (u64, u64) {
        let k = self.varint();
        (k >> 3, k & 7)
    }

    fn bytes(&mut self) -> &'a [u8] {
        let len = self.varint() as usize;
        let out = &self.buf[self.pos..self.pos + len];
        self.pos += len;
        out
    }

    fn fixed<const N: usize>(&mut self) -> [u8; N] {
        let out = self.buf[self.pos..self.pos + N].try_into().unwrap();
        self.pos += N;
        out
    }

    fn packed(&mut self) -> Vec<u32> {
        let mut inner = Reader::new(self.bytes());
        let mut out = Vec::new();
        while !inner.done() {
            out.push(u32::try_from(inner.varint()).expect("packed value fits u32"));
        }
        out
    }
}

// ---------------------------------------------------------------- MVT

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Str(String),
    Float(f32),
    Double(f64),
    Int(i64),
    Uint(u64),
    Sint(i64),
    Bool(bool),
}

impl Value {
    /// The value as the tiler was given it.
    pub fn prop(&self) -> PropValue {
        match self {
            Value::Str(s) => PropValue::Str(s.clone()),
            Value::Double(f) => PropValue::Float(*f),
            Value::Float(f) => PropValue::Float(f64::from(*f)),
            Value::Int(i) | Value::Sint(i) => PropValue::Int(*i),
            Value::Uint(u) => PropValue::Int(*u as i64),
            Value::Bool(b) => PropValue::Bool(*b),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Feature {
    pub id: u64,
    pub tags: Vec<u32>,
    pub kind: u32,
    pub geometry: Vec<u32>,
}

#[derive(Clone, Debug)]
pub struct Layer {
    pub name: String,
    pub version: u64,
    pub extent: u64,
    pub keys: Vec<String>,
    pub values: Vec<Value>,
    pub features: Vec<Feature>,
}

impl Layer {
    pub fn properties(&self, f: &Feature) -> Vec<(String, PropValue)> {
        f.tags
            .chunks(2)
            .map(|kv| {
                (
                    self.keys[kv[0] as usize].clone(),
                    self.values[kv[1] as usize].prop(),
                )
            })
            .collect()
    }

    pub fn ids(&self) -> Vec<u64> {
        self.features.iter().map(|f| f.id).collect()
    }
}

/// Decodes a tile and checks everything the spec asks of layers and features, panicking
/// with the reason when something is off.
pub fn decode(tile: &[u8]) -> Vec<Layer> {
    let mut r = Reader::new(tile);
    let mut layers = Vec::new();
    while !r.done() {
        let (field, wire) = r.key();
        assert_eq!((field, wire), (3, 2), "a tile holds only layers");
        layers.push(decode_layer(r.bytes()));
    }
    let names: HashSet<_> = layers.iter().map(|l| l.name.clone()).collect();
    assert_eq!(names.len(), layers.len(), "layer names must be unique");
    layers
}

fn decode_layer(buf: &[u8]) -> Layer {
    let mut r = Reader::new(buf);
    let mut layer = Layer {
        name: String::new(),
        version: 1,
        extent: 4096,
        keys: Vec::new(),
        values: Vec::new(),
        features: Vec::new(),
    };
    while !r.done() {
        match r.key() {
            (1, 2) => layer.name = String::from_utf8(r.bytes().to_vec()).unwrap(),
            (2, 2) => layer.features.push(decode_feature(r.bytes())),
            (3, 2) => layer
                .keys
                .push(String::from_utf8(r.bytes().to_vec()).unwrap()),
            (4, 2) => layer.values.push(decode_value(r.bytes())),
            (5, 0) => layer.extent = r.varint(),
            (15, 0) => layer.version = r.varint(),
            other => panic!("unexpected layer field {other:?}"),
        }
    }
    assert_eq!(layer.version, 2);
    assert_eq!(layer.extent, 4096);
    assert!(!layer.name.is_empty());
    let keys: HashSet<_> = layer.keys.iter().collect();
    assert_eq!(
        keys.len(),
        layer.keys.len(),
        "keys must be deduplicated: {:?}",
        layer.keys
    );
    let values: HashSet<_> = layer.values.iter().map(|v| format!("{v:?}")).collect();
    assert_eq!(
        values.len(),
        layer.values.len(),
        "values must be deduplicated"
    );
    let mut ids = HashSet::new();
    for f in &layer.features {
        assert!(
            ids.insert(f.id),
            "feature id {} repeats in layer {}",
            f.id,
            layer.name
        );
        assert_eq!(f.tags.len() % 2, 0, "tags come in pairs");
        let mut seen = HashSet::new();
        for kv in f.tags.chunks(2) {
            assert!((kv[0] as usize) < layer.keys.len() && (kv[1] as usize) < layer.values.len());
            assert!(seen.insert(kv[0]), "a key repeats within a feature");
        }
        match f.kind {
            1 => {
                points(&f.geometry);
            }
            3 => {
                polygons(&f.geometry);
            }
            other => panic!("unexpected geometry type {other}"),
        }
    }
    // Every key and value in the tables is used by some feature.
    let used_keys: HashSet<_> = layer
        .features
        .iter()
        .flat_map(|f| f.tags.iter().step_by(2))
        .collect();
    assert_eq!(used_keys.len(), layer.keys.len(), "unused keys");
    layer
}

fn decode_feature(buf: &[u8]) -> Feature {
    let mut r = Reader::new(buf);
    let (mut id, mut tags, mut kind, mut geometry) = (None, Vec::new(), 0, Vec::new());
    while !r.done() {
        match r.key() {
            (1, 0) => id = Some(r.varint()),
            (2, 2) => tags = r.packed(),
            (3, 0) => kind = r.varint() as u32,
            (4, 2) => geometry = r.packed(),
            other => panic!("unexpected feature field {other:?}"),
        }
    }
    Feature {
        id: id.expect("every feature has an id"),
        tags,
        kind,
        geometry,
    }
}

fn decode_value(buf: &[u8]) -> Value {
    let mut r = Reader::new(buf);
    let (field, _) = r.key();
    let v = match field {
        1 => Value::Str(String::from_utf8(r.bytes().to_vec()).unwrap()),
        2 => Value::Float(f32::from_le_bytes(r.fixed())),
        3 => Value::Double(f64::from_le_bytes(r.fixed())),
        4 => Value::Int(r.varint() as i64),
        5 => Value::Uint(r.varint()),
        6 => {
            let z = r.varint();
            Value::Sint((z >> 1) as i64 ^ -((z & 1) as i64))
        }
        7 => Value::Bool(r.varint() != 0),
        other => panic!("unexpected value field {other}"),
    };
    assert!(r.done(), "a value holds exactly one field");
    v
}

fn unzigzag(v: u32) -> i64 {
    i64::from((v >> 1) as i32 ^ -((v & 1) as i32))
}

/// The points of a point geometry.
pub fn points(geometry: &[u32]) -> Vec<[i64; 2]> {
    assert_eq!(geometry[0] & 7, 1, "points start with MoveTo");
    let count = (geometry[0] >> 3) as usize;
    assert!(count >= 1);
    assert_eq!(geometry.len(), 1 + 2 * count);
    let mut cursor = [0, 0];
    (0..count)
        .map(|k| {
            cursor[0] += unzigzag(geometry[1 + 2 * k]);
            cursor[1] += unzigzag(geometry[2 + 2 * k]);
            cursor
        })
        .collect()
}

/// Twice the signed area of an open ring by the spec's surveyor's formula.
pub fn twice_area(ring: &[[i64; 2]]) -> i64 {
    (0..ring.len())
        .map(|i| {
            let (a, b) = (ring[i], ring[(i + 1) % ring.len()]);
            a[0] * b[1] - b[0] * a[1]
        })
        .sum()
}

/// The polygons (exterior first, then holes; open rings) of a polygon geometry, checking that
/// each ring is MoveTo, LineTo, ClosePath with at least three distinct points, no repeated
/// point, non-zero area, exteriors positive (clockwise on screen) and holes negative.
pub fn polygons(geometry: &[u32]) -> Vec<Vec<Vec<[i64; 2]>>> {
    let mut out: Vec<Vec<Vec<[i64; 2]>>> = Vec::new();
    let mut cursor = [0i64, 0];
    let mut i = 0;
    let next = |i: &mut usize| {
        let v = geometry[*i];
        *i += 1;
        v
    };
    while i < geometry.len() {
        let c = next(&mut i);
        assert_eq!((c & 7, c >> 3), (1, 1), "a ring starts with MoveTo(1)");
        let mut step = |i: &mut usize| {
            cursor[0] += unzigzag(next(i));
            cursor[1] += unzigzag(next(i));
            cursor
        };
        let mut ring = vec![step(&mut i)];
        let c = next(&mut i);
        assert_eq!(c & 7, 2, "then LineTo");
        let count = c >> 3;
        assert!(count >= 2, "a ring has at least three points");
        for _ in 0..count {
            ring.push(step(&mut i));
        }
        let c = next(&mut i);
        assert_eq!((c & 7, c >> 3), (7, 1), "and ends with ClosePath");
        for k in 0..ring.len() {
            assert_ne!(
                ring[k],
                ring[(k + 1) % ring.len()],
                "repeated point in {ring:?}"
            );
        }
        let area = twice_area(&ring);
        assert_ne!(area, 0, "zero-area ring {ring:?}");
        if area > 0 {
            out.push(vec![ring]);
        } else {
            out.last_mut()
                .expect("the first ring is an exterior (positive area)")
                .push(ring);
        }
    }
    out
}

/// Twice the area of a polygon geometry: exteriors less holes.
pub fn geometry_twice_area(geometry: &[u32]) -> i64 {
    polygons(geometry)
        .iter()
        .flatten()
        .map(|r| twice_area(r))
        .sum()
}

// ---------------------------------------------------------------- test data

/// A small deterministic random generator (SplitMix64), so tests need no crates.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in [-1, 1).
    pub fn signed(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 52) as f64 - 1.0
    }
}

/// An `nx` × `ny` coverage of quadrilateral cells of side about `cell`, in planar units,
/// cell `(i, j)` at index `j * nx + i`. Inner nodes are jittered and inner edges wiggle through
/// `wiggles` vertices each, the same points (bit for bit) on both sides. The outline is the
/// rectangle `[0, nx·cell] × [0, ny·cell]`, its edges straight with collinear vertices.
pub fn lattice(nx: usize, ny: usize, cell: f64, wiggles: usize, seed: u64) -> Vec<Polygon<f64>> {
    let mut rng = Rng::new(seed);
    let mut nodes = vec![[0.0; 2]; (nx + 1) * (ny + 1)];
    for j in 0..=ny {
        for i in 0..=nx {
            let jitter = |inner: bool, rng: &mut Rng| {
                if inner {
                    0.2 * cell * rng.signed()
                } else {
                    0.0
                }
            };
            nodes[j * (nx + 1) + i] = [
                i as f64 * cell + jitter(i > 0 && i < nx, &mut rng),
                j as f64 * cell + jitter(j > 0 && j < ny, &mut rng),
            ];
        }
    }
    let node = |i: usize, j: usize| nodes[j * (nx + 1) + i];
    let mut edge = |a: [f64; 2], b: [f64; 2], outline: bool| -> Vec<[f64; 2]> {
        let (dx, dy) = (b[0] - a[0], b[1] - a[1]);
        let len = (dx * dx + dy * dy).sqrt();
        let mut line = vec![a];
        for k in 1..=wiggles {
            let t = k as f64 / (wiggles + 1) as f64;
            let off = if outline {
                0.0
            } else {
                0.06 * cell * rng.signed()
            };
            line.push([
                a[0] + t * dx - off * dy / len,
                a[1] + t * dy + off * dx / len,
            ]);
        }
        line.push(b);
        line
    };
    let horizontal: Vec<Vec<[f64; 2]>> = (0..=ny)
        .flat_map(|j| (0..nx).map(move |i| (i, j)))
        .map(|(i, j)| edge(node(i, j), node(i + 1, j), j == 0 || j == ny))
        .collect();
    let vertical: Vec<Vec<[f64; 2]>> = (0..ny)
        .flat_map(|j| (0..=nx).map(move |i| (i, j)))
        .map(|(i, j)| edge(node(i, j), node(i, j + 1), i == 0 || i == nx))
        .collect();
    let mut cells = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            let bottom = &horizontal[j * nx + i];
            let top = &horizontal[(j + 1) * nx + i];
            let left = &vertical[j * (nx + 1) + i];
            let right = &vertical[j * (nx + 1) + i + 1];
            let mut ring: Vec<[f64; 2]> = Vec::new();
            ring.extend(&bottom[..bottom.len() - 1]);
            ring.extend(&right[..right.len() - 1]);
            ring.extend(top.iter().rev().take(top.len() - 1));
            ring.extend(left.iter().rev().take(left.len() - 1));
            cells.push(Polygon::new(LineString::from(ring), vec![]));
        }
    }
    cells
}

/// A lng/lat point in whole tile units of zoom `z`, counted from the world's north-west
/// corner, rounded as the tiler rounds (ties to even); subtract `4096 · (x, y)` for a tile's own coordinates.
pub fn quantised(c: Coord<f64>, z: u8) -> [i64; 2] {
    let scale = 4096.0 * f64::from(z).exp2();
    let x = (c.x + 180.0) / 360.0;
    let y = 0.5 - c.y.to_radians().tan().asinh() / (2.0 * std::f64::consts::PI);
    [
        (x * scale).round_ties_even() as i64,
        (y * scale).round_ties_even() as i64,
    ]
}

/// Where the test coverages sit: metres east and north of a point in Taizhou.
pub const ORIGIN: [f64; 2] = [121.0, 28.5];

/// Planar metres to longitude/latitude near [`ORIGIN`], a fixed affine map so that equal
/// inputs stay bit-identical.
pub fn to_lnglat(c: Coord<f64>) -> Coord<f64> {
    Coord {
        x: ORIGIN[0] + c.x / 97_800.0,
        y: ORIGIN[1] + c.y / 110_900.0,
    }
}

pub fn polygon_lnglat(p: &Polygon<f64>) -> Polygon<f64> {
    use geo::MapCoords;
    p.map_coords(to_lnglat)
}

/// A layer of the cells of a lattice in lng/lat, feature `k` with id `k + 1`.
pub fn grid_layer(name: &str, cells: &[Polygon<f64>], min_zoom: u8) -> TileLayer {
    TileLayer {
        name: name.to_string(),
        features: cells
            .iter()
            .enumerate()
            .map(|(k, p)| TileFeature {
                id: k as u64 + 1,
                geometry: MultiPolygon(vec![polygon_lnglat(p)]).into(),
                properties: vec![
                    ("name".into(), PropValue::Str(format!("网格{}", k + 1))),
                    ("level".into(), PropValue::Int(3)),
                    (
                        "kind".into(),
                        PropValue::from(if k % 7 == 0 {
                            "exclusive"
                        } else {
                            "comprehensive"
                        }),
                    ),
                ],
                min_zoom,
            })
            .collect(),
    }
}

/// The lng/lat bbox of a lattice of `nx` × `ny` cells of `cell` metres.
pub fn lattice_bbox(nx: usize, ny: usize, cell: f64) -> [f64; 4] {
    let ne = to_lnglat(Coord {
        x: nx as f64 * cell,
        y: ny as f64 * cell,
    });
    [ORIGIN[0], ORIGIN[1], ne.x, ne.y]
}
