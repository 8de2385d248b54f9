//! The engine against PostGIS on the demo city: the same points give the same grid and beat
//! as `ST_Contains`, and every grid × beat share matches `ST_Intersection` on the spheroid.

use onemap_demo::{generate, DemoConfig};
use onemap_index::crossing::{contains, edges_of};
use onemap_index::{Layer, Snapshot};
use onemap_tests::TestDatabase;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;
use std::sync::OnceLock;

struct Fixture {
    snapshot: Snapshot,
    db: TestDatabase,
}

/// One demo city and one database for both tests.
fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let city = generate(&DemoConfig::default());
        let db = TestDatabase::create("oracle");
        onemap_data::postgis::load_city(&mut db.client(), "city", &city)
            .expect("load the demo city into PostGIS");
        Fixture {
            snapshot: Snapshot::build(city, 1),
            db,
        }
    })
}

#[test]
fn locate_matches_st_contains_on_100k_points() {
    let f = fixture();
    let s = &f.snapshot;
    let b = s.bounds();
    let mut rng = ChaCha8Rng::seed_from_u64(11);
    let points: Vec<[f64; 2]> = (0..100_000)
        .map(|_| [rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3])])
        .collect();
    let xs: Vec<f64> = points.iter().map(|p| p[0]).collect();
    let ys: Vec<f64> = points.iter().map(|p| p[1]).collect();
    let rows = f
        .db
        .client()
        .query(
            "SELECT p.n, COALESCE(
                      (SELECT id FROM city.grid WHERE level >= 3 AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) ORDER BY level DESC, id LIMIT 1),
                      (SELECT id FROM city.grid WHERE level < 3 AND ST_Contains(geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) ORDER BY level DESC, id LIMIT 1)),
                    (SELECT id FROM city.beat WHERE ST_Contains(geom, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)) ORDER BY id LIMIT 1)
             FROM unnest($1::float8[], $2::float8[]) WITH ORDINALITY AS p(x, y, n) ORDER BY p.n",
            &[&xs, &ys],
        )
        .expect("PostGIS locate");
    assert_eq!(rows.len(), points.len());
    let mut inside = 0;
    for (row, p) in rows.iter().zip(&points) {
        let hit = s.locate(p[0], p[1]);
        let id = |i: Option<u32>| i.map(|i| s.feature(i).id.clone());
        let want: (Option<String>, Option<String>) = (row.get(1), row.get(2));
        let got = (id(hit.grid), id(hit.beat));
        inside += got.0.is_some() as usize;
        if got != want {
            // Only a point on a boundary may differ (PostGIS counts it in neither polygon).
            let on_edge = [hit.grid, hit.beat]
                .into_iter()
                .flatten()
                .any(|i| s.boundary_distance(i, p[0], p[1]).unwrap_or(1.0) < 1e-6);
            assert!(
                on_edge,
                "point {p:?}: onemap says {got:?}, PostGIS says {want:?}"
            );
        }
    }
    assert!(
        inside > 50_000,
        "most random points should fall in the city, got {inside}"
    );
}

#[test]
fn every_grid_beat_share_matches_st_intersection() {
    let f = fixture();
    let s = &f.snapshot;
    let rows = f
        .db
        .client()
        .query(
            "SELECT g.id, b.id, ST_Area(ST_Intersection(g.geom, b.geom)::geography) / ST_Area(g.geom::geography)
             FROM city.grid g JOIN city.beat b ON ST_Intersects(g.geom, b.geom) WHERE g.level >= 3",
            &[],
        )
        .expect("PostGIS overlap matrix");
    let theirs: HashMap<(String, String), f64> = rows
        .iter()
        .map(|r| ((r.get(0), r.get(1)), r.get(2)))
        .collect();
    let ours: HashMap<(String, String), f64> = s
        .matrix()
        .entries()
        .map(|(g, x)| ((g.to_string(), x.id.clone()), x.fraction))
        .collect();
    let grids = s
        .layer(Layer::Grid)
        .filter(|g| g.level() >= Some(3))
        .count();
    assert_eq!(s.matrix().len(), grids, "every grid of level 3+ has a row");
    let mut compared = 0;
    for (key, want) in &theirs {
        let got = ours.get(key).copied().unwrap_or(0.0);
        assert!(
            (got - want).abs() <= 1e-3,
            "{key:?}: onemap {got}, PostGIS {want}"
        );
        compared += 1;
    }
    for (key, got) in &ours {
        assert!(
            theirs.contains_key(key),
            "{key:?}: onemap finds {got} but PostGIS says they do not intersect"
        );
    }
    assert!(
        compared > grids,
        "the demo city's grids should straddle beats ({compared} pairs for {grids} grids)"
    );
}

/// The cell index and a scan of every grid with the same exact rule agree on the demo city.
#[test]
fn locate_matches_brute_force_scan() {
    let s = &fixture().snapshot;
    let grids: Vec<(u32, Vec<[f64; 4]>, u8)> = s
        .features()
        .iter()
        .enumerate()
        .filter(|(_, f)| f.layer() == Layer::Grid)
        .map(|(i, f)| (i as u32, edges_of(f.area().unwrap()), f.level().unwrap()))
        .collect();
    let b = s.bounds();
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    for _ in 0..3_000 {
        let p = [rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3])];
        let want = grids
            .iter()
            .filter(|(_, e, _)| contains(e, p[0], p[1]))
            .max_by_key(|(i, _, level)| (*level, std::cmp::Reverse(*i)))
            .map(|(i, _, _)| *i);
        assert_eq!(s.locate(p[0], p[1]).grid, want, "point {p:?}");
    }
}
