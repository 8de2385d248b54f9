//! Vector tiles straight from memory, TileJSON and nothing from the database.

use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{LayerPath, TileHeaders, TilePath};
use crate::openapi::responses::{
    EmptyTile, NotFound, Tile, TileNotModified, TileOutOfRange, Unavailable,
};
use crate::openapi::schemas::BBox;
use crate::state::AppState;
use crate::tilesource::Tiles;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::Layer;
use onemap_tiles::TileId;
use serde::Serialize;
use serde_json::Value;
use std::io::Write;
use std::sync::Arc;
use utoipa::ToSchema;

pub const MVT: &str = "application/vnd.mapbox-vector-tile";
/// The deepest zoom TileJSON advertises; deeper tiles still render (over-zoom).
const MAX_ZOOM: u8 = 18;

/// `GET /tiles/{z}/{x}/{y}.mvt`: every layer in one tile.
#[utoipa::path(
    get,
    path = "/tiles/{z}/{x}/{y}.mvt",
    tag = "tiles",
    operation_id = "compositeTile",
    summary = "A composite vector tile of every layer",
    description = "One MVT layer per onemap layer (`grid`, `beat`, `station`, `camera`) plus the point layers `grid_label`, `beat_label` and `station_label`. This is the source the map style uses. Tiles are MVT 2.1 (extent 4096) in Web-Mercator XYZ addressing, simplified per zoom as a coverage (neighbours never gap or overlap). Features carry `id` and `name`; grids also `level` and `straddles` (and the map's `beat_color`), cameras `status`. Cached until an edit touches the tile.",
    params(TilePath, TileHeaders),
    responses(
        (status = 200, response = Tile),
        (status = 204, response = EmptyTile),
        (status = 304, response = TileNotModified),
        (status = 400, response = TileOutOfRange),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn composite(
    State(state): State<AppState>,
    Path((z, x, y)): Path<(String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    tile(&state, None, &z, &x, &y, &headers).await
}

/// `GET /tiles/{layer}/{z}/{x}/{y}.mvt`: one layer (and its labels).
#[utoipa::path(
    get,
    path = "/tiles/{layer}/{z}/{x}/{y}.mvt",
    tag = "tiles",
    operation_id = "layerTile",
    summary = "A vector tile of one layer",
    description = "One onemap layer as a tile: the MVT layer named after it and, for grid, beat and station, `{layer}_label` (one label point inside each polygon). Tiles are MVT 2.1 (extent 4096) in Web-Mercator XYZ addressing, simplified per zoom as a coverage (neighbours never gap or overlap). Features carry `id` and `name`; grids also `level` and `straddles` (and the map's `beat_color`), cameras `status`. Cached until an edit touches the tile.",
    params(LayerPath, TilePath, TileHeaders),
    responses(
        (status = 200, response = Tile),
        (status = 204, response = EmptyTile),
        (status = 304, response = TileNotModified),
        (status = 400, response = TileOutOfRange),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn single(
    State(state): State<AppState>,
    Path((layer, z, x, y)): Path<(String, String, String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = crate::routes::layers::layer_of(&layer)?;
    tile(&state, Some(layer), &z, &x, &y, &headers).await
}

/// A tile from the cache, or rendered on the render pool (never on the async workers: a
/// low-zoom tile of a large city takes milliseconds).
async fn tile(
    state: &AppState,
    layer: Option<Layer>,
    z: &str,
    x: &str,
    y: &str,
    headers: &HeaderMap,
) -> ApiResult<Response> {
    let id = parse_tile(z, x, y)?;
    let gzip = headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("gzip"));
    let key = format!(
        "{}{}",
        layer.map_or("all", |l| l.as_str()),
        if gzip { "|gz" } else { "" }
    );
    let tiles = state.live.tiles();
    tiles.caught_up(state.live.snapshot().version()).await;
    let cached = tiles.cache().get(&key, id);
    let bytes: Arc<[u8]> = match cached {
        Some(b) => b,
        None => {
            let live = Arc::clone(&state.live);
            state
                .render
                .run(move |_| Ok(render(live.tiles(), layer, &key, id, gzip)))
                .await?
        }
    };
    if bytes.is_empty() {
        return Ok(StatusCode::NO_CONTENT.into_response());
    }
    let etag = format!("\"{:016x}\"", xxhash_rust::xxh3::xxh3_64(&bytes));
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let mut response = Response::new(Body::from(bytes::Bytes::from_owner(bytes)));
    let h = response.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(MVT));
    h.insert(
        header::ETAG,
        HeaderValue::from_str(&etag).expect("hex etag"),
    );
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if gzip {
        h.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    }
    h.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    Ok(response)
}

/// Renders a tile, keeps it in the cache and returns it.
fn render(tiles: &Tiles, layer: Option<Layer>, key: &str, id: TileId, gzip: bool) -> Arc<[u8]> {
    let names: Vec<String> = match layer {
        Some(l) => vec![l.to_string(), format!("{l}_label")],
        None => Vec::new(),
    };
    tiles.with_tiler(|tiler| {
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let raw = tiler.render(&refs, id).unwrap_or_default();
        let stored = if gzip && !raw.is_empty() {
            gzip_bytes(&raw)
        } else {
            raw
        };
        tiles.cache().insert(key, id, stored)
    })
}

pub fn parse_tile(z: &str, x: &str, y: &str) -> ApiResult<TileId> {
    let y = y
        .strip_suffix(".mvt")
        .or_else(|| y.strip_suffix(".pbf"))
        .ok_or_else(|| {
            ApiError::not_found(format!(
                "`{y}` is not a tile; use /tiles/{{z}}/{{x}}/{{y}}.mvt"
            ))
        })?;
    let number = |name: &str, v: &str| {
        v.parse::<u32>().map_err(|_| {
            ApiError::bad_request(
                "invalid_tile",
                format!("tile {name} `{v}` is not a whole number"),
            )
        })
    };
    let (z, x, y) = (number("z", z)?, number("x", x)?, number("y", y)?);
    let z = u8::try_from(z).map_err(|_| {
        ApiError::bad_request(
            "out_of_range",
            format!("zoom {z} is beyond {}", TileId::MAX_ZOOM),
        )
    })?;
    TileId::new(z, x, y).map_err(|e| ApiError::bad_request("out_of_range", e.to_string()))
}

fn gzip_bytes(raw: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(
        Vec::with_capacity(raw.len() / 2),
        flate2::Compression::fast(),
    );
    encoder.write_all(raw).expect("writing to a Vec");
    encoder.finish().expect("writing to a Vec")
}

/// TileJSON 3.0.0 for vector tiles.
#[derive(Serialize, ToSchema)]
#[schema(as = TileJSON)]
pub struct TileJson {
    #[schema(schema_with = tilejson_version)]
    tilejson: &'static str,
    name: &'static str,
    version: &'static str,
    #[schema(schema_with = xyz)]
    scheme: &'static str,
    #[schema(min_items = 1)]
    tiles: [String; 1],
    #[schema(maximum = 22)]
    minzoom: u8,
    #[schema(maximum = 22)]
    maxzoom: u8,
    /// Extent of the data; the map page fits to it.
    #[schema(value_type = BBox)]
    bounds: [f64; 4],
    /// [lng, lat, zoom].
    #[schema(value_type = Vec<f64>, min_items = 3, max_items = 3)]
    center: (f64, f64, u8),
    vector_layers: Vec<VectorLayer>,
}

fn tilejson_version() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("3.0.0")
}

fn xyz() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("xyz")
}

