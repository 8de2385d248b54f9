//! Committed changes applied to a snapshot: the next snapshot, and what the changes touched
//! for the tiles to redraw. Features the changes left alone are carried over by index, never
//! compared or measured again.

use super::*;
use crate::write::Change;
use rustc_hash::FxHashSet;

/// A snapshot after a run of commits, and what they touched.
pub struct Advanced {
    pub snapshot: Snapshot,
    /// `(layer, id)` of every feature written or deleted, in commit order.
    pub touched: Vec<(Layer, String)>,
    /// Boxes (lng/lat) whose tiles changed: each written or deleted feature before and after,
    /// and every feature that lists a person who changed (tiles count officers per beat).
    pub boxes: Vec<[f64; 4]>,
}

impl Snapshot {
    /// The snapshot after `commits` (each a store version and its changes, oldest first),
    /// at the last commit's version; the same as [`Snapshot::build`] of the changed city.
    ///
    /// ```
    /// use onemap_index::write::Change;
    /// use onemap_index::{City, Layer, Snapshot};
    ///
    /// let s = Snapshot::build(City::default(), 1);
    /// let gone = Change::Delete { layer: Layer::Grid, id: "none".into() };
    /// let next = s.advance(&[(2, std::slice::from_ref(&gone))]);
    /// assert_eq!(next.snapshot.version(), 2);
    /// assert_eq!(next.touched, [(Layer::Grid, "none".to_string())]);
    /// ```
    pub fn advance(&self, commits: &[(u64, &[Change])]) -> Advanced {
        let version = commits.last().map_or(self.version, |(v, _)| *v);
        let mut replaced = vec![false; self.features.len()];
        let mut written: FxHashMap<(Layer, String), Feature> = FxHashMap::default();
        let mut people: FxHashMap<&str, Option<Person>> = FxHashMap::default();
        let mut touched: Vec<(Layer, String)> = Vec::new();
        let mut boxes = Vec::new();
        let mut drop_current = |i: u32, boxes: &mut Vec<[f64; 4]>| {
            if !std::mem::replace(&mut replaced[i as usize], true) {
                boxes.extend(self.features[i as usize].bbox());
            }
        };
        for &(version, changes) in commits {
            for change in changes {
                match change {
                    Change::Upsert(f) => {
                        let key = (f.layer(), f.id.clone());
                        if let Some(i) = self.ids.get(key.0, &key.1) {
                            drop_current(i, &mut boxes);
                        }
                        boxes.extend(f.bbox());
                        touched.push(key.clone());
                        let f = Feature {
                            version,
                            ..f.clone()
                        };
                        if let Some(earlier) = written.insert(key, f) {
                            boxes.extend(earlier.bbox());
                        }
                    }
                    Change::Delete { layer, id } => {
                        if let Some(i) = self.ids.get(*layer, id) {
                            drop_current(i, &mut boxes);
                        }
                        touched.push((*layer, id.clone()));
                        boxes.extend(written.remove(&(*layer, id.clone())).and_then(|f| f.bbox()));
                    }
                    Change::ClearLayer(layer) => {
                        for (i, f) in self.features.iter().enumerate() {
                            if f.layer() == *layer {
                                drop_current(i as u32, &mut boxes);
                                touched.push((*layer, f.id.clone()));
                            }
                        }
                        written.retain(|(l, id), f| {
                            if l == layer {
                                boxes.extend(f.bbox());
                                touched.push((*l, id.clone()));
                            }
                            l != layer
                        });
                    }
                    Change::UpsertPerson(p) => {
                        let person = Person {
                            version,
                            ..p.clone()
                        };
                        people.insert(&p.id, Some(person));
                    }
                    Change::DeletePerson { id } => {
                        people.insert(id, None);
                    }
                }
            }
        }
        let mut features: Vec<Feature> = self
            .features
            .iter()
            .zip(&replaced)
            .filter(|(_, gone)| !**gone)
            .map(|(f, _)| f.clone())
            .chain(written.into_values())
            .collect();
        features.sort_by(|a, b| (a.layer(), &a.id).cmp(&(b.layer(), &b.id)));
        if !people.is_empty() {
            boxes.extend(
                features
                    .iter()
                    .filter(|f| f.people.iter().any(|p| people.contains_key(p.as_str())))
                    .filter_map(Feature::bbox),
            );
        }
        let mut everyone: Vec<Person> = self
            .people
            .values()
            .filter(|p| !people.contains_key(p.id.as_str()))
            .cloned()
            .collect();
        everyone.extend(people.into_values().flatten());
        let city = City {
            features,
            people: everyone,
        };
        let snapshot = Self::assemble(city, version, Some((self, &touched)));
        Advanced {
            snapshot,
            touched,
            boxes,
        }
    }
}

/// What the previous snapshot lends the next: where each feature no edit touched stood in
/// it, and the boxes of what the edits touched.
pub(super) struct Carry<'a> {
    pub(super) prev: &'a Snapshot,
    /// Per feature of the next snapshot: its index in `prev` when no edit touched it.
    pub(super) before: Vec<Option<u32>>,
    /// Boxes, before and after, of every touched feature.
    touched_boxes: Vec<[f64; 4]>,
}

impl<'a> Carry<'a> {
    pub(super) fn new(
        prev: &'a Snapshot,
        changed: &[(Layer, String)],
        features: &[Feature],
        ids: &Ids,
    ) -> Carry<'a> {
        let changed: FxHashSet<(Layer, &str)> =
            changed.iter().map(|(l, id)| (*l, id.as_str())).collect();
        let before = features
            .iter()
            .map(|f| {
                if changed.contains(&(f.layer(), f.id.as_str())) {
                    None
                } else {
                    prev.ids.get(f.layer(), &f.id)
                }
            })
            .collect();
        let touched_boxes = changed
            .iter()
            .flat_map(|&(layer, id)| {
                let old = prev.get(layer, id).and_then(Feature::bbox);
                let new = ids.get(layer, id).and_then(|i| features[i as usize].bbox());
                old.into_iter().chain(new)
            })
            .collect();
        Carry {
            prev,
            before,
            touched_boxes,
        }
    }

    /// Whether any touched feature's box meets `bbox`.
    pub(super) fn touches(&self, bbox: [f64; 4]) -> bool {
        self.touched_boxes
            .iter()
            .any(|t| t[0] <= bbox[2] && bbox[0] <= t[2] && t[1] <= bbox[3] && bbox[1] <= t[3])
    }
}
