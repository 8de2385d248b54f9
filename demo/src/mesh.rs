//! The atom mesh: a jittered hexagonal lattice of small cells ("atoms") from which every
//! polygon of the demo city is assembled.
//!
//! Hexagons rather than squares: regions grown from them have borders that turn by 60° rather
//! than stepping like stairs, and three cells meet at every corner, so a region never touches
//! itself at a single point. Each lattice edge is a wiggly polyline computed once, so any two
//! polygons that share a border share the very same vertices.
//!
//! The lattice is drawn in "lattice space", where cells are one unit apart, and mapped to
//! longitude/latitude through a gentle warp (so "streets" bend) and a radial stretch (so atoms
//! are small in the centre and grow towards the countryside). Both maps are one-to-one and keep
//! orientation, so the mapped mesh stays a proper tiling with counter-clockwise atoms.

use super::{distance, Plan, RURAL, URBAN};
use geo_types::Coord;
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;
use std::f64::consts::TAU;

/// "No atom here" in atom lookups and "no region yet" in region maps.
pub(super) const NONE: u32 = u32::MAX;

/// Straight pieces each lattice edge is cut into: with the atoms per grid below, grids then
/// have 20–100 vertices, like hand-drawn ones.
const SEGMENTS: usize = 2;

/// Atoms per comprehensive grid, urban and rural: few enough that grids look hand-drawn rather
/// than pixelated, enough that their borders can wander. Rural grids take more atoms so that
/// atoms need grow only about fourfold from the centre outwards, which keeps them round.
pub(super) const ATOMS_PER_GRID: [f64; 2] = [4.0, 12.0];

/// Atoms per exclusive grid: a school or a factory is a compound, smaller than a grid.
pub(super) const ATOMS_PER_EXCLUSIVE: [f64; 2] = [2.0, 4.0];

/// Typical area of an urban and of a rural comprehensive grid, km².
const GRID_KM2: [f64; 2] = [0.15, 1.8];

/// How far the city outline swings in and out, as a fraction of its mean radius.
const OUTLINE_WOBBLE: f64 = 0.2;

/// How far the edge of the urban area swings in and out, as a fraction of its mean radius.
const URBAN_WOBBLE: f64 = 0.3;

/// How far lattice corners are jittered, as a fraction of the edge length. Small enough (with
/// [`BEND`]) that the wiggly edges meeting at a corner never cross.
const JITTER: f64 = 0.3;

/// How far an edge bows out of line, and how much each of its vertices then shakes, as
/// fractions of its length.
const BEND: [f64; 2] = [0.08, 0.02];

/// Distance between hexagon centres in successive rows; centres in a row are one unit apart.
const ROW: f64 = 0.866_025_403_784_438_6;

/// Distance from a hexagon's centre to its corners (and the length of its edges).
const CORNER: f64 = 0.577_350_269_189_625_8;

/// Lattice-space area of one cell.
const CELL_AREA: f64 = ROW;

/// Directions to the six neighbours of a cell, counter-clockwise from east.
const E: usize = 0;
const NE: usize = 1;
const NW: usize = 2;
const W: usize = 3;
const SW: usize = 4;
const SE: usize = 5;

/// Every cell owns two corners, its top and its bottom one; the other four are the top or
/// bottom corners of neighbours.
const TOP: u32 = 0;
const BOTTOM: u32 = 1;

/// A cell's corners counter-clockwise from its top: whose corner each is (`None`: the cell's
/// own) and which.
const CORNERS: [(Option<usize>, u32); 6] = [
    (None, TOP),
    (Some(NW), BOTTOM),
    (Some(SW), TOP),
    (None, BOTTOM),
    (Some(SE), TOP),
    (Some(NE), BOTTOM),
];

/// Every cell also owns three edges: 0 from its top corner north-east, 1 down its east side,
/// 2 from north-west to its top corner. A cell's sides in the order of [`CORNERS`] (side `k`
/// runs from corner `k` to corner `k + 1`): whose edge it is, which, whether the side runs the
/// edge's way, and the neighbour across it.
const SIDES: [(Option<usize>, u32, bool, usize); 6] = [
    (None, 2, false, NW),
    (Some(W), 1, true, W),
    (Some(SW), 0, true, SW),
    (Some(SE), 2, true, SE),
    (None, 1, false, E),
    (None, 0, false, NE),
];

