//! How features and people are shown to a caller: the answer types and masking of personal
//! data.

use crate::auth::{mask_name, mask_phone, Caller};
use crate::openapi::schemas::{Layer as LayerSchema, Role};
use onemap_index::{Feature, Layer, Person, Snapshot};
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// A person as the caller may see them. Public callers (no token) get masked data: the name
/// keeps its first character (`张三丰` → `张**`), the phone its first 3 and last 4 digits
/// (`13812345678` → `138****5678`; shorter than 7 characters: all `*`). Dispatcher, planner
/// and admin tokens see them in full.
#[derive(Serialize, ToSchema)]
#[schema(as = Person)]
pub struct PersonView {
    id: String,
    #[schema(examples("张三丰", "张**"))]
    name: String,
    #[schema(value_type = Role)]
    role: &'static str,
    /// The role's Chinese title.
    #[schema(value_type = RoleTitle, inline)]
    title: &'static str,
    /// Empty when unknown.
    #[schema(examples("13812345678", "138****5678"))]
    phone: String,
}

crate::openapi::schemas::built_schema!(RoleTitle => {
    let titles: Vec<&str> = onemap_index::Role::ALL.iter().map(|r| r.title()).collect();
    crate::openapi::schemas::words(&titles)
});

/// A person as the caller may see them.
pub fn person(p: &Person, caller: &Caller) -> PersonView {
    let (name, phone) = if caller.sees_people() {
        (p.name.clone(), p.phone.clone())
    } else {
        (mask_name(&p.name), mask_phone(&p.phone))
    };
    PersonView {
        id: p.id.clone(),
        name,
        role: p.role.as_str(),
        title: p.role.title(),
        phone,
    }
}

pub fn people(snapshot: &Snapshot, f: &Feature, caller: &Caller) -> Vec<PersonView> {
    snapshot
        .people_of(f)
        .into_iter()
        .map(|p| person(p, caller))
        .collect()
}

/// A feature without geometry. Beyond id/name/layer/version it carries every attribute the
/// layer registry lists for its kind that has a value (see /v1/layers), and for grids
/// `level_title`. Grids, beats and stations also carry `people` (masked for public callers);
/// cameras do not.
#[derive(Serialize, ToSchema)]
pub struct FeatureSummary {
    id: String,
    name: String,
    #[schema(value_type = LayerSchema)]
    layer: Layer,
    /// The city version of the feature's last write.
    version: u64,
    /// The kind's attributes, absent ones left out: the document lists them from the
    /// registry (`crate::openapi::schemas::add_kinds`).
    #[serde(flatten)]
    #[schema(ignore)]
    attributes: Map<String, Value>,
    /// Grid only: the level's Chinese name.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<LevelTitle>, inline)]
    level_title: Option<&'static str>,
    /// Grid, beat and station only: the people who answer for it.
    #[serde(skip_serializing_if = "Option::is_none")]
    people: Option<Vec<PersonView>>,
}

crate::openapi::schemas::built_schema!(LevelTitle => {
    let titles: Vec<&str> = (0..=4).map(level_title).collect();
    crate::openapi::schemas::words(&titles)
});

