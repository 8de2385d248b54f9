//! Putting the city together: features with ids, names, shapes, attributes and the people who
//! answer for them.

use super::label::Labels;
use super::layout::Layout;
use super::mesh::Mesh;
use super::people::{spread, Roster};
use super::trace::trace;
use super::{cameras, digits, stage_rng, Plan, Stage};
use geo_types::Point;
use onemap_index::{level, Attributes, City, Feature, GridKind, Role, Setting, Shape};
use rand::Rng;

/// Grid workers per level-3 grid, besides its leader.
const WORKERS_PER_GRID: std::ops::RangeInclusive<usize> = 1..=3;

/// The city drawn by `layout`: grids, stations, beats and cameras with their people, each
/// kind of name, person and camera from its own random stream of `seed`.
pub(super) fn assemble(mesh: &Mesh, layout: &Layout, plan: &Plan, seed: u64) -> City {
    let labels = Labels::new(layout, &mut stage_rng(seed, Stage::Names));
    let ids = Ids::new(layout);
    let mut roster = Roster::new(stage_rng(seed, Stage::People), most_people(layout, plan));
    let mut features = grid_features(mesh, layout, &labels, &ids, &mut roster);
    features.extend(police_features(
        mesh,
        layout,
        &labels,
        &ids,
        plan,
        &mut roster,
    ));
    let mut rng = stage_rng(seed, Stage::Cameras);
    features.extend(cameras::draw(mesh, layout, &labels, plan.cameras, &mut rng));
    City {
        features,
        people: roster.into_people(),
    }
}

/// The most people the city can have: enough digits for every person id.
fn most_people(layout: &Layout, plan: &Plan) -> usize {
    let leaders = layout.counties.len() + layout.townships.len() + layout.communities.len();
    let grid_staff = layout.grids.len() * (1 + WORKERS_PER_GRID.end());
    leaders + grid_staff + layout.stations.len() + plan.officers + plan.auxiliaries
}

/// The ids of all regions, indexed like the layout's regions. Numbers are zero-padded to the
/// same width within a layer so that ids sort like the numbers.
struct Ids {
    counties: Vec<String>,
    townships: Vec<String>,
    communities: Vec<String>,
    grids: Vec<String>,
    stations: Vec<String>,
    beats: Vec<String>,
}

impl Ids {
    fn new(layout: &Layout) -> Ids {
        let counties = numbered("c", layout.counties.len(), 2);
        Ids {
            townships: numbered_within("t", &counties, &layout.townships.parent),
            counties,
            communities: numbered("v", layout.communities.len(), 4),
            grids: numbered("g", layout.grids.len(), 6),
            stations: numbered("s", layout.stations.len(), 2),
            beats: numbered("b", layout.beats.len(), 4),
        }
    }
}

/// `prefix` and the numbers 1 to `count`: `c01`, `c02`, …
fn numbered(prefix: &str, count: usize, width: usize) -> Vec<String> {
    let width = digits(count).max(width);
    (1..=count)
        .map(|n| format!("{prefix}{n:0width$}"))
        .collect()
}

/// Ids that say which parent a region is in, then its number there: `t01-05`.
fn numbered_within(prefix: &str, parent_ids: &[String], parent: &[u32]) -> Vec<String> {
    let mut count = vec![0; parent_ids.len()];
    let numbers: Vec<usize> = parent
        .iter()
        .map(|&p| {
            count[p as usize] += 1;
            count[p as usize]
        })
        .collect();
    let width = digits(count.into_iter().max().unwrap_or(0)).max(2);
    parent
        .iter()
        .zip(numbers)
        .map(|(&p, n)| format!("{prefix}{}-{n:0width$}", &parent_ids[p as usize][1..]))
        .collect()
}