/// One side of an atom, walked counter-clockwise around it.
#[derive(Clone, Copy)]
pub(super) struct Side {
    /// The corners it runs between.
    pub from: u32,
    pub to: u32,
    /// The lattice edge along the side, and whether the side runs the edge's way.
    pub edge: u32,
    pub forward: bool,
    /// The atom across the side, or [`NONE`] on the city outline.
    pub across: u32,
}

/// A hexagonal lattice of `cols × rows` cells, odd rows shifted half a cell east.
#[derive(Clone, Copy)]
struct Lattice {
    cols: usize,
    rows: usize,
}

impl Lattice {
    fn cells(self) -> usize {
        self.cols * self.rows
    }

    fn centre(self, cell: usize) -> [f64; 2] {
        let (i, j) = (cell % self.cols, cell / self.cols);
        [i as f64 + 0.5 * (j % 2) as f64, j as f64 * ROW]
    }

    /// The neighbour of `cell` in direction `dir`, if it is on the lattice.
    fn neighbour(self, cell: usize, dir: usize) -> Option<usize> {
        let (i, j) = ((cell % self.cols) as i64, (cell / self.cols) as i64);
        let odd = j % 2;
        let (di, dj) = match dir {
            E => (1, 0),
            NE => (odd, 1),
            NW => (odd - 1, 1),
            W => (-1, 0),
            SW => (odd - 1, -1),
            _ => (odd, -1),
        };
        let (ni, nj) = (i + di, j + dj);
        let on = (0..self.cols as i64).contains(&ni) && (0..self.rows as i64).contains(&nj);
        on.then(|| (nj * self.cols as i64 + ni) as usize)
    }
}

/// The fine mesh of the whole city.
pub(super) struct Mesh {
    lattice: Lattice,
    projection: Projection,
    /// The lattice cell of each atom, row by row.
    atom_cell: Vec<u32>,
    /// The atom at each lattice cell, or [`NONE`] outside the city.
    cell_atom: Vec<u32>,
    /// Storage slot of each cell that is an atom or next to one, or [`NONE`]: only their
    /// corners and edges are ever used, so only they are stored.
    slot: Vec<u32>,
    /// Longitude/latitude of the two corners of each slot.
    corners: Vec<Coord>,
    /// The `SEGMENTS - 1` inner vertices of each of the three edges of each slot, in the
    /// edge's direction.
    bends: Vec<Coord>,
    /// How far each atom is from the centre, in lattice units of the (wobbly) urban area: the
    /// atoms nearest by this measure are the smallest ones.
    pub reach: Vec<f64>,
    /// Where each atom's centre ends up, km east and north of the city centre.
    km: Vec<[f64; 2]>,
}

impl Mesh {
    /// Draws the mesh for `plan`: enough atoms for its grids, in a blob-shaped city outline.
    pub fn new(plan: &Plan, rng: &mut ChaCha8Rng) -> Mesh {
        let needed = needed_atoms(plan);
        let total: f64 = needed.iter().sum();
        let radius = (total * CELL_AREA / std::f64::consts::PI).sqrt().max(2.0);
        // Room for the widest swing of the outline, and a margin so atoms never sit on the
        // edge of the lattice.
        let half = radius * (1.0 + OUTLINE_WOBBLE) + 3.0;
        let lattice = Lattice {
            cols: 2 * half.ceil() as usize,
            rows: 2 * (half / ROW).ceil() as usize,
        };
        let start = lattice.rows / 2 * lattice.cols + lattice.cols / 2;
        let centre = lattice.centre(start);
        let outline = Harmonics::random(rng, OUTLINE_WOBBLE, 2..=11);
        let inside = |cell: usize| {
            let [x, y] = lattice.centre(cell);
            distance([x, y], centre) < radius * outline.factor((y - centre[1]).atan2(x - centre[0]))
        };
        let atom_cell = connected_cells(lattice, start, inside);
        let urban_radius = radius * (needed[URBAN] / total).sqrt();
        let density = Density::new(plan, urban_radius, radius);
        let projection = Projection::new(rng, plan.center, centre, density);
        let mut mesh = Mesh::empty(lattice, projection, atom_cell);
        mesh.place_corners(rng);
        mesh
    }

