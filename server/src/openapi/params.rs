//! The parameters of the operations, as the document lists them. Handlers read query strings
//! by name through [`crate::params::Params`] (so that a bad value gets an error naming it), not
//! through these structs: they only describe, and are never built.
#![allow(dead_code)]

use super::schemas::{built_schema, words, Layer};
use utoipa::IntoParams;

/// `grid`, `beat`, … in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct LayerPath {
    /// Layer name; anything else is 404 `unknown_layer`.
    layer: Layer,
}

/// A feature of a layer, in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct FeaturePath {
    /// Layer name; anything else is 404 `unknown_layer`.
    layer: Layer,
    /// Feature id (percent-encode non-ASCII ids).
    #[param(min_length = 1, max_length = 128)]
    id: String,
}

/// The version a write was made against.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfMatch {
    /// The version you edited, as the ETag (`"12"`; `W/"12"` and bare `12` are accepted too),
    /// or `*` to overwrite whatever is there. Required when the feature exists (else 428);
    /// absent on a new feature means “create only if it still does not exist” (else 412). Not
    /// a version → 400 `invalid_if_match`; a different version → 412 `stale_version`.
    #[param(
        nullable = false,
        rename = "If-Match",
        pattern = r#"^(\*|(W/)?"?[0-9]+"?)$"#,
        example = r#""12""#
    )]
    if_match: Option<String>,
}

/// A feature's version a client already holds.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatchVersion {
    /// An ETag such as `"12"`: 304 when the feature is still at that version (exact match
    /// only).
    #[param(nullable = false, rename = "If-None-Match", example = r#""12""#)]
    if_none_match: Option<String>,
}

/// The city version of an export a client already holds.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct IfNoneMatchExport {
    /// The ETag of an earlier export: 304 while the city is still at that version.
    #[param(nullable = false, rename = "If-None-Match", example = r#"W/"42""#)]
    if_none_match: Option<String>,
}

/// `GET /v1/locate`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LocateQuery {
    /// Longitude in `crs` (checked to be -180..180 before conversion; else 400
    /// `invalid_coordinates`).
    #[param(minimum = -180, maximum = 180)]
    lng: f64,
    /// Latitude in `crs` (-90..90).
    #[param(minimum = -90, maximum = 90)]
    lat: f64,
    /// Coordinate system of lng/lat, case-insensitive: WGS84/CGCS2000, GCJ-02 (高德, 腾讯) or
    /// BD-09 (百度). Converted to WGS84. Other values → 400 `invalid_parameter`.
    #[param(value_type = Option<PointCrs>, inline)]
    crs: Option<String>,
    /// How many nearest cameras to return (over 100 → 400 `out_of_range`; not a whole number
    /// → `invalid_parameter`).
    #[param(nullable = false, minimum = 0, maximum = 100, default = 5)]
    cameras: Option<u32>,
    /// Camera search radius in metres.
    #[param(nullable = false, minimum = 0, maximum = 5000, default = 300)]
    radius: Option<f64>,
    /// Boundary distance in metres under which neighbouring grids/beats are listed in `near`.
    #[param(nullable = false, minimum = 0, maximum = 1000, default = 30)]
    near: Option<f64>,
}

/// `POST /v1/locate`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BatchQuery {
    /// Coordinate system of the points, case-insensitive: WGS84/CGCS2000, GCJ-02 (高德, 腾讯)
    /// or BD-09 (百度). Converted to WGS84. Other values → 400 `invalid_parameter`.
    #[param(value_type = Option<PointCrs>, inline)]
    crs: Option<String>,
}

built_schema!(
    /// What [`onemap_index::crs::Crs`] parses.
    PointCrs => words(&[
        "wgs84",
        "cgcs2000",
        "epsg:4326",
        "epsg:4490",
        "gcj02",
        "gcj-02",
        "bd09",
        "bd-09",
    ])
    .default(Some("wgs84".into()))
);

