//! What a write is made of, as every store commits it and every node replays it.

use crate::{Feature, Layer, Person};
use serde::{Deserialize, Serialize};

/// One change inside a [`ChangeSet`]. Serialisable because a shared store's change log keeps
/// change sets as JSON for other nodes to replay.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Change {
    /// Insert or update a feature by `(layer, id)`. The feature's `version` field is ignored:
    /// the store assigns the new version.
    Upsert(Feature),
    /// Delete a feature.
    Delete { layer: Layer, id: String },
    /// Delete every feature of a layer (used before upserts by `?mode=replace`).
    ClearLayer(Layer),
    /// Insert or update a person by id.
    UpsertPerson(Person),
    /// Delete a person.
    DeletePerson { id: String },
}

/// Changes committed together or not at all.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ChangeSet {
    pub changes: Vec<Change>,
    /// `(layer, id, version)`: the write goes through only if the feature is currently at
    /// that version (`If-Match`). Version 0 means "must not exist yet".
    pub expect: Vec<(Layer, String, u64)>,
    /// Who is writing, for the audit log.
    pub author: String,
    /// What kind of write this is, for the audit log.
    pub action: Action,
}

/// What kind of write a change set is, as the audit log records it. Each comes from the
/// command that made the change set ([`crate::command::Command`]), never from free text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Features added to or updated in a layer from a file.
    Import,
    /// A layer's features replaced by a file's.
    ImportReplace,
    /// One feature created.
    Create,
    /// One feature changed.
    #[default]
    Update,
    /// One feature deleted.
    Delete,
    /// People added or updated.
    ImportPeople,
    /// The demo city written into a new store.
    Seed,
}

impl Action {
    /// The name the audit log keeps.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Import => "import",
            Action::ImportReplace => "import-replace",
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::ImportPeople => "import-people",
            Action::Seed => "seed",
        }
    }

    /// The action of a name [`Action::as_str`] gave.
    pub fn from_name(name: &str) -> Option<Action> {
        [
            Action::Import,
            Action::ImportReplace,
            Action::Create,
            Action::Update,
            Action::Delete,
            Action::ImportPeople,
            Action::Seed,
        ]
        .into_iter()
        .find(|a| a.as_str() == name)
    }
}
