//! OGC API – Features under `/ogc`. Part 1 Core: the landing page, conformance, one
//! collection per kind in the layer registry, and their items (GeoJSON, `bbox`, `limit` with
//! `next` links, equality filters on the registry's fields); QGIS and GDAL
//! (`ogrinfo OAPIF:http://host/ogc`) read it with no plug-in. Part 4: create, replace, update
//! and delete, through the same commands, roles, `If-Match` and audit as `/v1`.

use crate::auth::{Access, Caller};
use crate::error::{ApiError, ApiResult};
use crate::openapi::params::{
    CollectionPath, IfMatch, ItemPath, ItemQuery, ItemsQuery, OgcFormat, RepairQuery,
};
use crate::openapi::responses::{
    BadRequest, FeatureDelete, FeatureWrite, Forbidden, NotFound, PayloadTooLarge,
    PreconditionFailed, PreconditionRequired, RequestTimeout, Unauthorized, Unavailable,
    Unprocessable,
};
use crate::openapi::schemas::{Layer as LayerSchema, LayerFeature, OgcFeature};
use crate::params::{Params, Payload};
use crate::routes::layers::{self, header_value, if_match, write_feature};
use crate::state::AppState;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use onemap_data::geojson_io::{feature_to_geojson, OnInvalid};
use onemap_index::command::Expect;
use onemap_index::layers::{spec, Filter, LayerSpec, REGISTRY};
use onemap_index::{Feature, Layer, Snapshot};
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

const GEOJSON: &str = "application/geo+json";
/// The most items one page holds, and the page size when `limit` is absent.
const MAX_LIMIT: usize = 10_000;
const DEFAULT_LIMIT: usize = 1_000;

/// A link of an OGC API document.
#[derive(Serialize, ToSchema)]
pub struct OgcLink {
    href: String,
    rel: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    title: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct OgcLanding {
    title: &'static str,
    description: &'static str,
    links: Vec<OgcLink>,
}

/// `GET /ogc`: the landing page.
#[utoipa::path(
    get,
    path = "/ogc",
    tag = "ogc",
    operation_id = "ogcLanding",
    summary = "OGC API – Features landing page",
    description = "Links to the conformance declaration, the collections and the OpenAPI document. GDAL and QGIS open `OAPIF:http://host/ogc`.",
    params(OgcFormat),
    responses(
        (status = 200, description = "The landing page.", content(
            (OgcLanding = "application/json"),
            (String = "text/html"),
        )),
    ),
)]
pub async fn landing(
    State(state): State<AppState>,
    params: Params,
    headers: HeaderMap,
) -> Response {
    let base = base(&state, &headers);
    let doc = OgcLanding {
        title: "onemap 网格+警格一张图",
        description: "Grids, beats, stations and cameras as OGC API – Features collections.",
        links: vec![
            link(&base, "self", "application/json", "this document"),
            link(
                &format!("{base}/conformance"),
                "conformance",
                "application/json",
                "the standards this API conforms to",
            ),
            link(
                &format!("{base}/collections"),
                "data",
                "application/json",
                "the collections",
            ),
            link(
                &format!("{}/openapi.json", state.config.origin(&headers)),
                "service-desc",
                "application/vnd.oai.openapi+json;version=3.1",
                "the OpenAPI document",
            ),
        ],
    };
    answer(&json_of(&doc), "application/json", &params, &headers)
}

