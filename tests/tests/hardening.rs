//! A real server under abuse: slow and idle clients cut off, heavy polygon queries kept from
//! stalling everyone else, a bounded shutdown, and a full disk reported and survived.

use onemap_tests::{eventually, Answer, Server, TempDir, DISPATCHER};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

/// A server on a new store holding one grid, with `limits` as its `[limits]` table.
fn serve_with_limits(dir: &TempDir, store: &Path, limits: &str) -> Server {
    let config = dir.0.join("onemap.toml");
    std::fs::write(&config, format!("[limits]\n{limits}")).unwrap();
    let server = Server::start(store, &["--config", config.to_str().unwrap()]);
    let grid = json!({ "type": "FeatureCollection", "features": [{
        "type": "Feature", "id": "g1", "properties": { "name": "东门网格" },
        "geometry": { "type": "Polygon", "coordinates": [[[121.0, 28.0], [121.01, 28.0],
            [121.01, 28.01], [121.0, 28.01], [121.0, 28.0]]] } }] });
    let Answer {
        status, body: v, ..
    } = server.planner().import("grid", &grid.to_string());
    assert_eq!(status, 200, "{v}");
    server
}

fn address(server: &Server) -> String {
    server.base.trim_start_matches("http://").to_string()
}

/// Whether the server closed `stream` (EOF or reset) before `limit`.
fn closed_within(stream: &mut TcpStream, limit: Duration) -> bool {
    stream.set_read_timeout(Some(limit)).unwrap();
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf) {
            Ok(0) => return true,
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => return false,
            Err(e) if e.kind() == std::io::ErrorKind::TimedOut => return false,
            Err(_) => return true,
        }
    }
}

#[test]
fn slow_and_idle_clients_are_cut_off_and_one_address_cannot_take_every_slot() {
    let dir = TempDir::new("slow-clients");
    let server = serve_with_limits(
        &dir,
        &dir.0.join("city.gpkg"),
        "header_timeout_s = 1\nmax_connections_per_address = 4\n",
    );
    let addr = address(&server);

    // Slowloris: a header trickled a byte at a time is cut off at the header deadline.
    let mut slow = TcpStream::connect(&addr).unwrap();
    let start = Instant::now();
    let header = b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    let mut cut = false;
    for byte in header {
        if slow.write_all(&[*byte]).is_err() {
            cut = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(200));
        if start.elapsed() > Duration::from_secs(10) {
            break;
        }
    }
    assert!(
        cut || closed_within(&mut slow, Duration::from_secs(3)),
        "a slow header is closed after header_timeout_s"
    );
    assert!(
        start.elapsed() < Duration::from_secs(8),
        "{:?}",
        start.elapsed()
    );

    // An idle connection is closed too.
    let mut idle = TcpStream::connect(&addr).unwrap();
    assert!(
        closed_within(&mut idle, Duration::from_secs(5)),
        "idle connection closed"
    );

    // Four connections from one address are its share; a fifth is closed unanswered...
    let held: Vec<TcpStream> = (0..4).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(200));
    let mut fifth = TcpStream::connect(&addr).unwrap();
    let _ = fifth.write_all(b"GET /health HTTP/1.1\r\nHost: x\r\n\r\n");
    let mut answer = String::new();
    fifth
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = fifth.read_to_string(&mut answer);
    assert_eq!(answer, "", "the fifth connection gets no answer");
    // ...and once they go, the address is served again.
    drop(held);
    let served = eventually(Duration::from_secs(5), || {
        ureq::get(&server.url("/health"))
            .timeout(Duration::from_secs(1))
            .call()
            .ok()
            .map(|r| r.status())
    });
    assert_eq!(served.map(|(s, _)| s), Some(200));
}

/// A ring of `n` vertices around the grid: a heavy polygon query.
fn heavy_probe(n: usize) -> String {
    let ring: Vec<[f64; 2]> = (0..=n)
        .map(|i| {
            let a = std::f64::consts::TAU * (i % n) as f64 / n as f64;
            [121.005 + 0.02 * a.cos(), 28.005 + 0.02 * a.sin()]
        })
        .collect();
    json!({ "type": "Polygon", "coordinates": [ring] }).to_string()
}

