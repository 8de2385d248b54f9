//! `GET /v1/locate`: the dispatcher's answer for one point, and `POST /v1/locate` for many.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{BatchQuery, LocateQuery};
use crate::openapi::responses::{BadRequest, PayloadTooLarge, RequestTimeout, Unavailable};
use crate::openapi::schemas::{BatchLocateRequest, Layer as LayerSchema};
use crate::params::{check_point, Params, Payload};
use crate::present::{level_title, metres, people, summary, FeatureSummary, PersonView};
use crate::state::AppState;
use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::budget::Budget;
use onemap_index::crs::Crs;
use onemap_index::dispatch::{AreaHit as Hit, Dispatch, DispatchOptions, OutsideEveryGrid, Rung};
use onemap_index::{Layer, Snapshot};
use serde::Serialize;
use serde_json::json;
use utoipa::ToSchema;

/// Everything a dispatcher (110 / 12345) needs about one point.
#[derive(Serialize, ToSchema)]
pub struct LocateAnswer {
    /// The point in WGS84, after conversion from `crs`.
    point: LngLatPoint,
    /// The grid containing the point.
    grid: AreaHit,
    /// The grid's parents, nearest first (community/village → township → county).
    ancestors: Vec<FeatureSummary>,
    /// The police beat (警格) containing the point, or null.
    beat: Option<AreaHit>,
    /// The police station (派出所) answering for the point, or null.
    station: Option<FeatureSummary>,
    /// Who to call, in order: grid, beat (if any), station (if any), then each ancestor.
    escalation: Vec<EscalationStep>,
    /// Up to `cameras` cameras within `radius` metres, nearest first.
    cameras: Vec<CameraHit>,
    /// How many cameras lie within `radius` metres in all (`cameras` lists the nearest few).
    cameras_in_radius: usize,
    /// Only when the point is within `near` metres of its grid's (or beat's) boundary: the
    /// neighbouring grids of the same level (or beats) it may also belong to, nearest first.
    near: Vec<NearCandidate>,
}

#[derive(Serialize, ToSchema)]
pub struct LngLatPoint {
    lng: f64,
    lat: f64,
}

/// A grid or beat summary with the distance from the point to its boundary.
#[derive(Serialize, ToSchema)]
pub struct AreaHit {
    #[serde(flatten)]
    feature: FeatureSummary,
    /// Metres from the point to the feature's boundary, rounded to centimetres.
    #[schema(minimum = 0)]
    boundary_distance_m: f64,
}

/// One rung of the escalation chain (grid → beat → station → community → township → county).
#[derive(Serialize, ToSchema)]
pub struct EscalationStep {
    /// `grid`, `beat`, `station`, or `level0`..`level4` for the grid's ancestors.
    #[schema(pattern = "^(grid|beat|station|level[0-4])$")]
    level: String,
    /// Chinese title: the grid level's name, 警格 or 派出所.
    #[schema(examples("网格", "警格", "派出所", "社区/村", "街道/乡镇", "县区"))]
    title: &'static str,
    id: String,
    name: String,
    people: Vec<PersonView>,
}

/// A camera summary with its distance from the point.
#[derive(Serialize, ToSchema)]
pub struct CameraHit {
    #[serde(flatten)]
    feature: FeatureSummary,
    /// Metres, rounded to centimetres.
    #[schema(minimum = 0)]
    distance_m: f64,
}

/// A neighbouring grid (same level) or beat whose boundary is within `near` metres of the
/// point.
#[derive(Serialize, ToSchema)]
pub struct NearCandidate {
    #[schema(value_type = LayerSchema)]
    layer: Layer,
    id: String,
    name: String,
    #[schema(minimum = 0)]
    distance_m: f64,
}

