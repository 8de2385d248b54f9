//! The error answers many operations share, each a named response of the document
//! (`#/components/responses/<Name>`), with an example of the body per code.

use serde_json::{json, Value};
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::{ContentBuilder, Ref, RefOr, Response, ResponseBuilder};
use utoipa::ToResponse;

/// A shared error response: `$name` answers with `Error` bodies, one example per code;
/// `Retry-After` is documented where the server sends it.
macro_rules! error_response {
    ($name:ident, $description:literal, retry_after: $retry:literal, examples: {$($code:literal: $body:tt),+ $(,)?}) => {
        pub enum $name {}

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                let examples = [$(($code, json!($body))),+];
                (stringify!($name), error($description, $retry, &examples).into())
            }
        }
    };
}

fn error(description: &str, retry_after: bool, examples: &[(&str, Value)]) -> Response {
    let content = ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("Error")))
        .examples_from_iter(examples.iter().map(|(code, body)| {
            (
                *code,
                utoipa::openapi::example::ExampleBuilder::new().value(Some(body.clone())),
            )
        }))
        .build();
    let mut response = ResponseBuilder::new()
        .description(description)
        .content("application/json", content);
    if retry_after {
        response = response.header("Retry-After", retry_after_header());
    }
    response.build()
}

/// `Retry-After`: whole seconds.
fn retry_after_header() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .examples([1]),
        )
        .description(Some("Seconds to wait before trying again."))
        .build()
}

error_response!(
    BadRequest,
    "Bad input: `invalid_query`, `missing_parameter`, `invalid_parameter`, `out_of_range`, `invalid_coordinates`, `invalid_json`, `invalid_csv`, `invalid_geometry` (intersects), `id_mismatch`, `invalid_if_match`, `unsupported_overlap`, `unreadable_body`.",
    retry_after: false,
    examples: {
        "missing_parameter": { "error": "missing_parameter", "message": "`lng` is required: the longitude, a number" },
        "out_of_range": { "error": "out_of_range", "message": "`radius` is 9000; it must be a number from 0 to 5000" },
    }
);

error_response!(
    Unauthorized,
    "`invalid_token`: the bearer token is unknown; or `forbidden`: no token, and the operation needs a role.",
    retry_after: false,
    examples: {
        "forbidden": { "error": "forbidden", "message": "importing needs a planner token or better (send authorization: bearer <token>)" },
        "invalid_token": { "error": "invalid_token", "message": "the bearer token is not known to this server; ask an admin for a token or drop the header" },
    }
);

error_response!(
    InvalidToken,
    "`invalid_token`: an Authorization header was sent with an unknown token. Every route refuses it, so a mistyped token never passes for public access: drop the header to be public.",
    retry_after: false,
    examples: {
        "invalid_token": { "error": "invalid_token", "message": "the bearer token is not known to this server; ask an admin for a token or drop the header" },
    }
);

error_response!(
    Forbidden,
    "`forbidden`: the token's role is below the one needed.",
    retry_after: false,
    examples: {
        "forbidden": { "error": "forbidden", "message": "importing needs a planner token or better (send authorization: bearer <token>)" },
    }
);

error_response!(
    NotFound,
    "`not_found` or `unknown_layer` (or `unknown_route` for an unknown `/v1/...` path).",
    retry_after: false,
    examples: {
        "not_found": { "error": "not_found", "message": "grid/G-404 does not exist" },
        "unknown_layer": { "error": "unknown_layer", "message": "unknown layer `roads`: use one of grid, beat, station, camera" },
    }
);

error_response!(
    Conflict,
    "`has_dependents`: the feature still has children or people; the body lists them (`children`, `people`).",
    retry_after: false,
    examples: {
        "has_dependents": { "error": "has_dependents", "message": "grid/C01 still has children or people: move them first", "children": [{ "layer": "grid", "id": "G0001" }], "people": ["P001"] },
    }
);

error_response!(
    PreconditionFailed,
    "`stale_version`: the feature is at another version than If-Match says (`current_version`; 0 = it does not exist).",
    retry_after: false,
    examples: {
        "stale_version": { "error": "stale_version", "message": "grid/G1 is at version 14, not 12: reload it and try again", "current_version": 14 },
    }
);

