//! Schemas no answer type derives: the ones made from the layer registry (`Layer`,
//! `<Kind>Properties`, `<Kind>Feature`), the error codes and body, the GeoJSON the API reads
//! (parsed by `onemap_data::geojson_io`, never by a Rust type of the server), and what the
//! server keeps as JSON values (audit records, statistics rows).

use crate::error::ERROR_CODES;
use onemap_index::layers::{Field, FieldKind, LayerSpec, REGISTRY};
use serde_json::{json, Value};
use utoipa::openapi::extensions::Extensions;
use utoipa::openapi::schema::{
    AdditionalProperties, AllOfBuilder, AnyOfBuilder, ArrayBuilder, Object, ObjectBuilder,
    OneOfBuilder, Schema, SchemaType, Type,
};
use utoipa::openapi::{Components, Ref, RefOr};

/// A schema type whose schema a function builds: for what `#[derive(ToSchema)]` cannot say
/// (tuples, constants, registry content). The type is never a value, only a name.
macro_rules! built_schema_rules {
    ($(#[$doc:meta])* $name:ident => $build:expr) => {
        $(#[$doc])*
        pub enum $name {}

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                $build.into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}
pub(crate) use built_schema_rules as built_schema;

built_schema!(
    /// The layer kinds, from the registry.
    Layer => ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(REGISTRY.iter().map(|s| s.layer.as_str())))
        .description(Some(
            REGISTRY
                .iter()
                .map(|s| format!("{} = {}", s.layer, s.title))
                .collect::<Vec<_>>()
                .join("; "),
        ))
);

built_schema!(
    /// The fixes `repair=true` made to one feature.
    FeatureRepairs => {
        let fix = ObjectBuilder::new()
            .property(
                "kind",
                words(&[
                    "unclosed",
                    "repeated_vertex",
                    "spike",
                    "orientation",
                    "self_intersection",
                    "misplaced_hole",
                    "overlapping_parts",
                    "no_area",
                ]),
            )
            .required("kind")
            .property("at", Ref::from_schema_name("LngLat"))
            .required("at")
            .property(
                "area_change_m2",
                ObjectBuilder::new()
                    .schema_type(Type::Number)
                    .description(Some("the repaired area minus the area as drawn, m²")),
            )
            .required("area_change_m2");
        ObjectBuilder::new()
            .property("id", ObjectBuilder::new().schema_type(Type::String))
            .required("id")
            .property("fixes", ArrayBuilder::new().items(fix))
            .required("fixes")
    }
);

built_schema!(
    /// Every code of [`ERROR_CODES`], with its statuses and meaning.
    ErrorCode => {
        let statuses: Vec<String> = ERROR_CODES
            .iter()
            .map(|(code, status, _)| format!("`{code}` {status}"))
            .collect();
        let mut codes = OneOfBuilder::new()
            .schema_type(Type::String)
            .description(Some(format!(
                "The stable machine-readable error code. Statuses: {}",
                statuses.join("; ")
            )));
        for (code, status, meaning) in ERROR_CODES {
            codes = codes.item(constant(*code).description(Some(format!("HTTP {status}. {meaning}"))));
        }
        codes
    }
);

built_schema!(
    /// A person's duty, from [`onemap_index::Role`].
    Role => {
        let mut roles = OneOfBuilder::new()
            .schema_type(Type::String)
            .description(Some("A person's duty."));
        for role in onemap_index::Role::ALL {
            let english = role.as_str().replace('_', " ");
            roles = roles.item(
                constant(role.as_str()).description(Some(format!("{} {english}", role.title()))),
            );
        }
        roles
    }
);

built_schema!(
    /// The body of every error answer, as `ApiError` writes it.
    Error => ObjectBuilder::new()
        .description(Some(
            "Every error is this JSON object: a stable `error` code, a `message` for people, and for some errors extra members merged in (`nearest`, `current_version`, `feature_index`, `feature_id`, `point_index`, `rule`, `at`, `children`, `people`). Internal details are never returned.",
        ))
        .property("error", Ref::from_schema_name("ErrorCode"))
        .property("message", text("Human-readable explanation saying what to change."))
        .property(
            "nearest",
            ObjectBuilder::new()
                .description(Some("`GET /v1/locate` outside every grid: the nearest grid."))
                .property("id", ObjectBuilder::new().schema_type(Type::String))
                .property("name", ObjectBuilder::new().schema_type(Type::String))
                .property("distance_m", whole_or_not(Type::Number, "Metres, rounded to centimetres."))
                .required("id")
                .required("name")
                .required("distance_m"),
        )
        .property("current_version", whole_or_not(Type::Integer, "412 `stale_version` / 428 `precondition_required`: the feature's current version (0 = does not exist)."))
        .property("feature_index", whole_or_not(Type::Integer, "422 import errors: position of the offending feature (or person) in the input array."))
        .property("feature_id", text("422 import errors: the offending record's id, when it has one."))
        .property("point_index", whole_or_not(Type::Integer, "Batch locate (JSON): position of the offending point in `points`."))
        .property("rule", text("422 `geometry_limit`: the limit broken (`max_vertices`, `service_area` or `within_parent`)."))
        .property("at", text("400 `invalid_events`: where the unreadable incident is (`line 12`, `feature 3`, `the body`)."))
        .property(
            "children",
            ArrayBuilder::new()
                .items(
                    ObjectBuilder::new()
                        .property("layer", Ref::from_schema_name("Layer"))
                        .property("id", ObjectBuilder::new().schema_type(Type::String))
                        .required("layer")
                        .required("id"),
                )
                .description(Some("409 `has_dependents`: the features one level down that would be orphaned.")),
        )
        .property(
            "people",
            ArrayBuilder::new()
                .items(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("409 `has_dependents`: ids of the people who answer only for this feature.")),
        )
        .required("error")
        .required("message")
        .additional_properties(Some(AdditionalProperties::FreeForm(true)))
);

built_schema!(
    /// `[lng, lat]`.
    LngLat => ArrayBuilder::new()
        .description(Some("[longitude, latitude] in WGS84/CGCS2000 degrees."))
        .prefix_items([number_in(-180.0, 180.0), number_in(-90.0, 90.0)])
        .min_items(Some(2))
        .max_items(Some(2))
);

built_schema!(
    /// `[west, south, east, north]`.
    BBox => ArrayBuilder::new()
        .description(Some("[west, south, east, north] in WGS84 degrees."))
        .items(ObjectBuilder::new().schema_type(Type::Number))
        .min_items(Some(4))
        .max_items(Some(4))
);

built_schema!(
    /// A grid level, 0-4.
    GridLevel => ObjectBuilder::new()
        .schema_type(Type::Integer)
        .minimum(Some(0))
        .maximum(Some(4))
        .description(Some(
            "0 county/district (县区), 1 street/township (街道/乡镇), 2 community/village (社区/村), 3 grid (网格), 4 micro-grid (微网格).",
        ))
);

built_schema!(
    /// One cell of a heatmap: `[cell, count]`.
    HeatCell => ArrayBuilder::new()
        .prefix_items([
            ObjectBuilder::new()
                .schema_type(Type::String)
                .description(Some("H3 cell id in hex (as the reference h3 library writes it)."))
                .build(),
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .minimum(Some(1))
                .build(),
        ])
        .min_items(Some(2))
        .max_items(Some(2))
);

built_schema!(
    /// The piece of ground a coverage problem is about.
    Piece => ObjectBuilder::new()
        .description(Some("A GeoJSON MultiPolygon: the piece."))
        .property("type", constant("MultiPolygon"))
        .property("coordinates", ArrayBuilder::new())
        .required("type")
        .required("coordinates")
);

built_schema!(
    /// A GeoJSON position.
    Position => ArrayBuilder::new()
        .description(Some(
            "[lng, lat] or [lng, lat, alt] (altitude is dropped). WGS84 degrees, RFC 7946 order.",
        ))
        .items(ObjectBuilder::new().schema_type(Type::Number))
        .min_items(Some(2))
        .max_items(Some(3))
);

built_schema!(
    /// A closed ring of positions.
    LinearRing => ArrayBuilder::new()
        .description(Some(
            "Closed ring: at least 4 positions, first repeated at the end. Orientation is fixed on import (exteriors counter-clockwise, holes clockwise).",
        ))
        .items(Ref::from_schema_name("Position"))
        .min_items(Some(4))
);

built_schema!(
    /// A GeoJSON Point.
    Point => geometry("Point", Ref::from_schema_name("Position").into())
);

built_schema!(
    /// A GeoJSON Polygon.
    Polygon => geometry(
        "Polygon",
        ArrayBuilder::new()
            .items(Ref::from_schema_name("LinearRing"))
            .min_items(Some(1))
            .description(Some("Exterior ring, then holes (strictly inside, not touching)."))
            .into(),
    )
);

built_schema!(
    /// A GeoJSON MultiPolygon.
    MultiPolygon => geometry(
        "MultiPolygon",
        ArrayBuilder::new()
            .items(
                ArrayBuilder::new()
                    .items(Ref::from_schema_name("LinearRing"))
                    .min_items(Some(1)),
            )
            .min_items(Some(1))
            .into(),
    )
);

built_schema!(
    /// The geometry of an areal kind.
    AreaGeometry => OneOfBuilder::new()
        .description(Some(
            "Grids, beats and stations: Polygon or MultiPolygon (exported always as MultiPolygon).",
        ))
        .item(Ref::from_schema_name("Polygon"))
        .item(Ref::from_schema_name("MultiPolygon"))
);

built_schema!(
    /// A feature of any kind, as writes take it.
    LayerFeature => {
        let mut kinds = AnyOfBuilder::new().description(Some(
            "A Feature of the path's layer: grid/beat/station need a Polygon or MultiPolygon, camera a Point. Validated like an import (closed rings, no self-intersection, holes inside, coordinates in range).",
        ));
        for spec in REGISTRY {
            kinds = kinds.item(Ref::from_schema_name(kind_schema(spec, "Feature")));
        }
        kinds.examples([json!({
            "type": "Feature", "id": "CAM-1",
            "geometry": { "type": "Point", "coordinates": [121.41, 28.61] },
            "properties": { "name": "东门路口", "kind": "dome", "status": "online", "heading": 90, "range_m": 80 },
        })])
    }
);

built_schema!(
    /// What an import takes.
    FeatureCollection => ObjectBuilder::new()
        .description(Some(
            "GeoJSON (RFC 7946) FeatureCollection of one layer. A `crs` member, if present and not null, must name WGS84/CGCS2000 lng/lat (CRS84, EPSG:4326, EPSG:4490), else 422 `wrong_crs`. Ids must be unique.",
        ))
        .property("type", constant("FeatureCollection"))
        .property(
            "crs",
            ObjectBuilder::new()
                .schema_type(nullable(Type::Object))
                .description(Some(
                    "Legacy GeoJSON crs (written by QGIS/GDAL); only WGS84 names are accepted.",
                )),
        )
        .property(
            "features",
            ArrayBuilder::new().items(Ref::from_schema_name("LayerFeature")),
        )
        .required("type")
        .required("features")
);

built_schema!(
    /// A feature as exports and the feature routes write it.
    ExportFeature => {
        let mut properties = AnyOfBuilder::new();
        for spec in REGISTRY {
            properties = properties.item(Ref::from_schema_name(kind_schema(spec, "Properties")));
        }
        ObjectBuilder::new()
            .description(Some(
                "A feature as exported: `id` both at Feature level and in the properties; every documented property of its layer present (absent ones as null), plus `version` and `people`; areas always MultiPolygon.",
            ))
            .property("type", constant("Feature"))
            .property("id", ObjectBuilder::new().schema_type(Type::String))
            .property(
                "geometry",
                OneOfBuilder::new()
                    .item(Ref::from_schema_name("MultiPolygon"))
                    .item(Ref::from_schema_name("Point")),
            )
            .property("properties", properties)
            .required("type")
            .required("id")
            .required("geometry")
            .required("properties")
    }
);

built_schema!(
    /// A whole layer's export.
    ExportCollection => ObjectBuilder::new()
        .property("type", constant("FeatureCollection"))
        .property(
            "features",
            ArrayBuilder::new().items(Ref::from_schema_name("ExportFeature")),
        )
        .required("type")
        .required("features")
);

built_schema!(
    /// What `/v1/intersects` takes.
    IntersectsRequest => OneOfBuilder::new()
        .description(Some(
            "A GeoJSON Polygon or MultiPolygon, bare or wrapped in a Feature (its properties are ignored). Validated like an imported beat.",
        ))
        .item(Ref::from_schema_name("Polygon"))
        .item(Ref::from_schema_name("MultiPolygon"))
        .item(
            ObjectBuilder::new()
                .property("type", constant("Feature"))
                .property("geometry", Ref::from_schema_name("AreaGeometry"))
                .required("type")
                .required("geometry"),
        )
);

built_schema!(
    /// What `POST /v1/locate` takes as JSON.
    BatchLocateRequest => ObjectBuilder::new()
        .property(
            "points",
            ArrayBuilder::new()
                .items(Ref::from_schema_name("LngLat"))
                .description(Some(
                    "[lng, lat] pairs in the `crs` of the query (WGS84 by default).",
                )),
        )
        .required("points")
);

built_schema!(
    /// One person as `/v1/people/import` takes them.
    PersonIn => ObjectBuilder::new()
        .description(Some(
            "A person to upsert by id. Unknown members are ignored; `null` counts as absent.",
        ))
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
                .min_length(Some(1))
                .max_length(Some(128))
                .description(Some("1-128 printable characters; numbers become strings.")),
        )
        .property(
            "name",
            ObjectBuilder::new()
                .schema_type(Type::String)
                .max_length(Some(200)),
        )
        .property("role", Ref::from_schema_name("Role"))
        .property(
            "phone",
            ObjectBuilder::new()
                .schema_type(nullable(Type::String))
                .description(Some("Optional; default empty.")),
        )
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(nullable(Type::Integer))
                .minimum(Some(0))
                .description(Some("Read back if present; writes set the commit version.")),
        )
        .required("id")
        .required("name")
        .required("role")
);

