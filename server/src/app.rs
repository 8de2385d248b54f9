//! The router: every route of the API in one place.

use crate::error::ApiError;
use crate::routes::{layers, locate, meta, overlaps, tiles};
use crate::state::AppState;
use axum::extract::DefaultBodyLimit;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::Router;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::services::ServeDir;

pub fn router(state: AppState) -> Router {
    let web = ServeDir::new(&state.config.web_dir).append_index_html_on_directories(true);
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
        .route("/v1/layers/{layer}/import", post(layers::import))
        .route(
            "/v1/layers/{layer}/features/{id}",
            get(layers::get_feature)
                .put(layers::put_feature)
                .delete(layers::delete_feature),
        )
        .route("/v1/people/import", post(layers::import_people))
        .route("/v1/people/{id}", get(layers::get_person))
        .route("/v1/audit", get(layers::audit))
        .route("/v1/grids/{id}/overlaps", get(overlaps::grid_overlaps))
        .route("/v1/beats/{id}/grids", get(overlaps::beat_grids))
        .route("/v1/overlaps", get(overlaps::matrix))
        .route("/v1/intersects", post(overlaps::intersects))
        .route("/tiles.json", get(tiles::tilejson_all))
        .route("/tiles/{file}", get(tiles::tilejson_layer))
        .route("/tiles/{z}/{x}/{y}", get(tiles::composite))
        .route("/tiles/{layer}/{z}/{x}/{y}", get(tiles::single))
        .route("/v1/{*rest}", axum::routing::any(unknown_route));
    api.fallback_service(web)
        .layer(DefaultBodyLimit::max(state.config.max_body_bytes))
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
