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
