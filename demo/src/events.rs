//! A year of made-up incidents (110 and 12345 calls, grid reports, video patrol) with the
//! shape real ones have: clustered at hot spots around residential compounds and markets,
//! busier in the evening and at weekends (12345 in office hours, on weekdays), busier in
//! summer, and rising slowly over the year.

use super::{draw_weighted, stage_rng, Stage};
use onemap_index::events::{Event, Source};
use onemap_index::{City, Layer};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// The end of the demo year: 2026-12-01 00:00 China Standard Time. The year before it starts
/// on a Monday.
pub const EVENTS_END: i64 = 1_796_054_400;

const DAY: i64 = 86_400;

/// The share of incidents at hot spots; the rest anywhere people live.
const AT_HOT_SPOTS: f64 = 0.65;

/// How far from its hot spot's centre an incident lands, in degrees (about 300 m).
const SPREAD: f64 = 0.003;

/// Categories with their shares.
type Categories = &'static [(&'static str, f64)];

/// Sources, how common each is, and its categories.
const SOURCES: [(Source, f64, Categories); 4] = [
    (
        Source::Police110,
        0.45,
        &[
            ("治安", 0.35),
            ("交通", 0.25),
            ("纠纷", 0.25),
            ("求助", 0.15),
        ],
    ),
    (
        Source::Hotline12345,
        0.35,
        &[("咨询", 0.55), ("投诉", 0.45)],
    ),
    (
        Source::GridReport,
        0.15,
        &[("隐患", 0.5), ("纠纷", 0.3), ("民生", 0.2)],
    ),
    (Source::VideoPatrol, 0.05, &[("治安", 0.5), ("交通", 0.5)]),
];

/// Relative call volume by hour of the day (China Standard Time): police calls peak in the
/// evening, the hotline in office hours.
const POLICE_HOURS: [f64; 24] = [
    3.0, 2.0, 1.5, 1.0, 1.0, 1.2, 2.0, 3.5, 4.5, 5.0, 5.0, 5.0, 4.5, 4.5, 5.0, 5.0, 5.5, 6.0, 6.5,
    7.0, 7.0, 6.5, 5.5, 4.0,
];
const HOTLINE_HOURS: [f64; 24] = [
    0.2, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 1.5, 5.0, 8.0, 8.0, 7.0, 4.0, 5.0, 8.0, 8.0, 7.0, 5.0, 2.0,
    1.5, 1.0, 0.8, 0.5, 0.3,
];

/// `count` incidents over the year before [`EVENTS_END`], in and around `city`, the same for
/// the same city and seed.
pub fn events(city: &City, count: usize, seed: u64) -> Vec<Event> {
    let mut rng = stage_rng(seed, Stage::Events);
    let spots = hot_spots(city, &mut rng);
    let homes: Vec<[f64; 2]> = city
        .layer(Layer::Camera)
        .filter_map(|c| c.point())
        .map(|p| [p.x(), p.y()])
        .collect();
    let days = day_weights();
    let police_hours = cumulative(POLICE_HOURS);
    let hotline_hours = cumulative(HOTLINE_HOURS);
    let spot_weights: Vec<f64> = spots.iter().map(|(w, _)| *w).collect();
    if spots.is_empty() || homes.is_empty() {
        return Vec::new();
    }
    (0..count)
        .map(|_| {
            let centre = if rng.random::<f64>() < AT_HOT_SPOTS {
                spots[pick(&spot_weights, &mut rng)].1
            } else {
                homes[rng.random_range(0..homes.len())]
            };
            let (source, _, categories) = draw_weighted(&mut rng, &SOURCES, |s| s.1);
            let category = draw_weighted(&mut rng, categories, |c| c.1).0;
            let hours = if *source == Source::Hotline12345 {
                &hotline_hours
            } else {
                &police_hours
            };
            let day = pick(&days, &mut rng) as i64;
            let hour = pick(hours, &mut rng) as i64 * 3600;
            Event {
                seq: 0,
                time: EVENTS_END - 365 * DAY + day * DAY + hour + rng.random_range(0..3600),
                lng: centre[0] + gaussian(&mut rng) * SPREAD,
                lat: centre[1] + gaussian(&mut rng) * SPREAD * 0.88,
                category: category.to_string(),
                source: *source,
                text: None,
            }
        })
        .collect()
}

/// Hot spots (a sample of cameras: they hang where people gather) with a heavy-tailed
/// weight, as cumulative weights for drawing.
fn hot_spots(city: &City, rng: &mut ChaCha8Rng) -> Vec<(f64, [f64; 2])> {
    let cameras: Vec<[f64; 2]> = city
        .layer(Layer::Camera)
        .filter_map(|c| c.point())
        .map(|p| [p.x(), p.y()])
        .collect();
    let mut spots = Vec::new();
    let mut total = 0.0;
    for p in cameras {
        if rng.random::<f64>() < 0.02 {
            total += rng.random::<f64>().powi(4) * 20.0 + 1.0;
            spots.push((total, p));
        }
    }
    spots
}

/// Running sums of `weights`, for [`pick`].
fn cumulative(weights: impl IntoIterator<Item = f64>) -> Vec<f64> {
    let mut total = 0.0;
    weights
        .into_iter()
        .map(|w| {
            total += w;
            total
        })
        .collect()
}

/// An index drawn in proportion to the weights `sums` are the running sums of.
fn pick(sums: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let at = rng.random::<f64>() * sums.last().copied().unwrap_or_default();
    sums.partition_point(|&s| s < at)
        .min(sums.len().saturating_sub(1))
}

/// Weights of the 365 days: weekends busier, summer busier, a slow rise.
fn day_weights() -> Vec<f64> {
    cumulative((0..365).map(|d| {
        // Day 0 is a Monday.
        let weekend = if d % 7 >= 5 { 1.25 } else { 1.0 };
        let season = 1.0 + 0.2 * ((f64::from(d) - 60.0) / 365.0 * std::f64::consts::TAU).sin();
        let rise = 1.0 + 0.15 * f64::from(d) / 365.0;
        weekend * season * rise
    }))
}

/// A standard normal draw (Box–Muller).
fn gaussian(rng: &mut ChaCha8Rng) -> f64 {
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    let v: f64 = rng.random();
    (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
}