/// One MVT layer of the tiles.
#[derive(Serialize, ToSchema)]
pub struct VectorLayer {
    /// MVT layer name: grid, beat, station, camera, or grid_label, beat_label, station_label.
    id: String,
    /// Attribute name → type.
    #[schema(value_type = std::collections::HashMap<String, String>)]
    fields: Value,
    #[schema(maximum = 22)]
    minzoom: u8,
    #[schema(maximum = 22)]
    maxzoom: u8,
    #[serde(skip_serializing_if = "Option::is_none")]
    description: Option<String>,
}

/// `GET /tiles.json`: TileJSON for the composite tiles.
#[utoipa::path(
    get,
    path = "/tiles.json",
    tag = "tiles",
    operation_id = "tileJson",
    summary = "TileJSON for the composite tiles",
    description = "Lists every MVT layer in `vector_layers`; `bounds` is the data's extent (the map page fits to it).",
    responses(
        (status = 200, description = "TileJSON 3.0.0 pointing at `/tiles/{z}/{x}/{y}.mvt`.", body = TileJson,
            example = json!({
                "tilejson": "3.0.0", "name": "onemap", "scheme": "xyz",
                "tiles": ["http://127.0.0.1:8080/tiles/{z}/{x}/{y}.mvt"],
                "minzoom": 0, "maxzoom": 18, "bounds": [121.0, 28.3, 121.8, 29.0],
                "vector_layers": [
                    { "id": "grid", "fields": { "id": "String", "name": "String", "level": "Number" } },
                    { "id": "grid_label", "fields": { "id": "String", "name": "String" } },
                ],
            })),
    ),
)]
pub async fn tilejson_all(State(state): State<AppState>, headers: HeaderMap) -> Json<TileJson> {
    Json(tilejson(&state, &headers, None))
}

