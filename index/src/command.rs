//! Typed commands: every write a caller can ask for, checked against the city before the
//! store sees it. A command becomes a [`ChangeSet`] only through [`Snapshot::prepare`],
//! which applies the rules a write must meet (geometry within reason, a version for an
//! edit of an existing feature), and names the audit [`Action`] itself.
//!
//! The planner's operations to come (reshape a shared boundary, split, merge, retire) are
//! further variants here, each with its own checks.

use crate::reason::{Limits, Unreasonable};
use crate::write::{Action, Change, ChangeSet};
use crate::{Feature, Layer, Person, Snapshot};

/// Which version of a feature a write was made against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The writer says nothing: fine for a new feature, refused for an existing one.
    Unstated,
    /// Whatever version is there (`If-Match: *`).
    Any,
    /// This version (`If-Match: "12"`); the write fails if another went in first.
    Version(u64),
}

/// A write, as a caller asks for it.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Add or update `features` of `layer`; with `replace`, the layer holds exactly them after.
    Import {
        layer: Layer,
        features: Vec<Feature>,
        replace: bool,
    },
    /// Create a feature, or replace an existing one.
    Put { feature: Feature, expect: Expect },
    /// Delete a feature.
    Delete {
        layer: Layer,
        id: String,
        expect: Expect,
    },
    /// Add or update people.
    ImportPeople { people: Vec<Person> },
}

/// Why a command was refused before it reached the store.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("the import holds {count} features, more than the limit of {limit} (max_features): split it")]
    TooManyFeatures { count: usize, limit: usize },
    /// Feature `index` of the command breaks a geometry limit.
    #[error("{reason}")]
    Unreasonable { index: usize, reason: Unreasonable },
    #[error("{layer}/{id} exists (version {current}): send the version you edited (If-Match), or * to overwrite")]
    VersionRequired {
        layer: Layer,
        id: String,
        current: u64,
    },
    #[error("{layer}/{id} does not exist")]
    NotFound { layer: Layer, id: String },
    /// Deleting the feature would orphan its children (grids one level down, a station's
    /// beats) or leave its people answering for nothing.
    #[error("{layer}/{id} still has {} children and {} people: move them to another {layer} first (PUT each with its new parent, or the feature without its people)", children.len(), people.len())]
    HasDependents {
        layer: Layer,
        id: String,
        children: Vec<(Layer, String)>,
        people: Vec<String>,
    },
}

impl Snapshot {
    /// Checks `command` against this city and `limits` and turns it into the change set to
    /// commit as `author`. The store checks the expected versions once more, atomically.
    ///
    /// ```
    /// use onemap_index::command::{Command, Expect, Refusal};
    /// use onemap_index::reason::Limits;
    /// use onemap_index::{City, Layer, Snapshot};
    /// let empty = Snapshot::build(City::default(), 0);
    /// let delete = Command::Delete { layer: Layer::Grid, id: "g1".into(), expect: Expect::Any };
    /// let refused = empty.prepare(delete, &Limits::default(), "ann").unwrap_err();
    /// assert!(matches!(refused, Refusal::NotFound { .. }));
    /// ```
    pub fn prepare(
        &self,
        command: Command,
        limits: &Limits,
        author: &str,
    ) -> Result<ChangeSet, Refusal> {
        let (changes, expect, action) = match command {
            Command::Import {
                layer,
                features,
                replace,
            } => {
                if features.len() > limits.max_features {
                    return Err(Refusal::TooManyFeatures {
                        count: features.len(),
                        limit: limits.max_features,
                    });
                }
                self.reasonable(&features, limits)?;
                let clear = replace.then_some(Change::ClearLayer(layer));
                let changes = clear
                    .into_iter()
                    .chain(features.into_iter().map(Change::Upsert))
                    .collect();
                let action = if replace {
                    Action::ImportReplace
                } else {
                    Action::Import
                };
                (changes, Vec::new(), action)
            }
            Command::Put { feature, expect } => {
                self.reasonable(std::slice::from_ref(&feature), limits)?;
                let (layer, id) = (feature.layer(), feature.id.clone());
                let current = self.get(layer, &id).map(|f| f.version);
                let version = self.expected(layer, &id, current, expect)?;
                let action = if current.is_some() {
                    Action::Update
                } else {
                    Action::Create
                };
                let expect = version.map(|v| (layer, id, v)).into_iter().collect();
                (vec![Change::Upsert(feature)], expect, action)
            }
            Command::Delete { layer, id, expect } => {
                let Some(index) = self.index_of(layer, &id) else {
                    return Err(Refusal::NotFound { layer, id });
                };
                let current = self.feature(index).version;
                let version = self.expected(layer, &id, Some(current), expect)?;
                let children: Vec<(Layer, String)> = (0..self.features().len() as u32)
                    .filter(|i| self.parent(*i) == Some(index))
                    .map(|i| (self.feature(i).layer(), self.feature(i).id.clone()))
                    .collect();
                let people = self.feature(index).people.clone();
                if !children.is_empty() || !people.is_empty() {
                    return Err(Refusal::HasDependents {
                        layer,
                        id,
                        children,
                        people,
                    });
                }
                let expect = version
                    .map(|v| (layer, id.clone(), v))
                    .into_iter()
                    .collect();
                (vec![Change::Delete { layer, id }], expect, Action::Delete)
            }
            Command::ImportPeople { people } => (
                people.into_iter().map(Change::UpsertPerson).collect(),
                Vec::new(),
                Action::ImportPeople,
            ),
        };
        Ok(ChangeSet {
            changes,
            expect,
            author: author.to_string(),
            action,
        })
    }