built_schema!(
    /// A MapLibre style, as `web/dist/style.json` holds it.
    MapLibreStyle => ObjectBuilder::new()
        .description(Some(
            "A MapLibre GL style (version 8). Its vector source points at `{origin}/tiles/{z}/{x}/{y}.mvt`, with `{origin}` replaced by the server's public URL.",
        ))
        .property("version", constant(8))
        .property("name", ObjectBuilder::new().schema_type(Type::String))
        .property("metadata", ObjectBuilder::new().schema_type(Type::Object))
        .property(
            "center",
            ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Number)),
        )
        .property("zoom", ObjectBuilder::new().schema_type(Type::Number))
        .property("sources", ObjectBuilder::new().schema_type(Type::Object))
        .property(
            "layers",
            ArrayBuilder::new().items(ObjectBuilder::new().schema_type(Type::Object)),
        )
        .required("version")
        .required("sources")
        .required("layers")
);

built_schema!(
    /// One record of the audit log, as `onemap_data::store::AuditEntry` serialises.
    AuditEntry => ObjectBuilder::new()
        .description(Some("One written record of one commit."))
        .property("version", whole_or_not(Type::Integer, "City version of the commit."))
        .property(
            "at",
            text("RFC 3339 UTC time of the commit.")
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::DateTime))),
        )
        .property("author", text("The token's name (e.g. `plan`)."))
        .property(
            "action",
            text("What the API did: `import`, `import-replace`, `create`, `update`, `delete`, `import-people` (the CLI may write others, e.g. when seeding).")
                .examples(["import", "import-replace", "create", "update", "delete", "import-people"]),
        )
        .property(
            "layer",
            or_null(Ref::from_schema_name("Layer")).description(Some("null for people.")),
        )
        .property("id", text("Feature or person id."))
        .property(
            "before",
            ObjectBuilder::new().schema_type(SchemaType::AnyValue).description(Some(
                "GeoJSON Feature (or person JSON) before the change; null when it did not exist.",
            )),
        )
        .property(
            "after",
            ObjectBuilder::new().schema_type(SchemaType::AnyValue).description(Some(
                "GeoJSON Feature (or person JSON) after the change; null when deleted.",
            )),
        )
        .required("version")
        .required("at")
        .required("author")
        .required("action")
        .required("layer")
        .required("id")
        .required("before")
        .required("after")
);

