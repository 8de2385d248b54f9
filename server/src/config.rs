//! Configuration: works with no file at all, and grows with `--config onemap.toml`.
//!
//! Precedence: command-line flags, then environment (`ONEMAP_*`), then the file, then
//! defaults. The PostGIS URL is `ONEMAP_DATABASE`, not `DATABASE_URL`: the test suite exports
//! `DATABASE_URL` for its own databases, and a server must not pick it up by accident.

use crate::auth::{parse_tokens, Token};
use crate::guard::Guard;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// Everything `onemap serve` needs.
#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    pub store: PathBuf,
    /// A PostgreSQL/PostGIS URL: keep the city there instead of in `store`, and follow the
    /// commits other nodes make to it.
    pub database: Option<String>,
    /// Seed a new store with the demo city (`--demo`); otherwise a new store starts empty.
    pub demo: bool,
    /// How many made-up incidents `--demo` seeds a new store with (a year of them).
    pub demo_events: usize,
    /// Leaders' statistics and heatmaps: suppression and the load norms of beats.
    pub stats: StatsConfig,
    /// Request bodies larger than this get 413.
    pub max_body_bytes: usize,
    /// Memory bound of the tile cache.
    pub tile_cache_bytes: usize,
    /// The built map page (`web/dist`).
    pub web_dir: PathBuf,
    pub tokens: Vec<Token>,
    /// How long a shared store's change log keeps commits for nodes to catch up with.
    pub change_log_days: f64,
    /// The server's address as clients reach it (behind a proxy, the proxy's), for every URL
    /// the server writes; `None` derives it from `listen`.
    pub public_url: Option<String>,
    /// Timeouts, caps, rate limits and geometry limits.
    pub guard: Guard,
}

/// The optional TOML file; every key may be left out.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<SocketAddr>,
    pub store: Option<PathBuf>,
    pub database: Option<String>,
    pub max_body_mb: Option<usize>,
    pub tile_cache_mb: Option<usize>,
    pub web_dir: Option<PathBuf>,
    pub change_log_days: Option<f64>,
    pub public_url: Option<String>,
    #[serde(default)]
    pub tokens: Vec<Token>,
    #[serde(default)]
    pub limits: Guard,
    #[serde(default)]
    pub stats: StatsConfig,
}

/// `[stats]` in the config file.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StatsConfig {
    /// Incident counts below this are hidden from callers who may not see personal data, in
    /// heatmap cells and statistics alike, so no household's calls can be picked out.
    pub suppress_below: u32,
    /// A beat with more grids than this, or more km² than `km2_per_beat`, is flagged.
    pub grids_per_beat: u32,
    pub km2_per_beat: f64,
}

impl Default for StatsConfig {
    fn default() -> Self {
        let norms = onemap_index::stats::Norms::default();
        StatsConfig {
            suppress_below: 3,
            grids_per_beat: norms.grids_per_beat,
            km2_per_beat: norms.km2_per_beat,
        }
    }
}

impl StatsConfig {
    pub fn norms(&self) -> onemap_index::stats::Norms {
        onemap_index::stats::Norms {
            grids_per_beat: self.grids_per_beat,
            km2_per_beat: self.km2_per_beat,
        }
    }
}

impl FileConfig {
    pub fn read(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| anyhow::anyhow!("cannot read config file {}: {e}", path.display()))?;
        toml::from_str(&text)
            .map_err(|e| anyhow::anyhow!("config file {} is not valid: {e}", path.display()))
    }
}

pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
pub const DEFAULT_STORE: &str = "onemap.gpkg";
pub const DEFAULT_MAX_BODY_MB: usize = 64;
pub const DEFAULT_TILE_CACHE_MB: usize = 256;
pub const DEFAULT_CHANGE_LOG_DAYS: f64 = 7.0;
pub const DEFAULT_DEMO_EVENTS: usize = 1_000_000;

/// The flags of `onemap serve`, all optional.
#[derive(Clone, Debug, Default, clap::Args)]
pub struct Flags {
    /// Address to listen on [default: 127.0.0.1:8080].
    #[arg(long, env = "ONEMAP_LISTEN")]
    pub listen: Option<SocketAddr>,
    /// GeoPackage file to keep the city in [default: onemap.gpkg].
    #[arg(long, env = "ONEMAP_STORE")]
    pub store: Option<PathBuf>,
    /// Keep the city in PostgreSQL/PostGIS (postgres://user:password@host:port/db) instead of
    /// the GeoPackage; every node on one database serves the same city.
    #[arg(long, env = "ONEMAP_DATABASE", conflicts_with = "store")]
    pub database: Option<String>,
    /// Seed a new, empty store with the generated demo city and its 26,525 made-up people:
    /// for trying onemap, never for a real deployment.
    #[arg(long)]
    pub demo: bool,
    /// How many made-up incidents `--demo` seeds a new store with [default: 1000000].
    #[arg(long, default_value_t = DEFAULT_DEMO_EVENTS)]
    pub demo_events: usize,
    /// A TOML config file (see docs/config.md).
    #[arg(long, env = "ONEMAP_CONFIG")]
    pub config: Option<PathBuf>,
    /// API tokens as name:role:token;... (roles: dispatcher, planner, admin).
    #[arg(long)]
    pub tokens: Option<String>,
    /// Largest request body in MB [default: 64].
    #[arg(long)]
    pub max_body_mb: Option<usize>,
    /// Memory bound of the tile cache in MB [default: 256].
    #[arg(long)]
    pub tile_cache_mb: Option<usize>,
    /// The built map page [default: web/dist].
    #[arg(long)]
    pub web_dir: Option<PathBuf>,
    /// Days a PostGIS change log keeps commits for nodes to catch up with [default: 7].
    #[arg(long)]
    pub change_log_days: Option<f64>,
    /// The URL clients reach this server at (e.g. https://onemap.example.gov.cn behind a
    /// proxy), used in the style and TileJSON [default: http://<listen>].
    #[arg(long, env = "ONEMAP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Requests per second one address without a token may make, 0 for no limit
    /// [default: 200; file: limits.public_requests_per_s].
    #[arg(long)]
    pub public_rate: Option<u32>,
    /// Requests per second one token may make, 0 for no limit [default: 5000].
    #[arg(long)]
    pub token_rate: Option<u32>,
}

