//! The router: every route of the API in one place, and the layers every response passes.

use crate::error::ApiError;
use crate::guard;
use crate::routes::{events, layers, leaders, locate, meta, ogc, overlaps, sight, stats, tiles};
use crate::state::AppState;
use crate::web::{self, SecurityHeaders};
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::middleware::{from_fn, from_fn_with_state};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::predicate::{DefaultPredicate, NotForContentType, Predicate};
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;
use tower_http::timeout::RequestBodyTimeoutLayer;

pub fn router(state: AppState) -> Router {
    let writes = Router::new()
        .route("/v1/layers/{layer}/import", post(layers::import))
        .route(
            "/v1/layers/{layer}/features/{id}",
            get(layers::get_feature)
                .put(layers::put_feature)
                .delete(layers::delete_feature),
        )
        .route("/v1/people/import", post(layers::import_people))
        .route(
            "/ogc/collections/{id}/items",
            get(ogc::items).post(ogc::create),
        )
        .route(
            "/ogc/collections/{id}/items/{feature}",
            get(ogc::item)
                .put(ogc::replace)
                .patch(ogc::update)
                .delete(ogc::delete),
        )
        .route_layer(from_fn_with_state(
            state.tokens.clone(),
            guard::writers_only,
        ));
    let reports = Router::new()
        .route("/v1/layers/event/import", post(events::import))
        .route_layer(from_fn_with_state(
            state.tokens.clone(),
            guard::reporters_only,
        ));
    let api = Router::new()
        .route("/health", get(meta::health))
        .route("/openapi.json", get(meta::openapi))
        .route("/style.json", get(meta::style))
        .route(
            "/v1/locate",
            get(locate::locate_one).post(locate::locate_batch),
        )
        .route("/v1/search", get(meta::search))
        .route("/v1/layers", get(layers::list))
        .route("/v1/layers/{file}", get(layers::export))
        .route("/v1/layers/{layer}/check", get(layers::check))
        .merge(writes)
        .route("/v1/people/{id}", get(layers::get_person))
        .route("/v1/audit", get(layers::audit))
        .route("/v1/grids/{id}/overlaps", get(overlaps::grid_overlaps))
        .route("/v1/beats/{id}/grids", get(overlaps::beat_grids))
        .route("/v1/overlaps", get(overlaps::matrix))
        .merge(reports)
        .route("/v1/heatmap", get(leaders::heatmap))
        .route("/v1/events/trend", get(events::trend))
        .route("/v1/stats/{layer}", get(stats::list))
        .route("/v1/stats/{layer}/{id}", get(stats::one))
        .route("/v1/coverage/{file}", get(sight::coverage))
        .route("/v1/intersects", post(overlaps::intersects))
        .route("/tiles.json", get(tiles::tilejson_all))
        .route("/tiles/{file}", get(tiles::tilejson_layer))
        .route("/tiles/{z}/{x}/{y}", get(tiles::composite))
        .route("/tiles/heatmap/{z}/{x}/{y}", get(leaders::heatmap_tile))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::single))
        .route("/ogc", get(ogc::landing))
        .route("/ogc/conformance", get(ogc::conformance))
        .route("/ogc/collections", get(ogc::collections))
        .route("/ogc/collections/{id}", get(ogc::one_collection))
        .route("/v1/{*rest}", axum::routing::any(unknown_route));
    let files = ServeDir::new(&state.config.web_dir).append_index_html_on_directories(true);
    let page = Router::new()
        .fallback_service(files)
        .layer(from_fn(web::revalidate));
    let security = SecurityHeaders::for_page(&state.config.web_dir);
    let guard = &state.config.guard;
    api.fallback_service(page)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
        // The cap wraps the timed body, so a body over it is told apart as 413.
        .layer(from_fn_with_state(state.clone(), guard::admit))
        .layer(RequestBodyTimeoutLayer::new(guard::Guard::seconds(
            guard.body_timeout_s,
        )))
        .layer(
            CompressionLayer::new().gzip(true).compress_when(
                DefaultPredicate::new().and(NotForContentType::const_new(tiles::MVT)),
            ),
        )
        .layer(web::cors(&guard.cors_origins))
        .layer(from_fn(web::json_errors))
        .layer(from_fn(move |req, next| security.clone().apply(req, next)))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("handler", "a request handler panicked").into_response()
        }))
        .with_state(state)
}

async fn unknown_route() -> impl IntoResponse {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_route",
        "no such API route: see /openapi.json",
    )
}
