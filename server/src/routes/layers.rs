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
use onemap_data::formats::{read_layer, Format, ImportOptions};
use onemap_data::geojson_io::{feature_to_geojson, layer_to_geojson, parse_feature, parse_people};
use onemap_index::command::{Command, Expect};
use onemap_index::write::Action;
use onemap_index::Layer;
use serde_json::{json, Value};

pub fn layer_of(name: &str) -> ApiResult<Layer> {
    name.parse()
        .map_err(|e: onemap_index::model::UnknownLayer| {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_layer", e.to_string())
        })
}

/// `GET /v1/layers`: the manifest of the layer kinds (titles, fields, zooms, counts, URLs), made
/// from the registry; the page builds its layer list from it.
pub async fn list(State(state): State<AppState>) -> Json<Value> {
    let s = state.live.snapshot();
    let layers: Vec<Value> = onemap_index::layers::REGISTRY
        .iter()
        .map(|spec| crate::registry::manifest_entry(spec, &s))
        .collect();
    let events = crate::registry::stream_entry(
        &onemap_index::layers::event::EVENTS,
        state.live.events().len(),
    );
    Json(json!({
        "version": s.version(),
        "layers": layers,
        "streams": [events],
        "people": s.people().count(),
    }))
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

/// `POST /v1/layers/{layer}/import[?mode=replace&table=&crs=&encoding=&map=]`: all features
/// or none, in any format [`onemap_data::formats`] reads (told apart by content;
/// `Content-Type` is a hint).
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    params: Params,
    headers: HeaderMap,
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
    let options = import_options(&params, &headers)?;
    let (s, limits, author) = (state.live.snapshot(), state.limits(), caller.name.clone());
    let (changes, imported) = state
        .heavy
        .run(move |_| {
            let imported = read_layer(layer, &body, &options)?;
            let count = imported.features.len();
            let command = Command::Import {
                layer,
                features: imported.features,
                replace,
            };
            let summary = json!({ "imported": count, "format": imported.format.name(), "notes": imported.notes });
            Ok((s.prepare(command, &limits, &author)?, summary))
        })
        .await?;
    let commit = state.live.write(changes).await?;
    let mut answer = json!({ "layer": layer, "mode": if replace { "replace" } else { "upsert" }, "version": commit.version });
    if let (Value::Object(answer), Value::Object(summary)) = (&mut answer, imported) {
        answer.extend(summary);
    }
    Ok(Json(answer))
}

/// What the caller says about an import's input: `table`, `crs`, `encoding`, `map`, and the
/// format `Content-Type` suggests.
fn import_options(params: &Params, headers: &HeaderMap) -> ApiResult<ImportOptions> {
    fn parsed<T: std::str::FromStr<Err = String>>(
        params: &Params,
        name: &str,
    ) -> ApiResult<Option<T>> {
        params
            .get(name)
            .map(|raw| {
                raw.parse().map_err(|e: String| {
                    ApiError::bad_request("invalid_parameter", format!("`{name}`: {e}"))
                })
            })
            .transpose()
    }
    Ok(ImportOptions {
        hint: headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(Format::from_media_type),
        table: params.get("table").map(String::from),
        crs: parsed(params, "crs")?,
        encoding: parsed(params, "encoding")?,
        map: parsed(params, "map")?.unwrap_or_default(),
    })
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
    let written =
        write_feature(&state, &caller, layer, body, Some(id), if_match(&headers)?).await?;
    let status = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(written.answer(status))
}

/// A feature written by [`write_feature`].
pub struct Written {
    pub layer: Layer,
    pub id: String,
    pub version: u64,
    pub created: bool,
}

impl Written {
    /// The answer to a single-feature write: `status`, the new version as `ETag` and in the
    /// body.
    pub fn answer(&self, status: StatusCode) -> Response {
        (
            status,
            [(header::ETAG, header_value(&etag(self.version)))],
            Json(json!({ "layer": self.layer, "id": self.id, "version": self.version })),
        )
            .into_response()
    }
}

/// Parses `body` as one feature of `layer` (whose id must be `path_id` when one is given),
/// checks it as a [`Command::Put`] made against `expect` and commits it: the one path of a
/// single-feature write, for the API's PUT and OGC API's create, replace and update.
pub async fn write_feature(
    state: &AppState,
    caller: &Caller,
    layer: Layer,
    body: axum::body::Bytes,
    path_id: Option<String>,
    expect: Expect,
) -> ApiResult<Written> {
    let (s, limits, author) = (state.live.snapshot(), state.limits(), caller.name.clone());
    let (changes, id) = state
        .heavy
        .run(move |_| {
            let feature = parse_feature(layer, &body)?;
            if let Some(path_id) = path_id.filter(|p| *p != feature.id) {
                return Err(ApiError::bad_request(
                    "id_mismatch",
                    format!(
                        "the body's id `{}` differs from the path's `{path_id}`; ids cannot be renamed by PUT",
                        feature.id
                    ),
                ));
            }
            let id = feature.id.clone();
            Ok((s.prepare(Command::Put { feature, expect }, &limits, &author)?, id))
        })
        .await?;
    let created = changes.action == Action::Create;
    let commit = state.live.write(changes).await?;
    Ok(Written {
        layer,
        id,
        version: commit.version,
        created,
    })
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
    let command = Command::Delete {
        layer,
        id,
        expect: if_match(&headers)?,
    };
    let changes = state
        .live
        .snapshot()
        .prepare(command, &state.limits(), &caller.name)?;
    state.live.write(changes).await?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// What `If-Match` says about the version a write was made against.
pub fn if_match(headers: &HeaderMap) -> ApiResult<Expect> {
    let Some(raw) = headers.get(header::IF_MATCH) else {
        return Ok(Expect::Unstated);
    };
    let raw = raw.to_str().unwrap_or_default().trim();
    if raw == "*" {
        return Ok(Expect::Any);
    }
    let digits = raw.trim_start_matches("W/").trim_matches('"');
    digits.parse::<u64>().map(Expect::Version).map_err(|_| {
        ApiError::bad_request(
            "invalid_if_match",
            format!("If-Match `{raw}` is not a version such as \"12\""),
        )
    })
}

fn etag(version: u64) -> String {
    format!("\"{version}\"")
}

pub fn header_value(s: &str) -> HeaderValue {
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
    let changes = state.live.snapshot().prepare(
        Command::ImportPeople { people },
        &state.limits(),
        &caller.name,
    )?;
    let commit = state.live.write(changes).await?;
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

/// `GET /v1/layers/{layer}/check?sliver_m2=1`: the layer's coverage problems (gaps, overlaps,
/// slivers, children outside their parent, beats outside their station) as GeoJSON, each with
/// the features involved and a repair where one is clear. Runs on the heavy pool.
pub async fn check(
    State(state): State<AppState>,
    Path(layer): Path<String>,
    params: Params,
) -> ApiResult<Json<Value>> {
    let layer = layer_of(&layer)?;
    if !layer.is_areal() {
        return Err(ApiError::bad_request(
            "invalid_parameter",
            format!(
                "{layer} features are points and form no coverage: check grid, beat or station"
            ),
        ));
    }
    let options = onemap_index::check::CheckOptions {
        sliver_m2: params.number_in("sliver_m2", 1.0, 0.0..=1e6)?,
        ..Default::default()
    };
    let s = state.live.snapshot();
    let answer = state
        .heavy
        .run(move |_| Ok(crate::present::problems(layer, &s.check(layer, &options))))
        .await?;
    Ok(Json(answer))
}
