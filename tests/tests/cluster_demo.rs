//! Two `onemap serve` nodes on one PostGIS holding the whole demo city (Taizhou-sized: 7,263
//! grids, 821 beats, 30,000 cameras): a geometry edit, a delete and a create made on one node
//! are in the other node's locate answers and in its (warm) tile cache within a second of
//! being acknowledged; two nodes started together on an empty database seed it once. In a file of its own so that no other test loads the machine meanwhile.

use onemap_tests::{eventually, Answer, Server, TestDatabase};
use serde_json::{json, Value};
use std::io::Read;
use std::time::Duration;

/// How soon a write on one node must show on the others.
const PROPAGATION: Duration = Duration::from_secs(1);

/// The grid `server` locates a point in.
fn grid_at(server: &Server, p: [f64; 2]) -> Option<String> {
    let v = server.anonymous().locate(p[0], p[1]);
    (v.status == 200).then(|| v.body["grid"]["id"].as_str().unwrap().to_string())
}

/// The z14 tile holding a point, as `z/x/y`.
fn tile_of(p: [f64; 2]) -> String {
    let n = 2f64.powi(14);
    let x = ((p[0] + 180.0) / 360.0 * n).floor();
    let y = (1.0 - p[1].to_radians().tan().asinh() / std::f64::consts::PI) / 2.0 * n;
    format!("14/{x}/{}", y.floor())
}

fn tile(server: &Server, tile: &str) -> Vec<u8> {
    let response = ureq::get(&server.url(&format!("/tiles/grid/{tile}.mvt")))
        .call()
        .expect("tile");
    let mut bytes = Vec::new();
    response.into_reader().read_to_end(&mut bytes).unwrap();
    bytes
}

/// Waits until `check` holds, at most [`PROPAGATION`] after the write was acknowledged.
fn propagates(what: &str, mut check: impl FnMut() -> bool) {
    let (_, took) = eventually(PROPAGATION, || check().then_some(()))
        .unwrap_or_else(|| panic!("{what} did not reach the other node within {PROPAGATION:?}"));
    eprintln!("{what}: on the other node {took:?} after the acknowledgement");
}

fn outer_ring(geometry: &Value) -> Vec<[f64; 2]> {
    let rings = match geometry["type"].as_str() {
        Some("Polygon") => &geometry["coordinates"],
        _ => &geometry["coordinates"][0],
    };
    rings[0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect()
}

#[test]
fn on_the_demo_city_edits_reach_the_other_node_within_a_second() {
    let db = TestDatabase::create("democity");
    // Both nodes start on the empty database at once; one seeds the demo city, the other
    // finds it seeded and loads it.
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| Server::start_on_database(&db.url, &["--demo"]));
        let b = s.spawn(|| Server::start_on_database(&db.url, &["--demo"]));
        (a.join().unwrap(), b.join().unwrap())
    });
    for node in [&a, &b] {
        let layers = node.anonymous().get("/v1/layers").body;
        assert_eq!(
            layers["layers"][0]["count"], 8972,
            "the demo city: {layers}"
        );
        assert_eq!(layers["version"], 1, "seeded once: {layers}");
    }
    let commits: i64 = db
        .client()
        .query_one("SELECT count(DISTINCT version) FROM onemap.change_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(commits, 1, "one seed commit");

    // A level-3 grid, a point near one of its corners (p) and its vertex centre (c).
    let (id, feature, ring, c, p) = (100..200)
        .find_map(|k| {
            let id = format!("g{k:06}");
            let Answer {
                status, body: f, ..
            } = a.anonymous().feature("grid", &id);
            if status != 200 || f["properties"]["level"] != 3 {
                return None;
            }
            let ring = outer_ring(&f["geometry"]);
            let n = (ring.len() - 1) as f64;
            let c = [
                ring[..ring.len() - 1].iter().map(|v| v[0]).sum::<f64>() / n,
                ring[..ring.len() - 1].iter().map(|v| v[1]).sum::<f64>() / n,
            ];
            let p = [
                c[0] + 0.8 * (ring[0][0] - c[0]),
                c[1] + 0.8 * (ring[0][1] - c[1]),
            ];
            let inside = |q| grid_at(&a, q).as_deref() == Some(id.as_str());
            (inside(c) && inside(p)).then_some((id, f, ring, c, p))
        })
        .expect("a grid whose vertex centre and corner point lie in it");
    let before = tile(&b, &tile_of(p));
    assert_eq!(before, tile(&a, &tile_of(p)));

    // 1. The grid shrinks to half its size around c: p falls out of it.
    let shrunk: Vec<[f64; 2]> = ring
        .iter()
        .map(|v| [c[0] + 0.5 * (v[0] - c[0]), c[1] + 0.5 * (v[1] - c[1])])
        .collect();
    let mut edited = feature.clone();
    edited["geometry"] = json!({ "type": "Polygon", "coordinates": [shrunk] });
    // Its grid workers go too: a grid people answer for cannot be deleted (step 2).
    edited["properties"]["people"] = json!([]);
    let version = feature["properties"]["version"].as_u64().unwrap();
    let Answer { status, body, .. } = a.planner().put_feature(
        "grid",
        &id,
        &edited.to_string(),
        Some(&format!("\"{version}\"")),
    );
    assert_eq!(status, 200, "{body}");
    propagates("a reshaped grid", || {
        grid_at(&b, p).as_deref() != Some(id.as_str())
            && grid_at(&b, c).as_deref() == Some(id.as_str())
    });
    let after = tile(&a, &tile_of(p));
    assert_ne!(after, before, "the tile on A shows the edit");
    propagates("the reshaped grid's tile", || {
        tile(&b, &tile_of(p)) == after
    });

    // 2. The grid is deleted: c is answered by whatever holds it now (its community).
    let version = body["version"].as_u64().unwrap();
    let Answer { status, body, .. } =
        a.planner()
            .delete_feature("grid", &id, &format!("\"{version}\""));
    assert_eq!(status, 204, "{body}");
    propagates("a deleted grid", || {
        grid_at(&b, c).as_deref() != Some(id.as_str())
            && b.anonymous().feature("grid", &id).status == 404
    });

    // 3. A new grid takes the old outline: p and c are in it on B.
    let mut created = feature.clone();
    created["id"] = json!("g-new");
    created["properties"]["id"] = json!("g-new");
    let Answer { status, body, .. } =
        a.planner()
            .put_feature("grid", "g-new", &created.to_string(), None);
    assert_eq!(status, 201, "{body}");
    propagates("a created grid", || {
        grid_at(&b, p).as_deref() == Some("g-new") && grid_at(&b, c).as_deref() == Some("g-new")
    });
    propagates("the created grid's tile", || {
        tile(&b, &tile_of(p)) == tile(&a, &tile_of(p))
    });
}