error_response!(
    PayloadTooLarge,
    "`body_too_large`: over `max_body_mb` (64 MB by default) with a token, over `public_max_body_mb` (8 MB by default) without one.",
    retry_after: false,
    examples: {
        "body_too_large": { "error": "body_too_large", "message": "the request body is larger than this server accepts (max_body_mb, 64 MB by default): split the import" },
    }
);

error_response!(
    UnsupportedMediaType,
    "`unsupported_format`: the body is none of the formats read (GeoJSON, a zipped Shapefile, GeoPackage, KML, FlatGeobuf, CSV).",
    retry_after: false,
    examples: {
        "unsupported_format": { "error": "unsupported_format", "message": "the body looks like a PDF document; send GeoJSON, a zipped Shapefile, a GeoPackage, KML, FlatGeobuf or CSV" },
    }
);

error_response!(
    Unprocessable,
    "The body parsed as JSON but is refused: `invalid_structure`, `wrong_crs`, `missing_id`, `duplicate_id`, `invalid_geometry`, `invalid_property`, with `feature_index` / `feature_id` naming the record. Nothing was written.",
    retry_after: false,
    examples: {
        "invalid_geometry": { "error": "invalid_geometry", "message": "feature 3 (id `G17`): polygon 0, ring 0: the ring is not closed: ...", "feature_index": 3, "feature_id": "G17" },
        "invalid_property": { "error": "invalid_property", "message": "feature 0 (id `G1`): property `level` must be a whole number from 0 to 4, not \"x\"", "feature_index": 0, "feature_id": "G1" },
    }
);

error_response!(
    PreconditionRequired,
    "`precondition_required`: the feature exists and the write sent no If-Match (`current_version` says which to send).",
    retry_after: false,
    examples: {
        "precondition_required": { "error": "precondition_required", "message": "grid/G1 exists (version 12): send If-Match with the version you edited, or If-Match: * to overwrite", "current_version": 12 },
    }
);

error_response!(
    Internal,
    "`internal`: the server failed; details are logged only.",
    retry_after: false,
    examples: {
        "internal": { "error": "internal", "message": "the server failed to complete the request; it has been logged" },
    }
);

error_response!(
    Unavailable,
    "The server cannot do this right now; try again. `busy`: the heavy-work queue is full (`Retry-After` says when to retry); `time_limit`: the work ran past `work_time_limit_s` (send a smaller polygon or fewer features); `cancelled`: the server is stopping; `store_unavailable` (writes and the audit log): the store cannot be reached, while reads still answer from memory.",
    retry_after: true,
    examples: {
        "busy": { "error": "busy", "message": "the server's heavy queue is full: try again in a second" },
        "store_unavailable": { "error": "store_unavailable", "message": "the store cannot take writes right now; reads still work. Try again shortly." },
    }
);

error_response!(
    TooManyRequests,
    "`rate_limited`: this caller has used its request budget (`public_requests_per_s` per address without a token, `token_requests_per_s` per token; bursts of twice as many). `Retry-After` says how many seconds to wait.",
    retry_after: true,
    examples: {
        "rate_limited": { "error": "rate_limited", "message": "too many requests from this caller: wait 1 s (a token gets a larger budget)" },
    }
);

error_response!(
    RequestTimeout,
    "`request_timeout`: the request body did not arrive within `body_timeout_s` (60 s by default).",
    retry_after: false,
    examples: {
        "request_timeout": { "error": "request_timeout", "message": "the request body did not arrive within body_timeout_s: send it faster, or split it" },
    }
);

/// A shared answer that is not an error, built by `$build`.
macro_rules! shared_response {
    ($name:ident => $build:expr) => {
        pub enum $name {}

        impl<'r> ToResponse<'r> for $name {
            fn response() -> (&'r str, RefOr<Response>) {
                (stringify!($name), $build.into())
            }
        }
    };
}

shared_response!(Updated => written("Updated.", None));

shared_response!(Created => written(
    "Created.",
    Some(json!({ "layer": "camera", "id": "CAM-1", "version": 44 })),
));