#[derive(Serialize, ToSchema)]
pub struct OgcConformance {
    #[serde(rename = "conformsTo")]
    conforms_to: [&'static str; 6],
}

/// `GET /ogc/conformance`
#[utoipa::path(
    get,
    path = "/ogc/conformance",
    tag = "ogc",
    operation_id = "ogcConformance",
    summary = "The OGC API – Features conformance classes",
    description = "Part 1 Core, GeoJSON and HTML; Part 2 CRS; Part 4 create, replace, delete and update.",
    params(OgcFormat),
    responses(
        (status = 200, description = "The conformance classes.", content(
            (OgcConformance = "application/json"),
            (String = "text/html"),
        )),
    ),
)]
pub async fn conformance(params: Params, headers: HeaderMap) -> Response {
    let doc = OgcConformance {
        conforms_to: [
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/create-replace-delete",
            "http://www.opengis.net/spec/ogcapi-features-4/1.0/conf/update",
            "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/html",
            "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        ],
    };
    answer(&json_of(&doc), "application/json", &params, &headers)
}

#[derive(Serialize, ToSchema)]
pub struct OgcCollections {
    links: Vec<OgcLink>,
    collections: Vec<OgcCollection>,
}

/// `GET /ogc/collections`
#[utoipa::path(
    get,
    path = "/ogc/collections",
    tag = "ogc",
    operation_id = "ogcCollections",
    summary = "Every layer kind as a collection",
    description = "One collection per kind in the layer registry, with its extent and an `items` link.",
    params(OgcFormat),
    responses(
        (status = 200, description = "The collections.", content(
            (OgcCollections = "application/json"),
            (String = "text/html"),
        )),
    ),
)]
pub async fn collections(
    State(state): State<AppState>,
    params: Params,
    headers: HeaderMap,
) -> Response {
    let (s, base) = (state.live.snapshot(), base(&state, &headers));
    let doc = OgcCollections {
        links: vec![link(
            &format!("{base}/collections"),
            "self",
            "application/json",
            "the collections",
        )],
        collections: REGISTRY.iter().map(|k| collection(k, &s, &base)).collect(),
    };
    answer(&json_of(&doc), "application/json", &params, &headers)
}

/// `GET /ogc/collections/{id}`
#[utoipa::path(
    get,
    path = "/ogc/collections/{id}",
    tag = "ogc",
    operation_id = "ogcCollection",
    summary = "One collection",
    params(CollectionPath, OgcFormat),
    responses(
        (status = 200, description = "The collection.", content(
            (OgcCollection = "application/json"),
            (String = "text/html"),
        )),
        (status = 404, response = NotFound),
    ),
)]
pub async fn one_collection(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = collection_of(&id)?;
    let s = state.live.snapshot();
    let doc = collection(spec(layer), &s, &base(&state, &headers));
    Ok(answer(
        &json_of(&doc),
        "application/json",
        &params,
        &headers,
    ))
}

#[derive(Serialize, ToSchema)]
pub struct OgcFeatureCollection {
    #[serde(rename = "type")]
    #[schema(schema_with = crate::present::feature_collection_tag)]
    kind: &'static str,
    #[serde(rename = "numberMatched")]
    number_matched: usize,
    #[serde(rename = "numberReturned")]
    number_returned: usize,
    links: Vec<OgcLink>,
    #[schema(value_type = Vec<OgcFeature>)]
    features: Vec<Value>,
}

