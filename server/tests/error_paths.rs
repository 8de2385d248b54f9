//! Every documented error code, produced by a request through the router in process
//! (`tower::ServiceExt::oneshot`): the status and the JSON body a caller gets. A code added to
//! the OpenAPI document's `ErrorCode` without a case here (or a reason it has none) fails.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::Router;
use onemap_server::config::{Config, Flags};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use tower::ServiceExt;

const PLANNER: &str = "planner-secret-1";

/// Codes no request can produce on a healthy server, and the tests that produce them.
const FAULTS: [(&str, &str); 5] = [
    (
        "internal",
        "server/src/work.rs answers_refuses_when_full_and_survives_panics",
    ),
    (
        "busy",
        "server/src/work.rs answers_refuses_when_full_and_survives_panics",
    ),
    (
        "cancelled",
        "server/src/work.rs a_dropped_request_cancels_its_work",
    ),
    (
        "store_refused",
        "data/tests/gpkg.rs a_write_the_file_refuses_for_good_is_not_reported_as_transient",
    ),
    (
        "store_unavailable",
        "tests/tests/hardening.rs a_full_disk_degrades_health_refuses_writes_and_loses_nothing",
    ),
];

/// Codes kept for rejections of the framework that no route of ours makes today: no extractor
/// checks the media type, and the query decoder replaces what it cannot decode (`%FF` reaches
/// the handler, which names the parameter: `invalid_parameter`).
const FALLBACKS: [&str; 3] = ["unsupported_media_type", "bad_request", "invalid_query"];

