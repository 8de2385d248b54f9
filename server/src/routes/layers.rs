//! Layers: import, export, and read/write of one feature with versions as ETags.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{
    AuditQuery, CheckPath, CheckQuery, FeaturePath, IfMatch, IfNoneMatchExport, IfNoneMatchVersion,
    ImportQuery, LayerPath, RepairQuery,
};
use crate::openapi::responses::{
    BadRequest, FeatureDelete, FeatureWrite, Forbidden, NotFound, PayloadTooLarge, RequestTimeout,
    Unauthorized, Unavailable, Unprocessable, UnsupportedMediaType,
};
use crate::openapi::schemas::{ExportCollection, FeatureCollection, LayerFeature, PersonIn};
use crate::params::{Params, Payload};
use crate::present::{person, CoverageReport, PersonView};
use crate::registry::LayersList;
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use onemap_data::formats::{read_layer, Format, ImportOptions};
use onemap_data::geojson_io::{
    feature_to_geojson, layer_to_geojson, parse_feature_with, parse_people, FeatureRepairs,
    OnInvalid,
};
use onemap_data::store::AuditEntry;
use onemap_index::command::{Command, Expect};
use onemap_index::write::Action;
use onemap_index::Layer;
use serde::Serialize;
use utoipa::ToSchema;

pub fn layer_of(name: &str) -> ApiResult<Layer> {
    name.parse()
        .map_err(|e: onemap_index::model::UnknownLayer| {
            ApiError::new(StatusCode::NOT_FOUND, "unknown_layer", e.to_string())
        })
}

/// `GET /v1/layers`: the manifest of the layer kinds (titles, fields, zooms, counts, URLs), made
/// from the registry; the page builds its layer list from it.
#[utoipa::path(
    get,
    path = "/v1/layers",
    tag = "layers",
    operation_id = "listLayers",
    summary = "The layer manifest: each kind with its titles, fields, zooms and counts",
    responses(
        (status = 200, description = "Every layer.", body = LayersList,
            example = json!({ "version": 42, "people": 1200, "layers": [
                { "id": "grid", "count": 7049, "geojson": "/v1/layers/grid.geojson" },
                { "id": "beat", "count": 821, "geojson": "/v1/layers/beat.geojson" },
                { "id": "station", "count": 40, "geojson": "/v1/layers/station.geojson" },
                { "id": "camera", "count": 30000, "geojson": "/v1/layers/camera.geojson" },
            ] })),
    ),
)]
pub async fn list(State(state): State<AppState>) -> Json<LayersList> {
    Json(crate::registry::manifest(
        &state.live.snapshot(),
        state.live.events().len(),
    ))
}

