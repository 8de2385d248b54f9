//! Layers: import, export, and read/write of one feature with versions as ETags.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::params::{Params, Payload};
use crate::present::person;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_data::geojson_io::{
    feature_to_geojson, layer_to_geojson, parse_feature, parse_feature_collection, parse_people,
};
use onemap_data::{Change, ChangeSet};
use onemap_index::reason::Limits;
use onemap_index::{Feature, Layer, Snapshot};
use serde_json::{json, Value};

pub fn layer_of(name: &str) -> ApiResult<Layer> {
    name.parse()
        .map_err(|e: onemap_index::model::UnknownLayer| {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_layer", e.to_string())
        })
}

/// `GET /v1/layers`: each layer with its feature count.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let s = state.live.snapshot();
    let layers: Vec<Value> = Layer::ALL
        .iter()
        .map(|l| json!({ "id": l, "count": s.layer(*l).count(), "geojson": format!("/v1/layers/{l}.geojson") }))
        .collect();
    Json(json!({ "version": s.version(), "layers": layers, "people": s.people().count() }))
}

/// `GET /v1/layers/{layer}.geojson`: the whole layer as a FeatureCollection.
pub async fn export(
    State(state): State<AppState>,
    Path(file): Path<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let name = file.strip_suffix(".geojson").ok_or_else(|| {
        ApiError::not_found(format!(
            "`{file}` is not a layer export; use /v1/layers/<layer>.geojson"
        ))
    })?;
    let layer = layer_of(name)?;
    let s = state.live.snapshot();
    // Any commit may change a layer's export, and nothing else does.
    let tag = header_value(&format!("W/\"{}\"", s.version()));
    let cache = [
        (header::ETAG, tag.clone()),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-cache")),
    ];
    if headers.get(header::IF_NONE_MATCH) == Some(&tag) {
        return Ok((StatusCode::NOT_MODIFIED, cache).into_response());
    }
    let body = state
        .heavy
        .run(move |_| Ok(layer_to_geojson(s.layer(layer))))
        .await?;
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        )],
        cache,
        body,
    )
        .into_response())
}

/// Refuses features beyond the city's limits (vertices, service area, parent) with 422
/// naming the rule.
fn within_reason(s: &Snapshot, features: &[Feature], limits: &Limits) -> ApiResult<()> {
    s.check_within_reason(features, limits).map_err(|(i, why)| {
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "geometry_limit",
            why.to_string(),
        )
        .with("rule", json!(why.rule()))
        .with("feature_index", json!(i))
        .with("feature_id", json!(why.feature_id()))
    })
}

/// `POST /v1/layers/{layer}/import[?mode=replace]`: all features or none.
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    params: Params,
    Payload(body): Payload,
) -> ApiResult<Json<Value>> {
    caller.require(Access::Planner, "importing")?;
    let layer = layer_of(&layer)?;
    let replace = match params.get("mode").unwrap_or("upsert") {
        "replace" => true,
        "upsert" | "add" => false,
        other => {
            return Err(ApiError::bad_request(
                "invalid_parameter",
                format!("`mode` is `{other}`; use upsert (default) or replace"),
            ))
        }
    };
    let (s, limits, max_features) = (
        state.live.snapshot(),
        state.limits(),
        state.config.guard.max_features,
    );
    let features = state
        .heavy
        .run(move |_| {
            let features = parse_feature_collection(layer, &body)?;
            if features.len() > max_features {
                return Err(ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "too_many_features",
                    format!("the import holds {} features, more than the limit of {max_features} (max_features): split it", features.len()),
                ));
            }
            within_reason(&s, &features, &limits)?;
            Ok(features)
        })
        .await?;
    let count = features.len();
    let mut changes: Vec<Change> = Vec::with_capacity(count + 1);
    if replace {
        changes.push(Change::ClearLayer(layer));
    }
    changes.extend(features.into_iter().map(Change::Upsert));
    let action = if replace { "import-replace" } else { "import" };
    let commit = state
        .live
        .write(ChangeSet {
            changes,
            expect: Vec::new(),
            author: caller.name.clone(),
            action: action.into(),
        })
        .await?;
    Ok(Json(
        json!({ "layer": layer, "imported": count, "mode": if replace { "replace" } else { "upsert" }, "version": commit.version }),
    ))
}

/// `GET /v1/layers/{layer}/features/{id}`: a GeoJSON Feature; its version is the ETag.
pub async fn get_feature(
    State(state): State<AppState>,
    Path((layer, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = layer_of(&layer)?;
    let s = state.live.snapshot();
    let f = s
        .get(layer, &id)
        .ok_or_else(|| ApiError::not_found(format!("{layer}/{id} does not exist")))?;
    let etag = etag(f.version);
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return Ok((StatusCode::NOT_MODIFIED, [(header::ETAG, etag)]).into_response());
    }
    let body = serde_json::to_string(&feature_to_geojson(f))
        .map_err(|e| ApiError::internal("feature json", e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/geo+json"),
            ),
            (header::ETAG, header_value(&etag)),
        ],
        body,
    )
        .into_response())
}