    /// The mesh of `atom_cell` with corners and edges still to be placed.
    fn empty(lattice: Lattice, projection: Projection, atom_cell: Vec<u32>) -> Mesh {
        let mut cell_atom = vec![NONE; lattice.cells()];
        let mut slot = vec![NONE; lattice.cells()];
        let mut slots = 0;
        for (a, &cell) in atom_cell.iter().enumerate() {
            cell_atom[cell as usize] = a as u32;
            let around = (0..6).filter_map(|d| lattice.neighbour(cell as usize, d));
            for c in std::iter::once(cell as usize).chain(around) {
                if slot[c] == NONE {
                    slot[c] = slots;
                    slots += 1;
                }
            }
        }
        let (km, reach) = atom_cell
            .iter()
            .map(|&c| projection.km_and_reach(lattice.centre(c as usize)))
            .unzip();
        Mesh {
            lattice,
            projection,
            atom_cell,
            cell_atom,
            slot,
            corners: vec![Coord::zero(); 2 * slots as usize],
            bends: vec![Coord::zero(); 3 * slots as usize * (SEGMENTS - 1)],
            reach,
            km,
        }
    }

    /// Jitters every stored corner, bends every edge of every atom, and maps them all to
    /// longitude/latitude.
    fn place_corners(&mut self, rng: &mut ChaCha8Rng) {
        let mut at = vec![[0.0; 2]; self.corners.len()];
        for cell in 0..self.lattice.cells() {
            let s = self.slot[cell];
            if s == NONE {
                continue;
            }
            let [x, y] = self.lattice.centre(cell);
            for (corner, dy) in [(TOP, CORNER), (BOTTOM, -CORNER)] {
                let [jx, jy] = in_disc(rng, JITTER * CORNER);
                at[(2 * s + corner) as usize] = [x + jx, y + dy + jy];
            }
        }
        let mut bent = vec![false; self.bends.len() / (SEGMENTS - 1)];
        for atom in 0..self.atom_cell.len() as u32 {
            for side in self.sides(atom) {
                if std::mem::replace(&mut bent[side.edge as usize], true) {
                    continue;
                }
                let (p, q) = if side.forward {
                    (side.from, side.to)
                } else {
                    (side.to, side.from)
                };
                let start = side.edge as usize * (SEGMENTS - 1);
                for (k, point) in bend(at[p as usize], at[q as usize], rng)
                    .into_iter()
                    .enumerate()
                {
                    self.bends[start + k] = self.projection.lnglat(point);
                }
            }
        }
        self.corners = at.into_iter().map(|p| self.projection.lnglat(p)).collect();
    }

    /// How many atoms the city has.
    pub fn atoms(&self) -> usize {
        self.atom_cell.len()
    }

    /// The sides of `atom`, counter-clockwise.
    pub fn sides(&self, atom: u32) -> [Side; 6] {
        let cell = self.atom_cell[atom as usize] as usize;
        let lattice = self.lattice;
        // Atoms are never on the edge of the lattice, so their neighbours all exist.
        let near = |dir: Option<usize>| {
            dir.map_or(cell, |d| lattice.neighbour(cell, d).expect("a margin"))
        };
        let corner = |k: usize| {
            let (whose, which) = CORNERS[k % 6];
            2 * self.slot[near(whose)] + which
        };
        std::array::from_fn(|k| {
            let (whose, edge, forward, across) = SIDES[k];
            Side {
                from: corner(k),
                to: corner(k + 1),
                edge: 3 * self.slot[near(whose)] + edge,
                forward,
                across: self.cell_atom[near(Some(across))],
            }
        })
    }

    /// The longitude/latitude of a corner.
    pub fn corner(&self, corner: u32) -> Coord {
        self.corners[corner as usize]
    }

    /// The inner vertices of `edge` in its own direction.
    pub fn bend(&self, edge: u32) -> &[Coord] {
        let start = edge as usize * (SEGMENTS - 1);
        &self.bends[start..start + SEGMENTS - 1]
    }

    /// Where an atom's centre ends up, in km east and north of the city centre: where
    /// distances between atoms are measured.
    pub fn atom_km(&self, atom: u32) -> [f64; 2] {
        self.km[atom as usize]
    }

    /// The longitude/latitude of the point `offset` lattice units from an atom's centre. Keep
    /// `offset` within [`ATOM_INNER_RADIUS`] to be sure to land inside the atom.
    pub fn point_in_atom(&self, atom: u32, offset: [f64; 2]) -> Coord {
        let [x, y] = self.lattice.centre(self.atom_cell[atom as usize] as usize);
        self.projection.lnglat([x + offset[0], y + offset[1]])
    }
}

