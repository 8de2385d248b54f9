//! Coverage checks: whether grids of one level and beats each tile the city as planners
//! intend (siblings share edges, no gaps, no overlaps, children inside their parent and
//! covering it, beats inside their station), each problem with its geometry and, where one
//! exists, a repair.
//!
//! Pieces are found with polygon overlay (`geo`'s `BooleanOps`) in longitude/latitude and
//! measured in equal-area metres. Pieces smaller than [`CheckOptions::negligible_m2`] are
//! rounding, not problems; pieces under [`CheckOptions::sliver_m2`] are slivers, which the
//! check proposes to merge into the neighbour sharing the longest edge with them.

use crate::model::{Feature, Layer};
use crate::snapshot::Snapshot;
use crate::validate::validate_feature;
use geo::{BooleanOps, Distance, Euclidean};
use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use std::collections::BTreeMap;

/// How fine a check is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CheckOptions {
    /// Pieces smaller than this (m²) are slivers (default 1 m²).
    pub sliver_m2: f64,
    /// Pieces smaller than this (m²) are floating-point noise and not reported.
    pub negligible_m2: f64,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            sliver_m2: 1.0,
            negligible_m2: 0.01,
        }
    }
}

/// What is wrong.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Two siblings cover the same ground.
    Overlap,
    /// Ground inside a parent (or enclosed by siblings) that no sibling covers.
    Gap,
    /// An overlap or gap smaller than the sliver area.
    Sliver,
    /// Part of a child grid lies outside its parent.
    OutsideParent,
    /// Part of a beat lies outside its station.
    OutsideStation,
    /// A ring that validation refuses (a store edited by other tools).
    InvalidRing,
}

impl Reason {
    pub fn as_str(self) -> &'static str {
        match self {
            Reason::Overlap => "overlap",
            Reason::Gap => "gap",
            Reason::Sliver => "sliver",
            Reason::OutsideParent => "outside_parent",
            Reason::OutsideStation => "outside_station",
            Reason::InvalidRing => "invalid_ring",
        }
    }
}

/// One problem: where, why, who is involved and what would fix it.
#[derive(Clone, Debug, PartialEq)]
pub struct Problem {
    pub reason: Reason,
    /// The features involved (layer, id), the one it concerns first.
    pub ids: Vec<(Layer, String)>,
    pub area_m2: f64,
    /// The piece that is wrong.
    pub geometry: MultiPolygon<f64>,
    /// A proposed repair, where one is clear.
    pub repair: Option<Repair>,
    /// What the problem is, in words.
    pub detail: String,
}

/// A proposed repair.
#[derive(Clone, Debug, PartialEq)]
pub enum Repair {
    /// Give the piece to this feature (the neighbour sharing the longest edge with it) and take
    /// it from the others.
    MergeInto(Layer, String),
    /// Cut the piece off the feature the problem concerns.
    Clip(Layer, String),
}

impl Snapshot {
    /// The coverage problems of `layer` (grids or beats; stations form a coverage too), in a
    /// stable order: by reason, then ids.
    ///
    /// ```
    /// use onemap_index::check::{CheckOptions, Reason};
    /// use onemap_index::{Attributes, City, Feature, Layer, Shape, Snapshot};
    /// use geo_types::polygon;
    ///
    /// let beat = |id: &str, x0: f64, x1: f64| Feature {
    ///     id: id.into(), name: id.into(), version: 1, people: vec![],
    ///     attributes: Attributes::Beat { station: None },
    ///     shape: Shape::Area(polygon![(x: x0, y: 28.0), (x: x1, y: 28.0), (x: x1, y: 28.01), (x: x0, y: 28.01)].into()),
    /// };
    /// // b2 starts 0.001° before b1 ends: 98 m × 1,109 m of overlap.
    /// let city = City { features: vec![beat("b1", 121.0, 121.01), beat("b2", 121.009, 121.02)], people: vec![] };
    /// let problems = Snapshot::build(city, 1).check(Layer::Beat, &CheckOptions::default());
    /// assert_eq!(problems.len(), 1);
    /// assert_eq!(problems[0].reason, Reason::Overlap);
    /// assert!((problems[0].area_m2 - 109_000.0).abs() < 500.0);
    /// ```
    pub fn check(&self, layer: Layer, options: &CheckOptions) -> Vec<Problem> {
        let members: Vec<u32> = (0..self.features().len() as u32)
            .filter(|i| self.feature(*i).layer() == layer && self.feature(*i).area().is_some())
            .collect();
        let mut problems = Vec::new();
        for &i in &members {
            if let Err(invalid) = validate_feature(self.feature(i)) {
                problems.push(self.problem(
                    Reason::InvalidRing,
                    &[i],
                    MultiPolygon(vec![]),
                    0.0,
                    invalid.to_string(),
                ));
            }
        }
        problems.extend(self.overlaps_among(&members, options));
        for (parent, children) in self.families(&members) {
            problems.extend(self.gaps_in(parent, &children, options));
            for child in children {
                problems.extend(self.outside(child, parent, options));
            }
        }
        problems.extend(self.enclosed_gaps(&members, options));
        problems.sort_by(|a, b| (a.reason, &a.ids).cmp(&(b.reason, &b.ids)));
        problems
    }

