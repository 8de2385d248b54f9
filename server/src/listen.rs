//! Accepting connections with the limits a public network needs: a connection cap in all and
//! per address, a deadline for request headers (which also closes idle keep-alive
//! connections: slowloris and idle floods cost a slot for seconds, not for ever), and a
//! shutdown that drains for a bounded time.

use crate::app::router;
use crate::guard::Guard;
use crate::state::AppState;
use axum::extract::ConnectInfo;
use hyper_util::rt::{TokioExecutor, TokioIo, TokioTimer};
use hyper_util::server::conn::auto::Builder;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tower::ServiceExt;

/// Serves `state` on `listener` until `shutdown` resolves, then lets requests in flight finish
/// for up to `drain_s` and returns.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    let guard = state.config.guard.clone();
    let limits = state.rate_limits.clone();
    let forget = tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
    let app = router(state);
    let mut builder = Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(Guard::seconds(guard.header_timeout_s));
    builder
        .http2()
        .timer(TokioTimer::new())
        .keep_alive_interval(Guard::seconds(guard.header_timeout_s));
    let slots = Arc::new(Semaphore::new(guard.max_connections));
    let per_address = AddressSlots::new(guard.max_connections_per_address);
    let graceful = GracefulShutdown::new();
    tokio::pin!(shutdown);
    loop {
        // At the cap, accepting waits: new clients queue in the kernel's backlog until the
        // header deadline frees a slot.
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            () = &mut shutdown => break,
        };
        let Ok(slot) = slot else { break };
        let (tcp, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // Out of file descriptors, most likely: wait for connections to close.
                    tracing::warn!("cannot accept a connection: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let Some(address_slot) = per_address.take(peer.ip()) else {
            tracing::debug!(
                "{} holds too many connections: closing a new one",
                peer.ip()
            );
            continue;
        };
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("cannot set TCP_NODELAY: {e}");
        }
        let service = app
            .clone()
            .map_request(move |mut request: axum::extract::Request<_>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                request
            });
        let (builder, watcher) = (builder.clone(), graceful.watcher());
        let first_bytes = Guard::seconds(guard.header_timeout_s);
        tokio::spawn(async move {
            // hyper's header deadline starts at the first byte: a client that sends nothing
            // gets the same deadline here. `peek`, not `readable`, which may wake spuriously.
            let mut first = [0u8; 1];
            if matches!(
                tokio::time::timeout(first_bytes, tcp.peek(&mut first)).await,
                Ok(Ok(1..))
            ) {
                let connection = builder.serve_connection_with_upgrades(
                    TokioIo::new(tcp),
                    TowerToHyperService::new(service),
                );
                if let Err(e) = watcher.watch(connection.into_owned()).await {
                    tracing::debug!("connection from {peer} ended: {e}");
                }
            }
            drop((slot, address_slot));
        });
    }
    drop(listener);
    forget.abort();
    let drain = Guard::seconds(guard.drain_s);
    if tokio::time::timeout(drain, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still running after {drain:?}: stopping anyway");
    }
    Ok(())
}

/// Connections held per address.
#[derive(Clone)]
struct AddressSlots {
    held: Arc<Mutex<HashMap<IpAddr, usize>>>,
    max: usize,
}

/// One connection's place in [`AddressSlots`], given back when dropped.
struct AddressSlot {
    slots: AddressSlots,
    address: IpAddr,
}

impl AddressSlots {
    fn new(max: usize) -> Self {
        AddressSlots {
            held: Arc::default(),
            max,
        }
    }

    fn take(&self, address: IpAddr) -> Option<AddressSlot> {
        let mut held = self.held.lock().unwrap_or_else(|p| p.into_inner());
        let n = held.entry(address).or_default();
        if *n >= self.max {
            return None;
        }
        *n += 1;
        Some(AddressSlot {
            slots: self.clone(),
            address,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        let mut held = self.slots.held.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = held.get_mut(&self.address) {
            *n -= 1;
            if *n == 0 {
                held.remove(&self.address);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::AddressSlots;
    use std::net::IpAddr;

    #[test]
    fn an_address_gets_its_slots_back() {
        let slots = AddressSlots::new(2);
        let a: IpAddr = [10, 0, 0, 1].into();
        let (one, two) = (slots.take(a), slots.take(a));
        assert!(one.is_some() && two.is_some());
        assert!(slots.take(a).is_none(), "a third is refused");
        assert!(slots.take([10, 0, 0, 2].into()).is_some(), "others are not");
        drop(one);
        assert!(
            slots.take(a).is_some(),
            "a closed connection frees its slot"
        );
    }
}
