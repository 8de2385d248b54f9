//! Layer imports in the formats planners bring, with GDAL as the oracle: a demo city's grids
//! and cameras exported as GeoJSON, converted by `ogr2ogr` to Shapefile (GBK and UTF-8),
//! GeoPackage, KML, CSV, FlatGeobuf and reprojected to Gauss–Krüger (EPSG:4527) and Web Mercator, then
//! imported into fresh servers: every feature must come back as the GeoJSON import has it.

use onemap_tests::{demo_store, onemap_bin, Answer, Server, TempDir};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn run(tool: &str, args: &[&str], cwd: &Path) {
    let out = Command::new(tool)
        .args(args)
        .current_dir(cwd)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs: install gdal-bin and zip (make setup does): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `ogr2ogr` from `source` to `target` (in `dir`) with `options`.
fn convert(dir: &Path, source: &str, target: &str, options: &[&str]) -> PathBuf {
    let mut args = vec!["-f"];
    args.push(
        match Path::new(target).extension().and_then(|e| e.to_str()) {
            Some("shp") => "ESRI Shapefile",
            Some("gpkg") => "GPKG",
            Some("kml") => "KML",
            Some("csv") => "CSV",
            Some("fgb") => "FlatGeobuf",
            _ => "GeoJSON",
        },
    );
    args.extend(options);
    args.extend([target, source]);
    run("ogr2ogr", &args, dir);
    dir.join(target)
}

/// The Shapefile `stem` zipped with its side files, leaving out those in `without`.
fn zipped(dir: &Path, stem: &str, without: &[&str]) -> Vec<u8> {
    let zip = format!("{stem}{}.zip", without.join(""));
    let mut args = vec![zip.clone()];
    for ext in [".shp", ".dbf", ".shx", ".prj", ".cpg"] {
        if !without.contains(&ext) && dir.join(format!("{stem}{ext}")).exists() {
            args.push(format!("{stem}{ext}"));
        }
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    run("zip", &[&["-q"], &args[..]].concat(), dir);
    std::fs::read(dir.join(zip)).unwrap()
}

/// A layer's features by id, as the server exports them.
fn features(server: &Server, layer: &str) -> BTreeMap<String, Value> {
    let export = server
        .anonymous()
        .get(&format!("/v1/layers/{layer}.geojson"))
        .expect(200, "export")
        .body;
    export["features"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["id"].as_str().unwrap().to_string(), f.clone()))
        .collect()
}

/// Asserts two exports hold the same features: ids, names, attributes (numbers to 1e-9) and
/// geometry to `tolerance` degrees, rings compared from the same vertex.
fn assert_same(
    what: &str,
    expected: &BTreeMap<String, Value>,
    got: &BTreeMap<String, Value>,
    tolerance: f64,
) {
    assert_eq!(
        expected.keys().collect::<Vec<_>>(),
        got.keys().collect::<Vec<_>>(),
        "{what}: ids"
    );
    for (id, want) in expected {
        let have = &got[id];
        for (key, value) in want["properties"].as_object().unwrap() {
            if key == "version" {
                continue;
            }
            let same = match (value, &have["properties"][key]) {
                (Value::Number(a), Value::Number(b)) => {
                    (a.as_f64().unwrap() - b.as_f64().unwrap()).abs() < 1e-9
                }
                (a, b) => a == b,
            };
            assert!(
                same,
                "{what}: {id}.{key} is {} instead of {value}",
                have["properties"][key]
            );
        }
        assert_eq!(
            want["geometry"]["type"], have["geometry"]["type"],
            "{what}: {id}"
        );
        let close = |a: &Value, b: &Value| {
            (a[0].as_f64().unwrap() - b[0].as_f64().unwrap()).abs() < tolerance
                && (a[1].as_f64().unwrap() - b[1].as_f64().unwrap()).abs() < tolerance
        };
        if want["geometry"]["type"] == "Point" {
            assert!(
                close(
                    &want["geometry"]["coordinates"],
                    &have["geometry"]["coordinates"]
                ),
                "{what}: {id} moved to {}",
                have["geometry"]
            );
            continue;
        }
        let (want_polygons, have_polygons) = (
            want["geometry"]["coordinates"].as_array().unwrap(),
            have["geometry"]["coordinates"].as_array().unwrap(),
        );
        assert_eq!(
            want_polygons.len(),
            have_polygons.len(),
            "{what}: {id} polygons"
        );
        for (a, b) in want_polygons.iter().zip(have_polygons) {
            for (ring_a, ring_b) in a.as_array().unwrap().iter().zip(b.as_array().unwrap()) {
                let (ring_a, ring_b) = (ring_a.as_array().unwrap(), ring_b.as_array().unwrap());
                assert_eq!(ring_a.len(), ring_b.len(), "{what}: {id} ring length");
                let n = ring_a.len() - 1;
                let start = (0..n)
                    .find(|&i| close(&ring_a[0], &ring_b[i]))
                    .unwrap_or_else(|| panic!("{what}: {id}: vertex {} is gone", ring_a[0]));
                for i in 0..n {
                    assert!(
                        close(&ring_a[i], &ring_b[(start + i) % n]),
                        "{what}: {id} vertex {i}: {} vs {}",
                        ring_a[i],
                        ring_b[(start + i) % n]
                    );
                }
            }
        }
    }
}

/// One import: layer, query, body and its `Content-Type`.
type Upload<'a> = (&'a str, &'a str, Vec<u8>, &'a str);

