//! The "两张皮" questions: which beats a grid overlaps, which grids a beat holds, the whole
//! matrix, and what an arbitrary polygon touches.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::MatrixQuery;
use crate::openapi::responses::{
    BadRequest, NotFound, PayloadTooLarge, RequestTimeout, Unavailable, Unprocessable,
};
use crate::openapi::schemas::IntersectsRequest;
use crate::params::{Params, Payload};
use crate::present::{summary, FeatureSummary};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo_types::MultiPolygon;
use onemap_data::geojson_io::parse_feature;
use onemap_index::{Layer, Snapshot};
use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
#[schema(example = json!({
    "grid": "G0001", "area_m2": 250000.0, "assigned_beat": "B001", "straddles": true,
    "beats": [
        { "beat": "B001", "area_m2": 200000.0, "fraction": 0.8 },
        { "beat": "B002", "area_m2": 50000.0, "fraction": 0.2 },
    ],
}))]
pub struct GridOverlaps {
    grid: String,
    /// The grid's area in m².
    #[schema(minimum = 0)]
    area_m2: f64,
    /// The beat holding the largest share, or null.
    assigned_beat: Option<String>,
    /// True when more than 5% of the grid lies outside its assigned beat (跨警格, “两张皮”).
    straddles: bool,
    /// Beats the grid overlaps, largest share first.
    beats: Vec<BeatShare>,
}

#[derive(Serialize, ToSchema)]
pub struct BeatShare {
    beat: String,
    #[schema(minimum = 0)]
    area_m2: f64,
    /// Share of the grid's area: area_m2 / grid area.
    #[schema(minimum = 0, maximum = 1)]
    fraction: f64,
}

/// `GET /v1/grids/{id}/overlaps`
#[utoipa::path(
    get,
    path = "/v1/grids/{id}/overlaps",
    tag = "overlaps",
    operation_id = "gridOverlaps",
    summary = "Which beats a grid overlaps (网格↔警格)",
    description = "The grid's area, the beats it overlaps with intersection areas and shares, its assigned beat (largest share) and whether it straddles beats (more than 5% outside the assigned one).",
    params(("id" = String, Path, description = "Grid id.")),
    responses(
        (status = 200, description = "The grid's overlaps.", body = GridOverlaps),
        (status = 404, response = NotFound),
    ),
)]
pub async fn grid_overlaps(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<GridOverlaps>> {
    let view = state
        .live
        .snapshot()
        .overlaps_of_grid(&id)
        .ok_or_else(|| ApiError::not_found(format!("grid/{id} does not exist")))?;
    Ok(Json(GridOverlaps {
        grid: id,
        area_m2: view.area_m2,
        assigned_beat: view.assigned_beat,
        straddles: view.straddles,
        beats: view
            .beats
            .into_iter()
            .map(|x| BeatShare {
                beat: x.id,
                area_m2: x.area_m2,
                fraction: x.fraction,
            })
            .collect(),
    }))
}

#[derive(Serialize, ToSchema)]
pub struct BeatGrids {
    beat: String,
    /// Grids (level 3 and deeper) overlapping the beat, largest area first.
    grids: Vec<GridShare>,
}

#[derive(Serialize, ToSchema)]
pub struct GridShare {
    grid: String,
    /// Intersection area in m².
    #[schema(minimum = 0)]
    area_m2: f64,
    /// Share of the grid's area: area_m2 / grid area.
    #[schema(minimum = 0, maximum = 1)]
    fraction: f64,
    /// Whether this beat is the grid's assigned (largest-share) beat.
    assigned: bool,
}

/// `GET /v1/beats/{id}/grids`
#[utoipa::path(
    get,
    path = "/v1/beats/{id}/grids",
    tag = "overlaps",
    operation_id = "beatGrids",
    summary = "Which grids a beat holds (警格↔网格)",
    params(("id" = String, Path, description = "Beat id.")),
    responses(
        (status = 200, description = "The grids overlapping the beat, largest area first.", body = BeatGrids),
        (status = 404, response = NotFound),
    ),
)]
pub async fn beat_grids(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<BeatGrids>> {
    let grids = state
        .live
        .snapshot()
        .grids_of_beat(&id)
        .ok_or_else(|| ApiError::not_found(format!("beat/{id} does not exist")))?;
    let grids = grids
        .into_iter()
        .map(|g| GridShare {
            grid: g.grid,
            area_m2: g.area_m2,
            fraction: g.fraction,
            assigned: g.assigned,
        })
        .collect();
    Ok(Json(BeatGrids { beat: id, grids }))
}

#[derive(Serialize, ToSchema)]
pub struct OverlapMatrix<'a> {
    version: u64,
    #[schema(schema_with = of_grid)]
    of: &'static str,
    #[schema(schema_with = with_beat)]
    with: &'static str,
    count: usize,
    /// Every grid × beat intersection, in grid id order, each grid's beats by decreasing area.
    overlaps: Vec<MatrixEntry<'a>>,
}

