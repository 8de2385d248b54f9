//! Several `onemap serve` nodes on one PostGIS database, as real processes over HTTP: writes
//! on one node reach the others within a second and in commit order, a late node catches up,
//! concurrent planners get one winner and a 412, the audit table says who did what; PostGIS
//! stopped and started under running nodes; nodes killed in the middle of an import, on
//! PostGIS and on the embedded GeoPackage.

use onemap_data::gpkg::GeoPackageStore;
use onemap_data::Store;
use onemap_tests::{
    collection, eventually, Answer, PrivatePostgres, Server, TempDir, TestDatabase, ADMIN, PLANNER,
};
use serde_json::{json, Value};
use std::time::{Duration, Instant};

/// How soon a write on one node must show on the others.
const PROPAGATION: Duration = Duration::from_secs(1);

/// A 0.01° square grid named after its id, in column `i` of a row of grids.
fn grid(id: &str, i: usize, name: &str) -> Value {
    let (x, y) = (121.0 + i as f64 * 0.01, 28.0);
    json!({
        "type": "Feature", "id": id, "properties": { "name": name },
        "geometry": { "type": "Polygon", "coordinates": [[
            [x, y], [x + 0.01, y], [x + 0.01, y + 0.01], [x, y + 0.01], [x, y]
        ]] }
    })
}

/// Grids `c{i}` for every `i` in `range`, as one FeatureCollection.
fn grids(range: std::ops::Range<usize>) -> String {
    collection(
        range
            .map(|i| grid(&format!("c{i}"), i, &format!("c{i}")))
            .collect(),
    )
}

/// Renames grid `c{i}` through `server` as a planner, expecting it at `version`.
fn rename(server: &Server, i: usize, name: &str, version: u64) -> Answer {
    let id = format!("c{i}");
    let body = grid(&id, i, name).to_string();
    server
        .planner()
        .put_feature("grid", &id, &body, Some(&format!("\"{version}\"")))
}

/// The name and version of grid `c{i}` as `server` has it in memory, if it has it.
fn seen(server: &Server, i: usize) -> Option<(String, u64)> {
    let f = server.anonymous().feature("grid", &format!("c{i}"));
    (f.status == 200).then(|| {
        let p = &f.body["properties"];
        (
            p["name"].as_str().unwrap().to_string(),
            p["version"].as_u64().unwrap(),
        )
    })
}

/// The grid `server` locates the centre of grid `c{i}` in.
fn located(server: &Server, i: usize) -> Option<String> {
    let (lng, lat) = (121.005 + i as f64 * 0.01, 28.005);
    let v = server.anonymous().locate(lng, lat);
    (v.status == 200).then(|| v.body["grid"]["id"].as_str().unwrap().to_string())
}

/// Waits until `check` holds on `server`, at most [`PROPAGATION`]; how long it took.
fn propagates(what: &str, check: impl FnMut() -> Option<()>) -> Duration {
    let (_, took) = eventually(PROPAGATION, check)
        .unwrap_or_else(|| panic!("{what} did not propagate within {PROPAGATION:?}"));
    eprintln!("{what}: seen on the other node after {took:?}");
    took
}

/// Two empty nodes on the database at `url`, with grids `c0`..`c{n-1}` imported on the first
/// and seen by the second.
fn two_nodes_with_grids(url: &str, n: usize) -> (Server, Server) {
    let a = Server::start_on_database(url, &[]);
    let b = Server::start_on_database(url, &[]);
    assert_eq!(a.planner().import("grid", &grids(0..n)).status, 200);
    propagates("import", || {
        (located(&b, n - 1) == Some(format!("c{}", n - 1))).then_some(())
    });
    (a, b)
}

