//! The layer registry as callers see it: the `/v1/layers` manifest and TileJSON's fields, each
//! made from `onemap_index::layers` so that a new kind appears in all of them (and in the
//! OpenAPI document, `crate::openapi::schemas`) without being written down again.

use crate::openapi::schemas::Layer as LayerSchema;
use onemap_index::layers::event::StreamSpec;
use onemap_index::layers::{Field, FieldKind, LayerSpec, REGISTRY};
use onemap_index::{Layer, Snapshot};
use serde::Serialize;
use serde_json::{json, Map, Value};
use utoipa::ToSchema;

/// The layer manifest: every kind in the layer registry.
#[derive(Serialize, ToSchema)]
pub struct LayersList {
    /// The city version (number of the last commit).
    version: u64,
    layers: Vec<LayerManifest>,
    /// What arrives as a stream rather than as features to edit: incidents.
    streams: Vec<StreamManifest>,
    /// How many people are on file.
    people: usize,
}

/// One kind: titles, geometry, zooms, fields and where to get it.
#[derive(Serialize, ToSchema)]
pub struct LayerManifest {
    #[schema(value_type = LayerSchema)]
    id: Layer,
    /// Chinese name of the kind.
    #[schema(examples("网格"))]
    title: &'static str,
    #[schema(schema_with = geometries)]
    geometry: &'static str,
    /// The least zoom any feature of the kind is drawn at.
    #[schema(maximum = 24)]
    min_zoom: u8,
    count: usize,
    /// Attributes besides id, name, version and people, as stores keep them.
    fields: Vec<LayerField>,
    /// Properties vector tiles carry after id and name.
    tile_fields: Vec<LayerField>,
    /// Export URL path.
    #[schema(examples("/v1/layers/grid.geojson"))]
    geojson: String,
    /// Tile URL template (path).
    #[schema(examples("/tiles/grid/{z}/{x}/{y}.mvt"))]
    tiles: String,
}

fn geometries() -> utoipa::openapi::schema::Object {
    crate::openapi::schemas::words(&["polygon", "point"]).build()
}

/// One attribute of a kind.
#[derive(Serialize, ToSchema)]
pub struct LayerField {
    name: &'static str,
    /// Chinese label.
    title: &'static str,
    #[serde(rename = "type")]
    #[schema(schema_with = field_types)]
    kind: &'static str,
    /// Never absent once stored (absent input takes a default).
    required: bool,
    /// Names or contacts a person: shown only to roles that need them.
    personal: bool,
    description: &'static str,
    /// keyword only: the words allowed.
    #[serde(skip_serializing_if = "Option::is_none")]
    values: Option<&'static [&'static str]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    minimum: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    maximum: Option<i64>,
}

fn field_types() -> utoipa::openapi::schema::Object {
    crate::openapi::schemas::words(&[
        "string", "integer", "number", "boolean", "keyword", "position",
    ])
    .build()
}

/// A stream in the manifest (incidents): its fields and where to send, count and map it.
#[derive(Serialize, ToSchema)]
pub struct StreamManifest {
    #[schema(examples("event"))]
    id: &'static str,
    /// Chinese name of the stream.
    #[schema(examples("事件"))]
    title: &'static str,
    #[schema(schema_with = point_geometry)]
    geometry: &'static str,
    /// How many are on file.
    count: usize,
    fields: Vec<LayerField>,
    /// Where to send them.
    #[schema(examples("/v1/layers/event/import"))]
    import: String,
    /// Their heatmap.
    #[schema(examples("/v1/heatmap?layer=event"))]
    heatmap: String,
    /// Their trend.
    #[schema(examples("/v1/events/trend"))]
    trend: &'static str,
}

fn point_geometry() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("point")
}

/// The manifest of every kind in the registry, and of the incidents (`events` on file).
pub fn manifest(s: &Snapshot, events: usize) -> LayersList {
    LayersList {
        version: s.version(),
        layers: REGISTRY
            .iter()
            .map(|spec| manifest_entry(spec, s))
            .collect(),
        streams: vec![stream_entry(&onemap_index::layers::event::EVENTS, events)],
        people: s.people().count(),
    }
}

fn stream_entry(spec: &StreamSpec, count: usize) -> StreamManifest {
    let name = spec.name;
    StreamManifest {
        id: name,
        title: spec.title,
        geometry: "point",
        count,
        fields: spec.fields.iter().map(field_entry).collect(),
        import: format!("/v1/layers/{name}/import"),
        heatmap: format!("/v1/heatmap?layer={name}"),
        trend: "/v1/events/trend",
    }
}

fn manifest_entry(spec: &LayerSpec, s: &Snapshot) -> LayerManifest {
    let l = spec.layer;
    LayerManifest {
        id: l,
        title: spec.title,
        geometry: if spec.areal { "polygon" } else { "point" },
        min_zoom: spec.min_zoom,
        count: s.layer(l).count(),
        fields: spec.fields.iter().map(field_entry).collect(),
        tile_fields: tile_fields(spec).into_iter().map(field_entry).collect(),
        geojson: format!("/v1/layers/{l}.geojson"),
        tiles: format!("/tiles/{l}/{{z}}/{{x}}/{{y}}.mvt"),
    }
}

fn field_entry(f: &Field) -> LayerField {
    let (values, range) = match &f.kind {
        FieldKind::Keyword(words) => (Some(*words), None),
        FieldKind::Integer { min, max } => (None, Some((*min, *max))),
        _ => (None, None),
    };
    LayerField {
        name: f.name,
        title: f.title,
        kind: type_name(&f.kind),
        required: f.required,
        personal: f.personal,
        description: f.doc,
        values,
        minimum: range.map(|(min, _)| min),
        maximum: range.map(|(_, max)| max),
    }
}

fn type_name(kind: &FieldKind) -> &'static str {
    match kind {
        FieldKind::Text => "string",
        FieldKind::Integer { .. } => "integer",
        FieldKind::Number => "number",
        FieldKind::Boolean => "boolean",
        FieldKind::Keyword(_) => "keyword",
        FieldKind::Position => "position",
    }
}

/// The properties tiles of a kind carry after `id` and `name`: its tile attributes, then what
/// the snapshot derives.
pub fn tile_fields(spec: &LayerSpec) -> Vec<&Field> {
    spec.fields
        .iter()
        .filter(|f| f.tile)
        .chain(spec.derived)
        .collect()
}

/// TileJSON's `fields` of a kind: each tile property and its type.
pub fn tilejson_fields(spec: &LayerSpec) -> Value {
    let mut fields = Map::new();
    fields.insert("id".into(), json!("String"));
    fields.insert("name".into(), json!("String"));
    for f in tile_fields(spec) {
        let kind = match f.kind {
            FieldKind::Integer { .. } | FieldKind::Number => "Number",
            FieldKind::Boolean => "Boolean",
            _ => "String",
        };
        fields.insert(f.name.into(), json!(kind));
    }
    Value::Object(fields)
}
