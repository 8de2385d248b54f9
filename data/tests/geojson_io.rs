//! GeoJSON import and export: round trips, defaults, and errors that name the culprit.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

mod fixtures;

use fixtures::{any_feature, feature_of, sample_city};
use onemap_data::geojson_io::{
    feature_to_geojson, layer_to_geojson, parse_feature, parse_feature_collection, parse_people,
    ImportError,
};
use onemap_data::geojson_io::{parse_feature_collection_with, parse_feature_with, OnInvalid};
use onemap_index::validate::{FixKind, Invalid};
use onemap_index::{Attributes, GridKind, Layer, Role, Shape};
use proptest::prelude::*;
use serde_json::{json, Value};

const SQUARE: &str = "[[[120,30],[120.01,30],[120.01,30.01],[120,30.01],[120,30]]]";

fn collection(features: Value) -> Vec<u8> {
    json!({"type": "FeatureCollection", "features": features})
        .to_string()
        .into_bytes()
}

fn grid_json(id: Value, properties: Value) -> Value {
    json!({
        "type": "Feature",
        "id": id,
        "geometry": {"type": "Polygon", "coordinates": serde_json::from_str::<Value>(SQUARE).unwrap()},
        "properties": properties,
    })
}

fn import_error(layer: Layer, features: Value) -> ImportError {
    parse_feature_collection(layer, &collection(features)).unwrap_err()
}

proptest! {
    #[test]
    fn a_feature_survives_export_and_import(f in any_feature()) {
        let json = serde_json::to_vec(&feature_to_geojson(&f)).unwrap();
        prop_assert_eq!(parse_feature(f.layer(), &json).unwrap(), f);
    }

    #[test]
    fn a_layer_survives_export_and_import(
        features in prop::sample::select(Layer::ALL.to_vec())
            .prop_flat_map(|layer| prop::collection::vec(feature_of(layer), 0..6))
    ) {
        let mut features = features;
        features.sort_by(|a, b| a.id.cmp(&b.id));
        features.dedup_by(|a, b| a.id == b.id);
        let layer = features.first().map_or(Layer::Grid, |f| f.layer());
        let text = layer_to_geojson(features.iter());
        prop_assert_eq!(parse_feature_collection(layer, text.as_bytes()).unwrap(), features);
    }
}

#[test]
fn the_sample_city_survives_export_and_import() {
    let city = sample_city();
    for layer in Layer::ALL {
        let features: Vec<_> = city.layer(layer).cloned().collect();
        let text = layer_to_geojson(features.iter());
        assert_eq!(
            parse_feature_collection(layer, text.as_bytes()).unwrap(),
            features
        );
    }
    let people = serde_json::to_vec(&city.people).unwrap();
    assert_eq!(parse_people(&people).unwrap(), city.people);
}

#[test]
fn export_writes_id_twice_version_and_every_documented_property() {
    let city = sample_city();
    let bare_grid = city.features.iter().find(|f| f.id == "g2").unwrap();
    let json = serde_json::to_value(feature_to_geojson(bare_grid)).unwrap();
    assert_eq!(json["id"], "g2");
    assert_eq!(json["geometry"]["type"], "MultiPolygon");
    assert_eq!(
        json["properties"],
        json!({"id": "g2", "name": "网格 g2", "version": 0, "people": [], "level": 4,
               "parent": null, "kind": "comprehensive", "category": null, "setting": null,
               "population": null, "households": null})
    );
    let station = city.features.iter().find(|f| f.id == "s1").unwrap();
    let json = serde_json::to_value(feature_to_geojson(station)).unwrap();
    assert_eq!(json["properties"]["location"], json!([121.05, 28.05]));
    let text = layer_to_geojson(city.layer(Layer::Camera));
    let parsed: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(parsed["type"], "FeatureCollection");
    assert_eq!(parsed["features"][0]["properties"]["status"], "offline");
}

#[test]
fn only_id_and_geometry_are_required() {
    let features = parse_feature_collection(
        Layer::Grid,
        &collection(json!([grid_json(json!(7), json!(null))])),
    )
    .unwrap();
    let f = &features[0];
    assert_eq!((f.id.as_str(), f.name.as_str(), f.version), ("7", "7", 0));
    assert!(f.people.is_empty());
    assert_eq!(
        f.attributes,
        Attributes::Grid {
            level: 3,
            parent: None,
            kind: GridKind::Comprehensive,
            category: None,
            setting: None,
            population: None,
            households: None,
        }
    );
}

