//! What keeps one caller from taking the server from everyone else: timeouts, connection
//! caps, rate limits, body caps by role, and limits on the work one request may ask for.
//!
//! The defaults follow what operators expect of nginx or PostgREST in front of a public
//! network: slow or idle connections are closed, one address cannot hold thousands of
//! connections, floods get `429` with `Retry-After` (tokens get far more room than anonymous
//! callers, so a dispatcher is never throttled by the public), and an anonymous caller is
//! refused before the server reads a large body.

use crate::auth::{Access, Caller, Tokens};
use crate::error::ApiError;
use crate::state::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter};
use onemap_index::reason::{DEFAULT_MAX_FEATURES, DEFAULT_MAX_VERTICES, DEFAULT_SERVICE_MARGIN_KM};
use serde::Deserialize;
use std::net::{IpAddr, SocketAddr};
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

/// The `[limits]` table of the config file; every key may be left out.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Guard {
    /// A client must send a request's headers within this; it also bounds how long an idle
    /// keep-alive connection is held.
    pub header_timeout_s: f64,
    /// A client must send a request's body within this.
    pub body_timeout_s: f64,
    /// Connections held at once, in all and from one address.
    pub max_connections: usize,
    pub max_connections_per_address: usize,
    /// Requests per second (bursts of twice as many) from one address without a token, and
    /// per token; 0 turns the limit off.
    pub public_requests_per_s: u32,
    pub token_requests_per_s: u32,
    /// Largest body an anonymous caller may send, in MB (tokens get `max_body_mb`).
    pub public_max_body_mb: usize,
    /// Threads and waiting jobs of the heavy-work pool, and how long one job may run.
    pub work_threads: usize,
    pub work_queue: usize,
    pub work_time_limit_s: f64,
    /// Vertices one feature (or one polygon query) may have.
    pub max_vertices: usize,
    /// Features one import may hold, and points one batch locate.
    pub max_features: usize,
    pub max_points: usize,
    /// `[west, south, east, north]` every stored feature must lie in; by default the city's
    /// extent plus `service_margin_km`.
    pub service_area: Option<[f64; 4]>,
    pub service_margin_km: f64,
    /// Origins other web apps may call the API from (`*` for any).
    pub cors_origins: Vec<String>,
    /// On SIGTERM, how long requests in flight may take to finish.
    pub drain_s: f64,
}

impl Default for Guard {
    fn default() -> Self {
        Guard {
            header_timeout_s: 10.0,
            body_timeout_s: 60.0,
            max_connections: 4096,
            max_connections_per_address: 256,
            public_requests_per_s: 200,
            token_requests_per_s: 5000,
            public_max_body_mb: 8,
            work_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            work_queue: 64,
            work_time_limit_s: 10.0,
            max_vertices: DEFAULT_MAX_VERTICES,
            max_features: DEFAULT_MAX_FEATURES,
            max_points: 2_000_000,
            service_area: None,
            service_margin_km: DEFAULT_SERVICE_MARGIN_KM,
            cors_origins: vec!["*".into()],
            drain_s: 5.0,
        }
    }
}

impl Guard {
    /// Refuses settings that would switch a protection off by accident.
    pub fn checked(self) -> anyhow::Result<Guard> {
        let positive = [
            ("header_timeout_s", self.header_timeout_s),
            ("body_timeout_s", self.body_timeout_s),
            ("work_time_limit_s", self.work_time_limit_s),
            ("drain_s", self.drain_s),
        ];
        for (name, v) in positive {
            if !(v.is_finite() && v > 0.0 && v <= 86_400.0) {
                anyhow::bail!("[limits] {name} must be a number of seconds above 0, not {v}");
            }
        }
        let counts = [
            ("max_connections", self.max_connections),
            (
                "max_connections_per_address",
                self.max_connections_per_address,
            ),
            ("work_threads", self.work_threads),
            ("work_queue", self.work_queue),
            ("max_vertices", self.max_vertices),
            ("max_features", self.max_features),
            ("max_points", self.max_points),
        ];
        for (name, v) in counts {
            if v == 0 {
                anyhow::bail!("[limits] {name} must be at least 1");
            }
        }
        if let Some(a) = self.service_area {
            if !(a[0] < a[2] && a[1] < a[3] && a.iter().all(|v| v.is_finite())) {
                anyhow::bail!("[limits] service_area must be [west, south, east, north] in degrees, not {a:?}");
            }
        }
        Ok(self)
    }

