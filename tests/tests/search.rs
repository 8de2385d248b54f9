//! Search on the demo city against a brute-force scan: every feature whose normalised name
//! or id holds the query, and nothing else; Chinese numerals and digits alike; cameras and
//! compounds found with who answers for them.

use onemap_demo::{generate, DemoConfig};
use onemap_index::search::{normalise, Match};
use onemap_index::{Layer, Snapshot};
use std::collections::BTreeSet;

fn demo() -> Snapshot {
    Snapshot::build(generate(&DemoConfig::default()), 1)
}

/// What a scan of every feature finds for `query`.
fn scan(s: &Snapshot, query: &str) -> BTreeSet<u32> {
    let q = normalise(query);
    (0..s.features().len() as u32)
        .filter(|&i| {
            let f = s.feature(i);
            normalise(&f.name).contains(&q) || normalise(&f.id).contains(&q)
        })
        .collect()
}

#[test]
fn search_finds_exactly_what_a_scan_finds() {
    let s = demo();
    let mut queries: Vec<String> = [
        "网格",
        "第5",
        "社区第1",
        "警格2",
        "派出所",
        "摄像",
        "g0006",
        "b04",
        "园",
    ]
    .map(String::from)
    .to_vec();
    // Pieces of real names and ids, every 997th feature.
    for f in s.features().iter().step_by(997) {
        let chars: Vec<char> = f.name.chars().collect();
        queries.push(chars[chars.len() / 3..].iter().take(3).collect());
        queries.push(f.id[1..].to_string());
    }
    for q in &queries {
        let expected = scan(&s, q);
        let found: BTreeSet<u32> = s
            .search(q, usize::MAX)
            .into_iter()
            .map(|h| h.feature)
            .collect();
        assert_eq!(found, expected, "query {q:?}");
    }
}

#[test]
fn chinese_numerals_find_grids_written_with_digits() {
    let s = demo();
    let grid = s
        .layer(Layer::Grid)
        .find(|f| f.name.ends_with("第5网格"))
        .expect("the demo city has a 第5网格");
    let spoken = grid.name.replace("第5网格", "第五网格");
    let hits = s.search(&spoken, 5);
    let first = s.feature(hits[0].feature);
    assert_eq!(
        (first.id.as_str(), hits[0].matched),
        (grid.id.as_str(), Match::Exact)
    );
    // Full-width digits too.
    let wide = grid.name.replace('5', "５");
    assert_eq!(s.feature(s.search(&wide, 1)[0].feature).id, grid.id);
}

#[test]
fn a_camera_hit_says_which_grid_beat_and_station_answer_for_it() {
    let s = demo();
    let camera = s.layer(Layer::Camera).nth(100).expect("cameras");
    let hit = s
        .search(&camera.name, usize::MAX)
        .into_iter()
        .find(|h| s.feature(h.feature).id == camera.id)
        .expect("cameras are searchable by name");
    let p = camera.point().expect("a camera is a point");
    let at = s.locate(p.x(), p.y());
    assert_eq!(
        (
            hit.answerers.grid,
            hit.answerers.beat,
            hit.answerers.station
        ),
        (at.grid, at.beat, at.station)
    );
    assert!(
        hit.answerers.grid.is_some(),
        "the demo city's cameras lie in grids"
    );
}

#[test]
fn a_grid_hit_names_the_beat_holding_most_of_it() {
    let s = demo();
    let grid = s
        .layer(Layer::Grid)
        .find(|f| f.level() == Some(3))
        .expect("grids");
    let hit = s.search(&grid.id, 1)[0];
    assert_eq!(s.feature(hit.feature).id, grid.id);
    let (beat, _) = s.assigned_beat(&grid.id).expect("an assigned beat");
    let answered = hit.answerers.beat.map(|b| s.feature(b).id.clone());
    assert_eq!(answered.as_deref(), Some(beat));
    assert_eq!(hit.answerers.grid, Some(hit.feature));
}
