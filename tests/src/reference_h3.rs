//! The reference H3 library (PyPI `h3`, in a venv under `target/`), the oracle heatmaps are
//! checked against.

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::{Command, Stdio};

const H3_VERSION: &str = "4.5.0";

/// A Python with the reference `h3` installed (made once under `target/`).
pub fn python_with_h3() -> PathBuf {
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
pub fn reference(python: &PathBuf, points: &[[f64; 2]], res: u8) -> BTreeMap<String, u64> {
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

/// The cells of a `/v1/heatmap` answer, as the reference gives them.
pub fn served(answer: &Value) -> BTreeMap<String, u64> {
    answer["cells"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c[0].as_str().unwrap().to_string(), c[1].as_u64().unwrap()))
        .collect()
}