built_schema!(
    /// A feature as OGC API – Features serves it.
    OgcFeature => ObjectBuilder::new()
        .description(Some("A feature as the layer's GeoJSON export writes it (see `ExportFeature`), with its links when served alone; coordinates in the axis order of `crs`."))
        .property("type", constant("Feature"))
        .property("id", ObjectBuilder::new().schema_type(Type::String))
        .property("geometry", ObjectBuilder::new().schema_type(nullable(Type::Object)))
        .property("properties", ObjectBuilder::new().schema_type(nullable(Type::Object)))
        .property("links", ArrayBuilder::new().items(Ref::from_schema_name("OgcLink")))
        .required("type")
        .required("geometry")
        .required("properties")
);

built_schema!(
    /// What an OGC API PATCH takes.
    FeaturePatch => ObjectBuilder::new()
        .description(Some("The members of `properties` replace the feature's (`null` removes one); `geometry`, when given, replaces the feature's."))
        .property("properties", ObjectBuilder::new().schema_type(Type::Object))
        .property("geometry", ObjectBuilder::new().schema_type(Type::Object))
);

built_schema!(
    /// Incidents as `POST /v1/layers/event/import` takes them in GeoJSON.
    EventCollection => {
        let sources: Vec<&str> = onemap_index::events::Source::ALL
            .iter()
            .map(|s| s.as_str())
            .collect();
        let event = ObjectBuilder::new()
            .property("type", constant("Feature"))
            .property("geometry", Ref::from_schema_name("Point"))
            .property(
                "properties",
                ObjectBuilder::new()
                    .property("time", text("When it happened: RFC 3339 (`2026-06-30T08:15:00+08:00`)."))
                    .property("category", text("What happened (纠纷, 盗窃, …)."))
                    .property("source", words(&sources).description(Some("Who reported it.")))
                    .property("text", text("What the report says (optional)."))
                    .required("time")
                    .required("category")
                    .required("source"),
            )
            .required("type")
            .required("geometry")
            .required("properties");
        ObjectBuilder::new()
            .description(Some("A FeatureCollection of incidents, each a Point (one Feature alone is taken too)."))
            .property("type", constant("FeatureCollection"))
            .property("features", ArrayBuilder::new().items(event))
            .required("type")
            .required("features")
    }
);

