//! What every handler shares.

use crate::auth::Tokens;
use crate::config::Config;
use crate::guard::RateLimits;
use crate::live::Live;
use crate::work::Pool;
use axum::extract::FromRef;
use onemap_index::reason::Limits;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub live: Arc<Live>,
    pub tokens: Tokens,
    pub config: Arc<Config>,
    pub rate_limits: RateLimits,
    /// Polygon queries, exports, large parses.
    pub heavy: Pool,
    /// Tiles not in the cache; apart from `heavy` so a queue of big queries never holds the map.
    pub render: Pool,
    /// Camera coverage worked out for the current city version.
    pub sights: crate::routes::sight::SightCache,
}

impl AppState {
    pub fn new(live: Arc<Live>, config: Config) -> Self {
        let g = &config.guard;
        let limit = crate::guard::Guard::seconds(g.work_time_limit_s);
        AppState {
            tokens: Tokens::new(&config.tokens),
            rate_limits: RateLimits::new(g),
            heavy: Pool::start("heavy", g.work_threads, g.work_queue, limit),
            render: Pool::start("render", g.work_threads, g.work_queue * 16, limit),
            sights: Default::default(),
            live,
            config: Arc::new(config),
        }
    }

    /// The geometry limits a write is checked against now: the service area follows the city
    /// unless one is configured.
    pub fn limits(&self) -> Limits {
        let g = &self.config.guard;
        Limits {
            max_vertices: g.max_vertices,
            max_features: g.max_features,
            service_area: g
                .service_area
                .or_else(|| self.live.snapshot().extent_with_margin(g.service_margin_km)),
        }
    }
}

impl FromRef<AppState> for Tokens {
    fn from_ref(state: &AppState) -> Tokens {
        state.tokens.clone()
    }
}
