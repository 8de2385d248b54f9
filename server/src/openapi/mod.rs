//! The OpenAPI document, generated from the code: each handler's `#[utoipa::path]`, the answer
//! types it serialises (`#[derive(ToSchema)]`), the layer registry and the error codes.
//! `GET /openapi.json` serves it; `onemap openapi` writes the copy in `docs/openapi.json`.

pub mod params;
pub mod responses;
pub mod schemas;

use crate::routes::{events, layers, leaders, locate, meta, ogc, overlaps, sight, stats, tiles};
use responses::*;
use schemas::*;
use std::sync::OnceLock;
use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem};
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, OpenApi as Document, Ref, ResponseBuilder};
use utoipa::{Modify, OpenApi, ToResponse};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "onemap HTTP API",
        version = "1.0.0",
        description = include_str!("api.md"),
        license(name = "Apache-2.0", identifier = "Apache-2.0"),
    ),
    servers((url = "http://127.0.0.1:8080", description = "Default `onemap serve` address.")),
    tags(
        (name = "locate", description = "Which grid, beat, station, people and cameras answer for a point."),
        (name = "search", description = "Find features by name or id."),
        (name = "layers", description = "Layers: list, GeoJSON export and import."),
        (name = "features", description = "Read and write one feature, with versions as ETags."),
        (name = "overlaps", description = "Grid ↔ beat overlaps (“两张皮”) and polygon queries."),
        (name = "people", description = "Responsible people (网格长, 网格员, 社区民警, 辅警, 所长)."),
        (name = "audit", description = "Who changed what."),
        (name = "meta", description = "Health and this document."),
        (name = "tiles", description = "Vector tiles, TileJSON, the map style and the map page."),
        (name = "ogc", description = "OGC API – Features, Part 1 Core and Part 4 (create, replace, update, delete): what QGIS and GDAL read."),
        (name = "events", description = "Incidents (110, 12345, grid reports, video patrol): reporting them and their trend."),
        (name = "leaders", description = "Coverage views for leaders: heatmaps and statistics."),
    ),
    paths(
        locate::locate_one,
        locate::locate_batch,
        meta::search,
        layers::list,
        layers::export,
        layers::import,
        layers::get_feature,
        layers::put_feature,
        layers::delete_feature,
        overlaps::grid_overlaps,
        overlaps::beat_grids,
        overlaps::matrix,
        overlaps::intersects,
        layers::import_people,
        layers::get_person,
        layers::audit,
        meta::health,
        meta::openapi,
        tiles::single,
        tiles::composite,
        tiles::tilejson_layer,
        tiles::tilejson_all,
        meta::style,
        layers::check,
        ogc::landing,
        ogc::conformance,
        ogc::collections,
        ogc::one_collection,
        ogc::items,
        ogc::create,
        ogc::item,
        ogc::replace,
        ogc::delete,
        ogc::update,
        leaders::heatmap,
        leaders::heatmap_tile,
        events::import,
        events::trend,
        stats::list,
        stats::one,
        sight::shares,
        sight::uncovered,
    ),
    components(
        schemas(
            Error, ErrorCode, Layer, Role, LngLat, BBox, GridLevel, Position,
            LinearRing, Point, Polygon, MultiPolygon, AreaGeometry, LayerFeature,
            FeatureCollection, ExportFeature, ExportCollection, IntersectsRequest,
            BatchLocateRequest, PersonIn, MapLibreStyle, AuditEntry,
        ),
        responses(
            BadRequest, Unauthorized, InvalidToken, Forbidden, NotFound, Conflict,
            PreconditionFailed, PayloadTooLarge, UnsupportedMediaType, Unprocessable, PreconditionRequired, Internal,
            Unavailable, TooManyRequests, RequestTimeout, Updated, Created, Feature,
            FeatureNotModified, Deleted, Tile, VectorTile, EmptyTile, TileNotModified, TileOutOfRange,
        ),
    ),
    modifiers(&Kinds, &BearerAuth, &MapPage, &EveryRoute),
)]
pub struct ApiDoc;

/// The document as served, made once.
pub fn document() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        ApiDoc::openapi()
            .to_json()
            .expect("the OpenAPI document serialises")
    })
}

/// The document as `docs/openapi.json` keeps it: indented, ending in a newline.
pub fn pretty() -> String {
    let text = ApiDoc::openapi()
        .to_pretty_json()
        .expect("the OpenAPI document serialises");
    format!("{text}\n")
}

/// `<Kind>Properties` and `<Kind>Feature` for every kind in the registry.
struct Kinds;

impl Modify for Kinds {
    fn modify(&self, doc: &mut Document) {
        add_kinds(doc.components.get_or_insert_with(Default::default));
    }
}

/// The bearer tokens operations name in their security requirements.
struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, doc: &mut Document) {
        let scheme = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("A server-configured token (config file or `ONEMAP_TOKENS=name:role:token;...`). The role names in an operation's security requirement are the least role needed: public < dispatcher < planner < admin. Public: people masked. Dispatcher: full people data. Planner: writes. Admin: audit."))
            .build();
        doc.components
            .get_or_insert_with(Default::default)
            .add_security_scheme("bearerAuth", SecurityScheme::Http(scheme));
    }
}

/// `GET /`: the map page, which the router serves from the web directory (no handler).
struct MapPage;

impl Modify for MapPage {
    fn modify(&self, doc: &mut Document) {
        let page = OperationBuilder::new()
            .tag("tiles")
            .operation_id(Some("mapPage"))
            .summary(Some("The map page (网格+警格一张图)"))
            .description(Some("The MapLibre GL page from the web directory (`web/dist`). Other paths outside `/v1/` are served from the same directory (scripts, CSS, MapLibre); a missing file is a plain 404."))
            .response(
                "200",
                ResponseBuilder::new().description("index.html.").content(
                    "text/html",
                    ContentBuilder::new()
                        .schema(Some(ObjectBuilder::new().schema_type(Type::String)))
                        .build(),
                ),
            )
            .response(
                "304",
                ResponseBuilder::new().description("Not modified: If-None-Match holds the page's current ETag (the page's files are revalidated on every load)."),
            )
            .response(
                "404",
                ResponseBuilder::new().description("The page has not been built.").content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Error")))
                        .build(),
                ),
            )
            .build();
        doc.paths
            .paths
            .insert("/".into(), PathItem::new(HttpMethod::Get, page));
    }
}

/// What every operation may answer, whatever its handler does: 401 for an unknown token (every
/// route refuses one), 429 over the caller's request budget, 500 when a handler panics.
struct EveryRoute;

impl Modify for EveryRoute {
    fn modify(&self, doc: &mut Document) {
        for item in doc.paths.paths.values_mut() {
            let operations = [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ];
            for operation in operations.into_iter().flatten() {
                let responses = &mut operation.responses.responses;
                for (status, name) in [
                    ("401", InvalidToken::response().0),
                    ("429", TooManyRequests::response().0),
                    ("500", Internal::response().0),
                ] {
                    responses
                        .entry(status.into())
                        .or_insert_with(|| Ref::from_response_name(name).into());
                }
            }
        }
    }
}