    pub fn seconds(v: f64) -> Duration {
        Duration::from_secs_f64(v)
    }
}

/// Who a rate limit counts: a token's holder, or an address without one.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Token(String),
    Address(IpAddr),
}

type Limiter = RateLimiter<Key, DefaultKeyedStateStore<Key>, DefaultClock>;

/// The per-address and per-token request budgets.
#[derive(Clone)]
pub struct RateLimits {
    public: Option<Arc<Limiter>>,
    token: Option<Arc<Limiter>>,
}

impl RateLimits {
    pub fn new(guard: &Guard) -> Self {
        let limiter = |per_s: u32| {
            NonZeroU32::new(per_s).map(|rate| {
                let burst = NonZeroU32::new(per_s.saturating_mul(2)).unwrap_or(rate);
                Arc::new(RateLimiter::keyed(
                    Quota::per_second(rate).allow_burst(burst),
                ))
            })
        };
        RateLimits {
            public: limiter(guard.public_requests_per_s),
            token: limiter(guard.token_requests_per_s),
        }
    }

    /// `Err(seconds to wait)` when `key` has used its budget.
    fn admit(&self, key: Key) -> Result<(), u64> {
        let limiter = match key {
            Key::Token(_) => &self.token,
            Key::Address(_) => &self.public,
        };
        let Some(limiter) = limiter else {
            return Ok(());
        };
        limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + 1
        })
    }

    /// Forgets callers idle long enough to have their whole budget back, so the tables do not
    /// grow with every address ever seen.
    pub fn forget_idle(&self) {
        for limiter in [&self.public, &self.token].into_iter().flatten() {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

/// Middleware: counts the request against its caller's budget and caps its body by role,
/// before any handler reads it.
pub async fn admit(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let (mut parts, body) = request.into_parts();
    let address = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip());
    let caller = Caller::from_request_parts(&mut parts, &state).await;
    // Unknown tokens count against their address, like anonymous callers.
    let key = match &caller {
        Ok(c) if c.access != Access::Public => Key::Token(c.name.clone()),
        _ => Key::Address(address),
    };
    if let Err(wait) = state.rate_limits.admit(key) {
        return ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limited",
            format!(
                "too many requests from this caller: wait {wait} s (a token gets a larger budget)"
            ),
        )
        .retry_after(wait)
        .into_response();
    }
    let caller = match caller {
        Ok(caller) => caller,
        Err(refused) => return refused.into_response(),
    };
    let max_body = if caller.access == Access::Public {
        state.config.guard.public_max_body_mb << 20
    } else {
        state.config.max_body_bytes
    };
    // Reading stops at the cap; routes that write refuse the caller before reading at all.
    let body = axum::body::Body::new(http_body_util::Limited::new(body, max_body));
    next.run(Request::from_parts(parts, body)).await
}

/// Middleware for routes that write: the caller's role is checked before the body is read.
pub async fn writers_only(State(tokens): State<Tokens>, request: Request, next: Next) -> Response {
    at_least(Access::Planner, "writing", &tokens, request, next).await
}

/// Middleware for the incident report route: dispatchers (110 and 12345 centres) and above.
pub async fn reporters_only(
    State(tokens): State<Tokens>,
    request: Request,
    next: Next,
) -> Response {
    at_least(
        Access::Dispatcher,
        "reporting incidents",
        &tokens,
        request,
        next,
    )
    .await
}

/// Runs `request` when it reads, or when its caller has `needed` access; refuses it otherwise.
async fn at_least(
    needed: Access,
    what: &str,
    tokens: &Tokens,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    let (mut parts, body) = request.into_parts();
    let allowed = Caller::from_request_parts(&mut parts, tokens)
        .await
        .and_then(|caller| caller.require(needed, what));
    match allowed {
        Ok(()) => next.run(Request::from_parts(parts, body)).await,
        Err(refused) => refused.into_response(),
    }
}