/// `GET /v1/layers/{layer}.geojson`: the whole layer as a FeatureCollection.
#[utoipa::path(
    get,
    path = "/v1/layers/{layer}.geojson",
    tag = "layers",
    operation_id = "exportLayer",
    summary = "Export a whole layer as GeoJSON",
    description = "The layer as an RFC 7946 FeatureCollection (the router matches `/v1/layers/{file}`; a file not ending in `.geojson` is 404 `not_found`). Every documented property is written (absent ones as null), so exporting and re-importing gives the same layer. `people` are person ids only.",
    params(LayerPath, IfNoneMatchExport),
    responses(
        (status = 200, description = "The FeatureCollection.", body = ExportCollection,
            content_type = "application/geo+json",
            headers(("ETag" = String, description = "The city version the export was made at, as a weak entity tag (any commit may change a layer's export); send it back in If-None-Match."))),
        (status = 304, description = "Not modified: the city is still at the If-None-Match version. Empty body.",
            headers(("ETag" = String, description = "The city version the export was made at, as a weak entity tag."))),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
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

#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "layer": "grid", "imported": 1, "mode": "upsert", "version": 43 }))]
pub struct ImportResult {
    #[schema(value_type = crate::openapi::schemas::Layer)]
    layer: Layer,
    imported: usize,
    #[schema(schema_with = import_modes)]
    mode: &'static str,
    /// The city version of this commit.
    version: u64,
    /// The format the body was read as: geojson, shapefile, geopackage, kml, csv or
    /// flatgeobuf.
    format: &'static str,
    /// What was assumed or converted on the way (the encoding chosen, a reprojection).
    notes: Vec<String>,
    /// With `repair=true`: the fixes made to each feature that needed any.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::FeatureRepairs>>)]
    repairs: Option<Vec<FeatureRepairs>>,
}

/// `?repair=true`: whether invalid areas are repaired as `ST_MakeValid` would, or refused.
fn on_invalid(params: &Params) -> ApiResult<OnInvalid> {
    Ok(OnInvalid::repair_if(params.or(
        "repair",
        false,
        "true or false",
    )?))
}

fn import_modes() -> utoipa::openapi::schema::Object {
    crate::openapi::schemas::words(&["upsert", "replace"]).build()
}

/// `POST /v1/layers/{layer}/import[?mode=replace&repair=&table=&crs=&encoding=&map=]`: all
/// features or none, in any format [`onemap_data::formats`] reads (told apart by content;
/// `Content-Type` is a hint).
#[utoipa::path(
    post,
    path = "/v1/layers/{layer}/import",
    tag = "layers",
    operation_id = "importLayer",
    summary = "Import a layer file: GeoJSON, Shapefile (zip), GeoPackage, KML, FlatGeobuf or CSV (planner)",
    description = "All features or none: every feature is validated first and the first problem is reported as 422 naming the feature (`feature_index`, `feature_id`). The format is told apart by content (`Content-Type` is a hint); anything else gets 415 `unsupported_format`. Web Mercator and CGCS2000 Gauss–Krüger (EPSG:4513–4554) are reprojected on the way in; `encoding=gbk` reads GBK text; `map` renames columns. Features are upserted by id; with `mode=replace` the layer is emptied first. One commit, one new city version. Needs a planner token.",
    security(("bearerAuth" = ["planner"])),
    params(LayerPath, ImportQuery),
    request_body(
        description = "A FeatureCollection of the path's layer. Properties per layer: see GridProperties, BeatProperties, StationProperties, CameraProperties.",
        content(
            (FeatureCollection = "application/geo+json"),
            (Vec<u8> = "application/zip"),
            (Vec<u8> = "application/geopackage+sqlite3"),
            (String = "application/vnd.google-earth.kml+xml"),
            (Vec<u8> = "application/flatgeobuf"),
            (String = "text/csv"),
            (FeatureCollection = "application/json", example = json!({ "type": "FeatureCollection", "features": [{
                "type": "Feature", "id": "G0001",
                "geometry": { "type": "Polygon", "coordinates": [[[121.4, 28.6], [121.42, 28.6], [121.42, 28.62], [121.4, 28.62], [121.4, 28.6]]] },
                "properties": { "name": "东门网格", "level": 3, "parent": "C01", "kind": "comprehensive", "setting": "urban", "people": ["P001", "P002"] },
            }] })),
        ),
    ),
    responses(
        (status = 200, description = "Imported.", body = ImportResult),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 415, response = UnsupportedMediaType),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn import(
    State(state): State<AppState>,
    caller: Caller,
    Path(layer): Path<String>,
    params: Params,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Json<ImportResult>> {
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
    let on_invalid = options.on_invalid;
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
            let summary = (count, imported.format, imported.notes, imported.repairs);
            Ok((s.prepare(command, &limits, &author)?, summary))
        })
        .await?;
    let (count, format, notes, repairs) = imported;
    let commit = state.live.write(changes).await?;
    Ok(Json(ImportResult {
        layer,
        imported: count,
        mode: if replace { "replace" } else { "upsert" },
        version: commit.version,
        format: format.name(),
        notes,
        repairs: (on_invalid == OnInvalid::Repair).then_some(repairs),
    }))
}

/// What the caller says about an import's input: `table`, `crs`, `encoding`, `map`,
/// `repair`, and the format `Content-Type` suggests.
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
        on_invalid: on_invalid(params)?,
    })
}

/// `GET /v1/layers/{layer}/features/{id}`: a GeoJSON Feature; its version is the ETag.
#[utoipa::path(
    get,
    path = "/v1/layers/{layer}/features/{id}",
    tag = "features",
    operation_id = "getFeature",
    summary = "One feature as GeoJSON, with its version as ETag",
    description = "`people` holds person ids only (use `/v1/people/{id}`). No token needed.",
    params(FeaturePath, IfNoneMatchVersion),
    responses(
        (status = 200, response = crate::openapi::responses::Feature),
        (status = 304, response = crate::openapi::responses::FeatureNotModified),
        (status = 404, response = NotFound),
    ),
)]
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

