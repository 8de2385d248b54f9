//! The router in process (`tower::ServiceExt::oneshot`): every guard in front of the
//! handlers, and the error paths they produce, without a socket.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use onemap_server::config::{Config, Flags};
use serde_json::{json, Value};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use tower::ServiceExt;

const PLANNER: &str = "planner-secret-1";

/// A router over an empty store in a fresh folder, with `limits` as the config file's
/// `[limits]` table.
fn router_with(limits: &str, extra: impl FnOnce(&mut Flags)) -> (Router, PathBuf) {
    let dir = std::env::temp_dir().join(format!(
        "onemap-router-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let config_file = dir.join("onemap.toml");
    std::fs::write(&config_file, format!("[limits]\n{limits}\n")).expect("config file");
    let mut flags = Flags {
        store: Some(dir.join("city.gpkg")),
        config: Some(config_file),
        tokens: Some(format!("plan:planner:{PLANNER}")),
        web_dir: Some(dir.clone()),
        ..Default::default()
    };
    extra(&mut flags);
    let config = Config::resolve(flags).expect("config");
    let state = onemap_server::serve::open(config).expect("open");
    (onemap_server::app::router(state), dir)
}

fn router(limits: &str) -> Router {
    router_with(limits, |_| {}).0
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.expect("infallible");
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, usize::MAX).await.expect("body");
    let value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (parts.status, parts.headers, value)
}

fn square(id: &str, x0: f64, y0: f64, size: f64, props: Value) -> Value {
    let ring = [
        [x0, y0],
        [x0 + size, y0],
        [x0 + size, y0 + size],
        [x0, y0 + size],
        [x0, y0],
    ];
    json!({ "type": "Feature", "id": id, "properties": props, "geometry": { "type": "Polygon", "coordinates": [ring] } })
}

fn planner(method: &str, uri: &str, body: &Value) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {PLANNER}"))
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::IF_MATCH, "*")
        .body(Body::from(body.to_string()))
        .expect("request")
}

fn get(uri: &str) -> Request<Body> {
    Request::builder()
        .uri(uri)
        .body(Body::empty())
        .expect("request")
}

/// A community with one grid inside it, at 121°E 28°N.
async fn seeded(app: &Router) {
    let features = json!({ "type": "FeatureCollection", "features": [
        square("c1", 121.0, 28.0, 0.1, json!({ "level": 2 })),
        square("g1", 121.0, 28.0, 0.05, json!({ "level": 3, "parent": "c1" })),
    ]});
    let (status, _, v) = send(app, planner("POST", "/v1/layers/grid/import", &features)).await;
    assert_eq!(status, StatusCode::OK, "{v}");
}

#[tokio::test]
async fn anonymous_writes_are_refused_before_the_body_is_read() {
    let app = router("");
    let polled = Arc::new(AtomicBool::new(false));
    let seen = Arc::clone(&polled);
    let body = Body::from_stream(body_that_reports_reading(move || {
        seen.store(true, Ordering::SeqCst);
    }));
    let request = Request::builder()
        .method("PUT")
        .uri("/v1/layers/grid/features/g1")
        .header(header::CONTENT_LENGTH, 60 << 20)
        .body(body)
        .expect("request");
    let (status, _, v) = send(&app, request).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("forbidden")),
        "{v}"
    );
    assert!(!polled.load(Ordering::SeqCst), "the body was never read");
}

/// A one-chunk body stream that calls `on_read` when it is read.
fn body_that_reports_reading(
    on_read: impl FnOnce() + Send + 'static,
) -> impl tokio_stream::Stream<Item = Result<bytes::Bytes, std::io::Error>> + Send {
    let mut on_read = Some(on_read);
    tokio_stream::iter(std::iter::from_fn(move || {
        on_read.take().map(|f| {
            f();
            Ok(bytes::Bytes::from_static(b"{}"))
        })
    }))
}

#[tokio::test]
async fn anonymous_bodies_are_capped_by_their_declared_length() {
    let app = router("public_max_body_mb = 1");
    let request = Request::builder()
        .method("POST")
        .uri("/v1/intersects")
        .header(header::CONTENT_LENGTH, 2 << 20)
        .body(Body::from(vec![b' '; 2 << 20]))
        .expect("request");
    let (status, _, v) = send(&app, request).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::PAYLOAD_TOO_LARGE, Some("body_too_large")),
        "{v}"
    );
}