#[test]
fn writes_reach_every_node_in_commit_order_and_conflicts_get_412() {
    let db = TestDatabase::create("cluster");
    // Import on A, PUT on B, DELETE on A: each seen by the other node within a second.
    let (a, b) = two_nodes_with_grids(&db.url, 4);
    assert_eq!(rename(&b, 1, "renamed on B", 1).status, 200);
    propagates("update", || {
        (seen(&a, 1) == Some(("renamed on B".into(), 2))).then_some(())
    });
    let status = a.planner().delete_feature("grid", "c3", "\"1\"").status;
    assert_eq!(status, 204);
    propagates("delete", || seen(&b, 3).is_none().then_some(()));

    // Writes alternating between the nodes, each on the version the last one made: the
    // watcher on B sees them in commit order, never an older one after a newer one.
    let rounds = 10;
    let mut version = seen(&a, 2).unwrap().1;
    let watched = std::thread::scope(|scope| {
        let watcher = scope.spawn(|| {
            let mut names: Vec<String> = Vec::new();
            let deadline = Instant::now() + Duration::from_secs(30);
            while names.last().map(String::as_str) != Some(&format!("round {}", rounds - 1)) {
                assert!(
                    Instant::now() < deadline,
                    "B never saw the last round: {names:?}"
                );
                let name = seen(&b, 2).unwrap().0;
                if names.last() != Some(&name) {
                    names.push(name);
                }
            }
            names
        });
        for round in 0..rounds {
            let node = if round % 2 == 0 { &a } else { &b };
            let Answer { status, body, .. } = rename(node, 2, &format!("round {round}"), version);
            assert_eq!(status, 200, "round {round}: {body}");
            version = body["version"].as_u64().unwrap();
        }
        watcher.join().unwrap()
    });
    let order: Vec<usize> = watched
        .iter()
        .filter_map(|n| n.strip_prefix("round ")?.parse().ok())
        .collect();
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "B showed the rounds out of order: {watched:?}"
    );
    propagates("the last round", || {
        (a.anonymous().city_version() == version && b.anonymous().city_version() == version)
            .then_some(())
    });
    let log: Vec<i64> = db
        .client()
        .query(
            "SELECT DISTINCT version FROM onemap.change_log ORDER BY version",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(log, (1..=version as i64).collect::<Vec<_>>(), "no gaps");

    // A node started after all that has all of it.
    let late = Server::start_on_database(&db.url, &[]);
    assert_eq!(late.anonymous().city_version(), version);
    assert_eq!(seen(&late, 2), seen(&a, 2));
    assert_eq!(
        (seen(&late, 3), located(&late, 1)),
        (None, Some("c1".into()))
    );

    // Two planners on different nodes edit the same version of c1: one wins, the other gets
    // 412 with the current version, and every node ends up with the winner's edit.
    let base = seen(&a, 1).unwrap().1;
    let (on_a, on_b) = std::thread::scope(|scope| {
        let on_a = scope.spawn(|| rename(&a, 1, "planner on A", base));
        let on_b = scope.spawn(|| rename(&b, 1, "planner on B", base));
        (on_a.join().unwrap(), on_b.join().unwrap())
    });
    let (winner, loser, winner_name) = match (on_a.status, on_b.status) {
        (200, 412) => (on_a.body, on_b.body, "planner on A"),
        (412, 200) => (on_b.body, on_a.body, "planner on B"),
        other => panic!("expected one 200 and one 412, got {other:?}: {on_a:?} {on_b:?}"),
    };
    assert_eq!(loser["error"], "stale_version");
    assert_eq!(loser["current_version"], winner["version"]);
    let won = (winner_name.to_string(), winner["version"].as_u64().unwrap());
    for node in [&a, &b, &late] {
        propagates("the winner", || {
            (seen(node, 1) == Some(won.clone())).then_some(())
        });
    }

    // The audit table: who, when, what before and after, whichever node took the write.
    let rows = db
        .client()
        .query(
            r#"SELECT author, action, "before"->'properties'->>'name',
                   "after"->'properties'->>'name', now() - at < interval '5 minutes'
               FROM onemap.audit WHERE layer = 'grid' AND id = 'c1' ORDER BY seq"#,
            &[],
        )
        .unwrap();
    /// author, action, name before, name after, recent.
    type AuditRow = (String, String, Option<String>, Option<String>, bool);
    let audit: Vec<AuditRow> = rows
        .iter()
        .map(|r| (r.get(0), r.get(1), r.get(2), r.get(3), r.get(4)))
        .collect();
    let row = |action: &str, before: Option<&str>, after: &str| {
        let name = |s: &str| Some(s.to_string());
        (
            "plan".to_string(),
            action.to_string(),
            before.and_then(name),
            name(after),
            true,
        )
    };
    assert_eq!(
        audit,
        [
            row("import", None, "c1"),
            row("update", Some("c1"), "renamed on B"),
            row("update", Some("renamed on B"), winner_name),
        ]
    );
    let Answer {
        status, body: log, ..
    } = a.client(Some(ADMIN)).get("/v1/audit?layer=grid&id=c1");
    assert_eq!(status, 200);
    assert_eq!(log["entries"].as_array().unwrap().len(), 3, "{log}");
}

