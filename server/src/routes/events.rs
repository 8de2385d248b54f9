//! Incidents: reporting them (`POST /v1/layers/event/import`) and their trend over time.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{EventWindow, TrendQuery};
use crate::openapi::responses::{
    BadRequest, Forbidden, PayloadTooLarge, RequestTimeout, Unauthorized, Unavailable,
};
use crate::openapi::schemas::{built_schema, words};
use crate::params::{unreadable_body, Params};
use crate::state::AppState;
use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::Json;
use http_body_util::BodyExt;
use onemap_data::events_io::{
    day_start, format_time, parse_time, EventError, EventFormat, EventReader,
};
use onemap_index::events::{Selection, Source};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "layer": "event", "imported": 2, "format": "csv", "events": 41208, "last_seq": 41208 }))]
pub struct EventImportResult {
    #[schema(schema_with = event_layer)]
    layer: &'static str,
    /// Incidents stored by this import.
    imported: usize,
    /// How the body was read.
    #[schema(value_type = EventFormatName, inline)]
    format: &'static str,
    /// Incidents on file now.
    events: usize,
    /// The sequence number of the last incident stored.
    last_seq: u64,
}

fn event_layer() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("event")
}

built_schema!(EventFormatName => words(&["geojson", "ndjson", "csv"]));

/// `POST /v1/layers/event/import`: incidents as GeoJSON, NDJSON or CSV (told apart by
/// `Content-Type`, else by content), stored all or none and located on the way in.
/// Dispatchers and above: 110 and 12345 centres report them.
#[utoipa::path(
    post,
    path = "/v1/layers/event/import",
    tag = "events",
    operation_id = "importEvents",
    summary = "Report incidents (dispatcher)",
    description = "Incidents (110 calls, 12345 hotline requests, grid workers' reports, video patrol) as GeoJSON Point features, newline-delimited GeoJSON or CSV, told apart by `Content-Type` (`application/geo+json`, `application/x-ndjson`, `text/csv`), else by the content. Each has `time` (RFC 3339), `category`, `source` and an optional `text`; a CSV header names `lng`, `lat` (or `longitude`/`latitude`, `x`/`y`, or one `wkt` column), `time`, `category`, `source` and optionally `text`. One bad incident refuses the whole body (400 `invalid_events`, `at` saying where); the rest are appended to the event table and located to grid, beat, station and H3 cell on the way in, never through a snapshot rebuild. Needs a dispatcher token or better.",
    security(("bearerAuth" = ["dispatcher"])),
    request_body(content(
        (crate::openapi::schemas::EventCollection = "application/geo+json"),
        (String = "application/x-ndjson"),
        (String = "text/csv", example = json!("lng,lat,time,category,source\n121.42,28.65,2026-06-30T08:15:00+08:00,纠纷,110\n")),
    )),
    responses(
        (status = 200, description = "Stored.", body = EventImportResult),
        (status = 400, description = "`invalid_events`: an incident cannot be read; `at` says where (`line 12`, `feature 3`, `the body`). Nothing was stored.",
            body = ref("#/components/schemas/Error"),
            examples(("invalid_events" = (value = json!({
                "error": "invalid_events",
                "message": "line 3: `time` is `yesterday`: use RFC 3339 (2026-06-30T08:15:00+08:00) or a date (2026-06-30)",
                "at": "line 3"
            }))))),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<EventImportResult>> {
    caller.require(Access::Dispatcher, "reporting incidents")?;
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // Read as it arrives: a bad record refuses the body before the rest is sent.
    let mut reader = EventReader::new(content_type);
    let refused = |e: EventError| {
        ApiError::bad_request("invalid_events", e.to_string()).with("at", json!(e.at))
    };
    let mut body = body;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| unreadable_body(&e, false))?;
        if let Some(chunk) = frame.data_ref() {
            reader.push(chunk).map_err(refused)?;
        }
    }
    let live = state.live.clone();
    let author = caller.name.clone();
    let (format, imported) = state
        .heavy
        .run(move |_| {
            let (format, events) = reader.finish().map_err(refused)?;
            Ok((format, live.ingest(events, &author)?))
        })
        .await?;
    let log = state.live.events();
    Ok(Json(EventImportResult {
        layer: "event",
        imported,
        format: match format {
            EventFormat::GeoJson => "geojson",
            EventFormat::NdJson => "ndjson",
            EventFormat::Csv => "csv",
        },
        events: log.len(),
        last_seq: log.last_seq(),
    }))
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
#[utoipa::path(
    get,
    path = "/v1/events/trend",
    tag = "events",
    operation_id = "eventTrend",
    summary = "Incidents per day or week and category",
    description = "The chosen incidents counted per day or week (China Standard Time; weeks start on Monday) and per category, from the window's start (or the first incident) to its end, empty buckets included. No incident on file: no categories and no buckets.",
    params(TrendQuery, EventWindow),
    responses(
        (status = 200, description = "The trend.", body = Trend,
            example = json!({ "bucket_s": 86400, "categories": ["纠纷", "盗窃"], "buckets": [
                { "start": "2026-06-29T16:00:00Z", "total": 5, "counts": [3, 2] },
                { "start": "2026-06-30T16:00:00Z", "total": 0, "counts": [0, 0] },
            ] })),
        (status = 400, response = BadRequest),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn trend(State(state): State<AppState>, params: Params) -> ApiResult<Json<Trend>> {
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
                return Ok(Trend {
                    bucket_s,
                    categories: Vec::new(),
                    buckets: Vec::new(),
                });
            };
            let mut origin = day_start(selection.from.unwrap_or(first));
            if bucket_s > 86_400 {
                // 1970-01-01 was a Thursday: step back to Monday.
                let weekday = (origin + 8 * 3600).div_euclid(86_400).rem_euclid(7);
                origin -= ((weekday + 3) % 7) * 86_400;
            }
            let rows = log.select(&selection);
            let buckets = log
                .trend(&rows, origin, bucket_s)
                .into_iter()
                .map(|(start, counts)| TrendBucket {
                    start: format_time(start),
                    total: counts.iter().sum(),
                    counts,
                })
                .collect();
            Ok(Trend {
                bucket_s,
                categories: log.categories().to_vec(),
                buckets,
            })
        })
        .await?;
    Ok(Json(answer))
}

#[derive(Serialize, ToSchema)]
pub struct Trend {
    /// The bucket's length in seconds: 86400 (a day) or 604800 (a week).
    bucket_s: i64,
    /// Every category on file, in the order of each bucket's `counts`.
    categories: Vec<String>,
    /// The buckets, oldest first.
    buckets: Vec<TrendBucket>,
}

#[derive(Serialize, ToSchema)]
pub struct TrendBucket {
    /// When the bucket starts (RFC 3339, UTC).
    start: String,
    /// Incidents in the bucket.
    total: u32,
    /// Incidents per category, in the order of `categories`.
    counts: Vec<u32>,
}
