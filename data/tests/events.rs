//! The incident log against brute force: per-feature counts, heatmaps and trends over random
//! windows equal a scan that locates every event afresh; after an edit, locating again only
//! where the edit fell gives what locating everything would; the three body formats read the
//! same events, and a bad one names where it is.

#![allow(clippy::unwrap_used)] // in a test, a failed unwrap is a failed test

use h3o::{LatLng, Resolution};
use onemap_data::events_io::{format_time, parse_events, EventFormat};
use onemap_demo::{events, generate, DemoConfig, EVENTS_END};
use onemap_index::events::{Event, EventLog, Selection, Source};
use onemap_index::stats::{coverage, Norms, Period};
use onemap_index::write::Change;
use onemap_index::{City, Layer, Snapshot};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::BTreeMap;

fn small_city() -> City {
    generate(&DemoConfig::with_grids(300))
}

/// The log of `events` built in shuffled batches, so merging out of order is exercised.
fn log_of(events: &[Event], s: &Snapshot, rng: &mut ChaCha8Rng) -> EventLog {
    let mut shuffled = events.to_vec();
    for i in (1..shuffled.len()).rev() {
        shuffled.swap(i, rng.random_range(0..=i));
    }
    let mut log = EventLog::default();
    for batch in shuffled.chunks(777) {
        log.append(batch.to_vec(), s);
    }
    log
}

/// What the log should count: each selected event located afresh, credited to its grid and
/// the grid's ancestors, its beat and its station.
fn brute_counts(events: &[Event], s: &Snapshot, sel: &Selection) -> BTreeMap<u32, u32> {
    let mut counts = BTreeMap::new();
    for e in events.iter().filter(|e| selected(e, sel)) {
        let hit = s.locate(e.lng, e.lat);
        let mut places: Vec<u32> = hit.beat.into_iter().chain(hit.station).collect();
        if let Some(g) = hit.grid {
            places.push(g);
            places.extend(s.ancestors(g));
        }
        for p in places {
            *counts.entry(p).or_default() += 1;
        }
    }
    counts
}

fn selected(e: &Event, sel: &Selection) -> bool {
    sel.from.is_none_or(|t| e.time >= t)
        && sel.to.is_none_or(|t| e.time < t)
        && sel.category.as_ref().is_none_or(|c| &e.category == c)
        && sel.source.is_none_or(|s| e.source == s)
}

fn random_selection(rng: &mut ChaCha8Rng) -> Selection {
    let start = EVENTS_END - 365 * 86_400;
    let a = rng.random_range(start - 86_400..EVENTS_END);
    let b = rng.random_range(a + 1..EVENTS_END + 86_400);
    Selection {
        from: rng.random_bool(0.8).then_some(a),
        to: rng.random_bool(0.8).then_some(b),
        category: rng
            .random_bool(0.3)
            .then(|| ["纠纷", "咨询", "没有这一类"][rng.random_range(0..3)].to_string()),
        source: rng.random_bool(0.3).then_some(Source::Police110),
    }
}

#[test]
fn counts_heatmaps_and_trends_equal_a_brute_force_scan() {
    let city = small_city();
    let incidents: Vec<Event> = events(&city, 20_000, 11)
        .into_iter()
        .zip(1..)
        .map(|(e, seq)| Event { seq, ..e })
        .collect();
    let s = Snapshot::build(city, 1);
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let log = log_of(&incidents, &s, &mut rng);
    assert_eq!(log.len(), incidents.len());
    for _ in 0..12 {
        let sel = random_selection(&mut rng);
        let rows = log.select(&sel);
        let expected = incidents.iter().filter(|e| selected(e, &sel)).count();
        assert_eq!(log.count(&rows), expected, "{sel:?}");
        let counts = log.counts(&rows, &s);
        let brute = brute_counts(&incidents, &s, &sel);
        for i in 0..s.features().len() as u32 {
            assert_eq!(
                counts.total(i),
                brute.get(&i).copied().unwrap_or(0),
                "{} under {sel:?}",
                s.feature(i).id
            );
        }
        let res = Resolution::try_from(rng.random_range(5..=11u8)).unwrap();
        let mut cells: BTreeMap<String, u32> = BTreeMap::new();
        for e in incidents.iter().filter(|e| selected(e, &sel)) {
            let cell = LatLng::new(e.lat, e.lng).unwrap().to_cell(res);
            *cells.entry(cell.to_string()).or_default() += 1;
        }
        let heatmap: BTreeMap<String, u32> = log
            .heatmap(&rows, res, None)
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect();
        assert_eq!(heatmap, cells, "res {res} under {sel:?}");
        let origin = sel.from.unwrap_or(EVENTS_END - 366 * 86_400);
        let trend = log.trend(&rows, origin, 86_400);
        let in_trend: u32 = trend.iter().flat_map(|(_, c)| c).sum();
        let before_origin = incidents
            .iter()
            .filter(|e| selected(e, &sel) && e.time < origin)
            .count();
        assert_eq!(in_trend as usize + before_origin, expected);
    }
}