/// The four grid levels, each with a grid leader; level-3 grids also with grid workers.
fn grid_features(
    mesh: &Mesh,
    layout: &Layout,
    labels: &Labels,
    ids: &Ids,
    roster: &mut Roster,
) -> Vec<Feature> {
    let regions = [
        &layout.counties,
        &layout.townships,
        &layout.communities,
        &layout.grids,
    ];
    let names = [
        &labels.counties,
        &labels.townships,
        &labels.communities,
        &labels.grids,
    ];
    let level_ids = [&ids.counties, &ids.townships, &ids.communities, &ids.grids];
    let mut features = Vec::with_capacity(regions.iter().map(|r| r.len()).sum());
    for grid_level in level::COUNTY..=level::GRID {
        let l = usize::from(grid_level);
        let (regions, names, own_ids) = (regions[l], names[l], level_ids[l]);
        let shapes = trace(mesh, &regions.of_atom, regions.len());
        for (r, shape) in shapes.into_iter().enumerate() {
            let mut people = roster.hire(Role::GridLeader, 1);
            let is_grid = grid_level == level::GRID;
            if is_grid {
                let workers = roster.rng().random_range(WORKERS_PER_GRID);
                people.extend(roster.hire(Role::GridWorker, workers));
            }
            let (kind, category) = if is_grid {
                (layout.grid_kind[r], labels.categories[r].map(String::from))
            } else {
                (GridKind::Comprehensive, None)
            };
            // Comprehensive grids are drawn around households; exclusive ones (a school, a
            // market) have none of their own.
            let residents = (is_grid && kind == GridKind::Comprehensive)
                .then(|| residents(&own_ids[r], regions.is_urban(r)));
            let attributes = Attributes::Grid {
                level: grid_level,
                // Counties have no parents, so `l - 1` is never reached for them.
                parent: regions
                    .parent
                    .get(r)
                    .map(|&p| level_ids[l - 1][p as usize].clone()),
                kind,
                category,
                // Communities and grids lie wholly in the city or the countryside; levels above mix.
                setting: (grid_level >= level::COMMUNITY).then(|| setting(regions.is_urban(r))),
                population: residents.map(|(people, _)| people),
                households: residents.map(|(_, homes)| homes),
            };
            features.push(area(&own_ids[r], &names[r], shape, attributes, people));
        }
    }
    features
}

/// People and households of a comprehensive grid: 300–500 households in the city, 150–350 in
/// the countryside, 2.4–2.9 people each. Drawn from the grid's id rather than the random
/// stream, so adding them left every other figure of the demo city as it was.
fn residents(id: &str, urban: bool) -> (u32, u32) {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    let (low, span) = if urban { (300, 200) } else { (150, 200) };
    let households = low + (h % span) as u32;
    let per_home = 2.4 + ((h >> 32) % 50) as f64 / 100.0;
    (
        (f64::from(households) * per_home).round() as u32,
        households,
    )
}

fn setting(urban: bool) -> Setting {
    if urban {
        Setting::Urban
    } else {
        Setting::Rural
    }
}

/// Stations with their chiefs, then beats with their officers and auxiliaries.
fn police_features(
    mesh: &Mesh,
    layout: &Layout,
    labels: &Labels,
    ids: &Ids,
    plan: &Plan,
    roster: &mut Roster,
) -> Vec<Feature> {
    let stations = &layout.stations;
    let beats = &layout.beats;
    let mut features = Vec::with_capacity(stations.len() + beats.len());
    for (s, shape) in trace(mesh, &stations.of_atom, stations.len())
        .into_iter()
        .enumerate()
    {
        let location = mesh.point_in_atom(stations.core[s], [0.0, 0.0]);
        let attributes = Attributes::Station {
            location: Some(Point(location)),
        };
        let chief = roster.hire(Role::StationChief, 1);
        features.push(area(
            &ids.stations[s],
            &labels.stations[s],
            shape,
            attributes,
            chief,
        ));
    }
    let officers = spread(plan.officers, beats.len(), roster.rng());
    let auxiliaries = spread(plan.auxiliaries, beats.len(), roster.rng());
    for (b, shape) in trace(mesh, &beats.of_atom, beats.len())
        .into_iter()
        .enumerate()
    {
        let mut people = roster.hire(Role::CommunityOfficer, officers[b]);
        people.extend(roster.hire(Role::Auxiliary, auxiliaries[b]));
        let station = Some(ids.stations[beats.parent[b] as usize].clone());
        features.push(area(
            &ids.beats[b],
            &labels.beats[b],
            shape,
            Attributes::Beat { station },
            people,
        ));
    }
    features
}

/// A first version of an areal feature.
fn area(
    id: &str,
    name: &str,
    shape: geo_types::MultiPolygon<f64>,
    attributes: Attributes,
    people: Vec<String>,
) -> Feature {
    Feature {
        id: id.to_string(),
        name: name.to_string(),
        version: 1,
        shape: Shape::Area(shape),
        attributes,
        people,
    }
}
