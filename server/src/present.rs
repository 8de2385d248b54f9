//! How features and people are shown to a caller: JSON shapes and masking of personal data.

use crate::auth::{mask_name, mask_phone, Caller};
use onemap_index::{Feature, Person, Snapshot};
use serde_json::{json, Value};

/// A person as the caller may see them.
pub fn person(p: &Person, caller: &Caller) -> Value {
    let (name, phone) = if caller.sees_people() {
        (p.name.clone(), p.phone.clone())
    } else {
        (mask_name(&p.name), mask_phone(&p.phone))
    };
    json!({ "id": p.id, "name": name, "role": p.role.as_str(), "title": p.role.title(), "phone": phone })
}

pub fn people(snapshot: &Snapshot, f: &Feature, caller: &Caller) -> Vec<Value> {
    snapshot
        .people_of(f)
        .into_iter()
        .map(|p| person(p, caller))
        .collect()
}

/// A feature's summary (no geometry) with its people.
pub fn summary(snapshot: &Snapshot, f: &Feature, caller: &Caller) -> Value {
    let mut v = json!({ "id": f.id, "name": f.name, "layer": f.layer(), "version": f.version });
    let o = v.as_object_mut().expect("object literal");
    // Every attribute the registry lists, absent ones left out.
    o.extend(
        onemap_data::geojson_io::attributes_json(&f.attributes)
            .into_iter()
            .filter(|(_, v)| !v.is_null()),
    );
    if let Some(level) = f.level() {
        o.insert("level_title".into(), json!(level_title(level)));
    }
    if f.layer().is_areal() {
        o.insert("people".into(), json!(people(snapshot, f, caller)));
    }
    v
}

/// The Chinese name of a grid level.
pub fn level_title(level: u8) -> &'static str {
    match level {
        0 => "县区",
        1 => "街道/乡镇",
        2 => "社区/村",
        3 => "网格",
        _ => "微网格",
    }
}

/// Metres rounded to centimetres, for readable JSON.
pub fn metres(m: f64) -> f64 {
    (m * 100.0).round() / 100.0
}

/// A coverage problem as a GeoJSON Feature: the piece that is wrong, why, who is involved and
/// the proposed repair.
pub fn problem(p: &onemap_index::check::Problem) -> Value {
    use onemap_index::check::Repair;
    let repair = p.repair.as_ref().map(|r| match r {
        Repair::MergeInto(layer, id) => json!({ "action": "merge_into", "layer": layer, "id": id }),
        Repair::Clip(layer, id) => json!({ "action": "clip", "layer": layer, "id": id }),
    });
    let ids: Vec<Value> = p
        .ids
        .iter()
        .map(|(layer, id)| json!({ "layer": layer, "id": id }))
        .collect();
    let geometry = (!p.geometry.0.is_empty())
        .then(|| serde_json::to_value(geojson::Geometry::from(&p.geometry)).unwrap_or(Value::Null));
    json!({
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "reason": p.reason.as_str(),
            "area_m2": metres(p.area_m2),
            "features": ids,
            "repair": repair,
            "detail": p.detail,
        },
    })
}

/// Coverage problems as a FeatureCollection.
pub fn problems(layer: onemap_index::Layer, problems: &[onemap_index::check::Problem]) -> Value {
    json!({
        "type": "FeatureCollection",
        "layer": layer,
        "problems": problems.len(),
        "features": problems.iter().map(problem).collect::<Vec<_>>(),
    })
}
