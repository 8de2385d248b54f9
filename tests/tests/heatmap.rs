//! Camera heatmaps against the reference H3 library (PyPI `h3` 4.5, in a venv under
//! `target/`): the same cell ids and counts at every resolution, with and without a filter.

use onemap_tests::{demo_store, Server, TempDir};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const H3_VERSION: &str = "4.5.0";

/// A Python with the reference `h3` installed (made once under `target/`).
fn python_with_h3() -> PathBuf {
    let venv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/h3-venv");
    let python = venv.join("bin/python");
    let installed = Command::new(&python)
        .args([
            "-c",
            &format!("import h3, sys; sys.exit(h3.__version__ != '{H3_VERSION}')"),
        ])
        .status()
        .is_ok_and(|s| s.success());
    if !installed {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()
            .unwrap();
        assert!(
            made.success(),
            "python3 -m venv (make setup installs python3-venv)"
        );
        let pip = Command::new(venv.join("bin/pip"))
            .args([
                "install",
                "--quiet",
                "--disable-pip-version-check",
                &format!("h3=={H3_VERSION}"),
            ])
            .status()
            .unwrap();
        assert!(pip.success(), "pip install h3=={H3_VERSION}");
    }
    python
}

/// Cell → count for `points` ([lng, lat]) at `res`, by the reference library.
fn reference(python: &PathBuf, points: &[[f64; 2]], res: u8) -> BTreeMap<String, u64> {
    let script = format!(
        "import h3, json, sys, collections\n\
         c = collections.Counter(h3.latlng_to_cell(p[1], p[0], {res}) for p in json.load(sys.stdin))\n\
         print(json.dumps(c))"
    );
    let mut child = Command::new(python)
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    serde_json::to_writer(child.stdin.take().unwrap(), points).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    serde_json::from_slice(&out.stdout).unwrap()
}

fn served(answer: &Value) -> BTreeMap<String, u64> {
    answer["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_u64().unwrap()))
        .collect()
}

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
