//! The one error type handlers return: a status, a stable code and a message for people.
//!
//! Internal details (SQL text, file paths, panics) never reach a client: they are logged and
//! the client gets a generic message with the status.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_data::StoreError;
use onemap_index::command::Refusal;
use serde_json::{json, Map, Value};

/// Every code an error answer carries: the code, its statuses and what it means. The OpenAPI
/// document's `ErrorCode` is made from this table; `server/tests/openapi.rs` fails when the
/// sources name a code missing here.
pub const ERROR_CODES: &[(&str, &str, &str)] = &[
    ("invalid_query", "400", "The query string cannot be decoded."),
    ("missing_parameter", "400", "A required query parameter is absent (`lng`, `lat`, `q`)."),
    ("invalid_parameter", "400", "A query parameter does not parse (e.g. `cameras=abc`, `crs=utm`, `mode=merge`, `limit=-1`)."),
    ("out_of_range", "400", "A number is outside its allowed range (`cameras` > 100, `radius`, `near`; a tile z/x/y that does not exist)."),
    ("invalid_coordinates", "400", "A point is not finite or outside lng -180..180 / lat -90..90 (locate; batch adds `point_index` for JSON input, the line number for CSV)."),
    ("invalid_json", "400", "The body is not valid JSON, or not the expected JSON shape (batch locate)."),
    ("wrong_encoding", "400", "A layer file's text is not UTF-8 (it reads as GBK, say): send `encoding=gbk`, or convert it with `iconv -f GBK -t UTF-8`."),
    ("unsupported_format", "415", "The body is none of the layer formats read: GeoJSON, a zipped Shapefile, GeoPackage, KML, FlatGeobuf or CSV."),
    ("unreadable_file", "422", "A layer file in an accepted format is damaged or incomplete (a zip without its .dbf, a truncated GeoPackage)."),
    ("invalid_csv", "400", "A CSV batch is not UTF-8, or a line is not `lng,lat` with two numbers."),
    ("invalid_geometry", "400/422", "422 for an import/feature/probe geometry that fails validation (ring not closed, fewer than 4 positions, self-intersection, spike, zero area, hole outside, wrong geometry type...); 400 from `/v1/intersects` when the probe has no coordinates or is not a polygon."),
    ("id_mismatch", "400", "PUT: the body's id differs from the path's id; ids cannot be renamed."),
    ("invalid_if_match", "400", "`If-Match` is neither `*` nor a version such as `\"12\"`."),
    ("unsupported_overlap", "400", "`/v1/overlaps` asked for something other than `of=grid&with=beat`."),
    ("unreadable_body", "400", "The request body could not be read (status as reported by the body reader, normally 400)."),
    ("invalid_structure", "422", "The JSON is not the expected GeoJSON/people structure (not a FeatureCollection, no `features` array, a feature that is not an object, `properties` not an object...)."),
    ("wrong_crs", "422", "The GeoJSON `crs` member names something other than WGS84/CGCS2000 longitude/latitude (CRS84, EPSG:4326, EPSG:4490)."),
    ("missing_id", "422", "A feature or person has no id."),
    ("duplicate_id", "422", "Two records in one import share an id."),
    ("invalid_property", "422", "A property has the wrong type or value (level not 0-4, unknown kind/status/setting/role, heading not 0-360, range_m not > 0, empty/too long/control-character id, name over 200 characters, bad station location, missing required person name/role...)."),
    ("invalid_token", "401", "An `Authorization` header was sent but its bearer token is unknown to this server."),
    ("forbidden", "401/403", "The caller's role is too low for the operation: 401 for a public caller (no token), 403 for a token of a lower role."),
    ("not_found", "404", "No such feature, person, beat or grid; a locate point outside every grid (with `nearest`); a missing style; a `/v1/layers/{file}` that does not end in `.geojson`."),
    ("unknown_layer", "404", "A layer name other than grid, beat, station or camera."),
    ("unknown_route", "404", "No API route matches the path under `/v1/`."),
    ("stale_version", "412", "`If-Match` (or an implicit create, which expects version 0) does not match the feature's current version; `current_version` says what it is (0 when the feature does not exist)."),
    ("body_too_large", "413", "The body is over the server's limit (`max_body_mb`, 64 MB by default)."),
    ("precondition_required", "428", "A write to an existing feature sent no `If-Match`; `current_version` says the version to send."),
    ("internal", "500", "The server failed (a handler panicked, a store error it cannot explain); details are logged, not returned."),
    ("busy", "503", "The heavy-work queue is full (`work_queue`): try again in a second; `Retry-After` says when."),
    ("time_limit", "503", "The request ran past `work_time_limit_s`: send a smaller polygon or fewer features."),
    ("cancelled", "503", "The request was cancelled because the client went away or the server is stopping."),
    ("rate_limited", "429", "Too many requests from this caller (per address without a token, per token with one); `Retry-After` says how long to wait."),
    ("geometry_limit", "422", "A feature breaks a geometry limit: too many vertices (`max_vertices`), outside the service area, or larger than its parent grid; `rule` names it, `feature_index` says which."),
    ("too_many_features", "422", "An import holds more features than `max_features`: split it."),
    ("too_many_points", "400", "A batch locate holds more points than `max_points`: split it."),
    ("invalid_tile", "400", "The tile path is not `/tiles/{z}/{x}/{y}.mvt` with whole numbers in range."),
    ("method_not_allowed", "405", "The path does not take that method; the `Allow` header lists those it does."),
    ("request_timeout", "408", "The request body did not arrive within `body_timeout_s`."),
    ("unsupported_media_type", "415", "The body's `Content-Type` is not one the route reads (JSON, or CSV for batch locate)."),
    ("bad_request", "400", "The request cannot be read (malformed before any route saw it)."),
    ("invalid_path", "400", "A path outside the API that is not plain ASCII (browsers percent-encode such paths)."),
    ("store_refused", "500", "The store refused the write for good (a GeoPackage changed by another program so that writes fail, a read-only database): retrying will not help; the server log says why."),
    ("store_unavailable", "503", "The store cannot take writes right now; reads still work. Retry shortly."),
    ("invalid_events", "400", "An incident report cannot be read (bad time, unknown source, missing coordinates...); `at` says where. Nothing was stored."),
    ("has_dependents", "409", "A delete would orphan the feature's children (grids one level down, a station's beats) or leave its people answering for nothing; the body lists `children` ({layer, id}) and `people` (ids). Move them first."),
];

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: &'static str,
    pub message: String,
    /// Extra members merged into the error body (e.g. `nearest`, `current_version`).
    pub extra: Map<String, Value>,
    /// Seconds a client should wait before trying again (`Retry-After`).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code,
            message: message.into(),
            extra: Map::new(),
            retry_after: None,
        }
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn with(mut self, key: &str, value: Value) -> Self {
        self.extra.insert(key.to_string(), value);
        self
    }

    /// Tells the client when to try again.
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds);
        self
    }

    /// A failure the client cannot fix: logged in full, reported without details.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!("{context}: {err}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "the server failed to complete the request; it has been logged",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = Map::new();
        body.insert("error".into(), json!(self.code));
        body.insert("message".into(), json!(self.message));
        body.extend(self.extra);
        let mut response = (self.status, Json(Value::Object(body))).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale { current, .. } => ApiError::new(
                StatusCode::PRECONDITION_FAILED,
                "stale_version",
                e.to_string(),
            )
            .with("current_version", json!(current)),
            StoreError::NotFound { .. } => ApiError::not_found(e.to_string()),
            StoreError::Unavailable(ref why) => {
                tracing::warn!("store unavailable: {why}");
                ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "store_unavailable",
                    "the store cannot take writes right now; reads still work. Try again shortly.",
                )
            }
            StoreError::Refused(ref why) => {
                tracing::error!("store refused a write: {why}");
                ApiError::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "store_refused",
                    "the store refused the write, and trying again will not help: an operator must read the server log",
                )
            }
            other => ApiError::internal("store", other),
        }
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        let message = refusal.to_string();
        match refusal {
            Refusal::TooManyFeatures { .. } => ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "too_many_features",
                message,
            ),
            Refusal::Unreasonable { index, reason } => {
                ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "geometry_limit", message)
                    .with("rule", json!(reason.rule()))
                    .with("feature_index", json!(index))
                    .with("feature_id", json!(reason.feature_id()))
            }
            Refusal::VersionRequired { current, .. } => ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                message,
            )
            .with("current_version", json!(current)),
            Refusal::NotFound { .. } => ApiError::not_found(message),
            Refusal::HasDependents {
                children, people, ..
            } => {
                let children: Vec<_> = children
                    .iter()
                    .map(|(layer, id)| json!({ "layer": layer, "id": id }))
                    .collect();
                ApiError::new(StatusCode::CONFLICT, "has_dependents", message)
                    .with("children", json!(children))
                    .with("people", json!(people))
            }
        }
    }
}

impl From<onemap_data::geojson_io::ImportError> for ApiError {
    fn from(e: onemap_data::geojson_io::ImportError) -> Self {
        let mut err = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, e.code(), e.to_string());
        if let Some(i) = e.feature_index {
            err = err.with("feature_index", json!(i));
        }
        if let Some(id) = &e.feature_id {
            err = err.with("feature_id", json!(id));
        }
        match e.code() {
            "invalid_json" | "wrong_encoding" => err.status = StatusCode::BAD_REQUEST,
            "unsupported_format" => err.status = StatusCode::UNSUPPORTED_MEDIA_TYPE,
            _ => {}
        }
        err
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
