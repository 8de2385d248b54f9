//! What every response carries for browsers: security headers, CORS, caching of the page's
//! files, and a JSON body on every error, whoever produced it.

use crate::error::ApiError;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use base64::Engine;
use sha2::Digest;
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower_http::cors::{AllowOrigin, CorsLayer};

/// `Content-Security-Policy` and friends. The page's one inline script (its import map) is
/// allowed by hash, so nothing injected can run.
#[derive(Clone)]
pub struct SecurityHeaders {
    policy: Arc<HeaderValue>,
}

impl SecurityHeaders {
    /// Reads the page's `index.html` for the hashes of its inline scripts.
    pub fn for_page(web_dir: &Path) -> Self {
        let html = std::fs::read_to_string(web_dir.join("index.html")).unwrap_or_default();
        let hashes: String = inline_scripts(&html)
            .map(|script| {
                let digest = sha2::Sha256::digest(script.as_bytes());
                format!(
                    " 'sha256-{}'",
                    base64::engine::general_purpose::STANDARD.encode(digest)
                )
            })
            .collect();
        let policy = format!(
            "default-src 'self'; script-src 'self'{hashes}; worker-src 'self' blob:; \
             img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; font-src 'self' data:; \
             connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; \
             frame-ancestors 'none'"
        );
        SecurityHeaders {
            policy: Arc::new(
                HeaderValue::from_str(&policy)
                    .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'")),
            ),
        }
    }

    pub async fn apply(self, request: Request, next: Next) -> Response {
        let mut response = next.run(request).await;
        let h = response.headers_mut();
        h.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
        h.insert(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        );
        h.insert(header::CONTENT_SECURITY_POLICY, (*self.policy).clone());
        response
    }
}

/// The bodies of `<script>` elements without a `src`.
fn inline_scripts(html: &str) -> impl Iterator<Item = &str> {
    html.split("<script").skip(1).filter_map(|rest| {
        let (attributes, rest) = rest.split_once('>')?;
        let (body, _) = rest.split_once("</script>")?;
        (!attributes.contains("src=")).then_some(body)
    })
}

/// CORS for other web apps (a MapLibre app elsewhere using our tiles). Tokens travel in the
/// `Authorization` header, never in cookies, so allowing an origin lends it no one's rights.
pub fn cors(origins: &[String]) -> CorsLayer {
    let allow = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        AllowOrigin::list(
            origins
                .iter()
                .filter_map(|o| HeaderValue::from_str(o.trim_end_matches('/')).ok()),
        )
    };
    CorsLayer::new()
        .allow_origin(allow)
        .allow_methods([
            Method::GET,
            Method::HEAD,
            Method::POST,
            Method::PUT,
            Method::DELETE,
        ])
        .allow_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::IF_MATCH,
            header::IF_NONE_MATCH,
        ])
        .expose_headers([header::ETAG, header::RETRY_AFTER])
        .max_age(Duration::from_secs(3600))
}

/// Gives an error response that has no JSON body one, so every client can read every error.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let (code, message) = match status {
        StatusCode::NOT_FOUND => (
            "not_found",
            "no such page: the map is at /, the API under /v1 (see /openapi.json)",
        ),
        StatusCode::METHOD_NOT_ALLOWED => (
            "method_not_allowed",
            "this path does not take that method: see the Allow header and /openapi.json",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ("body_too_large", "the request body is too large"),
        StatusCode::REQUEST_TIMEOUT => (
            "request_timeout",
            "the request was not received in time (body_timeout_s)",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => (
            "unsupported_media_type",
            "send the body as application/json",
        ),
        s if s.is_server_error() => (
            "internal",
            "the server failed to complete the request; it has been logged",
        ),
        _ => ("bad_request", "the request cannot be read"),
    };
    let mut json = ApiError::new(status, code, message).into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = response.headers().get(&name) {
            json.headers_mut().insert(name, v.clone());
        }
    }
    json
}

/// The page's files: browsers revalidate every time (`no-cache`) against a weak ETag made of
/// the file's modification time and length, so a new build shows at once and an unchanged
/// one costs a 304.
///
/// A file path must be plain visible ASCII, as browsers send it (percent-encoded): the file
/// server's redirect of a folder to `folder/` panics on some other URIs (found by the
/// `requests` fuzz target), and no page of ours needs them.
pub async fn revalidate(request: Request, next: Next) -> Response {
    let plain = request
        .uri()
        .path_and_query()
        .is_none_or(|p| p.as_str().bytes().all(|b| b.is_ascii_graphic()));
    if !plain {
        return ApiError::bad_request(
            "invalid_path",
            "a file path must be ASCII, with anything else percent-encoded",
        )
        .into_response();
    }
    let asked = request.headers().get(header::IF_NONE_MATCH).cloned();
    let mut response = next.run(request).await;
    if response.status() != StatusCode::OK {
        return response;
    }
    let Some(etag) = file_etag(response.headers()) else {
        return response;
    };
    let h = response.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if asked.as_ref() == Some(&etag) {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag),
                (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
            ],
        )
            .into_response();
    }
    h.insert(header::ETAG, etag);
    response
}

fn file_etag(headers: &HeaderMap) -> Option<HeaderValue> {
    let modified = headers.get(header::LAST_MODIFIED)?.to_str().ok()?;
    let length = headers.get(header::CONTENT_LENGTH)?.to_str().ok()?;
    let tag = xxhash_rust::xxh3::xxh3_64(format!("{modified}|{length}").as_bytes());
    HeaderValue::from_str(&format!("W/\"{tag:016x}\"")).ok()
}

#[cfg(test)]
mod tests {
    use super::inline_scripts;

    #[test]
    fn only_inline_scripts_are_hashed() {
        let html = r#"<script type="importmap">{"a":1}</script><script type="module" src="main.js"></script>"#;
        assert_eq!(inline_scripts(html).collect::<Vec<_>>(), [r#"{"a":1}"#]);
    }
}