#[test]
fn heavy_polygon_queries_leave_health_and_locate_answering() {
    let dir = TempDir::new("heavy");
    let server = serve_with_limits(
        &dir,
        &dir.0.join("city.gpkg"),
        "work_threads = 1\nwork_queue = 2\nwork_time_limit_s = 2\nmax_vertices = 2000000\n",
    );
    let probe = heavy_probe(400_000);
    let heavy_running = std::sync::atomic::AtomicBool::new(true);
    let (answers, probes) = std::thread::scope(|scope| {
        let heavy: Vec<_> = (0..4)
            .map(|_| {
                scope.spawn(|| {
                    server
                        .client(Some(DISPATCHER))
                        .post("/v1/intersects", &probe)
                })
            })
            .collect();
        let light = scope.spawn(|| {
            let mut slowest = Duration::ZERO;
            let mut count = 0;
            while heavy_running.load(std::sync::atomic::Ordering::Relaxed) {
                for path in ["/health", "/v1/locate?lng=121.005&lat=28.005"] {
                    let start = Instant::now();
                    let Answer {
                        status, body: v, ..
                    } = server.anonymous().get(path);
                    assert_eq!(status, 200, "{path}: {v}");
                    slowest = slowest.max(start.elapsed());
                    count += 1;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            (count, slowest)
        });
        let answers: Vec<(u16, Value)> = heavy
            .into_iter()
            .map(|h| {
                let Answer { status, body, .. } = h.join().unwrap();
                (status, body)
            })
            .collect();
        heavy_running.store(false, std::sync::atomic::Ordering::Relaxed);
        (answers, light.join().unwrap())
    });
    for (status, v) in &answers {
        match status {
            200 => assert!(v["layers"]["grid"].is_array(), "{v}"),
            503 => assert!(
                ["busy", "time_limit"].contains(&v["error"].as_str().unwrap_or_default()),
                "{v}"
            ),
            _ => panic!("{status} {v}"),
        }
    }
    let (count, slowest) = probes;
    assert!(count >= 2, "light requests ran beside the heavy ones");
    assert!(
        slowest < Duration::from_secs(1),
        "health and locate kept answering while heavy work ran: slowest {slowest:?}"
    );
}

#[test]
fn sigterm_drains_and_exits_despite_slow_and_idle_clients() {
    let dir = TempDir::new("drain");
    let server = serve_with_limits(
        &dir,
        &dir.0.join("city.gpkg"),
        "drain_s = 2\nbody_timeout_s = 120\nheader_timeout_s = 120\n",
    );
    let addr = address(&server);
    let _idle = TcpStream::connect(&addr).unwrap();
    let mut uploading = TcpStream::connect(&addr).unwrap();
    write!(
        uploading,
        "POST /v1/intersects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n\
         Content-Length: 100000\r\n\r\n{{\"type\":"
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let ended = server.terminate(Duration::from_secs(8));
    let (took, clean) = ended.expect("the server exits after SIGTERM");
    assert!(clean, "it exits cleanly");
    assert!(
        took < Duration::from_secs(6),
        "within the drain time: {took:?}"
    );
}

/// Mounts a small tmpfs at `at` for the life of the guard: a disk that can really fill up.
struct SmallDisk(std::path::PathBuf);

impl SmallDisk {
    fn mount(at: &Path, mb: usize) -> SmallDisk {
        std::fs::create_dir_all(at).unwrap();
        let status = Command::new("mount")
            .args(["-t", "tmpfs", "-o", &format!("size={mb}m"), "tmpfs"])
            .arg(at)
            .status()
            .expect("run mount");
        assert!(
            status.success(),
            "mounting a {mb} MB tmpfs failed: this test needs root, as make test has"
        );
        SmallDisk(at.to_path_buf())
    }

    /// Writes a filler file until the disk refuses.
    fn fill(&self) -> std::path::PathBuf {
        let path = self.0.join("filler");
        let mut file = std::fs::File::create(&path).unwrap();
        let block = vec![7u8; 64 << 10];
        while file.write_all(&block).is_ok() {}
        path
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg("-l").arg(&self.0).status();
    }
}

#[test]
fn a_full_disk_degrades_health_refuses_writes_and_loses_nothing() {
    let dir = TempDir::new("disk-full");
    let disk = SmallDisk::mount(&dir.0.join("disk"), 24);
    let store = disk.0.join("city.gpkg");
    let server = serve_with_limits(&dir, &store, "");
    let health = || server.anonymous().get("/health").body;
    assert_eq!(health()["status"], "ok");
    let put = |id: &str| {
        let grid = json!({ "type": "Feature", "id": id, "properties": { "name": "新网格" },
            "geometry": { "type": "Polygon", "coordinates": [[[121.02, 28.0], [121.03, 28.0],
                [121.03, 28.01], [121.02, 28.01], [121.02, 28.0]]] } });
        server
            .planner()
            .put_feature("grid", id, &grid.to_string(), None)
    };

    let filler = disk.fill();
    let h = health();
    assert_eq!(
        (&h["status"], &h["store"]),
        (&json!("degraded"), &json!("unwritable")),
        "{h}"
    );
    let Answer {
        status, body: v, ..
    } = put("g2");
    assert_eq!(
        (status, v["error"].as_str()),
        (503, Some("store_unavailable")),
        "{v}"
    );
    let Answer {
        status, body: v, ..
    } = server.anonymous().get("/v1/locate?lng=121.005&lat=28.005");
    assert_eq!(
        (status, &v["grid"]["id"]),
        (200, &json!("g1")),
        "reads go on: {v}"
    );

    std::fs::remove_file(filler).unwrap();
    let h = health();
    assert_eq!(
        (&h["status"], &h["store"]),
        (&json!("degraded"), &json!("unwritable")),
        "still degraded until a write succeeds: {h}"
    );
    let Answer {
        status, body: v, ..
    } = put("g2");
    assert_eq!(status, 201, "{v}");
    assert_eq!(health()["status"], "ok");
    drop(server);
    let reopened = Server::start(&store, &[]);
    for id in ["g1", "g2"] {
        let Answer {
            status, body: v, ..
        } = reopened
            .anonymous()
            .get(&format!("/v1/layers/grid/features/{id}"));
        assert_eq!(status, 200, "{id} survived: {v}");
    }
}
