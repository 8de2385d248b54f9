//! Writes over HTTP: imports all-or-nothing, versions as ETags, bad input refused with the
//! store unchanged, and nothing lost across a restart.

use onemap_tests::{collection, Answer, Server, TempDir, ADMIN, PLANNER};
use serde_json::{json, Value};

fn square(id: &str, x0: f64, y0: f64, size: f64, props: Value) -> Value {
    let ring = json!([
        [x0, y0],
        [x0 + size, y0],
        [x0 + size, y0 + size],
        [x0, y0 + size],
        [x0, y0]
    ]);
    let mut properties = props;
    properties["name"] = json!(format!("{id} 网格"));
    json!({ "type": "Feature", "id": id, "properties": properties, "geometry": { "type": "Polygon", "coordinates": [ring] } })
}

/// Two 0.01° grids side by side and one beat over both.
fn seeded() -> (Server, TempDir) {
    let dir = TempDir::new("writes");
    let server = Server::start(&dir.0.join("city.gpkg"), &["--max-body-mb", "1"]);
    let grids = collection(vec![
        square("g1", 121.0, 28.0, 0.01, json!({})),
        square("g2", 121.01, 28.0, 0.01, json!({})),
    ]);
    let Answer {
        status: s, body: v, ..
    } = server.planner().import("grid", &grids);
    assert_eq!(s, 200, "{v}");
    let beats = collection(vec![square("b1", 121.005, 27.99, 0.02, json!({}))]);
    assert_eq!(server.planner().import("beat", &beats).status, 200);
    (server, dir)
}

#[test]
fn feature_versions_are_etags_and_stale_writes_get_412() {
    let (server, _dir) = seeded();
    let planner = server.planner();
    let Answer { status, body, etag } = planner.feature("grid", "g1");
    assert_eq!(status, 200);
    assert_eq!(body["properties"]["level"], 3, "level defaults to 3");
    let etag = etag.expect("ETag");
    let Answer { status, .. } = planner.send(
        "GET",
        "/v1/layers/grid/features/g1",
        None,
        &[("If-None-Match", &etag)],
    );
    assert_eq!(status, 304);
    let moved = square(
        "g1",
        121.0,
        28.0,
        0.012,
        json!({ "kind": "exclusive", "category": "school" }),
    )
    .to_string();
    let Answer {
        status, body: v, ..
    } = planner.put_feature("grid", "g1", &moved, None);
    assert_eq!(
        (status, v["error"].as_str()),
        (428, Some("precondition_required")),
        "{v}"
    );
    let Answer {
        status,
        body: v,
        etag: new_etag,
    } = planner.put_feature("grid", "g1", &moved, Some(&etag));
    assert_eq!(status, 200, "{v}");
    assert_ne!(new_etag.as_deref(), Some(etag.as_str()));
    let Answer {
        status, body: v, ..
    } = planner.put_feature("grid", "g1", &moved, Some(&etag));
    assert_eq!(
        status, 412,
        "a second writer with the old version loses: {v}"
    );
    assert_eq!(
        format!("\"{}\"", v["current_version"]),
        new_etag.clone().unwrap()
    );
    // The live index sees the edit at once: a point only the larger square covers.
    let v = server
        .anonymous()
        .get("/v1/locate?lng=121.0005&lat=28.0115")
        .body;
    assert_eq!(v["grid"]["id"], "g1");
    assert_eq!(v["grid"]["kind"], "exclusive");
    let Answer { status, .. } = planner.delete_feature("grid", "g1", new_etag.as_deref().unwrap());
    assert_eq!(status, 204);
    assert_eq!(planner.feature("grid", "g1").status, 404);
    let v = server
        .anonymous()
        .get("/v1/locate?lng=121.005&lat=28.005")
        .body;
    assert_eq!(
        v["error"], "not_found",
        "the deleted grid no longer answers"
    );
    let Answer {
        status, body: v, ..
    } = planner.put_feature("grid", "g9", &moved, None);
    assert_eq!((status, v["error"].as_str()), (400, Some("id_mismatch")));
}

