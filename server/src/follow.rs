//! The follower: keeps this node's live city up to date with commits other nodes make to a
//! shared store (PostGIS).
//!
//! A background thread waits for the store's news (LISTEN/NOTIFY) for at most a second, then
//! reads the change log after the snapshot's version and applies it through the same path as
//! local writes ([`Live::catch_up`]). The notification only makes that quick; the log makes it
//! right: a node that started late, missed a notification or lost its connection reads every
//! commit it has not applied, in commit order, on its next round. Incidents other nodes
//! stored are read the same way, after the last one this node holds. See docs/cluster.md.

use crate::live::Live;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest a commit made elsewhere waits before this node looks for it, and the pause
/// between attempts while the store is down.
const POLL: Duration = Duration::from_secs(1);

/// How often a node prunes the change log, and how many of the newest commits it always
/// keeps whatever their age.
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
const KEEP_LAST: u64 = 1000;

/// Starts following when the store has a change feed; a store this process writes alone has
/// nothing to follow. Commits older than `keep_log` leave the change log.
pub fn spawn(live: &Arc<Live>, keep_log: Duration) -> std::io::Result<()> {
    if live.store().feed().is_none() {
        return Ok(());
    }
    let live = Arc::clone(live);
    std::thread::Builder::new()
        .name("onemap-follow".into())
        .spawn(move || follow(&live, keep_log))
        .map(drop)
}

fn follow(live: &Live, keep_log: Duration) {
    let feed = live.store().feed().expect("spawn checked for a feed");
    let mut reachable = true;
    let mut pruned: Option<Instant> = None;
    loop {
        if reachable && pruned.is_none_or(|at| at.elapsed() >= PRUNE_EVERY) {
            // Every node prunes; the statement is the same, so they cannot disagree.
            match feed.prune(keep_log, KEEP_LAST) {
                Ok(rows) if rows > 0 => tracing::info!("pruned {rows} change-log rows"),
                Ok(_) => {}
                Err(e) => tracing::warn!("cannot prune the change log ({e}); trying again later"),
            }
            pruned = Some(Instant::now());
        }
        let round = feed
            .wait(POLL)
            .and_then(|_| live.catch_up())
            .and_then(|applied| live.follow_events().map(|_| applied));
        match round {
            Ok(applied) => {
                if !reachable {
                    tracing::info!("the store answers again: following its commits");
                }
                reachable = true;
                if applied > 0 {
                    tracing::debug!(
                        "applied {applied} commits from other nodes; city version {}",
                        live.snapshot().version()
                    );
                }
            }
            Err(e) => {
                if reachable {
                    tracing::warn!(
                        "cannot follow the store's commits ({e}); reads go on from memory, \
                         retrying every {POLL:?}"
                    );
                }
                reachable = false;
                std::thread::sleep(POLL);
            }
        }
    }
}
