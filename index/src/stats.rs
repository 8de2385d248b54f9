//! Coverage statistics for leaders: per grid, beat and station (and the whole city), its area,
//! the people who answer for it, its cameras, how its grids sit in beats, and its incidents in a
//! period beside the period before and the same period a year earlier (CompStat style).
//!
//! People are counted once per feature however many of its grids they serve; a grid's police
//! are its assigned beat's (the beat holding the largest share of it), as dispatch has it.
//!
//! ```
//! use onemap_index::events::{EventLog, Selection};
//! use onemap_index::stats::{coverage, Norms, Period};
//! use onemap_index::{City, Snapshot};
//!
//! let s = Snapshot::build(City::default(), 0);
//! let city = coverage(&s, &EventLog::default(), &Period::default(), &Norms::default(), 0);
//! assert_eq!(city.total.cameras, 0);
//! ```

use crate::events::{EventLog, PlaceCounts, Selection};
use crate::model::{level, Attributes, CameraStatus, Layer, Role};
use crate::snapshot::Snapshot;
use serde::Serialize;
use std::collections::BTreeMap;

/// A year, for "the same period last year": 365 days, so a window keeps its weekdays' mix
/// within a day.
const YEAR_S: i64 = 365 * 86_400;

/// When a beat carries too much: above either norm it is flagged.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Norms {
    /// Grids (level 3) assigned to one beat.
    pub grids_per_beat: u32,
    /// A beat's area in km².
    pub km2_per_beat: f64,
}

impl Default for Norms {
    /// 12 grids or 15 km² a beat: about what one community officer can walk.
    fn default() -> Self {
        Norms {
            grids_per_beat: 12,
            km2_per_beat: 15.0,
        }
    }
}

/// The events counted: a selection whose window, when bounded on both sides, is compared with
/// the window just before it and the same window a year earlier.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Period {
    pub events: Selection,
}

/// The figures of one feature (or the city).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Figures {
    pub area_km2: f64,
    /// Grids (level 3, 网格) within (a grid, station or the city) or assigned (a beat).
    pub grids: u32,
    /// Features one level down: child grids, a station's beats.
    pub children: u32,
    pub officers: u32,
    pub auxiliaries: u32,
    pub grid_leaders: u32,
    pub grid_workers: u32,
    pub cameras: u32,
    pub cameras_online: u32,
    pub cameras_per_km2: f64,
    /// Grids per community officer; `None` without an officer.
    pub grids_per_officer: Option<f64>,
    /// Residents and households of the grids within (or assigned), where grids record them.
    pub population: Option<u64>,
    pub households: Option<u64>,
    /// Residents per community officer and per grid worker.
    pub people_per_officer: Option<f64>,
    pub people_per_worker: Option<f64>,
    /// Grids (level 3) within with no community officer, or no grid worker.
    pub grids_without_officer: u32,
    pub grids_without_worker: u32,
    /// A grid's assigned beat and the share of the grid inside it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beat: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub beat_share: Option<f64>,
    /// Beats above a norm (a beat: whether it is; a station or the city: how many).
    pub beats_over_norm: u32,
    /// Incidents in the period; `None` where suppressed (fewer than the minimum shown).
    pub events: Option<u32>,
    /// Per category, in the period; categories below the minimum are left out.
    pub events_by_category: BTreeMap<String, u32>,
    /// The window just before, of the same length, and the same window a year earlier.
    pub events_previous: Option<u32>,
    pub events_last_year: Option<u32>,
    /// `events / events_previous - 1` and `events / events_last_year - 1`.
    pub change_previous: Option<f64>,
    pub change_last_year: Option<f64>,
}

/// One feature's row.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Row {
    pub layer: Layer,
    pub id: String,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub level: Option<u8>,
    /// A grid's parent grid or a beat's station.
    pub parent: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

/// Every grid, beat and station's row, and the city's.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Coverage {
    pub rows: Vec<Row>,
    pub total: Figures,
}