shared_response!(Tile => ResponseBuilder::new()
    .description("The tile.")
    .header("ETag", tile_etag())
    .header(
        "Content-Encoding",
        HeaderBuilder::new()
            .schema(ObjectBuilder::new().schema_type(Type::String).enum_values(Some(["gzip"])))
            .description(Some("`gzip` when the client accepts it."))
            .build(),
    )
    .content(crate::routes::tiles::MVT, ContentBuilder::new().build()));

shared_response!(VectorTile => ResponseBuilder::new()
    .description("The tile.")
    .content(crate::routes::tiles::MVT, ContentBuilder::new().build()));

shared_response!(EmptyTile => ResponseBuilder::new()
    .description("The tile is empty (no features there). No body."));

shared_response!(TileNotModified => ResponseBuilder::new()
    .description("Not modified: If-None-Match matches the tile's ETag.")
    .header("ETag", tile_etag()));

error_response!(
    TileOutOfRange,
    "`out_of_range`: z above 22, or x/y not below 2^z; `invalid_tile`: z, x or y is not a whole number.",
    retry_after: false,
    examples: {
        "out_of_range": { "error": "out_of_range", "message": "tile 1/2/0 does not exist: zoom 1 has 2^1 tiles on each axis" },
    }
);

/// A single-feature write's answer: the new version in the body and as `ETag`.
fn written(description: &str, example: Option<Value>) -> Response {
    ResponseBuilder::new()
        .description(description)
        .header("ETag", feature_etag())
        .content(
            "application/json",
            ContentBuilder::new()
                .schema(Some(Ref::from_schema_name("WriteResult")))
                .example(example)
                .build(),
        )
        .build()
}

/// A feature's version as its `ETag`.
pub fn feature_etag() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(
            ObjectBuilder::new()
                .schema_type(Type::String)
                .pattern(Some("^\"[0-9]+\"$"))
                .examples(["\"12\""]),
        )
        .description(Some("The feature's version as a strong entity tag, e.g. `\"12\"`. Send it back in If-Match / If-None-Match."))
        .build()
}

fn tile_etag() -> utoipa::openapi::header::Header {
    HeaderBuilder::new()
        .schema(ObjectBuilder::new().schema_type(Type::String))
        .description(Some(
            "Entity tag of the tile's content; send it back in If-None-Match.",
        ))
        .build()
}

shared_response!(Feature => ResponseBuilder::new()
.description("The feature.")
.header("ETag", feature_etag())
.content(
    "application/geo+json",
    ContentBuilder::new()
        .schema(Some(Ref::from_schema_name("ExportFeature")))
        .build(),
));

shared_response!(FeatureNotModified => ResponseBuilder::new()
    .description("Not modified: the feature is still at the If-None-Match version. Empty body.")
    .header("ETag", feature_etag()));

/// A fixed set of statuses, each a shared response: what every operation of one sort answers.
macro_rules! response_set {
    ($(#[$doc:meta])* $name:ident { $($status:literal => $response:ident),+ $(,)? }) => {
        $(#[$doc])*
        pub enum $name {}

        impl utoipa::IntoResponses for $name {
            fn responses() -> std::collections::BTreeMap<String, RefOr<Response>> {
                [$(($status, $response::response().0)),+]
                    .into_iter()
                    .map(|(status, name)| (status.to_string(), Ref::from_response_name(name).into()))
                    .collect()
            }
        }
    };
}

response_set!(
    /// A create or update of one feature by id (`PUT`, OGC API's `PUT` and `PATCH`).
    FeatureWrite {
        "200" => Updated,
        "201" => Created,
        "400" => BadRequest,
        "401" => Unauthorized,
        "403" => Forbidden,
        "404" => NotFound,
        "408" => RequestTimeout,
        "412" => PreconditionFailed,
        "413" => PayloadTooLarge,
        "422" => Unprocessable,
        "428" => PreconditionRequired,
        "503" => Unavailable,
    }
);

response_set!(
    /// A delete of one feature (`DELETE`, OGC API's `DELETE`).
    FeatureDelete {
        "204" => Deleted,
        "400" => BadRequest,
        "401" => Unauthorized,
        "403" => Forbidden,
        "404" => NotFound,
        "409" => Conflict,
        "412" => PreconditionFailed,
        "428" => PreconditionRequired,
        "503" => Unavailable,
    }
);

shared_response!(Deleted => ResponseBuilder::new().description("Deleted."));
