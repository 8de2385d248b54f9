//! `onemap serve`: open the store, seed it if new, build the index and answer HTTP.

use crate::cli::{open_store, seed_store_expecting};
use crate::config::Config;
use crate::follow;
use crate::live::Live;
use crate::state::AppState;
use anyhow::Context;
use onemap_data::{Store, StoreError};
use onemap_demo::{generate, DemoConfig};
use std::sync::Arc;
use std::time::Instant;

pub fn serve(config: Config) -> anyhow::Result<()> {
    if std::env::var_os("ONEMAP_EXIT_WITH_STDIN").is_some() {
        exit_when_stdin_closes();
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let state = open(config)?;
    let served = runtime.block_on(listen(state));
    // Pool threads and blocking tasks still running are abandoned, not waited for: a stop
    // must not hang behind a heavy query.
    runtime.shutdown_timeout(std::time::Duration::from_millis(500));
    served
}

/// Opens (and if new, seeds) the store, builds the live city and, on a shared store, starts
/// following the other nodes' commits.
pub fn open(config: Config) -> anyhow::Result<AppState> {
    let started = Instant::now();
    let store: Arc<dyn Store> = open_store(&config.store, config.database.as_deref())?.into();
    let fresh = store.version()? == 0;
    if fresh && !config.demo {
        tracing::info!(
            "{} is empty: import layers into it (see the README), or pass --demo to try onemap on a made-up city",
            config.store_name()
        );
    }
    if fresh && config.demo {
        tracing::info!("{} is new: seeding the demo city", config.store_name());
        // Nodes starting together on a new database would all seed it: the commit expects
        // the first feature to be absent, so the second one finds it and seeds nothing.
        let city = generate(&DemoConfig::default());
        let guard = city.features.first().map(|f| (f.layer(), f.id.clone(), 0));
        let incidents = onemap_demo::events(&city, config.demo_events, 2026);
        match seed_store_expecting(&*store, city, guard.into_iter().collect()) {
            Ok(_) => {
                tracing::info!("seeding {} made-up incidents", incidents.len());
                store.append_events(incidents, "onemap demo")?;
            }
            Err(StoreError::Stale { .. }) => {
                tracing::info!("another node seeded the demo city meanwhile: loading it");
            }
            Err(e) => return Err(e.into()),
        }
    }
    let live = Live::open(store, config.tile_cache_bytes)?;
    follow::spawn(
        &live,
        std::time::Duration::from_secs_f64(config.change_log_days * 86_400.0),
    )?;
    let s = live.snapshot();
    tracing::info!(
        "city version {} loaded: {} features, {} people, index {:.1} MB, in {:.2?}",
        s.version(),
        s.features().len(),
        s.people().count(),
        s.index_bytes() as f64 / 1e6,
        started.elapsed()
    );
    if config.public_url.is_none() && config.listen.ip().is_unspecified() {
        tracing::warn!("listening on every interface without public_url: style and TileJSON URLs follow the request's Host header; set --public-url (see docs/config.md)");
    }
    if config.tokens.is_empty() {
        tracing::warn!("no API tokens configured: every caller is public (masked people, no writes); see docs/config.md");
    }
    Ok(AppState::new(live, config))
}

async fn listen(state: AppState) -> anyhow::Result<()> {
    let addr = state.config.listen;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| {
        format!("cannot listen on {addr} (is another onemap running? use --listen)")
    })?;
    eprintln!(
        "onemap serving http://{} (store {})",
        listener.local_addr()?,
        state.config.store_name()
    );
    crate::listen::serve(listener, state, shutdown()).await?;
    Ok(())
}

async fn shutdown() {
    let ctrl_c = tokio::signal::ctrl_c();
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("signal handler");
    tokio::select! {
        _ = ctrl_c => {},
        _ = term.recv() => {},
    }
}

/// For supervisors and test harnesses: stop when the parent closes our stdin, so a crashed
/// parent never leaves a server behind.
fn exit_when_stdin_closes() {
    std::thread::spawn(|| {
        let mut sink = [0u8; 64];
        while matches!(std::io::Read::read(&mut std::io::stdin(), &mut sink), Ok(n) if n > 0) {}
        std::process::exit(0);
    });
}
