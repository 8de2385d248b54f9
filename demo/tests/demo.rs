//! The demo city keeps its promises: exact counts, levels that nest exactly, borders shared
//! vertex for vertex, realistic shapes, names and people, and the same city for the same seed.
//!
//! Every check runs on the default (Taizhou-sized) city and on a small one.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use geo::{Area, Contains, GeodesicArea, InteriorPoint, Validation};
use geo_types::{Coord, LineString, MultiPolygon};
use onemap_demo::{generate, DemoConfig};
use onemap_index::{
    level, Attributes, CameraStatus, City, Feature, GridKind, Layer, Role, Setting, Shape,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::OnceLock;

/// A config and the city drawn from it, drawn once per test binary.
struct Fixture {
    config: DemoConfig,
    city: OnceLock<City>,
}

impl Fixture {
    fn city(&self) -> &City {
        self.city.get_or_init(|| generate(&self.config))
    }
}

fn default_city() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        config: DemoConfig::default(),
        city: OnceLock::new(),
    })
}

fn small_city() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| Fixture {
        config: DemoConfig::with_grids(2000),
        city: OnceLock::new(),
    })
}

/// One test per check and city, named `demo_…` so that filtering by `demo` runs them.
macro_rules! checks {
    ($($check:ident),* $(,)?) => {
        mod demo_default {
            $(#[test] fn $check() { super::$check(super::default_city()) })*
        }
        mod demo_small {
            $(#[test] fn $check() { super::$check(super::small_city()) })*
        }
    };
}

checks!(
    counts_match_config,
    people_are_assigned_as_required,
    children_lie_in_their_parents,
    parents_are_the_sum_of_their_children,
    borders_are_shared_vertex_for_vertex,
    polygons_are_valid_and_oriented,
    grids_have_realistic_vertex_counts,
    grids_have_realistic_sizes,
    names_and_ids_look_real,
    cameras_are_plausible,
    same_config_gives_the_same_city,
);

#[test]
fn demo_with_grids_scales_every_count() {
    let base = DemoConfig::default();
    let province = DemoConfig::with_grids(300_000);
    assert_eq!(
        province.urban_grids + province.rural_grids + province.exclusive_grids,
        300_000
    );
    let factor = 300_000.0 / (base.urban_grids + base.rural_grids + base.exclusive_grids) as f64;
    let scaled = |n: usize| (n as f64 * factor).round() as usize;
    assert_eq!(province.counties, scaled(base.counties));
    assert_eq!(province.townships, scaled(base.townships));
    assert_eq!(province.communities, scaled(base.communities));
    assert_eq!(province.stations, scaled(base.stations));
    assert_eq!(province.beats, scaled(base.beats));
    assert_eq!(province.officers, scaled(base.officers));
    assert_eq!(province.auxiliaries, scaled(base.auxiliaries));
    assert_eq!(province.cameras, scaled(base.cameras));
    assert_eq!((province.seed, province.center), (base.seed, base.center));
    assert_eq!(DemoConfig::with_grids(7263), base);
}

#[test]
fn demo_seeds_give_different_cities() {
    let config = DemoConfig {
        seed: 7,
        ..DemoConfig::with_grids(300)
    };
    let other = DemoConfig {
        seed: 8,
        ..config.clone()
    };
    assert_ne!(generate(&config), generate(&other));
}

/// Cities that are all countryside, all town, or barely there still keep the promises that do
/// not depend on size.
#[test]
fn demo_odd_configs_still_work() {
    let rural_only = DemoConfig {
        urban_grids: 0,
        exclusive_grids: 5,
        ..DemoConfig::with_grids(400)
    };
    let urban_only = DemoConfig {
        rural_grids: 0,
        ..DemoConfig::with_grids(400)
    };
    for config in [
        rural_only,
        urban_only,
        DemoConfig::with_grids(10),
        DemoConfig::with_grids(1),
    ] {
        let fixture = Fixture {
            city: OnceLock::from(generate(&config)),
            config,
        };
        counts_match_config(&fixture);
        people_are_assigned_as_required(&fixture);
        children_lie_in_their_parents(&fixture);
        parents_are_the_sum_of_their_children(&fixture);
        borders_are_shared_vertex_for_vertex(&fixture);
        polygons_are_valid_and_oriented(&fixture);
    }
}

/// The checks above are not vacuous: each catches a city broken in the way it looks for.
#[test]
fn demo_checks_catch_broken_cities() {
    let small = small_city();
    let caught = |check: fn(&Fixture), breakage: &dyn Fn(&mut City)| {
        let mut city = small.city().clone();
        breakage(&mut city);
        let fixture = Fixture {
            config: small.config.clone(),
            city: OnceLock::from(city),
        };
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&fixture)));
        assert!(outcome.is_err(), "a broken city passed");
    };
    let grids = |city: &City| -> Vec<usize> {
        (0..city.features.len())
            .filter(|&i| city.features[i].level() == Some(level::GRID))
            .collect()
    };
    let edit_exterior = |city: &mut City, i: usize, edit: &dyn Fn(&mut LineString<f64>)| {
        let Shape::Area(shape) = &mut city.features[i].shape else {
            unreachable!("a grid")
        };
        shape.0[0].exterior_mut(|ring| edit(ring));
    };
    let drop_a_grid = |city: &mut City| {
        let i = grids(city)[0];
        city.features.remove(i);
    };
    caught(counts_match_config, &drop_a_grid);
    caught(parents_are_the_sum_of_their_children, &drop_a_grid);
    caught(borders_are_shared_vertex_for_vertex, &|city| {
        let i = grids(city)[0];
        edit_exterior(city, i, &|ring| ring.0[1].x += 1e-9);
    });
    caught(polygons_are_valid_and_oriented, &|city| {
        let i = grids(city)[0];
        edit_exterior(city, i, &|ring| ring.0.reverse());
    });
    caught(children_lie_in_their_parents, &|city| {
        let far = grids_at(city, level::COMMUNITY)
            .last()
            .expect("communities")
            .id
            .clone();
        let i = grids(city)[0];
        let Attributes::Grid { parent, .. } = &mut city.features[i].attributes else {
            unreachable!("a grid")
        };
        *parent = Some(far);
    });
    caught(grids_have_realistic_vertex_counts, &|city| {
        for i in grids(city) {
            edit_exterior(city, i, &|ring| {
                let kept = ring.0.iter().step_by(4).copied().collect();
                ring.0 = kept;
            });
        }
    });
    caught(people_are_assigned_as_required, &|city| {
        let beat = city
            .features
            .iter_mut()
            .find(|f| f.layer() == Layer::Beat)
            .expect("beats");
        beat.people.clear();
    });
    caught(names_and_ids_look_real, &|city| {
        let i = grids(city)[0];
        city.features[i].name = "Grid 1".to_string();
    });
    caught(cameras_are_plausible, &|city| {
        for f in &mut city.features {
            if let Attributes::Camera { status, .. } = &mut f.attributes {
                *status = CameraStatus::Offline;
            }
        }
    });
}

