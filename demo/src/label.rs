//! Names for every region of the layout: 椒江区, 新桥街道, 新桥社区, 新桥社区第3网格,
//! 台州第一中学专属网格, 东山派出所, 东山警格3.

use super::layout::Layout;
use super::names::{self, pick, Pool};
use super::{draw_weighted, RURAL, URBAN};
use onemap_index::GridKind;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// What exclusive grids are drawn around, and how likely each is in the urban and in the rural
/// area.
const CATEGORIES: [(&str, [f64; 2]); 5] = [
    ("school", [0.30, 0.20]),
    ("hospital", [0.15, 0.05]),
    ("market", [0.20, 0.15]),
    ("park", [0.15, 0.15]),
    ("factory", [0.20, 0.45]),
];

/// Trades of the factories that get their own grid.
const INDUSTRIES: &[&str] = &[
    "机械", "塑料", "汽配", "制药", "模具", "阀门", "电器", "缝纫", "化工", "食品", "纺织", "水泵",
];

/// The names of all regions, indexed like the layout's regions.
pub(super) struct Labels {
    pub counties: Vec<String>,
    pub townships: Vec<String>,
    pub communities: Vec<String>,
    pub grids: Vec<String>,
    /// The category of each exclusive grid.
    pub categories: Vec<Option<&'static str>>,
    pub stations: Vec<String>,
    pub beats: Vec<String>,
}

/// Place names without their suffixes (新桥 of 新桥街道), which other names build on.
struct Bases {
    city: String,
    counties: Vec<String>,
    townships: Vec<String>,
    communities: Vec<String>,
}

impl Labels {
    pub fn new(layout: &Layout, rng: &mut ChaCha8Rng) -> Labels {
        let mut places = Pool::default();
        let bases = Bases {
            city: names::city(rng),
            counties: fresh_places(&mut Pool::default(), layout.counties.len(), rng),
            townships: fresh_places(&mut places, layout.townships.len(), rng),
            communities: fresh_places(&mut Pool::default(), layout.communities.len(), rng),
        };
        let categories = categories(layout, rng);
        let (stations, beats) = police_names(layout, &bases, &mut places, rng);
        let communities = community_names(layout, &bases);
        let grids = grid_names(layout, &bases, &communities, &categories, rng);
        Labels {
            counties: county_names(layout, &bases, rng),
            townships: township_names(layout, &bases),
            communities,
            grids,
            categories,
            stations,
            beats,
        }
    }
}

/// Communities (社区) in the city, villages (村) in the countryside.
fn community_names(layout: &Layout, bases: &Bases) -> Vec<String> {
    (0..layout.communities.len())
        .map(|c| {
            let suffix = if layout.communities.is_urban(c) {
                "社区"
            } else {
                "村"
            };
            format!("{}{suffix}", bases.communities[c])
        })
        .collect()
}