#[tokio::test]
async fn a_body_that_stops_arriving_gets_408() {
    use tokio_stream::StreamExt;
    let app = router("body_timeout_s = 0.2");
    let stalled = tokio_stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{"))])
        .chain(tokio_stream::pending());
    let request = Request::builder()
        .method("POST")
        .uri("/v1/intersects")
        .body(Body::from_stream(stalled))
        .expect("request");
    let (status, _, v) = send(&app, request).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::REQUEST_TIMEOUT, Some("request_timeout")),
        "{v}"
    );
}

#[tokio::test]
async fn floods_get_429_with_retry_after_and_tokens_have_their_own_budget() {
    let app = router("public_requests_per_s = 1");
    let mut statuses = Vec::new();
    for _ in 0..4 {
        statuses.push(send(&app, get("/health")).await);
    }
    let (status, headers, v) = statuses.pop().expect("four");
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::TOO_MANY_REQUESTS, Some("rate_limited")),
        "{v}"
    );
    assert!(headers.get(header::RETRY_AFTER).is_some());
    assert_eq!(statuses[0].0, StatusCode::OK, "the first requests pass");
    let with_token = Request::builder()
        .uri("/health")
        .header(header::AUTHORIZATION, format!("Bearer {PLANNER}"))
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, with_token).await.0, StatusCode::OK);
}

#[tokio::test]
async fn every_error_is_json_and_every_response_carries_the_security_headers() {
    let app = router("");
    for (method, uri, status, code) in [
        ("GET", "/no/such/page", StatusCode::NOT_FOUND, "not_found"),
        (
            "DELETE",
            "/v1/locate",
            StatusCode::METHOD_NOT_ALLOWED,
            "method_not_allowed",
        ),
        ("GET", "/v1/nothing", StatusCode::NOT_FOUND, "unknown_route"),
        (
            "GET",
            "/tiles/99/0/0.mvt",
            StatusCode::BAD_REQUEST,
            "out_of_range",
        ),
        (
            "GET",
            "/tiles/1/x/0.mvt",
            StatusCode::BAD_REQUEST,
            "invalid_tile",
        ),
        // The page folder itself with raw UTF-8 in the query: the file server's redirect to
        // `./` panicked on it (found by the `requests` fuzz target).
        (
            "GET",
            "/.?.\u{FFFD}.?.0'/0'/",
            StatusCode::BAD_REQUEST,
            "invalid_path",
        ),
    ] {
        let request = Request::builder()
            .method(method)
            .uri(uri)
            .body(Body::empty())
            .expect("request");
        let (got, headers, v) = send(&app, request).await;
        assert_eq!(
            (got, v["error"].as_str()),
            (status, Some(code)),
            "{method} {uri}: {v}"
        );
        assert!(v["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(headers[header::X_CONTENT_TYPE_OPTIONS], "nosniff");
        assert_eq!(headers[header::X_FRAME_OPTIONS], "DENY");
        let csp = headers[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .expect("ascii");
        assert!(
            csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"),
            "{csp}"
        );
    }
}

#[tokio::test]
async fn other_origins_may_use_the_api_through_cors() {
    let app = router("");
    let preflight = Request::builder()
        .method("OPTIONS")
        .uri("/tiles/12/3418/1714.mvt")
        .header(header::ORIGIN, "http://other.example")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "GET")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, "authorization")
        .body(Body::empty())
        .expect("request");
    let (status, headers, _) = send(&app, preflight).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    let restricted = router("cors_origins = [\"https://app.example\"]");
    let from = |origin: &'static str| {
        Request::builder()
            .uri("/health")
            .header(header::ORIGIN, origin)
            .body(Body::empty())
            .expect("request")
    };
    let (_, allowed, _) = send(&restricted, from("https://app.example")).await;
    assert_eq!(
        allowed[header::ACCESS_CONTROL_ALLOW_ORIGIN],
        "https://app.example"
    );
    let (_, refused, _) = send(&restricted, from("https://evil.example")).await;
    assert!(refused.get(header::ACCESS_CONTROL_ALLOW_ORIGIN).is_none());
}

