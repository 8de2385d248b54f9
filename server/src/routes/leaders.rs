//! What leaders look at: H3 heatmaps of incidents and cameras.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::HeatmapQuery;
use crate::openapi::responses::{BadRequest, NotFound, Unavailable};
use crate::openapi::schemas::{built_schema, words, HeatCell};
use crate::params::Params;
use crate::routes::events::selection;
use crate::routes::layers::layer_of;
use crate::routes::ogc::filters;
use crate::state::AppState;
use axum::extract::State;
use axum::Json;
use h3o::{CellIndex, Resolution};
use onemap_index::heatmap::RESOLUTIONS;
use serde::Serialize;
use utoipa::ToSchema;

#[derive(Serialize, ToSchema)]
pub struct Heatmap {
    #[schema(value_type = HeatmapLayer, inline)]
    layer: String,
    #[schema(minimum = 5, maximum = 11)]
    res: u8,
    /// Points counted, those in suppressed cells left out.
    total: u32,
    /// Incident cells left out for holding fewer than `suppress_below`.
    suppressed_cells: usize,
    /// The least count a shown cell holds: `stats.suppress_below` for incidents asked by a
    /// caller who may not see personal data, else 0.
    suppress_below: u32,
    /// [cell, count] in cell order; empty cells are left out.
    #[schema(value_type = Vec<HeatCell>)]
    cells: Vec<(String, u32)>,
}

built_schema!(HeatmapLayer => heatmap_layers());

/// What a heatmap counts: incidents (`event`), or the points of a point layer.
pub fn heatmap_layers() -> utoipa::openapi::schema::ObjectBuilder {
    let mut layers = crate::openapi::params::layers(false);
    layers.insert(0, "event");
    words(&layers)
}

/// `GET /v1/heatmap?layer=event&res=9[&from=&to=&category=&source=]` or
/// `?layer=camera&res=9[&status=offline]`: how many points lie in each H3 cell of resolution
/// `res` (5–11), as `[cell id in hex, count]` in cell order. Incident cells with fewer than
/// `stats.suppress_below` are left out for callers who may not see personal data.
#[utoipa::path(
    get,
    path = "/v1/heatmap",
    tag = "leaders",
    operation_id = "heatmap",
    summary = "H3 heatmap of incidents or of a point layer (cameras)",
    description = "How many incidents (`layer=event`) or points of a point layer lie in each H3 cell of resolution `res`. Incidents are chosen by time window, category and source, and cells with fewer than `stats.suppress_below` incidents (3 by default) are left out for callers who may not see personal data (public callers), so no household's calls can be picked out. A point layer's fields (see /v1/layers) filter by equality, e.g. `status=offline` for where cameras are down. Cell ids equal the reference h3 library's.",
    security((), ("bearerAuth" = [])),
    params(HeatmapQuery),
    responses(
        (status = 200, description = "The cells.", body = Heatmap),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn heatmap(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Heatmap>> {
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

/// The heatmap, with cells under `suppress_below` left out (and counted as such).
fn answer(layer: &str, res: u8, cells: Vec<(CellIndex, u32)>, suppress_below: u32) -> Heatmap {
    let total: u32 = cells.iter().map(|(_, n)| n).sum();
    let (shown, hidden): (Vec<_>, Vec<_>) =
        cells.into_iter().partition(|&(_, n)| n >= suppress_below);
    Heatmap {
        layer: layer.to_string(),
        res,
        total: total - hidden.iter().map(|(_, n)| n).sum::<u32>(),
        suppressed_cells: hidden.len(),
        suppress_below,
        cells: shown
            .into_iter()
            .map(|(cell, n)| (cell.to_string(), n))
            .collect(),
    }
}