fn grids_at(city: &City, grid_level: u8) -> Vec<&Feature> {
    city.layer(Layer::Grid)
        .filter(|f| f.level() == Some(grid_level))
        .collect()
}

fn area(feature: &Feature) -> &MultiPolygon<f64> {
    feature
        .area()
        .unwrap_or_else(|| panic!("{} has no area", feature.id))
}

fn grid_attributes(feature: &Feature) -> (GridKind, Option<&str>, Option<Setting>) {
    match &feature.attributes {
        Attributes::Grid {
            kind,
            category,
            setting,
            ..
        } => (*kind, category.as_deref(), *setting),
        other => panic!("{} is not a grid: {other:?}", feature.id),
    }
}

fn counts_match_config(fixture: &Fixture) {
    let (config, city) = (&fixture.config, fixture.city());
    assert_eq!(grids_at(city, level::COUNTY).len(), config.counties);
    assert_eq!(grids_at(city, level::TOWNSHIP).len(), config.townships);
    assert_eq!(grids_at(city, level::COMMUNITY).len(), config.communities);
    let mut level3 = HashMap::new();
    for grid in grids_at(city, level::GRID) {
        let (kind, _, setting) = grid_attributes(grid);
        *level3.entry((kind, setting)).or_insert(0) += 1;
    }
    let count = |kind, setting| level3.get(&(kind, Some(setting))).copied().unwrap_or(0);
    assert_eq!(
        count(GridKind::Comprehensive, Setting::Urban),
        config.urban_grids
    );
    assert_eq!(
        count(GridKind::Comprehensive, Setting::Rural),
        config.rural_grids
    );
    let exclusive =
        count(GridKind::Exclusive, Setting::Urban) + count(GridKind::Exclusive, Setting::Rural);
    assert_eq!(exclusive, config.exclusive_grids);
    assert_eq!(
        level3.values().sum::<usize>(),
        config.urban_grids + config.rural_grids + config.exclusive_grids
    );
    assert_eq!(city.layer(Layer::Station).count(), config.stations);
    assert_eq!(city.layer(Layer::Beat).count(), config.beats);
    assert_eq!(city.layer(Layer::Camera).count(), config.cameras);
    let ids: HashSet<&str> = city.features.iter().map(|f| f.id.as_str()).collect();
    assert_eq!(ids.len(), city.features.len(), "feature ids are unique");
}