#[test]
fn bad_imports_change_nothing_and_say_where() {
    let (server, _dir) = seeded();
    let before = server.anonymous().city_version();
    let bow_tie = json!({ "type": "Feature", "id": "bad", "properties": {}, "geometry": { "type": "Polygon",
        "coordinates": [[[121.0, 28.0], [121.01, 28.01], [121.01, 28.0], [121.0, 28.01], [121.0, 28.0]]] } });
    let unclosed = json!({ "type": "Feature", "id": "open", "properties": {}, "geometry": { "type": "Polygon",
        "coordinates": [[[121.0, 28.0], [121.01, 28.0], [121.01, 28.01], [121.0, 28.01]]] } });
    let cases = [
        (
            collection(vec![square("ok", 122.0, 28.0, 0.01, json!({})), bow_tie]),
            1,
            "bad",
        ),
        (collection(vec![unclosed]), 0, "open"),
        (
            collection(vec![square(
                "lvl",
                122.0,
                28.0,
                0.01,
                json!({ "level": "three" }),
            )]),
            0,
            "lvl",
        ),
        (
            collection(vec![square("far", 122.0, 95.0, 0.01, json!({}))]),
            0,
            "far",
        ),
    ];
    for (body, index, id) in &cases {
        let Answer {
            status, body: v, ..
        } = server.planner().import("grid", body);
        assert!(status == 422 || status == 400, "{v}");
        assert_eq!(v["feature_index"], json!(index), "{v}");
        assert_eq!(v["feature_id"], json!(id), "{v}");
        assert!(!v["message"].as_str().unwrap().is_empty());
    }
    let Answer {
        status, body: v, ..
    } = server.planner().import("grid", "{not json");
    assert_eq!((status, v["error"].as_str()), (400, Some("invalid_json")));
    let wrong_crs = json!({ "type": "FeatureCollection", "crs": { "type": "name", "properties": { "name": "EPSG:2385" } }, "features": [] });
    let Answer {
        status, body: v, ..
    } = server.planner().import("grid", &wrong_crs.to_string());
    assert_eq!(
        (status, v["error"].as_str()),
        (422, Some("wrong_crs")),
        "{v}"
    );
    let huge = collection(
        (0..8000)
            .map(|i| square(&format!("h{i}"), 122.0, 28.0, 0.001, json!({})))
            .collect(),
    );
    assert!(huge.len() > 1 << 20);
    let (status, v) = too_large(&server.url("/v1/layers/grid/import"), &huge);
    assert_eq!((status, v["error"].as_str()), (413, Some("body_too_large")));
    assert_eq!(
        server.anonymous().city_version(),
        before,
        "no bad import changed the store"
    );
    assert_eq!(
        server.anonymous().get("/v1/layers").body["layers"][0]["count"],
        2
    );
}

#[test]
fn replace_mode_swaps_a_layer_and_a_restart_loses_nothing() {
    let (server, dir) = seeded();
    let body = collection(vec![square("r1", 121.0, 28.0, 0.02, json!({ "level": 2 }))]);
    let Answer {
        status, body: v, ..
    } = server
        .planner()
        .post("/v1/layers/grid/import?mode=replace", &body);
    assert_eq!(status, 200, "{v}");
    let v = server.anonymous().get("/v1/layers").body;
    assert_eq!(v["layers"][0]["count"], 1);
    let exported = server.anonymous().export("grid");
    let version_before = server.anonymous().city_version();
    server.kill();
    let server = Server::start(&dir.0.join("city.gpkg"), &[]);
    assert_eq!(server.anonymous().city_version(), version_before);
    let again = server.anonymous().export("grid");
    assert_eq!(again, exported, "the layer comes back byte for byte");
    let v = server
        .anonymous()
        .get("/v1/locate?lng=121.015&lat=28.005")
        .body;
    assert_eq!(v["grid"]["id"], "r1");
    assert_eq!(v["beat"]["id"], "b1");
}

/// Posts a body over the server's limit. The server answers 413 as soon as it has read the
/// headers and may close before the client has written the rest, so the client can see a
/// broken pipe instead of the answer; such attempts are retried, any other answer is returned.
fn too_large(url: &str, body: &str) -> (u16, Value) {
    for _ in 0..10 {
        let request = ureq::post(url)
            .set("Authorization", &format!("Bearer {PLANNER}"))
            .set("Content-Type", "application/json");
        match request.send_string(body) {
            Ok(r) | Err(ureq::Error::Status(_, r)) => {
                let status = r.status();
                return (status, r.into_json().unwrap_or(Value::Null));
            }
            Err(ureq::Error::Transport(_)) => continue,
        }
    }
    panic!("every attempt to send the large body broke off before an answer");
}

