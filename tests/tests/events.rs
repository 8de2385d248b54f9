//! Incidents over HTTP: reported in three formats by dispatchers only, all or nothing; counted
//! per beat and station as `/v1/locate` places them, before and after a beat is redrawn and
//! after a restart; heatmaps equal the reference H3 library's, with small cells hidden from
//! the public; statistics as CSV hold the JSON's rows; GDAL reads the stored table.

use onemap_tests::reference_h3::{python_with_h3, reference, served};
use onemap_tests::{demo_store, Server, TempDir, DISPATCHER};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::process::Command;

/// An incident as the test knows it.
#[derive(Clone)]
struct Incident {
    at: [f64; 2],
    time: String,
    category: &'static str,
    source: &'static str,
}

/// `n` incidents near the city's cameras, through 2026.
fn incidents(server: &Server, n: usize) -> Vec<Incident> {
    let cameras: Value = serde_json::from_str(&server.anonymous().export("camera")).unwrap();
    let spots: Vec<[f64; 2]> = cameras["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            let c = &f["geometry"]["coordinates"];
            [c[0].as_f64().unwrap(), c[1].as_f64().unwrap()]
        })
        .collect();
    let mut rng = ChaCha8Rng::seed_from_u64(17);
    (0..n)
        .map(|_| {
            let spot = spots[rng.random_range(0..spots.len() / 10)];
            Incident {
                at: [
                    spot[0] + rng.random_range(-0.002..0.002),
                    spot[1] + rng.random_range(-0.002..0.002),
                ],
                time: format!(
                    "2026-{:02}-{:02}T{:02}:{:02}:00+08:00",
                    rng.random_range(1..=12),
                    rng.random_range(1..=28),
                    rng.random_range(0..24),
                    rng.random_range(0..60)
                ),
                category: ["治安", "纠纷", "咨询"][rng.random_range(0..3)],
                source: ["110", "12345", "网格上报"][rng.random_range(0..3)],
            }
        })
        .collect()
}

fn feature(e: &Incident) -> Value {
    json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": e.at },
        "properties": { "time": e.time, "category": e.category, "source": e.source },
    })
}

fn csv(events: &[Incident]) -> String {
    let mut out = String::from("lng,lat,time,category,source\n");
    for e in events {
        out.push_str(&format!(
            "{},{},{},{},{}\n",
            e.at[0], e.at[1], e.time, e.category, e.source
        ));
    }
    out
}

/// Events per beat and per station, as `/v1/locate` places each incident.
fn located(server: &Server, events: &[Incident]) -> BTreeMap<(String, String), u64> {
    let points: Vec<[f64; 2]> = events.iter().map(|e| e.at).collect();
    let answer = server
        .anonymous()
        .post("/v1/locate", &json!({ "points": points }).to_string())
        .expect(200, "locate");
    let mut counts = BTreeMap::new();
    for hit in answer.body["results"].as_array().unwrap() {
        for layer in ["beat", "station"] {
            if let Some(id) = hit[layer].as_str() {
                *counts
                    .entry((layer.to_string(), id.to_string()))
                    .or_default() += 1;
            }
        }
    }
    counts
}

/// Events per beat and per station, as the statistics count them (dispatcher: unsuppressed).
fn counted(server: &Server) -> BTreeMap<(String, String), u64> {
    let mut counts = BTreeMap::new();
    for layer in ["beat", "station"] {
        let stats = server
            .client(Some(DISPATCHER))
            .get(&format!("/v1/stats/{layer}"))
            .expect(200, "stats");
        for row in stats.body["rows"].as_array().unwrap() {
            let n = row["events"].as_u64().unwrap();
            if n > 0 {
                counts.insert((layer.to_string(), row["id"].as_str().unwrap().into()), n);
            }
        }
    }
    counts
}

fn post(server: &Server, token: Option<&str>, body: &str, kind: &str) -> (u16, Value) {
    let answer = server.client(token).send(
        "POST",
        "/v1/layers/event/import",
        Some(body),
        &[("Content-Type", kind)],
    );
    (answer.status, answer.body)
}

