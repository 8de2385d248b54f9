//! Health, search, the OpenAPI document and the map page's style.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::SearchQuery;
use crate::openapi::schemas::{BBox, GridLevel, Layer as LayerSchema, LngLat, MapLibreStyle};
use crate::params::Params;
use crate::present::{summary, FeatureSummary};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::search::Match;
use onemap_index::Layer;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Health {
    /// `degraded` when the store is unavailable or unwritable: reads still answer from
    /// memory, writes fail.
    #[schema(value_type = HealthStatus, inline)]
    status: &'static str,
    /// `unavailable`: the store cannot be read; `unwritable`: it can be read but not written
    /// (its disk is full, or the last write failed).
    #[schema(value_type = StoreStatus, inline)]
    store: &'static str,
    /// City version of the in-memory snapshot: on several nodes sharing one PostGIS, the last
    /// commit this node has applied.
    version: u64,
    /// Features in memory, all layers.
    features: usize,
    /// With `store: unwritable`: why, for the operator (details are in the server log).
    #[serde(skip_serializing_if = "Option::is_none")]
    reason: Option<&'static str>,
}

crate::openapi::schemas::built_schema!(HealthStatus => crate::openapi::schemas::words(&["ok", "degraded"]));

crate::openapi::schemas::built_schema!(StoreStatus => crate::openapi::schemas::words(&["ok", "unwritable", "unavailable"]));

/// `GET /health`: 200 while the server answers reads.
#[utoipa::path(
    get,
    path = "/health",
    tag = "meta",
    operation_id = "health",
    summary = "Liveness and store status",
    description = "200 while the server answers reads; `status` is `degraded` when the store cannot be read (with PostGIS: not reachable within the 2 s connect timeout) or cannot be written (`store: unwritable`, with a `reason`). A degraded node keeps answering reads from memory, refuses writes with 503 `store_unavailable`, and recovers by itself when the store is back.",
    responses(
        (status = 200, description = "Health.", body = Health,
            example = json!({ "status": "ok", "store": "ok", "version": 42, "features": 38000 })),
    ),
)]
pub async fn health(State(state): State<AppState>) -> Json<Health> {
    let s = state.live.snapshot();
    let store = state.live.store().clone();
    let (answers, writable) =
        tokio::task::spawn_blocking(move || (store.ping().is_ok(), store.writable()))
            .await
            .unwrap_or((false, Ok(())));
    // Details (paths, database errors) go to the log; the public answer says what is wrong.
    let unwritable = match writable {
        Err(e) => {
            tracing::warn!("health: {e}");
            Some("the disk holding the store is full or nearly so")
        }
        Ok(()) if state.live.writes_failing() => {
            Some("the last write failed: the server log says why")
        }
        Ok(()) => None,
    };
    let store = match (answers, unwritable) {
        (false, _) => "unavailable",
        (true, Some(_)) => "unwritable",
        (true, None) => "ok",
    };
    Json(Health {
        status: if store == "ok" { "ok" } else { "degraded" },
        store,
        version: s.version(),
        features: s.features().len(),
        reason: unwritable.filter(|_| answers),
    })
}

#[derive(Serialize, ToSchema)]
pub struct SearchAnswer {
    /// `q`, trimmed.
    query: String,
    results: Vec<SearchResult>,
}

#[derive(Serialize, ToSchema)]
pub struct SearchResult {
    #[schema(value_type = LayerSchema)]
    layer: Layer,
    id: String,
    name: String,
    /// Grid level; null for other layers.
    #[schema(value_type = Option<GridLevel>)]
    level: Option<u8>,
    #[schema(value_type = BBox)]
    bbox: [f64; 4],
    /// Centre of the bbox.
    #[schema(value_type = LngLat)]
    center: [f64; 2],
    /// How the result matched `q`, best first.
    #[serde(rename = "match")]
    #[schema(value_type = MatchKind, inline)]
    matched: Match,
    /// Who answers for the result: for a grid, itself, the beat holding most of it and that
    /// beat's station; for a beat, itself and its station; for a station, itself; for a
    /// camera, the grid, beat and station holding it. People are masked as for locate.
    answers: Answerers,
}