/// `PUT /v1/layers/{layer}/features/{id}`: create, or update with `If-Match`.
pub async fn put_feature(
    State(state): State<AppState>,
    caller: Caller,
    Path((layer, id)): Path<(String, String)>,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Response> {
    caller.require(Access::Planner, "editing features")?;
    let layer = layer_of(&layer)?;
    let (s, limits) = (state.live.snapshot(), state.limits());
    let mut feature = state
        .heavy
        .run(move |_| {
            let feature = parse_feature(layer, &body)?;
            within_reason(&s, std::slice::from_ref(&feature), &limits)?;
            Ok(feature)
        })
        .await?;
    if feature.id != id {
        return Err(ApiError::bad_request(
            "id_mismatch",
            format!(
                "the body's id `{}` differs from the path's `{id}`; ids cannot be renamed by PUT",
                feature.id
            ),
        ));
    }
    feature.id = id.clone();
    let exists = state.live.snapshot().get(layer, &id).map(|f| f.version);
    let expect = expected_version(&headers, exists, layer, &id)?;
    let created = exists.is_none();
    let commit = state
        .live
        .write(ChangeSet {
            changes: vec![Change::Upsert(feature)],
            expect: expect.into_iter().map(|v| (layer, id.clone(), v)).collect(),
            author: caller.name.clone(),
            action: if created { "create" } else { "update" }.into(),
        })
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::ETAG, header_value(&etag(commit.version)))],
        Json(json!({ "layer": layer, "id": id, "version": commit.version })),
    )
        .into_response())
}

/// `DELETE /v1/layers/{layer}/features/{id}` with `If-Match`.
pub async fn delete_feature(
    State(state): State<AppState>,
    caller: Caller,
    Path((layer, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    caller.require(Access::Planner, "deleting features")?;
    let layer = layer_of(&layer)?;
    let exists = state.live.snapshot().get(layer, &id).map(|f| f.version);
    if exists.is_none() {
        return Err(ApiError::not_found(format!("{layer}/{id} does not exist")));
    }
    let expect = expected_version(&headers, exists, layer, &id)?;
    state
        .live
        .write(ChangeSet {
            changes: vec![Change::Delete {
                layer,
                id: id.clone(),
            }],
            expect: expect.into_iter().map(|v| (layer, id.clone(), v)).collect(),
            author: caller.name.clone(),
            action: "delete".into(),
        })
        .await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// The version a write expects: from `If-Match`, which an existing feature requires.
fn expected_version(
    headers: &HeaderMap,
    exists: Option<u64>,
    layer: Layer,
    id: &str,
) -> ApiResult<Option<u64>> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return match exists {
            None => Ok(Some(0)),
            Some(v) => Err(ApiError::new(
                StatusCode::PRECONDITION_REQUIRED,
                "precondition_required",
                format!("{layer}/{id} exists (version {v}): send If-Match with the version you edited, or If-Match: * to overwrite"),
            )
            .with("current_version", json!(v))),
        };
    };
    let raw = raw.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(None);
    }
    let digits = raw.trim_start_matches("W/").trim_matches('"');
    digits.parse::<u64>().map(Some).map_err(|_| {
        ApiError::bad_request(
            "invalid_if_match",
            format!("If-Match `{raw}` is not a version such as \"12\""),
        )
    })
}

fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

fn header_value(s: &str) -> HeaderValue {
    HeaderValue::from_str(s).unwrap_or_else(|_| HeaderValue::from_static("\"0\""))
}

/// `POST /v1/people/import`: a JSON array of people, upserted by id.
pub async fn import_people(
    State(state): State<AppState>,
    caller: Caller,
    Payload(body): Payload,
) -> ApiResult<Json<Value>> {
    caller.require(Access::Planner, "importing people")?;
    let people = parse_people(&body)?;
    let count = people.len();
    let commit = state
        .live
        .write(ChangeSet {
            changes: people.into_iter().map(Change::UpsertPerson).collect(),
            expect: Vec::new(),
            author: caller.name.clone(),
            action: "import-people".into(),
        })
        .await?;
    Ok(Json(
        json!({ "imported": count, "version": commit.version }),
    ))
}

/// `GET /v1/people/{id}`: one person, masked for public callers.
pub async fn get_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let s = state.live.snapshot();
    let p = s
        .person(&id)
        .ok_or_else(|| ApiError::not_found(format!("person {id} does not exist")))?;
    Ok(Json(person(p, &caller)))
}

/// `GET /v1/audit[?layer=&id=&limit=]`: who changed what, newest first. Admins only.
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<Value>> {
    caller.require(Access::Admin, "reading the audit log")?;
    let limit: usize = params.or("limit", 100, "a whole number up to 10000")?;
    let layer = params.get("layer").map(layer_of).transpose()?;
    let id = params.get("id").map(str::to_string);
    let store = state.live.store().clone();
    let entries = tokio::task::spawn_blocking(move || {
        let filter = layer.zip(id.as_deref());
        store.audit(filter, limit.min(10_000))
    })
    .await
    .map_err(|e| ApiError::internal("audit", e))??;
    Ok(Json(json!({ "entries": entries })))
}
