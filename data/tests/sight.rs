//! Camera coverage as area against a brute-force oracle: points spread over a grid are each
//! tested directly against every online camera (within range, within the angle of its
//! heading), and the share seen must match the share the polygons give; points in the
//! uncovered parts are seen by no camera.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use geo::Contains;
use geo_types::Point;
use onemap_demo::{generate, DemoConfig};
use onemap_index::sight::{view_of, View};
use onemap_index::{Attributes, CameraStatus, Layer, Snapshot};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Whether a camera at `at` with `view` sees `p`, by distance and bearing.
fn sees(at: Point, view: &View, p: Point) -> bool {
    let east = (p.x() - at.x()) * 111_320.0 * at.y().to_radians().cos();
    let north = (p.y() - at.y()) * 111_320.0;
    if east.hypot(north) > view.range_m {
        return false;
    }
    match view.heading {
        None => true,
        Some(h) => {
            let bearing = east.atan2(north).to_degrees().rem_euclid(360.0);
            let off = (bearing - h + 540.0).rem_euclid(360.0) - 180.0;
            off.abs() <= view.angle_deg / 2.0
        }
    }
}

#[test]
fn covered_shares_match_points_tested_one_by_one() {
    let s = Snapshot::build(generate(&DemoConfig::with_grids(300)), 1);
    let cameras: Vec<(Point, View)> = s
        .layer(Layer::Camera)
        .filter_map(|c| match &c.attributes {
            Attributes::Camera {
                kind,
                status: CameraStatus::Online,
                heading,
                range_m,
            } => Some((c.point()?, view_of(kind, *heading, *range_m))),
            _ => None,
        })
        .collect();
    let sights = s.sight(Layer::Grid, Some(3));
    assert_eq!(
        sights.len(),
        s.layer(Layer::Grid)
            .filter(|f| f.level() == Some(3))
            .count()
    );
    // The grids with the most cameras, and some with none near.
    let mut busy: Vec<_> = sights.iter().filter(|x| x.share() > 0.0).collect();
    busy.sort_by(|a, b| b.share().total_cmp(&a.share()));
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut checked = 0;
    for sight in busy.iter().take(12) {
        let f = s.feature(sight.feature);
        let area = f.area().unwrap();
        let b = f.bbox().unwrap();
        let mut inside = 0;
        let mut seen = 0;
        let mut seen_in_uncovered = 0;
        while inside < 3000 {
            let p = Point::new(rng.random_range(b[0]..b[2]), rng.random_range(b[1]..b[3]));
            if !area.contains(&p) {
                continue;
            }
            inside += 1;
            let by_any = cameras.iter().any(|(at, view)| sees(*at, view, p));
            seen += usize::from(by_any);
            // Away from the edges of the polygons (arcs are drawn with chords).
            if by_any && sight.uncovered.contains(&p) {
                seen_in_uncovered += 1;
            }
        }
        let share = seen as f64 / inside as f64;
        assert!(
            (share - sight.share()).abs() < 0.035,
            "{}: {share} of sample points seen, {} by polygons",
            f.id,
            sight.share()
        );
        assert!(seen_in_uncovered * 100 <= inside, "{}", f.id);
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} grids have cameras");
    assert!(sights.iter().any(|x| x.share() == 0.0));
}