crate::openapi::schemas::built_schema!(MatchKind => crate::openapi::schemas::words(&["exact", "name_prefix", "id_prefix", "inside"]));

#[derive(Serialize, ToSchema)]
pub struct Answerers {
    grid: Option<FeatureSummary>,
    beat: Option<FeatureSummary>,
    station: Option<FeatureSummary>,
}

/// `GET /v1/search?q=&limit=`: grids, beats and stations by id or name.
#[utoipa::path(
    get,
    path = "/v1/search",
    tag = "search",
    operation_id = "search",
    summary = "Find grids, beats, stations and cameras by name or id",
    description = "Matches any part of a name or id, after normalising both: lower case, half-width, no spaces, and Chinese numerals read as numbers (第五网格 finds 第5网格). Ranks an exact name or id first, then names starting with `q`, then ids starting with it, then names or ids containing it; ties by shorter name, areas before cameras, then id. Each result says who answers for it. Features without coordinates are skipped.",
    params(SearchQuery),
    responses(
        (status = 200, description = "Matches, best first.", body = SearchAnswer,
            example = json!({ "query": "东门", "results": [{ "layer": "grid", "id": "G0001", "name": "东门网格", "level": 3, "bbox": [121.4, 28.6, 121.42, 28.62], "center": [121.41, 28.61] }] })),
        (status = 400, response = crate::openapi::responses::BadRequest),
    ),
)]
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<SearchAnswer>> {
    let q = params
        .get("q")
        .map(str::trim)
        .unwrap_or_default()
        .to_string();
    if q.is_empty() {
        return Err(ApiError::bad_request(
            "missing_parameter",
            "`q` is required: part of a name or id",
        ));
    }
    let limit: usize = params.or("limit", 10, "a whole number from 1 to 100")?;
    let s = state.live.snapshot();
    let results: Vec<SearchResult> = s
        .search(&q, limit.clamp(1, 100))
        .into_iter()
        .filter_map(|hit| {
            let f = s.feature(hit.feature);
            let b = f.bbox()?;
            let who = |i: Option<u32>| i.map(|i| summary(&s, s.feature(i), &caller));
            Some(SearchResult {
                layer: f.layer(),
                id: f.id.clone(),
                name: f.name.clone(),
                level: f.level(),
                bbox: b,
                center: [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
                matched: hit.matched,
                answers: Answerers {
                    grid: who(hit.answerers.grid),
                    beat: who(hit.answerers.beat),
                    station: who(hit.answerers.station),
                },
            })
        })
        .collect();
    Ok(Json(SearchAnswer { query: q, results }))
}

/// `GET /openapi.json`: the document generated from the code.
#[utoipa::path(
    get,
    path = "/openapi.json",
    tag = "meta",
    operation_id = "openapi",
    summary = "This OpenAPI 3.1 document",
    responses((status = 200, description = "The document.", body = Object)),
)]
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::openapi::document(),
    )
        .into_response()
}

/// `GET /style.json`: the page's MapLibre style with tile URLs pointing back at this server
/// (`public_url`, never the request's `Host`, so no client can poison them).
#[utoipa::path(
    get,
    path = "/style.json",
    tag = "tiles",
    operation_id = "style",
    summary = "The map page's MapLibre style",
    description = "`web/dist/style.json` with `{origin}` replaced by the server's public URL (`public_url`; never the request's Host header). 404 `not_found` when the page has not been built (`make web`).",
    responses(
        (status = 200, description = "The style.", body = MapLibreStyle),
        (status = 404, response = crate::openapi::responses::NotFound),
    ),
)]
pub async fn style(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    let path = state.config.web_dir.join("style.json");
    let text = tokio::fs::read_to_string(&path).await.map_err(|_| {
        ApiError::not_found(
            "the map style is missing: build the page with `make web` (npm run build in web/)",
        )
    })?;
    let body = text.replace("{origin}", &state.config.origin(&headers));
    Ok(([(header::CONTENT_TYPE, "application/json")], body).into_response())
}