/// `PUT /v1/layers/{layer}/features/{id}[?repair=true]`: create, or update with `If-Match`.
#[utoipa::path(
    put,
    path = "/v1/layers/{layer}/features/{id}",
    tag = "features",
    operation_id = "putFeature",
    summary = "Create or update one feature (planner)",
    description = "The body is a GeoJSON Feature of the path's layer whose id (member or `properties.id`) equals the path's id (else 400 `id_mismatch`). Optimistic concurrency with If-Match: an existing feature needs If-Match (428 without it, 412 if stale); a new one is created only if it still does not exist. The feature is fully replaced. Needs a planner token.",
    security(("bearerAuth" = ["planner"])),
    params(FeaturePath, IfMatch, RepairQuery),
    request_body(content(
        (LayerFeature = "application/geo+json"),
        (LayerFeature = "application/json"),
    )),
    responses(FeatureWrite),
)]
pub async fn put_feature(
    State(state): State<AppState>,
    caller: Caller,
    Path((layer, id)): Path<(String, String)>,
    params: Params,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Response> {
    caller.require(Access::Planner, "editing features")?;
    let layer = layer_of(&layer)?;
    let (on_invalid, expect) = (on_invalid(&params)?, if_match(&headers)?);
    let written = write_feature(&state, &caller, layer, body, Some(id), expect, on_invalid).await?;
    let status = if written.created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok(written.answer(status))
}

/// What a single-feature write answers (its version is also the `ETag`).
#[derive(Serialize, ToSchema)]
#[schema(as = WriteResult)]
pub struct Written {
    #[schema(value_type = crate::openapi::schemas::Layer)]
    pub layer: Layer,
    pub id: String,
    /// The feature's new version (also the ETag).
    pub version: u64,
    #[serde(skip)]
    #[schema(ignore)]
    pub created: bool,
    /// With `repair=true`: the fixes made to the feature (none, or one entry).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<crate::openapi::schemas::FeatureRepairs>>)]
    pub repairs: Option<Vec<FeatureRepairs>>,
}

impl Written {
    /// The answer to a single-feature write: `status`, and the new version as `ETag` and in
    /// the body.
    pub fn answer(&self, status: StatusCode) -> Response {
        (
            status,
            [(header::ETAG, header_value(&etag(self.version)))],
            Json(self),
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
    on_invalid: OnInvalid,
) -> ApiResult<Written> {
    let (s, limits, author) = (state.live.snapshot(), state.limits(), caller.name.clone());
    let (changes, id, fixes) = state
        .heavy
        .run(move |_| {
            let (feature, fixes) = parse_feature_with(layer, &body, on_invalid)?;
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
            let changes = s.prepare(Command::Put { feature, expect }, &limits, &author)?;
            Ok((changes, id, fixes))
        })
        .await?;
    let created = changes.action == Action::Create;
    let commit = state.live.write(changes).await?;
    Ok(Written {
        layer,
        version: commit.version,
        repairs: (on_invalid == OnInvalid::Repair).then(|| {
            (!fixes.is_empty())
                .then(|| FeatureRepairs {
                    id: id.clone(),
                    fixes,
                })
                .into_iter()
                .collect()
        }),
        id,
        created,
    })
}

/// `DELETE /v1/layers/{layer}/features/{id}` with `If-Match`.
#[utoipa::path(
    delete,
    path = "/v1/layers/{layer}/features/{id}",
    tag = "features",
    operation_id = "deleteFeature",
    summary = "Delete one feature (planner)",
    description = "Needs If-Match with the current version (or `*`): 428 without it, 412 if stale. Needs a planner token.",
    security(("bearerAuth" = ["planner"])),
    params(FeaturePath, IfMatch),
    responses(FeatureDelete),
)]
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

#[derive(Serialize, ToSchema)]
#[schema(example = json!({ "imported": 2, "version": 45 }))]
pub struct PeopleImportResult {
    imported: usize,
    /// The city version of this commit.
    version: u64,
}

/// `POST /v1/people/import`: a JSON array of people, upserted by id.
#[utoipa::path(
    post,
    path = "/v1/people/import",
    tag = "people",
    operation_id = "importPeople",
    summary = "Import people (planner)",
    description = "A JSON array of people, upserted by id, all or none. Features name their people by id in their `people` property. Needs a planner token.",
    security(("bearerAuth" = ["planner"])),
    request_body(content(
        (Vec<PersonIn> = "application/json", example = json!([
            { "id": "P001", "name": "张三丰", "role": "grid_leader", "phone": "13812345678" },
            { "id": "P002", "name": "李四", "role": "community_officer" },
        ])),
    )),
    responses(
        (status = 200, description = "Imported.", body = PeopleImportResult),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 408, response = RequestTimeout),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn import_people(
    State(state): State<AppState>,
    caller: Caller,
    Payload(body): Payload,
) -> ApiResult<Json<PeopleImportResult>> {
    caller.require(Access::Planner, "importing people")?;
    let people = parse_people(&body)?;
    let count = people.len();
    let changes = state.live.snapshot().prepare(
        Command::ImportPeople { people },
        &state.limits(),
        &caller.name,
    )?;
    let commit = state.live.write(changes).await?;
    Ok(Json(PeopleImportResult {
        imported: count,
        version: commit.version,
    }))
}

/// `GET /v1/people/{id}`: one person, masked for public callers.
#[utoipa::path(
    get,
    path = "/v1/people/{id}",
    tag = "people",
    operation_id = "getPerson",
    summary = "One person",
    description = "Name and phone are masked for public callers; dispatcher and higher see them in full.",
    security((), ("bearerAuth" = [])),
    params(("id" = String, Path, description = "Person id.")),
    responses(
        (status = 200, description = "The person.", body = PersonView, examples(
            ("dispatcher" = (value = json!({ "id": "P001", "name": "张三丰", "role": "grid_leader", "title": "网格长", "phone": "13812345678" }))),
            ("public" = (value = json!({ "id": "P001", "name": "张**", "role": "grid_leader", "title": "网格长", "phone": "138****5678" }))),
        )),
        (status = 404, response = NotFound),
    ),
)]
pub async fn get_person(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Json<PersonView>> {
    let s = state.live.snapshot();
    let p = s
        .person(&id)
        .ok_or_else(|| ApiError::not_found(format!("person {id} does not exist")))?;
    Ok(Json(person(p, &caller)))
}

#[derive(Serialize, ToSchema)]
pub struct AuditLog {
    /// Newest first.
    #[schema(value_type = Vec<crate::openapi::schemas::AuditEntry>)]
    entries: Vec<AuditEntry>,
}

/// `GET /v1/audit[?layer=&id=&limit=]`: who changed what, newest first. Admins only.
#[utoipa::path(
    get,
    path = "/v1/audit",
    tag = "audit",
    operation_id = "audit",
    summary = "Who changed what (admin)",
    description = "Audit entries, newest first, with each record before and after. Needs an admin token.",
    security(("bearerAuth" = ["admin"])),
    params(AuditQuery),
    responses(
        (status = 200, description = "The entries.", body = AuditLog),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn audit(
    State(state): State<AppState>,
    caller: Caller,
    params: Params,
) -> ApiResult<Json<AuditLog>> {
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
    Ok(Json(AuditLog { entries }))
}

/// `GET /v1/layers/{layer}/check?sliver_m2=1`: the layer's coverage problems (gaps, overlaps,
/// slivers, children outside their parent, beats outside their station) as GeoJSON, each with
/// the features involved and a repair where one is clear. Runs on the heavy pool.
#[utoipa::path(
    get,
    path = "/v1/layers/{layer}/check",
    tag = "layers",
    operation_id = "checkCoverage",
    summary = "Coverage problems of a layer: gaps, overlaps, slivers, children outside their parent",
    description = "Checks that grids of each level and beats tile the city: siblings do not overlap, a parent grid is covered by its children, children lie inside their parent and beats inside their station. Pieces under 0.01 m² are rounding and not reported. `onemap check` prints the same from the command line.",
    params(CheckPath, CheckQuery),
    responses(
        (status = 200, description = "The problems (none for a clean coverage).", body = CoverageReport),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn check(
    State(state): State<AppState>,
    Path(layer): Path<String>,
    params: Params,
) -> ApiResult<Json<CoverageReport>> {
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