/// `GET /ogc/collections/{id}/items?bbox=&limit=&offset=&<field>=`
#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/items",
    tag = "ogc",
    operation_id = "ogcItems",
    summary = "A page of a collection's features",
    description = "Features in id order, `limit` at a time (default 1,000, at most 10,000) from `offset`, with `next` and `prev` links; `bbox` keeps those whose geometry meets the box; `name` and any field of the kind (see /v1/layers) filter by equality.",
    params(CollectionPath, ItemsQuery, OgcFormat),
    responses(
        (status = 200, description = "The page.", content(
            (OgcFeatureCollection = "application/geo+json"),
            (String = "text/html"),
        ), headers(("Content-Crs" = String, description = "The CRS of the coordinates, as `<uri>`."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn items(
    State(state): State<AppState>,
    Path(id): Path<String>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = collection_of(&id)?;
    let limit = params.or("limit", DEFAULT_LIMIT, "a whole number from 1 to 10000")?;
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::bad_request(
            "out_of_range",
            format!("`limit` is {limit}; it must be from 1 to {MAX_LIMIT}"),
        ));
    }
    let offset: usize = params.or("offset", 0, "a whole number ≥ 0")?;
    let crs = Crs::of(params.get("crs"), "crs")?;
    let bbox_crs = Crs::of(params.get("bbox-crs"), "bbox-crs")?;
    let bbox = params
        .get("bbox")
        .map(parse_bbox)
        .transpose()?
        .map(|b| bbox_crs.to_lnglat(b));
    let filters = filters(layer, &params);
    let s = state.live.snapshot();
    let base = base(&state, &headers);
    let doc = state
        .heavy
        .run(move |_| {
            let candidates: Vec<u32> = match bbox {
                Some(b) => s.layer_in(layer, b),
                None => (0..s.features().len() as u32)
                    .filter(|i| s.feature(*i).layer() == layer)
                    .collect(),
            };
            let matched: Vec<&Feature> = candidates
                .iter()
                .map(|i| s.feature(*i))
                .filter(|f| filters.iter().all(|filter| filter.matches(f)))
                .collect();
            let page: Vec<Value> = matched
                .iter()
                .skip(offset)
                .take(limit)
                .map(|f| serde_json::to_value(feature_to_geojson(f)).unwrap_or(Value::Null))
                .collect();
            let here = |offset: usize| {
                let mut query = vec![format!("limit={limit}"), format!("offset={offset}")];
                query.extend(bbox.map(|b| format!("bbox={},{},{},{}", b[0], b[1], b[2], b[3])));
                query.extend(
                    filters
                        .iter()
                        .map(|f| format!("{}={}", f.name, percent(&f.text))),
                );
                if crs != Crs::Crs84 {
                    query.push(format!("crs={}", percent(crs.uri())));
                }
                format!("{base}/collections/{layer}/items?{}", query.join("&"))
            };
            let mut links = vec![link(&here(offset), "self", GEOJSON, "this page")];
            if offset + page.len() < matched.len() {
                links.push(link(
                    &here(offset + limit),
                    "next",
                    GEOJSON,
                    "the next page",
                ));
            }
            if offset > 0 {
                links.push(link(
                    &here(offset.saturating_sub(limit)),
                    "prev",
                    GEOJSON,
                    "the previous page",
                ));
            }
            Ok(OgcFeatureCollection {
                kind: "FeatureCollection",
                number_matched: matched.len(),
                number_returned: page.len(),
                links,
                features: page,
            })
        })
        .await?;
    Ok(with_crs(
        answer(&crs.features(json_of(&doc)), GEOJSON, &params, &headers),
        crs,
    ))
}

/// `GET /ogc/collections/{id}/items/{featureId}`
#[utoipa::path(
    get,
    path = "/ogc/collections/{id}/items/{feature}",
    tag = "ogc",
    operation_id = "ogcItem",
    summary = "One feature",
    params(ItemPath, ItemQuery, OgcFormat),
    responses(
        (status = 200, description = "The feature.", content(
            (OgcFeature = "application/geo+json"),
            (String = "text/html"),
        ), headers(("Content-Crs" = String, description = "The CRS of the coordinates, as `<uri>`."))),
        (status = 400, response = BadRequest),
        (status = 404, response = NotFound),
    ),
)]
pub async fn item(
    State(state): State<AppState>,
    Path((id, feature)): Path<(String, String)>,
    params: Params,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let layer = collection_of(&id)?;
    let crs = Crs::of(params.get("crs"), "crs")?;
    let s = state.live.snapshot();
    let f = s
        .get(layer, &feature)
        .ok_or_else(|| ApiError::not_found(format!("{layer}/{feature} does not exist")))?;
    let base = base(&state, &headers);
    let mut value = serde_json::to_value(feature_to_geojson(f)).unwrap_or(Value::Null);
    value["links"] = json_of(&[
        link(
            &format!("{base}/collections/{layer}/items/{}", percent(&f.id)),
            "self",
            GEOJSON,
            "this feature",
        ),
        link(
            &format!("{base}/collections/{layer}"),
            "collection",
            "application/json",
            "its collection",
        ),
    ]);
    Ok(with_crs(
        answer(&crs.feature(value), GEOJSON, &params, &headers),
        crs,
    ))
}

