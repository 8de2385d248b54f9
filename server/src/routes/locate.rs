//! `GET /v1/locate`: the dispatcher's answer for one point, and `POST /v1/locate` for many.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::params::{check_point, Params, Payload};
use crate::present::{level_title, metres, people, summary};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::budget::Budget;
use onemap_index::crs::Crs;
use onemap_index::dispatch::{AreaHit, Dispatch, DispatchOptions, OutsideEveryGrid, Rung};
use onemap_index::Snapshot;
use serde_json::{json, Value};

pub async fn locate_one(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let lng: f64 = params.required("lng", "the longitude, a number")?;
    let lat: f64 = params.required("lat", "the latitude, a number")?;
    let crs: Crs = params.or("crs", Crs::Wgs84, "wgs84, gcj02 or bd09")?;
    check_point(lng, lat).map_err(|m| ApiError::bad_request("invalid_coordinates", m))?;
    let (lng, lat) = crs.to_wgs84(lng, lat);
    let k: usize = params.or("cameras", 5, "a whole number of cameras from 0 to 100")?;
    if k > 100 {
        return Err(ApiError::bad_request(
            "out_of_range",
            "`cameras` must be at most 100",
        ));
    }
    let options = DispatchOptions {
        cameras: k,
        camera_radius_m: params.number_in("radius", 300.0, 0.0..=5000.0)?,
        near_m: params.number_in("near", DispatchOptions::default().near_m, 0.0..=1000.0)?,
    };
    let snapshot = state.live.snapshot();
    match snapshot.dispatch(lng, lat, &options) {
        Ok(answer) => Ok(Json(dispatch_json(&snapshot, &caller, [lng, lat], &answer))),
        Err(outside) => Err(outside_error(&snapshot, [lng, lat], outside)),
    }
}

/// The dispatcher's answer as JSON, people shown as the caller may see them.
fn dispatch_json(s: &Snapshot, caller: &Caller, [lng, lat]: [f64; 2], d: &Dispatch) -> Value {
    let area = |hit: &AreaHit| {
        let mut v = summary(s, s.feature(hit.feature), caller);
        v["boundary_distance_m"] = json!(metres(hit.boundary_distance_m));
        v
    };
    let escalation: Vec<Value> = d
        .escalation
        .iter()
        .map(|step| {
            let f = s.feature(step.feature);
            let (level, title) = match step.rung {
                Rung::Grid => ("grid".to_string(), level_title(f.level().unwrap_or(3))),
                Rung::Beat => ("beat".to_string(), "警格"),
                Rung::Station => ("station".to_string(), "派出所"),
                Rung::Level(l) => (format!("level{l}"), level_title(l)),
            };
            json!({ "level": level, "title": title, "id": f.id, "name": f.name, "people": people(s, f, caller) })
        })
        .collect();
    let cameras: Vec<Value> = d
        .cameras
        .iter()
        .map(|&(i, distance)| {
            let mut v = summary(s, s.feature(i), caller);
            v["distance_m"] = json!(metres(distance));
            v
        })
        .collect();
    let near: Vec<Value> = d
        .near
        .iter()
        .map(|n| {
            let f = s.feature(n.feature);
            json!({ "layer": n.layer, "id": f.id, "name": f.name, "distance_m": metres(n.distance_m) })
        })
        .collect();
    json!({
        "point": { "lng": lng, "lat": lat },
        "grid": area(&d.grid),
        "ancestors": d.ancestors.iter().map(|a| summary(s, s.feature(*a), caller)).collect::<Vec<_>>(),
        "beat": d.beat.as_ref().map(area),
        "station": d.station.map(|i| summary(s, s.feature(i), caller)),
        "escalation": escalation,
        "cameras": cameras,
        "cameras_in_radius": d.cameras_in_radius,
        "near": near,
    })
}

/// 404 for a point no grid holds, naming the nearest grid.
fn outside_error(s: &Snapshot, [lng, lat]: [f64; 2], outside: OutsideEveryGrid) -> ApiError {
    let mut err = ApiError::not_found(format!("({lng}, {lat}) lies outside every grid"));
    if let Some((g, d)) = outside.nearest {
        let f = s.feature(g);
        err = err.with(
            "nearest",
            json!({ "id": f.id, "name": f.name, "distance_m": metres(d) }),
        );
        err.message = format!(
            "({lng}, {lat}) lies outside every grid; the nearest is {} ({}), {:.0} m away",
            f.name, f.id, d
        );
    }
    err
}

/// Points per chunk of a streamed batch answer.
const CHUNK: usize = 16_384;