fn of_grid() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("grid")
}

fn with_beat() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("beat")
}

#[derive(Serialize, ToSchema)]
pub struct MatrixEntry<'a> {
    grid: &'a str,
    beat: &'a str,
    #[schema(minimum = 0)]
    area_m2: f64,
    /// Share of the grid's area: area_m2 / grid area.
    #[schema(minimum = 0, maximum = 1)]
    fraction: f64,
}

/// `GET /v1/overlaps?of=grid&with=beat`: JSON, or CSV for `Accept: text/csv`.
#[utoipa::path(
    get,
    path = "/v1/overlaps",
    tag = "overlaps",
    operation_id = "overlapMatrix",
    summary = "The whole grid × beat overlap matrix",
    description = "Every grid (level 3 and deeper) × beat intersection. JSON, or CSV (`grid,beat,area_m2,fraction`, area to 3 decimals, fraction to 6) with `Accept: text/csv` or `format=csv`.",
    params(MatrixQuery),
    responses(
        (status = 200, description = "The matrix.", content(
            (OverlapMatrix = "application/json"),
            (String = "text/csv", example = json!("grid,beat,area_m2,fraction\nG0001,B001,200000.000,0.800000\n")),
        )),
        (status = 400, response = BadRequest),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn matrix(
    State(state): State<AppState>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let of = params.get("of").unwrap_or("grid");
    let with = params.get("with").unwrap_or("beat");
    if of != "grid" || with != "beat" {
        return Err(ApiError::bad_request(
            "unsupported_overlap",
            format!("overlaps of `{of}` with `{with}` are not kept; use of=grid&with=beat"),
        ));
    }
    let csv = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/csv"))
        || params.get("format") == Some("csv");
    let s = state.live.snapshot();
    let body = state.heavy.run(move |_| Ok(render_matrix(&s, csv))).await?;
    let kind = if csv {
        "text/csv; charset=utf-8"
    } else {
        "application/json"
    };
    Ok(([(header::CONTENT_TYPE, kind)], body).into_response())
}

fn render_matrix(s: &Snapshot, csv: bool) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    if csv {
        out.push_str("grid,beat,area_m2,fraction\n");
        for (g, x) in s.matrix().entries() {
            let _ = writeln!(
                out,
                "{},{},{:.3},{:.6}",
                csv_field(g),
                csv_field(&x.id),
                x.area_m2,
                x.fraction
            );
        }
        return out;
    }
    let overlaps: Vec<MatrixEntry> = s
        .matrix()
        .entries()
        .map(|(g, x)| MatrixEntry {
            grid: g,
            beat: &x.id,
            area_m2: x.area_m2,
            fraction: x.fraction,
        })
        .collect();
    let matrix = OverlapMatrix {
        version: s.version(),
        of: "grid",
        with: "beat",
        count: overlaps.len(),
        overlaps,
    };
    serde_json::to_string(&matrix).unwrap_or_default()
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// `POST /v1/intersects` with a GeoJSON Polygon/MultiPolygon (geometry or Feature): the
/// features of each layer it touches, with intersection areas, and the cameras inside. Runs
/// on the heavy pool, within the vertex and time limits.
#[utoipa::path(
    post,
    path = "/v1/intersects",
    tag = "overlaps",
    operation_id = "intersects",
    summary = "What a polygon touches",
    description = "The grids, beats and stations a GeoJSON Polygon/MultiPolygon overlaps (with intersection areas in m², slivers under 0.001 m² ignored) and the cameras inside it. People are masked for public callers.",
    security((), ("bearerAuth" = [])),
    request_body(content(
        (IntersectsRequest = "application/json", example = json!({
            "type": "Polygon",
            "coordinates": [[[121.4, 28.6], [121.42, 28.6], [121.42, 28.62], [121.4, 28.62], [121.4, 28.6]]],
        })),
    )),
    responses(
        (status = 200, description = "What the polygon touches, per layer.", body = IntersectsAnswer),
        (status = 400, response = BadRequest),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn intersects(
    State(state): State<AppState>,
    caller: Caller,
    Payload(body): Payload,
) -> ApiResult<Json<IntersectsAnswer>> {
    let s = state.live.snapshot();
    let max_vertices = state.config.guard.max_vertices;
    let answer = state
        .heavy
        .run(move |budget| {
            let probe = parse_probe(&body)?;
            let vertices = onemap_index::reason::vertices_of(&probe);
            if vertices > max_vertices {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "geometry_limit",
                    format!("the polygon has {vertices} vertices, more than the limit of {max_vertices}: simplify it"),
                )
                .with("rule", json!("max_vertices")));
            }
            let hit = s.intersects(&probe, budget)?;
            let overlapping = |layer: Layer| {
                hit.areal
                    .iter()
                    .filter(|t| s.feature(t.feature).layer() == layer)
                    .map(|t| AreaShare {
                        feature: summary(&s, s.feature(t.feature), &caller),
                        area_m2: t.area_m2,
                    })
                    .collect()
            };
            let layers = TouchedLayers {
                grid: overlapping(Layer::Grid),
                beat: overlapping(Layer::Beat),
                station: overlapping(Layer::Station),
                camera: hit
                    .cameras
                    .iter()
                    .map(|i| summary(&s, s.feature(*i), &caller))
                    .collect(),
            };
            Ok(IntersectsAnswer {
                area_m2: hit.area_m2,
                layers,
            })
        })
        .await?;
    Ok(Json(answer))
}

