//! Who owns which atom: the governance hierarchy (county ⊃ township ⊃ community ⊃ grid) and
//! the police hierarchy (station ⊃ beat), drawn independently over the same atoms.
//!
//! Both are grown bottom-up: grids from atoms, communities from grids, and so on, so that every
//! count comes out exact and every region is one contiguous piece. The urban centre and the
//! countryside are split first, so that communities are either urban (社区) or rural (村).

use super::graph::Graph;
use super::mesh::{urban_share, Mesh, ATOMS_PER_EXCLUSIVE, ATOMS_PER_GRID, NONE};
use super::{distance, Plan, RURAL, URBAN};
use onemap_index::{level, GridKind};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};

/// How much region borders wander off the straight line between seeds, in node spacings.
/// Grids and beats use different noise, so they cut the same atoms differently.
const ROUGHNESS: f64 = 0.5;

/// One grouping of the city's atoms into numbered regions.
pub(super) struct Regions {
    /// The region of each atom.
    pub of_atom: Vec<u32>,
    /// The region of the level above each region belongs to (empty at the top).
    pub parent: Vec<u32>,
    /// The share of each region's atoms that are urban.
    pub urban: Vec<f64>,
    /// Each region's atom nearest its centroid: a point well inside it, to place things at.
    pub core: Vec<u32>,
    /// How far each region's centroid is from the city centre, km.
    pub distance: Vec<f64>,
}

impl Regions {
    pub fn len(&self) -> usize {
        self.urban.len()
    }

    /// Whether region `r` is mostly urban.
    pub fn is_urban(&self, r: usize) -> bool {
        self.urban[r] >= 0.5
    }

    fn new(mesh: &Mesh, urban: &[bool], of_atom: Vec<u32>, parent: Vec<u32>, len: usize) -> Self {
        let mut atoms = vec![0.0; len];
        let mut urban_atoms = vec![0.0; len];
        let mut sum = vec![[0.0; 2]; len];
        for (a, &r) in of_atom.iter().enumerate() {
            let [x, y] = mesh.atom_km(a as u32);
            let r = r as usize;
            atoms[r] += 1.0;
            urban_atoms[r] += f64::from(u8::from(urban[a]));
            sum[r] = [sum[r][0] + x, sum[r][1] + y];
        }
        let centroid: Vec<[f64; 2]> = sum
            .iter()
            .zip(&atoms)
            .map(|([x, y], n)| [x / n, y / n])
            .collect();
        let mut core = vec![(f64::MAX, NONE); len];
        for (a, &r) in of_atom.iter().enumerate() {
            let d = distance(mesh.atom_km(a as u32), centroid[r as usize]);
            if d < core[r as usize].0 {
                core[r as usize] = (d, a as u32);
            }
        }
        Regions {
            of_atom,
            parent,
            urban: urban_atoms.iter().zip(&atoms).map(|(u, n)| u / n).collect(),
            core: core.into_iter().map(|(_, a)| a).collect(),
            distance: centroid.iter().map(|&c| distance(c, [0.0; 2])).collect(),
        }
    }
}

/// The whole layout of the city, every level numbered parent by parent.
pub(super) struct Layout {
    /// Whether each atom lies in the urban centre.
    pub urban: Vec<bool>,
    pub counties: Regions,
    pub townships: Regions,
    pub communities: Regions,
    pub grids: Regions,
    pub grid_kind: Vec<GridKind>,
    pub stations: Regions,
    pub beats: Regions,
}

impl Layout {
    pub fn new(mesh: &Mesh, plan: &Plan, rng: &mut ChaCha8Rng) -> Layout {
        let atoms = Graph::of_atoms(mesh);
        let urban = urban_area(mesh, &atoms, plan);
        let (governance, kinds) = governance(&atoms, &urban, plan, rng);
        let police = police(&atoms, plan, rng);
        // Within a community, comprehensive grids come first: they are the numbered ones.
        let exclusive_last = |level: usize, g: u32| {
            let exclusive =
                level == usize::from(level::GRID) && kinds[g as usize] == GridKind::Exclusive;
            (exclusive, g)
        };
        let ([counties, townships, communities, grids], new) =
            number(mesh, &urban, governance, plan.counties, exclusive_last);
        let grid_kind = reorder(&kinds, &new[usize::from(level::GRID)]);
        let ([stations, beats], _) = number(mesh, &urban, police, plan.stations, |_, b| b);
        Layout {
            urban,
            counties,
            townships,
            communities,
            grids,
            grid_kind,
            stations,
            beats,
        }
    }
}

