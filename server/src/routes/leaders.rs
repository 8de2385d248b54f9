//! What leaders look at: H3 heatmaps of point layers (cameras now; incident events next).

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::routes::layers::layer_of;
use crate::routes::ogc::filters;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use onemap_index::heatmap::RESOLUTIONS;
use serde_json::{json, Value};

/// `GET /v1/heatmap?layer=camera&res=9[&status=offline]`: how many of the layer's points lie
/// in each H3 cell of resolution `res` (5–11), as `[cell id in hex, count]` in cell order;
/// the layer's fields (see `/v1/layers`) filter by equality.
pub async fn heatmap(State(state): State<AppState>, params: Params) -> ApiResult<Json<Value>> {
    let layer = layer_of(params.get("layer").unwrap_or("camera"))?;
    if layer.is_areal() {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!("{layer} features are areas; heatmaps count points: use layer=camera"),
        ));
    }
    let res: u8 = params.or("res", 9, "a whole number from 5 to 11")?;
    let resolution = RESOLUTIONS
        .contains(&res)
        .then(|| h3o::Resolution::try_from(res).ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::bad_request(
                "out_of_range",
                format!("`res` is {res}; it must be from 5 to 11"),
            )
        })?;
    let filters = filters(layer, &params);
    let s = state.live.snapshot();
    let answer = state
        .heavy
        .run(move |_| {
            let cells = s.heatmap(layer, resolution, |f| filters.iter().all(|x| x.matches(f)));
            let total: u32 = cells.iter().map(|(_, n)| n).sum();
            let cells: Vec<Value> = cells
                .into_iter()
                .map(|(cell, n)| json!([cell.to_string(), n]))
                .collect();
            Ok(json!({ "layer": layer, "res": res, "total": total, "cells": cells }))
        })
        .await?;
    Ok(Json(answer))
}