#[test]
fn after_an_edit_locating_where_it_fell_equals_locating_everything() {
    let city = small_city();
    let incidents = events(&city, 10_000, 3);
    let s = Snapshot::build(city, 1);
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let mut log = log_of(&incidents, &s, &mut rng);
    // Delete one grid and one beat: their events fall to the parent grid and to no beat.
    let grid = s
        .layer(Layer::Grid)
        .find(|f| f.level() == Some(3))
        .unwrap()
        .id
        .clone();
    let beat = s.layer(Layer::Beat).nth(3).unwrap().id.clone();
    let edit = [
        Change::Delete {
            layer: Layer::Grid,
            id: grid,
        },
        Change::Delete {
            layer: Layer::Beat,
            id: beat,
        },
    ];
    let advanced = s.advance(&[(2, &edit)]);
    log.relocate(&advanced.snapshot, Some(&advanced.boxes));
    let fresh = log_of(&incidents, &advanced.snapshot, &mut rng);
    let all = Selection::default();
    let (moved, expected) = (
        log.counts(&log.select(&all), &advanced.snapshot),
        fresh.counts(&fresh.select(&all), &advanced.snapshot),
    );
    for i in 0..advanced.snapshot.features().len() as u32 {
        assert_eq!(moved.total(i), expected.total(i));
    }
    assert_eq!(moved.unplaced, expected.unplaced);
}

#[test]
fn statistics_agree_with_counting_by_hand() {
    let city = small_city();
    let incidents = events(&city, 5_000, 4);
    let s = Snapshot::build(city, 1);
    let mut log = EventLog::default();
    log.append(incidents.clone(), &s);
    let june = Selection {
        from: Some(EVENTS_END - 180 * 86_400),
        to: Some(EVENTS_END - 150 * 86_400),
        ..Selection::default()
    };
    let period = Period {
        events: june.clone(),
    };
    let stats = coverage(&s, &log, &period, &Norms::default(), 0);
    let brute = brute_counts(&incidents, &s, &june);
    let previous = Selection {
        from: Some(EVENTS_END - 210 * 86_400),
        to: Some(EVENTS_END - 180 * 86_400),
        ..Selection::default()
    };
    let brute_previous = brute_counts(&incidents, &s, &previous);
    for row in &stats.rows {
        let i = s.index_of(row.layer, &row.id).unwrap();
        let f = &row.figures;
        assert_eq!(f.events, Some(brute.get(&i).copied().unwrap_or(0)));
        assert_eq!(
            f.events_previous,
            Some(brute_previous.get(&i).copied().unwrap_or(0))
        );
        assert_eq!(
            f.events_by_category.values().sum::<u32>(),
            f.events.unwrap()
        );
        let cameras = s
            .layer(Layer::Camera)
            .filter(|c| {
                let p = c.point().unwrap();
                let hit = s.locate(p.x(), p.y());
                let mut within: Vec<u32> = hit.beat.into_iter().chain(hit.station).collect();
                if let Some(g) = hit.grid {
                    within.push(g);
                    within.extend(s.ancestors(g));
                }
                within.contains(&i)
            })
            .count();
        assert_eq!(f.cameras as usize, cameras, "cameras of {}", row.id);
        assert!((f.area_km2 - s.area_m2(i) / 1e6).abs() < 1e-9);
        if row.layer == Layer::Grid {
            let residents: u64 = s
                .layer(Layer::Grid)
                .filter(|g| g.level() == Some(3))
                .filter(|g| {
                    let gi = s.index_of(Layer::Grid, &g.id).unwrap();
                    gi == i || s.ancestors(gi).contains(&i)
                })
                .filter_map(|g| match g.attributes {
                    onemap_index::Attributes::Grid { population, .. } => population,
                    _ => None,
                })
                .map(u64::from)
                .sum();
            assert_eq!(
                f.population.unwrap_or(0),
                residents,
                "residents of {}",
                row.id
            );
            if let (Some(p), true) = (f.population, f.grid_workers > 0) {
                assert_eq!(
                    f.people_per_worker,
                    Some(p as f64 / f64::from(f.grid_workers))
                );
            }
        }
        if row.layer == Layer::Beat {
            let assigned = s
                .layer(Layer::Grid)
                .filter(|g| s.assigned_beat(&g.id).map(|a| a.0) == Some(row.id.as_str()))
                .count();
            assert_eq!(f.grids as usize, assigned, "grids of {}", row.id);
        }
    }
    assert_eq!(
        stats.total.events,
        Some(log.count(&log.select(&june)) as u32)
    );
    assert_eq!(stats.total.cameras as usize, s.layer(Layer::Camera).count());
    // Suppression hides every count under the minimum, and nothing else.
    let public = coverage(&s, &log, &period, &Norms::default(), 3);
    for (open, hidden) in stats.rows.iter().zip(&public.rows) {
        let n = open.figures.events.unwrap();
        assert_eq!(hidden.figures.events, (n >= 3).then_some(n));
        assert!(hidden.figures.events_by_category.values().all(|&k| k >= 3));
    }
}

