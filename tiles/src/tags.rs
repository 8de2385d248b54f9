//! A layer's property keys and values, interned once when the tiler is built.
//!
//! Each feature's properties become pairs of small ids and each value is encoded to protobuf
//! once, so a tile only has to map ids to its own key and value tables, never hash a string
//! or format a number per request.

use rustc_hash::FxHashMap as HashMap;

use crate::feature::PropValue;
use crate::mvt::encode_value;

/// Interned keys, encoded values and every feature's (key id, value id) pairs.
#[derive(Debug, Default)]
pub(crate) struct TagTable {
    keys: Vec<String>,
    values: Vec<Vec<u8>>,
    pairs: Vec<[u32; 2]>,
    /// Feature `f`'s pairs are `pairs[offsets[f]..offsets[f + 1]]`.
    offsets: Vec<u32>,
}

/// A value as a hash key: floats by their bits, so that equal numbers share one entry.
#[derive(PartialEq, Eq, Hash)]
enum ValueKey<'a> {
    Str(&'a str),
    Int(i64),
    Float(u64),
    Bool(bool),
}

impl<'a> From<&'a PropValue> for ValueKey<'a> {
    fn from(v: &'a PropValue) -> Self {
        match v {
            PropValue::Str(s) => ValueKey::Str(s),
            PropValue::Int(i) => ValueKey::Int(*i),
            PropValue::Float(f) => ValueKey::Float(f.to_bits()),
            PropValue::Bool(b) => ValueKey::Bool(*b),
        }
    }
}

impl TagTable {
    /// Interns the properties of each feature in turn; a key repeated within one feature keeps
    /// its first value, since a tag list may not hold a key twice.
    pub fn new<'a>(features: impl IntoIterator<Item = &'a [(String, PropValue)]>) -> TagTable {
        let mut table = TagTable {
            offsets: vec![0],
            ..TagTable::default()
        };
        let mut key_ids: HashMap<&str, u32> = HashMap::default();
        let mut value_ids: HashMap<ValueKey, u32> = HashMap::default();
        for properties in features {
            let start = table.pairs.len();
            for (k, v) in properties {
                let k = *key_ids.entry(k).or_insert_with(|| {
                    table.keys.push(k.clone());
                    table.keys.len() as u32 - 1
                });
                if table.pairs[start..].iter().any(|p| p[0] == k) {
                    continue;
                }
                let v = *value_ids.entry(v.into()).or_insert_with(|| {
                    table.values.push(encode_value(v));
                    table.values.len() as u32 - 1
                });
                table.pairs.push([k, v]);
            }
            table.offsets.push(table.pairs.len() as u32);
        }
        table
    }

    pub fn feature(&self, f: usize) -> &[[u32; 2]] {
        &self.pairs[self.offsets[f] as usize..self.offsets[f + 1] as usize]
    }

    pub fn key(&self, id: u32) -> &str {
        &self.keys[id as usize]
    }

    /// The encoded `Value` message.
    pub fn value(&self, id: u32) -> &[u8] {
        &self.values[id as usize]
    }
}
