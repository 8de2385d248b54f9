//! Camera coverage as area: `GET /v1/coverage/{layer}` (each grid or beat's covered share,
//! least covered first) and `GET /v1/coverage/{layer}.geojson` (the parts no camera sees, a
//! layer the map draws). Worked out once per city version and layer, then kept.

use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{CoveragePath, CoverageQuery};
use crate::openapi::responses::{BadRequest, NotFound, Unavailable};
use crate::openapi::schemas::Layer as LayerSchema;
use crate::params::Params;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::sight::Sight;
use onemap_index::{level, Layer, Snapshot};
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use utoipa::ToSchema;

/// Which coverage: a layer, and for grids a level.
type Key = (Layer, Option<u8>);

/// Coverage worked out for one city version.
type Kept = (u64, Arc<Vec<Sight>>);

/// Coverage already worked out, per [`Key`].
#[derive(Clone, Default)]
pub struct SightCache(Arc<Mutex<HashMap<Key, Kept>>>);

impl SightCache {
    fn get(&self, s: &Snapshot, key: Key) -> Option<Arc<Vec<Sight>>> {
        let kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.get(&key)
            .filter(|(version, _)| *version == s.version())
            .map(|(_, sights)| Arc::clone(sights))
    }

    fn put(&self, s: &Snapshot, key: Key, sights: Arc<Vec<Sight>>) {
        let mut kept = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        kept.insert(key, (s.version(), sights));
    }
}

/// `GET /v1/coverage/{layer}[.geojson]?level=&limit=`: grids (level 3 unless `level` says)
/// or beats. One path segment to the router, so this tells the two answers apart.
pub async fn coverage(
    State(state): State<AppState>,
    Path(file): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    Ok(match file.strip_suffix(".geojson") {
        Some(name) => (
            [(header::CONTENT_TYPE, "application/geo+json")],
            Json(uncovered(&state, name, &params).await?),
        )
            .into_response(),
        None => Json(shares(&state, &file, &params).await?).into_response(),
    })
}

/// Each grid's or beat's covered share, least covered first.
#[derive(Serialize, ToSchema)]
pub struct CoverageShares {
    #[schema(value_type = LayerSchema)]
    layer: Layer,
    /// Grids: the level listed; null for beats.
    level: Option<u8>,
    /// The share of the whole layer's area some online camera sees, 0 to 1.
    #[schema(minimum = 0)]
    share: f64,
    count: usize,
    rows: Vec<SightRow>,
}

/// One feature's camera coverage.
#[derive(Serialize, ToSchema)]
pub struct SightRow {
    id: String,
    name: String,
    /// The feature's area in m².
    #[schema(minimum = 0)]
    area_m2: f64,
    /// The part of it some online camera sees, in m².
    #[schema(minimum = 0)]
    covered_m2: f64,
    /// `covered_m2 / area_m2`, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    share: f64,
}

#[utoipa::path(
    get,
    path = "/v1/coverage/{layer}",
    tag = "leaders",
    operation_id = "cameraCoverage",
    summary = "Camera coverage of each grid or beat, least covered first",
    description = "The share of each grid (level 3 unless `level` says) or beat that some online camera sees: fields of view are sectors from each camera's heading, angle and range (the kind's defaults where missing; a disc for domes), unioned and cut from each area. Worked out once per city version.",
    params(CoveragePath, CoverageQuery),
    responses(
        (status = 200, description = "The shares.", body = CoverageShares),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
async fn shares(state: &AppState, name: &str, params: &Params) -> ApiResult<CoverageShares> {
    let asked = ask(state, name, params).await?;
    let rows = ranked(&asked.sights, asked.limit)
        .map(|x| {
            let f = asked.snapshot.feature(x.feature);
            SightRow {
                id: f.id.clone(),
                name: f.name.clone(),
                area_m2: x.area_m2,
                covered_m2: x.covered_m2,
                share: x.share(),
            }
        })
        .collect::<Vec<_>>();
    let covered: f64 = asked.sights.iter().map(|x| x.covered_m2).sum();
    let area: f64 = asked.sights.iter().map(|x| x.area_m2).sum();
    Ok(CoverageShares {
        layer: asked.layer,
        level: asked.level,
        share: if area > 0.0 { covered / area } else { 0.0 },
        count: rows.len(),
        rows,
    })
}

/// The parts of grids or beats no camera sees.
#[derive(Serialize, ToSchema)]
pub struct Uncovered {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::present::feature_collection_tag)]
    kind: &'static str,
    features: Vec<UncoveredFeature>,
}