#[tokio::test]
async fn urls_the_server_writes_come_from_public_url_not_the_host_header() {
    let (app, dir) = router_with("", |f| {
        f.public_url = Some("https://onemap.example.gov.cn/".into())
    });
    std::fs::write(
        dir.join("style.json"),
        r#"{"sources":{"t":{"tiles":["{origin}/tiles/{z}/{x}/{y}.mvt"]}}}"#,
    )
    .expect("style");
    for uri in ["/style.json", "/tiles.json"] {
        let request = Request::builder()
            .uri(uri)
            .header(header::HOST, "evil.example")
            .body(Body::empty())
            .expect("request");
        let (status, _, v) = send(&app, request).await;
        assert_eq!(status, StatusCode::OK, "{uri}");
        let text = v.to_string();
        assert!(
            text.contains("https://onemap.example.gov.cn/tiles/") && !text.contains("evil"),
            "{uri}: {text}"
        );
    }
}

#[tokio::test]
async fn geometry_beyond_reason_is_refused_naming_the_rule() {
    let app = router("max_vertices = 1000");
    seeded(&app).await;
    let earth = json!({ "type": "Feature", "id": "earth", "properties": { "level": 3 }, "geometry": { "type": "Polygon",
        "coordinates": [[[-179.0, -80.0], [179.0, -80.0], [179.0, 80.0], [-179.0, 80.0], [-179.0, -80.0]]] } });
    let big_child = square(
        "g2",
        121.0,
        28.0,
        0.2,
        json!({ "level": 3, "parent": "c1" }),
    );
    let circle: Vec<[f64; 2]> = (0..=2000)
        .map(|i| {
            let a = f64::from(i) / 2000.0 * std::f64::consts::TAU;
            [121.05 + 0.01 * a.cos(), 28.05 + 0.01 * a.sin()]
        })
        .collect();
    let spiky = json!({ "type": "Feature", "id": "g3", "properties": {}, "geometry": { "type": "Polygon", "coordinates": [circle] } });
    for (feature, rule) in [
        (earth, "service_area"),
        (big_child, "within_parent"),
        (spiky.clone(), "max_vertices"),
    ] {
        let id = feature["id"].as_str().expect("id").to_string();
        let (status, _, v) = send(
            &app,
            planner("PUT", &format!("/v1/layers/grid/features/{id}"), &feature),
        )
        .await;
        assert_eq!(
            (status, v["error"].as_str(), v["rule"].as_str()),
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                Some("geometry_limit"),
                Some(rule)
            ),
            "{v}"
        );
        assert_eq!(
            send(&app, get(&format!("/v1/layers/grid/features/{id}")))
                .await
                .0,
            StatusCode::NOT_FOUND,
            "nothing stored"
        );
    }
    let (status, _, v) = send(&app, planner("POST", "/v1/intersects", &spiky["geometry"])).await;
    assert_eq!(
        (status, v["rule"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("max_vertices")),
        "{v}"
    );
    let (status, _, v) = send(&app, get("/v1/locate?lng=0&lat=0")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "no grid answers at (0, 0): {v}"
    );
}

#[tokio::test]
async fn exports_revalidate_by_version() {
    let app = router("");
    seeded(&app).await;
    let (status, headers, v) = send(&app, get("/v1/layers/grid.geojson")).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["features"].as_array().map(Vec::len), Some(2));
    let etag = headers[header::ETAG].clone();
    let again = Request::builder()
        .uri("/v1/layers/grid.geojson")
        .header(header::IF_NONE_MATCH, etag.clone())
        .body(Body::empty())
        .expect("request");
    assert_eq!(send(&app, again).await.0, StatusCode::NOT_MODIFIED);
    let edit = square(
        "g1",
        121.0,
        28.0,
        0.04,
        json!({ "level": 3, "parent": "c1" }),
    );
    assert_eq!(
        send(&app, planner("PUT", "/v1/layers/grid/features/g1", &edit))
            .await
            .0,
        StatusCode::OK
    );
    let after = Request::builder()
        .uri("/v1/layers/grid.geojson")
        .header(header::IF_NONE_MATCH, etag)
        .body(Body::empty())
        .expect("request");
    assert_eq!(
        send(&app, after).await.0,
        StatusCode::OK,
        "an edit changes the export"
    );
}

#[tokio::test]
async fn polygon_queries_past_the_time_limit_stop_with_a_clear_error() {
    let app = router("work_time_limit_s = 0.000001");
    let probe = square("p", 121.0, 28.0, 0.1, json!({}));
    let (status, _, v) = send(&app, planner("POST", "/v1/intersects", &probe)).await;
    assert_eq!(
        (status, v["error"].as_str()),
        (StatusCode::SERVICE_UNAVAILABLE, Some("time_limit")),
        "{v}"
    );
}