/// Coverage of every areal feature of `s` and of the whole city, with the incidents of
/// `period` from `log`; event counts below `min_count` are suppressed (`None`), so no
/// household's calls can be picked out of a public table.
pub fn coverage(
    s: &Snapshot,
    log: &EventLog,
    period: &Period,
    norms: &Norms,
    min_count: u32,
) -> Coverage {
    let n = s.features().len();
    let mut figures: Vec<Figures> = vec![Figures::default(); n];
    let mut total = Figures::default();
    let areal: Vec<u32> = (0..n as u32)
        .filter(|&i| s.feature(i).layer().is_areal())
        .collect();
    for &i in &areal {
        let f = s.feature(i);
        figures[i as usize].area_km2 = s.area_m2(i) / 1e6;
        if let Some(p) = s.parent(i) {
            figures[p as usize].children += 1;
        }
        if f.level() == Some(level::COUNTY) || (f.layer() == Layer::Grid && s.parent(i).is_none()) {
            total.area_km2 += figures[i as usize].area_km2;
        }
    }
    count_grids_and_people(s, &mut figures, &mut total);
    count_cameras(s, &mut figures, &mut total);
    for &i in &areal {
        let f = &mut figures[i as usize];
        f.cameras_per_km2 = per(f.cameras, f.area_km2);
        ratios(f);
    }
    flag_loaded_beats(s, norms, &mut figures, &mut total);
    total.cameras_per_km2 = per(total.cameras, total.area_km2);
    ratios(&mut total);
    count_events(s, log, period, min_count, &areal, &mut figures, &mut total);
    let rows = areal
        .into_iter()
        .map(|i| {
            let f = s.feature(i);
            Row {
                layer: f.layer(),
                id: f.id.clone(),
                name: f.name.clone(),
                level: f.level(),
                parent: s.parent(i).map(|p| s.feature(p).id.clone()),
                figures: std::mem::take(&mut figures[i as usize]),
            }
        })
        .collect();
    Coverage { rows, total }
}

fn per(count: u32, km2: f64) -> f64 {
    if km2 > 0.0 {
        f64::from(count) / km2
    } else {
        0.0
    }
}

/// Grids within, people by role (each once), and grids lacking an officer or a worker.
fn count_grids_and_people(s: &Snapshot, figures: &mut [Figures], total: &mut Figures) {
    let n = s.features().len();
    // Per feature, the people who answer for it or anything within it.
    let mut people: Vec<Vec<&str>> = vec![Vec::new(); n];
    for i in 0..n as u32 {
        let f = s.feature(i);
        if !f.layer().is_areal() {
            continue;
        }
        let mut own: Vec<&str> = f.people.iter().map(String::as_str).collect();
        let mut climb = Vec::new();
        match f.layer() {
            Layer::Grid if f.level() == Some(level::GRID) => {
                let (beat, share) = match s.grid_overlaps(i).first() {
                    Some(top) => (Some(top.id.clone()), Some(top.fraction.min(1.0))),
                    None => (None, None),
                };
                let police = beat
                    .as_deref()
                    .and_then(|b| s.get(Layer::Beat, b))
                    .map(|b| b.people.as_slice())
                    .unwrap_or_default();
                own.extend(police.iter().map(String::as_str));
                let has = |role: Role| {
                    own.iter()
                        .any(|p| s.person(p).is_some_and(|p| p.role == role))
                };
                let (no_officer, no_worker) =
                    (!has(Role::CommunityOfficer), !has(Role::GridWorker));
                if let Some(b) = beat.as_deref().and_then(|b| s.index_of(Layer::Beat, b)) {
                    figures[b as usize].grids += 1;
                    climb.push(b);
                    climb.extend(s.parent(b));
                }
                climb.extend(s.ancestors(i));
                let residents = match &f.attributes {
                    Attributes::Grid {
                        population,
                        households,
                        ..
                    } => (*population, *households),
                    _ => (None, None),
                };
                for t in std::iter::once(i).chain(climb.iter().copied()) {
                    let into = &mut figures[t as usize];
                    if s.feature(t).layer() != Layer::Beat {
                        into.grids += 1;
                    }
                    into.grids_without_officer += u32::from(no_officer);
                    into.grids_without_worker += u32::from(no_worker);
                    add_residents(into, residents);
                }
                total.grids += 1;
                total.grids_without_officer += u32::from(no_officer);
                total.grids_without_worker += u32::from(no_worker);
                add_residents(total, residents);
                let grid = &mut figures[i as usize];
                grid.beat = beat;
                grid.beat_share = share;
            }
            Layer::Grid => climb.extend(s.ancestors(i)),
            Layer::Beat => climb.extend(s.parent(i)),
            _ => {}
        }
        for t in std::iter::once(i).chain(climb) {
            people[t as usize].extend(own.iter().copied());
        }
    }
    for (i, mut ids) in people.into_iter().enumerate() {
        ids.sort_unstable();
        ids.dedup();
        add_roles(s, &ids, &mut figures[i]);
    }
    let everyone: Vec<&str> = s.people().map(|p| p.id.as_str()).collect();
    add_roles(s, &everyone, total);
}

/// Adds a grid's residents and households to a feature's (or the city's).
fn add_residents(into: &mut Figures, (population, households): (Option<u32>, Option<u32>)) {
    if let Some(n) = population {
        *into.population.get_or_insert(0) += u64::from(n);
    }
    if let Some(n) = households {
        *into.households.get_or_insert(0) += u64::from(n);
    }
}

/// Grids and residents per officer and residents per worker, once people and grids are in.
fn ratios(f: &mut Figures) {
    let per = |n: f64, by: u32| (by > 0).then(|| n / f64::from(by));
    f.grids_per_officer = per(f64::from(f.grids), f.officers);
    f.people_per_officer = f.population.and_then(|p| per(p as f64, f.officers));
    f.people_per_worker = f.population.and_then(|p| per(p as f64, f.grid_workers));
}

