//! The HTTP API of a real `onemap serve` process, checked against the engine built in this
//! process from the same data.

use onemap_data::geojson_io::layer_to_geojson;
use onemap_demo::{generate, DemoConfig};
use onemap_index::{City, Layer, Snapshot};
use onemap_tests::{Answer, Server, TempDir, ADMIN, DISPATCHER};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::sync::OnceLock;

/// A small city (for speed), imported over HTTP into an empty server.
struct Fixture {
    server: Server,
    oracle: Snapshot,
    _dir: TempDir,
}

fn small_city() -> City {
    generate(&DemoConfig::with_grids(1500))
}

/// Imports every layer and the people of `city` over HTTP.
fn import_city(server: &Server, city: &City) {
    let people = serde_json::to_string(&city.people).unwrap();
    let Answer {
        status: s, body: v, ..
    } = server.planner().import_people(&people);
    assert_eq!(s, 200, "{v}");
    for layer in Layer::ALL {
        let Answer {
            status: s, body: v, ..
        } = server
            .planner()
            .import(layer, &layer_to_geojson(city.layer(layer)));
        assert_eq!(s, 200, "import {layer}: {v}");
        assert_eq!(v["imported"], json!(city.layer(layer).count()));
    }
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let dir = TempDir::new("http");
        let server = Server::start(&dir.0.join("city.gpkg"), &[]);
        let city = small_city();
        import_city(&server, &city);
        Fixture {
            server,
            oracle: Snapshot::build(city, 1),
            _dir: dir,
        }
    })
}

fn id_of(s: &Snapshot, i: Option<u32>) -> Value {
    i.map_or(Value::Null, |i| json!(s.feature(i).id))
}

/// Points inside the city, from the oracle.
fn inside_points(n: usize, seed: u64) -> Vec<[f64; 2]> {
    let s = &fixture().oracle;
    let b = s.bounds();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = Vec::new();
    while out.len() < n {
        let p = [rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3])];
        if s.locate(p[0], p[1]).grid.is_some() {
            out.push(p);
        }
    }
    out
}