    fn area_of(&self, mp: &MultiPolygon<f64>) -> f64 {
        self.projection().area(mp)
    }

    fn problem(
        &self,
        reason: Reason,
        ids: &[u32],
        geometry: MultiPolygon<f64>,
        area_m2: f64,
        detail: String,
    ) -> Problem {
        Problem {
            reason,
            ids: ids.iter().map(|i| key(self.feature(*i))).collect(),
            area_m2,
            geometry,
            repair: None,
            detail,
        }
    }

    /// Siblings (the same layer and, for grids, the same level) whose areas overlap.
    fn overlaps_among(&self, members: &[u32], options: &CheckOptions) -> Vec<Problem> {
        let mut out = Vec::new();
        for &a in members {
            let fa = self.feature(a);
            let (Some(pa), Some(bbox)) = (fa.area(), fa.bbox()) else {
                continue;
            };
            for b in self.areal_in(bbox) {
                let fb = self.feature(b);
                if b <= a || fb.layer() != fa.layer() || fb.level() != fa.level() {
                    continue;
                }
                let Some(pb) = fb.area() else { continue };
                for piece in pieces(&pa.intersection(pb)) {
                    let area = self.area_of(&piece);
                    if area < options.negligible_m2 {
                        continue;
                    }
                    let sliver = area < options.sliver_m2;
                    let mut p = self.problem(
                        if sliver {
                            Reason::Sliver
                        } else {
                            Reason::Overlap
                        },
                        &[a, b],
                        piece,
                        area,
                        format!("{} and {} both cover {area:.1} m²", fa.id, fb.id),
                    );
                    if sliver {
                        p.repair = self
                            .longest_edge(&p.geometry, &[a, b])
                            .map(|k| Repair::MergeInto(fa.layer(), self.feature(k).id.clone()));
                    }
                    out.push(p);
                }
            }
        }
        out
    }

    /// Each parent (grid or station) of `members` with its children among them.
    fn families(&self, members: &[u32]) -> BTreeMap<u32, Vec<u32>> {
        let mut families: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
        for &m in members {
            if let Some(p) = self.parent(m) {
                families.entry(p).or_default().push(m);
            }
        }
        families
    }

    /// The parts of `parent` none of `children` covers.
    fn gaps_in(&self, parent: u32, children: &[u32], options: &CheckOptions) -> Vec<Problem> {
        let Some(outline) = self.feature(parent).area() else {
            return Vec::new();
        };
        // Stations need not be covered by beats; grids must be covered by their children.
        if self.feature(parent).layer() != Layer::Grid {
            return Vec::new();
        }
        let covered = union(children.iter().filter_map(|c| self.feature(*c).area()));
        let mut out = Vec::new();
        for piece in pieces(&outline.difference(&covered)) {
            let area = self.area_of(&piece);
            if area < options.negligible_m2 {
                continue;
            }
            let owner = self.longest_edge(&piece, children);
            let mut ids = vec![parent];
            ids.extend(owner);
            let sliver = area < options.sliver_m2;
            let mut p = self.problem(
                if sliver { Reason::Sliver } else { Reason::Gap },
                &ids,
                piece,
                area,
                format!(
                    "{area:.1} m² of {} lies in none of its {} children",
                    self.feature(parent).id,
                    children.len()
                ),
            );
            p.repair = owner
                .map(|k| Repair::MergeInto(self.feature(k).layer(), self.feature(k).id.clone()));
            out.push(p);
        }
        out
    }

