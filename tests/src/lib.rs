//! Helpers for the end-to-end tests: real `onemap` server processes on 127.0.0.1 ports and a
//! real PostGIS database per test.

use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `onemap` binary under test: `$ONEMAP_BIN`, or `target/release/onemap` in the workspace.
pub fn onemap_bin() -> PathBuf {
    let path = std::env::var_os("ONEMAP_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/onemap"));
    assert!(
        path.exists(),
        "{} is missing: run `cargo build --release --bin onemap` (make test does)",
        path.display()
    );
    path
}

/// A fresh folder under the system temp dir, removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let path =
            std::env::temp_dir().join(format!("onemap-{tag}-{}-{}", std::process::id(), unique()));
        std::fs::create_dir_all(&path).expect("temp dir");
        TempDir(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn unique() -> u64 {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    NEXT.fetch_add(1, Ordering::Relaxed) * 1_000_000
        + (Instant::now().elapsed().as_nanos() as u64 % 1_000_000)
}

/// A free TCP port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

/// A running `onemap serve` process, killed on drop.
pub struct Server {
    pub base: String,
    pub store: PathBuf,
    child: Child,
}

/// Tokens every test server accepts.
pub const DISPATCHER: &str = "dispatch-token-1";
pub const PLANNER: &str = "planner-token-1";
pub const ADMIN: &str = "admin-token-123";

impl Server {
    /// Starts `onemap serve` on `store` with `extra` flags and waits for `/health`.
    pub fn start(store: &Path, extra: &[&str]) -> Server {
        let port = free_port();
        let mut child = Command::new(onemap_bin())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--store"])
            .arg(store)
            .args([
                "--tokens",
                &format!("disp:dispatcher:{DISPATCHER};plan:planner:{PLANNER};root:admin:{ADMIN}"),
            ])
            .args(extra)
            .env("ONEMAP_EXIT_WITH_STDIN", "1")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn onemap");
        let stderr = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("[onemap:{port}] {line}");
            }
        });
        let server = Server {
            base: format!("http://127.0.0.1:{port}"),
            store: store.to_path_buf(),
            child,
        };
        server.wait_ready(Duration::from_secs(180));
        server
    }

    fn wait_ready(&self, limit: Duration) {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(r) = ureq::get(&format!("{}/health", self.base))
                .timeout(Duration::from_secs(2))
                .call()
            {
                if r.status() == 200 {
                    return;
                }
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "onemap at {} did not answer /health within {limit:?}",
            self.base
        );
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// Stops the process with SIGKILL and waits for it.
    pub fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A response's status and JSON body, whatever the status.
pub fn call(req: ureq::Request, body: Option<&str>) -> (u16, Value, Option<String>) {
    let result = match body {
        Some(b) => req.send_string(b),
        None => req.call(),
    };
    let response = match result {
        Ok(r) => r,
        Err(ureq::Error::Status(_, r)) => r,
        Err(e) => panic!("request failed: {e}"),
    };
    let status = response.status();
    let etag = response.header("etag").map(str::to_string);
    let text = response.into_string().expect("body");
    let json = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, json, etag)
}

pub fn get(url: &str) -> (u16, Value) {
    let (s, v, _) = call(ureq::get(url), None);
    (s, v)
}

/// The test database URL: `$DATABASE_URL` or the role `make setup` creates.
pub fn database_url() -> String {
    std::env::var("DATABASE_URL")
        .unwrap_or_else(|_| "postgres://onemap:onemap@127.0.0.1:5432/postgres".into())
}

/// A throw-away PostGIS database, dropped on drop.
pub struct TestDatabase {
    pub url: String,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    pub fn create(tag: &str) -> TestDatabase {
        let admin_url = database_url();
        let name = format!("onemap_{tag}_{}_{}", std::process::id(), unique());
        let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap_or_else(|e| {
            panic!("PostGIS is required for this test and {admin_url} does not answer ({e}); run `make setup` or set DATABASE_URL")
        });
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create database");
        let url = match admin_url.rsplit_once('/') {
            Some((head, _)) => format!("{head}/{name}"),
            None => panic!("DATABASE_URL {admin_url} has no database name"),
        };
        let mut db =
            postgres::Client::connect(&url, postgres::NoTls).expect("connect to test database");
        db.batch_execute("CREATE EXTENSION IF NOT EXISTS postgis")
            .expect("PostGIS extension (apt postgresql-15-postgis-3)");
        TestDatabase {
            url,
            admin_url,
            name,
        }
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        if let Ok(mut admin) = postgres::Client::connect(&self.admin_url, postgres::NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