/// `GET /v1/locate?lng=&lat=`: who answers for a point.
#[utoipa::path(
    get,
    path = "/v1/locate",
    tag = "locate",
    operation_id = "locate",
    summary = "Who answers for a point (dispatch answer)",
    description = "The grid (网格), its parents, the beat (警格) and station (派出所) containing the point, the escalation chain with the responsible people, nearby cameras, and neighbouring grids/beats when the point is close to a boundary. People are masked for public callers. A point outside every grid is 404 `not_found` with `nearest` (the nearest grid and its distance).",
    security((), ("bearerAuth" = [])),
    params(LocateQuery),
    responses(
        (status = 200, description = "The dispatch answer.", body = LocateAnswer),
        (status = 400, response = BadRequest),
        (status = 404, description = "`not_found`: the point lies outside every grid; `nearest` names the nearest grid when there is one.",
            body = ref("#/components/schemas/Error"),
            examples(("outside" = (value = json!({
                "error": "not_found",
                "message": "(121.9, 28.1) lies outside every grid; the nearest is 东门网格 (G0001), 812 m away",
                "nearest": { "id": "G0001", "name": "东门网格", "distance_m": 812.37 }
            }))))),
    ),
)]
pub async fn locate_one(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<LocateAnswer>> {
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
        Ok(answer) => Ok(Json(dispatch_answer(
            &snapshot,
            &caller,
            [lng, lat],
            &answer,
        ))),
        Err(outside) => Err(outside_error(&snapshot, [lng, lat], outside)),
    }
}

/// The dispatcher's answer, people shown as the caller may see them.
fn dispatch_answer(
    s: &Snapshot,
    caller: &Caller,
    [lng, lat]: [f64; 2],
    d: &Dispatch,
) -> LocateAnswer {
    let area = |hit: &Hit| AreaHit {
        feature: summary(s, s.feature(hit.feature), caller),
        boundary_distance_m: metres(hit.boundary_distance_m),
    };
    let escalation = d
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
            EscalationStep {
                level,
                title,
                id: f.id.clone(),
                name: f.name.clone(),
                people: people(s, f, caller),
            }
        })
        .collect();
    let cameras = d
        .cameras
        .iter()
        .map(|&(i, distance)| CameraHit {
            feature: summary(s, s.feature(i), caller),
            distance_m: metres(distance),
        })
        .collect();
    let near = d
        .near
        .iter()
        .map(|n| {
            let f = s.feature(n.feature);
            NearCandidate {
                layer: n.layer,
                id: f.id.clone(),
                name: f.name.clone(),
                distance_m: metres(n.distance_m),
            }
        })
        .collect();
    LocateAnswer {
        point: LngLatPoint { lng, lat },
        grid: area(&d.grid),
        ancestors: d
            .ancestors
            .iter()
            .map(|a| summary(s, s.feature(*a), caller))
            .collect(),
        beat: d.beat.as_ref().map(area),
        station: d.station.map(|i| summary(s, s.feature(i), caller)),
        escalation,
        cameras,
        cameras_in_radius: d.cameras_in_radius,
        near,
    }
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

/// One result per input point, in input order. Streamed in chunks of 16,384 points. Ids only:
/// no names or people.
#[derive(ToSchema)]
#[schema(example = json!({ "results": [
    { "grid": "G0001", "beat": "B001", "station": "S01" },
    { "grid": null, "beat": null, "station": null },
] }))]
#[allow(dead_code)] // `stream_answers` writes it by hand, chunk by chunk
pub struct BatchLocateAnswer {
    #[schema(inline)]
    results: Vec<BatchHit>,
}

#[derive(ToSchema)]
#[allow(dead_code)] // `stream_answers` writes it by hand, chunk by chunk
pub struct BatchHit {
    /// Grid id, or null outside every grid.
    grid: Option<String>,
    /// Beat id, or null.
    beat: Option<String>,
    /// Station id, or null.
    station: Option<String>,
}

/// `POST /v1/locate`: `{"points": [[lng, lat], ...]}` or CSV `lng,lat` lines.
#[utoipa::path(
    post,
    path = "/v1/locate",
    tag = "locate",
    operation_id = "locateBatch",
    summary = "Locate many points at once",
    description = "Grid, beat and station ids for each point, in input order, streamed. Body: JSON `{\"points\": [[lng, lat], ...]}`, or with `Content-Type: text/csv` (or `text/plain`) one `lng,lat` per line (a first line starting with a letter is a header and skipped; blank lines skipped; extra columns ignored). The points are in `crs` (WGS84 by default). Any other content type is read as JSON. No token needed: the answer holds ids only.",
    params(BatchQuery),
    request_body(content(
        (BatchLocateRequest = "application/json", example = json!({ "points": [[121.42, 28.66], [121.43, 28.65]] })),
        (String = "text/csv", example = json!("lng,lat\n121.42,28.66\n121.43,28.65\n")),
        (String = "text/plain", example = json!("121.42,28.66\n121.43,28.65\n")),
    )),
    responses(
        (status = 200, description = "One result per point.", body = BatchLocateAnswer),
        (status = 400, response = BadRequest),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 503, response = Unavailable),
    ),
)]
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