#[test]
fn incidents_are_reported_counted_mapped_and_kept() {
    let dir = TempDir::new("events");
    let store = demo_store(&dir, Some(300));
    let mut server = Server::start(&store, &[]);
    let all = incidents(&server, 3000);
    let geojson = json!({ "type": "FeatureCollection", "features": all[..1000].iter().map(feature).collect::<Vec<_>>() });
    let ndjson: String = all[1000..2000]
        .iter()
        .map(|e| format!("{}\n", feature(e)))
        .collect();
    // The public may not report (refused before the body is read); nothing is stored.
    let (status, body) = post(&server, None, &csv(&all[..5]), "text/csv");
    assert_eq!((status, body["error"].as_str()), (401, Some("forbidden")));
    for (body, kind, format) in [
        (geojson.to_string(), "application/geo+json", "geojson"),
        (ndjson, "application/x-ndjson", "ndjson"),
        (csv(&all[2000..]), "text/csv", "csv"),
    ] {
        let (status, answer) = post(&server, Some(DISPATCHER), &body, kind);
        assert_eq!(status, 200, "{answer}");
        assert_eq!(
            (answer["imported"].as_u64(), answer["format"].as_str()),
            (Some(1000), Some(format))
        );
    }
    // One bad line refuses the whole body, naming the line; nothing of it is stored.
    let mut bad = csv(&all[..10]);
    bad.push_str("121.4,28.6,昨天,纠纷,110\n");
    let (status, answer) = post(&server, Some(DISPATCHER), &bad, "text/csv");
    assert_eq!(
        (status, answer["error"].as_str()),
        (400, Some("invalid_events"))
    );
    assert_eq!(answer["at"], "line 12", "{answer}");
    let city = server
        .client(Some(DISPATCHER))
        .get("/v1/stats/city")
        .expect(200, "city");
    assert_eq!(city.body["rows"][0]["events"], 3000);
    let manifest = server
        .anonymous()
        .get("/v1/layers")
        .expect(200, "manifest")
        .body;
    let stream = &manifest["streams"][0];
    assert_eq!(
        (stream["id"].as_str(), stream["count"].as_u64()),
        (Some("event"), Some(3000))
    );

    let expected = located(&server, &all);
    assert_eq!(counted(&server), expected);

    // Heatmaps: the reference library's cells for the window and category asked for.
    let python = python_with_h3();
    let summer: Vec<[f64; 2]> = all
        .iter()
        .filter(|e| {
            e.category == "纠纷" && ("2026-06" <= &e.time[..7] && &e.time[..7] <= "2026-08")
        })
        .map(|e| e.at)
        .collect();
    let query = "/v1/heatmap?layer=event&res=9&category=纠纷&from=2026-06-01&to=2026-09-01";
    let open = server
        .client(Some(DISPATCHER))
        .get(query)
        .expect(200, "heatmap");
    let truth = reference(&python, &summer, 9);
    assert_eq!(served(&open.body), truth);
    let public = server.anonymous().get(query).expect(200, "public heatmap");
    let shown: BTreeMap<String, u64> = truth.into_iter().filter(|(_, n)| *n >= 3).collect();
    assert!(public.body["suppressed_cells"].as_u64().unwrap() > 0);
    assert_eq!(served(&public.body), shown);

    // CSV statistics hold the JSON rows.
    let rows = server
        .anonymous()
        .get("/v1/stats/beat?sort=events&order=desc")
        .expect(200, "beats")
        .body;
    let table = server
        .anonymous()
        .get("/v1/stats/beat?sort=events&order=desc&f=csv")
        .body;
    let table = table.as_str().unwrap().trim_start_matches('\u{feff}');
    let lines: Vec<&str> = table.lines().collect();
    assert_eq!(lines.len() - 1, rows["rows"].as_array().unwrap().len());
    let header: Vec<&str> = lines[0].split(',').collect();
    let id_column = header.iter().position(|h| *h == "id").unwrap();
    assert_eq!(
        lines[1].split(',').nth(id_column),
        rows["rows"][0]["id"].as_str()
    );

    // Redraw the busiest beat to a tenth of its box: its incidents move, and are counted where
    // `/v1/locate` now places them.
    let beat = rows["rows"][0]["id"].as_str().unwrap().to_string();
    let current = server.planner().feature("beat", &beat);
    let mut shrunk = current.body.clone();
    let coords = shrunk["geometry"]["coordinates"].clone();
    let ring: Vec<[f64; 2]> = coords[0][0]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| [p[0].as_f64().unwrap(), p[1].as_f64().unwrap()])
        .collect();
    let (x0, y0) = ring
        .iter()
        .fold((f64::MAX, f64::MAX), |(x, y), p| (x.min(p[0]), y.min(p[1])));
    let (x1, y1) = ring
        .iter()
        .fold((f64::MIN, f64::MIN), |(x, y), p| (x.max(p[0]), y.max(p[1])));
    let (w, h) = ((x1 - x0) / 10.0, (y1 - y0) / 10.0);
    shrunk["geometry"] = json!({ "type": "Polygon", "coordinates": [[[x0, y0], [x0 + w, y0], [x0 + w, y0 + h], [x0, y0 + h], [x0, y0]]] });
    let etag = current.etag.unwrap();
    server
        .planner()
        .put_feature("beat", &beat, &shrunk.to_string(), Some(&etag))
        .expect(200, "reshape");
    let moved = located(&server, &all);
    assert_ne!(moved, expected);
    assert_eq!(counted(&server), moved);

    // Kept across a restart; GDAL reads the table.
    server.terminate(std::time::Duration::from_secs(10));
    server = Server::start(&store, &[]);
    assert_eq!(counted(&server), moved);
    let info = Command::new("ogrinfo")
        .args(["-so", "-ro"])
        .arg(&store)
        .arg("event")
        .output()
        .expect("ogrinfo (make setup installs gdal-bin)");
    let text = String::from_utf8_lossy(&info.stdout);
    assert!(text.contains("Feature Count: 3000"), "{text}");
    assert!(text.contains("Geometry: Point"), "{text}");
    drop(server);
}