    fn reasonable(&self, features: &[Feature], limits: &Limits) -> Result<(), Refusal> {
        self.check_within_reason(features, limits)
            .map_err(|(index, reason)| Refusal::Unreasonable { index, reason })
    }

    /// The version the store must find, `None` for any: 0 (absent) for a new feature with
    /// nothing stated; refused for an existing feature with nothing stated.
    fn expected(
        &self,
        layer: Layer,
        id: &str,
        current: Option<u64>,
        expect: Expect,
    ) -> Result<Option<u64>, Refusal> {
        match (expect, current) {
            (Expect::Unstated, None) => Ok(Some(0)),
            (Expect::Unstated, Some(current)) => Err(Refusal::VersionRequired {
                layer,
                id: id.to_string(),
                current,
            }),
            (Expect::Any, _) => Ok(None),
            (Expect::Version(v), _) => Ok(Some(v)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::City;

    fn grid(id: &str, version: u64) -> Feature {
        Feature {
            version,
            ..crate::test_support::grid(id, None, 121.0, 0.01)
        }
    }

    fn city() -> Snapshot {
        Snapshot::build(
            City {
                features: vec![grid("g1", 4)],
                ..City::default()
            },
            4,
        )
    }

    #[test]
    fn a_put_creates_or_updates_and_an_update_needs_a_version() {
        let (s, limits) = (city(), Limits::default());
        let put = |id: &str, expect| Command::Put {
            feature: grid(id, 0),
            expect,
        };
        let created = s
            .prepare(put("g2", Expect::Unstated), &limits, "ann")
            .unwrap();
        assert_eq!(
            (created.action, created.expect),
            (Action::Create, vec![(Layer::Grid, "g2".into(), 0)])
        );
        let refused = s
            .prepare(put("g1", Expect::Unstated), &limits, "ann")
            .unwrap_err();
        assert!(
            matches!(refused, Refusal::VersionRequired { current: 4, .. }),
            "{refused:?}"
        );
        let updated = s
            .prepare(put("g1", Expect::Version(4)), &limits, "ann")
            .unwrap();
        assert_eq!(
            (updated.action, updated.author.as_str()),
            (Action::Update, "ann")
        );
        assert!(s
            .prepare(put("g1", Expect::Any), &limits, "ann")
            .unwrap()
            .expect
            .is_empty());
    }

    #[test]
    fn an_import_is_bounded_and_a_replace_clears_the_layer_first() {
        let s = city();
        let import = |replace| Command::Import {
            layer: Layer::Grid,
            features: vec![grid("g2", 0), grid("g3", 0)],
            replace,
        };
        let replaced = s.prepare(import(true), &Limits::default(), "ann").unwrap();
        assert_eq!(replaced.action, Action::ImportReplace);
        assert_eq!(replaced.changes[0], Change::ClearLayer(Layer::Grid));
        let tight = Limits {
            max_features: 1,
            ..Limits::default()
        };
        let refused = s.prepare(import(false), &tight, "ann").unwrap_err();
        assert_eq!(refused, Refusal::TooManyFeatures { count: 2, limit: 1 });
    }

    #[test]
    fn a_delete_that_would_orphan_children_or_people_is_refused_with_them() {
        use crate::model::Attributes;
        let community = Feature {
            attributes: Attributes::Grid {
                level: 2,
                parent: None,
                kind: Default::default(),
                category: None,
                setting: None,
                population: None,
                households: None,
            },
            ..crate::test_support::grid("c1", None, 121.0, 0.02)
        };
        let child = crate::test_support::grid("g1", Some("c1"), 121.0, 0.01);
        let staffed = Feature {
            people: vec!["p1".into()],
            ..crate::test_support::grid("g2", Some("c1"), 121.01, 0.01)
        };
        let s = Snapshot::build(
            City {
                features: vec![community, child, staffed],
                ..City::default()
            },
            1,
        );
        let delete = |id: &str| Command::Delete {
            layer: Layer::Grid,
            id: id.into(),
            expect: Expect::Any,
        };
        let limits = Limits::default();
        match s.prepare(delete("c1"), &limits, "ann") {
            Err(Refusal::HasDependents {
                children, people, ..
            }) => {
                assert_eq!(
                    children,
                    [
                        (Layer::Grid, "g1".to_string()),
                        (Layer::Grid, "g2".to_string())
                    ]
                );
                assert!(people.is_empty());
            }
            other => panic!("{other:?}"),
        }
        match s.prepare(delete("g2"), &limits, "ann") {
            Err(Refusal::HasDependents {
                children, people, ..
            }) => {
                assert!(children.is_empty());
                assert_eq!(people, ["p1"]);
            }
            other => panic!("{other:?}"),
        }
        let leaf = s
            .prepare(delete("g1"), &limits, "ann")
            .expect("a leaf without people goes");
        assert_eq!(leaf.action, Action::Delete);
    }
}