    /// The part of `child` outside `parent`.
    fn outside(&self, child: u32, parent: u32, options: &CheckOptions) -> Vec<Problem> {
        let (Some(c), Some(p)) = (self.feature(child).area(), self.feature(parent).area()) else {
            return Vec::new();
        };
        let reason = if self.feature(parent).layer() == Layer::Station {
            Reason::OutsideStation
        } else {
            Reason::OutsideParent
        };
        pieces(&c.difference(p))
            .into_iter()
            .filter_map(|piece| {
                let area = self.area_of(&piece);
                (area >= options.negligible_m2).then(|| {
                    let mut problem = self.problem(
                        reason,
                        &[child, parent],
                        piece,
                        area,
                        format!(
                            "{area:.1} m² of {} lies outside {}",
                            self.feature(child).id,
                            self.feature(parent).id
                        ),
                    );
                    problem.repair = Some(Repair::Clip(
                        self.feature(child).layer(),
                        self.feature(child).id.clone(),
                    ));
                    problem
                })
            })
            .collect()
    }

    /// Holes enclosed by siblings that have no parent to hold them (top-level grids, beats,
    /// stations): holes in their union that no sibling covers.
    fn enclosed_gaps(&self, members: &[u32], options: &CheckOptions) -> Vec<Problem> {
        let mut by_level: BTreeMap<Option<u8>, Vec<u32>> = BTreeMap::new();
        for &m in members {
            let f = self.feature(m);
            if f.layer() != Layer::Grid || self.parent(m).is_none() {
                by_level.entry(f.level()).or_default().push(m);
            }
        }
        let mut out = Vec::new();
        for siblings in by_level.values() {
            let all = union(siblings.iter().filter_map(|s| self.feature(*s).area()));
            for hole in all.iter().flat_map(|p| p.interiors().iter().cloned()) {
                let piece = MultiPolygon(vec![Polygon::new(hole, vec![])]);
                let area = self.area_of(&piece);
                if area < options.negligible_m2 {
                    continue;
                }
                let near: Vec<u32> = piece
                    .iter()
                    .flat_map(|p| bbox_of(p.exterior()))
                    .flat_map(|b| self.areal_in(b))
                    .filter(|i| siblings.contains(i))
                    .collect();
                let owner = self.longest_edge(&piece, &near);
                let sliver = area < options.sliver_m2;
                let mut p = self.problem(
                    if sliver { Reason::Sliver } else { Reason::Gap },
                    &owner.into_iter().collect::<Vec<_>>(),
                    piece,
                    area,
                    format!("{area:.1} m² enclosed by siblings is in none of them"),
                );
                p.repair = owner.map(|k| {
                    Repair::MergeInto(self.feature(k).layer(), self.feature(k).id.clone())
                });
                out.push(p);
            }
        }
        out
    }

    /// Of `candidates`, the one whose boundary runs along the piece's outline the longest.
    fn longest_edge(&self, piece: &MultiPolygon<f64>, candidates: &[u32]) -> Option<u32> {
        let tolerance = 1e-9;
        candidates
            .iter()
            .filter_map(|&c| {
                let area = self.feature(c).area()?;
                let shared: f64 = piece
                    .iter()
                    .flat_map(|p| p.exterior().lines())
                    .filter(|line| {
                        let mid = Point::from((line.start + line.end) / 2.0);
                        area.iter()
                            .flat_map(|q| std::iter::once(q.exterior()).chain(q.interiors()))
                            .any(|ring| Euclidean.distance(&mid, ring) < tolerance)
                    })
                    .map(|line| (line.dx().powi(2) + line.dy().powi(2)).sqrt())
                    .sum();
                (shared > 0.0).then_some((c, shared))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(c, _)| c)
    }
}

fn key(f: &Feature) -> (Layer, String) {
    (f.layer(), f.id.clone())
}

/// The polygons of `mp`, each as a piece of its own.
fn pieces(mp: &MultiPolygon<f64>) -> Vec<MultiPolygon<f64>> {
    mp.iter().map(|p| MultiPolygon(vec![p.clone()])).collect()
}

/// The union of `areas`.
fn union<'a>(areas: impl Iterator<Item = &'a MultiPolygon<f64>>) -> MultiPolygon<f64> {
    let polygons: Vec<Polygon<f64>> = areas.flat_map(|mp| mp.0.iter().cloned()).collect();
    geo::unary_union(&polygons)
}

fn bbox_of(ring: &LineString<f64>) -> Option<[f64; 4]> {
    let mut it = ring.0.iter();
    let first: &Coord<f64> = it.next()?;
    Some(it.fold([first.x, first.y, first.x, first.y], |b, c| {
        [b[0].min(c.x), b[1].min(c.y), b[2].max(c.x), b[3].max(c.y)]
    }))
}
