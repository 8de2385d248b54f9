//! Every kind in the layer registry is found in every place derived from it: the manifest,
//! the OpenAPI document, TileJSON, GeoJSON exports, summaries, and the columns of the
//! GeoPackage (read by GDAL) and PostGIS tables. A kind added to the registry without one of
//! these fails here.

use onemap_data::geojson_io::feature_to_geojson;
use onemap_demo::{generate, DemoConfig};
use onemap_index::layers::{FieldKind, LayerSpec, REGISTRY};
use onemap_index::Layer;
use onemap_tests::{Server, TempDir, TestDatabase};
use std::collections::BTreeSet;
use std::process::Command;

/// PUTs one feature of each kind, from a small generated city, into `server`.
fn one_of_each(server: &Server) {
    let city = generate(&DemoConfig::with_grids(50));
    Layer::ALL.iter().for_each(|layer| {
        let f = city
            .layer(*layer)
            .next()
            .expect("the demo city has every kind")
            .clone();
        let body = serde_json::to_string(&feature_to_geojson(&f)).unwrap();
        let answer = server
            .planner()
            .put_feature(layer.as_str(), &f.id, &body, None);
        assert_eq!(answer.status, 201, "PUT {layer}/{}: {}", f.id, answer.body);
    });
}

/// The store columns a kind's fields take: one each, two for a position.
fn columns(spec: &LayerSpec) -> BTreeSet<String> {
    spec.fields
        .iter()
        .flat_map(|f| match f.kind {
            FieldKind::Position => vec![format!("{}_lng", f.name), format!("{}_lat", f.name)],
            _ => vec![f.name.to_string()],
        })
        .collect()
}

fn names(values: &serde_json::Value) -> BTreeSet<String> {
    values
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_registered_kind_is_in_every_place() {
    let dir = TempDir::new("registry");
    let store = dir.0.join("city.gpkg");
    let server = Server::start(&store, &[]);
    one_of_each(&server);

    let manifest = server.anonymous().get("/v1/layers").body;
    let openapi = server.anonymous().get("/openapi.json").body;
    let tilejson = server.anonymous().get("/tiles.json").body;
    let schemas = &openapi["components"]["schemas"];
    for spec in REGISTRY {
        let l = spec.layer;
        let fields: BTreeSet<String> = spec.fields.iter().map(|f| f.name.to_string()).collect();

        let entry = manifest["layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == l.as_str())
            .unwrap_or_else(|| panic!("{l} is not in /v1/layers: {manifest}"));
        assert_eq!(entry["title"], spec.title, "{l}");
        assert_eq!(entry["count"], 1, "{l}");
        assert_eq!(names(&entry["fields"]), fields, "{l} in the manifest");

        let layers = schemas["Layer"]["enum"].as_array().unwrap();
        assert!(
            layers.iter().any(|v| v == l.as_str()),
            "{l} in the OpenAPI Layer enum"
        );
        let schema = format!("{}Properties", capitalised(l.as_str()));
        for name in &fields {
            assert!(
                schemas[&schema]["properties"].get(name).is_some(),
                "{l}.{name} in the OpenAPI schema {schema}"
            );
        }

        let vector = tilejson["vector_layers"]
            .as_array()
            .unwrap()
            .iter()
            .find(|v| v["id"] == l.as_str())
            .unwrap_or_else(|| panic!("{l} is not in TileJSON"));
        for f in spec.fields.iter().filter(|f| f.tile).chain(spec.derived) {
            assert!(
                vector["fields"].get(f.name).is_some(),
                "{l}.{} in TileJSON",
                f.name
            );
        }

        let export = server
            .anonymous()
            .get(&format!("/v1/layers/{l}.geojson"))
            .body;
        let properties = &export["features"][0]["properties"];
        for name in ["id", "name", "version", "people"]
            .iter()
            .map(|s| s.to_string())
            .chain(fields.iter().cloned())
        {
            assert!(
                properties.get(&name).is_some(),
                "{l}.{name} in the GeoJSON export"
            );
        }
    }

    // GDAL reads the columns of every kind's table.
    for spec in REGISTRY {
        let out = Command::new("ogrinfo")
            .args(["-ro", "-so", "-nomd"])
            .arg(&store)
            .arg(spec.layer.as_str())
            .output()
            .expect("ogrinfo runs: install gdal-bin (make setup does)");
        let text = String::from_utf8_lossy(&out.stdout);
        for column in columns(spec) {
            assert!(
                text.lines()
                    .any(|line| line.starts_with(&format!("{column}: "))),
                "GDAL sees no column {column} in {}: {text}",
                spec.layer
            );
        }
    }
    drop(server);

    // And PostGIS has them too.
    let db = TestDatabase::create("registry");
    let server = Server::start_on_database(&db.url, &[]);
    one_of_each(&server);
    let mut client = db.client();
    for spec in REGISTRY {
        let rows = client
            .query(
                "SELECT column_name::text FROM information_schema.columns \
                 WHERE table_schema = 'onemap' AND table_name = $1",
                &[&spec.layer.as_str()],
            )
            .unwrap();
        let found: BTreeSet<String> = rows.iter().map(|r| r.get(0)).collect();
        assert!(
            columns(spec).is_subset(&found),
            "PostGIS table onemap.{} lacks {:?}",
            spec.layer,
            columns(spec).difference(&found).collect::<Vec<_>>()
        );
        let count: i64 = client
            .query_one(&format!("SELECT count(*) FROM onemap.{}", spec.layer), &[])
            .unwrap()
            .get(0);
        assert_eq!(count, 1, "{}", spec.layer);
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_ascii_uppercase().to_string() + chars.as_str())
        .unwrap_or_default()
}