fn add_roles(s: &Snapshot, ids: &[&str], into: &mut Figures) {
    for p in ids.iter().filter_map(|id| s.person(id)) {
        match p.role {
            Role::CommunityOfficer => into.officers += 1,
            Role::Auxiliary => into.auxiliaries += 1,
            Role::GridLeader => into.grid_leaders += 1,
            Role::GridWorker => into.grid_workers += 1,
            Role::StationChief => {}
        }
    }
}

/// Cameras (and those online) in each grid and its ancestors, beat and station.
fn count_cameras(s: &Snapshot, figures: &mut [Figures], total: &mut Figures) {
    for c in s.layer(Layer::Camera) {
        let Some(p) = c.point() else { continue };
        let online = matches!(
            c.attributes,
            crate::model::Attributes::Camera {
                status: CameraStatus::Online,
                ..
            }
        );
        let hit = s.locate(p.x(), p.y());
        let grids = hit.grid.map(|g| {
            let mut all = s.ancestors(g);
            all.push(g);
            all
        });
        for t in grids
            .into_iter()
            .flatten()
            .chain(hit.beat)
            .chain(hit.station)
        {
            figures[t as usize].cameras += 1;
            figures[t as usize].cameras_online += u32::from(online);
        }
        total.cameras += 1;
        total.cameras_online += u32::from(online);
    }
}

/// Flags beats above a norm and counts them for their station and the city.
fn flag_loaded_beats(s: &Snapshot, norms: &Norms, figures: &mut [Figures], total: &mut Figures) {
    for i in 0..s.features().len() as u32 {
        if s.feature(i).layer() != Layer::Beat {
            continue;
        }
        let f = &figures[i as usize];
        if f.grids > norms.grids_per_beat || f.area_km2 > norms.km2_per_beat {
            figures[i as usize].beats_over_norm = 1;
            if let Some(station) = s.parent(i) {
                figures[station as usize].beats_over_norm += 1;
            }
            total.beats_over_norm += 1;
        }
    }
}

/// Incidents of the period, the period before and a year before, suppressed below
/// `min_count`.
fn count_events(
    s: &Snapshot,
    log: &EventLog,
    period: &Period,
    min_count: u32,
    areal: &[u32],
    figures: &mut [Figures],
    total: &mut Figures,
) {
    let now = log.select(&period.events);
    let counts = log.counts(&now, s);
    let shifted = |by: i64| {
        let e = &period.events;
        let (Some(from), Some(to)) = (e.from, e.to) else {
            return None;
        };
        let earlier = Selection {
            from: Some(from - by),
            to: Some(to - by),
            ..e.clone()
        };
        Some((
            log.count(&log.select(&earlier)),
            log.counts(&log.select(&earlier), s),
        ))
    };
    let window = match (period.events.from, period.events.to) {
        (Some(from), Some(to)) => to - from,
        _ => 0,
    };
    let previous = shifted(window).filter(|_| window > 0);
    let last_year = shifted(YEAR_S);
    let shown = |n: u32| (n >= min_count).then_some(n);
    let fill = |into: &mut Figures, n: u32, by: &[u32], prev: Option<u32>, year: Option<u32>| {
        into.events = shown(n);
        into.events_by_category = log
            .categories()
            .iter()
            .zip(by)
            .filter(|(_, &k)| k > 0 && k >= min_count)
            .map(|(c, &k)| (c.clone(), k))
            .collect();
        into.events_previous = prev.and_then(shown);
        into.events_last_year = year.and_then(shown);
        let change = |before: Option<u32>| {
            let (now, before) = (into.events?, before.and_then(shown)?);
            (before > 0).then(|| f64::from(now) / f64::from(before) - 1.0)
        };
        into.change_previous = change(prev);
        into.change_last_year = change(year);
    };
    let of = |c: &Option<(usize, PlaceCounts)>, i: u32| c.as_ref().map(|(_, c)| c.total(i));
    for &i in areal {
        fill(
            &mut figures[i as usize],
            counts.total(i),
            counts.of(i),
            of(&previous, i),
            of(&last_year, i),
        );
    }
    let city_by: Vec<u32> = {
        let mut by = vec![0u32; log.categories().len()];
        for (k, category) in log.categories().iter().enumerate() {
            let only = Selection {
                category: Some(category.clone()),
                ..period.events.clone()
            };
            by[k] = u32::try_from(log.count(&log.select(&only))).unwrap_or(u32::MAX);
        }
        by
    };
    let whole = |c: &Option<(usize, PlaceCounts)>| {
        c.as_ref()
            .map(|(n, _)| u32::try_from(*n).unwrap_or(u32::MAX))
    };
    fill(
        total,
        u32::try_from(log.count(&now)).unwrap_or(u32::MAX),
        &city_by,
        whole(&previous),
        whole(&last_year),
    );
}