/// `doc` as JSON of type `kind`, or as HTML for `?f=html` and for browsers (`Accept:
/// text/html` without `f=json`).
fn answer(doc: &Value, kind: &'static str, params: &Params, headers: &HeaderMap) -> Response {
    let browser = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"));
    let html = match params.get("f") {
        Some(f) => f == "html",
        None => browser,
    };
    let (body, kind) = if html {
        (super::ogc_html::render(doc), "text/html; charset=utf-8")
    } else {
        (doc.to_string(), kind)
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(kind));
    response
}

fn base(state: &AppState, headers: &HeaderMap) -> String {
    format!("{}/ogc", state.config.origin(headers))
}

fn link(href: &str, rel: &'static str, kind: &'static str, title: &'static str) -> OgcLink {
    OgcLink {
        href: href.to_string(),
        rel,
        kind,
        title,
    }
}

/// `doc` as JSON, for the HTML page and the CRS's axis order to work on.
fn json_of(doc: &impl Serialize) -> Value {
    serde_json::to_value(doc).unwrap_or(Value::Null)
}

#[derive(Serialize, ToSchema)]
pub struct OgcCollection {
    #[schema(value_type = LayerSchema)]
    id: Layer,
    title: &'static str,
    description: String,
    #[serde(rename = "itemType")]
    #[schema(schema_with = feature_item)]
    item_type: &'static str,
    extent: Extent,
    crs: Vec<&'static str>,
    #[serde(rename = "storageCrs")]
    storage_crs: &'static str,
    links: Vec<OgcLink>,
}

fn feature_item() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("feature")
}

#[derive(Serialize, ToSchema)]
pub struct Extent {
    spatial: SpatialExtent,
}

#[derive(Serialize, ToSchema)]
pub struct SpatialExtent {
    #[schema(value_type = Vec<crate::openapi::schemas::BBox>)]
    bbox: [[f64; 4]; 1],
    crs: &'static str,
}

/// A collection's description: title, extent and links, from the registry.
fn collection(k: &LayerSpec, s: &Snapshot, base: &str) -> OgcCollection {
    let l = k.layer;
    let b = s.bounds();
    let bbox = if b.iter().all(|v| v.is_finite()) {
        b
    } else {
        [-180.0, -90.0, 180.0, 90.0]
    };
    OgcCollection {
        id: l,
        title: k.title,
        description: format!("{} ({}): {} features", k.title, l, s.layer(l).count()),
        item_type: "feature",
        extent: Extent {
            spatial: SpatialExtent {
                bbox: [bbox],
                crs: Crs::Crs84.uri(),
            },
        },
        crs: Crs::ALL.iter().map(|c| c.uri()).collect(),
        storage_crs: Crs::Crs84.uri(),
        links: vec![
            link(
                &format!("{base}/collections/{l}"),
                "self",
                "application/json",
                "this collection",
            ),
            link(
                &format!("{base}/collections/{l}/items"),
                "items",
                GEOJSON,
                "its features",
            ),
        ],
    }
}

/// The `crs` and `bbox-crs` values [`Crs::of`] takes, for the OpenAPI document.
pub fn crs_names() -> utoipa::openapi::schema::ObjectBuilder {
    let names: Vec<&str> = Crs::ALL
        .iter()
        .map(|c| c.uri())
        .chain(Crs::ALL.map(Crs::short))
        .collect();
    crate::openapi::schemas::words(&names)
}

