//! The demo city: a deterministic, realistic-looking city (or province) to develop and demo
//! against without anyone's real data.
//!
//! Every polygon is assembled from one fine mesh of "atoms" (see [`mesh`]): the governance
//! hierarchy (county ⊃ township ⊃ community ⊃ grid) and the police hierarchy (station ⊃ beat) are
//! two independent groupings of the same atoms (see [`layout`]). Because every shared border is
//! traced from the same atom edges (see [`trace`]), parents are exactly the union of their
//! children and neighbours share bit-identical vertices, while grids still straddle beats the way
//! real ones do.

mod cameras;
mod city;
mod events;
mod graph;
mod label;
mod layout;
mod mesh;
mod names;
mod people;
mod trace;

pub use events::{events, EVENTS_END};
use onemap_index::City;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// How big a demo city to draw. Counts are honoured exactly as long as they are consistent
/// (see [`generate`]).
#[derive(Clone, Debug, PartialEq)]
pub struct DemoConfig {
    /// Everything random derives from this: the same config gives a bit-identical city.
    pub seed: u64,
    /// Counties and districts (区/县), grid level 0.
    pub counties: usize,
    /// Streets and townships (街道/镇/乡), grid level 1.
    pub townships: usize,
    /// Communities and villages (社区/村), grid level 2.
    pub communities: usize,
    /// Comprehensive grids in the dense centre, grid level 3.
    pub urban_grids: usize,
    /// Comprehensive grids in the countryside, grid level 3.
    pub rural_grids: usize,
    /// Exclusive grids (专属网格) of schools, factories, parks, markets and hospitals, level 3.
    pub exclusive_grids: usize,
    /// Police stations (派出所).
    pub stations: usize,
    /// Police beats (警格).
    pub beats: usize,
    /// Community officers (社区民警): one per beat, the rest doubling up.
    pub officers: usize,
    /// Auxiliary police (辅警), spread over the beats.
    pub auxiliaries: usize,
    /// Cameras, clustered in residential compounds.
    pub cameras: usize,
    /// The city centre as (longitude, latitude) in degrees.
    pub center: (f64, f64),
}

impl Default for DemoConfig {
    /// Taizhou, Zhejiang: the published figures the one-map was first asked for.
    fn default() -> Self {
        DemoConfig {
            seed: 2026,
            counties: 3,
            townships: 20,
            communities: 1686,
            urban_grids: 2258,
            rural_grids: 4791,
            exclusive_grids: 214,
            stations: 25,
            beats: 821,
            officers: 825,
            auxiliaries: 2272,
            cameras: 30_000,
            center: (121.42, 28.66),
        }
    }
}

impl DemoConfig {
    /// The default city scaled so that it has `total_level3` level-3 grids (comprehensive plus
    /// exclusive, exactly), every other count scaled in proportion: `with_grids(300_000)` is a
    /// province. Grids keep their size, so the area grows with the count.
    pub fn with_grids(total_level3: usize) -> Self {
        let base = Self::default();
        let base_total = (base.urban_grids + base.rural_grids + base.exclusive_grids) as f64;
        let factor = total_level3 as f64 / base_total;
        let scale = |n: usize| ((n as f64 * factor).round() as usize).max(1);
        let [urban_grids, rural_grids, exclusive_grids] = apportion(
            total_level3,
            [base.urban_grids, base.rural_grids, base.exclusive_grids].map(|n| n as f64),
        );
        DemoConfig {
            counties: scale(base.counties),
            townships: scale(base.townships),
            communities: scale(base.communities),
            urban_grids,
            rural_grids,
            exclusive_grids,
            stations: scale(base.stations),
            beats: scale(base.beats),
            officers: scale(base.officers),
            auxiliaries: scale(base.auxiliaries),
            cameras: scale(base.cameras),
            ..base
        }
    }
}

/// Draws the demo city for `config`.
///
/// Counts that cannot all hold are bent as little as possible: every level gets at least one
/// feature and at most as many as the level below it, there is at least one grid, one beat and
/// one station, and each of the urban and rural areas that has grids has at least one
/// community. With such a consistent config every count is exactly as asked.
pub fn generate(config: &DemoConfig) -> City {
    let plan = Plan::new(config);
    let mesh = mesh::Mesh::new(&plan, &mut stage_rng(config.seed, Stage::Mesh));
    let layout = layout::Layout::new(&mesh, &plan, &mut stage_rng(config.seed, Stage::Layout));
    city::assemble(&mesh, &layout, &plan, config.seed)
}

/// The counts actually drawn: the config made consistent, with the grids split between the
/// urban and rural areas.
#[derive(Clone, Debug)]
struct Plan {
    /// Comprehensive and exclusive grids per area, `[urban, rural]`.
    comprehensive: [usize; 2],
    exclusive: [usize; 2],
    /// Communities per area, `[urban, rural]`: they never mix the two.
    communities: [usize; 2],
    townships: usize,
    counties: usize,
    beats: usize,
    stations: usize,
    officers: usize,
    auxiliaries: usize,
    cameras: usize,
    center: (f64, f64),
}

