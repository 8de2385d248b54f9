//! One typed HTTP client for the end-to-end tests, so that each test says what it asks the
//! server (`import`, `locate`, `put_feature`) instead of how to build the request.

use crate::{Server, PLANNER};
use serde_json::{json, Value};
use std::time::Duration;

/// Long enough for the slowest answer a test waits for (a big import or batch on a loaded
/// 2-core machine, a cluster node catching up), short enough that a hung server fails the test.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A server's answer, whatever its status: a body that is not JSON is kept as a string, an
/// empty one is `null`.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: u16,
    pub body: Value,
    pub etag: Option<String>,
}

impl Answer {
    /// The answer, after checking that it has `status`; `what` and the body say what failed.
    pub fn expect(self, status: u16, what: &str) -> Answer {
        assert_eq!(self.status, status, "{what}: {}", self.body);
        self
    }
}

/// Requests to one server on behalf of one caller (a bearer token, or nobody).
#[derive(Clone, Copy)]
pub struct Client<'a> {
    server: &'a Server,
    token: Option<&'a str>,
}

impl Server {
    /// A client sending `token` as its bearer token, or no token.
    pub fn client<'a>(&'a self, token: Option<&'a str>) -> Client<'a> {
        Client {
            server: self,
            token,
        }
    }

    /// A client with the planner's token: the role that may write.
    pub fn planner(&self) -> Client<'_> {
        self.client(Some(PLANNER))
    }

    /// A client with no token: what the public sees.
    pub fn anonymous(&self) -> Client<'_> {
        self.client(None)
    }
}

/// The answer to a request, whatever its status; panics only if no answer came at all.
fn answer(method: &str, path: &str, result: Result<ureq::Response, ureq::Error>) -> Answer {
    let response = match result {
        Ok(r) | Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("{method} {path}: {e}"),
    };
    let status = response.status();
    let etag = response.header("etag").map(str::to_string);
    let text = response.into_string().expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    Answer { status, body, etag }
}

impl Client<'_> {
    /// `method path` with `body` (sent as JSON unless `headers` set a Content-Type) and extra
    /// `headers`; panics only if no answer comes at all.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Answer {
        let mut req = self.request(method, path);
        if body.is_some() {
            req = req.set("Content-Type", "application/json");
        }
        for (name, value) in headers {
            req = req.set(name, value);
        }
        let result = match body {
            Some(b) => req.send_string(b),
            None => req.call(),
        };
        answer(method, path, result)
    }

    /// `POST /v1/layers/{layer}/import?{query}` of a file in any import format, labelled
    /// `content_type`.
    pub fn import_file(&self, layer: &str, query: &str, body: &[u8], content_type: &str) -> Answer {
        let path = format!("/v1/layers/{layer}/import?{query}");
        let result = self
            .request("POST", &path)
            .set("Content-Type", content_type)
            .send_bytes(body);
        answer("POST", &path, result)
    }

    /// A request to `path` (relative to the server) as this client's caller.
    fn request(&self, method: &str, path: &str) -> ureq::Request {
        let req = ureq::request(method, &self.server.url(path)).timeout(TIMEOUT);
        match self.token {
            Some(token) => req.set("Authorization", &format!("Bearer {token}")),
            None => req,
        }
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None, &[])
    }

    pub fn post(&self, path: &str, body: &str) -> Answer {
        self.send("POST", path, Some(body), &[])
    }

    /// `POST /v1/layers/{layer}/import` of a FeatureCollection (upsert).
    pub fn import(&self, layer: impl std::fmt::Display, body: &str) -> Answer {
        self.post(&format!("/v1/layers/{layer}/import"), body)
    }

    /// `POST /v1/people/import` of a JSON array of people.
    pub fn import_people(&self, body: &str) -> Answer {
        self.post("/v1/people/import", body)
    }

    /// `GET` of one feature; its version comes as the ETag.
    pub fn feature(&self, layer: &str, id: &str) -> Answer {
        self.get(&feature_path(layer, id))
    }

    /// `PUT` of one feature, creating it or (with `if_match`, an ETag) replacing that version.
    pub fn put_feature(&self, layer: &str, id: &str, body: &str, if_match: Option<&str>) -> Answer {
        let headers: Vec<(&str, &str)> = if_match.map(|e| ("If-Match", e)).into_iter().collect();
        self.send("PUT", &feature_path(layer, id), Some(body), &headers)
    }

    /// `DELETE` of one feature at version `if_match` (an ETag).
    pub fn delete_feature(&self, layer: &str, id: &str, if_match: &str) -> Answer {
        self.send(
            "DELETE",
            &feature_path(layer, id),
            None,
            &[("If-Match", if_match)],
        )
    }

    /// `GET /v1/locate` of one WGS 84 point.
    pub fn locate(&self, lng: f64, lat: f64) -> Answer {
        self.get(&format!("/v1/locate?lng={lng}&lat={lat}"))
    }

    /// The city's version as `GET /v1/layers` reports it: it counts commits, so it shows whether
    /// a write happened, and which one a node has caught up to.
    pub fn city_version(&self) -> u64 {
        let answer = self.get("/v1/layers");
        answer.body["version"]
            .as_u64()
            .unwrap_or_else(|| panic!("no version in /v1/layers: {answer:?}"))
    }

    /// `GET /v1/layers/{layer}.geojson` as the exact text served, for byte-for-byte comparisons.
    pub fn export(&self, layer: &str) -> String {
        self.request("GET", &format!("/v1/layers/{layer}.geojson"))
            .call()
            .unwrap_or_else(|e| panic!("exporting {layer}: {e}"))
            .into_string()
            .expect("body")
    }
}

fn feature_path(layer: &str, id: &str) -> String {
    format!("/v1/layers/{layer}/features/{id}")
}

/// A GeoJSON FeatureCollection of `features`, as the body of an import.
pub fn collection(features: Vec<Value>) -> String {
    json!({ "type": "FeatureCollection", "features": features }).to_string()
}
