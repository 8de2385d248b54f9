//! The follower: keeps this node's live city up to date with commits other nodes make to a
//! shared store (PostGIS).
//!
//! A background thread waits for the store's news (LISTEN/NOTIFY) for at most a second, then
//! reads the change log after the snapshot's version and applies it through the same path as
//! local writes ([`Live::catch_up`]). The notification only makes that quick; the log makes it
//! right: a node that started late, missed a notification or lost its connection reads every
//! commit it has not applied, in commit order, on its next round. See docs/cluster.md.

use crate::live::Live;
use std::sync::Arc;
use std::time::Duration;

/// The longest a commit made elsewhere waits before this node looks for it, and the pause
/// between attempts while the store is down.
const POLL: Duration = Duration::from_secs(1);

/// Starts following when the store has a change feed; a store this process writes alone has
/// nothing to follow.
pub fn spawn(live: &Arc<Live>) -> std::io::Result<()> {
    if live.store().feed().is_none() {
        return Ok(());
    }
    let live = Arc::clone(live);
    std::thread::Builder::new()
        .name("onemap-follow".into())
        .spawn(move || follow(&live))
        .map(drop)
}

fn follow(live: &Live) {
    let feed = live.store().feed().expect("spawn checked for a feed");
    let mut reachable = true;
    loop {
        let round = feed.wait(POLL).and_then(|_| live.catch_up());
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