built_schema!(
    /// One row of `/v1/stats`, as `onemap_index::stats::Row` serialises (or the city's).
    StatsRow => {
        use Type::{Integer, Number, String as Text};
        let figures: [(&str, Type, bool, &str); 30] = [
            ("layer", Text, false, "grid, beat, station, or city."),
            ("id", Text, false, "The feature's id (`city` for the city)."),
            ("name", Text, false, "The feature's name (全市 for the city)."),
            ("level", Integer, false, "Grids only: the level, 0 county … 4 micro-grid."),
            ("parent", Text, true, "A grid's parent grid or a beat's station."),
            ("area_km2", Number, false, "Area in km²."),
            ("grids", Integer, false, "Grids (level 3, 网格) within (a grid, station or the city) or assigned (a beat)."),
            ("children", Integer, false, "Features one level down: child grids, a station's beats."),
            ("officers", Integer, false, "Community officers (社区民警)."),
            ("auxiliaries", Integer, false, "Auxiliary police (辅警)."),
            ("grid_leaders", Integer, false, "Grid leaders (网格长)."),
            ("grid_workers", Integer, false, "Grid workers (网格员)."),
            ("cameras", Integer, false, "Cameras within."),
            ("cameras_online", Integer, false, "Cameras within that are online."),
            ("cameras_per_km2", Number, false, "Cameras per km²."),
            ("grids_per_officer", Number, true, "Grids per community officer; null without an officer."),
            ("population", Integer, true, "Residents of the grids within (or assigned), where grids record them."),
            ("households", Integer, true, "Households of the grids within (or assigned), where grids record them."),
            ("people_per_officer", Number, true, "Residents per community officer."),
            ("people_per_worker", Number, true, "Residents per grid worker."),
            ("grids_without_officer", Integer, false, "Grids (level 3) within with no community officer."),
            ("grids_without_worker", Integer, false, "Grids (level 3) within with no grid worker."),
            ("beat", Text, false, "A grid's assigned beat."),
            ("beat_share", Number, false, "The share of the grid inside its assigned beat."),
            ("beats_over_norm", Integer, false, "Beats above a load norm (a beat: 1 when it is; a station or the city: how many)."),
            ("events", Integer, true, "Incidents in the window; null where suppressed (fewer than `stats.suppress_below` for a public caller)."),
            ("events_previous", Integer, true, "Incidents in the window just before, of the same length."),
            ("events_last_year", Integer, true, "Incidents in the same window a year earlier."),
            ("change_previous", Number, true, "`events / events_previous - 1`."),
            ("change_last_year", Number, true, "`events / events_last_year - 1`."),
        ];
        let mut row = ObjectBuilder::new().description(Some(
            "One feature's (or the city's) figures. With `f=csv`, one column each, and one `events:<category>` column per category.",
        ));
        for (name, kind, may_be_null, description) in figures {
            let kind = if may_be_null { nullable(kind) } else { SchemaType::Type(kind) };
            row = row.property(
                name,
                ObjectBuilder::new().schema_type(kind).description(Some(description)),
            );
        }
        row.property(
            "events_by_category",
            ObjectBuilder::new()
                .additional_properties(Some(ObjectBuilder::new().schema_type(Type::Integer)))
                .description(Some("Incidents per category in the window; categories below the minimum shown are left out.")),
        )
        .required("layer")
        .required("id")
        .required("name")
    }
);

