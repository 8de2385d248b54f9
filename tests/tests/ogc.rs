//! OGC API – Features read by GDAL's OAPIF driver, as QGIS reads it: every collection with
//! its count, every page of a layer, and a bbox query, against the layer's GeoJSON export
//! filtered by GDAL itself.

use onemap_tests::{demo_store, Server, TempDir, ADMIN, PLANNER};
use std::collections::BTreeSet;
use std::process::Command;

fn gdal(tool: &str, args: &[&str]) -> String {
    let out = Command::new(tool)
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{tool} runs: install gdal-bin (make setup does): {e}"));
    assert!(
        out.status.success(),
        "{tool} {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn feature_count(info: &str) -> usize {
    let line = info
        .lines()
        .find(|l| l.starts_with("Feature Count: "))
        .unwrap_or_else(|| panic!("no feature count in {info}"));
    line["Feature Count: ".len()..].trim().parse().unwrap()
}

/// The `id` of every feature of a dataset, as GDAL reads it.
fn ids(dataset: &str, layer: &str, extra: &[&str]) -> BTreeSet<String> {
    let mut args = vec!["-ro", "-al", "-q", "-geom=NO"];
    args.extend(extra);
    args.extend([dataset, layer]);
    gdal("ogrinfo", &args)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("id (String) = ").map(str::to_string))
        .collect()
}

#[test]
fn gdal_reads_every_collection_every_page_and_a_bbox_query() {
    let dir = TempDir::new("ogc");
    let store = demo_store(&dir, Some(300));
    let server = Server::start(&store, &[]);
    let api = format!("OAPIF:{}", server.url("/ogc"));
    let manifest = server
        .anonymous()
        .get("/v1/layers")
        .expect(200, "the manifest")
        .body;

    let listing = gdal("ogrinfo", &["-ro", "-so", &api]);
    for layer in manifest["layers"].as_array().unwrap() {
        let id = layer["id"].as_str().unwrap();
        assert!(
            listing.contains(&format!(
                ": {id} (title: {}",
                layer["title"].as_str().unwrap()
            )),
            "{id} listed: {listing}"
        );
        let info = gdal("ogrinfo", &["-ro", "-so", "-al", &api, id]);
        assert_eq!(
            feature_count(&info) as u64,
            layer["count"].as_u64().unwrap(),
            "{id}"
        );
    }

    // Every page of the grids (GDAL follows `next` links, 50 a page) into a GeoPackage: the
    // same features as the GeoJSON export.
    let export = dir.0.join("grid.geojson");
    std::fs::write(&export, server.anonymous().export("grid")).unwrap();
    let export = export.to_str().unwrap();
    let copy = dir.0.join("copy.gpkg");
    let copy_path = copy.to_str().unwrap();
    gdal(
        "ogr2ogr",
        &["-f", "GPKG", copy_path, &api, "grid", "-oo", "PAGE_SIZE=50"],
    );
    let all = ids(export, "grid", &[]);
    assert!(all.len() > 100, "{}", all.len());
    assert_eq!(ids(copy_path, "grid", &[]), all);

    // A bbox query, against GDAL's own spatial filter on the export.
    let window = ["121.40", "28.60", "121.45", "28.65"];
    let mut spat = vec!["-spat"];
    spat.extend(window);
    let expected = ids(export, "grid", &spat);
    assert!(
        !expected.is_empty() && expected.len() < all.len(),
        "{}",
        expected.len()
    );
    let queried = dir.0.join("window.gpkg");
    let mut args = vec![
        "-f",
        "GPKG",
        queried.to_str().unwrap(),
        &api,
        "grid",
        "-oo",
        "PAGE_SIZE=50",
        "-spat",
    ];
    args.extend(window);
    gdal("ogr2ogr", &args);
    assert_eq!(ids(queried.to_str().unwrap(), "grid", &[]), expected);
}