/// How far from its centre a point is surely inside its atom, lattice units: a hexagon's inner
/// radius less what jitter can take off its edges and bends off its longest edge.
pub(super) const ATOM_INNER_RADIUS: f64 =
    0.5 - JITTER * CORNER - (BEND[0] + BEND[1]) * (1.0 + 2.0 * JITTER) * CORNER;

/// A point drawn evenly from the disc of `radius` around the origin.
pub(super) fn in_disc(rng: &mut ChaCha8Rng, radius: f64) -> [f64; 2] {
    let r = radius * rng.random::<f64>().sqrt();
    let a = TAU * rng.random::<f64>();
    [r * a.cos(), r * a.sin()]
}

/// Atoms needed by the urban and the rural area: their grids times each grid's atoms.
fn needed_atoms(plan: &Plan) -> [f64; 2] {
    let exclusive = (ATOMS_PER_EXCLUSIVE[0] + ATOMS_PER_EXCLUSIVE[1]) / 2.0;
    [URBAN, RURAL].map(|z| {
        plan.comprehensive[z] as f64 * ATOMS_PER_GRID[z] + plan.exclusive[z] as f64 * exclusive
    })
}

/// The share of the atoms that the urban area needs.
pub(super) fn urban_share(plan: &Plan) -> f64 {
    let needed = needed_atoms(plan);
    needed[URBAN] / (needed[URBAN] + needed[RURAL])
}

/// The cells for which `inside` holds and that connect to `start` through such cells, in
/// lattice order: a city is one piece.
fn connected_cells(lattice: Lattice, start: usize, inside: impl Fn(usize) -> bool) -> Vec<u32> {
    let mut kept = vec![false; lattice.cells()];
    kept[start] = true;
    let mut queue = VecDeque::from([start]);
    while let Some(cell) = queue.pop_front() {
        for next in (0..6).filter_map(|d| lattice.neighbour(cell, d)) {
            if !kept[next] && inside(next) {
                kept[next] = true;
                queue.push_back(next);
            }
        }
    }
    (0..lattice.cells() as u32)
        .filter(|&c| kept[c as usize])
        .collect()
}

/// The inner vertices of the edge from `p` to `q`: it bows gently to one side, and its
/// vertices shake a little more.
fn bend(p: [f64; 2], q: [f64; 2], rng: &mut ChaCha8Rng) -> [[f64; 2]; SEGMENTS - 1] {
    let d = [q[0] - p[0], q[1] - p[1]];
    let bow = BEND[0] * rng.random_range(-1.0..1.0);
    std::array::from_fn(|k| {
        let t = (k + 1) as f64 / SEGMENTS as f64;
        let off = bow * (std::f64::consts::PI * t).sin() + BEND[1] * rng.random_range(-1.0..1.0);
        [p[0] + t * d[0] - off * d[1], p[1] + t * d[1] + off * d[0]]
    })
}

/// A smooth random factor around 1 as a function of the angle: a sum of cosines whose
/// amplitudes add up to `swing`, so the factor stays within `1 ± swing`.
struct Harmonics(Vec<[f64; 3]>);

impl Harmonics {
    /// Harmonics of the given orders, higher orders weaker (like a coastline).
    fn random(rng: &mut ChaCha8Rng, swing: f64, orders: std::ops::RangeInclusive<u32>) -> Self {
        let mut terms: Vec<[f64; 3]> = orders
            .map(|k| {
                [
                    f64::from(k),
                    rng.random::<f64>() / f64::from(k),
                    TAU * rng.random::<f64>(),
                ]
            })
            .collect();
        let total: f64 = terms.iter().map(|t| t[1]).sum();
        for term in &mut terms {
            term[1] *= swing / total;
        }
        Harmonics(terms)
    }

    fn factor(&self, angle: f64) -> f64 {
        1.0 + self
            .0
            .iter()
            .map(|[k, amp, phase]| amp * (k * angle + phase).cos())
            .sum::<f64>()
    }
}

/// Maps lattice space to longitude/latitude: warp, then radial stretch, then degrees.
///
/// The stretch is radial in "reach", the distance from the centre divided by a wobble that
/// depends on the direction, so the dense urban area is a blob rather than a disc. Along each
/// ray it only grows, so it stays one-to-one.
struct Projection {
    origin: (f64, f64),
    centre: [f64; 2],
    warp: Vec<Wave>,
    wobble: Harmonics,
    density: Density,
}

/// One term of the warp: a displacement `shift · sin(k · p + phase)`.
struct Wave {
    k: [f64; 2],
    shift: [f64; 2],
    phase: f64,
}