/// Index of the urban area in the `[urban, rural]` pairs of [`Plan`].
const URBAN: usize = 0;
/// Index of the rural area in the `[urban, rural]` pairs of [`Plan`].
const RURAL: usize = 1;

impl Plan {
    fn new(config: &DemoConfig) -> Self {
        let comprehensive = if config.urban_grids + config.rural_grids + config.exclusive_grids == 0
        {
            [0, 1]
        } else {
            [config.urban_grids, config.rural_grids]
        };
        // Schools, hospitals and markets crowd the centre; factories and parks spread out.
        let exclusive_weights = match comprehensive {
            // Nothing but exclusive grids: a town of schools and factories.
            [0, 0] => [1.0, 0.0],
            [u, r] => [1.5 * u as f64, r as f64],
        };
        let exclusive = apportion(config.exclusive_grids, exclusive_weights);
        let grids = [URBAN, RURAL].map(|z| comprehensive[z] + exclusive[z]);
        let communities = split_communities(config.communities, grids);
        let townships = config.townships.clamp(1, communities.iter().sum());
        let beats = config.beats.max(1);
        Plan {
            comprehensive,
            exclusive,
            communities,
            townships,
            counties: config.counties.clamp(1, townships),
            beats,
            stations: config.stations.clamp(1, beats),
            officers: config.officers,
            auxiliaries: config.auxiliaries,
            cameras: config.cameras,
            center: config.center,
        }
    }
}

/// Splits `total` communities between the urban and rural areas in proportion to their grids,
/// giving each area with grids at least one community and none more communities than grids.
fn split_communities(total: usize, grids: [usize; 2]) -> [usize; 2] {
    let areas_with_grids = grids.iter().filter(|&&g| g > 0).count();
    let total = total.clamp(areas_with_grids, grids.iter().sum());
    let mut split = apportion(total, grids.map(|g| g as f64));
    for z in [URBAN, RURAL] {
        let other = 1 - z;
        if grids[z] > 0 && split[z] == 0 {
            split = [1, 1];
            split[other] = total - 1;
        }
        if split[z] > grids[z] {
            split[other] += split[z] - grids[z];
            split[z] = grids[z];
        }
    }
    split
}

/// Splits `total` into parts proportional to `weights` that add up exactly (largest remainder).
/// All-zero weights give everything to the last part.
fn apportion<const N: usize>(total: usize, weights: [f64; N]) -> [usize; N] {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        let mut parts = [0; N];
        parts[N - 1] = total;
        return parts;
    }
    let quotas = weights.map(|w| total as f64 * w / sum);
    let mut parts = quotas.map(|q| q.floor() as usize);
    let mut by_remainder: Vec<usize> = (0..N).collect();
    by_remainder.sort_by(|&a, &b| {
        let fraction = |i: usize| quotas[i] - parts[i] as f64;
        fraction(b).total_cmp(&fraction(a)).then(a.cmp(&b))
    });
    let short = total - parts.iter().sum::<usize>();
    for &i in by_remainder.iter().take(short) {
        parts[i] += 1;
    }
    parts
}

/// The independent random streams of the generator: each stage draws from its own, so that
/// changing how one stage draws leaves the others' output as it was.
#[derive(Clone, Copy)]
enum Stage {
    Mesh = 1,
    Layout,
    Names,
    People,
    Cameras,
    Events,
}

/// One of `items`, drawn with probability in proportion to its `weight`.
fn draw_weighted<'a, T>(rng: &mut ChaCha8Rng, items: &'a [T], weight: impl Fn(&T) -> f64) -> &'a T {
    let mut left = rng.random::<f64>() * items.iter().map(&weight).sum::<f64>();
    let drawn = items.iter().find(|item| {
        left -= weight(item);
        left < 0.0
    });
    // Rounding can leave a sliver past the last item.
    drawn.unwrap_or(&items[items.len() - 1])
}

/// The distance between two points. (`f64::hypot` guards against overflow, which these small
/// numbers never need, and is several times slower.)
fn distance(a: [f64; 2], b: [f64; 2]) -> f64 {
    ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
}

/// Decimal digits of `n`, for zero-padded ids.
fn digits(n: usize) -> usize {
    n.max(1).ilog10() as usize + 1
}

/// The random stream of `stage`: ChaCha streams of one seed are independent.
fn stage_rng(seed: u64, stage: Stage) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stage as u64);
    rng
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apportion_adds_up_and_follows_weights() {
        assert_eq!(apportion(10, [1.0, 1.0, 1.0]), [4, 3, 3]);
        assert_eq!(apportion(7, [0.0, 0.0]), [0, 7]);
        assert_eq!(
            apportion(2000, [2258.0, 4791.0, 214.0])
                .iter()
                .sum::<usize>(),
            2000
        );
    }

    #[test]
    fn communities_never_outnumber_grids() {
        assert_eq!(split_communities(1686, [2346, 4917]), [545, 1141]);
        assert_eq!(split_communities(10, [1, 100]), [1, 9]);
        assert_eq!(split_communities(1, [5, 5]), [1, 1]);
        assert_eq!(split_communities(50, [0, 20]), [0, 20]);
    }
}
