//! Query parameters read one by one, so a bad value gets an error naming it.

use crate::error::ApiError;
use axum::extract::{FromRequestParts, Query};
use axum::http::request::Parts;
use std::collections::HashMap;
use std::str::FromStr;

pub struct Params(HashMap<String, String>);

impl<S: Send + Sync> FromRequestParts<S> for Params {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Query(map) = Query::<HashMap<String, String>>::from_request_parts(parts, state)
            .await
            .map_err(|e| {
                ApiError::bad_request(
                    "invalid_query",
                    format!("the query string cannot be read: {e}"),
                )
            })?;
        Ok(Params(map))
    }
}

impl Params {
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }

    /// A required parameter parsed as `T`.
    pub fn required<T: FromStr>(&self, name: &str, what: &str) -> Result<T, ApiError> {
        let raw = self.get(name).ok_or_else(|| {
            ApiError::bad_request("missing_parameter", format!("`{name}` is required: {what}"))
        })?;
        parse(name, raw, what)
    }

    /// An optional parameter parsed as `T`, or `default`.
    pub fn or<T: FromStr>(&self, name: &str, default: T, what: &str) -> Result<T, ApiError> {
        self.get(name)
            .map_or(Ok(default), |raw| parse(name, raw, what))
    }

    /// A number within `range`.
    pub fn number_in(
        &self,
        name: &str,
        default: f64,
        range: std::ops::RangeInclusive<f64>,
    ) -> Result<f64, ApiError> {
        let what = format!("a number from {} to {}", range.start(), range.end());
        let v: f64 = self.or(name, default, &what)?;
        if !range.contains(&v) {
            return Err(ApiError::bad_request(
                "out_of_range",
                format!("`{name}` is {v}; it must be {what}"),
            ));
        }
        Ok(v)
    }
}

fn parse<T: FromStr>(name: &str, raw: &str, what: &str) -> Result<T, ApiError> {
    raw.trim().parse().map_err(|_| {
        ApiError::bad_request(
            "invalid_parameter",
            format!("`{name}` is `{raw}`; it must be {what}"),
        )
    })
}

/// Checks a WGS84-range coordinate pair.
pub fn check_point(lng: f64, lat: f64) -> Result<(), String> {
    if !lng.is_finite() || !lat.is_finite() {
        return Err(format!(
            "coordinates must be finite numbers, got ({lng}, {lat})"
        ));
    }
    if !(-180.0..=180.0).contains(&lng) {
        return Err(format!(
            "longitude {lng} is outside -180..180 (is the order lng, lat?)"
        ));
    }
    if !(-90.0..=90.0).contains(&lat) {
        return Err(format!(
            "latitude {lat} is outside -90..90 (is the order lng, lat?)"
        ));
    }
    Ok(())
}

/// A request body whose rejections (too large, unreadable) are JSON errors like every other.
pub struct Payload(pub axum::body::Bytes);

impl<S: Send + Sync> axum::extract::FromRequest<S> for Payload {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, Self::Rejection> {
        axum::body::Bytes::from_request(req, state)
            .await
            .map(Payload)
            .map_err(|e| {
                let too_large = e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE;
                unreadable_body(&e, too_large)
            })
    }
}

/// The answer to a body that could not be read: too large (413; axum says so by the
/// rejection's status, a body read frame by frame by the limit's error), too slow (408), or
/// broken.
pub fn unreadable_body(e: &(dyn std::error::Error + 'static), too_large: bool) -> ApiError {
    let chain = || std::iter::successors(Some(e), |e| e.source());
    if too_large || chain().any(|e| e.is::<http_body_util::LengthLimitError>()) {
        ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            "body_too_large",
            "the request body is larger than this server accepts from this caller (max_body_mb for tokens, public_max_body_mb without one): split it",
        )
    } else if timed_out(e) {
        ApiError::new(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body did not arrive within body_timeout_s: send it faster, or split it",
        )
    } else {
        ApiError::bad_request(
            "unreadable_body",
            format!("the request body could not be read: {e}"),
        )
    }
}

/// Whether reading a body failed because `body_timeout_s` ran out. axum reports that as an
/// unknown body error (400), with the timeout a few boxes down its sources; a client that is
/// too slow should hear 408, as from nginx, not that its request is malformed.
fn timed_out(e: &(dyn std::error::Error + 'static)) -> bool {
    std::iter::successors(Some(e), |e| e.source())
        .any(|e| e.is::<tower_http::timeout::TimeoutError>())
}