#[test]
fn the_id_may_be_a_property_but_must_agree() {
    let ok = grid_json(json!(null), json!({"id": "g9"}));
    assert_eq!(
        parse_feature(Layer::Grid, ok.to_string().as_bytes())
            .unwrap()
            .id,
        "g9"
    );
    let err = import_error(
        Layer::Grid,
        json!([grid_json(json!("a"), json!({"id": "b"}))]),
    );
    assert_eq!(
        (err.code(), err.feature_index),
        ("invalid_property", Some(0))
    );
    let err = import_error(Layer::Grid, json!([grid_json(json!(null), json!({}))]));
    assert_eq!(
        (err.code(), err.feature_index, err.feature_id),
        ("missing_id", Some(0), None)
    );
}

#[test]
fn wrong_property_types_name_the_feature_and_property() {
    let good = grid_json(json!("g1"), json!({}));
    let bad = grid_json(json!("g2"), json!({"level": "three"}));
    let err = import_error(Layer::Grid, json!([good, bad]));
    assert_eq!(err.code(), "invalid_property");
    assert_eq!(
        (err.feature_index, err.feature_id.as_deref()),
        (Some(1), Some("g2"))
    );
    assert_eq!(
        err.to_string(),
        "feature 1 (id `g2`): property `level` must be a whole number from 0 to 4, not \"three\""
    );

    let too_deep = import_error(
        Layer::Grid,
        json!([grid_json(json!("g3"), json!({"level": 9}))]),
    );
    assert_eq!(too_deep.code(), "invalid_property");
    assert!(
        too_deep
            .to_string()
            .contains("`level` must be a whole number from 0 to 4, not 9"),
        "{too_deep}"
    );

    for (property, value) in [
        ("kind", json!("big")),
        ("setting", json!(1)),
        ("people", json!(["p1", 2])),
        ("parent", json!(["x"])),
        ("name", json!(false)),
        ("version", json!(-1)),
    ] {
        let err = import_error(
            Layer::Grid,
            json!([grid_json(json!("g4"), json!({ property: value }))]),
        );
        assert_eq!(err.code(), "invalid_property", "{property}");
        assert!(err.to_string().contains(&format!("`{property}`")), "{err}");
    }
}

#[test]
fn camera_and_station_properties_are_typed() {
    let cam = |props: Value| {
        json!({"type": "Feature", "id": "c1", "properties": props,
               "geometry": {"type": "Point", "coordinates": [120.1, 30.1, 12.0]}})
    };
    let ok = parse_feature(
        Layer::Camera,
        cam(json!({"heading": 90, "range_m": 30.5}))
            .to_string()
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        ok.point().map(|p| (p.x(), p.y())),
        Some((120.1, 30.1)),
        "altitude dropped"
    );
    for props in [
        json!({"heading": "north"}),
        json!({"status": "broken"}),
        json!({"range_m": 0}),
    ] {
        let err = parse_feature(Layer::Camera, cam(props).to_string().as_bytes()).unwrap_err();
        assert_eq!(err.code(), "invalid_property", "{err}");
    }
    let mut station = grid_json(json!("s1"), json!({"location": [121.0]}));
    let err = parse_feature(Layer::Station, station.to_string().as_bytes()).unwrap_err();
    assert!(err.to_string().contains("[longitude, latitude]"), "{err}");
    station["properties"]["location"] = json!([120.005, 30.005]);
    let f = parse_feature(Layer::Station, station.to_string().as_bytes()).unwrap();
    assert!(matches!(
        f.attributes,
        Attributes::Station { location: Some(_) }
    ));
}

