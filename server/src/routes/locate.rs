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
use onemap_index::{Layer, Snapshot};
use serde_json::{json, Value};

/// Calls closer than this to a boundary (metres) list the neighbours they may belong to.
const DEFAULT_NEAR_M: f64 = 30.0;

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
    let radius = params.number_in("radius", 300.0, 0.0..=5000.0)?;
    let near = params.number_in("near", DEFAULT_NEAR_M, 0.0..=1000.0)?;
    let snapshot = state.live.snapshot();
    dispatch_answer(&snapshot, &caller, lng, lat, k, radius, near).map(Json)
}

/// Everything a dispatcher needs about a point.
fn dispatch_answer(
    s: &Snapshot,
    caller: &Caller,
    lng: f64,
    lat: f64,
    k: usize,
    radius: f64,
    near: f64,
) -> ApiResult<Value> {
    let hit = s.locate(lng, lat);
    let Some(grid) = hit.grid else {
        let mut err = ApiError::not_found(format!("({lng}, {lat}) lies outside every grid"));
        if let Some((g, d)) = s.nearest_grid(lng, lat) {
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
        return Err(err);
    };
    let with_boundary = |i: u32| {
        let mut v = summary(s, s.feature(i), caller);
        if let Some(d) = s.boundary_distance(i, lng, lat) {
            v["boundary_distance_m"] = json!(metres(d));
        }
        v
    };
    let ancestors: Vec<u32> = s.ancestors(grid);
    let mut escalation = vec![json!({
        "level": "grid", "title": level_title(s.feature(grid).level().unwrap_or(3)),
        "id": s.feature(grid).id, "name": s.feature(grid).name, "people": people(s, s.feature(grid), caller),
    })];
    if let Some(b) = hit.beat {
        let f = s.feature(b);
        escalation.push(json!({ "level": "beat", "title": "警格", "id": f.id, "name": f.name, "people": people(s, f, caller) }));
    }
    if let Some(st) = hit.station {
        let f = s.feature(st);
        escalation.push(json!({ "level": "station", "title": "派出所", "id": f.id, "name": f.name, "people": people(s, f, caller) }));
    }
    for a in &ancestors {
        let f = s.feature(*a);
        let lvl = f.level().unwrap_or(0);
        escalation.push(json!({ "level": format!("level{lvl}"), "title": level_title(lvl), "id": f.id, "name": f.name, "people": people(s, f, caller) }));
    }
    let mut candidates = Vec::new();
    let grid_level = s.feature(grid).level();
    for (layer, own, lvl) in [
        (Layer::Grid, Some(grid), grid_level),
        (Layer::Beat, hit.beat, None),
    ] {
        let close = own
            .and_then(|i| s.boundary_distance(i, lng, lat))
            .is_some_and(|d| d <= near);
        if !close {
            continue;
        }
        for (i, d) in s.near(layer, lvl, lng, lat, near) {
            if Some(i) != own {
                let f = s.feature(i);
                candidates.push(
                    json!({ "layer": layer, "id": f.id, "name": f.name, "distance_m": metres(d) }),
                );
            }
        }
    }
    let cameras: Vec<Value> = s
        .cameras_near(lng, lat, k, radius)
        .into_iter()
        .map(|(i, d)| {
            let mut v = summary(s, s.feature(i), caller);
            v["distance_m"] = json!(metres(d));
            v
        })
        .collect();
    Ok(json!({
        "point": { "lng": lng, "lat": lat },
        "grid": with_boundary(grid),
        "ancestors": ancestors.iter().map(|a| summary(s, s.feature(*a), caller)).collect::<Vec<_>>(),
        "beat": hit.beat.map(with_boundary),
        "station": hit.station.map(|i| summary(s, s.feature(i), caller)),
        "escalation": escalation,
        "cameras": cameras,
        "cameras_in_radius": s.cameras_within(lng, lat, radius),
        "near": candidates,
    }))
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
