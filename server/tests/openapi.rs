//! The OpenAPI document against the code it describes: every route the router serves and
//! every error code a handler can answer with is in it, every operation in it is served, and
//! the copy in `docs/openapi.json` is the one the code generates. The document itself is made
//! from the handlers' `#[utoipa::path]`s (`onemap_server::openapi`); these tests catch a route
//! added to the router without one, or a code added without its line in `ERROR_CODES`.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;
use tower::ServiceExt;

fn document() -> Value {
    serde_json::from_str(onemap_server::openapi::document()).unwrap()
}

/// A path with every `{parameter}` as `{}` and a file extension after one dropped, so that
/// the router's `/tiles/{z}/{x}/{y}` and the document's `/tiles/{z}/{x}/{y}.mvt` compare.
fn shape(path: &str) -> String {
    let mut out = String::new();
    let mut rest = path;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        out.push_str("{}");
        let close = rest[open..].find('}').map_or(rest.len(), |c| open + c + 1);
        rest = &rest[close..];
        if rest.starts_with('.') {
            rest = rest.find('/').map_or("", |slash| &rest[slash..]);
        }
    }
    out.push_str(rest);
    out
}

/// Every string literal that follows `marker` (after skipping `skip_args` arguments).
fn literals_after(source: &str, marker: &str, skip_args: usize) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in source.match_indices(marker) {
        let mut rest = &source[at + marker.len()..];
        for _ in 0..skip_args {
            rest = rest.find(',').map_or("", |comma| &rest[comma + 1..]);
        }
        let rest = rest.trim_start();
        if let Some(literal) = rest.strip_prefix('"') {
            if let Some(end) = literal.find('"') {
                found.push(literal[..end].to_string());
            }
        }
    }
    found
}

/// Every source file of the server: its path and text.
fn server_sources() -> Vec<(std::path::PathBuf, String)> {
    fn walk(dir: &Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    let mut out = Vec::new();
    walk(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The paths the router in `app.rs` names (not the `{*rest}` catch-all).
fn routed_paths() -> Vec<String> {
    let app = include_str!("../src/app.rs");
    let routes: Vec<String> = literals_after(app, ".route(", 0)
        .into_iter()
        .filter(|r| !r.contains("{*"))
        .collect();
    assert!(
        routes.len() > 15,
        "the router's routes were found: {routes:?}"
    );
    routes
}

#[test]
fn every_route_is_documented() {
    let doc = document();
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|p| shape(p))
        .collect();
    let missing: Vec<String> = routed_paths()
        .into_iter()
        .filter(|r| !documented.contains(&shape(r)))
        .collect();
    assert!(
        missing.is_empty(),
        "routes without a #[utoipa::path] listed in onemap_server::openapi::ApiDoc: {missing:?}"
    );
}

#[test]
fn every_error_code_is_documented() {
    let doc = document();
    let documented: BTreeSet<&str> = doc["components"]["schemas"]["ErrorCode"]["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["const"].as_str())
        .collect();
    let mut codes: BTreeSet<String> = ["not_found", "internal"].map(String::from).into();
    for (path, source) in server_sources() {
        codes.extend(literals_after(&source, "ApiError::new(", 1));
        codes.extend(literals_after(&source, "ApiError::bad_request(", 0));
        if path.ends_with("web.rs") {
            // The table of errors made before a handler runs: `StatusCode::X => ("code", …)`.
            codes.extend(literals_after(&source, "=> (", 0));
        }
    }
    codes.retain(|c| !c.is_empty() && c.chars().all(|ch| ch.is_ascii_lowercase() || ch == '_'));
    assert!(
        codes.len() > 20,
        "the handlers' codes were found: {codes:?}"
    );
    let missing: Vec<&String> = codes
        .iter()
        .filter(|c| !documented.contains(c.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "error codes missing from ERROR_CODES in server/src/error.rs: {missing:?}"
    );
}

/// Every `$ref` in `value`.
fn references<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(members) => {
            if let Some(Value::String(target)) = members.get("$ref") {
                out.push(target);
            }
            members.values().for_each(|v| references(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| references(v, out)),
        _ => {}
    }
}

#[test]
fn every_reference_resolves() {
    let doc = document();
    let mut targets = Vec::new();
    references(&doc, &mut targets);
    assert!(targets.len() > 100, "references found: {}", targets.len());
    let dangling: BTreeSet<&str> = targets
        .into_iter()
        .filter(|target| {
            let pointer = target.trim_start_matches('#');
            doc.pointer(pointer).is_none()
        })
        .collect();
    assert!(dangling.is_empty(), "references to nothing: {dangling:?}");
}

/// `path` with every `{parameter}` given a value the router takes.
fn concrete(path: &str) -> String {
    path.replace("{layer}", "grid")
        .replace("{id}", "grid")
        .replace("{feature}", "G1")
        .replace("{z}", "0")
        .replace("{x}", "0")
        .replace("{y}", "0")
}

#[tokio::test]
async fn every_documented_operation_is_served() {
    let dir = std::env::temp_dir().join(format!(
        "onemap-openapi-{}-{}",
        std::process::id(),
        rand::random::<u64>()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
    let flags = onemap_server::config::Flags {
        store: Some(dir.join("city.gpkg")),
        web_dir: Some(dir.clone()),
        tokens: Some("plan:planner:openapi-test".into()),
        ..Default::default()
    };
    let config = onemap_server::config::Config::resolve(flags).unwrap();
    let app = onemap_server::app::router(onemap_server::serve::open(config).unwrap());

    let routed: BTreeSet<String> = routed_paths().iter().map(|r| shape(r)).collect();
    let doc = document();
    let mut unserved = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        // The map page is the web directory's, served by the router's fallback.
        if path != "/" && !routed.contains(&shape(path)) {
            unserved.push(format!("{path}: no route"));
            continue;
        }
        for method in item.as_object().unwrap().keys() {
            let Ok(method) = method.to_uppercase().parse::<Method>() else {
                continue;
            };
            // With a token: the write routes' guard answers an anonymous caller before the
            // router can say 405.
            let request = Request::builder()
                .method(method.clone())
                .uri(concrete(path))
                .header("authorization", "Bearer openapi-test")
                .body(Body::empty())
                .unwrap();
            let response = app.clone().oneshot(request).await.unwrap();
            if response.status() == StatusCode::METHOD_NOT_ALLOWED {
                unserved.push(format!("{method} {path}: 405"));
            }
        }
    }
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        unserved.is_empty(),
        "operations the document lists and the router does not serve: {unserved:?}"
    );
}

#[test]
fn the_committed_copy_is_current() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../docs/openapi.json");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == onemap_server::openapi::pretty(),
        "docs/openapi.json is not the document the code generates: regenerate it with \
         `cargo run --bin onemap -- openapi --out docs/openapi.json` and commit it"
    );
}

#[test]
fn statistics_rows_are_documented_field_by_field() {
    // `StatsRow` is written with utoipa's builder: the row type lives in `onemap_index`, which
    // knows nothing of OpenAPI. A figure added there must be added to it.
    let doc = document();
    let documented = doc["components"]["schemas"]["StatsRow"]["properties"]
        .as_object()
        .unwrap();
    let figures = serde_json::to_value(onemap_index::stats::Figures::default()).unwrap();
    let missing: Vec<&String> = figures
        .as_object()
        .unwrap()
        .keys()
        .filter(|k| !documented.contains_key(k.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "statistics figures missing from StatsRow in server/src/openapi/schemas.rs: {missing:?}"
    );
}