/// The coordinate reference systems features are served in (OGC API – Features Part 2).
/// onemap keeps WGS84 longitude/latitude, which CGCS2000 (EPSG:4490) matches to well within
/// the accuracy of any boundary; the EPSG forms put latitude first, as their axis order says.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Crs {
    Crs84,
    Wgs84,
    Cgcs2000,
}

impl Crs {
    const ALL: [Crs; 3] = [Crs::Crs84, Crs::Wgs84, Crs::Cgcs2000];

    fn uri(self) -> &'static str {
        match self {
            Crs::Crs84 => "http://www.opengis.net/def/crs/OGC/1.3/CRS84",
            Crs::Wgs84 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Crs::Cgcs2000 => "http://www.opengis.net/def/crs/EPSG/0/4490",
        }
    }

    /// The short name, as `EPSG:4326`.
    fn short(self) -> &'static str {
        match self {
            Crs::Crs84 => "OGC:CRS84",
            Crs::Wgs84 => "EPSG:4326",
            Crs::Cgcs2000 => "EPSG:4490",
        }
    }

    /// The CRS a query parameter names (its URI, or `EPSG:4326` and the like); CRS84 when
    /// absent.
    fn of(raw: Option<&str>, parameter: &str) -> ApiResult<Crs> {
        let Some(raw) = raw else {
            return Ok(Crs::Crs84);
        };
        Crs::ALL
            .into_iter()
            .find(|c| raw == c.uri() || raw.eq_ignore_ascii_case(c.short()))
            .ok_or_else(|| {
                ApiError::bad_request(
                    "invalid_parameter",
                    format!(
                        "`{parameter}` is `{raw}`; use one of {}",
                        Crs::ALL.map(Crs::uri).join(", ")
                    ),
                )
            })
    }

    fn latitude_first(self) -> bool {
        self != Crs::Crs84
    }

    /// A bbox given in this CRS as `[west, south, east, north]` in longitude/latitude.
    fn to_lnglat(self, b: [f64; 4]) -> [f64; 4] {
        if self.latitude_first() {
            [b[1], b[0], b[3], b[2]]
        } else {
            b
        }
    }

    /// A FeatureCollection's coordinates in this CRS's axis order.
    fn features(self, mut doc: Value) -> Value {
        if self.latitude_first() {
            if let Some(features) = doc["features"].as_array_mut() {
                features
                    .iter_mut()
                    .for_each(|f| swap_axes(&mut f["geometry"]["coordinates"]));
            }
        }
        doc
    }

    /// A Feature's coordinates in this CRS's axis order.
    fn feature(self, mut doc: Value) -> Value {
        if self.latitude_first() {
            swap_axes(&mut doc["geometry"]["coordinates"]);
        }
        doc
    }
}

/// Swaps the two numbers of every position in GeoJSON `coordinates`.
fn swap_axes(coordinates: &mut Value) {
    if let Some(items) = coordinates.as_array_mut() {
        if items.first().is_some_and(Value::is_number) {
            if items.len() >= 2 {
                items.swap(0, 1);
            }
        } else {
            items.iter_mut().for_each(swap_axes);
        }
    }
}

/// `response` saying which CRS its coordinates are in (`Content-Crs`, Part 2).
fn with_crs(mut response: Response, crs: Crs) -> Response {
    let value = format!("<{}>", crs.uri());
    if let Ok(v) = HeaderValue::from_str(&value) {
        response.headers_mut().insert("content-crs", v);
    }
    response
}

fn collection_of(id: &str) -> ApiResult<Layer> {
    id.parse().map_err(|e: onemap_index::model::UnknownLayer| {
        ApiError::not_found(format!("no collection `{id}`: {e}"))
    })
}