/// `POST /v1/locate`: `{"points": [[lng, lat], ...]}` or CSV `lng,lat` lines.
pub async fn locate_batch(
    State(state): State<AppState>,
    params: Params,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Response> {
    let crs: Crs = params.or("crs", Crs::Wgs84, "wgs84, gcj02 or bd09")?;
    let csv = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/csv") || v.starts_with("text/plain"));
    let max_points = state.config.guard.max_points;
    let points = state
        .heavy
        .run(move |_| {
            let points = if csv {
                parse_csv(&body)
            } else {
                parse_json(&body)
            }?;
            if points.len() > max_points {
                return Err(ApiError::bad_request(
                    "too_many_points",
                    format!("the batch holds {} points, more than the limit of {max_points} (max_points): split it", points.len()),
                ));
            }
            Ok(points)
        })
        .await?;
    let points: Vec<[f64; 2]> = match crs {
        Crs::Wgs84 => points,
        other => points
            .into_iter()
            .map(|[x, y]| {
                let (x, y) = other.to_wgs84(x, y);
                [x, y]
            })
            .collect(),
    };
    let snapshot = state.live.snapshot();
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<Bytes, std::io::Error>>(4);
    state
        .heavy
        .spawn(move |budget| stream_answers(&snapshot, &points, &tx, budget))?;
    let stream = tokio_stream::wrappers::ReceiverStream::new(rx);
    Ok((
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Writes the answers chunk by chunk so a large batch starts flowing at once. Stops when the
/// client goes away, or reads so slowly that the budget runs out: a slow reader must not hold
/// a pool thread for ever.
fn stream_answers(
    s: &Snapshot,
    points: &[[f64; 2]],
    tx: &tokio::sync::mpsc::Sender<Result<Bytes, std::io::Error>>,
    budget: &Budget,
) {
    let send = |chunk: Bytes| {
        let mut item = Ok(chunk);
        loop {
            match tx.try_send(item) {
                Ok(()) => return true,
                Err(tokio::sync::mpsc::error::TrySendError::Full(back)) => {
                    if budget.check().is_err() {
                        return false;
                    }
                    item = back;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                }
                Err(tokio::sync::mpsc::error::TrySendError::Closed(_)) => return false,
            }
        }
    };
    let quoted: Vec<String> = s
        .features()
        .iter()
        .map(|f| serde_json::to_string(&f.id).unwrap_or_default())
        .collect();
    let name = |i: Option<u32>| i.map_or("null", |i| quoted[i as usize].as_str());
    let mut out = String::with_capacity(CHUNK * 48);
    out.push_str("{\"results\":[");
    for (n, chunk) in points.chunks(CHUNK).enumerate() {
        for (k, hit) in s.locate_all(chunk).into_iter().enumerate() {
            if n + k > 0 {
                out.push(',');
            }
            out.push_str("{\"grid\":");
            out.push_str(name(hit.grid));
            out.push_str(",\"beat\":");
            out.push_str(name(hit.beat));
            out.push_str(",\"station\":");
            out.push_str(name(hit.station));
            out.push('}');
        }
        if !send(Bytes::from(std::mem::take(&mut out))) {
            return;
        }
        out.reserve(CHUNK * 48);
    }
    out.push_str("]}");
    send(Bytes::from(out));
}

/// The fast shape: every point a pair of numbers.
#[derive(serde::Deserialize)]
struct Pairs {
    points: Vec<[f64; 2]>,
}

/// The slow shape, read only to say which point is wrong.
#[derive(serde::Deserialize)]
struct Loose {
    points: Vec<Vec<serde_json::Value>>,
}

fn parse_json(body: &[u8]) -> ApiResult<Vec<[f64; 2]>> {
    let points = match serde_json::from_slice::<Pairs>(body) {
        Ok(pairs) => pairs.points,
        Err(_) => return Err(explain_bad_batch(body)),
    };
    for (i, p) in points.iter().enumerate() {
        check_point(p[0], p[1]).map_err(|m| point_error(i, m))?;
    }
    Ok(points)
}

/// Finds the first point that is not two numbers, or says why the body is not a batch.
fn explain_bad_batch(body: &[u8]) -> ApiError {
    let loose = match serde_json::from_slice::<Loose>(body) {
        Ok(loose) => loose,
        Err(e) => {
            return ApiError::bad_request(
                "invalid_json",
                format!("the body must be {{\"points\": [[lng, lat], ...]}} with numbers: {e}"),
            )
        }
    };
    for (i, p) in loose.points.iter().enumerate() {
        if p.len() != 2 {
            return point_error(i, format!("has {} values, not 2", p.len()));
        }
        if let Some(bad) = p.iter().find(|v| !v.is_number()) {
            return point_error(i, format!("holds {bad}, not a number"));
        }
    }
    ApiError::bad_request(
        "invalid_json",
        "a point's number is out of the range of a double",
    )
}

fn parse_csv(body: &[u8]) -> ApiResult<Vec<[f64; 2]>> {
    let text = std::str::from_utf8(body)
        .map_err(|_| ApiError::bad_request("invalid_csv", "the CSV body is not UTF-8"))?;
    let mut points = Vec::new();
    for (line_no, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || (line_no == 0 && line.starts_with(|c: char| c.is_alphabetic())) {
            continue;
        }
        let mut fields = line.split(',');
        let mut next = || {
            fields
                .next()
                .map(str::trim)
                .and_then(|v| v.parse::<f64>().ok())
        };
        let (Some(x), Some(y)) = (next(), next()) else {
            return Err(ApiError::bad_request(
                "invalid_csv",
                format!(
                    "line {}: `{line}` is not `lng,lat` with two numbers",
                    line_no + 1
                ),
            ));
        };
        check_point(x, y).map_err(|m| {
            ApiError::bad_request("invalid_coordinates", format!("line {}: {m}", line_no + 1))
        })?;
        points.push([x, y]);
    }
    Ok(points)
}

fn point_error(index: usize, why: impl std::fmt::Display) -> ApiError {
    ApiError::bad_request("invalid_coordinates", format!("points[{index}] {why}"))
        .with("point_index", json!(index))
}