/// Adds each kind's `<Kind>Properties` and `<Kind>Feature` (their names come from the registry,
/// so no Rust type can stand for them) and the kinds' attributes to `FeatureSummary`.
pub fn add_kinds(components: &mut Components) {
    add_summary_attributes(components);
    for spec in REGISTRY {
        components
            .schemas
            .insert(kind_schema(spec, "Properties"), properties(spec).into());
        components
            .schemas
            .insert(kind_schema(spec, "Feature"), feature(spec).into());
    }
}

/// A kind's schema name: `GridProperties` for grids' properties.
pub fn kind_schema(spec: &LayerSpec, what: &str) -> String {
    let name = spec.layer.as_str();
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!("{}{}{what}", first.unwrap_or_default(), chars.as_str())
}

/// What a kind's GeoJSON properties may hold: the members every kind has, then its fields.
fn properties(spec: &LayerSpec) -> Object {
    let mut schema = ObjectBuilder::new()
        .description(Some(format!(
            "{} ({}) properties. `null` counts as absent; unknown properties are ignored.",
            kind_schema(spec, ""),
            spec.title
        )))
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Number, Type::Null]))
                .description(Some("Alternative to the Feature's `id` member; numbers become strings; if both are given they must be equal. 1-128 printable characters.")),
        )
        .property(
            "name",
            ObjectBuilder::new()
                .schema_type(nullable(Type::String))
                .max_length(Some(200))
                .description(Some("Default: the id.")),
        )
        .property(
            "version",
            ObjectBuilder::new()
                .schema_type(nullable(Type::Integer))
                .minimum(Some(0))
                .description(Some("Read back from exports; writes set it to the commit's city version. Use If-Match for concurrency.")),
        )
        .property(
            "people",
            ArrayBuilder::new()
                .schema_type(nullable(Type::Array))
                .items(ObjectBuilder::new().schema_type(Type::String))
                .description(Some("Ids of the people who answer for this feature.")),
        );
    for field in spec.fields {
        schema = schema.property(field.name, field_schema(field));
    }
    schema.build()
}