/// The governance hierarchy, as each level's map onto the level above, top first:
/// `[county_of_township, township_of_community, community_of_grid, grid_of_atom]`; and each
/// grid's kind.
fn governance(
    atoms: &Graph,
    urban: &[bool],
    plan: &Plan,
    rng: &mut ChaCha8Rng,
) -> ([Vec<u32>; 4], Vec<GridKind>) {
    let atom_zone: Vec<usize> = urban
        .iter()
        .map(|&u| if u { URBAN } else { RURAL })
        .collect();
    let kinds = [URBAN, RURAL].map(|z| grid_kinds(plan, z, rng));
    let targets = kinds.clone().map(|k| k.iter().map(|&(_, t)| t).collect());
    let grid_of_atom = partition_by_zone(atoms, &atom_zone, &targets, rng);
    let grid_kind: Vec<GridKind> = kinds.iter().flatten().map(|&(k, _)| k).collect();
    let grid_zone: Vec<usize> = [URBAN, RURAL]
        .iter()
        .flat_map(|&z| vec![z; kinds[z].len()])
        .collect();

    let grids = atoms.quotient(&grid_of_atom, grid_kind.len());
    let community_targets = plan.communities.map(|n| vec![1.0; n]);
    let community_of_grid = partition_by_zone(&grids, &grid_zone, &community_targets, rng);
    let communities = grids.quotient(&community_of_grid, plan.communities.iter().sum());
    let (township_of_community, townships) = group(&communities, plan.townships, rng);
    let (county_of_township, _) = group(&townships, plan.counties, rng);
    (
        [
            county_of_township,
            township_of_community,
            community_of_grid,
            grid_of_atom,
        ],
        grid_kind,
    )
}

/// The police hierarchy, as each level's map onto the level above, top first:
/// `[station_of_beat, beat_of_atom]`. It ignores the urban area: beats only balance atoms.
fn police(atoms: &Graph, plan: &Plan, rng: &mut ChaCha8Rng) -> [Vec<u32>; 2] {
    let (beat_of_atom, beats) = group(atoms, plan.beats, rng);
    let (station_of_beat, _) = group(&beats, plan.stations, rng);
    [station_of_beat, beat_of_atom]
}

/// Groups the nodes of `graph` into `count` regions of equal weight: each node's region, and
/// the graph of the regions.
fn group(graph: &Graph, count: usize, rng: &mut ChaCha8Rng) -> (Vec<u32>, Graph) {
    let owner = graph.partition(&vec![1.0; count], ROUGHNESS, rng);
    let regions = graph.quotient(&owner, count);
    (owner, regions)
}

/// The regions of every level of a hierarchy given as by [`governance`], with `top` regions at
/// the top: numbered parent by parent, in `key(level, region)` order under each parent. Also
/// the new number of each region of each level.
fn number<const N: usize, K: Ord>(
    mesh: &Mesh,
    urban: &[bool],
    mut maps: [Vec<u32>; N],
    top: usize,
    key: impl Fn(usize, u32) -> K,
) -> ([Regions; N], [Vec<u32>; N]) {
    let mut new: [Vec<u32>; N] = std::array::from_fn(|_| Vec::new());
    new[0] = (0..top as u32).collect();
    for level in 1..N {
        let (above, below) = maps.split_at_mut(level);
        new[level] = number_by_parent(&mut above[level - 1], &mut below[0], |r| key(level, r));
    }
    let mut of_atom: [Vec<u32>; N] = std::array::from_fn(|_| Vec::new());
    of_atom[N - 1] = std::mem::take(&mut maps[N - 1]);
    for level in (0..N - 1).rev() {
        of_atom[level] = lift(&of_atom[level + 1], &maps[level]);
    }
    let regions = std::array::from_fn(|level| {
        let parent = if level == 0 {
            Vec::new()
        } else {
            std::mem::take(&mut maps[level - 1])
        };
        let len = if level == 0 { top } else { parent.len() };
        Regions::new(
            mesh,
            urban,
            std::mem::take(&mut of_atom[level]),
            parent,
            len,
        )
    });
    (regions, new)
}

