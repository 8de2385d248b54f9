//! The "两张皮" questions: which beats a grid overlaps, which grids a beat holds, the whole
//! matrix, and what an arbitrary polygon touches.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, Payload};
use crate::present::summary;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo_types::MultiPolygon;
use onemap_data::geojson_io::parse_feature;
use onemap_index::{Layer, Snapshot};
use serde_json::{json, Value};

/// `GET /v1/grids/{id}/overlaps`
pub async fn grid_overlaps(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let view = state
        .live
        .snapshot()
        .overlaps_of_grid(&id)
        .ok_or_else(|| ApiError::not_found(format!("grid/{id} does not exist")))?;
    Ok(Json(json!({
        "grid": id, "area_m2": view.area_m2, "assigned_beat": view.assigned_beat, "straddles": view.straddles,
        "beats": view.beats.iter().map(|x| json!({ "beat": x.id, "area_m2": x.area_m2, "fraction": x.fraction })).collect::<Vec<_>>(),
    })))
}

/// `GET /v1/beats/{id}/grids`
pub async fn beat_grids(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let grids = state
        .live
        .snapshot()
        .grids_of_beat(&id)
        .ok_or_else(|| ApiError::not_found(format!("beat/{id} does not exist")))?;
    let grids: Vec<Value> = grids
        .iter()
        .map(|g| json!({ "grid": g.grid, "area_m2": g.area_m2, "fraction": g.fraction, "assigned": g.assigned }))
        .collect();
    Ok(Json(json!({ "beat": id, "grids": grids })))
}

/// `GET /v1/overlaps?of=grid&with=beat`: JSON, or CSV for `Accept: text/csv`.
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
    let rows: Vec<Value> = s
        .matrix()
        .entries()
        .map(|(g, x)| json!({ "grid": g, "beat": x.id, "area_m2": x.area_m2, "fraction": x.fraction }))
        .collect();
    json!({ "version": s.version(), "of": "grid", "with": "beat", "count": rows.len(), "overlaps": rows }).to_string()
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
pub async fn intersects(
    State(state): State<AppState>,
    caller: Caller,
    Payload(body): Payload,
) -> ApiResult<Json<Value>> {
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
            let mut layers = serde_json::Map::new();
            for layer in [Layer::Grid, Layer::Beat, Layer::Station] {
                let hits: Vec<Value> = hit
                    .areal
                    .iter()
                    .filter(|t| s.feature(t.feature).layer() == layer)
                    .map(|t| {
                        let mut v = summary(&s, s.feature(t.feature), &caller);
                        v["area_m2"] = json!(t.area_m2);
                        v
                    })
                    .collect();
                layers.insert(layer.to_string(), json!(hits));
            }
            let cameras: Vec<Value> = hit
                .cameras
                .iter()
                .map(|i| summary(&s, s.feature(*i), &caller))
                .collect();
            layers.insert("camera".into(), json!(cameras));
            Ok(json!({ "area_m2": hit.area_m2, "layers": layers }))
        })
        .await?;
    Ok(Json(answer))
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
