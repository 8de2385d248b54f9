//! What leaders look at: H3 heatmaps of point layers (cameras now; incident events next).

use crate::error::{ApiError, ApiResult};
use crate::openapi::params::HeatmapQuery;
use crate::openapi::responses::{BadRequest, NotFound, Unavailable};
use crate::params::Params;
use crate::routes::layers::layer_of;
use crate::routes::ogc::filters;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use onemap_index::heatmap::RESOLUTIONS;
use onemap_index::Layer;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Heatmap {
    #[schema(value_type = crate::openapi::schemas::Layer)]
    layer: Layer,
    #[schema(minimum = 5, maximum = 11)]
    res: u8,
    /// Points counted.
    total: u32,
    /// [cell, count] in cell order; empty cells are left out.
    #[schema(value_type = Vec<crate::openapi::schemas::HeatCell>)]
    cells: Vec<(String, u32)>,
}

/// `GET /v1/heatmap?layer=camera&res=9[&status=offline]`: how many of the layer's points lie
/// in each H3 cell of resolution `res` (5–11), as `[cell id in hex, count]` in cell order;
/// the layer's fields (see `/v1/layers`) filter by equality.
#[utoipa::path(
    get,
    path = "/v1/heatmap",
    tag = "leaders",
    operation_id = "heatmap",
    summary = "H3 heatmap of a point layer (cameras)",
    description = "How many of the layer's points lie in each H3 cell of resolution `res`. The layer's fields (see /v1/layers) filter by equality, e.g. `status=offline` for where cameras are down. Cell ids equal the reference h3 library's.",
    params(HeatmapQuery),
    responses(
        (status = 200, description = "The cells.", body = Heatmap),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn heatmap(State(state): State<AppState>, params: Params) -> ApiResult<Json<Heatmap>> {
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
            let cells = cells
                .into_iter()
                .map(|(cell, n)| (cell.to_string(), n))
                .collect();
            Ok(Heatmap {
                layer,
                res,
                total,
                cells,
            })
        })
        .await?;
    Ok(Json(answer))
}