fn parse_bbox(raw: &str) -> ApiResult<[f64; 4]> {
    let bad = || {
        ApiError::bad_request(
            "invalid_parameter",
            format!("`bbox` is `{raw}`; it must be four numbers: west,south,east,north in degrees"),
        )
    };
    let numbers: Vec<f64> = raw
        .split(',')
        .map(|n| n.trim().parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| bad())?;
    let [w, s, e, n]: [f64; 4] = numbers.try_into().map_err(|_| bad())?;
    if !(w.is_finite() && s.is_finite() && e.is_finite() && n.is_finite()) || w > e || s > n {
        return Err(bad());
    }
    Ok([w, s, e, n])
}

/// The equality filters in the query: on `name` and on the kind's registry fields.
pub(super) fn filters(layer: Layer, params: &Params) -> Vec<Filter> {
    let k = spec(layer);
    std::iter::once("name")
        .chain(k.fields.iter().map(|f| f.name))
        .filter_map(|name| k.filter(name, params.get(name)?))
        .collect()
}

/// `s` with the characters a query value cannot hold escaped.
pub(super) fn percent(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `POST /ogc/collections/{id}/items` (Part 4): creates the feature in the body, which names
/// its id; 201 with its `Location` and version as `ETag`. An existing id gets 428, as a PUT
/// without `If-Match` does.
#[utoipa::path(
    post,
    path = "/ogc/collections/{id}/items",
    tag = "ogc",
    operation_id = "ogcCreate",
    summary = "Create a feature (Part 4)",
    description = "A GeoJSON Feature naming its id. 201 with `Location` and the version as `ETag`; an id that exists gets 428 (replace it with PUT and `If-Match`). Planners only.",
    params(CollectionPath),
    security(("bearerAuth" = ["planner"])),
    request_body(content(
        (LayerFeature = "application/geo+json"),
        (LayerFeature = "application/json"),
    )),
    responses(
        (status = 201, description = "Created.", body = crate::routes::layers::Written,
            headers(
                ("ETag" = String, description = "The feature's version as a strong entity tag, e.g. `\"12\"`."),
                ("Location" = String, description = "The new feature's URL."),
            ),
            example = json!({ "layer": "camera", "id": "CAM-1", "version": 44 })),
        (status = 400, response = BadRequest),
        (status = 401, response = Unauthorized),
        (status = 403, response = Forbidden),
        (status = 404, response = NotFound),
        (status = 408, response = RequestTimeout),
        (status = 412, response = PreconditionFailed),
        (status = 413, response = PayloadTooLarge),
        (status = 422, response = Unprocessable),
        (status = 428, response = PreconditionRequired),
        (status = 503, response = Unavailable),
    ),
)]
pub async fn create(
    State(state): State<AppState>,
    caller: Caller,
    Path(id): Path<String>,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Response> {
    caller.require(Access::Planner, "creating features")?;
    let layer = collection_of(&id)?;
    let written = write_feature(
        &state,
        &caller,
        layer,
        body,
        None,
        Expect::Unstated,
        OnInvalid::Refuse,
    )
    .await?;
    let location = format!(
        "{}/collections/{layer}/items/{}",
        base(&state, &headers),
        percent(&written.id)
    );
    let mut response = written.answer(StatusCode::CREATED);
    response
        .headers_mut()
        .insert(header::LOCATION, header_value(&location));
    Ok(response)
}

/// `PATCH /ogc/collections/{id}/items/{featureId}` (Part 4): the members of the body's
/// `properties` replace the feature's (`null` removes one), and its `geometry`, when given,
/// replaces the feature's; checked and committed as a whole feature. Needs `If-Match`.
#[utoipa::path(
    patch,
    path = "/ogc/collections/{id}/items/{feature}",
    tag = "ogc",
    operation_id = "ogcUpdate",
    summary = "Update a feature (Part 4)",
    description = "The members of the body's `properties` replace the feature's (`null` removes one) and its `geometry`, when given, replaces the feature's; the result is checked and committed as a whole feature. Planners only; needs `If-Match`.",
    security(("bearerAuth" = ["planner"])),
    params(ItemPath, IfMatch),
    request_body(content(
        (crate::openapi::schemas::FeaturePatch = "application/json"),
        (Object = "application/merge-patch+json"),
    )),
    responses(FeatureWrite),
)]
pub async fn update(
    State(state): State<AppState>,
    caller: Caller,
    Path((id, feature)): Path<(String, String)>,
    headers: HeaderMap,
    Payload(body): Payload,
) -> ApiResult<Response> {
    caller.require(Access::Planner, "editing features")?;
    let layer = collection_of(&id)?;
    let expect = if_match(&headers)?;
    let patch: Value = serde_json::from_slice(&body)
        .map_err(|e| ApiError::bad_request("invalid_json", format!("the body is not JSON: {e}")))?;
    let current = state
        .live
        .snapshot()
        .get(layer, &feature)
        .map(|f| serde_json::to_value(feature_to_geojson(f)).unwrap_or(Value::Null))
        .ok_or_else(|| ApiError::not_found(format!("{layer}/{feature} does not exist")))?;
    let merged = merge(current, &patch)?;
    let written = write_feature(
        &state,
        &caller,
        layer,
        merged.to_string().into(),
        Some(feature),
        expect,
        OnInvalid::Refuse,
    )
    .await?;
    Ok(written.answer(StatusCode::OK))
}