/// A fresh server with `imports` made; each must succeed.
fn imported(dir: &Path, name: &str, imports: &[Upload]) -> (Server, Vec<Value>) {
    let server = Server::start(&dir.join(format!("{name}.gpkg")), &[]);
    let answers = imports
        .iter()
        .map(|(layer, query, body, kind)| {
            let Answer { status, body, .. } =
                server.planner().import_file(layer, query, body, kind);
            assert_eq!(status, 200, "{name}: {layer}: {body}");
            body
        })
        .collect();
    (server, answers)
}

#[test]
fn every_format_imports_what_the_geojson_import_has() {
    let dir = TempDir::new("formats");
    let d = dir.0.as_path();
    let demo = Server::start(&demo_store(&dir, Some(60)), &[]);
    for layer in ["grid", "camera"] {
        let export = demo
            .anonymous()
            .get(&format!("/v1/layers/{layer}.geojson"))
            .expect(200, "export")
            .body;
        std::fs::write(d.join(format!("{layer}.geojson")), export.to_string()).unwrap();
    }
    drop(demo);
    let read = |name: &str| std::fs::read(d.join(name)).unwrap();
    let (reference, _) = imported(
        d,
        "reference",
        &[
            ("grid", "", read("grid.geojson"), "application/geo+json"),
            ("camera", "", read("camera.geojson"), "application/geo+json"),
        ],
    );
    let (grids, cameras) = (features(&reference, "grid"), features(&reference, "camera"));
    assert!(
        grids.len() > 60 && cameras.len() > 20,
        "{} grids, {} cameras",
        grids.len(),
        cameras.len()
    );

    // Shapefiles and FlatGeobuf have no list columns: GDAL writes `people` as text, `(1:p000001)`.
    let no_lists = ["-mapFieldType", "StringList=String"];
    convert(
        d,
        "grid.geojson",
        "grid_gbk.shp",
        &[&no_lists[..], &["-lco", "ENCODING=GBK"]].concat(),
    );
    convert(
        d,
        "grid.geojson",
        "grid_utf8.shp",
        &[&no_lists[..], &["-lco", "ENCODING=UTF-8"]].concat(),
    );
    convert(
        d,
        "camera.geojson",
        "camera.shp",
        &[&no_lists[..], &["-lco", "ENCODING=UTF-8"]].concat(),
    );
    convert(
        d,
        "grid.geojson",
        "grid_4527.shp",
        &[
            &no_lists[..],
            &["-lco", "ENCODING=UTF-8", "-t_srs", "EPSG:4527"],
        ]
        .concat(),
    );
    convert(d, "grid.geojson", "city.gpkg", &["-nln", "grid"]);
    convert(
        d,
        "camera.geojson",
        "city.gpkg",
        &["-update", "-nln", "camera"],
    );
    convert(
        d,
        "grid.geojson",
        "grid_4527.gpkg",
        &["-t_srs", "EPSG:4527"],
    );
    convert(d, "grid.geojson", "grid.kml", &[]);
    convert(d, "camera.geojson", "camera.kml", &[]);
    convert(d, "grid.geojson", "grid.csv", &["-lco", "GEOMETRY=AS_WKT"]);
    convert(d, "grid.geojson", "grid.fgb", &no_lists);
    convert(d, "camera.geojson", "camera.fgb", &no_lists);
    convert(
        d,
        "camera.geojson",
        "camera.csv",
        &["-lco", "GEOMETRY=AS_XY"],
    );
    convert(
        d,
        "grid.geojson",
        "grid_3857.geojson",
        &["-t_srs", "EPSG:3857", "-lco", "COORDINATE_PRECISION=4"],
    );
    let gbk = zipped(d, "grid_gbk", &[]);
    let gbk_without_cpg = zipped(d, "grid_gbk", &[".cpg"]);
    let zip = "application/zip";
    let cases: [(&str, Vec<Upload>, f64); 9] = [
        (
            "flatgeobuf",
            vec![
                ("grid", "", read("grid.fgb"), "application/octet-stream"),
                ("camera", "", read("camera.fgb"), "application/flatgeobuf"),
            ],
            1e-9,
        ),
        (
            "shapefile-gbk",
            vec![
                ("grid", "", gbk, zip),
                ("camera", "", zipped(d, "camera", &[]), zip),
            ],
            1e-9,
        ),
        (
            "shapefile-gbk-no-cpg",
            vec![("grid", "", gbk_without_cpg, zip)],
            1e-9,
        ),
        (
            "shapefile-utf8",
            vec![("grid", "", zipped(d, "grid_utf8", &[]), zip)],
            1e-9,
        ),
        (
            "shapefile-4527",
            vec![("grid", "", zipped(d, "grid_4527", &[]), zip)],
            1e-7,
        ),
        (
            "geopackage",
            vec![
                ("grid", "", read("city.gpkg"), "application/octet-stream"),
                (
                    "camera",
                    "table=camera",
                    read("city.gpkg"),
                    "application/octet-stream",
                ),
            ],
            1e-9,
        ),
        (
            "geopackage-4527",
            vec![(
                "grid",
                "",
                read("grid_4527.gpkg"),
                "application/geopackage+sqlite3",
            )],
            1e-7,
        ),
        (
            "kml",
            vec![
                (
                    "grid",
                    "",
                    read("grid.kml"),
                    "application/vnd.google-earth.kml+xml",
                ),
                ("camera", "", read("camera.kml"), "text/xml"),
            ],
            1e-9,
        ),
        (
            "csv",
            vec![
                ("grid", "", read("grid.csv"), "text/csv"),
                ("camera", "", read("camera.csv"), "text/plain"),
            ],
            1e-9,
        ),
    ];
    for (name, imports, tolerance) in &cases {
        let (server, answers) = imported(d, name, imports);
        for (layer, _, _, _) in imports {
            let expected = if *layer == "grid" { &grids } else { &cameras };
            assert_same(name, expected, &features(&server, layer), *tolerance);
        }
        if *name == "shapefile-gbk-no-cpg" {
            assert!(
                answers[0]["notes"].to_string().contains("GBK"),
                "{}",
                answers[0]
            );
        }
        if *name == "shapefile-4527" {
            assert!(
                answers[0]["notes"].to_string().contains("117"),
                "{}",
                answers[0]
            );
        }
    }
    // Web Mercator to 0.1 mm, from the GeoJSON's own `crs` member.
    let (server, _) = imported(
        d,
        "geojson-3857",
        &[(
            "grid",
            "",
            read("grid_3857.geojson"),
            "application/geo+json",
        )],
    );
    assert_same("geojson-3857", &grids, &features(&server, "grid"), 1e-7);
}

