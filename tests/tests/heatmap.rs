//! Camera heatmaps against the reference H3 library (PyPI `h3` 4.5, in a venv under
//! `target/`): the same cell ids and counts at every resolution, with and without a filter.

use onemap_tests::reference_h3::{python_with_h3, reference, served};
use onemap_tests::{demo_store, Server, TempDir};
use serde_json::Value;

#[test]
fn camera_heatmaps_match_the_reference_h3_library() {
    let dir = TempDir::new("heatmap");
    let store = demo_store(&dir, Some(300));
    let server = Server::start(&store, &[]);
    let export: Value = serde_json::from_str(&server.anonymous().export("camera")).unwrap();
    let cameras: Vec<(&Value, [f64; 2])> = export["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            (f, [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()])
        })
        .collect();
    assert!(cameras.len() > 500, "{}", cameras.len());
    let python = python_with_h3();
    for res in [5, 7, 9, 11] {
        let answer = server
            .anonymous()
            .get(&format!("/v1/heatmap?layer=camera&res={res}"))
            .expect(200, "heatmap")
            .body;
        let all: Vec<[f64; 2]> = cameras.iter().map(|(_, p)| *p).collect();
        assert_eq!(served(&answer), reference(&python, &all, res), "res {res}");
        assert_eq!(answer["total"].as_u64().unwrap() as usize, cameras.len());
    }
    // Where cameras are offline.
    let offline: Vec<[f64; 2]> = cameras
        .iter()
        .filter(|(f, _)| f["properties"]["status"] == "offline")
        .map(|(_, p)| *p)
        .collect();
    assert!(!offline.is_empty());
    let answer = server
        .anonymous()
        .get("/v1/heatmap?layer=camera&res=8&status=offline")
        .expect(200, "filtered")
        .body;
    assert_eq!(served(&answer), reference(&python, &offline, 8));
    for (query, code) in [
        ("layer=grid", "invalid_parameter"),
        ("res=12", "out_of_range"),
        ("res=4", "out_of_range"),
    ] {
        let refused = server.anonymous().get(&format!("/v1/heatmap?{query}"));
        assert_eq!(
            (refused.status, refused.body["error"].as_str()),
            (400, Some(code)),
            "{query}"
        );
    }
}
