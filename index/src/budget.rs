//! How long a heavy query may run, and a way to stop it early.
//!
//! The engine cannot be preempted, so long loops ask their [`Budget`] between steps. The
//! server gives every heavy request one and cancels it when the client goes away, the time
//! limit passes or the server shuts down; the loop then returns [`Interrupted`] within one
//! step instead of finishing work nobody will read.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A deadline and a cancel flag shared with whoever may call the work off.
#[derive(Clone, Debug)]
pub struct Budget {
    deadline: Option<Instant>,
    cancelled: Arc<AtomicBool>,
}

/// Why a query stopped before its answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Interrupted {
    #[error("the query ran past its time limit")]
    Deadline,
    #[error("the query was cancelled")]
    Cancelled,
}

impl Budget {
    /// A budget that never runs out: for tools, tests and benchmarks.
    ///
    /// ```
    /// use onemap_index::budget::Budget;
    /// assert!(Budget::unlimited().check().is_ok());
    /// ```
    pub fn unlimited() -> Self {
        Budget {
            deadline: None,
            cancelled: Arc::default(),
        }
    }

    /// A budget that runs out `limit` from now.
    ///
    /// ```
    /// use onemap_index::budget::{Budget, Interrupted};
    /// let b = Budget::for_at_most(std::time::Duration::ZERO);
    /// assert_eq!(b.check(), Err(Interrupted::Deadline));
    /// ```
    pub fn for_at_most(limit: Duration) -> Self {
        Budget {
            deadline: Some(Instant::now() + limit),
            cancelled: Arc::default(),
        }
    }

    /// Calls the work off; every clone sees it at its next [`Budget::check`].
    ///
    /// ```
    /// use onemap_index::budget::{Budget, Interrupted};
    /// let b = Budget::unlimited();
    /// b.clone().cancel();
    /// assert_eq!(b.check(), Err(Interrupted::Cancelled));
    /// ```
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// `Ok` while the work may go on.
    pub fn check(&self) -> Result<(), Interrupted> {
        if self.cancelled.load(Ordering::Relaxed) {
            return Err(Interrupted::Cancelled);
        }
        match self.deadline {
            Some(d) if Instant::now() >= d => Err(Interrupted::Deadline),
            _ => Ok(()),
        }
    }
}