#[test]
fn the_cli_reads_formats_with_a_crs_and_a_field_map() {
    let dir = TempDir::new("formats-cli");
    let d = dir.0.as_path();
    let demo = Server::start(&demo_store(&dir, Some(60)), &[]);
    let export = demo
        .anonymous()
        .get("/v1/layers/camera.geojson")
        .expect(200, "export")
        .body;
    drop(demo);
    // A data dictionary's column names, in Web Mercator without a word about it in the file.
    std::fs::write(d.join("camera.geojson"), export.to_string()).unwrap();
    convert(
        d,
        "camera.geojson",
        "sxt.csv",
        &[
            "-t_srs",
            "EPSG:3857",
            "-lco",
            "GEOMETRY=AS_XY",
            "-sql",
            "SELECT id AS SXTBM, name AS SXTMC, kind, status, heading, range_m FROM camera",
        ],
    );
    let store = d.join("cli.gpkg");
    let out = Command::new(onemap_bin())
        .args([
            "import",
            "--store",
            store.to_str().unwrap(),
            "--layer",
            "camera",
            "--crs",
            "EPSG:3857",
            "--map",
            "id=SXTBM,name=SXTMC",
            "sxt.csv",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("Web Mercator"));
    let server = Server::start(&store, &[]);
    let (reference, _) = imported(
        d,
        "reference",
        &[(
            "camera",
            "",
            serde_json::to_vec(&export).unwrap(),
            "application/json",
        )],
    );
    let mut expected = features(&reference, "camera");
    expected
        .values_mut()
        .for_each(|f| f["properties"]["people"] = json!([]));
    assert_same("cli csv", &expected, &features(&server, "camera"), 1e-7);
}

#[test]
fn field_maps_foreign_bodies_and_gbk_text_get_precise_answers() {
    let dir = TempDir::new("formats-errors");
    let server = Server::start(&dir.0.join("city.gpkg"), &[]);
    let planner = server.planner();
    let grid = json!({ "type": "FeatureCollection", "features": [{ "type": "Feature",
        "properties": { "WGBM": "g1", "WGMC": "椒江区第一网格", "CJ": "3" },
        "geometry": { "type": "Polygon", "coordinates": [[[121.0, 28.0], [121.01, 28.0], [121.01, 28.01], [121.0, 28.0]]] } }] })
    .to_string();

    let unmapped = planner.import_file("grid", "", grid.as_bytes(), "application/json");
    assert_eq!(
        (unmapped.status, unmapped.body["error"].as_str()),
        (422, Some("missing_id")),
        "{}",
        unmapped.body
    );
    let typo = planner.import_file("grid", "map=id=WGBH", grid.as_bytes(), "application/json");
    let message = typo.body["message"].as_str().unwrap();
    assert_eq!(typo.status, 422, "{}", typo.body);
    assert!(
        message.contains("`WGBH`") && message.contains("CJ, WGBM, WGMC"),
        "{message}"
    );
    planner
        .import_file(
            "grid",
            "map=id=WGBM,name=WGMC",
            grid.as_bytes(),
            "application/json",
        )
        .expect(200, "mapped");
    let g1 = planner.feature("grid", "g1").expect(200, "g1").body;
    assert_eq!(g1["properties"]["name"], "椒江区第一网格");

    // GBK text: refused naming the encoding and both fixes, read when told.
    let gbk = Command::new("iconv")
        .args(["-f", "UTF-8", "-t", "GBK"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    gbk.stdin
        .as_ref()
        .unwrap()
        .write_all(grid.replace("g1", "g2").as_bytes())
        .unwrap();
    let gbk = gbk.wait_with_output().unwrap().stdout;
    let refused = planner.import_file("grid", "map=id=WGBM,name=WGMC", &gbk, "application/json");
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (400, Some("wrong_encoding")),
        "{}",
        refused.body
    );
    let message = refused.body["message"].as_str().unwrap();
    assert!(
        message.contains("GBK")
            && message.contains("encoding=gbk")
            && message.contains("iconv -f GBK -t UTF-8"),
        "{message}"
    );
    planner
        .import_file(
            "grid",
            "map=id=WGBM,name=WGMC&encoding=gbk",
            &gbk,
            "application/json",
        )
        .expect(200, "GBK with encoding=gbk");
    assert_eq!(
        planner.feature("grid", "g2").expect(200, "g2").body["properties"]["name"],
        "椒江区第一网格"
    );

    // Not a layer at all: 415 naming what is accepted.
    std::fs::write(dir.0.join("readme.txt"), "网格说明").unwrap();
    run("zip", &["-q", "notes.zip", "readme.txt"], &dir.0);
    let zip_without_shp = std::fs::read(dir.0.join("notes.zip")).unwrap();
    for (body, what) in [
        (&b"%PDF-1.7\n%\xE2\xE3"[..], "PDF"),
        (b"\x89PNG\r\n\x1a\n", "PNG"),
        (zip_without_shp.as_slice(), "zip without a .shp"),
    ] {
        let answer = planner.import_file("grid", "", body, "application/octet-stream");
        assert_eq!(
            (answer.status, answer.body["error"].as_str()),
            (415, Some("unsupported_format")),
            "{what}: {}",
            answer.body
        );
        let message = answer.body["message"].as_str().unwrap();
        assert!(
            message.contains(what) && message.contains("GeoPackage"),
            "{message}"
        );
    }
    let bad_crs = planner.import_file("grid", "crs=EPSG:2385", grid.as_bytes(), "application/json");
    assert_eq!(
        (bad_crs.status, bad_crs.body["error"].as_str()),
        (400, Some("invalid_parameter")),
        "{}",
        bad_crs.body
    );
}