impl Config {
    /// Where the city is kept, for messages: never the database password.
    pub fn store_name(&self) -> String {
        match &self.database {
            Some(_) => "PostGIS (--database)".into(),
            None => self.store.display().to_string(),
        }
    }

    pub fn resolve(flags: Flags) -> anyhow::Result<Config> {
        let file = match &flags.config {
            Some(path) => FileConfig::read(path)?,
            None => FileConfig::default(),
        };
        let mut tokens = file.tokens;
        if let Some(spec) = flags.tokens.or_else(|| std::env::var("ONEMAP_TOKENS").ok()) {
            tokens.extend(
                parse_tokens(&spec)
                    .map_err(|e| anyhow::anyhow!("ONEMAP_TOKENS / --tokens: {e}"))?,
            );
        }
        let change_log_days = flags
            .change_log_days
            .or(file.change_log_days)
            .unwrap_or(DEFAULT_CHANGE_LOG_DAYS);
        if !(0.0..=36_500.0).contains(&change_log_days) {
            anyhow::bail!(
                "change_log_days must be a number of days from 0 to 36500, not {change_log_days}"
            );
        }
        Ok(Config {
            change_log_days,
            listen: flags
                .listen
                .or(file.listen)
                .unwrap_or_else(|| DEFAULT_LISTEN.parse().expect("valid default")),
            store: flags
                .store
                .or(file.store)
                .unwrap_or_else(|| DEFAULT_STORE.into()),
            database: flags.database.or(file.database),
            demo: flags.demo,
            demo_events: flags.demo_events,
            stats: file.stats,
            max_body_bytes: flags
                .max_body_mb
                .or(file.max_body_mb)
                .unwrap_or(DEFAULT_MAX_BODY_MB)
                << 20,
            tile_cache_bytes: flags
                .tile_cache_mb
                .or(file.tile_cache_mb)
                .unwrap_or(DEFAULT_TILE_CACHE_MB)
                << 20,
            web_dir: flags
                .web_dir
                .or(file.web_dir)
                .unwrap_or_else(default_web_dir),
            tokens,
            public_url: flags
                .public_url
                .or(file.public_url)
                .map(|u| checked_public_url(&u))
                .transpose()?,
            guard: Guard {
                public_requests_per_s: flags
                    .public_rate
                    .unwrap_or(file.limits.public_requests_per_s),
                token_requests_per_s: flags.token_rate.unwrap_or(file.limits.token_requests_per_s),
                ..file.limits
            }
            .checked()?,
        })
    }

    /// The base of every URL the server writes: `public_url`, else `http://<listen>`. Only a
    /// server listening on every interface without `public_url` (warned of at start) falls
    /// back to the request's `Host`, filtered to host characters.
    pub fn origin(&self, headers: &axum::http::HeaderMap) -> String {
        match &self.public_url {
            Some(url) => url.clone(),
            None if self.listen.ip().is_unspecified() => {
                let host = headers
                    .get(axum::http::header::HOST)
                    .and_then(|h| h.to_str().ok())
                    .filter(|h| {
                        h.chars()
                            .all(|c| c.is_ascii_alphanumeric() || ".:-[]".contains(c))
                    });
                match host {
                    Some(host) => format!("http://{host}"),
                    None => format!("http://127.0.0.1:{}", self.listen.port()),
                }
            }
            None => format!("http://{}", self.listen),
        }
    }
}

/// An absolute http(s) URL without a trailing slash.
fn checked_public_url(url: &str) -> anyhow::Result<String> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host) if !host.is_empty() && !host.contains(['"', '\\', ' ', '{', '}']) => {
            Ok(trimmed.to_string())
        }
        _ => anyhow::bail!(
            "public_url `{url}` must be an absolute http:// or https:// URL such as https://onemap.example.gov.cn"
        ),
    }
}

/// `web/dist` next to the binary's workspace when run from a checkout, else `./web/dist`.
fn default_web_dir() -> PathBuf {
    let here = PathBuf::from("web/dist");
    if here.exists() {
        return here;
    }
    std::env::current_exe()
        .ok()
        .and_then(|exe| exe.ancestors().nth(3).map(|root| root.join("web/dist")))
        .filter(|p| p.exists())
        .unwrap_or(here)
}
