//! The embedded store: one OGC GeoPackage 1.3 file that QGIS and GDAL open as they are.
//!
//! Layers are feature tables (`grid`, `beat`, `station`, `camera`), people and the audit log
//! are attribute tables, and `onemap_meta` holds the city and schema versions. Every commit is
//! one `BEGIN IMMEDIATE` transaction in WAL mode with `synchronous=FULL`: once `commit`
//! returns, the change survives a crash or power cut, and a process killed halfway leaves
//! all of a change set or none of it.
//!
//! While a store is open, recent commits may sit in the `-wal` file beside the GeoPackage:
//! copy both, or close the store first (that folds the WAL back in), when taking a backup.

mod audit;
pub(crate) mod binary;
mod commit;
mod events;
mod functions;
mod rows;
mod schema;

/// For readers of blobs written elsewhere (and the fuzzer).
pub use binary::{decode as decode_geometry_blob, decode_wkb};

use crate::store::{group_results, AuditEntry};
use crate::{ChangeSet, Commit, Store, StoreError};
use onemap_index::events::Event;
use onemap_index::{City, Layer};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// How long a write waits for another process (QGIS, a second server) holding the file.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Below this much free space where the file is kept, `/health` reports the store
/// unwritable: a commit writes the WAL first, and a full disk refuses every write.
const MIN_FREE_BYTES: u64 = 4 << 20;

/// A city kept in a GeoPackage file.
pub struct GeoPackageStore {
    /// One connection, one writer at a time; SQLite serialises other processes.
    conn: Mutex<Connection>,
    /// The file, for free-space checks.
    path: PathBuf,
}

impl GeoPackageStore {
    /// Opens the GeoPackage at `path`, creating and initialising it if it does not exist and
    /// upgrading its schema if an older onemap wrote it.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, StoreError> {
        let path = path.as_ref();
        let mut conn = Connection::open(path).map_err(|e| opening(path, e))?;
        configure(&conn).map_err(|e| opening(path, e))?;
        schema::migrate(&mut conn)?;
        Ok(GeoPackageStore {
            conn: Mutex::new(conn),
            path: path.to_path_buf(),
        })
    }

    /// Whether nothing was ever committed: the test for seeding a new file with a city. A
    /// city emptied on purpose has a version, so it is not seeded again.
    pub fn is_empty(&self) -> Result<bool, StoreError> {
        Ok(self.version()? == 0)
    }

    /// The connection. A panic while it was held cannot have left a transaction open (the
    /// transaction rolls back as it unwinds), so a poisoned lock is safe to take over.
    fn lock(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Store for GeoPackageStore {
    fn load(&self) -> Result<City, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction()?; // one snapshot across all tables
        let mut features = Vec::new();
        for layer in Layer::ALL {
            features.extend(rows::load_layer(&tx, layer)?);
        }
        let people = rows::load_people(&tx)?;
        Ok(City { features, people })
    }

    fn version(&self) -> Result<u64, StoreError> {
        commit::city_version(&self.lock())
    }

    fn commit(&self, changes: &ChangeSet) -> Result<Commit, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let done = commit::write(&tx, changes)?;
        tx.commit()?;
        Ok(done)
    }

    fn commit_group(&self, sets: &[ChangeSet]) -> Vec<Result<Commit, StoreError>> {
        let mut conn = self.lock();
        let grouped = (|| {
            let mut tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let mut results = Vec::with_capacity(sets.len());
            for set in sets {
                // A savepoint per set: one that fails rolls back alone (on drop).
                let part = tx.savepoint()?;
                let result = commit::write(&part, set);
                if result.is_ok() {
                    part.commit()?;
                }
                results.push(result);
            }
            tx.commit()?;
            Ok(results)
        })();
        group_results(sets.len(), grouped)
    }

    fn append_events(&self, events: Vec<Event>, author: &str) -> Result<Vec<Event>, StoreError> {
        let mut conn = self.lock();
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let stored = events::append(&tx, events, author)?;
        tx.commit()?;
        Ok(stored)
    }

    fn events_since(&self, after: u64, limit: usize) -> Result<Vec<Event>, StoreError> {
        events::since(&self.lock(), after, limit)
    }

    fn writable(&self) -> Result<(), StoreError> {
        let folder = self.path.parent().filter(|p| !p.as_os_str().is_empty());
        let stats = rustix::fs::statvfs(folder.unwrap_or(Path::new(".")))
            .map_err(|e| StoreError::Unavailable(format!("cannot check free space: {e}")))?;
        let free = stats.f_bavail.saturating_mul(stats.f_frsize);
        if free < MIN_FREE_BYTES {
            return Err(StoreError::Unavailable(format!(
                "{} KB free on the disk holding {}: free space or move the store",
                free >> 10,
                self.path.display()
            )));
        }
        Ok(())
    }

    fn audit(
        &self,
        layer_id: Option<(Layer, &str)>,
        limit: usize,
    ) -> Result<Vec<AuditEntry>, StoreError> {
        audit::recent(&self.lock(), layer_id, limit)
    }
}

/// WAL lets readers go on during a write; `synchronous=FULL` makes an acknowledged commit
/// durable even in WAL mode (the default, NORMAL, may lose the last commits on power loss).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    functions::register(conn)?;
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    conn.pragma_update(None, "synchronous", "FULL")?;
    conn.pragma_update(None, "foreign_keys", true)
}

fn opening(path: &Path, e: rusqlite::Error) -> StoreError {
    match StoreError::from(e) {
        StoreError::Unavailable(why) => StoreError::Unavailable(format!(
            "cannot open {}: {why}; check that the directory exists and is writable",
            path.display()
        )),
        other => other,
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> Self {
        let code = e.sqlite_error_code();
        match e {
            _ if matches!(
                code,
                Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt)
            ) =>
            {
                StoreError::Corrupt(format!(
                    "{e}: restore the file from a backup or start a new one"
                ))
            }
            _ if matches!(
                code,
                Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
            ) =>
            {
                StoreError::Unavailable(format!(
                    "{e}: another program holds the GeoPackage (an open QGIS edit session?); \
                     finish it and try again"
                ))
            }
            _ if code == Some(ErrorCode::DiskFull) => StoreError::Unavailable(format!(
                "{e}: the disk holding the GeoPackage is full; free space and try again"
            )),
            // A statement the file cannot run (a trigger calling a function we lack, a table
            // another program changed): permanent, so not "try again shortly".
            _ if matches!(code, Some(ErrorCode::Unknown | ErrorCode::ReadOnly)) => {
                StoreError::Refused(format!(
                    "{e}: the GeoPackage was changed in a way onemap cannot write to; see the log"
                ))
            }
            rusqlite::Error::UserFunctionError(..) => StoreError::Refused(e.to_string()),
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => StoreError::Corrupt(e.to_string()),
            _ => StoreError::Unavailable(e.to_string()),
        }
    }
}