/// Comprehensive grids are numbered within their community (新桥社区第3网格); exclusive ones
/// are named after what they are drawn around (台州第一中学专属网格), which is named after a
/// place nearby.
fn grid_names(
    layout: &Layout,
    bases: &Bases,
    communities: &[String],
    categories: &[Option<&'static str>],
    rng: &mut ChaCha8Rng,
) -> Vec<String> {
    let mut organisations = Pool::default();
    let mut numbered = vec![0; communities.len()];
    (0..layout.grids.len())
        .map(|g| {
            let community = layout.grids.parent[g] as usize;
            let Some(category) = categories[g] else {
                numbered[community] += 1;
                return format!("{}第{}网格", communities[community], numbered[community]);
            };
            let township = layout.communities.parent[community] as usize;
            let county = &bases.counties[layout.townships.parent[township] as usize];
            let near = [&bases.communities[community], &bases.townships[township]];
            let org = organisations.fresh(rng, |rng, failures| {
                let place = near
                    .get(failures / 4)
                    .map_or_else(|| names::place(rng), |p| p.to_string());
                organisation(category, &place, county, &bases.city, rng)
            });
            format!("{org}专属网格")
        })
        .collect()
}

/// `n` fresh place names from `pool`.
fn fresh_places(pool: &mut Pool, n: usize, rng: &mut ChaCha8Rng) -> Vec<String> {
    (0..n).map(|_| pool.place(rng)).collect()
}

/// Districts (区) where the city is, counties (县) and county-level cities (市) elsewhere.
fn county_names(layout: &Layout, bases: &Bases, rng: &mut ChaCha8Rng) -> Vec<String> {
    (0..layout.counties.len())
        .map(|c| {
            let suffix = if layout.counties.urban[c] >= 0.1 {
                "区"
            } else if rng.random_bool(0.3) {
                "市"
            } else {
                "县"
            };
            format!("{}{suffix}", bases.counties[c])
        })
        .collect()
}

/// Streets (街道) in the city, townships (镇) in the countryside, and the remotest quarter of
/// those rural townships (乡).
fn township_names(layout: &Layout, bases: &Bases) -> Vec<String> {
    let townships = &layout.townships;
    let mut rural_distances: Vec<f64> = (0..townships.len())
        .filter(|&t| !townships.is_urban(t))
        .map(|t| townships.distance[t])
        .collect();
    rural_distances.sort_by(f64::total_cmp);
    let remote = rural_distances
        .get(rural_distances.len() * 3 / 4)
        .copied()
        .unwrap_or(f64::MAX);
    (0..townships.len())
        .map(|t| {
            let suffix = match (townships.is_urban(t), townships.distance[t] >= remote) {
                (true, _) => "街道",
                (false, true) => "乡",
                (false, false) => "镇",
            };
            format!("{}{suffix}", bases.townships[t])
        })
        .collect()
}

/// The category of each grid: none for comprehensive grids, one drawn by the grid's setting
/// for exclusive ones.
fn categories(layout: &Layout, rng: &mut ChaCha8Rng) -> Vec<Option<&'static str>> {
    (0..layout.grids.len())
        .map(|g| {
            (layout.grid_kind[g] == GridKind::Exclusive).then(|| {
                let zone = if layout.grids.is_urban(g) {
                    URBAN
                } else {
                    RURAL
                };
                draw_weighted(rng, &CATEGORIES, |(_, w)| w[zone]).0
            })
        })
        .collect()
}

/// The name of an organisation of `category` near `place`.
fn organisation(
    category: &str,
    place: &str,
    county: &str,
    city: &str,
    rng: &mut ChaCha8Rng,
) -> String {
    let nth = names::numeral(rng.random_range(1..=12));
    let options = match category {
        "school" => vec![
            format!("{city}第{nth}中学"),
            format!("{place}小学"),
            format!("{place}中学"),
            format!("{place}实验学校"),
            format!("{county}职业技术学校"),
        ],
        "hospital" => vec![
            format!("{city}第{nth}人民医院"),
            format!("{county}中医院"),
            format!("{county}妇幼保健院"),
            format!("{place}卫生院"),
        ],
        "market" => vec![
            format!("{place}农贸市场"),
            format!("{place}商贸城"),
            format!("{place}小商品市场"),
            format!("{place}水产市场"),
        ],
        "park" => vec![
            format!("{place}公园"),
            format!("{place}湿地公园"),
            format!("{place}工业园区"),
            format!("{place}科技园"),
        ],
        _ => {
            let industry = pick(rng, INDUSTRIES);
            vec![
                format!("{place}{industry}有限公司"),
                format!("{place}{industry}厂"),
            ]
        }
    };
    options[rng.random_range(0..options.len())].clone()
}

/// Stations are named after the township their building stands in (东山派出所) unless another
/// station took that name first; beats after their station and number (东山警格3).
fn police_names(
    layout: &Layout,
    bases: &Bases,
    places: &mut Pool,
    rng: &mut ChaCha8Rng,
) -> (Vec<String>, Vec<String>) {
    let mut taken = Pool::default();
    let station_bases: Vec<String> = (0..layout.stations.len())
        .map(|s| {
            let atom = layout.stations.core[s] as usize;
            let home = &bases.townships[layout.townships.of_atom[atom] as usize];
            if taken.claim(home) {
                home.clone()
            } else {
                places.place(rng)
            }
        })
        .collect();
    let mut numbered = vec![0; layout.stations.len()];
    let beats = layout
        .beats
        .parent
        .iter()
        .map(|&s| {
            numbered[s as usize] += 1;
            format!("{}警格{}", station_bases[s as usize], numbered[s as usize])
        })
        .collect();
    let stations = station_bases.iter().map(|b| format!("{b}派出所")).collect();
    (stations, beats)
}
