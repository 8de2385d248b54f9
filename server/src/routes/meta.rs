//! Health, search, the OpenAPI document and the map page's style.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::present::summary;
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

/// `GET /health`: 200 while the server answers reads.
pub async fn health(State(state): State<AppState>) -> Json<Value> {
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
    let mut health = json!({
        "status": if store == "ok" { "ok" } else { "degraded" },
        "store": store,
        "version": s.version(),
        "features": s.features().len(),
    });
    if let Some(reason) = unwritable.filter(|_| answers) {
        health["reason"] = json!(reason);
    }
    Json(health)
}

/// `GET /v1/search?q=&limit=`: grids, beats and stations by id or name.
pub async fn search(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
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
    let results: Vec<Value> = s
        .search(&q, limit.clamp(1, 100))
        .into_iter()
        .filter_map(|hit| {
            let f = s.feature(hit.feature);
            let b = f.bbox()?;
            let who = |i: Option<u32>| i.map(|i| summary(&s, s.feature(i), &caller));
            Some(json!({
                "layer": f.layer(), "id": f.id, "name": f.name, "level": f.level(),
                "bbox": b, "center": [(b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0],
                "match": hit.matched,
                "answers": {
                    "grid": who(hit.answerers.grid),
                    "beat": who(hit.answerers.beat),
                    "station": who(hit.answerers.station),
                },
            }))
        })
        .collect();
    Ok(Json(json!({ "query": q, "results": results })))
}

/// `GET /openapi.json`: the document with its layer schemas made from the registry.
pub async fn openapi() -> Response {
    (
        [(header::CONTENT_TYPE, "application/json")],
        crate::registry::openapi(),
    )
        .into_response()
}

/// `GET /style.json`: the page's MapLibre style with tile URLs pointing back at this server
/// (`public_url`, never the request's `Host`, so no client can poison them).
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
