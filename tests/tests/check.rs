//! The coverage check from outside: `onemap check` on the demo city (clean) and on a store
//! with a planted overlap (which it reports as GeoJSON that GDAL reads), and the same over
//! HTTP.

use onemap_tests::{collection, demo_store, onemap_bin, Server, TempDir};
use serde_json::{json, Value};
use std::process::Command;

/// A level-3 grid at 121°E 28°N from `x0` to `x1` degrees east.
fn grid(id: &str, x0: f64, x1: f64) -> Value {
    let ring = json!([
        [121.0 + x0, 28.0],
        [121.0 + x1, 28.0],
        [121.0 + x1, 28.01],
        [121.0 + x0, 28.01],
        [121.0 + x0, 28.0]
    ]);
    json!({ "type": "Feature", "id": id, "properties": { "level": 3 }, "geometry": { "type": "Polygon", "coordinates": [ring] } })
}

#[test]
fn the_demo_city_checks_clean() {
    let dir = TempDir::new("check-demo");
    let store = demo_store(&dir, None);
    let checked = Command::new(onemap_bin())
        .args(["check", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&checked.stdout);
    assert!(
        checked.status.success(),
        "the demo city has coverage problems: {}\n{}",
        String::from_utf8_lossy(&checked.stderr),
        &report[..report.len().min(2000)]
    );
    let layers: Vec<Value> = report
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(layers.len(), 3, "grid, beat and station");
    for layer in layers {
        assert_eq!(layer["problems"], 0, "{}", layer["layer"]);
    }
}

#[test]
fn a_planted_overlap_is_reported_over_http_and_by_the_cli_as_geojson_gdal_reads() {
    let dir = TempDir::new("check-planted");
    let store = dir.0.join("city.gpkg");
    let server = Server::start(&store, &[]);
    // g2 starts 0.001° before g1 ends: 98 m × 1,109 m of overlap.
    let grids = collection(vec![grid("g1", 0.0, 0.01), grid("g2", 0.009, 0.02)]);
    server
        .planner()
        .import("grid", &grids)
        .expect(200, "importing the grids");

    let answer = server
        .anonymous()
        .get("/v1/layers/grid/check")
        .expect(200, "checking grids");
    assert_eq!(answer.body["problems"], 1, "{}", answer.body);
    let problem = &answer.body["features"][0];
    assert_eq!(problem["properties"]["reason"], "overlap");
    assert_eq!(
        problem["properties"]["features"],
        json!([{ "layer": "grid", "id": "g1" }, { "layer": "grid", "id": "g2" }])
    );
    let area = problem["properties"]["area_m2"].as_f64().unwrap();
    assert!((area - 109_000.0).abs() < 500.0, "{area}");
    assert_eq!(problem["geometry"]["type"], "MultiPolygon");
    // A coarser sliver area makes it a sliver, with a repair.
    let coarse = server
        .anonymous()
        .get("/v1/layers/grid/check?sliver_m2=200000")
        .expect(200, "coarse");
    assert_eq!(coarse.body["features"][0]["properties"]["reason"], "sliver");
    assert!(coarse.body["features"][0]["properties"]["repair"]["action"] == "merge_into");
    let points = server.anonymous().get("/v1/layers/camera/check");
    assert_eq!(
        (points.status, points.body["error"].as_str()),
        (400, Some("invalid_parameter"))
    );
    drop(server);

    let checked = Command::new(onemap_bin())
        .args(["check", "--layer", "grid", "--store"])
        .arg(&store)
        .output()
        .unwrap();
    assert!(
        !checked.status.success(),
        "a coverage with problems fails the command"
    );
    let report = dir.0.join("problems.geojson");
    std::fs::write(&report, &checked.stdout).unwrap();
    let read = Command::new("ogrinfo")
        .args(["-ro", "-al", "-so"])
        .arg(&report)
        .output()
        .expect("ogrinfo runs: install gdal-bin (make setup does)");
    let text = String::from_utf8_lossy(&read.stdout);
    assert!(
        text.contains("Feature Count: 1"),
        "GDAL reads the report: {text}"
    );
    assert!(text.contains("Multi Polygon"), "{text}");
}