#[derive(Serialize, ToSchema)]
pub struct IntersectsAnswer {
    /// The probe polygon's area in m².
    #[schema(minimum = 0)]
    area_m2: f64,
    layers: TouchedLayers,
}

#[derive(Serialize, ToSchema)]
pub struct TouchedLayers {
    /// Grids (all levels) the polygon overlaps.
    grid: Vec<AreaShare>,
    /// Beats the polygon overlaps.
    beat: Vec<AreaShare>,
    /// Station jurisdictions the polygon overlaps.
    station: Vec<AreaShare>,
    /// Cameras inside the polygon.
    camera: Vec<FeatureSummary>,
}

/// A feature the probe overlaps, with the intersection's area.
#[derive(Serialize, ToSchema)]
pub struct AreaShare {
    #[serde(flatten)]
    feature: FeatureSummary,
    /// Intersection area with the probe, m².
    #[schema(exclusive_minimum = 0)]
    area_m2: f64,
}

/// Reads a GeoJSON Polygon/MultiPolygon, bare or as a Feature, with the same validation as an
/// import.
fn parse_probe(body: &[u8]) -> ApiResult<MultiPolygon<f64>> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}")))?;
    let geometry = if value["type"] == "Feature" {
        value["geometry"].clone()
    } else {
        value
    };
    let wrapped =
        json!({ "type": "Feature", "id": "probe", "geometry": geometry, "properties": {} });
    let feature = parse_feature(Layer::Beat, wrapped.to_string().as_bytes())?;
    feature
        .area()
        .cloned()
        .ok_or_else(|| ApiError::bad_request("invalid_geometry", "send a Polygon or MultiPolygon"))
}