#[test]
fn the_three_formats_read_the_same_events_and_errors_say_where() {
    let city = small_city();
    let mut incidents = events(&city, 50, 8);
    incidents[3].text = Some("楼上漏水，\"急\"，, 请速处理".into());
    let geojson = serde_json::json!({
        "type": "FeatureCollection",
        "features": incidents.iter().map(event_json).collect::<Vec<_>>(),
    })
    .to_string();
    let ndjson: String = incidents
        .iter()
        .map(|e| format!("{}\n", event_json(e)))
        .collect();
    let csv = csv_of(&incidents);
    for (body, format) in [
        (&geojson, EventFormat::GeoJson),
        (&ndjson, EventFormat::NdJson),
        (&csv, EventFormat::Csv),
    ] {
        assert_eq!(EventFormat::of(None, body.as_bytes()), format);
        assert_eq!(parse_events(body.as_bytes(), format).unwrap(), incidents);
    }
    let broken = ndjson.replacen("\"110\"", "\"119\"", 1);
    let line = ndjson.lines().position(|l| l.contains("\"110\"")).unwrap();
    let error = parse_events(broken.as_bytes(), EventFormat::NdJson).unwrap_err();
    assert_eq!(error.at, format!("line {}", line + 1));
    assert!(error.message.contains("`source` is `119`"), "{error}");
    let renamed = csv.replacen("time", "when", 1);
    let error = parse_events(renamed.as_bytes(), EventFormat::Csv).unwrap_err();
    assert_eq!(error.at, "line 1");
    assert!(error.message.contains("no `time` column"), "{error}");
    // 纠纷 in GBK, as Excel saves it here: the line is named.
    let mut gbk = b"lng,lat,time,category,source\n121.4,28.6,2026-01-01,".to_vec();
    gbk.extend_from_slice(&[0xbe, 0xc0, 0xb7, 0xd7]);
    gbk.extend_from_slice(b",110\n");
    let error = parse_events(&gbk, EventFormat::Csv).unwrap_err();
    assert_eq!(error.at, "line 2");
    assert!(error.message.contains("UTF-8"), "{error}");
}

/// `incidents` as CSV with a header, every text quoted.
fn csv_of(incidents: &[Event]) -> String {
    let mut csv = String::from("lng,lat,time,category,source,text\n");
    for e in incidents {
        let text = e.text.clone().unwrap_or_default().replace('"', "\"\"");
        csv.push_str(&format!(
            "{},{},{},{},{},\"{text}\"\n",
            e.lng,
            e.lat,
            format_time(e.time),
            e.category,
            e.source.as_str()
        ));
    }
    csv
}

