//! A small hand-written encoder for Mapbox Vector Tile 2.1 protobuf messages.
//!
//! Only what a tile needs: `Tile { repeated Layer layers = 3 }`, `Layer { name = 1,
//! features = 2, keys = 3, values = 4, extent = 5, version = 15 }`, `Feature { id = 1,
//! packed tags = 2, type = 3, packed geometry = 4 }` and `Value`. Writing it by hand avoids a
//! code generator and lets a tile be written straight into one buffer.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::feature::PropValue;
use crate::tags::TagTable;
use crate::tile_id::EXTENT;

const VARINT: u32 = 0;
const FIXED64: u32 = 1;
const LEN: u32 = 2;

#[inline]
fn varint(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push(v as u8 | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

fn varint_len(v: u64) -> usize {
    (64 - (v | 1).leading_zeros() as usize).div_ceil(7)
}

fn key(buf: &mut Vec<u8>, field: u32, wire: u32) {
    varint(buf, u64::from(field << 3 | wire));
}

fn bytes(buf: &mut Vec<u8>, field: u32, data: &[u8]) {
    key(buf, field, LEN);
    varint(buf, data.len() as u64);
    buf.extend_from_slice(data);
}

/// The bytes a length-delimited field takes, key and length included.
fn field_len(field: u32, len: usize) -> usize {
    varint_len(u64::from(field << 3)) + varint_len(len as u64) + len
}

fn packed(buf: &mut Vec<u8>, field: u32, values: &[u32]) {
    key(buf, field, LEN);
    let len = values
        .iter()
        .map(|&v| varint_len(u64::from(v)))
        .sum::<usize>();
    varint(buf, len as u64);
    for &v in values {
        varint(buf, u64::from(v));
    }
}

/// The body of a `Value` message: strings, doubles, non-negative ints as `uint_value` and
/// negative ones as `sint_value` (zigzag), which is what readers expect and the most compact.
pub(crate) fn encode_value(value: &PropValue) -> Vec<u8> {
    let mut buf = Vec::new();
    match value {
        PropValue::Str(s) => bytes(&mut buf, 1, s.as_bytes()),
        PropValue::Float(f) => {
            key(&mut buf, 3, FIXED64);
            buf.extend_from_slice(&f.to_le_bytes());
        }
        PropValue::Int(i) if *i >= 0 => {
            key(&mut buf, 5, VARINT);
            varint(&mut buf, *i as u64);
        }
        PropValue::Int(i) => {
            key(&mut buf, 6, VARINT);
            varint(&mut buf, ((i << 1) ^ (i >> 63)) as u64);
        }
        PropValue::Bool(b) => {
            key(&mut buf, 7, VARINT);
            varint(&mut buf, u64::from(*b));
        }
    }
    buf
}

/// MVT's geometry types.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum GeomType {
    Point = 1,
    Polygon = 3,
}

/// A feature's geometry as MVT commands: `MoveTo`, `LineTo` and `ClosePath`, with zigzag
/// deltas from a cursor that carries over from ring to ring. The words are kept already
/// varint-encoded, the body of the packed `geometry` field, so a feature copies them in one go.
#[derive(Debug, Default)]
pub(crate) struct Commands {
    bytes: Vec<u8>,
    cursor: [i32; 2],
}

impl Commands {
    const MOVE_TO: u32 = 1;
    const LINE_TO: u32 = 2;
    const CLOSE_PATH: u32 = 7;

    pub fn clear(&mut self) {
        self.bytes.clear();
        self.cursor = [0, 0];
    }

    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    fn command(&mut self, id: u32, count: usize) {
        varint(&mut self.bytes, u64::from(id | (count as u32) << 3));
    }

    fn to(&mut self, p: [i32; 2]) {
        let zigzag = |d: i32| u64::from(((d << 1) ^ (d >> 31)) as u32);
        varint(&mut self.bytes, zigzag(p[0] - self.cursor[0]));
        varint(&mut self.bytes, zigzag(p[1] - self.cursor[1]));
        self.cursor = p;
    }

    pub fn point(&mut self, p: [i32; 2]) {
        self.command(Self::MOVE_TO, 1);
        self.to(p);
    }

    /// An open ring of at least three points, within the clip square (so its coordinates fit
    /// an `i32`); `ClosePath` closes it.
    pub fn ring(&mut self, ring: &[[i64; 2]]) {
        let narrow = |p: [i64; 2]| p.map(|v| v as i32);
        // Deltas within a tile take at most two bytes each.
        self.bytes.reserve(4 * ring.len() + 8);
        self.point(narrow(ring[0]));
        self.command(Self::LINE_TO, ring.len() - 1);
        for &p in &ring[1..] {
            self.to(narrow(p));
        }
        self.command(Self::CLOSE_PATH, 1);
    }
}

/// Hashes the small dense ids of a [`TagTable`] with one multiplication: SipHash's defence
/// against flooding buys nothing here and cost a tenth of the render time.
#[derive(Default)]
struct IdHasher(u64);

impl IdHasher {
    /// 2^64 divided by the golden ratio: multiplying by it spreads consecutive ids apart.
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
}

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(Self::K);
        }
    }

    fn write_u32(&mut self, v: u32) {
        self.0 = (self.0 ^ u64::from(v)).wrapping_mul(Self::K);
    }
}