/// Planners writing at once are committed in groups; each write is still checked on its own
/// (one of two writers holding the same version wins, the other gets 412) and none is lost.
#[test]
fn concurrent_writers_each_get_their_own_answer_and_nothing_is_lost() {
    let (server, _dir) = seeded();
    let start = server.anonymous().city_version();
    let (writers, rounds) = (6u32, 5u32);
    let last_etags: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..writers)
            .map(|w| {
                let server = &server;
                scope.spawn(move || {
                    let id = format!("w{w}");
                    let mut etag: Option<String> = None;
                    for round in 0..rounds {
                        let x = 121.1 + 0.02 * f64::from(w);
                        let size = 0.005 + 0.001 * f64::from(round);
                        let body = square(&id, x, 28.1, size, json!({})).to_string();
                        let Answer {
                            status,
                            body: v,
                            etag: new_etag,
                        } = server
                            .planner()
                            .put_feature("grid", &id, &body, etag.as_deref());
                        assert!(status == 200 || status == 201, "{status} {v}");
                        etag = new_etag;
                    }
                    etag.expect("ETag")
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        server.anonymous().city_version(),
        start + u64::from(writers * rounds)
    );
    for (w, etag) in last_etags.iter().enumerate() {
        let Answer {
            status, etag: now, ..
        } = server.planner().feature("grid", &format!("w{w}"));
        assert_eq!((status, now.as_deref()), (200, Some(etag.as_str())));
    }
    let audit = server.client(Some(ADMIN)).get("/v1/audit?limit=1000").body;
    let audited = audit["entries"].as_array().map_or(0, |e| {
        e.iter()
            .filter(|e| e["version"].as_u64() > Some(start))
            .count()
    });
    assert_eq!(
        audited,
        (writers * rounds) as usize,
        "every write is audited"
    );

    let etag = server.planner().feature("grid", "g1").etag.unwrap();
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let racers: Vec<_> = (0..2)
            .map(|r| {
                let (server, etag) = (&server, &etag);
                scope.spawn(move || {
                    let body = square("g1", 121.0, 28.0, 0.011 + 0.001 * f64::from(r), json!({}));
                    server
                        .planner()
                        .put_feature("grid", "g1", &body.to_string(), Some(etag))
                        .status
                })
            })
            .collect();
        racers.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut sorted = statuses.clone();
    sorted.sort_unstable();
    assert_eq!(sorted, [200, 412], "exactly one racer wins: {statuses:?}");
}

/// Another process (`onemap import`) writing the GeoPackage under a running server: the
/// server's next write finds the gap and shows both, instead of acknowledging a write it
/// then does not show.
#[test]
fn a_write_after_another_process_wrote_the_file_shows_both() {
    let (server, dir) = seeded();
    let file = dir.0.join("cameras.geojson");
    let camera = json!({ "type": "Feature", "id": "cam1",
        "properties": { "name": "东门摄像头" },
        "geometry": { "type": "Point", "coordinates": [121.005, 28.005] } });
    std::fs::write(&file, collection(vec![camera])).unwrap();
    let imported = std::process::Command::new(onemap_tests::onemap_bin())
        .arg("import")
        .arg("--store")
        .arg(dir.0.join("city.gpkg"))
        .args(["--layer", "camera"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{imported:?}");
    let planner = server.planner();
    let body = square("g3", 121.2, 28.2, 0.01, json!({})).to_string();
    let Answer {
        status, body: v, ..
    } = planner.put_feature("grid", "g3", &body, None);
    assert_eq!(status, 201, "{v}");
    assert_eq!(
        planner.feature("grid", "g3").status,
        200,
        "the write is shown"
    );
    let Answer {
        status, body: v, ..
    } = planner.feature("camera", "cam1");
    assert_eq!(status, 200, "the other process's import is shown too: {v}");
}
