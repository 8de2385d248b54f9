//! Bounded pools for work that can take more than a millisecond: polygon queries, exports,
//! parsing large bodies, rendering tiles.
//!
//! Such work never runs on the async workers, which must stay free for `/health`, locate and
//! every other caller. Each pool has a fixed number of threads at a lower scheduling priority
//! and a bounded queue: when the queue is full a request gets 503 `busy` with `Retry-After`
//! at once instead of waiting behind everyone else. Every job has a [`Budget`] with the
//! pool's time limit, cancelled when the request is dropped (the client went away, or the
//! server is shutting down), so abandoned work stops at its next check.

use crate::error::ApiError;
use axum::http::StatusCode;
use onemap_index::budget::{Budget, Interrupted};
use std::panic::AssertUnwindSafe;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender, TrySendError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

type Job = Box<dyn FnOnce() + Send>;

/// A fixed set of threads taking jobs from one bounded queue.
#[derive(Clone)]
pub struct Pool {
    name: &'static str,
    queue: SyncSender<Job>,
    time_limit: Duration,
}

impl Pool {
    /// Starts `threads` threads (at least one) behind a queue of `queue` waiting jobs.
    pub fn start(name: &'static str, threads: usize, queue: usize, time_limit: Duration) -> Pool {
        let (tx, rx) = sync_channel::<Job>(queue);
        let rx = Arc::new(Mutex::new(rx));
        for n in 0..threads.max(1) {
            let rx = Arc::clone(&rx);
            let spawned = std::thread::Builder::new()
                .name(format!("onemap-{name}-{n}"))
                .spawn(move || take_jobs(&rx));
            if let Err(e) = spawned {
                tracing::error!("cannot start a {name} thread: {e}");
            }
        }
        Pool {
            name,
            queue: tx,
            time_limit,
        }
    }

    /// Runs `work` on the pool and waits for its answer. Dropping the returned future cancels
    /// the work's budget; a panic in `work` becomes a 500 and the thread goes on.
    pub async fn run<T, F>(&self, work: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&Budget) -> Result<T, ApiError> + Send + 'static,
    {
        let budget = Budget::for_at_most(self.time_limit);
        let _cancel_when_dropped = CancelOnDrop(budget.clone());
        let (tx, rx) = tokio::sync::oneshot::channel();
        let job_budget = budget.clone();
        let name = self.name;
        self.submit(Box::new(move || {
            let answer = match job_budget.check() {
                Err(why) => Err(why.into()),
                Ok(()) => std::panic::catch_unwind(AssertUnwindSafe(|| work(&job_budget)))
                    .unwrap_or_else(|_| Err(ApiError::internal(name, "a pool job panicked"))),
            };
            // The caller may have gone: then nobody reads the answer.
            let _ = tx.send(answer);
        }))?;
        rx.await
            .map_err(|_| ApiError::internal(self.name, "a pool job ended without an answer"))?
    }

    /// Queues a job that answers by other means (a streamed body), with a budget the caller
    /// keeps to cancel it.
    pub fn spawn<F>(&self, work: F) -> Result<Budget, ApiError>
    where
        F: FnOnce(&Budget) + Send + 'static,
    {
        let budget = Budget::for_at_most(self.time_limit);
        let job_budget = budget.clone();
        self.submit(Box::new(move || {
            if job_budget.check().is_ok() {
                work(&job_budget);
            }
        }))?;
        Ok(budget)
    }

    fn submit(&self, job: Job) -> Result<(), ApiError> {
        self.queue.try_send(job).map_err(|e| match e {
            TrySendError::Full(_) => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "busy",
                format!(
                    "the server's {} queue is full: try again in a second",
                    self.name
                ),
            )
            .retry_after(1),
            TrySendError::Disconnected(_) => {
                ApiError::internal(self.name, "the pool's threads are gone")
            }
        })
    }
}

fn take_jobs(rx: &Mutex<Receiver<Job>>) {
    lower_priority();
    loop {
        let job = match rx.lock() {
            Ok(rx) => rx.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        match job {
            Ok(job) => job(),
            Err(_) => return,
        }
    }
}

/// Heavy and background work yields the CPU to the async workers and the committer: on Linux
/// the nice value is per thread (and threads the calling one starts inherit it).
#[allow(unsafe_code)]
pub(crate) fn lower_priority() {
    // SAFETY: setpriority only reads its arguments; 0 names the calling thread.
    let rc = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) };
    if rc != 0 {
        tracing::debug!("cannot lower a pool thread's priority");
    }
}

struct CancelOnDrop(Budget);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.cancel();
    }
}

impl From<Interrupted> for ApiError {
    fn from(why: Interrupted) -> Self {
        match why {
            Interrupted::Deadline => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "time_limit",
                "the request ran past the server's time limit (work_time_limit_s): send a smaller polygon or fewer features",
            ),
            Interrupted::Cancelled => ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "cancelled",
                "the request was cancelled (the client went away or the server is stopping)",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn answers_refuses_when_full_and_survives_panics() {
        let pool = Pool::start("test", 1, 1, Duration::from_secs(5));
        assert_eq!(pool.run(|_| Ok(2 + 2)).await.unwrap(), 4);
        let err = pool
            .run(|_| -> Result<(), ApiError> { panic!("boom") })
            .await
            .unwrap_err();
        assert_eq!(err.code, "internal");
        assert_eq!(pool.run(|_| Ok("still here")).await.unwrap(), "still here");

        let (hold_tx, hold_rx) = std::sync::mpsc::channel::<()>();
        let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
        let blocker = pool.spawn(move |_| {
            let _ = started_tx.send(());
            let _ = hold_rx.recv();
        });
        assert!(blocker.is_ok());
        started_rx.recv().expect("the thread takes the first job");
        let queued = pool.spawn(|_| {});
        assert!(queued.is_ok(), "one job may wait");
        let refused = pool.run(|_| Ok(())).await.unwrap_err();
        assert_eq!((refused.status.as_u16(), refused.code), (503, "busy"));
        assert_eq!(refused.retry_after, Some(1));
        drop(hold_tx);
    }

    #[tokio::test]
    async fn a_dropped_request_cancels_its_work() {
        let pool = Pool::start("test", 1, 4, Duration::from_secs(30));
        let (seen_tx, seen_rx) = std::sync::mpsc::channel();
        let request = pool.run(move |budget| {
            while budget.check().is_ok() {
                std::thread::sleep(Duration::from_millis(1));
            }
            let _ = seen_tx.send(budget.check());
            Ok(())
        });
        // Poll once so the job is queued, then drop the request as a disconnect does.
        let _ = tokio::time::timeout(Duration::from_millis(20), request).await;
        let stopped = seen_rx.recv_timeout(Duration::from_secs(5));
        assert_eq!(stopped, Ok(Err(Interrupted::Cancelled)));
    }

    #[tokio::test]
    async fn work_past_the_time_limit_stops() {
        let pool = Pool::start("test", 1, 4, Duration::from_millis(20));
        let err = pool
            .run(|budget: &Budget| -> Result<(), ApiError> {
                loop {
                    budget.check()?;
                    std::thread::sleep(Duration::from_millis(1));
                }
            })
            .await
            .unwrap_err();
        assert_eq!(err.code, "time_limit");
    }
}
