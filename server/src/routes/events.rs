//! Incidents: reporting them (`POST /v1/layers/event/import`) and their trend over time.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, Payload};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use onemap_data::events_io::{day_start, format_time, parse_events, parse_time, EventFormat};
use onemap_index::events::{Selection, Source};
use serde_json::{json, Value};

/// `POST /v1/layers/event/import`: incidents as GeoJSON, NDJSON or CSV (told apart by
/// `Content-Type`, else by content), stored all or none and located on the way in.
/// Dispatchers and above: 110 and 12345 centres report them.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Json<Value>> {
    caller.require(Access::Dispatcher, "reporting incidents")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let live = state.live.clone();
    let author = caller.name.clone();
    let (format, imported) = state
        .heavy
        .run(move |_| {
            let format = EventFormat::of(content_type.as_deref(), &body);
            let events = parse_events(&body, format).map_err(|e| {
                ApiError::bad_request("invalid_events", e.to_string()).with("at", json!(e.at))
            })?;
            Ok((format, live.ingest(events, &author)?))
        })
        .await?;
    let log = state.live.events();
    Ok(Json(json!({
        "layer": "event",
        "imported": imported,
        "format": match format {
            EventFormat::GeoJson => "geojson",
            EventFormat::NdJson => "ndjson",
            EventFormat::Csv => "csv",
        },
        "events": log.len(),
        "last_seq": log.last_seq(),
    })))
}

/// The events a request asks about: `from` and `to` (RFC 3339 or a date, `to` exclusive),
/// `category` and `source`.
pub fn selection(params: &Params) -> ApiResult<Selection> {
    let time = |name: &str| {
        params
            .get(name)
            .map(|raw| {
                parse_time(raw).map_err(|e| {
                    ApiError::bad_request("invalid_parameter", format!("`{name}`: {e}"))
                })
            })
            .transpose()
    };
    let (from, to) = (time("from")?, time("to")?);
    if let (Some(from), Some(to)) = (from, to) {
        if to <= from {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                "`to` must come after `from` (the window is from ≤ time < to)",
            ));
        }
    }
    let source = params
        .get("source")
        .map(|raw| {
            Source::parse(raw).ok_or_else(|| {
                let known: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("`source` is `{raw}`; use one of {}", known.join(", ")),
                )
            })
        })
        .transpose()?;
    Ok(Selection {
        from,
        to,
        category: params.get("category").map(str::to_string),
        source,
    })
}

/// `GET /v1/events/trend?from=&to=&bucket=day|week&category=&source=`: incidents per day or
/// week (China Standard Time, weeks from Monday) and category, empty buckets included.
pub async fn trend(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let selection = selection(&params)?;
    let bucket_s = match params.get("bucket").unwrap_or("day") {
        "day" => 86_400,
        "week" => 7 * 86_400,
        other => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`bucket` is `{other}`; use day or week"),
            ))
        }
    };
    let live = state.live.clone();
    let answer = state
        .heavy
        .run(move |_| {
            let log = live.events();
            let Some((first, _)) = log.span() else {
                return Ok(json!({ "bucket_s": bucket_s, "categories": [], "buckets": [] }));
            };
            let mut origin = day_start(selection.from.unwrap_or(first));
            if bucket_s > 86_400 {
                // 1970-01-01 was a Thursday: step back to Monday.
                let weekday = (origin + 8 * 3600).div_euclid(86_400).rem_euclid(7);
                origin -= ((weekday + 3) % 7) * 86_400;
            }
            let rows = log.select(&selection);
            let buckets: Vec<Value> = log
                .trend(&rows, origin, bucket_s)
                .into_iter()
                .map(|(start, counts)| {
                    json!({ "start": format_time(start), "total": counts.iter().sum::<u32>(), "counts": counts })
                })
                .collect();
            Ok(json!({
                "bucket_s": bucket_s,
                "categories": log.categories(),
                "buckets": buckets,
            }))
        })
        .await?;
    Ok(Json(answer))
}
