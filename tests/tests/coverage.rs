//! Camera coverage over HTTP: every level-3 grid (or beat) with its covered share, least
//! covered first, and the parts no camera sees as GeoJSON that GDAL reads.

use onemap_tests::{demo_store, Server, TempDir};
use std::process::Command;

#[test]
fn coverage_lists_every_grid_and_gdal_reads_the_uncovered_parts() {
    let dir = TempDir::new("coverage");
    let store = demo_store(&dir, Some(300));
    let server = Server::start(&store, &[]);
    let grids: serde_json::Value =
        serde_json::from_str(&server.anonymous().export("grid")).unwrap();
    let level3 = grids["features"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["properties"]["level"] == 3)
        .count();
    let answer = server
        .anonymous()
        .get("/v1/coverage/grid")
        .expect(200, "coverage")
        .body;
    let rows = answer["rows"].as_array().unwrap();
    assert_eq!(rows.len(), level3);
    let shares: Vec<f64> = rows.iter().map(|r| r["share"].as_f64().unwrap()).collect();
    assert!(
        shares.windows(2).all(|w| w[0] <= w[1]),
        "least covered first"
    );
    assert!(shares.iter().all(|s| (0.0..=1.0).contains(s)));
    assert!(shares[shares.len() - 1] > 0.0, "some grid has cameras");
    let city = answer["share"].as_f64().unwrap();
    assert!(city > 0.0 && city < 1.0, "{city}");
    let beats = server
        .anonymous()
        .get("/v1/coverage/beat?limit=5")
        .expect(200, "beats");
    assert_eq!(beats.body["count"], 5);
    assert_eq!(server.anonymous().get("/v1/coverage/camera").status, 404);
    assert_eq!(
        server.anonymous().get("/v1/coverage/grid?level=x").status,
        400
    );

    let uncovered = server.anonymous().get("/v1/coverage/grid.geojson").body;
    let path = dir.0.join("uncovered.geojson");
    std::fs::write(&path, uncovered.to_string()).unwrap();
    let info = Command::new("ogrinfo")
        .args(["-so", "-ro", "-al"])
        .arg(&path)
        .output()
        .expect("ogrinfo (make setup installs gdal-bin)");
    let text = String::from_utf8_lossy(&info.stdout);
    let partly = shares.iter().filter(|s| **s < 1.0).count();
    assert!(
        text.contains(&format!("Feature Count: {partly}")),
        "{partly} grids not fully seen: {text}"
    );
    assert!(text.contains("share: Real"), "{text}");
}