#[test]
fn items_page_filter_and_refuse_clearly() {
    let dir = TempDir::new("ogc-http");
    let store = demo_store(&dir, Some(100));
    let server = Server::start(&store, &[]);
    let public = server.anonymous();
    let page = public
        .get("/ogc/collections/beat/items?limit=2")
        .expect(200, "a page");
    assert_eq!(page.body["numberReturned"], 2);
    let next = page.body["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["rel"] == "next")
        .unwrap();
    assert!(
        next["href"]
            .as_str()
            .unwrap()
            .ends_with("/ogc/collections/beat/items?limit=2&offset=2"),
        "{next}"
    );
    let first = page.body["features"][0]["id"].as_str().unwrap().to_string();
    let one = public
        .get(&format!("/ogc/collections/beat/items/{first}"))
        .expect(200, "one item");
    assert_eq!(one.body["id"], first);
    // Equality on a registry field: level-2 grids are the communities.
    let communities = public
        .get("/ogc/collections/grid/items?level=2&limit=10000")
        .expect(200, "filter");
    let features = communities.body["features"].as_array().unwrap();
    assert!(!features.is_empty());
    assert!(features.iter().all(|f| f["properties"]["level"] == 2));
    // The same pages as HTML, for a browser.
    let html = public
        .get("/ogc/collections/beat/items?limit=2&f=html")
        .expect(200, "HTML");
    let html = html.body.as_str().unwrap();
    assert!(html.contains("<table>") && html.contains(&first), "{html}");
    assert!(
        html.contains("rel=\"next\"") && html.contains("offset=2&amp;f=html"),
        "{html}"
    );
    let landing = public.get("/ogc?f=html").expect(200, "HTML landing page");
    assert!(landing
        .body
        .as_str()
        .unwrap()
        .contains("/ogc/collections?f=html"));
    for (path, status, code) in [
        ("/ogc/collections/river/items", 404, "not_found"),
        ("/ogc/collections/grid/items?limit=0", 400, "out_of_range"),
        (
            "/ogc/collections/grid/items?bbox=1,2,3",
            400,
            "invalid_parameter",
        ),
        ("/ogc/collections/grid/items/nope", 404, "not_found"),
    ] {
        let a = public.get(path);
        assert_eq!(
            (a.status, a.body["error"].as_str()),
            (status, Some(code)),
            "{path}"
        );
    }
}

#[test]
fn features_are_created_replaced_updated_and_deleted_through_ogc_api_part_4() {
    let dir = TempDir::new("ogc-write");
    let server = Server::start(&dir.0.join("city.gpkg"), &[]);
    let square = |id: &str, name: &str, size: f64| {
        serde_json::json!({ "type": "Feature", "id": id, "properties": { "name": name, "level": 3 },
            "geometry": { "type": "Polygon", "coordinates": [[[121.0, 28.0], [121.0 + size, 28.0], [121.0 + size, 28.0 + size], [121.0, 28.0 + size], [121.0, 28.0]]] } })
        .to_string()
    };
    let items = "/ogc/collections/grid/items";

    // Anonymous callers may read, not write.
    let refused = server.anonymous().post(items, &square("w1", "一号", 0.01));
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (401, Some("forbidden"))
    );

    let created = ureq::post(&server.url(items))
        .set("Authorization", &format!("Bearer {PLANNER}"))
        .set("Content-Type", "application/geo+json")
        .send_string(&square("w1", "一号", 0.01))
        .unwrap();
    assert_eq!(created.status(), 201);
    let location = created.header("location").unwrap().to_string();
    assert!(
        location.ends_with("/ogc/collections/grid/items/w1"),
        "{location}"
    );
    let first = created.header("etag").unwrap().to_string();
    let again = server.planner().post(items, &square("w1", "一号", 0.01));
    assert_eq!(
        (again.status, again.body["error"].as_str()),
        (428, Some("precondition_required")),
        "creating an existing id"
    );

    let read = server
        .anonymous()
        .get("/ogc/collections/grid/items/w1")
        .expect(200, "the new feature");
    assert_eq!(read.body["properties"]["name"], "一号");
    let geometry = read.body["geometry"].clone();

    // PATCH: properties laid over the feature; the geometry stays.
    let patch = r#"{"properties": {"name": "一号网格"}}"#;
    let planner = server.planner();
    let stale = planner.send(
        "PATCH",
        "/ogc/collections/grid/items/w1",
        Some(patch),
        &[("If-Match", "\"999\"")],
    );
    assert_eq!(
        (stale.status, stale.body["error"].as_str()),
        (412, Some("stale_version"))
    );
    let patched = planner
        .send(
            "PATCH",
            "/ogc/collections/grid/items/w1",
            Some(patch),
            &[("If-Match", &first)],
        )
        .expect(200, "patch");
    let second = patched.etag.unwrap();
    let read = server
        .anonymous()
        .get("/ogc/collections/grid/items/w1")
        .expect(200, "patched");
    assert_eq!(read.body["properties"]["name"], "一号网格");
    assert_eq!(read.body["geometry"], geometry);

    // PUT replaces the whole feature, DELETE removes it; both need the current version.
    let replaced = planner
        .send(
            "PUT",
            "/ogc/collections/grid/items/w1",
            Some(&square("w1", "一号", 0.02)),
            &[("If-Match", &second)],
        )
        .expect(200, "replace");
    let third = replaced.etag.unwrap();
    let located = server
        .anonymous()
        .locate(121.015, 28.015)
        .expect(200, "inside the larger square");
    assert_eq!(located.body["grid"]["id"], "w1");
    planner
        .send(
            "DELETE",
            "/ogc/collections/grid/items/w1",
            None,
            &[("If-Match", &third)],
        )
        .expect(204, "delete");
    server
        .anonymous()
        .get("/ogc/collections/grid/items/w1")
        .expect(404, "gone");

    // Every write is in the audit log, with its author and action.
    let audit = server
        .client(Some(ADMIN))
        .get("/v1/audit?limit=10")
        .expect(200, "audit");
    let actions: Vec<&str> = audit.body["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in ["create", "update", "delete"] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[test]
fn features_come_in_the_crs_asked_for_with_latitude_first_for_epsg() {
    let dir = TempDir::new("ogc-crs");
    let store = demo_store(&dir, Some(100));
    let server = Server::start(&store, &[]);
    let items = "/ogc/collections/beat/items?limit=2";
    let lnglat = server.anonymous().get(items).expect(200, "CRS84").body;
    for crs in ["EPSG:4326", "http://www.opengis.net/def/crs/EPSG/0/4490"] {
        let url = server.url(&format!("{items}&crs={crs}"));
        let response = ureq::get(&url).call().unwrap();
        let named = response.header("content-crs").unwrap().to_string();
        assert!(
            named.starts_with("<http://www.opengis.net/def/crs/EPSG/0/"),
            "{named}"
        );
        let latlng: serde_json::Value = response.into_json().unwrap();
        let a = &lnglat["features"][0]["geometry"]["coordinates"][0][0][0];
        let b = &latlng["features"][0]["geometry"]["coordinates"][0][0][0];
        assert_eq!(
            (a[0].clone(), a[1].clone()),
            (b[1].clone(), b[0].clone()),
            "{crs}: axes swapped"
        );
        let next = latlng["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["rel"] == "next")
            .unwrap();
        assert!(
            next["href"]
                .as_str()
                .unwrap()
                .contains("crs=http%3A%2F%2Fwww.opengis.net%2Fdef%2Fcrs%2FEPSG"),
            "{next}"
        );
    }
    // The same window in either axis order finds the same grids.
    let ids = |path: &str| -> Vec<String> {
        let body = server.anonymous().get(path).expect(200, path).body;
        body["features"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["id"].as_str().unwrap().to_string())
            .collect()
    };
    let window = ids("/ogc/collections/grid/items?bbox=121.40,28.60,121.45,28.65&limit=10000");
    assert!(!window.is_empty());
    assert_eq!(ids("/ogc/collections/grid/items?bbox=28.60,121.40,28.65,121.45&bbox-crs=EPSG:4326&limit=10000"), window);
    let refused = server
        .anonymous()
        .get("/ogc/collections/grid/items?crs=EPSG:3857");
    assert_eq!(
        (refused.status, refused.body["error"].as_str()),
        (400, Some("invalid_parameter"))
    );
    let collection = server
        .anonymous()
        .get("/ogc/collections/grid")
        .expect(200, "collection")
        .body;
    assert_eq!(collection["crs"].as_array().unwrap().len(), 3);
}