/// A feature's summary (no geometry) with its people.
pub fn summary(snapshot: &Snapshot, f: &Feature, caller: &Caller) -> FeatureSummary {
    FeatureSummary {
        id: f.id.clone(),
        name: f.name.clone(),
        layer: f.layer(),
        version: f.version,
        attributes: onemap_data::geojson_io::attributes_json(&f.attributes)
            .into_iter()
            .filter(|(_, v)| !v.is_null())
            .collect(),
        level_title: f.level().map(level_title),
        people: f.layer().is_areal().then(|| people(snapshot, f, caller)),
    }
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

/// A layer's coverage problems as a GeoJSON FeatureCollection (QGIS and GDAL open it as it
/// is).
#[derive(Serialize, ToSchema)]
pub struct CoverageReport {
    #[schema(schema_with = feature_collection_tag)]
    r#type: &'static str,
    #[schema(value_type = LayerSchema)]
    layer: Layer,
    /// How many problems; 0 for a clean coverage.
    problems: usize,
    features: Vec<CoverageProblem>,
}

/// One coverage problem as a GeoJSON Feature: the piece that is wrong (null for an invalid
/// ring), why, the features involved and a repair where one is clear.
#[derive(Serialize, ToSchema)]
pub struct CoverageProblem {
    #[schema(schema_with = feature_tag)]
    r#type: &'static str,
    #[schema(value_type = Option<crate::openapi::schemas::Piece>)]
    geometry: Option<geojson::Geometry>,
    properties: ProblemProperties,
}

#[derive(Serialize, ToSchema)]
pub struct ProblemProperties {
    /// overlap: two siblings (same layer; for grids, same level) cover the same ground. gap:
    /// ground inside a parent grid, or enclosed by siblings, that no sibling covers. sliver:
    /// an overlap or gap smaller than `sliver_m2`. outside_parent: part of a child grid lies
    /// outside its parent. outside_station: part of a beat lies outside its station.
    /// invalid_ring: a ring validation refuses.
    #[schema(value_type = ProblemReason, inline)]
    reason: &'static str,
    #[schema(minimum = 0)]
    area_m2: f64,
    /// The features involved, the one the problem concerns first.
    features: Vec<LayerId>,
    repair: Option<Repair>,
    detail: String,
}

crate::openapi::schemas::built_schema!(ProblemReason => crate::openapi::schemas::words(&[
    "overlap",
    "gap",
    "sliver",
    "outside_parent",
    "outside_station",
    "invalid_ring",
]));

/// A feature named by its layer and id.
#[derive(Serialize, ToSchema)]
pub struct LayerId {
    #[schema(value_type = LayerSchema)]
    pub layer: Layer,
    pub id: String,
}

/// What would fix a coverage problem.
#[derive(Serialize, ToSchema)]
pub struct Repair {
    /// merge_into: give the piece to this feature (the neighbour sharing the longest edge with
    /// it). clip: cut the piece off this feature.
    #[schema(value_type = RepairAction, inline)]
    action: &'static str,
    #[serde(flatten)]
    feature: LayerId,
}

crate::openapi::schemas::built_schema!(RepairAction => crate::openapi::schemas::words(&["merge_into", "clip"]));

/// A coverage problem as a GeoJSON Feature: the piece that is wrong, why, who is involved and
/// the proposed repair.
fn problem(p: &onemap_index::check::Problem) -> CoverageProblem {
    use onemap_index::check::Repair as Fix;
    let repair = |action, layer: &Layer, id: &String| Repair {
        action,
        feature: LayerId {
            layer: *layer,
            id: id.clone(),
        },
    };
    let repair = p.repair.as_ref().map(|r| match r {
        Fix::MergeInto(layer, id) => repair("merge_into", layer, id),
        Fix::Clip(layer, id) => repair("clip", layer, id),
    });
    CoverageProblem {
        r#type: "Feature",
        geometry: (!p.geometry.0.is_empty()).then(|| geojson::Geometry::from(&p.geometry)),
        properties: ProblemProperties {
            reason: p.reason.as_str(),
            area_m2: metres(p.area_m2),
            features: p
                .ids
                .iter()
                .map(|(layer, id)| LayerId {
                    layer: *layer,
                    id: id.clone(),
                })
                .collect(),
            repair,
            detail: p.detail.clone(),
        },
    }
}

/// Coverage problems as a FeatureCollection.
pub fn problems(layer: Layer, problems: &[onemap_index::check::Problem]) -> CoverageReport {
    CoverageReport {
        r#type: "FeatureCollection",
        layer,
        problems: problems.len(),
        features: problems.iter().map(problem).collect(),
    }
}

/// GeoJSON's `"type": "Feature"`.
pub fn feature_tag() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("Feature")
}

/// GeoJSON's `"type": "FeatureCollection"`.
pub fn feature_collection_tag() -> utoipa::openapi::schema::ObjectBuilder {
    crate::openapi::schemas::constant("FeatureCollection")
}
