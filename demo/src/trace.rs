//! Tracing the border of each region along the atom edges into RFC 7946 polygons.
//!
//! Borders are walked with the region on the left, so exterior rings come out counter-clockwise
//! and holes clockwise. Every lattice edge contributes its one stored polyline (reversed when
//! walked backwards), so neighbours share bit-identical vertices. Three atoms meet at every
//! corner, so a border passes each corner at most once and rings never touch themselves.

use super::mesh::{Mesh, Side};
use geo::Contains;
use geo_types::{Coord, LineString, MultiPolygon, Polygon};

/// The outline of each of `regions` regions, given the region of every atom.
pub(super) fn trace(mesh: &Mesh, of_atom: &[u32], regions: usize) -> Vec<MultiPolygon<f64>> {
    let mut borders: Vec<Vec<Side>> = vec![Vec::new(); regions];
    for (atom, &region) in of_atom.iter().enumerate() {
        for side in mesh.sides(atom as u32) {
            if of_atom.get(side.across as usize) != Some(&region) {
                borders[region as usize].push(side);
            }
        }
    }
    borders.into_iter().map(|b| outline(mesh, b)).collect()
}

/// The polygons bounded by one region's border sides.
fn outline(mesh: &Mesh, mut sides: Vec<Side>) -> MultiPolygon<f64> {
    sides.sort_unstable_by_key(|s| s.from);
    let mut walked = vec![false; sides.len()];
    let mut rings = Vec::new();
    for start in 0..sides.len() {
        if walked[start] {
            continue;
        }
        let mut coords = Vec::new();
        let mut at = start;
        while !walked[at] {
            walked[at] = true;
            let side = sides[at];
            coords.push(mesh.corner(side.from));
            let bend = mesh.bend(side.edge);
            if side.forward {
                coords.extend_from_slice(bend);
            } else {
                coords.extend(bend.iter().rev());
            }
            at = sides
                .binary_search_by_key(&side.to, |s| s.from)
                .expect("region borders are closed");
        }
        coords.push(coords[0]);
        rings.push(LineString(coords));
    }
    group_rings(rings)
}

/// Polygons from rings: counter-clockwise rings are exteriors, clockwise ones holes in the
/// innermost exterior around them.
fn group_rings(rings: Vec<LineString<f64>>) -> MultiPolygon<f64> {
    let (exteriors, holes): (Vec<_>, Vec<_>) =
        rings.into_iter().partition(|r| signed_area(r) > 0.0);
    let mut holes_of = vec![Vec::new(); exteriors.len()];
    for hole in holes {
        let owner = if exteriors.len() == 1 {
            0
        } else {
            // The middle of a segment lies on no other ring of the region.
            let probe = (hole.0[0] + hole.0[1]) / 2.0;
            innermost_around(&exteriors, probe)
        };
        holes_of[owner].push(hole);
    }
    MultiPolygon(
        exteriors
            .into_iter()
            .zip(holes_of)
            .map(|(exterior, holes)| Polygon::new(exterior, holes))
            .collect(),
    )
}

/// The smallest of `exteriors` around `probe`.
fn innermost_around(exteriors: &[LineString<f64>], probe: Coord) -> usize {
    (0..exteriors.len())
        .filter(|&e| Polygon::new(exteriors[e].clone(), Vec::new()).contains(&probe))
        .min_by(|&a, &b| signed_area(&exteriors[a]).total_cmp(&signed_area(&exteriors[b])))
        .expect("every hole lies in an exterior")
}

/// Twice the signed area of a closed ring, positive when counter-clockwise (shoelace, relative
/// to the first vertex to keep the digits).
fn signed_area(ring: &LineString<f64>) -> f64 {
    let o = ring.0[0];
    ring.0
        .windows(2)
        .map(|w| (w[0].x - o.x) * (w[1].y - o.y) - (w[1].x - o.x) * (w[0].y - o.y))
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mesh::NONE;
    use crate::{stage_rng, DemoConfig, Plan, Stage};
    use geo::Validation;

    /// Regions in pieces become multipolygons, with each hole in the piece around it: a ring
    /// of atoms around an island in the centre, plus a lone atom far out, against the rest of
    /// the city.
    #[test]
    fn pieces_and_holes_find_their_polygons() {
        let plan = Plan::new(&DemoConfig::with_grids(50));
        let mesh = Mesh::new(&plan, &mut stage_rng(1, Stage::Mesh));
        let by_reach =
            |a: &u32, b: &u32| mesh.reach[*a as usize].total_cmp(&mesh.reach[*b as usize]);
        let island = (0..mesh.atoms() as u32).min_by(by_reach).expect("atoms");
        let mut owner = vec![1; mesh.atoms()];
        for side in mesh.sides(island) {
            assert_ne!(side.across, NONE, "the centre is inland");
            owner[side.across as usize] = 0;
        }
        let inland = |a: &u32| mesh.sides(*a).iter().all(|s| s.across != NONE);
        let lone = (0..mesh.atoms() as u32)
            .filter(inland)
            .max_by(by_reach)
            .expect("inland atoms");
        owner[lone as usize] = 0;
        let traced = trace(&mesh, &owner, 2);
        let holes = |r: usize| -> Vec<usize> {
            let mut holes: Vec<usize> = traced[r].iter().map(|p| p.interiors().len()).collect();
            holes.sort_unstable();
            holes
        };
        assert_eq!(holes(0), [0, 1], "the ring has a hole, the lone atom none");
        assert_eq!(holes(1), [0, 2], "the rest has two holes, the island none");
        assert!(traced.iter().all(|mp| mp.is_valid()));
    }
}