/// `GET /v1/search`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Part of a name or id; trimmed; empty → 400 `missing_parameter`.
    #[param(min_length = 1)]
    q: String,
    /// Maximum results; values outside 1-100 are clamped; not a whole number ≥ 0 → 400
    /// `invalid_parameter`.
    #[param(nullable = false, minimum = 1, maximum = 100, default = 10)]
    limit: Option<u32>,
}

/// `POST /v1/layers/{layer}/import`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// `upsert` (default; `add` is a synonym): add new ids, overwrite existing ones.
    /// `replace`: delete every feature of the layer, then add these. Other values → 400
    /// `invalid_parameter`.
    #[param(value_type = Option<ImportMode>, inline)]
    mode: Option<String>,
    /// `true`: repair invalid areas as PostGIS's `ST_MakeValid` would (repeated vertices,
    /// spikes, self-intersections, ring orientation, misplaced holes, overlapping parts) and
    /// list each fix in `repairs`; without it they are refused (422) with that suggestion.
    repair: Option<bool>,
    /// The GeoPackage table, or the Shapefile in a zip of several; the first by default.
    table: Option<String>,
    /// The coordinate system when the file does not say: EPSG:4326, EPSG:4490, EPSG:3857 or
    /// a CGCS2000 Gauss–Krüger zone EPSG:4513–4554. Wins over the file's own.
    crs: Option<String>,
    /// The text encoding of a GeoJSON, CSV or KML body, or of a Shapefile's attributes over
    /// its `.cpg`: `utf-8` or `gbk`.
    encoding: Option<String>,
    /// Renames columns to the layer's properties, e.g. `id=WGBM,name=WGMC`.
    map: Option<String>,
}

/// `PUT /v1/layers/{layer}/features/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RepairQuery {
    /// `true`: repair an invalid area as `ST_MakeValid` would and list the fixes in
    /// `repairs`; without it an invalid area is refused (422) with that suggestion.
    repair: Option<bool>,
}

built_schema!(ImportMode => words(&["upsert", "add", "replace"])
        .default(Some("upsert".into())));

/// `GET /v1/overlaps`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MatrixQuery {
    /// Only `grid` is kept (else 400 `unsupported_overlap`).
    #[param(value_type = Option<OverlapsOf>, inline)]
    of: Option<String>,
    /// Only `beat` is kept (else 400 `unsupported_overlap`).
    #[param(value_type = Option<OverlapsWith>, inline)]
    with: Option<String>,
    /// `csv` for CSV regardless of Accept; anything else is ignored.
    #[param(value_type = Option<CsvFormat>, inline)]
    format: Option<String>,
}

built_schema!(OverlapsOf => words(&["grid"]).default(Some("grid".into())));

built_schema!(OverlapsWith => words(&["beat"]).default(Some("beat".into())));

built_schema!(CsvFormat => words(&["csv"]));

/// `GET /v1/audit`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Maximum entries; values above 10000 are capped at 10000. Not a whole number ≥ 0 → 400
    /// `invalid_parameter`.
    #[param(nullable = false, minimum = 0, default = 100)]
    limit: Option<u32>,
    /// With `id`: only that feature's history. An unknown layer is 404 `unknown_layer`.
    #[param(nullable = false)]
    layer: Option<Layer>,
    /// With `layer`: only that feature's history (ignored without `layer`).
    #[param(nullable = false)]
    id: Option<String>,
}

/// `GET /v1/layers/{layer}/check`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CheckPath {
    /// An areal layer.
    #[param(value_type = ArealLayer, inline)]
    layer: String,
}

built_schema!(ArealLayer => words(&layers(true)));

/// The kinds of the registry that are areas (`areal`) or points.
pub fn layers(areal: bool) -> Vec<&'static str> {
    onemap_index::layers::REGISTRY
        .iter()
        .filter(|s| s.areal == areal)
        .map(|s| s.layer.as_str())
        .collect()
}