/// One grid's or beat's unseen part.
#[derive(Serialize, ToSchema)]
pub struct UncoveredFeature {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::present::feature_tag)]
    kind: &'static str,
    id: String,
    properties: UncoveredProperties,
    #[schema(value_type = crate::openapi::schemas::Piece)]
    geometry: geojson::Geometry,
}

#[derive(Serialize, ToSchema)]
pub struct UncoveredProperties {
    id: String,
    name: String,
    /// The covered share of the feature, 0 to 1.
    #[schema(minimum = 0, maximum = 1)]
    share: f64,
}

#[utoipa::path(
    get,
    path = "/v1/coverage/{layer}.geojson",
    tag = "leaders",
    operation_id = "cameraCoverageGaps",
    summary = "The parts of grids or beats no camera sees, as GeoJSON",
    description = "For each grid (level 3 unless `level` says) or beat, least covered first, the part no online camera sees as a MultiPolygon with the covered share; fully covered ones are left out. A layer the map draws, and GDAL reads.",
    params(CoveragePath, CoverageQuery),
    responses(
        (status = 200, description = "The unseen parts.", body = Uncovered, content_type = "application/geo+json"),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
async fn uncovered(state: &AppState, name: &str, params: &Params) -> ApiResult<Uncovered> {
    let asked = ask(state, name, params).await?;
    let features = ranked(&asked.sights, asked.limit)
        .filter(|x| !x.uncovered.0.is_empty())
        .map(|x| {
            let f = asked.snapshot.feature(x.feature);
            UncoveredFeature {
                kind: "Feature",
                id: f.id.clone(),
                properties: UncoveredProperties {
                    id: f.id.clone(),
                    name: f.name.clone(),
                    share: x.share(),
                },
                geometry: geojson::Geometry::new(geojson::GeometryValue::from(&x.uncovered)),
            }
        })
        .collect();
    Ok(Uncovered {
        kind: "FeatureCollection",
        features,
    })
}

/// What a coverage request asks for, with every feature's coverage worked out.
struct Asked {
    snapshot: Arc<Snapshot>,
    layer: Layer,
    level: Option<u8>,
    limit: usize,
    sights: Arc<Vec<Sight>>,
}

/// Reads the layer, `level` and `limit`, and works out the coverage (or takes it from the
/// cache).
async fn ask(state: &AppState, name: &str, params: &Params) -> ApiResult<Asked> {
    let layer = match name {
        "grid" => Layer::Grid,
        "beat" => Layer::Beat,
        _ => {
            return Err(ApiError::not_found(format!(
                "no camera coverage for `{name}`: use grid or beat"
            )))
        }
    };
    let level = (layer == Layer::Grid)
        .then(|| params.or("level", level::GRID, "a grid level from 0 to 4"))
        .transpose()?;
    let limit: usize = params.or("limit", usize::MAX, "a whole number")?;
    let s = state.live.snapshot();
    let key = (layer, level);
    let sights = match state.sights.get(&s, key) {
        Some(kept) => kept,
        None => {
            let worked = {
                let s = Arc::clone(&s);
                state
                    .heavy
                    .run(move |_| Ok(Arc::new(s.sight(layer, level))))
                    .await?
            };
            state.sights.put(&s, key, Arc::clone(&worked));
            worked
        }
    };
    Ok(Asked {
        snapshot: s,
        layer,
        level,
        limit,
        sights,
    })
}

/// The `limit` least covered; among equal shares the largest first.
fn ranked(sights: &[Sight], limit: usize) -> impl Iterator<Item = &Sight> {
    let mut order: Vec<&Sight> = sights.iter().collect();
    // Among grids no camera sees at all (most of the countryside), the largest first.
    order.sort_by(|a, b| {
        a.share()
            .total_cmp(&b.share())
            .then(b.area_m2.total_cmp(&a.area_m2))
    });
    order.into_iter().take(limit)
}
