//! The `Store`: where a city's features, people and history are kept.
//!
//! A store is the source of truth; the in-memory index is rebuilt from it. Every write is one
//! transaction that checks the versions the writer saw, bumps the city version, and records
//! who did what in the audit log.

use onemap_index::{City, Feature, Layer, Person};
use serde::Serialize;

/// One change inside a [`ChangeSet`].
#[derive(Clone, Debug, PartialEq)]
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
    /// What kind of write this is (`import`, `update`, `delete`, ...), for the audit log.
    pub action: String,
}

/// What a successful commit returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Commit {
    /// The city version after this commit; every feature written got this version.
    pub version: u64,
    /// How many features and people were written or deleted.
    pub written: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A feature named in `expect` is at another version.
    #[error("{layer}/{id} is at version {current}, not {expected}: reload it and try again")]
    Stale {
        layer: Layer,
        id: String,
        expected: u64,
        /// 0 when the feature does not exist.
        current: u64,
    },
    #[error("{layer}/{id} does not exist")]
    NotFound { layer: Layer, id: String },
    /// The store cannot be reached or written; nothing was changed.
    #[error("the store is unavailable: {0}")]
    Unavailable(String),
    /// The stored data cannot be read back (corrupt file, foreign schema).
    #[error("the store holds data onemap cannot read: {0}")]
    Corrupt(String),
}

/// One audit record: who wrote what, when, with the feature before and after.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct AuditEntry {
    pub version: u64,
    /// RFC 3339 UTC time of the commit.
    pub at: String,
    pub author: String,
    pub action: String,
    pub layer: Option<Layer>,
    pub id: String,
    /// GeoJSON of the feature (or JSON of the person) before and after; `None` for absent.
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

/// Where a city is kept. Implementations are synchronous; servers call them off the async
/// runtime.
pub trait Store: Send + Sync {
    /// Everything in the store, with each feature's current version.
    fn load(&self) -> Result<City, StoreError>;
    /// The city version: the number of the last commit (0 for a new store).
    fn version(&self) -> Result<u64, StoreError>;
    /// Commits a change set atomically: every change or none, after checking `expect`.
    fn commit(&self, changes: &ChangeSet) -> Result<Commit, StoreError>;
    /// The audit log, newest first, at most `limit` entries, optionally for one feature.
    fn audit(
        &self,
        layer_id: Option<(Layer, &str)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
}
