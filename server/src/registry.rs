//! The layer registry as callers see it: the `/v1/layers` manifest, TileJSON's fields and the
//! layer schemas of the OpenAPI document, each made from `onemap_index::layers` so that a
//! new kind appears in all of them without being written down again.

use onemap_index::layers::event::StreamSpec;
use onemap_index::layers::{Field, FieldKind, LayerSpec, REGISTRY};
use onemap_index::Snapshot;
use serde_json::{json, Map, Value};
use std::sync::OnceLock;

/// One kind in the manifest: titles, geometry, zooms, fields and where to get it.
pub fn manifest_entry(spec: &LayerSpec, s: &Snapshot) -> Value {
    let l = spec.layer;
    json!({
        "id": l,
        "title": spec.title,
        "geometry": if spec.areal { "polygon" } else { "point" },
        "min_zoom": spec.min_zoom,
        "count": s.layer(l).count(),
        "fields": spec.fields.iter().map(field_entry).collect::<Vec<_>>(),
        "tile_fields": tile_fields(spec).into_iter().map(field_entry).collect::<Vec<_>>(),
        "geojson": format!("/v1/layers/{l}.geojson"),
        "tiles": format!("/tiles/{l}/{{z}}/{{x}}/{{y}}.mvt"),
    })
}

/// A stream in the manifest (incidents): its fields and where to send, count and map it.
pub fn stream_entry(spec: &StreamSpec, count: usize) -> Value {
    let name = spec.name;
    json!({
        "id": name,
        "title": spec.title,
        "geometry": "point",
        "count": count,
        "fields": spec.fields.iter().map(field_entry).collect::<Vec<_>>(),
        "import": format!("/v1/layers/{name}/import"),
        "heatmap": format!("/v1/heatmap?layer={name}"),
        "trend": "/v1/events/trend",
    })
}

fn field_entry(f: &Field) -> Value {
    let mut v = json!({
        "name": f.name,
        "title": f.title,
        "type": type_name(&f.kind),
        "required": f.required,
        "personal": f.personal,
        "description": f.doc,
    });
    let o = v.as_object_mut().expect("object literal");
    match &f.kind {
        FieldKind::Keyword(words) => {
            o.insert("values".into(), json!(words));
        }
        FieldKind::Integer { min, max } => {
            o.insert("minimum".into(), json!(min));
            o.insert("maximum".into(), json!(max));
        }
        _ => {}
    }
    v
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

/// The OpenAPI document: the hand-written one with the `Layer` enum and each kind's
/// `<Kind>Properties` schema made from the registry. Built once.
pub fn openapi() -> &'static str {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    DOCUMENT.get_or_init(|| {
        let mut doc: Value = serde_json::from_str(include_str!("../openapi.json"))
            .expect("openapi.json is JSON: server/tests/openapi.rs parses it");
        let schemas = &mut doc["components"]["schemas"];
        schemas["Layer"]["enum"] = json!(REGISTRY.iter().map(|s| s.layer).collect::<Vec<_>>());
        schemas["Layer"]["description"] = json!(REGISTRY
            .iter()
            .map(|s| format!("{} = {}", s.layer, s.title))
            .collect::<Vec<_>>()
            .join("; "));
        for spec in REGISTRY {
            let properties = &mut schemas[properties_schema(spec)]["properties"];
            for field in spec.fields {
                properties[field.name] = field_schema(field);
            }
        }
        serde_json::to_string(&doc).expect("a JSON value serialises")
    })
}

/// The name of a kind's properties schema: `GridProperties` for grids.
pub fn properties_schema(spec: &LayerSpec) -> String {
    let name = spec.layer.as_str();
    let mut chars = name.chars();
    let first = chars.next().map(|c| c.to_ascii_uppercase());
    format!("{}{}Properties", first.unwrap_or_default(), chars.as_str())
}

/// A field's JSON Schema as GeoJSON input takes it (`null` counts as absent).
fn field_schema(f: &Field) -> Value {
    let mut schema = match &f.kind {
        FieldKind::Text => json!({ "type": ["string", "null"] }),
        FieldKind::Integer { min, max } => {
            json!({ "type": ["integer", "null"], "minimum": min, "maximum": max })
        }
        FieldKind::Number => json!({ "type": ["number", "null"] }),
        FieldKind::Boolean => json!({ "type": ["boolean", "null"] }),
        FieldKind::Keyword(words) => {
            let mut values: Vec<Value> = words.iter().map(|w| json!(w)).collect();
            values.push(Value::Null);
            json!({ "type": ["string", "null"], "enum": values })
        }
        FieldKind::Position => json!({
            "oneOf": [{ "$ref": "#/components/schemas/LngLat" }, { "type": "null" }]
        }),
    };
    schema["description"] = json!(format!("{}（{}）", f.doc, f.title));
    schema
}
