//! What leaders look at: H3 heatmaps of incidents and cameras, as JSON and as vector tiles.

use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{EventWindow, HeatmapQuery, HeatmapTileQuery, TilePath};
use crate::openapi::responses::{
    BadRequest, EmptyTile, NotFound, TileOutOfRange, Unavailable, VectorTile,
};
use crate::openapi::schemas::{built_schema, words, HeatCell};
use crate::params::Params;
use crate::routes::events::selection;
use crate::routes::layers::layer_of;
use crate::routes::ogc::filters;
use crate::routes::tiles::{parse_tile, MVT};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use geo_types::{LineString, Polygon};
use h3o::{CellIndex, Resolution};
use onemap_index::heatmap::RESOLUTIONS;
use onemap_tiles::{render_layer, tile_bbox_lnglat, PropValue, TileFeature, TileId, TileLayer};
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
    params(HeatmapQuery, EventWindow),
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
    let (res, resolution) = resolution(&params, 9)?;
    let live = state.live.clone();
    let (cells, suppress_below) = if layer_name == "event" {
        let selection = selection(&params)?;
        let cells = state
            .heavy
            .run(move |_| {
                let log = live.events();
                Ok(log.heatmap(&log.select(&selection), resolution, None))
            })
            .await?;
        (cells, suppress_below(&state, &caller))
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

/// The H3 resolution `res` asks for (5–11), `default` without it.
fn resolution(params: &Params, default: u8) -> ApiResult<(u8, Resolution)> {
    let res: u8 = params.or("res", default, "a whole number from 5 to 11")?;
    RESOLUTIONS
        .contains(&res)
        .then(|| Resolution::try_from(res).ok())
        .flatten()
        .map(|resolution| (res, resolution))
        .ok_or_else(|| {
            ApiError::bad_request(
                "out_of_range",
                format!("`res` is {res}; it must be from 5 to 11"),
            )
        })
}

/// The least incident count a caller may see in a cell: all for dispatchers and above.
fn suppress_below(state: &AppState, caller: &Caller) -> u32 {
    if caller.sees_people() {
        0
    } else {
        state.config.stats.suppress_below
    }
}

/// `GET /tiles/heatmap/{z}/{x}/{y}.mvt?from=&to=&category=&source=[&res=]`: incident
/// hexagons as a vector tile (layer `heatmap`, each feature's id the H3 cell, properties
/// `cell` and `count`), at `res` or a resolution that suits the zoom, suppressed as the JSON is.
#[utoipa::path(
    get,
    path = "/tiles/heatmap/{z}/{x}/{y}.mvt",
    tag = "tiles",
    operation_id = "heatmapTile",
    summary = "Incident hexagons as a vector tile",
    description = "The incident heatmap of `GET /v1/heatmap?layer=event` as an MVT 2.1 tile: one layer `heatmap` whose features are H3 hexagons (id the cell as a number, properties `cell`, the cell id in hex, and `count`), at `res` or, by default, a resolution that suits the zoom (z − 4, within 5–11). A hexagon cut by a tile edge has the same count in every tile it reaches into. Cells are suppressed as in the JSON heatmap.",
    security((), ("bearerAuth" = [])),
    params(TilePath, HeatmapTileQuery, EventWindow),
    responses(
        (status = 200, response = VectorTile),
        (status = 204, response = EmptyTile),
        (status = 400, response = TileOutOfRange),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn heatmap_tile(
    State(state): State<AppState>,
    caller: Caller,
    Path((z, x, y)): Path<(String, String, String)>,
    params: Params,
) -> ApiResult<Response> {
    let tile = parse_tile(&z, &x, &y)?;
    let (_, resolution) = resolution(&params, tile.z.saturating_sub(4).clamp(5, 11))?;
    let selection = selection(&params)?;
    let least = suppress_below(&state, &caller);
    let live = state.live.clone();
    let bytes = state
        .render
        .run(move |_| {
            let log = live.events();
            let cells = log.heatmap(
                &log.select(&selection),
                resolution,
                Some(reach(tile, resolution)),
            );
            let features = cells
                .into_iter()
                .filter(|&(_, n)| n >= least)
                .map(|(cell, n)| TileFeature {
                    id: u64::from(cell),
                    geometry: hexagon(cell).into(),
                    properties: vec![
                        ("cell".into(), PropValue::from(cell.to_string())),
                        ("count".into(), PropValue::Int(i64::from(n))),
                    ],
                    min_zoom: 0,
                })
                .collect();
            let layer = TileLayer {
                name: "heatmap".into(),
                features,
            };
            Ok(render_layer(&layer, tile, TILE_BUFFER).unwrap_or_default())
        })
        .await?;
    if bytes.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    Ok((
        [
            (header::CONTENT_TYPE, MVT),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        bytes,
    )
        .into_response())
}

/// Tile units drawn beyond a heatmap tile's edges, as for the map's own tiles.
const TILE_BUFFER: u32 = 64;

/// The lng/lat box whose incidents make up every hexagon that reaches into `tile`: the tile
/// grown by two cells' widths, so a hexagon drawn in two tiles has the same count in both.
fn reach(tile: TileId, resolution: Resolution) -> [f64; 4] {
    let [w, s, e, n] = tile_bbox_lnglat(tile);
    let grow_m = 4.0 * resolution.edge_length_m();
    let dy = grow_m / 111_320.0;
    let dx = dy / s.abs().max(n.abs()).to_radians().cos().max(0.01);
    [w - dx, s - dy, e + dx, n + dy]
}

/// A cell's outline as a lng/lat polygon.
fn hexagon(cell: CellIndex) -> Polygon<f64> {
    let ring: Vec<(f64, f64)> = cell.boundary().iter().map(|p| (p.lng(), p.lat())).collect();
    Polygon::new(LineString::from(ring), Vec::new())
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