/// A router over a fresh store with `limits` as its `[limits]` table; with the default
/// limits it holds a community `c1` with one grid `g1` inside.
async fn router(limits: &str) -> Router {
    let dir = std::env::temp_dir().join(format!(
        "onemap-errors-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let config_file = dir.join("onemap.toml");
    std::fs::write(&config_file, format!("[limits]\n{limits}\n")).unwrap();
    let config = Config::resolve(Flags {
        store: Some(dir.join("city.gpkg")),
        config: Some(config_file),
        tokens: Some(format!("plan:planner:{PLANNER}")),
        web_dir: Some(dir.clone()),
        ..Default::default()
    })
    .unwrap();
    let app = onemap_server::app::router(onemap_server::serve::open(config).unwrap());
    if !limits.is_empty() {
        return app;
    }
    let seed = json!({ "type": "FeatureCollection", "features": [
        square("c1", 0.1, json!({ "level": 2 })),
        square("g1", 0.05, json!({ "level": 3, "parent": "c1" })),
    ]});
    let (status, v) = send(
        &app,
        write("POST", "/v1/layers/grid/import", &seed.to_string(), None),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    app
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// A square grid at 121°E 28°N.
fn square(id: &str, size: f64, props: Value) -> Value {
    let (x, y) = (121.0, 28.0);
    let ring = [
        [x, y],
        [x + size, y],
        [x + size, y + size],
        [x, y + size],
        [x, y],
    ];
    json!({ "type": "Feature", "id": id, "properties": props, "geometry": { "type": "Polygon", "coordinates": [ring] } })
}

/// A planner's write with an optional `If-Match`.
fn write(method: &str, uri: &str, body: &str, if_match: Option<&str>) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(uri)
        .header(header::AUTHORIZATION, format!("Bearer {PLANNER}"))
        .header(header::CONTENT_TYPE, "application/json");
    if let Some(m) = if_match {
        r = r.header(header::IF_MATCH, m);
    }
    r.body(Body::from(body.to_string())).unwrap()
}

fn anonymous(method: &str, uri: &str, body: &str) -> Request<Body> {
    Request::builder()
        .method(method)
        .uri(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn collection(features: &[Value]) -> String {
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}

/// One error path: the limits of its router, the request, the status and code expected.
struct Case {
    limits: &'static str,
    request: Request<Body>,
    status: StatusCode,
    code: &'static str,
}

fn case(code: &'static str, status: StatusCode, request: Request<Body>) -> Case {
    Case {
        limits: "",
        request,
        status,
        code,
    }
}

fn cases() -> Vec<Case> {
    use StatusCode as S;
    let g1 = |props: Value| square("g1", 0.05, props).to_string();
    let open_ring = json!({ "type": "Feature", "id": "g2", "properties": {},
        "geometry": { "type": "Polygon", "coordinates": [[[121.0, 28.0], [121.01, 28.0], [121.01, 28.01], [121.0, 28.01]]] } });
    let stalled = {
        use tokio_stream::StreamExt;
        tokio_stream::iter([Ok::<_, std::io::Error>(bytes::Bytes::from_static(b"{"))])
            .chain(tokio_stream::pending())
    };
    let broken = tokio_stream::iter([Err::<bytes::Bytes, _>(std::io::Error::other("reset"))]);
    let five_corners = json!({ "type": "Polygon", "coordinates": [[[121.0, 28.0], [121.02, 28.0], [121.03, 28.01], [121.02, 28.02], [121.0, 28.02], [121.0, 28.0]]] });
    vec![
        case("missing_parameter", S::BAD_REQUEST, anonymous("GET", "/v1/locate?lat=28", "")),
        case("invalid_parameter", S::BAD_REQUEST, anonymous("GET", "/v1/locate?lng=121.01&lat=28.01&cameras=abc", "")),
        case("out_of_range", S::BAD_REQUEST, anonymous("GET", "/v1/locate?lng=121.01&lat=28.01&cameras=1000", "")),
        case("invalid_coordinates", S::BAD_REQUEST, anonymous("GET", "/v1/locate?lng=500&lat=28", "")),
        case("invalid_json", S::BAD_REQUEST, anonymous("POST", "/v1/locate", "{")),
        case("invalid_events", S::BAD_REQUEST, write("POST", "/v1/layers/event/import", &json!({ "type": "FeatureCollection", "features": [{ "type": "Feature",
            "geometry": { "type": "Point", "coordinates": [121.01, 28.01] },
            "properties": { "time": "yesterday", "category": "纠纷", "source": "110" } }] }).to_string(), None)),
        case("invalid_csv", S::BAD_REQUEST, Request::builder().method("POST").uri("/v1/locate")
            .header(header::CONTENT_TYPE, "text/csv").body(Body::from("121.0,28.0\n121.0,north\n")).unwrap()),
        case("invalid_geometry", S::UNPROCESSABLE_ENTITY, write("PUT", "/v1/layers/grid/features/g2", &open_ring.to_string(), None)),
        case("id_mismatch", S::BAD_REQUEST, write("PUT", "/v1/layers/grid/features/g9", &g1(json!({})), None)),
        case("invalid_if_match", S::BAD_REQUEST, write("PUT", "/v1/layers/grid/features/g1", &g1(json!({})), Some("abc"))),
        case("unsupported_overlap", S::BAD_REQUEST, anonymous("GET", "/v1/overlaps?of=beat&with=grid", "")),
        case("unreadable_body", S::BAD_REQUEST, Request::builder().method("POST").uri("/v1/layers/grid/import")
            .header(header::AUTHORIZATION, format!("Bearer {PLANNER}")).body(Body::from_stream(broken)).unwrap()),
        case("invalid_structure", S::UNPROCESSABLE_ENTITY, write("POST", "/v1/layers/grid/import", r#"{"type":"Point","coordinates":[121,28]}"#, None)),
        case("wrong_crs", S::UNPROCESSABLE_ENTITY, write("POST", "/v1/layers/grid/import",
            &json!({ "type": "FeatureCollection", "crs": { "type": "name", "properties": { "name": "EPSG:2385" } }, "features": [] }).to_string(), None)),
        case("unsupported_format", S::UNSUPPORTED_MEDIA_TYPE, write("POST", "/v1/layers/grid/import", "%PDF-1.7", None)),
        case("unreadable_file", S::UNPROCESSABLE_ENTITY, write("POST", "/v1/layers/grid/import", "PK\u{3}\u{4} not a zip", None)),
        case("wrong_encoding", S::BAD_REQUEST, Request::builder().method("POST").uri("/v1/layers/grid/import")
            .header(header::AUTHORIZATION, format!("Bearer {PLANNER}"))
            .body(Body::from(&b"{\"type\": \"FeatureCollection\", \"name\": \"\xB5\xDA\", \"features\": []}"[..])).unwrap()),
        case("missing_id", S::UNPROCESSABLE_ENTITY, write("POST", "/v1/layers/grid/import", &collection(&[{
            let mut f = square("x", 0.01, json!({}));
            f.as_object_mut().unwrap().remove("id");
            f
        }]), None)),
        case("duplicate_id", S::UNPROCESSABLE_ENTITY, write("POST", "/v1/layers/grid/import",
            &collection(&[square("g3", 0.01, json!({})), square("g3", 0.02, json!({}))]), None)),
        case("invalid_property", S::UNPROCESSABLE_ENTITY, write("PUT", "/v1/layers/grid/features/g1", &g1(json!({ "level": "three" })), Some("*"))),
        case("invalid_token", S::UNAUTHORIZED, Request::builder().uri("/v1/audit")
            .header(header::AUTHORIZATION, "Bearer not-a-token").body(Body::empty()).unwrap()),
        case("forbidden", S::UNAUTHORIZED, anonymous("PUT", "/v1/layers/grid/features/g1", &g1(json!({})))),
        case("not_found", S::NOT_FOUND, anonymous("GET", "/v1/layers/grid/features/nope", "")),
        case("unknown_layer", S::NOT_FOUND, anonymous("GET", "/v1/layers/river.geojson", "")),
        case("unknown_route", S::NOT_FOUND, anonymous("GET", "/v1/nothing", "")),
        case("has_dependents", S::CONFLICT, write("DELETE", "/v1/layers/grid/features/c1", "", Some("*"))),
        case("stale_version", S::PRECONDITION_FAILED, write("PUT", "/v1/layers/grid/features/g1", &g1(json!({})), Some("\"999\""))),
        case("precondition_required", S::PRECONDITION_REQUIRED, write("PUT", "/v1/layers/grid/features/g1", &g1(json!({})), None)),
        case("invalid_tile", S::BAD_REQUEST, anonymous("GET", "/tiles/a/0/0.mvt", "")),
        case("method_not_allowed", S::METHOD_NOT_ALLOWED, anonymous("DELETE", "/v1/locate", "")),
        case("invalid_path", S::BAD_REQUEST, Request::builder()
            .uri(axum::http::Uri::from_maybe_shared(bytes::Bytes::from_static("/assets/?é".as_bytes())).unwrap())
            .body(Body::empty()).unwrap()),
        Case { limits: "public_max_body_mb = 1", code: "body_too_large", status: S::PAYLOAD_TOO_LARGE,
            request: anonymous("POST", "/v1/intersects", &" ".repeat(2 << 20)) },
        Case { limits: "body_timeout_s = 0.2", code: "request_timeout", status: S::REQUEST_TIMEOUT,
            request: Request::builder().method("POST").uri("/v1/intersects").body(Body::from_stream(stalled)).unwrap() },
        Case { limits: "public_requests_per_s = 1", code: "rate_limited", status: S::TOO_MANY_REQUESTS,
            request: anonymous("GET", "/health", "") },
        Case { limits: "max_vertices = 4", code: "geometry_limit", status: S::UNPROCESSABLE_ENTITY,
            request: anonymous("POST", "/v1/intersects", &five_corners.to_string()) },
        Case { limits: "max_features = 1", code: "too_many_features", status: S::UNPROCESSABLE_ENTITY,
            request: write("POST", "/v1/layers/grid/import", &collection(&[square("g4", 0.01, json!({})), square("g5", 0.02, json!({}))]), None) },
        Case { limits: "max_points = 1", code: "too_many_points", status: S::BAD_REQUEST,
            request: anonymous("POST", "/v1/locate", r#"{"points":[[121.01,28.01],[121.02,28.02]]}"#) },
        Case { limits: "work_time_limit_s = 0.000001", code: "time_limit", status: S::SERVICE_UNAVAILABLE,
            request: anonymous("POST", "/v1/intersects", &five_corners.to_string()) },
    ]
}

#[tokio::test]
async fn every_documented_error_code_has_a_request_that_gets_it() {
    let documented: BTreeSet<String> = {
        let doc: Value = serde_json::from_str(onemap_server::openapi::document()).unwrap();
        doc["components"]["schemas"]["ErrorCode"]["oneOf"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["const"].as_str().unwrap().to_string())
            .collect()
    };
    let mut routers: BTreeMap<&str, Router> = BTreeMap::new();
    let mut covered = BTreeSet::new();
    let mut wrong = Vec::new();
    for Case {
        limits,
        request,
        status,
        code,
    } in cases()
    {
        if !routers.contains_key(limits) {
            routers.insert(limits, router(limits).await);
        }
        let app = &routers[limits];
        let uri = request.uri().to_string();
        if code == "rate_limited" {
            // Use up the budget and its burst first.
            for _ in 0..3 {
                send(app, anonymous("GET", "/health", "")).await;
            }
        }
        let (got, body) = send(app, request).await;
        if (got, body["error"].as_str()) != (status, Some(code))
            || body["message"].as_str().is_none_or(str::is_empty)
        {
            wrong.push(format!("{code}: {uri} answered {got} {body}"));
        }
        covered.insert(code.to_string());
    }
    assert!(
        wrong.is_empty(),
        "error paths that did not answer as documented:\n{}",
        wrong.join("\n")
    );
    covered.extend(FAULTS.iter().map(|(c, _)| c.to_string()));
    covered.extend(FALLBACKS.iter().map(|c| c.to_string()));
    let missing: Vec<_> = documented.difference(&covered).collect();
    assert!(
        missing.is_empty(),
        "documented codes with no case here: {missing:?}"
    );
    let undocumented: Vec<_> = covered.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "cases for codes the document lacks: {undocumented:?}"
    );
}
