//! The OpenAPI document against the code it describes: every route the router serves and
//! every error code a handler can answer with is in it, so a route or code added without its
//! documentation fails `make test`. (The document is written by hand; these tests are what
//! keep it whole until it is generated.)

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use serde_json::Value;
use std::collections::BTreeSet;
use std::path::Path;

fn document() -> Value {
    serde_json::from_str(include_str!("../openapi.json")).unwrap()
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

#[test]
fn every_route_is_documented() {
    let doc = document();
    let documented: BTreeSet<String> = doc["paths"]
        .as_object()
        .unwrap()
        .keys()
        .map(|p| shape(p))
        .collect();
    let app = include_str!("../src/app.rs");
    let routes: Vec<String> = literals_after(app, ".route(", 0)
        .into_iter()
        .filter(|r| !r.contains("{*"))
        .collect();
    assert!(
        routes.len() > 15,
        "the router's routes were found: {routes:?}"
    );
    let missing: Vec<&String> = routes
        .iter()
        .filter(|r| !documented.contains(&shape(r)))
        .collect();
    assert!(
        missing.is_empty(),
        "routes missing from server/openapi.json: {missing:?}"
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
        "error codes missing from ErrorCode in server/openapi.json: {missing:?}"
    );
}