/// Which atoms are urban: the wanted number of atoms nearest the centre (as the mesh measures
/// nearness, wobbling with the direction), grown out from the centre so the area is one piece.
/// Rural pockets cut off from the countryside become urban, so the countryside is one piece too.
fn urban_area(mesh: &Mesh, atoms: &Graph, plan: &Plan) -> Vec<bool> {
    let n = atoms.len();
    let regions = [URBAN, RURAL].map(|z| plan.comprehensive[z] + plan.exclusive[z]);
    assert!(
        regions[URBAN] + regions[RURAL] <= n,
        "too few atoms for the grids"
    );
    let wanted = (n as f64 * urban_share(plan)).round() as usize;
    let wanted = wanted.clamp(regions[URBAN], n - regions[RURAL]);
    let mut urban = vec![false; n];
    let mut queued = vec![false; n];
    let by_reach = |a: &u32, b: &u32| mesh.reach[*a as usize].total_cmp(&mesh.reach[*b as usize]);
    let centre = (0..n as u32).min_by(by_reach).expect("a city has atoms");
    let mut queue = BinaryHeap::from([Reverse((mesh.reach[centre as usize].to_bits(), centre))]);
    queued[centre as usize] = true;
    for _ in 0..wanted {
        let Some(Reverse((_, a))) = queue.pop() else {
            break;
        };
        urban[a as usize] = true;
        for &b in atoms.neighbours(a) {
            if !queued[b as usize] {
                queued[b as usize] = true;
                queue.push(Reverse((mesh.reach[b as usize].to_bits(), b)));
            }
        }
    }
    let outermost = (0..n as u32).max_by(by_reach).expect("a city has atoms");
    if !urban[outermost as usize] {
        let countryside = reachable(atoms, outermost, |a| !urban[a as usize]);
        for (u, c) in urban.iter_mut().zip(countryside) {
            *u = !c;
        }
    }
    urban
}

/// The nodes reachable from `start` through nodes for which `through` holds.
fn reachable(graph: &Graph, start: u32, through: impl Fn(u32) -> bool) -> Vec<bool> {
    let mut seen = vec![false; graph.len()];
    seen[start as usize] = true;
    let mut queue = VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for &u in graph.neighbours(v) {
            if !seen[u as usize] && through(u) {
                seen[u as usize] = true;
                queue.push_back(u);
            }
        }
    }
    seen
}

/// The kinds of the grids of area `zone`, shuffled so exclusive grids are spread among the
/// comprehensive ones, each with the atoms it should cover.
fn grid_kinds(plan: &Plan, zone: usize, rng: &mut ChaCha8Rng) -> Vec<(GridKind, f64)> {
    let [least, most] = ATOMS_PER_EXCLUSIVE;
    let mut kinds: Vec<(GridKind, f64)> = (0..plan.comprehensive[zone])
        .map(|_| (GridKind::Comprehensive, ATOMS_PER_GRID[zone]))
        .chain(
            (0..plan.exclusive[zone])
                .map(|_| (GridKind::Exclusive, rng.random_range(least..=most))),
        )
        .collect();
    kinds.shuffle(rng);
    kinds
}

/// Partitions the urban and the rural nodes of `graph` separately, into regions of the given
/// targets, numbering the urban regions first.
fn partition_by_zone(
    graph: &Graph,
    zone: &[usize],
    targets: &[Vec<f64>; 2],
    rng: &mut ChaCha8Rng,
) -> Vec<u32> {
    let mut owner = vec![NONE; graph.len()];
    let mut first = 0;
    for z in [URBAN, RURAL] {
        if targets[z].is_empty() {
            continue;
        }
        let (area, original) = graph.subgraph(|v| zone[v as usize] == z);
        for (v, r) in original
            .iter()
            .zip(area.partition(&targets[z], ROUGHNESS, rng))
        {
            owner[*v as usize] = first + r;
        }
        first += targets[z].len() as u32;
    }
    owner
}

/// Renumbers regions so that they come parent by parent, in `key` order under each parent:
/// reorders their `parent` map to match, and relabels `child`, the map of the level below onto
/// them. Returns the new number of each old region.
fn number_by_parent<K: Ord>(
    parent: &mut Vec<u32>,
    child: &mut [u32],
    key: impl Fn(u32) -> K,
) -> Vec<u32> {
    let mut order: Vec<u32> = (0..parent.len() as u32).collect();
    order.sort_by_key(|&r| (parent[r as usize], key(r)));
    let mut new = vec![0; parent.len()];
    for (rank, &r) in order.iter().enumerate() {
        new[r as usize] = rank as u32;
    }
    *parent = reorder(parent, &new);
    for c in child {
        *c = new[*c as usize];
    }
    new
}

/// `values` moved to their new positions `new`.
fn reorder<T: Copy>(values: &[T], new: &[u32]) -> Vec<T> {
    let mut moved = values.to_vec();
    for (v, &n) in values.iter().zip(new) {
        moved[n as usize] = *v;
    }
    moved
}

/// The map from atoms to the regions above: `of_atom` followed by `parent`.
fn lift(of_atom: &[u32], parent: &[u32]) -> Vec<u32> {
    of_atom.iter().map(|&r| parent[r as usize]).collect()
}
