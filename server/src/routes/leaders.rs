//! What leaders look at: H3 heatmaps of incidents and cameras.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::routes::events::selection;
use crate::routes::layers::layer_of;
use crate::routes::ogc::filters;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use h3o::{CellIndex, Resolution};
use onemap_index::heatmap::RESOLUTIONS;
use serde_json::{json, Value};

/// `GET /v1/heatmap?layer=event&res=9[&from=&to=&category=&source=]` or
/// `?layer=camera&res=9[&status=offline]`: how many points lie in each H3 cell of resolution
/// `res` (5–11), as `[cell id in hex, count]` in cell order. Incident cells with fewer than
/// `stats.suppress_below` are left out for callers who may not see personal data.
pub async fn heatmap(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    let layer_name = params.get("layer").unwrap_or("camera");
    let res: u8 = params.or("res", 9, "a whole number from 5 to 11")?;
    let resolution = RESOLUTIONS
        .contains(&res)
        .then(|| Resolution::try_from(res).ok())
        .flatten()
        .ok_or_else(|| {
            ApiError::bad_request(
                "out_of_range",
                format!("`res` is {res}; it must be from 5 to 11"),
            )
        })?;
    let live = state.live.clone();
    let (cells, suppress_below) = if layer_name == "event" {
        let selection = selection(&params)?;
        let suppress_below = if caller.sees_people() {
            0
        } else {
            state.config.stats.suppress_below
        };
        let cells = state
            .heavy
            .run(move |_| {
                let log = live.events();
                Ok(log.heatmap(&log.select(&selection), resolution))
            })
            .await?;
        (cells, suppress_below)
    } else {
        let layer = layer_of(layer_name)?;
        if layer.is_areal() {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("{layer} features are areas; heatmaps count points: use layer=event or layer=camera"),
            ));
        }
        let filters = filters(layer, &params);
        let s = live.snapshot();
        let cells = state
            .heavy
            .run(
                move |_| Ok(s.heatmap(layer, resolution, |f| filters.iter().all(|x| x.matches(f)))),
            )
            .await?;
        (cells, 0)
    };
    Ok(Json(answer(layer_name, res, cells, suppress_below)))
}

/// The heatmap's JSON, with cells under `suppress_below` left out (and counted as such).
fn answer(layer: &str, res: u8, cells: Vec<(CellIndex, u32)>, suppress_below: u32) -> Value {
    let total: u32 = cells.iter().map(|(_, n)| n).sum();
    let (shown, hidden): (Vec<_>, Vec<_>) =
        cells.into_iter().partition(|&(_, n)| n >= suppress_below);
    let cells: Vec<Value> = shown
        .into_iter()
        .map(|(cell, n)| json!([cell.to_string(), n]))
        .collect();
    json!({
        "layer": layer,
        "res": res,
        "total": total - hidden.iter().map(|(_, n)| n).sum::<u32>(),
        "suppressed_cells": hidden.len(),
        "suppress_below": suppress_below,
        "cells": cells,
    })
}