fn people_are_assigned_as_required(fixture: &Fixture) {
    let (config, city) = (&fixture.config, fixture.city());
    let people: HashMap<&str, Role> = city
        .people
        .iter()
        .map(|p| (p.id.as_str(), p.role))
        .collect();
    assert_eq!(people.len(), city.people.len(), "person ids are unique");
    let mut referenced = HashSet::new();
    let mut roles_of = |f: &Feature| {
        let mut roles = HashMap::new();
        for id in &f.people {
            assert!(
                referenced.insert(id.clone()),
                "{id} answers for two features"
            );
            *roles.entry(people[id.as_str()]).or_insert(0usize) += 1;
        }
        roles
    };
    let mut total = HashMap::new();
    for f in &city.features {
        let roles = roles_of(f);
        let n = |role| roles.get(&role).copied().unwrap_or(0);
        match f.layer() {
            Layer::Grid if f.level() == Some(level::GRID) => {
                assert_eq!(n(Role::GridLeader), 1, "{}", f.id);
                assert!((1..=3).contains(&n(Role::GridWorker)), "{}", f.id);
                assert_eq!(roles.len(), 2, "{}", f.id);
            }
            Layer::Grid => assert_eq!(roles, HashMap::from([(Role::GridLeader, 1)]), "{}", f.id),
            Layer::Beat => {
                assert!((1..=2).contains(&n(Role::CommunityOfficer)), "{}", f.id);
                assert!(roles
                    .keys()
                    .all(|r| [Role::CommunityOfficer, Role::Auxiliary].contains(r)));
            }
            Layer::Station => {
                assert_eq!(roles, HashMap::from([(Role::StationChief, 1)]), "{}", f.id)
            }
            Layer::Camera => assert!(roles.is_empty()),
        }
        for (role, k) in roles {
            *total.entry(role).or_insert(0) += k;
        }
    }
    assert_eq!(
        referenced.len(),
        people.len(),
        "everyone answers for something"
    );
    assert_eq!(total[&Role::CommunityOfficer], config.officers);
    assert_eq!(total[&Role::Auxiliary], config.auxiliaries);
    assert_eq!(total[&Role::StationChief], config.stations);
    for person in &city.people {
        assert_eq!(person.version, 1);
        let name_len = person.name.chars().count();
        assert!(
            (2..=3).contains(&name_len) && person.name.chars().all(is_han),
            "{}",
            person.name
        );
        let phone = person.phone.as_bytes();
        assert!(
            phone.len() == 11 && phone[0] == b'1' && (b'3'..=b'9').contains(&phone[1]),
            "{}",
            person.phone
        );
        assert!(phone.iter().all(u8::is_ascii_digit), "{}", person.phone);
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

/// Every feature's parent, checked to be one level up (or the beat's station).
fn parents(city: &City) -> Vec<(&Feature, &Feature)> {
    let by_id: HashMap<&str, &Feature> = city.features.iter().map(|f| (f.id.as_str(), f)).collect();
    let mut pairs = Vec::new();
    for f in &city.features {
        let expected = match (f.layer(), f.level()) {
            (Layer::Grid, Some(0)) | (Layer::Station | Layer::Camera, _) => {
                assert_eq!(f.parent(), None, "{}", f.id);
                continue;
            }
            (Layer::Grid, Some(l)) => (Layer::Grid, Some(l - 1)),
            _ => (Layer::Station, None),
        };
        let parent = by_id[f
            .parent()
            .unwrap_or_else(|| panic!("{} has no parent", f.id))];
        assert_eq!(
            (parent.layer(), parent.level()),
            expected,
            "{} in {}",
            f.id,
            parent.id
        );
        pairs.push((f, parent));
    }
    pairs
}

fn children_lie_in_their_parents(fixture: &Fixture) {
    let city = fixture.city();
    for (child, parent) in parents(city) {
        let inside = area(child).interior_point().expect("an interior point");
        assert!(
            area(child).contains(&inside),
            "{}'s interior point is inside it",
            child.id
        );
        assert!(
            area(parent).contains(&inside),
            "{} lies in its parent {}",
            child.id,
            parent.id
        );
    }
    for station in city.layer(Layer::Station) {
        let Attributes::Station { location: Some(at) } = station.attributes else {
            panic!("{} has no location", station.id)
        };
        assert!(
            area(station).contains(&at),
            "{}'s building is in its jurisdiction",
            station.id
        );
    }
}

fn parents_are_the_sum_of_their_children(fixture: &Fixture) {
    let city = fixture.city();
    let mut sums: HashMap<&str, f64> = HashMap::new();
    for (child, parent) in parents(city) {
        *sums.entry(parent.id.as_str()).or_default() += area(child).unsigned_area();
    }
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(b.abs());
    let has_children =
        |f: &&Feature| f.layer() == Layer::Station || f.level().is_some_and(|l| l < level::GRID);
    for f in city.features.iter().filter(has_children) {
        let own = area(f).unsigned_area();
        let children = sums.get(f.id.as_str()).copied().unwrap_or(0.0);
        assert!(
            close(own, children),
            "{}: {own} vs children {children}",
            f.id
        );
    }
    let total = |features: Vec<&Feature>| {
        features
            .iter()
            .map(|f| area(f).unsigned_area())
            .sum::<f64>()
    };
    let counties = total(grids_at(city, level::COUNTY));
    for layer in [Layer::Station, Layer::Beat] {
        let layer_total = total(city.layer(layer).collect());
        assert!(
            close(counties, layer_total),
            "{layer}: {layer_total} vs counties {counties}"
        );
    }
}

/// A directed segment between two vertices, by the bits of their coordinates.
type Segment = [[u64; 2]; 2];

fn bits(c: Coord) -> [u64; 2] {
    [c.x.to_bits(), c.y.to_bits()]
}

/// The directed segments of `features` that no other of them has reversed, after checking that
/// no segment appears twice (an overlap) and no feature meets itself along a segment.
fn unmatched(features: &[&Feature]) -> BTreeSet<Segment> {
    let mut owner: HashMap<Segment, usize> = HashMap::new();
    for (i, f) in features.iter().enumerate() {
        for polygon in area(f) {
            for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
                for line in ring.lines() {
                    let segment = [bits(line.start), bits(line.end)];
                    assert!(
                        owner.insert(segment, i).is_none(),
                        "{} repeats a segment",
                        f.id
                    );
                }
            }
        }
    }
    let mut outline = BTreeSet::new();
    for (&[a, b], &i) in &owner {
        match owner.get(&[b, a]) {
            Some(&j) => assert_ne!(i, j, "{} borders itself", features[i].id),
            None => {
                outline.insert([a, b]);
            }
        }
    }
    outline
}

fn borders_are_shared_vertex_for_vertex(fixture: &Fixture) {
    let city = fixture.city();
    let outline = unmatched(&grids_at(city, level::COUNTY));
    assert!(!outline.is_empty());
    for grid_level in [level::TOWNSHIP, level::COMMUNITY, level::GRID] {
        assert!(
            unmatched(&grids_at(city, grid_level)) == outline,
            "level {grid_level} reaches the outline exactly"
        );
    }
    for layer in [Layer::Station, Layer::Beat] {
        assert!(
            unmatched(&city.layer(layer).collect::<Vec<_>>()) == outline,
            "{layer}s tile the city"
        );
    }
}

fn polygons_are_valid_and_oriented(fixture: &Fixture) {
    let city = fixture.city();
    for f in city.features.iter().filter(|f| f.layer().is_areal()) {
        let shape = area(f);
        assert!(!shape.0.is_empty(), "{} is empty", f.id);
        for polygon in shape {
            assert!(
                signed_area(polygon.exterior()) > 0.0,
                "{}'s exterior is counter-clockwise",
                f.id
            );
            for hole in polygon.interiors() {
                assert!(signed_area(hole) < 0.0, "{}'s holes are clockwise", f.id);
            }
        }
        let small = matches!(f.level(), Some(level::GRID)) || f.layer() == Layer::Beat;
        if small {
            assert!(
                shape.is_valid(),
                "{}: {:?}",
                f.id,
                shape.validation_errors()
            );
        }
    }
}

fn signed_area(ring: &LineString<f64>) -> f64 {
    ring.lines()
        .map(|l| l.start.x * l.end.y - l.end.x * l.start.y)
        .sum::<f64>()
        / 2.0
}

fn grids_have_realistic_vertex_counts(fixture: &Fixture) {
    let city = fixture.city();
    let counts: Vec<usize> = grids_at(city, level::GRID)
        .iter()
        .flat_map(|g| {
            area(g)
                .iter()
                .map(|p| p.exterior().0.len() - 1)
                .collect::<Vec<_>>()
        })
        .collect();
    let in_range = counts.iter().filter(|&&n| (20..=100).contains(&n)).count();
    assert!(
        in_range as f64 >= 0.95 * counts.len() as f64,
        "{in_range} of {} rings have 20–100 vertices",
        counts.len()
    );
}

fn grids_have_realistic_sizes(fixture: &Fixture) {
    let city = fixture.city();
    let median_km2 = |setting: Setting| {
        let mut areas: Vec<f64> = grids_at(city, level::GRID)
            .into_iter()
            .filter(|g| grid_attributes(g) == (GridKind::Comprehensive, None, Some(setting)))
            .map(|g| area(g).geodesic_area_unsigned() / 1e6)
            .collect();
        areas.sort_by(f64::total_cmp);
        areas[areas.len() / 2]
    };
    let urban = median_km2(Setting::Urban);
    let rural = median_km2(Setting::Rural);
    assert!(
        (0.05..=0.3).contains(&urban),
        "urban grids: median {urban} km²"
    );
    assert!(
        (1.0..=3.0).contains(&rural),
        "rural grids: median {rural} km²"
    );
    let city_km2: f64 = grids_at(city, level::COUNTY)
        .iter()
        .map(|c| area(c).geodesic_area_unsigned() / 1e6)
        .sum();
    let grids = (fixture.config.urban_grids + fixture.config.rural_grids) as f64;
    let expected =
        fixture.config.urban_grids as f64 * urban + fixture.config.rural_grids as f64 * rural;
    assert!(
        (0.7..1.4).contains(&(city_km2 / expected)),
        "{city_km2} km² for {grids} grids"
    );
    let (lng, lat) = fixture.config.center;
    let centre = Coord { x: lng, y: lat };
    let centre_setting = grids_at(city, level::GRID)
        .into_iter()
        .find(|g| area(g).contains(&centre))
        .map(|g| grid_attributes(g).2);
    assert_eq!(
        centre_setting,
        Some(Some(Setting::Urban)),
        "the centre is urban"
    );
}

fn names_and_ids_look_real(fixture: &Fixture) {
    let city = fixture.city();
    let by_id: HashMap<&str, &Feature> = city.features.iter().map(|f| (f.id.as_str(), f)).collect();
    for f in &city.features {
        assert!(
            f.name.chars().filter(|c| !c.is_ascii_digit()).all(is_han),
            "{}",
            f.name
        );
        assert_eq!(f.version, 1);
        let (prefix, suffixes): (&str, &[&str]) = match (f.layer(), f.level()) {
            (Layer::Grid, Some(level::COUNTY)) => ("c", &["区", "县", "市"]),
            (Layer::Grid, Some(level::TOWNSHIP)) => ("t", &["街道", "镇", "乡"]),
            (Layer::Grid, Some(level::COMMUNITY)) => ("v", &["社区", "村"]),
            (Layer::Grid, _) => ("g", &["网格"]),
            (Layer::Station, _) => ("s", &["派出所"]),
            (Layer::Beat, _) => ("b", &[""]),
            (Layer::Camera, _) => ("cam", &["枪机", "球机", "人脸抓拍", "车牌识别"]),
        };
        assert!(
            f.id.starts_with(prefix)
                && f.id[prefix.len()..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'-'),
            "{}",
            f.id
        );
        assert!(
            suffixes.iter().any(|s| f.name.ends_with(s)),
            "{}: {}",
            f.id,
            f.name
        );
        match f.layer() {
            Layer::Grid if f.level() == Some(level::GRID) => {
                let parent = by_id[f.parent().expect("a parent")];
                match grid_attributes(f) {
                    (GridKind::Comprehensive, None, Some(setting)) => {
                        assert!(
                            f.name.starts_with(&format!("{}第", parent.name)),
                            "{} in {}",
                            f.name,
                            parent.name
                        );
                        assert_eq!(
                            grid_attributes(parent).2,
                            Some(setting),
                            "{} in {}",
                            f.id,
                            parent.id
                        );
                        let suffix = if setting == Setting::Urban {
                            "社区"
                        } else {
                            "村"
                        };
                        assert!(parent.name.ends_with(suffix), "{}", parent.name);
                    }
                    (GridKind::Exclusive, Some(category), Some(_)) => {
                        assert!(
                            ["school", "factory", "park", "market", "hospital"].contains(&category)
                        );
                        assert!(f.name.ends_with("专属网格"), "{}", f.name);
                    }
                    other => panic!("{}: {other:?}", f.id),
                }
            }
            Layer::Beat => {
                let station = by_id[f.parent().expect("a station")];
                let place = station.name.trim_end_matches("派出所");
                assert!(
                    f.name.starts_with(&format!("{place}警格")),
                    "{} of {}",
                    f.name,
                    station.name
                );
            }
            _ => {}
        }
    }
    let names: HashSet<&str> = grids_at(city, level::GRID)
        .iter()
        .map(|g| g.name.as_str())
        .collect();
    assert_eq!(
        names.len(),
        grids_at(city, level::GRID).len(),
        "grid names are unique"
    );
}

fn cameras_are_plausible(fixture: &Fixture) {
    let city = fixture.city();
    let cameras: Vec<&Feature> = city.layer(Layer::Camera).collect();
    let mut offline = 0;
    for camera in &cameras {
        let Attributes::Camera {
            kind,
            status,
            heading,
            range_m,
        } = &camera.attributes
        else {
            unreachable!()
        };
        assert!(
            ["gun", "dome", "face", "plate"].contains(&kind.as_str()),
            "{kind}"
        );
        offline += usize::from(*status == CameraStatus::Offline);
        assert!(
            heading.is_none_or(|h| (0.0..360.0).contains(&h)),
            "{heading:?}"
        );
        assert!(
            range_m.is_none_or(|r| (20.0..=150.0).contains(&r)),
            "{range_m:?}"
        );
    }
    let share = offline as f64 / cameras.len() as f64;
    assert!((0.03..0.07).contains(&share), "{share} offline");
    // A sample of cameras all lie in the city, mostly in urban grids.
    let grids: Vec<(&Feature, geo_types::Rect)> = grids_at(city, level::GRID)
        .into_iter()
        .map(|g| (g, geo::BoundingRect::bounding_rect(area(g)).expect("a box")))
        .collect();
    let sample: Vec<&Feature> = cameras
        .iter()
        .step_by(cameras.len() / 300 + 1)
        .copied()
        .collect();
    let mut urban = 0;
    for camera in &sample {
        let at = camera.point().expect("a point");
        let (grid, _) = grids
            .iter()
            .find(|(g, rect)| rect.contains(&at) && area(g).contains(&at))
            .unwrap_or_else(|| panic!("{} is outside the city", camera.id));
        urban += usize::from(grid_attributes(grid).2 == Some(Setting::Urban));
    }
    assert!(
        urban as f64 > 0.7 * sample.len() as f64,
        "{urban} of {} sampled cameras in the city",
        sample.len()
    );
}

fn same_config_gives_the_same_city(fixture: &Fixture) {
    let again = generate(&fixture.config);
    let city = fixture.city();
    assert!(again == *city);
    let coordinate_bits = |city: &City| -> Vec<u64> {
        city.features
            .iter()
            .flat_map(|f| match f.area() {
                Some(mp) => mp.iter().flat_map(|p| p.exterior().0.clone()).collect(),
                None => vec![f.point().expect("a point").0],
            })
            .flat_map(|c| [c.x.to_bits(), c.y.to_bits()])
            .collect()
    };
    assert!(
        coordinate_bits(&again) == coordinate_bits(city),
        "bit for bit"
    );
}