/// `current` (a GeoJSON Feature) with `patch`'s properties and geometry laid over it.
fn merge(mut current: Value, patch: &Value) -> ApiResult<Value> {
    let Some(patch) = patch.as_object() else {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid_structure",
            "send a JSON object with `properties` and/or `geometry`",
        ));
    };
    if let Some(properties) = patch.get("properties").and_then(Value::as_object) {
        let target = &mut current["properties"];
        for (key, value) in properties {
            if value.is_null() {
                if let Some(o) = target.as_object_mut() {
                    o.remove(key);
                }
            } else {
                target[key] = value.clone();
            }
        }
    }
    if let Some(geometry) = patch.get("geometry").filter(|g| !g.is_null()) {
        current["geometry"] = geometry.clone();
    }
    // The version stored with the feature is not a property a patch sets.
    if let Some(o) = current["properties"].as_object_mut() {
        o.remove("version");
    }
    Ok(current)
}

/// `PUT /ogc/collections/{id}/items/{featureId}` (Part 4): the same as the API's PUT.
#[utoipa::path(
    put,
    path = "/ogc/collections/{id}/items/{feature}",
    tag = "ogc",
    operation_id = "ogcReplace",
    summary = "Replace a feature (Part 4)",
    description = "The same as `PUT /v1/layers/{layer}/features/{id}`: planners only, `If-Match` with the version edited (or `*`), checked and audited.",
    params(ItemPath, IfMatch, RepairQuery),
    security(("bearerAuth" = ["planner"])),
    request_body(content(
        (LayerFeature = "application/geo+json"),
        (LayerFeature = "application/json"),
    )),
    responses(FeatureWrite),
)]
pub async fn replace(
    state: State<AppState>,
    caller: Caller,
    path: Path<(String, String)>,
    params: Params,
    headers: HeaderMap,
    body: Payload,
) -> ApiResult<Response> {
    layers::put_feature(state, caller, path, params, headers, body).await
}

/// `DELETE /ogc/collections/{id}/items/{featureId}` (Part 4): the same as the API's DELETE.
#[utoipa::path(
    delete,
    path = "/ogc/collections/{id}/items/{feature}",
    tag = "ogc",
    operation_id = "ogcDelete",
    summary = "Delete a feature (Part 4)",
    description = "The same as `DELETE /v1/layers/{layer}/features/{id}`.",
    security(("bearerAuth" = ["planner"])),
    params(ItemPath, IfMatch),
    responses(FeatureDelete),
)]
pub async fn delete(
    state: State<AppState>,
    caller: Caller,
    path: Path<(String, String)>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    layers::delete_feature(state, caller, path, headers).await
}
