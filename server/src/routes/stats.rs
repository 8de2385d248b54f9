//! Coverage statistics for leaders: `GET /v1/stats/{layer}` (every grid, beat or station, or
//! the city) and `GET /v1/stats/{layer}/{id}`, as JSON or CSV. The figures come from
//! `onemap_index::stats`; this file only picks rows, sorts and writes them.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{EventWindow, StatsFeaturePath, StatsFormat, StatsPath, StatsQuery};
use crate::openapi::responses::{BadRequest, NotFound, Unavailable};
use crate::openapi::schemas::StatsRow;
use crate::params::Params;
use crate::routes::events::selection;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_data::events_io::format_time;
use onemap_index::stats::{coverage, Coverage, Period};
use onemap_index::Layer;
use serde::Serialize;
use serde_json::{json, Map, Value};
use std::cmp::Ordering;
use utoipa::ToSchema;

/// Statistics as JSON.
#[derive(Serialize, ToSchema)]
pub struct Stats {
    /// The rows' layer, or `city`.
    layer: String,
    period: StatsPeriod,
    count: usize,
    #[schema(value_type = Vec<StatsRow>)]
    rows: Vec<Value>,
}

/// Which incidents the figures count, as the request chose them.
#[derive(Serialize, ToSchema)]
pub struct StatsPeriod {
    from: Option<String>,
    to: Option<String>,
    category: Option<String>,
    source: Option<&'static str>,
}

/// `GET /v1/stats/{layer}?level=&parent=&from=&to=&category=&source=&sort=&order=&limit=&f=`
#[utoipa::path(
    get,
    path = "/v1/stats/{layer}",
    tag = "leaders",
    operation_id = "statsList",
    summary = "Coverage statistics of every grid, beat or station, or of the city",
    description = "Per feature: area, grids, children, officers, auxiliaries, grid leaders and workers, cameras (and online), grids per officer, grids without an officer or worker, beats over the load norms, and incidents in the window (with the window before it and a year earlier, and the change). Incident counts below `stats.suppress_below` (3 by default) are null for callers who may not see personal data (public callers). `level` and `parent` pick rows, `sort`, `order` and `limit` rank them; `city` gives the whole city as one row.",
    security((), ("bearerAuth" = [])),
    params(StatsPath, StatsQuery, EventWindow, StatsFormat),
    responses(
        (status = 200, description = "The figures.", content(
            (Stats = "application/json"),
            (String = "text/csv"),
        ), headers(("Content-Disposition" = String, description = "With `f=csv`: `attachment; filename=\"stats-<layer>.csv\"`."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn list(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let city = figures(&state, &caller, &params).await?;
    let period = period_json(&params)?;
    if layer == "city" {
        let mut row = Map::new();
        row.insert("layer".into(), json!("city"));
        row.insert("id".into(), json!("city"));
        row.insert("name".into(), json!("全市"));
        row.extend(object(json!(city.total)));
        return Ok(answer(&params, "city", period, vec![Value::Object(row)]));
    }
    let layer = areal_layer(&layer)?;
    let level = params
        .get("level")
        .map(|raw| {
            raw.parse::<u8>().map_err(|_| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!("`level` is `{raw}`; use a grid level from 0 (county) to 4"),
                )
            })
        })
        .transpose()?;
    let parent = params.get("parent");
    let mut rows: Vec<Value> = city
        .rows
        .into_iter()
        .filter(|r| r.layer == layer)
        .filter(|r| level.is_none_or(|l| r.level == Some(l)))
        .filter(|r| parent.is_none_or(|p| r.parent.as_deref() == Some(p)))
        .map(|r| json!(r))
        .collect();
    if let Some(field) = params.get("sort") {
        let descending = match params.get("order").unwrap_or("desc") {
            "desc" => true,
            "asc" => false,
            other => {
                return Err(ApiError::bad_request(
                    "invalid_parameter",
                    format!("`order` is `{other}`; use asc or desc"),
                ))
            }
        };
        if rows.first().is_some_and(|r| r.get(field).is_none()) {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`sort` is `{field}`, which the rows do not have; sort by one of their fields, e.g. events or grids_per_officer"),
            ));
        }
        rows.sort_by(|a, b| {
            let order = compare(&a[field], &b[field]);
            if descending {
                order.reverse()
            } else {
                order
            }
        });
    }
    let limit: usize = params.or("limit", usize::MAX, "a whole number")?;
    rows.truncate(limit);
    Ok(answer(&params, layer.as_str(), period, rows))
}