/// `GET /v1/layers/{layer}/check`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CheckQuery {
    /// Overlaps and gaps smaller than this (m²) are reported as slivers, with a repair.
    #[param(minimum = 0, maximum = 1000000, default = 1)]
    sliver_m2: Option<f64>,
}

/// A tile's address.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct TilePath {
    /// Zoom 0-22 (above 22 → 400 `out_of_range`).
    #[param(minimum = 0, maximum = 22)]
    z: u32,
    /// Column, 0 ≤ x < 2^z (else 400 `out_of_range`).
    #[param(minimum = 0)]
    x: u32,
    /// Row, XYZ scheme (y = 0 at the north edge), 0 ≤ y < 2^z (else 400 `out_of_range`).
    #[param(minimum = 0)]
    y: u32,
}

/// What a tile request may say about caching and compression.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct TileHeaders {
    /// The tile's ETag from an earlier response: 304 if the tile has not changed.
    #[param(nullable = false, rename = "If-None-Match")]
    if_none_match: Option<String>,
    /// Send `gzip` to get the tile gzip-compressed (`Content-Encoding: gzip`).
    #[param(nullable = false, rename = "Accept-Encoding", example = "gzip")]
    accept_encoding: Option<String>,
}

/// An OGC API collection in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CollectionPath {
    /// The collection: a layer kind.
    id: Layer,
}

/// An OGC API feature in the path.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct ItemPath {
    /// The collection: a layer kind.
    id: Layer,
    /// The feature's id.
    feature: String,
}

/// How an OGC API answer is written.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OgcFormat {
    /// `html` for a page a person reads in a browser (also chosen for `Accept: text/html`
    /// without `f`); JSON otherwise.
    #[param(value_type = Option<OgcFormatName>, inline)]
    f: Option<String>,
}

built_schema!(OgcFormatName => words(&["json", "html"]));

/// `GET /ogc/collections/{id}/items`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemsQuery {
    /// Features per page.
    #[param(nullable = false, minimum = 1, maximum = 10000, default = 1000)]
    limit: Option<u32>,
    /// Features to skip.
    #[param(nullable = false, minimum = 0, default = 0)]
    offset: Option<u32>,
    /// west,south,east,north in degrees (in `bbox-crs`; CRS84 by default).
    #[param(
        nullable = false,
        pattern = "^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"
    )]
    bbox: Option<String>,
    /// Features with this name only.
    #[param(nullable = false)]
    name: Option<String>,
    /// The CRS of the coordinates served (Part 2): CRS84 (longitude, latitude; the default),
    /// EPSG:4326 (WGS84) or EPSG:4490 (CGCS2000), both latitude first.
    #[param(value_type = Option<OgcCrs>, inline)]
    crs: Option<String>,
    /// The CRS `bbox` is given in; latitude first for the EPSG ones.
    #[param(rename = "bbox-crs", value_type = Option<OgcCrs>, inline)]
    bbox_crs: Option<String>,
}

/// `GET /ogc/collections/{id}/items/{feature}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemQuery {
    /// The CRS of the coordinates served (Part 2): CRS84 (longitude, latitude; the default),
    /// EPSG:4326 (WGS84) or EPSG:4490 (CGCS2000), both latitude first.
    #[param(value_type = Option<OgcCrs>, inline)]
    crs: Option<String>,
}

/// `GET /v1/heatmap`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeatmapQuery {
    /// `event` for incidents, or a point layer.
    #[param(value_type = Option<HeatmapLayerName>, inline)]
    layer: Option<String>,
    /// H3 resolution.
    #[param(nullable = false, minimum = 5, maximum = 11, default = 9)]
    res: Option<u8>,
    /// Cameras with this status only.
    #[param(value_type = Option<CameraStatus>, inline)]
    status: Option<String>,
    /// Cameras of this kind only.
    #[param(nullable = false)]
    kind: Option<String>,
}

/// `GET /tiles/heatmap/{z}/{x}/{y}.mvt`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct HeatmapTileQuery {
    /// H3 resolution; by default one that suits the zoom (z − 4, within 5–11).
    #[param(nullable = false, minimum = 5, maximum = 11)]
    res: Option<u8>,
}

