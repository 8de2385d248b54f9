//! Whole requests through the real router, in process: query parameters, tile coordinates,
//! batch locate (JSON and CSV), polygon queries, imports and edits, as an anonymous caller, a
//! dispatcher or a planner. The router turns a panicking handler into a 500, so any 5xx here
//! is the failure: bad input must get a 4xx.
#![no_main]

use axum::body::Body;
use axum::http::{header, Request};
use axum::Router;
use libfuzzer_sys::fuzz_target;
use onemap_server::config::{Config, Flags};
use std::sync::OnceLock;
use tower::ServiceExt;

const TOKENS: &str = "plan:planner:fuzz-planner;desk:dispatcher:fuzz-dispatcher";
const CALLERS: [Option<&str>; 3] = [None, Some("fuzz-dispatcher"), Some("fuzz-planner")];
const METHODS: [&str; 4] = ["GET", "POST", "PUT", "DELETE"];
const CONTENT_TYPES: [&str; 3] = ["application/json", "text/csv", "application/geo+json"];
/// Where a request's path starts, so the fuzzer reaches each handler's own parsing at once.
const PREFIXES: [&str; 14] = [
    "/v1/locate?",
    "/v1/locate",
    "/v1/search?",
    "/v1/intersects",
    "/v1/overlaps?",
    "/v1/grids/",
    "/v1/beats/",
    "/v1/layers/grid/import",
    "/v1/layers/",
    "/v1/people/",
    "/v1/audit?",
    "/tiles/",
    "/tiles/grid/",
    "/",
];

/// A router over a small city, made once: a grid, a beat and a camera.
fn router() -> &'static (tokio::runtime::Runtime, Router) {
    static ROUTER: OnceLock<(tokio::runtime::Runtime, Router)> = OnceLock::new();
    ROUTER.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("onemap-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("a temporary folder for the fuzzed store");
        let config = dir.join("onemap.toml");
        // Generous limits: the fuzzer is one fast caller, not a flood.
        std::fs::write(
            &config,
            "[limits]\npublic_requests_per_s = 0\ntoken_requests_per_s = 0\nwork_time_limit_s = 2\n",
        )
        .expect("the fuzzed server's config");
        let flags = Flags {
            store: Some(dir.join("city.gpkg")),
            config: Some(config),
            tokens: Some(TOKENS.into()),
            web_dir: Some(dir.clone()),
            ..Default::default()
        };
        let runtime = tokio::runtime::Runtime::new().expect("a runtime for the router");
        let state = runtime
            .block_on(async { onemap_server::serve::open(Config::resolve(flags)?) })
            .expect("the fuzzed server opens");
        let app = onemap_server::app::router(state);
        for (layer, city) in [
            ("grid", r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"g1","properties":{"name":"东门网格"},"geometry":{"type":"Polygon","coordinates":[[[121,28],[121.01,28],[121.01,28.01],[121,28.01],[121,28]]]}}]}"#),
            ("beat", r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"b1","properties":{"name":"东门警格"},"geometry":{"type":"Polygon","coordinates":[[[121,28],[121.02,28],[121.02,28.02],[121,28.02],[121,28]]]}}]}"#),
            ("camera", r#"{"type":"FeatureCollection","features":[{"type":"Feature","id":"c1","properties":{"name":"东门摄像头"},"geometry":{"type":"Point","coordinates":[121.005,28.005]}}]}"#),
        ] {
            let request = Request::post(format!("/v1/layers/{layer}/import"))
                .header(header::AUTHORIZATION, "Bearer fuzz-planner")
                .header(header::CONTENT_TYPE, "application/json")
                .body(Body::from(city))
                .expect("a seeding request");
            let response = runtime
                .block_on(app.clone().oneshot(request))
                .expect("the router is infallible");
            assert!(response.status().is_success(), "seeding {layer} failed");
        }
        (runtime, app)
    })
}

fuzz_target!(|input: &[u8]| {
    let Some((&choice, rest)) = input.split_first() else {
        return;
    };
    let cut = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
    let (tail, body) = (&rest[..cut], rest.get(cut + 1..).unwrap_or_default());
    let choice = usize::from(choice);
    let uri = format!(
        "{}{}",
        PREFIXES[choice % PREFIXES.len()],
        String::from_utf8_lossy(tail)
    );
    let mut request = Request::builder()
        .method(METHODS[(choice / 14) % METHODS.len()])
        .uri(uri)
        .header(header::CONTENT_TYPE, CONTENT_TYPES[(choice / 56) % CONTENT_TYPES.len()]);
    if let Some(token) = CALLERS[(choice / 3) % CALLERS.len()] {
        request = request.header(header::AUTHORIZATION, format!("Bearer {token}"));
    }
    let Ok(request) = request.body(Body::from(body.to_vec())) else {
        return; // Not a request a client could send: hyper refuses it before us.
    };
    let (runtime, app) = router();
    let response = runtime
        .block_on(app.clone().oneshot(request))
        .expect("the router is infallible");
    assert!(
        !response.status().is_server_error() || response.status() == 503,
        "{} for a bad request",
        response.status()
    );
});