/// `GET /v1/stats/{layer}/{id}`: one feature's figures.
#[utoipa::path(
    get,
    path = "/v1/stats/{layer}/{id}",
    tag = "leaders",
    operation_id = "statsOne",
    summary = "Coverage statistics of one grid, beat or station",
    description = "Per feature: area, grids, children, officers, auxiliaries, grid leaders and workers, cameras (and online), grids per officer, grids without an officer or worker, beats over the load norms, and incidents in the window (with the window before it and a year earlier, and the change). Incident counts below `stats.suppress_below` (3 by default) are null for callers who may not see personal data (public callers). One row.",
    security((), ("bearerAuth" = [])),
    params(StatsFeaturePath, EventWindow, StatsFormat),
    responses(
        (status = 200, description = "The figures.", content(
            (Stats = "application/json"),
            (String = "text/csv"),
        ), headers(("Content-Disposition" = String, description = "With `f=csv`: `attachment; filename=\"stats-<layer>.csv\"`."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn one(
    State(state): State<AppState>,
    caller: Caller,
    Path((layer, id)): Path<(String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let layer = areal_layer(&layer)?;
    if state.live.snapshot().get(layer, &id).is_none() {
        return Err(ApiError::not_found(format!("{layer}/{id} does not exist")));
    }
    let city = figures(&state, &caller, &params).await?;
    let period = period_json(&params)?;
    let row = city
        .rows
        .into_iter()
        .find(|r| r.layer == layer && r.id == id)
        .map(|r| json!(r))
        .ok_or_else(|| ApiError::not_found(format!("{layer}/{id} does not exist")))?;
    Ok(answer(&params, layer.as_str(), period, vec![row]))
}

fn areal_layer(name: &str) -> ApiResult<Layer> {
    match name.parse::<Layer>() {
        Ok(layer) if layer.is_areal() => Ok(layer),
        _ => Err(ApiError::not_found(format!(
            "no statistics for `{name}`: use grid, beat, station or city"
        ))),
    }
}

/// The figures of every feature for the request's period, suppressed for callers who may
/// not see personal data.
async fn figures(state: &AppState, caller: &Caller, params: &Params) -> ApiResult<Coverage> {
    let period = Period {
        events: selection(params)?,
    };
    let min_count = if caller.sees_people() {
        0
    } else {
        state.config.stats.suppress_below
    };
    let norms = state.config.stats.norms();
    let live = state.live.clone();
    state
        .heavy
        .run(move |_| {
            let s = live.snapshot();
            Ok(coverage(&s, &live.events(), &period, &norms, min_count))
        })
        .await
}

fn period_json(params: &Params) -> ApiResult<StatsPeriod> {
    let s = selection(params)?;
    Ok(StatsPeriod {
        from: s.from.map(format_time),
        to: s.to.map(format_time),
        category: s.category,
        source: s.source.map(|s| s.as_str()),
    })
}

fn object(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(o) => o,
        _ => Map::new(),
    }
}

/// Numbers by value, `null` last, anything else as text.
fn compare(a: &Value, b: &Value) -> Ordering {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x.total_cmp(&y),
        (Some(_), None) if b.is_null() => Ordering::Greater,
        (None, Some(_)) if a.is_null() => Ordering::Less,
        _ => a.to_string().cmp(&b.to_string()),
    }
}

/// JSON, or CSV for `f=csv` (a UTF-8 BOM first, so Excel reads the Chinese names).
fn answer(params: &Params, layer: &str, period: StatsPeriod, rows: Vec<Value>) -> Response {
    if params.get("f") == Some("csv") {
        let body = format!("\u{feff}{}", csv(&rows));
        return (
            [
                (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"stats-{layer}.csv\""),
                ),
            ],
            body,
        )
            .into_response();
    }
    Json(Stats {
        layer: layer.to_string(),
        period,
        count: rows.len(),
        rows,
    })
    .into_response()
}

/// Rows as CSV: one column per field of the first row, `events_by_category` as one
/// `events:<category>` column per category any row has.
fn csv(rows: &[Value]) -> String {
    let mut columns: Vec<String> = rows
        .first()
        .and_then(Value::as_object)
        .map(|o| {
            o.keys()
                .filter(|k| *k != "events_by_category")
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let mut categories: Vec<String> = rows
        .iter()
        .filter_map(|r| r["events_by_category"].as_object())
        .flat_map(|o| o.keys().cloned())
        .collect();
    categories.sort();
    categories.dedup();
    columns.extend(categories.iter().map(|c| format!("events:{c}")));
    let mut out = String::new();
    push_line(&mut out, columns.iter().map(String::as_str));
    for row in rows {
        let cells: Vec<String> = columns
            .iter()
            .map(|c| {
                let v = match c.strip_prefix("events:") {
                    Some(category) => &row["events_by_category"][category],
                    None => &row[c.as_str()],
                };
                match v {
                    Value::Null => String::new(),
                    // A leading = + - @ would make a spreadsheet run the cell as a formula.
                    Value::String(s) if s.starts_with(['=', '+', '-', '@']) => format!("'{s}"),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }
            })
            .collect();
        push_line(&mut out, cells.iter().map(String::as_str));
    }
    out
}

/// One CSV line, each cell quoted where it must be (RFC 4180).
fn push_line<'a>(out: &mut String, cells: impl Iterator<Item = &'a str>) {
    for (i, cell) in cells.enumerate() {
        if i > 0 {
            out.push(',');
        }
        if cell.contains([',', '"', '\n', '\r']) {
            out.push('"');
            out.push_str(&cell.replace('"', "\"\""));
            out.push('"');
        } else {
            out.push_str(cell);
        }
    }
    out.push_str("\r\n");
}