fn event_json(e: &Event) -> serde_json::Value {
    let mut properties = serde_json::json!({
        "time": format_time(e.time),
        "category": e.category,
        "source": e.source.as_str(),
    });
    if let Some(text) = &e.text {
        properties["text"] = text.clone().into();
    }
    serde_json::json!({
        "type": "Feature",
        "geometry": { "type": "Point", "coordinates": [e.lng, e.lat] },
        "properties": properties,
    })
}

/// The demo's events land in and around the demo city, in its year.
#[test]
fn demo_events_fall_in_the_city_and_its_year() {
    let city = small_city();
    let incidents = events(&city, 2_000, 1);
    let s = Snapshot::build(city, 1);
    let placed = incidents
        .iter()
        .filter(|e| s.locate(e.lng, e.lat).grid.is_some())
        .count();
    assert!(
        placed * 10 >= incidents.len() * 8,
        "{placed} of 2000 in a grid"
    );
    assert!(incidents
        .iter()
        .all(|e| e.time >= EVENTS_END - 365 * 86_400 && e.time < EVENTS_END));
}

/// Cells worked out for one heatmap are kept up to date by later appends, in time order or
/// not.
#[test]
fn heatmap_cells_follow_later_appends() {
    let city = small_city();
    let mut incidents = events(&city, 6_000, 21);
    incidents.sort_by_key(|e| e.time);
    let s = Snapshot::build(city, 1);
    let mut log = EventLog::default();
    let all = Selection::default();
    let brute = |events: &[Event]| {
        let mut cells: BTreeMap<String, u32> = BTreeMap::new();
        for e in events {
            let cell = LatLng::new(e.lat, e.lng).unwrap().to_cell(Resolution::Nine);
            *cells.entry(cell.to_string()).or_default() += 1;
        }
        cells
    };
    let served = |log: &EventLog| -> BTreeMap<String, u32> {
        log.heatmap(&log.select(&all), Resolution::Nine, None)
            .into_iter()
            .map(|(c, n)| (c.to_string(), n))
            .collect()
    };
    // In time order, then one batch from the past.
    for (upto, batch) in [
        (2_000, &incidents[..2_000]),
        (5_000, &incidents[2_000..5_000]),
    ] {
        log.append(batch.to_vec(), &s);
        assert_eq!(served(&log), brute(&incidents[..upto]));
    }
    log.append(incidents[5_000..].to_vec(), &s);
    log.append(vec![incidents[0].clone()], &s);
    let mut everything = incidents.clone();
    everything.push(incidents[0].clone());
    assert_eq!(served(&log), brute(&everything));
}

/// A body read piece by piece, split anywhere (inside a record, a quoted field or a UTF-8
/// character), gives what the whole body gives; a bad record is refused as soon as it is
/// whole.
#[test]
fn bodies_read_in_pieces_give_what_whole_bodies_give() {
    use onemap_data::events_io::EventReader;
    let city = small_city();
    let mut incidents = events(&city, 40, 12);
    incidents[5].text = Some("两行\n说明，含\"引号\"".into());
    let csv = format!("\u{feff}{}", csv_of(&incidents));
    let ndjson: String = incidents
        .iter()
        .map(|e| format!("{}\n", event_json(e)))
        .collect();
    for (body, kind) in [(&csv, None), (&ndjson, Some("application/x-ndjson"))] {
        let whole = parse_events(body.as_bytes(), EventFormat::of(kind, body.as_bytes())).unwrap();
        assert_eq!(whole, incidents);
        for piece in [1, 7, 333] {
            let mut reader = EventReader::new(kind);
            for chunk in body.as_bytes().chunks(piece) {
                reader.push(chunk).unwrap();
            }
            assert_eq!(reader.finish().unwrap().1, incidents, "pieces of {piece}");
        }
    }
    let broken = csv.replacen(",110,", ",119,", 1);
    let cut = broken.find(",119,").unwrap() + 200;
    let mut reader = EventReader::new(Some("text/csv"));
    let refused = reader.push(&broken.as_bytes()[..cut]).unwrap_err();
    assert!(refused.message.contains("`source` is `119`"), "{refused}");
}