#[test]
fn geometry_must_fit_the_layer() {
    let line = json!({"type": "Feature", "id": "g1", "properties": {},
                      "geometry": {"type": "LineString", "coordinates": [[120, 30], [121, 31]]}});
    let err = import_error(Layer::Grid, json!([line]));
    assert_eq!(err.code(), "invalid_geometry");
    assert_eq!(
        err.to_string(),
        "feature 0 (id `g1`): a grid must be a Polygon or MultiPolygon, not a LineString"
    );
    let err = import_error(Layer::Camera, json!([grid_json(json!("c1"), json!({}))]));
    assert!(
        err.to_string()
            .contains("a camera must be a Point, not a Polygon"),
        "{err}"
    );
    let no_geometry = json!({"type": "Feature", "id": "g1", "properties": {}, "geometry": null});
    assert_eq!(
        import_error(Layer::Grid, json!([no_geometry])).code(),
        "invalid_geometry"
    );
    let malformed = json!({"type": "Feature", "id": "g1", "geometry": {"type": "Polygon", "coordinates": [[1]]}});
    assert_eq!(
        import_error(Layer::Grid, json!([malformed])).code(),
        "invalid_geometry"
    );
}

#[test]
fn rings_are_validated_and_normalised() {
    let with_ring = |ring: Value| json!({"type": "Feature", "id": "g1", "geometry": {"type": "Polygon", "coordinates": [ring]}});
    let unclosed = with_ring(json!([[120, 30], [121, 30], [121, 31], [120, 31]]));
    let err = parse_feature(Layer::Grid, unclosed.to_string().as_bytes()).unwrap_err();
    assert!(matches!(
        err.problem.clone(),
        onemap_data::geojson_io::Problem::Repairable(Invalid::NotClosed { .. })
    ));
    assert_eq!(err.feature_id.as_deref(), Some("g1"));
    assert!(err.to_string().ends_with(
        "or send it with ?repair=true (CLI: --repair) to repair it as ST_MakeValid would"
    ));

    let bow_tie = with_ring(json!([
        [120, 30],
        [121, 31],
        [121, 30],
        [120, 31],
        [120, 30]
    ]));
    let err = parse_feature(Layer::Grid, bow_tie.to_string().as_bytes()).unwrap_err();
    assert_eq!(err.code(), "invalid_geometry");
    assert!(err.to_string().contains("touch or cross"), "{err}");

    let lat91 = with_ring(json!([[120, 30], [121, 30], [121, 91], [120, 30]]));
    let err = parse_feature(Layer::Grid, lat91.to_string().as_bytes()).unwrap_err();
    assert!(err.to_string().contains("vertex 2"), "{err}");

    let clockwise = with_ring(json!([
        [120, 30],
        [120, 31],
        [121, 31],
        [121, 30],
        [120, 30]
    ]));
    let f = parse_feature(Layer::Grid, clockwise.to_string().as_bytes()).unwrap();
    let Shape::Area(area) = &f.shape else {
        panic!("a grid is an area")
    };
    let ring: Vec<_> = area.0[0].exterior().0.iter().map(|c| (c.x, c.y)).collect();
    assert_eq!(ring[1], (121.0, 30.0), "exterior turned counter-clockwise");
}

#[test]
fn repair_closes_rings_and_splits_bow_ties_and_says_so() {
    let feature = json!({"type": "Feature", "id": "g1", "geometry": {"type": "Polygon", "coordinates": [
        [[120, 30], [121, 31], [121, 30], [120, 31]]
    ]}});
    let (f, fixes) = parse_feature_with(
        Layer::Grid,
        feature.to_string().as_bytes(),
        OnInvalid::Repair,
    )
    .unwrap();
    let kinds: Vec<FixKind> = fixes.iter().map(|fix| fix.kind).collect();
    assert_eq!(kinds, [FixKind::Unclosed, FixKind::SelfIntersection]);
    let Shape::Area(area) = &f.shape else {
        panic!("a grid is an area")
    };
    assert_eq!(area.0.len(), 2, "a bow-tie becomes two triangles");

    let valid = grid_json(json!("g2"), json!({}));
    let collection = json!({"type": "FeatureCollection", "features": [feature, valid]});
    let (features, repairs) = parse_feature_collection_with(
        Layer::Grid,
        collection.to_string().as_bytes(),
        OnInvalid::Repair,
    )
    .unwrap();
    assert_eq!(features.len(), 2);
    assert_eq!(
        repairs.len(),
        1,
        "only the feature that needed fixing is listed"
    );
    assert_eq!(repairs[0].id, "g1");
}

