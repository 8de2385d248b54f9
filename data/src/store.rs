//! The `Store`: where a city's features, people and history are kept.
//!
//! A store is the source of truth; the in-memory index is rebuilt from it. Every write is one
//! transaction that checks the versions the writer saw, bumps the city version, and records
//! who did what in the audit log.

use crate::geojson_io::feature_to_geojson;
use onemap_index::events::Event;
pub use onemap_index::write::{Action, Change, ChangeSet};
use onemap_index::{City, Feature, Layer, Person};
use serde::Serialize;
use std::time::Duration;

/// What a successful commit returns.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Commit {
    /// The city version after this commit; every feature written got this version.
    pub version: u64,
    /// How many features and people were written or deleted.
    pub written: usize,
}

#[derive(Clone, Debug, thiserror::Error)]
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
    /// The store refused the write for good, not for now (a file changed by another program
    /// so that our statements fail, a read-only database); nothing was changed.
    #[error("the store refused the write: {0}")]
    Refused(String),
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
    /// Commits several change sets in one transaction (group commit): each is checked and
    /// applied on its own, in order, with its own version, and one that fails is left out
    /// while the others go in. Concurrent writers then share one durable flush. The answer
    /// has one result per set; when the transaction itself fails, every set gets that error.
    fn commit_group(&self, sets: &[ChangeSet]) -> Vec<Result<Commit, StoreError>> {
        sets.iter().map(|set| self.commit(set)).collect()
    }
    /// The audit log, newest first, at most `limit` entries, optionally for one feature.
    fn audit(
        &self,
        layer_id: Option<(Layer, &str)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError>;
    /// Appends incident events in one transaction, all or none, numbered after every event
    /// already stored (appends are serialised, so numbers are committed in order and a reader
    /// of [`Store::events_since`] never skips one); one audit row names the author and the
    /// numbers. Events change no feature, so the city version stays as it is.
    fn append_events(&self, events: Vec<Event>, author: &str) -> Result<Vec<Event>, StoreError>;
    /// Stored events numbered above `after`, in number order, at most `limit`.
    fn events_since(&self, after: u64, limit: usize) -> Result<Vec<Event>, StoreError>;
    /// Whether a commit could be written now, for `/health`: quick, and an error that says
    /// what to fix (a full disk, a read-only database).
    fn writable(&self) -> Result<(), StoreError> {
        Ok(())
    }
    /// Whether the store answers, for `/health`: quick, and never stuck behind a long commit.
    fn ping(&self) -> Result<(), StoreError> {
        self.version().map(drop)
    }
    /// The store's change feed, when other processes may commit to it too (PostGIS), so the
    /// live city must follow them; `None` for a store this process writes alone (GeoPackage).
    fn feed(&self) -> Option<&dyn ChangeFeed> {
        None
    }
}

/// The commits of a store shared by several nodes, in order, so each node can bring its
/// in-memory city up to date without reloading everything.
///
/// A separate trait (reached through [`Store::feed`]) rather than more `Store` methods, because
/// a store written by one process has nothing to follow and no honest answer to give.
pub trait ChangeFeed: Send + Sync {
    /// Every commit after `version`, oldest first, as `(version, changes)`; `expect` is empty.
    fn changes_since(&self, version: u64) -> Result<Vec<(u64, ChangeSet)>, StoreError>;
    /// Waits at most `timeout` for news of a commit; `Ok(true)` when some arrived. A caller
    /// reads [`ChangeFeed::changes_since`] either way: news can be lost, the log cannot.
    fn wait(&self, timeout: Duration) -> Result<bool, StoreError>;
    /// Forgets commits older than `older_than` that are not among the `keep_last` newest;
    /// how many log rows went. The audit log keeps the history: the change log only lets
    /// nodes catch up, and one too far behind reloads the city instead.
    fn prune(&self, older_than: Duration, keep_last: u64) -> Result<u64, StoreError>;
}

/// The answer of [`Store::commit_group`] from the sets' own results, or `failed` for every
/// set when the enclosing transaction could not be committed.
pub(crate) fn group_results(
    sets: usize,
    grouped: Result<Vec<Result<Commit, StoreError>>, StoreError>,
) -> Vec<Result<Commit, StoreError>> {
    grouped.unwrap_or_else(|failed| vec![Err(failed); sets])
}

/// What one audit row is about.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) enum Key {
    Feature(Layer, String),
    Person(String),
}

/// A record as stored, before or after the change set.
#[derive(Clone, PartialEq)]
pub(crate) enum Record {
    Feature(Feature),
    Person(Person),
}

impl Record {
    pub(crate) fn json(&self) -> serde_json::Value {
        match self {
            Record::Feature(f) => serde_json::to_value(feature_to_geojson(f)),
            Record::Person(p) => serde_json::to_value(p),
        }
        .expect("features and people always serialise")
    }

    /// The record with its version cleared, to tell a real change from a rewrite of the same
    /// content (a re-import): only real changes are worth an audit row.
    pub(crate) fn content(&self) -> Record {
        let mut r = self.clone();
        match &mut r {
            Record::Feature(f) => f.version = 0,
            Record::Person(p) => p.version = 0,
        }
        r
    }
}

/// The audit row for one record a commit changed.
pub(crate) fn audit_entry(
    changes: &ChangeSet,
    version: u64,
    at: &str,
    key: &Key,
    before: Option<Record>,
    after: Option<Record>,
) -> AuditEntry {
    let (layer, id) = match key {
        Key::Feature(layer, id) => (Some(*layer), id.clone()),
        Key::Person(id) => (None, id.clone()),
    };
    AuditEntry {
        version,
        at: at.to_string(),
        author: changes.author.clone(),
        action: changes.action.as_str().to_string(),
        layer,
        id,
        before: before.as_ref().map(Record::json),
        after: after.as_ref().map(Record::json),
    }
}

/// Checks a change set's `expect` against the stored versions (`stored` gives 0 for a missing
/// feature): the first mismatch is `Stale`, with the version the writer should reload.
pub(crate) fn check_expected(
    expect: &[(Layer, String, u64)],
    mut stored: impl FnMut(Layer, &str) -> Result<u64, StoreError>,
) -> Result<(), StoreError> {
    for (layer, id, expected) in expect {
        let current = stored(*layer, id)?;
        if current != *expected {
            return Err(StoreError::Stale {
                layer: *layer,
                id: id.clone(),
                expected: *expected,
                current,
            });
        }
    }
    Ok(())
}

/// The audit row of one append of events numbered `first..=last`.
pub(crate) fn events_audit(author: &str, at: &str, version: u64, events: &[Event]) -> AuditEntry {
    let (first, last) = (
        events.first().map_or(0, |e| e.seq),
        events.last().map_or(0, |e| e.seq),
    );
    AuditEntry {
        version,
        at: at.to_string(),
        author: author.to_string(),
        action: "import_events".into(),
        layer: None,
        id: format!("event:{first}-{last}"),
        before: None,
        after: Some(serde_json::json!({ "count": events.len(), "first": first, "last": last })),
    }
}