/// A field's JSON Schema as GeoJSON input takes it (`null` counts as absent).
fn field_schema(f: &Field) -> RefOr<Schema> {
    value_schema(&f.kind, true, format!("{}（{}）", f.doc, f.title))
}

/// The JSON Schema of a value of `kind`, or `null` too when `nullable`.
fn value_schema(kind: &FieldKind, nullable: bool, description: String) -> RefOr<Schema> {
    let value = |kind: Type| {
        let kind = if nullable {
            SchemaType::from_iter([kind, Type::Null])
        } else {
            SchemaType::Type(kind)
        };
        ObjectBuilder::new()
            .schema_type(kind)
            .description(Some(description.clone()))
    };
    match kind {
        FieldKind::Text => value(Type::String).into(),
        FieldKind::Integer { min, max } => value(Type::Integer)
            .minimum(Some(*min))
            .maximum(Some(*max))
            .into(),
        FieldKind::Number => value(Type::Number).into(),
        FieldKind::Boolean => value(Type::Boolean).into(),
        FieldKind::Keyword(words) => {
            let null = nullable.then_some(Value::Null);
            value(Type::String)
                .enum_values(Some(words.iter().map(|w| json!(w)).chain(null)))
                .into()
        }
        FieldKind::Position if nullable => or_null(Ref::from_schema_name("LngLat"))
            .description(Some(description))
            .into(),
        FieldKind::Position => AllOfBuilder::new()
            .item(Ref::from_schema_name("LngLat"))
            .description(Some(description))
            .into(),
    }
}