built_schema!(HeatmapLayerName => crate::routes::leaders::heatmap_layers().default(Some("camera".into())));

built_schema!(CameraStatus => words(&["online", "offline"]));

/// Which incidents count: `routes::events::selection`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EventWindow {
    /// Incidents at or after this time: RFC 3339, or a date (midnight, China Standard Time).
    #[param(nullable = false, example = "2026-06-01")]
    from: Option<String>,
    /// Incidents before this time (exclusive), as `from`; it must come after `from`.
    #[param(nullable = false, example = "2026-07-01")]
    to: Option<String>,
    /// Incidents of this category only (e.g. 纠纷).
    #[param(nullable = false)]
    category: Option<String>,
    /// Incidents from this source only.
    #[param(value_type = Option<EventSource>, inline)]
    source: Option<String>,
}

built_schema!(EventSource => {
    let sources: Vec<&str> = onemap_index::events::Source::ALL
        .iter()
        .map(|s| s.as_str())
        .collect();
    words(&sources)
});

/// `GET /v1/events/trend`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// Days, or weeks from Monday (China Standard Time).
    #[param(value_type = Option<BucketLength>, inline)]
    bucket: Option<String>,
}

built_schema!(BucketLength => words(&["day", "week"]).default(Some("day".into())));

/// `GET /v1/stats/{layer}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StatsPath {
    /// An areal layer, or `city` for the whole city in one row.
    #[param(value_type = StatsLayer, inline)]
    layer: String,
}

built_schema!(StatsLayer => {
    let mut layers = layers(true);
    layers.push("city");
    words(&layers)
});

/// `GET /v1/stats/{layer}/{id}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct StatsFeaturePath {
    /// An areal layer.
    #[param(value_type = ArealLayer, inline)]
    layer: String,
    /// The feature's id.
    id: String,
}

/// `GET /v1/stats/{layer}`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Grids of this level only (0 county … 4 micro-grid).
    #[param(nullable = false, minimum = 0, maximum = 4)]
    level: Option<u8>,
    /// Rows whose parent (a grid's parent grid, a beat's station) is this id only.
    #[param(nullable = false)]
    parent: Option<String>,
    /// Sort the rows by this field of theirs (e.g. `events`, `grids_per_officer`); numbers by
    /// value, `null` last. A field the rows do not have → 400 `invalid_parameter`.
    #[param(nullable = false)]
    sort: Option<String>,
    /// The sort's direction.
    #[param(value_type = Option<SortOrder>, inline)]
    order: Option<String>,
    /// At most this many rows (after sorting).
    #[param(nullable = false, minimum = 0)]
    limit: Option<u64>,
}

built_schema!(SortOrder => words(&["asc", "desc"]).default(Some("desc".into())));

/// `GET /v1/coverage/{layer}[.geojson]`.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
pub struct CoveragePath {
    /// grid or beat (anything else is 404 `not_found`).
    #[param(value_type = CoverageLayer, inline)]
    layer: String,
}

built_schema!(CoverageLayer => words(&["grid", "beat"]));

/// `GET /v1/coverage/{layer}[.geojson]`.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CoverageQuery {
    /// Grids of this level (0 county … 4 micro-grid); ignored for beats.
    #[param(nullable = false, minimum = 0, maximum = 4, default = 3)]
    level: Option<u8>,
    /// At most this many, least covered first.
    #[param(nullable = false, minimum = 0)]
    limit: Option<u64>,
}

/// How statistics are written.
#[derive(IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsFormat {
    /// `csv` for CSV (UTF-8 with a byte-order mark, so Excel reads the Chinese names; one
    /// `events:<category>` column per category); JSON otherwise.
    #[param(value_type = Option<CsvFormat>, inline)]
    f: Option<String>,
}

built_schema!(OgcCrs => crate::routes::ogc::crs_names());