#[test]
fn crs_other_than_wgs84_is_refused() {
    let with_crs = |name: &str| {
        json!({"type": "FeatureCollection",
               "crs": {"type": "name", "properties": {"name": name}},
               "features": [grid_json(json!("g1"), json!({}))]})
        .to_string()
    };
    let err = parse_feature_collection(
        Layer::Grid,
        with_crs("urn:ogc:def:crs:EPSG::3857").as_bytes(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "wrong_crs");
    assert!(err.to_string().contains("EPSG:4326"), "{err}");
    for ok in ["urn:ogc:def:crs:OGC:1.3:CRS84", "EPSG:4490"] {
        assert!(
            parse_feature_collection(Layer::Grid, with_crs(ok).as_bytes()).is_ok(),
            "{ok}"
        );
    }
}

#[test]
fn duplicate_ids_are_refused() {
    let f = |id: &str| grid_json(json!(id), json!({}));
    let err = import_error(Layer::Grid, json!([f("a"), f("b"), f("a")]));
    assert_eq!(
        (err.code(), err.feature_index, err.feature_id.as_deref()),
        ("duplicate_id", Some(2), Some("a"))
    );
    assert!(err.to_string().contains("record 0"), "{err}");
}

#[test]
fn bodies_that_are_not_feature_collections_are_refused() {
    assert_eq!(
        parse_feature_collection(Layer::Grid, b"{not json")
            .unwrap_err()
            .code(),
        "invalid_json"
    );
    let feature = grid_json(json!("g1"), json!({})).to_string();
    let err = parse_feature_collection(Layer::Grid, feature.as_bytes()).unwrap_err();
    assert_eq!(err.code(), "invalid_structure");
    assert!(
        err.to_string()
            .contains("expected a FeatureCollection, got a Feature"),
        "{err}"
    );
    let err =
        parse_feature_collection(Layer::Grid, br#"{"type":"FeatureCollection"}"#).unwrap_err();
    assert_eq!(err.code(), "invalid_structure");
    assert_eq!(
        import_error(Layer::Grid, json!([42])).feature_index,
        Some(0)
    );
}

#[test]
fn people_are_read_and_checked() {
    let people = parse_people(
        r#"[{"id": "p1", "name": "王小明", "role": "grid_worker", "phone": "13800000000"},
             {"id": 2, "name": "李四", "role": "auxiliary"}]"#
            .as_bytes(),
    )
    .unwrap();
    assert_eq!(
        (
            people[1].id.as_str(),
            people[1].role,
            people[1].phone.as_str()
        ),
        ("2", Role::Auxiliary, "")
    );
    let err = parse_people(br#"[{"id": "p1", "name": "a", "role": "boss"}]"#).unwrap_err();
    assert_eq!(
        (err.code(), err.feature_index),
        ("invalid_property", Some(0))
    );
    assert!(
        err.to_string()
            .starts_with("person 0 (id `p1`): property `role` unknown role `boss`"),
        "{err}"
    );
    let err = parse_people(br#"[{"id": "p1", "role": "auxiliary"}]"#).unwrap_err();
    assert!(err.to_string().contains("`name` is required"), "{err}");
    let twice = br#"[{"id": "p1", "name": "a", "role": "auxiliary"}, {"id": "p1", "name": "b", "role": "auxiliary"}]"#;
    assert_eq!(parse_people(twice).unwrap_err().code(), "duplicate_id");
    assert_eq!(
        parse_people(br#"{"id": "p1"}"#).unwrap_err().code(),
        "invalid_structure"
    );
}

/// A position needs a longitude and a latitude: one number is refused with a reason, for a
/// point and inside a ring alike (it used to panic the handler; the fuzzer found it again).
#[test]
fn a_position_with_one_number_is_refused_not_a_panic() {
    for (layer, geometry) in [
        (Layer::Camera, r#"{"type":"Point","coordinates":[121.0]}"#),
        (
            Layer::Grid,
            r#"{"type":"Polygon","coordinates":[[[121.01],[121,28.02],[121,28],[121.01]]]}"#,
        ),
        (Layer::Camera, r#"{"type":"Point","coordinates":[]}"#),
    ] {
        let body = format!(
            r#"{{"type":"Feature","id":"x","properties":{{"name":"x"}},"geometry":{geometry}}}"#
        );
        let err = parse_feature(layer, body.as_bytes()).unwrap_err();
        assert_eq!(err.code(), "invalid_geometry", "{err}");
        assert!(err.to_string().contains("position"), "{err}");
    }
}