#[test]
fn nodes_ride_out_a_database_restart() {
    let pg = PrivatePostgres::start();
    let (a, b) = two_nodes_with_grids(&pg.url, 3);

    pg.stop();
    for node in [&a, &b] {
        assert_eq!(
            located(node, 1).as_deref(),
            Some("c1"),
            "reads go on from memory"
        );
        let started = Instant::now();
        let Answer {
            status,
            body: health,
            ..
        } = node.anonymous().get("/health");
        assert_eq!((status, health["status"].as_str()), (200, Some("degraded")));
        let Answer { status, body, .. } = rename(node, 0, "while down", 1);
        assert_eq!(
            (status, body["error"].as_str()),
            (503, Some("store_unavailable"))
        );
        assert!(
            body["message"]
                .as_str()
                .unwrap()
                .contains("reads still work"),
            "{body}"
        );
        eprintln!("health and a refused write took {:?}", started.elapsed());
        assert!(started.elapsed() < Duration::from_secs(10));
    }

    pg.resume();
    let ((), recovered) = eventually(Duration::from_secs(20), || {
        (rename(&a, 0, "after the restart", 1).status == 200).then_some(())
    })
    .expect("writes resume once PostGIS is back, with no node restarted");
    eprintln!("writes resumed {recovered:?} after PostGIS started");
    let (_, took) = eventually(Duration::from_secs(5), || {
        (seen(&b, 0) == Some(("after the restart".into(), 2))).then_some(())
    })
    .expect("the other node follows again once PostGIS is back");
    eprintln!("the other node saw it after {took:?}");
    assert_eq!(b.anonymous().get("/health").body["status"], "ok");
    // Nothing acknowledged was lost: both commits are in the database.
    let version: i64 = pg
        .client()
        .query_one("SELECT max(version) FROM onemap.change_log", &[])
        .unwrap()
        .get(0);
    assert_eq!(version, 2);
}

/// A node away while the change log was pruned past its version loads the city again
/// instead of missing commits.
#[test]
fn a_node_behind_a_pruned_change_log_reloads_the_city() {
    let db = TestDatabase::create("pruned");
    let (a, b) = two_nodes_with_grids(&db.url, 3);
    b.pause();
    // Commit 2 renames c1; commits 3 and 4 rename c0. Only commit 4 stays in the log.
    assert_eq!(rename(&a, 1, "while B was away", 1).status, 200);
    for (k, version) in [(1, 1), (2, 3)] {
        assert_eq!(rename(&a, 0, &format!("rename {k}"), version).status, 200);
    }
    let pruned = db
        .client()
        .execute("DELETE FROM onemap.change_log WHERE version < 4", &[])
        .unwrap();
    assert_eq!(pruned, 3, "commits 1 to 3 are gone from the log");
    b.resume();
    let (_, took) = eventually(Duration::from_secs(10), || {
        (seen(&b, 0) == Some(("rename 2".into(), 4))).then_some(())
    })
    .expect("B catches up although the log no longer reaches back to its version");
    eprintln!("B reloaded the city {took:?} after it woke");
    assert_eq!(seen(&b, 1), Some(("while B was away".into(), 2)));
    assert_eq!(located(&b, 2).as_deref(), Some("c2"));
    assert_eq!(b.anonymous().city_version(), 4);
}

/// Enough grids that committing them takes a while, so a kill can land inside the commit.
const BIG_IMPORT: usize = 4000;

/// POSTs a big import to `server` and kills it with SIGKILL once `committing()` says the
/// commit is under way; returns whether it got there before the import finished.
fn kill_during_import(server: Server, mut committing: impl FnMut() -> bool) -> bool {
    let url = server.url("/v1/layers/grid/import");
    let body = grids(0..BIG_IMPORT);
    let poster = std::thread::spawn(move || {
        let req = ureq::post(&url)
            .set("Authorization", &format!("Bearer {PLANNER}"))
            .timeout(Duration::from_secs(120));
        // Whatever the answer, or none: the kill decides.
        drop(req.send_string(&body));
    });
    let caught = eventually(Duration::from_secs(120), || {
        (committing() || poster.is_finished()).then_some(())
    })
    .is_some()
        && !poster.is_finished();
    server.kill();
    let _ = poster.join();
    caught
}