/// Lists in `FeatureSummary` the attributes summaries carry besides its own members: every
/// kind's fields, each present when the feature has a value for it.
fn add_summary_attributes(components: &mut Components) {
    let Some(RefOr::T(Schema::Object(summary))) = components.schemas.get_mut("FeatureSummary")
    else {
        return;
    };
    let mut owners: Vec<(&str, Vec<(&LayerSpec, &Field)>)> = Vec::new();
    for spec in REGISTRY {
        for field in spec.fields {
            match owners.iter_mut().find(|(name, _)| *name == field.name) {
                Some((_, kinds)) => kinds.push((spec, field)),
                None => owners.push((field.name, vec![(spec, field)])),
            }
        }
    }
    for (name, kinds) in owners {
        let description = kinds
            .iter()
            .map(|(spec, f)| format!("{} only: {}（{}）.", kind_schema(spec, ""), f.doc, f.title))
            .collect::<Vec<_>>()
            .join(" ");
        // A name several kinds use with different rules is described, not constrained.
        let schema = match kinds.as_slice() {
            [(_, f)] => value_schema(&f.kind, false, description),
            _ => ObjectBuilder::new()
                .schema_type(SchemaType::AnyValue)
                .description(Some(description))
                .into(),
        };
        summary.properties.insert(name.to_string(), schema);
    }
}

/// A kind's GeoJSON Feature as writes take it.
fn feature(spec: &LayerSpec) -> Object {
    let geometry = if spec.areal { "AreaGeometry" } else { "Point" };
    ObjectBuilder::new()
        .description(Some(format!(
            "A {} ({}) as a GeoJSON Feature.",
            spec.layer, spec.title
        )))
        .property("type", constant("Feature"))
        .property(
            "id",
            ObjectBuilder::new()
                .schema_type(SchemaType::from_iter([Type::String, Type::Number]))
                .description(Some("Feature id (or give `properties.id`).")),
        )
        .property("geometry", Ref::from_schema_name(geometry))
        .property(
            "properties",
            OneOfBuilder::new()
                .item(Ref::from_schema_name(kind_schema(spec, "Properties")))
                .item(ObjectBuilder::new().schema_type(Type::Null)),
        )
        .required("type")
        .required("geometry")
        .build()
}

/// A GeoJSON geometry of `kind` with these coordinates.
fn geometry(kind: &str, coordinates: RefOr<Schema>) -> Object {
    ObjectBuilder::new()
        .property("type", constant(kind))
        .property("coordinates", coordinates)
        .required("type")
        .required("coordinates")
        .build()
}

/// The one value `value` (JSON Schema's `const`, which utoipa's builder does not spell).
pub fn constant(value: impl Into<Value>) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(SchemaType::AnyValue)
        .extensions(Some(Extensions::from_iter([("const", value.into())])))
}

/// `kind` or `null`.
pub fn nullable(kind: Type) -> SchemaType {
    SchemaType::from_iter([kind, Type::Null])
}

/// `schema` or `null`, for a referenced schema.
pub fn or_null(schema: impl Into<RefOr<Schema>>) -> OneOfBuilder {
    OneOfBuilder::new()
        .item(schema)
        .item(ObjectBuilder::new().schema_type(Type::Null))
}

/// One of `values`.
pub fn words(values: &[&str]) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .enum_values(Some(values.iter().copied()))
}

/// A string, described.
fn text(description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
}

/// A number of `kind` (integer or number) ≥ 0, described.
fn whole_or_not(kind: Type, description: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(kind)
        .minimum(Some(0))
        .description(Some(description))
}

/// A number from `min` to `max`.
fn number_in(min: f64, max: f64) -> Object {
    ObjectBuilder::new()
        .schema_type(Type::Number)
        .minimum(Some(min))
        .maximum(Some(max))
        .build()
}