type IdMap = HashMap<u32, u32, BuildHasherDefault<IdHasher>>;

/// Collects one layer's features and the keys and values they use, each stored once per layer.
#[derive(Debug, Default)]
pub(crate) struct LayerEncoder {
    features: Vec<u8>,
    feature: Vec<u8>,
    tags: Vec<u32>,
    /// The layer's own key and value tables, as ids into the [`TagTable`], and the way back.
    keys: Vec<u32>,
    values: Vec<u32>,
    key_index: IdMap,
    value_index: IdMap,
}

impl LayerEncoder {
    pub fn is_empty(&self) -> bool {
        self.features.is_empty()
    }

    pub fn add_feature(&mut self, id: u64, kind: GeomType, tags: &[[u32; 2]], geometry: &Commands) {
        self.tags.clear();
        for &[k, v] in tags {
            let k = local(&mut self.key_index, &mut self.keys, k);
            let v = local(&mut self.value_index, &mut self.values, v);
            self.tags.extend([k, v]);
        }
        let feature = &mut self.feature;
        feature.clear();
        key(feature, 1, VARINT);
        varint(feature, id);
        if !self.tags.is_empty() {
            packed(feature, 2, &self.tags);
        }
        key(feature, 3, VARINT);
        varint(feature, kind as u64);
        bytes(feature, 4, &geometry.bytes);
        bytes(&mut self.features, 2, feature);
    }

    /// Appends the layer to the tile `out` and empties the encoder for the next layer.
    pub fn finish(&mut self, name: &str, table: &TagTable, out: &mut Vec<u8>) {
        // Everything after the features, so that the features are copied only once, to `out`.
        let tail = &mut self.feature;
        tail.clear();
        for &k in &self.keys {
            bytes(tail, 3, table.key(k).as_bytes());
        }
        for &v in &self.values {
            bytes(tail, 4, table.value(v));
        }
        key(tail, 5, VARINT);
        varint(tail, u64::from(EXTENT));
        key(tail, 15, VARINT);
        varint(tail, 2);
        let len = field_len(1, name.len()) + self.features.len() + tail.len();
        key(out, 3, LEN);
        varint(out, len as u64);
        bytes(out, 1, name.as_bytes());
        out.extend_from_slice(&self.features);
        out.extend_from_slice(tail);
        self.features.clear();
        self.keys.clear();
        self.values.clear();
        self.key_index.clear();
        self.value_index.clear();
    }
}

/// The layer-local index of table entry `id`, adding it to the layer the first time it is used.
fn local(index: &mut IdMap, list: &mut Vec<u32>, id: u32) -> u32 {
    *index.entry(id).or_insert_with(|| {
        list.push(id);
        list.len() as u32 - 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varints_are_little_endian_base_128() {
        let mut buf = Vec::new();
        varint(&mut buf, 300);
        assert_eq!(buf, [0xac, 0x02]);
        for v in [0, 1, 127, 128, 300, 1 << 40, u64::MAX] {
            buf.clear();
            varint(&mut buf, v);
            assert_eq!(buf.len(), varint_len(v), "{v}");
        }
    }

    #[test]
    fn commands_follow_the_spec_example() {
        // The spec's polygon example: MoveTo(3,6) LineTo(8,12) LineTo(20,34) ClosePath.
        let mut c = Commands::default();
        c.ring(&[[3, 6], [8, 12], [20, 34]]);
        assert_eq!(c.bytes, [9, 6, 12, 18, 10, 12, 24, 44, 15]);
    }

    #[test]
    fn negative_ints_use_zigzag() {
        assert_eq!(encode_value(&PropValue::Int(-1)), [6 << 3, 1]);
        assert_eq!(encode_value(&PropValue::Int(1)), [5 << 3, 1]);
    }
}
