//! Helpers for the end-to-end tests: real `onemap` server processes on 127.0.0.1 ports and a
//! real PostGIS database per test.

mod client;
pub mod reference_h3;

pub use client::{collection, Answer, Client};
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
        let mut args: Vec<std::ffi::OsString> = vec!["--store".into(), store.into()];
        args.extend(extra.iter().map(Into::into));
        Server::launch(store, &args)
    }

    /// Starts `onemap serve --database url` with `extra` flags and waits for `/health`.
    pub fn start_on_database(url: &str, extra: &[&str]) -> Server {
        let mut args: Vec<std::ffi::OsString> = vec!["--database".into(), url.into()];
        args.extend(extra.iter().map(Into::into));
        Server::launch(Path::new(""), &args)
    }

    fn launch(store: &Path, args: &[std::ffi::OsString]) -> Server {
        let port = free_port();
        let mut child = Command::new(onemap_bin())
            .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
            .args(args)
            .args(
                // Tests fire requests faster than any person: only the rate-limit test limits.
                (!args.iter().any(|a| a == "--public-rate"))
                    .then_some(["--public-rate", "0"])
                    .into_iter()
                    .flatten(),
            )
            .args([
                "--tokens",
                &format!("disp:dispatcher:{DISPATCHER};plan:planner:{PLANNER};root:admin:{ADMIN}"),
            ])
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
    /// Freezes the process (SIGSTOP) until [`Server::resume`]: a node that is away.
    pub fn pause(&self) {
        self.signal("-STOP");
    }

    pub fn resume(&self) {
        self.signal("-CONT");
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success(), "kill {signal} failed");
    }

    /// Sends SIGTERM and waits for the process to exit, for at most `limit`: how long it
    /// took and whether it exited cleanly; `None` if it was still running (then killed).
    pub fn terminate(mut self, limit: Duration) -> Option<(Duration, bool)> {
        self.signal("-TERM");
        let start = Instant::now();
        eventually(limit, || self.child.try_wait().ok().flatten())
            .map(|(status, _)| (start.elapsed(), status.success()))
    }

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

/// A PostgreSQL instance of the test's own, on a free port, for tests that stop and start the
/// database: stopping the shared cluster would break every other test running at the time.
/// Stopped (immediately) and deleted on drop.
pub struct PrivatePostgres {
    /// `postgres://onemap@127.0.0.1:port/onemap`, with PostGIS created.
    pub url: String,
    dir: TempDir,
    port: u16,
}

/// PostgreSQL's server programs (Debian's postgresql-15 package).
const PG_BIN: &str = "/usr/lib/postgresql/15/bin";

impl PrivatePostgres {
    pub fn start() -> PrivatePostgres {
        let dir = TempDir::new("pg");
        if is_root() {
            // PostgreSQL refuses to run as root: the cluster belongs to `postgres`.
            run(Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(&dir.0));
        }
        run(as_postgres("initdb")
            .args([
                "--auth=trust",
                "--username=onemap",
                "--encoding=UTF8",
                "--no-sync",
                "-D",
            ])
            .arg(dir.0.join("data")));
        let port = free_port();
        let pg = PrivatePostgres {
            url: format!("postgres://onemap@127.0.0.1:{port}/onemap"),
            port,
            dir,
        };
        pg.resume();
        let admin = format!("postgres://onemap@127.0.0.1:{}/postgres", pg.port);
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect");
        client
            .batch_execute("CREATE DATABASE onemap")
            .expect("create database");
        pg.client()
            .batch_execute("CREATE EXTENSION postgis")
            .expect("PostGIS extension (apt postgresql-15-postgis-3)");
        pg
    }

    /// Stops the server the way an operator's fast shutdown does: clients are cut off.
    pub fn stop(&self) {
        run(&mut self.pg_ctl(&["stop", "-m", "fast"]));
    }

    /// Starts the (stopped) server again and waits until it accepts connections.
    pub fn resume(&self) {
        let options = format!(
            "-p {} -c listen_addresses=127.0.0.1 -c unix_socket_directories={} -c fsync=off",
            self.port,
            self.dir.0.display()
        );
        run(&mut self.pg_ctl(&["start", "-w", "-t", "60", "-o", &options]));
    }

    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect")
    }

    fn pg_ctl(&self, args: &[&str]) -> Command {
        let mut cmd = as_postgres("pg_ctl");
        cmd.arg("-D")
            .arg(self.dir.0.join("data"))
            .arg("-l")
            .arg(self.dir.0.join("log"))
            .args(args);
        cmd
    }
}

impl Drop for PrivatePostgres {
    fn drop(&mut self) {
        let _ = self.pg_ctl(&["stop", "-m", "immediate"]).output();
    }
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0\n"))
}

/// A PostgreSQL program, run as `postgres` when we are root.
fn as_postgres(program: &str) -> Command {
    let path = Path::new(PG_BIN).join(program);
    if is_root() {
        let mut cmd = Command::new("runuser");
        cmd.args(["-u", "postgres", "--"]).arg(path);
        cmd
    } else {
        Command::new(path)
    }
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Polls `check` every 20 ms until it gives `Some`, for at most `limit`; the value and how
/// long it took.
pub fn eventually<T>(
    limit: Duration,
    mut check: impl FnMut() -> Option<T>,
) -> Option<(T, Duration)> {
    let start = Instant::now();
    loop {
        if let Some(value) = check() {
            return Some((value, start.elapsed()));
        }
        if start.elapsed() > limit {
            return None;
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A GeoPackage store in `dir` holding the demo city (`grids` level-3 grids, or the
/// Taizhou-sized default), written by the real binary's `onemap demo-city`.
pub fn demo_store(dir: &TempDir, grids: Option<usize>) -> PathBuf {
    let store = dir.0.join("city.gpkg");
    let mut command = Command::new(onemap_bin());
    command.arg("demo-city");
    if let Some(n) = grids {
        command.args(["--grids", &n.to_string()]);
    }
    let made = command
        .arg("--store")
        .arg(&store)
        .output()
        .expect("onemap runs");
    assert!(
        made.status.success(),
        "onemap demo-city: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    store
}