/// `GET /tiles/{layer}.json`
#[utoipa::path(
    get,
    path = "/tiles/{layer}.json",
    tag = "tiles",
    operation_id = "layerTileJson",
    summary = "TileJSON for one layer's tiles",
    params(LayerPath),
    responses(
        (status = 200, description = "TileJSON 3.0.0 pointing at `/tiles/{layer}/{z}/{x}/{y}.mvt`.", body = TileJson),
        (status = 404, response = NotFound),
    ),
)]
pub async fn tilejson_layer(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Json<TileJson>> {
    let name = file.strip_suffix(".json").ok_or_else(|| {
        ApiError::not_found(format!(
            "`{file}` is not a TileJSON; use /tiles/<layer>.json"
        ))
    })?;
    let layer = crate::routes::layers::layer_of(name)?;
    Ok(Json(tilejson(&state, &headers, Some(layer))))
}

fn tilejson(state: &AppState, headers: &HeaderMap, layer: Option<Layer>) -> TileJson {
    let origin = state.config.origin(headers);
    let s = state.live.snapshot();
    let b = s.bounds();
    let path = layer.map_or("tiles".to_string(), |l| format!("tiles/{l}"));
    let layers: Vec<Layer> = layer.map_or(Layer::ALL.to_vec(), |l| vec![l]);
    let mut vector_layers = Vec::new();
    for l in layers {
        let sample = s.layer(l).next();
        let minzoom = s
            .layer(l)
            .map(onemap_index::Feature::min_zoom)
            .min()
            .unwrap_or(0);
        let fields = crate::registry::tilejson_fields(onemap_index::layers::spec(l));
        let label = l.is_areal() && sample.is_some();
        vector_layers.push(VectorLayer {
            id: l.to_string(),
            fields: fields.clone(),
            minzoom,
            maxzoom: MAX_ZOOM,
            description: Some(format!("{} features", s.layer(l).count())),
        });
        if label {
            vector_layers.push(VectorLayer {
                id: format!("{l}_label"),
                fields,
                minzoom,
                maxzoom: MAX_ZOOM,
                description: None,
            });
        }
    }
    TileJson {
        tilejson: "3.0.0",
        name: "onemap",
        version: "1.0.0",
        scheme: "xyz",
        tiles: [format!("{origin}/{path}/{{z}}/{{x}}/{{y}}.mvt")],
        minzoom: 0,
        maxzoom: MAX_ZOOM,
        bounds: b,
        center: ((b[0] + b[2]) / 2.0, (b[1] + b[3]) / 2.0, 10),
        vector_layers,
    }
}