#[test]
fn a_node_killed_during_an_import_leaves_all_or_nothing_in_postgis() {
    let db = TestDatabase::create("killimport");
    let node = Server::start_on_database(&db.url, &[]);
    let mut watch = db.client();
    let name = db.url.rsplit('/').next().unwrap().to_string();
    // The node's connection is inside the commit's transaction, writing rows.
    let caught = kill_during_import(node, || {
        watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1
                 AND backend_xid IS NOT NULL AND query LIKE 'INSERT INTO onemap.%'",
                &[&name],
            )
            .map(|r| r.get::<_, i64>(0) > 0)
            .unwrap_or(false)
    });
    assert!(
        caught,
        "the import finished before the kill: make it bigger"
    );
    // PostgreSQL rolls back a transaction whose client is gone once it notices.
    eventually(Duration::from_secs(30), || {
        let open: i64 = watch
            .query_one(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = $1
                 AND pid <> pg_backend_pid() AND backend_xid IS NOT NULL",
                &[&name],
            )
            .unwrap()
            .get(0);
        (open == 0).then_some(())
    })
    .expect("the killed node's transaction ends");
    let counts = watch
        .query_one(
            "SELECT (SELECT count(*) FROM onemap.grid), (SELECT count(*) FROM onemap.audit),
                (SELECT count(DISTINCT version) FROM onemap.change_log),
                (SELECT value FROM onemap.meta WHERE key = 'city_version')",
            &[],
        )
        .unwrap();
    let counts: [i64; 4] = [counts.get(0), counts.get(1), counts.get(2), counts.get(3)];
    let n = BIG_IMPORT as i64;
    assert!(
        counts == [0, 0, 0, 0] || counts == [n, n, 1, 1],
        "all or nothing, got grids, audit rows, log rows, version = {counts:?}"
    );
    eprintln!("killed mid-commit; the database holds {counts:?}");
    // A node started afterwards serves exactly that.
    let again = Server::start_on_database(&db.url, &[]);
    assert_eq!(again.anonymous().city_version(), counts[3] as u64);
}

#[test]
fn a_node_killed_during_an_import_leaves_all_or_nothing_in_the_geopackage() {
    let dir = TempDir::new("killgpkg");
    let path = dir.0.join("city.gpkg");
    let node = Server::start(&path, &[]);
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    let size = |p: &std::ffi::OsStr| std::fs::metadata(p).map_or(0, |m| m.len());
    let empty_wal = size(&wal);
    // The commit spills pages into the WAL before it commits.
    let caught = kill_during_import(node, || size(&wal) > empty_wal + (1 << 20));
    let store = GeoPackageStore::open(&path).unwrap();
    let (grids, version) = (
        store.load().unwrap().features.len(),
        store.version().unwrap(),
    );
    assert!(
        (grids, version) == (0, 0) || (grids, version) == (BIG_IMPORT, 1),
        "all or nothing, got {grids} grids at version {version}"
    );
    eprintln!(
        "killed {} the commit; the file holds {grids} grids",
        if caught { "during" } else { "after" }
    );
    assert!(
        caught,
        "the import finished before the kill: make it bigger"
    );
}

/// Events per grid as `server` counts them (a dispatcher sees every count).
fn events_in(server: &Server, grid: &str) -> Option<u64> {
    let stats = server
        .client(Some(onemap_tests::DISPATCHER))
        .get(&format!("/v1/stats/grid/{grid}"));
    (stats.status == 200).then(|| stats.body["rows"][0]["events"].as_u64())?
}

#[test]
fn incidents_reported_on_one_node_are_counted_on_the_others() {
    let db = TestDatabase::create("events");
    let (a, b) = two_nodes_with_grids(&db.url, 3);
    let report = |server: &Server, grid: usize, n: usize| {
        let lines: String = (0..n)
            .map(|k| {
                format!(
                    "{},28.005,2026-03-0{}T10:00:00+08:00,纠纷,110\n",
                    121.002 + grid as f64 * 0.01 + k as f64 * 1e-4,
                    1 + k % 9
                )
            })
            .collect();
        let answer = server.client(Some(onemap_tests::DISPATCHER)).send(
            "POST",
            "/v1/layers/event/import",
            Some(&format!("lng,lat,time,category,source\n{lines}")),
            &[("Content-Type", "text/csv")],
        );
        assert_eq!(answer.status, 200, "{}", answer.body);
    };
    // Both nodes report at once; each sees its own at once and the other's within a second.
    report(&a, 0, 5);
    report(&b, 1, 7);
    assert_eq!(events_in(&a, "c0"), Some(5));
    assert_eq!(events_in(&b, "c1"), Some(7));
    propagates("incidents from B", || {
        (events_in(&a, "c1") == Some(7)).then_some(())
    });
    propagates("incidents from A", || {
        (events_in(&b, "c0") == Some(5)).then_some(())
    });
    // A node started later reads them all.
    let c = Server::start_on_database(&db.url, &[]);
    assert_eq!(
        (events_in(&c, "c0"), events_in(&c, "c1")),
        (Some(5), Some(7))
    );
}
