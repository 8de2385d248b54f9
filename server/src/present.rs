//! How features and people are shown to a caller: JSON shapes and masking of personal data.

use crate::auth::{mask_name, mask_phone, Caller};
use onemap_index::{Attributes, Feature, Person, Snapshot};
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
    match &f.attributes {
        Attributes::Grid {
            level,
            kind,
            category,
            setting,
            ..
        } => {
            o.insert("level".into(), json!(level));
            o.insert("level_title".into(), json!(level_title(*level)));
            o.insert("kind".into(), json!(kind));
            if let Some(c) = category {
                o.insert("category".into(), json!(c));
            }
            if let Some(s) = setting {
                o.insert("setting".into(), json!(s));
            }
        }
        Attributes::Beat { station } => {
            o.insert("station".into(), json!(station));
        }
        Attributes::Station { location } => {
            o.insert("location".into(), json!(location.map(|p| [p.x(), p.y()])));
        }
        Attributes::Camera {
            kind,
            status,
            heading,
            range_m,
        } => {
            o.insert("kind".into(), json!(kind));
            o.insert("status".into(), json!(status));
            o.insert("heading".into(), json!(heading));
            o.insert("range_m".into(), json!(range_m));
        }
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