impl Projection {
    fn new(rng: &mut ChaCha8Rng, origin: (f64, f64), centre: [f64; 2], density: Density) -> Self {
        let warp = (0..3)
            .map(|_| {
                let wavelength = rng.random_range(30.0..90.0);
                let [a, b] = [TAU * rng.random::<f64>(), TAU * rng.random::<f64>()];
                // |shift|·|k| = 0.13 per wave keeps the warp's slope below 0.4 < 1: one-to-one.
                let shift = 0.13 * wavelength / TAU;
                let k = TAU / wavelength;
                Wave {
                    k: [k * a.cos(), k * a.sin()],
                    shift: [shift * b.cos(), shift * b.sin()],
                    phase: TAU * rng.random::<f64>(),
                }
            })
            .collect();
        let wobble = Harmonics::random(rng, URBAN_WOBBLE, 2..=6);
        Projection {
            origin,
            centre,
            warp,
            wobble,
            density,
        }
    }

    /// The warped position of `p` relative to the centre, and its reach.
    fn reach(&self, p: [f64; 2]) -> ([f64; 2], f64) {
        let mut q = [p[0] - self.centre[0], p[1] - self.centre[1]];
        for w in &self.warp {
            let s = (w.k[0] * p[0] + w.k[1] * p[1] + w.phase).sin();
            q = [q[0] + w.shift[0] * s, q[1] + w.shift[1] * s];
        }
        (
            q,
            distance(q, [0.0; 2]) / self.wobble.factor(q[1].atan2(q[0])),
        )
    }

    /// Where `p` ends up, in km east and north of the city centre, and its reach.
    fn km_and_reach(&self, p: [f64; 2]) -> ([f64; 2], f64) {
        let (q, reach) = self.reach(p);
        let stretch = if reach > 0.0 {
            self.density.radius_km(reach) / reach
        } else {
            0.0
        };
        ([q[0] * stretch, q[1] * stretch], reach)
    }

    fn lnglat(&self, p: [f64; 2]) -> Coord {
        let ([x_km, y_km], _) = self.km_and_reach(p);
        const KM_PER_DEGREE: f64 = 111.32;
        let lat = self.origin.1 + y_km / KM_PER_DEGREE;
        let lng = self.origin.0 + x_km / (KM_PER_DEGREE * lat.to_radians().cos());
        Coord { x: lng, y: lat }
    }
}

/// How many km² a lattice unit² covers at each reach: `urban` within `urban_reach`, then
/// growing linearly, by `slope × urban` per lattice unit, so that atoms grow steadily (and stay
/// roughly round) from the edge of the city centre outwards.
struct Density {
    urban: f64,
    urban_reach: f64,
    slope: f64,
}

impl Density {
    /// The density that gives urban and rural grids their typical areas: `urban_reach` and
    /// `city_reach` are the lattice-space radii of the urban area and of the whole city.
    fn new(plan: &Plan, urban_reach: f64, city_reach: f64) -> Density {
        let per_atom = [URBAN, RURAL].map(|z| GRID_KM2[z] / ATOMS_PER_GRID[z] / CELL_AREA);
        let urban = per_atom[URBAN];
        let mut density = Density {
            urban,
            urban_reach,
            slope: 0.0,
        };
        let annulus = (city_reach.powi(2) - urban_reach.powi(2)) / 2.0;
        if plan.comprehensive[RURAL] > 0 && annulus > 0.0 {
            // The slope that gives the countryside its mean density: the mean is linear in it.
            let mean = |d: &Density| (d.integral(city_reach) - d.integral(urban_reach)) / annulus;
            let flat = mean(&density);
            density.slope = 1.0;
            let per_slope = mean(&density) - flat;
            density.slope = ((per_atom[RURAL] - flat) / per_slope).max(0.0);
        }
        density
    }

    /// `∫₀ʳ density(t) t dt`.
    fn integral(&self, r: f64) -> f64 {
        let r0 = self.urban_reach;
        let flat = self.urban * r * r / 2.0;
        if r <= r0 {
            flat
        } else {
            flat + self.urban * self.slope * (r.powi(3) / 3.0 - r0 * r * r / 2.0 + r0.powi(3) / 6.0)
        }
    }

    /// The distance from the centre, km, of reach `r`: the disc of reach `r` covers the area
    /// of its atoms, `π R² = 2π ∫₀ʳ density(t) t dt`.
    fn radius_km(&self, r: f64) -> f64 {
        (2.0 * self.integral(r)).sqrt()
    }
}
