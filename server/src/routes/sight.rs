//! Camera coverage as area: `GET /v1/coverage/{layer}` (each grid or beat's covered share,
//! least covered first) and `GET /v1/coverage/{layer}.geojson` (the parts no camera sees, a
//! layer the map draws). Worked out once per city version and layer, then kept.

use crate::error::{ApiError, ApiResult};
use crate::params::Params;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_index::sight::Sight;
use onemap_index::{level, Layer, Snapshot};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

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
/// or beats.
pub async fn coverage(
    State(state): State<AppState>,
    Path(file): Path<String>,
    params: Params,
) -> ApiResult<Response> {
    let (name, geojson) = match file.strip_suffix(".geojson") {
        Some(name) => (name, true),
        None => (file.as_str(), false),
    };
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
    let mut order: Vec<&Sight> = sights.iter().collect();
    order.sort_by(|a, b| a.share().total_cmp(&b.share()));
    order.truncate(limit);
    if geojson {
        let features: Vec<Value> = order
            .iter()
            .filter(|x| !x.uncovered.0.is_empty())
            .map(|x| {
                let f = s.feature(x.feature);
                json!({
                    "type": "Feature",
                    "id": f.id,
                    "properties": { "id": f.id, "name": f.name, "share": x.share() },
                    "geometry": geojson::Geometry::new(geojson::GeometryValue::from(&x.uncovered)),
                })
            })
            .collect();
        let body = json!({ "type": "FeatureCollection", "features": features });
        return Ok((
            [(header::CONTENT_TYPE, "application/geo+json")],
            body.to_string(),
        )
            .into_response());
    }
    let rows: Vec<Value> = order
        .iter()
        .map(|x| {
            let f = s.feature(x.feature);
            json!({
                "id": f.id,
                "name": f.name,
                "area_m2": x.area_m2,
                "covered_m2": x.covered_m2,
                "share": x.share(),
            })
        })
        .collect();
    let covered: f64 = sights.iter().map(|x| x.covered_m2).sum();
    let area: f64 = sights.iter().map(|x| x.area_m2).sum();
    Ok(Json(json!({
        "layer": layer,
        "level": level,
        "share": if area > 0.0 { covered / area } else { 0.0 },
        "count": rows.len(),
        "rows": rows,
    }))
    .into_response())
}