#[test]
fn locate_answers_like_the_engine_with_people_masked_for_the_public() {
    let f = fixture();
    for p in inside_points(50, 1) {
        let Answer {
            status, body: v, ..
        } = f.server.anonymous().get(&format!(
            "/v1/locate?lng={}&lat={}&cameras=3&radius=2000",
            p[0], p[1]
        ));
        assert_eq!(status, 200, "{v}");
        let hit = f.oracle.locate(p[0], p[1]);
        assert_eq!(v["grid"]["id"], id_of(&f.oracle, hit.grid));
        assert_eq!(v["beat"]["id"], id_of(&f.oracle, hit.beat));
        assert_eq!(v["station"]["id"], id_of(&f.oracle, hit.station));
        let ancestors: Vec<Value> = f
            .oracle
            .ancestors(hit.grid.unwrap())
            .into_iter()
            .map(|a| json!(f.oracle.feature(a).id))
            .collect();
        let got: Vec<Value> = v["ancestors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["id"].clone())
            .collect();
        assert_eq!(got, ancestors);
        assert_eq!(ancestors.len(), 3, "grid → community → township → county");
        let chain: Vec<&str> = v["escalation"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["level"].as_str().unwrap())
            .collect();
        assert_eq!(
            chain,
            ["grid", "beat", "station", "level2", "level1", "level0"]
        );
        for person in v["grid"]["people"].as_array().unwrap() {
            assert!(
                person["name"].as_str().unwrap().contains('*'),
                "public sees masked names: {person}"
            );
            assert!(
                person["phone"].as_str().unwrap().contains("****"),
                "public sees masked phones: {person}"
            );
        }
        assert!(!v["grid"]["people"].as_array().unwrap().is_empty());
        let cams = v["cameras"].as_array().unwrap();
        let want = f.oracle.cameras_near(p[0], p[1], 3, 2000.0);
        assert_eq!(cams.len(), want.len());
        for (c, (i, d)) in cams.iter().zip(&want) {
            assert_eq!(c["id"], json!(f.oracle.feature(*i).id));
            assert!((c["distance_m"].as_f64().unwrap() - d).abs() < 0.01);
        }
    }
}

#[test]
fn dispatchers_see_names_and_phones() {
    let f = fixture();
    let p = inside_points(1, 2)[0];
    let path = format!("/v1/locate?lng={}&lat={}", p[0], p[1]);
    let Answer {
        status, body: v, ..
    } = f.server.client(Some(DISPATCHER)).get(&path);
    assert_eq!(status, 200);
    let person = &v["grid"]["people"][0];
    let stored = f.oracle.person(person["id"].as_str().unwrap()).unwrap();
    assert_eq!(person["name"], json!(stored.name));
    assert_eq!(person["phone"], json!(stored.phone));
    let Answer {
        status, body: v, ..
    } = f.server.client(Some("not-a-token")).get(&path);
    assert_eq!((status, v["error"].as_str()), (401, Some("invalid_token")));
}

#[test]
fn gcj02_and_bd09_points_are_converted() {
    let f = fixture();
    for p in inside_points(10, 3) {
        let (gx, gy) = onemap_index::crs::wgs84_to_gcj02(p[0], p[1]);
        let Answer {
            status, body: v, ..
        } = f
            .server
            .anonymous()
            .get(&format!("/v1/locate?lng={gx}&lat={gy}&crs=gcj02"));
        assert_eq!(status, 200, "{v}");
        assert!((v["point"]["lng"].as_f64().unwrap() - p[0]).abs() < 1e-8);
        assert_eq!(
            v["grid"]["id"],
            id_of(&f.oracle, f.oracle.locate(p[0], p[1]).grid)
        );
    }
    let points: Vec<[f64; 2]> = inside_points(20, 4)
        .into_iter()
        .map(|p| {
            let (x, y) = onemap_index::crs::wgs84_to_gcj02(p[0], p[1]);
            [x, y]
        })
        .collect();
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().post(
        "/v1/locate?crs=gcj02",
        &json!({ "points": points }).to_string(),
    );
    assert_eq!(status, 200, "{v}");
    for (r, p) in v["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(inside_points(20, 4))
    {
        assert_eq!(
            r["grid"],
            id_of(&f.oracle, f.oracle.locate(p[0], p[1]).grid),
            "batch gcj02 at {p:?}"
        );
    }
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .get("/v1/locate?lng=121&lat=28&crs=mars");
    assert_eq!(
        (status, v["error"].as_str()),
        (400, Some("invalid_parameter"))
    );
}

#[test]
fn points_near_a_boundary_list_the_neighbours() {
    let f = fixture();
    let s = &f.oracle;
    // The midpoint of a grid edge shared with a neighbour is 0 m from both.
    let grid = s.layer(Layer::Grid).find(|g| g.level() == Some(3)).unwrap();
    let ring = &grid.area().unwrap().0[0].exterior().0;
    let (a, b) = (ring[1], ring[2]);
    let p = [(a.x + b.x) / 2.0, (a.y + b.y) / 2.0];
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .get(&format!("/v1/locate?lng={}&lat={}&near=30", p[0], p[1]));
    assert_eq!(status, 200, "{v}");
    assert!(v["grid"]["boundary_distance_m"].as_f64().unwrap() < 1.0);
    let near = v["near"].as_array().unwrap();
    assert!(
        near.iter().any(|n| n["layer"] == "grid"),
        "a neighbouring grid is offered: {v}"
    );
    for n in near {
        assert!(n["distance_m"].as_f64().unwrap() <= 30.0);
        assert_ne!(n["id"], v["grid"]["id"]);
    }
}

#[test]
fn outside_every_grid_is_404_naming_the_nearest() {
    let f = fixture();
    let b = f.oracle.bounds();
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get(&format!(
        "/v1/locate?lng={}&lat={}",
        b[2] + 0.05,
        (b[1] + b[3]) / 2.0
    ));
    assert_eq!(status, 404, "{v}");
    assert_eq!(v["error"], "not_found");
    let d = v["nearest"]["distance_m"].as_f64().unwrap();
    assert!(d > 1000.0 && d < 20_000.0, "{v}");
    assert!(f
        .oracle
        .get(Layer::Grid, v["nearest"]["id"].as_str().unwrap())
        .is_some());
}

#[test]
fn bad_coordinates_get_precise_errors() {
    let f = fixture();
    for (query, code, mentions) in [
        ("lng=abc&lat=28", "invalid_parameter", "lng"),
        ("lat=28", "missing_parameter", "lng"),
        ("lng=NaN&lat=28", "invalid_coordinates", "finite"),
        ("lng=121&lat=95", "invalid_coordinates", "latitude"),
        ("lng=221&lat=28", "invalid_coordinates", "longitude"),
        ("lng=121&lat=28&cameras=1000", "out_of_range", "cameras"),
        ("lng=121&lat=28&radius=-1", "out_of_range", "radius"),
    ] {
        let Answer {
            status, body: v, ..
        } = f.server.anonymous().get(&format!("/v1/locate?{query}"));
        assert_eq!(status, 400, "{query}: {v}");
        assert_eq!(v["error"], code, "{query}: {v}");
        assert!(
            v["message"].as_str().unwrap().contains(mentions),
            "{query}: {v}"
        );
    }
    assert_eq!(
        f.server.anonymous().get("/health").status,
        200,
        "still serving"
    );
}

#[test]
fn batch_locate_json_and_csv_in_order() {
    let f = fixture();
    let b = f.oracle.bounds();
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let points: Vec<[f64; 2]> = (0..40_000)
        .map(|_| {
            [
                rng.random_range(b[0] - 0.01..b[2] + 0.01),
                rng.random_range(b[1]..b[3]),
            ]
        })
        .collect();
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .post("/v1/locate", &json!({ "points": points }).to_string());
    assert_eq!(status, 200, "{v}");
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), points.len());
    for (r, p) in results.iter().zip(&points) {
        let hit = f.oracle.locate(p[0], p[1]);
        assert_eq!(
            r,
            &json!({ "grid": id_of(&f.oracle, hit.grid), "beat": id_of(&f.oracle, hit.beat), "station": id_of(&f.oracle, hit.station) })
        );
    }
    let csv: String = std::iter::once("lng,lat".to_string())
        .chain(points[..100].iter().map(|p| format!("{},{}", p[0], p[1])))
        .collect::<Vec<_>>()
        .join("\n");
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().send(
        "POST",
        "/v1/locate",
        Some(&csv),
        &[("Content-Type", "text/csv")],
    );
    assert_eq!(status, 200);
    assert_eq!(v["results"].as_array().unwrap()[..], results[..100]);
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .post("/v1/locate", r#"{"points": [[121, 28], [121]]}"#);
    assert_eq!((status, v["point_index"].clone()), (400, json!(1)), "{v}");
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .post("/v1/locate", r#"{"points": [[121, 28], [121, 128]]}"#);
    assert_eq!(status, 400, "{v}");
    assert!(v["message"].as_str().unwrap().contains("points[1]"));
}

#[test]
fn overlaps_are_consistent_and_exported_as_csv() {
    let f = fixture();
    let s = &f.oracle;
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get("/v1/overlaps?of=grid&with=beat");
    assert_eq!(status, 200);
    let rows = v["overlaps"].as_array().unwrap();
    assert_eq!(rows.len(), s.matrix().entries().count());
    let Answer { status, body, .. } = f.server.anonymous().send(
        "GET",
        "/v1/overlaps?of=grid&with=beat",
        None,
        &[("Accept", "text/csv")],
    );
    assert_eq!(status, 200);
    let csv = body.as_str().expect("CSV is not JSON");
    assert!(csv.starts_with("grid,beat,area_m2,fraction\n"));
    assert_eq!(csv.lines().count(), rows.len() + 1);
    // A straddling grid: its shares sum to one and its assigned beat holds the largest.
    let (grid, _) = s
        .matrix()
        .entries()
        .find(|(g, x)| x.fraction < 0.9 && s.matrix().row(g).unwrap().len() > 1)
        .unwrap();
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .get(&format!("/v1/grids/{grid}/overlaps"));
    assert_eq!(status, 200);
    let beats = v["beats"].as_array().unwrap();
    let sum: f64 = beats.iter().map(|b| b["fraction"].as_f64().unwrap()).sum();
    assert!(
        (sum - 1.0).abs() < 1e-6,
        "shares of a covered grid sum to 1, got {sum}"
    );
    assert_eq!(v["assigned_beat"], beats[0]["beat"]);
    assert_eq!(v["straddles"], json!(true));
    let beat = beats[0]["beat"].as_str().unwrap();
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get(&format!("/v1/beats/{beat}/grids"));
    assert_eq!(status, 200);
    assert!(v["grids"]
        .as_array()
        .unwrap()
        .iter()
        .any(|g| g["grid"] == json!(grid)));
    assert_eq!(
        f.server.anonymous().get("/v1/grids/nope/overlaps").status,
        404
    );
}

#[test]
fn intersects_reports_layers_and_cameras_inside() {
    let f = fixture();
    let s = &f.oracle;
    let grid = s.layer(Layer::Grid).find(|g| g.level() == Some(3)).unwrap();
    let geometry = onemap_data::geojson_io::feature_to_geojson(grid)
        .geometry
        .unwrap();
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .post("/v1/intersects", &serde_json::to_string(&geometry).unwrap());
    assert_eq!(status, 200, "{v}");
    let grids = v["layers"]["grid"].as_array().unwrap();
    let me = grids
        .iter()
        .find(|g| g["id"] == json!(grid.id))
        .expect("the grid itself");
    assert!(
        (me["area_m2"].as_f64().unwrap() - v["area_m2"].as_f64().unwrap()).abs()
            < 1e-3 * v["area_m2"].as_f64().unwrap()
    );
    let beat_area: f64 = v["layers"]["beat"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["area_m2"].as_f64().unwrap())
        .sum();
    assert!(
        (beat_area - v["area_m2"].as_f64().unwrap()).abs() < 1e-3 * beat_area,
        "beats cover the grid"
    );
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().post(
        "/v1/intersects",
        r#"{"type":"Polygon","coordinates":[[[0,0],[1,1],[1,0],[0,1],[0,0]]]}"#,
    );
    assert_eq!(status, 422, "a bow-tie is refused: {v}");
}

#[test]
fn search_finds_by_name_and_id() {
    let f = fixture();
    let beat = f.oracle.layer(Layer::Beat).nth(3).unwrap();
    let Answer {
        status, body: v, ..
    } = f
        .server
        .anonymous()
        .get(&format!("/v1/search?q={}", urlencode(&beat.name)));
    assert_eq!(status, 200);
    assert_eq!(v["results"][0]["id"], json!(beat.id));
    let v = f
        .server
        .anonymous()
        .get(&format!("/v1/search?q={}", beat.id))
        .body;
    assert_eq!(v["results"][0]["id"], json!(beat.id));
    assert_eq!(f.server.anonymous().get("/v1/search").status, 400);
}

#[test]
fn unknown_things_are_json_404s() {
    let f = fixture();
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get("/v1/layers/river.geojson");
    assert_eq!((status, v["error"].as_str()), (404, Some("unknown_layer")));
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get("/v1/nothing/here");
    assert_eq!((status, v["error"].as_str()), (404, Some("unknown_route")));
    let Answer {
        status, body: v, ..
    } = f.server.planner().import("river", "{}");
    assert_eq!((status, v["error"].as_str()), (404, Some("unknown_layer")));
}

#[test]
fn writes_need_a_planner_and_audit_needs_an_admin() {
    let f = fixture();
    let Answer { status, .. } = f
        .server
        .anonymous()
        .import("grid", r#"{"type":"FeatureCollection","features":[]}"#);
    assert_eq!(status, 401);
    let Answer { status, .. } = f
        .server
        .client(Some(DISPATCHER))
        .import("grid", r#"{"type":"FeatureCollection","features":[]}"#);
    assert_eq!(status, 403);
    assert_eq!(f.server.anonymous().get("/v1/audit").status, 401);
    let Answer {
        status, body: v, ..
    } = f.server.client(Some(ADMIN)).get("/v1/audit?limit=5");
    assert_eq!(status, 200);
    let entries = v["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    assert_eq!(entries[0]["author"], "plan");
}

#[test]
fn openapi_document_lists_every_route() {
    let f = fixture();
    let Answer {
        status, body: v, ..
    } = f.server.anonymous().get("/openapi.json");
    assert_eq!(status, 200);
    for path in [
        "/v1/locate",
        "/v1/search",
        "/v1/layers",
        "/v1/layers/{layer}.geojson",
        "/v1/layers/{layer}/import",
        "/v1/layers/{layer}/features/{id}",
        "/v1/grids/{id}/overlaps",
        "/v1/beats/{id}/grids",
        "/v1/overlaps",
        "/v1/intersects",
        "/v1/people/import",
        "/v1/people/{id}",
        "/v1/audit",
        "/health",
    ] {
        assert!(v["paths"].get(path).is_some(), "openapi.json lacks {path}");
    }
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A new store starts empty: the made-up demo city (with its 26,525 made-up people) goes
/// only into a store started with `--demo`, never into a production database by default.
#[test]
fn a_new_store_is_seeded_with_the_demo_city_only_when_asked() {
    let dir = TempDir::new("seeding");
    let plain = Server::start(&dir.0.join("plain.gpkg"), &[]);
    let health = plain.anonymous().get("/health").body;
    assert_eq!(
        (health["features"].as_u64(), health["version"].as_u64()),
        (Some(0), Some(0)),
        "{health}"
    );
    drop(plain);
    let demo = Server::start(&dir.0.join("demo.gpkg"), &["--demo"]);
    let health = demo.anonymous().get("/health").body;
    assert!(health["features"].as_u64() > Some(30_000), "{health}");
}
