//! Incremental upkeep: what the next snapshot can keep of the previous one (cell-index keys,
//! meshes, patches) instead of building again.

use super::advance::Carry;
use super::*;

/// The cell indexes of a snapshot and the keys they answer with.
pub(super) struct Indexes {
    pub(super) cells: Arc<CellIndex<2>>,
    pub(super) station_cells: Arc<CellIndex<1>>,
    pub(super) key_of: Vec<u32>,
    pub(super) feature_of_key: Vec<u32>,
}

impl Indexes {
    /// The indexes over `meshes` (grids, beats, stations): the previous snapshot's patched
    /// where an edit changed them and shared where it did not, or built whole.
    pub(super) fn after(
        carry: Option<&Carry>,
        features: &[Feature],
        boxes: &RTree<BoxEntry>,
        [grid_mesh, beat_mesh, station_mesh]: [&[u32]; 3],
        mesh_of: &[Mesh],
    ) -> Indexes {
        let kept = carry.map(|carry| {
            let prev = carry.prev;
            let keys = Keys::carried(prev, features);
            let changes = MeshChanges::between(carry, features, &keys.key_of, mesh_of);
            (prev, keys, changes)
        });
        let indexes = kept.as_ref().and_then(|(prev, keys, changes)| {
            let cells = if changes.cells.is_empty() {
                Arc::clone(&prev.cells)
            } else {
                let ranks = ranks(features.len(), [grid_mesh, beat_mesh]);
                let patched = patch_cells(
                    &prev.cells,
                    &changes.cells,
                    |bbox| {
                        let mut found: [Vec<u32>; 2] = Default::default();
                        for i in areal_meeting(boxes, bbox) {
                            match mesh_of[i as usize] {
                                Mesh::Grid => found[0].push(i),
                                Mesh::Beat => found[1].push(i),
                                _ => {}
                            }
                        }
                        found.map(|mut members| {
                            members.sort_unstable_by_key(|i| ranks[*i as usize]);
                            members
                        })
                    },
                    features,
                    &keys.key_of,
                )?;
                Arc::new(patched)
            };
            let station_cells = if changes.stations {
                Arc::new(cell_index([station_mesh], features, &keys.key_of))
            } else {
                Arc::clone(&prev.station_cells)
            };
            Some((cells, station_cells))
        });
        match (indexes, kept) {
            (Some((cells, station_cells)), Some((_, keys, _))) => Indexes {
                cells,
                station_cells,
                key_of: keys.key_of,
                feature_of_key: keys.feature_of_key,
            },
            _ => {
                let identity: Vec<u32> = (0..features.len() as u32).collect();
                Indexes {
                    cells: Arc::new(cell_index([grid_mesh, beat_mesh], features, &identity)),
                    station_cells: Arc::new(cell_index([station_mesh], features, &identity)),
                    key_of: identity.clone(),
                    feature_of_key: identity,
                }
            }
        }
    }
}

/// Keys carried over from the previous snapshot; new features get fresh ones.
pub(super) struct Keys {
    pub(super) key_of: Vec<u32>,
    pub(super) feature_of_key: Vec<u32>,
}

impl Keys {
    pub(super) fn carried(prev: &Snapshot, features: &[Feature]) -> Keys {
        let mut fresh = prev.feature_of_key.len() as u32;
        let key_of: Vec<u32> = features
            .iter()
            .map(|f| match prev.ids.get(f.layer(), &f.id) {
                Some(p) => prev.key_of[p as usize],
                None => {
                    fresh += 1;
                    fresh - 1
                }
            })
            .collect();
        let mut feature_of_key = vec![NONE; fresh as usize];
        for (i, key) in key_of.iter().enumerate() {
            feature_of_key[*key as usize] = i as u32;
        }
        Keys {
            key_of,
            feature_of_key,
        }
    }
}

/// What an edit changed in the cell indexes' meshes.
pub(super) struct MeshChanges {
    /// Boxes (old and new) of grid or beat mesh polygons that appeared, went, moved or changed
    /// priority.
    pub(super) cells: Vec<[f64; 4]>,
    pub(super) stations: bool,
}

impl MeshChanges {
    pub(super) fn between(
        carry: &Carry,
        features: &[Feature],
        key_of: &[u32],
        mesh_of: &[Mesh],
    ) -> Self {
        let mut changes = MeshChanges {
            cells: Vec::new(),
            stations: false,
        };
        let mut note = |mesh: Mesh, f: &Feature| match mesh {
            Mesh::Grid | Mesh::Beat => changes.cells.extend(f.bbox()),
            Mesh::Station => changes.stations = true,
            Mesh::None => {}
        };
        let prev = carry.prev;
        let mut alive = vec![false; prev.features.len()];
        for (i, f) in features.iter().enumerate() {
            let old = prev.feature_of_key.get(key_of[i] as usize).copied();
            let old = old.filter(|p| *p != NONE).map(|p| p as usize);
            if let Some(p) = old {
                alive[p] = true;
            }
            let (new_mesh, old_mesh) = (mesh_of[i], old.map_or(Mesh::None, |p| prev.mesh_of[p]));
            if new_mesh == Mesh::None && old_mesh == Mesh::None {
                continue;
            }
            // A feature no edit touched has its shape and level as before.
            let same =
                new_mesh == old_mesh && old.is_some() && carry.before[i] == old.map(|p| p as u32);
            if !same {
                note(new_mesh, f);
                if let Some(p) = old {
                    note(old_mesh, &prev.features[p]);
                }
            }
        }
        for (p, f) in prev.features.iter().enumerate() {
            if !alive[p] {
                note(prev.mesh_of[p], f);
            }
        }
        changes
    }
}

/// Each mesh member's position in its mesh, for ordering the members of a patch.
pub(super) fn ranks<const M: usize>(features: usize, meshes: [&[u32]; M]) -> Vec<u32> {
    let mut rank = vec![u32::MAX; features];
    for members in meshes {
        for (position, i) in members.iter().enumerate() {
            rank[*i as usize] = position as u32;
        }
    }
    rank
}

/// The cell index over `meshes` (feature indices, in priority order) answering `labels[i]`.
pub(super) fn cell_index<const M: usize>(
    meshes: [&[u32]; M],
    features: &[Feature],
    labels: &[u32],
) -> CellIndex<M> {
    let polygons = meshes.map(|members| mesh_polygons(members, features));
    let labels = meshes.map(|members| members_labels(members, labels));
    let mut index = CellIndex::build(polygons);
    index.relabel(labels.each_ref().map(Vec::as_slice));
    index
}

pub(super) fn mesh_polygons(members: &[u32], features: &[Feature]) -> Vec<MeshPolygon> {
    members
        .iter()
        .map(|i| MeshPolygon::new(feature_edges(&features[*i as usize])))
        .collect()
}

pub(super) fn members_labels(members: &[u32], labels: &[u32]) -> Vec<u32> {
    members.iter().map(|i| labels[*i as usize]).collect()
}

/// `cells` with the regions around `dirty` rebuilt, each from the mesh members `meeting`
/// finds for its box, and compacted once patches hold too much of it; `None` when the edit
/// is too large for patches to pay.
pub(super) fn patch_cells(
    cells: &CellIndex<2>,
    dirty: &[[f64; 4]],
    meeting: impl Fn([f64; 4]) -> [Vec<u32>; 2],
    features: &[Feature],
    key_of: &[u32],
) -> Option<CellIndex<2>> {
    let mut ranges = Vec::new();
    for area in merged_boxes(dirty) {
        ranges.push(cells.range_of(area)?);
    }
    let cells_rebuilt: usize = ranges.iter().map(|r| r.cells()).sum();
    if cells_rebuilt as f64 > PATCH_SHARE * cells.coarse_cells() as f64 {
        return None;
    }
    let mut next: Option<CellIndex<2>> = None;
    for range in &ranges {
        let members = meeting(range.bbox);
        let polygons = members.each_ref().map(|m| mesh_polygons(m, features));
        let labels = members.each_ref().map(|m| members_labels(m, key_of));
        let base = next.as_ref().unwrap_or(cells);
        next = Some(base.rebuilt_in(range, polygons, labels.each_ref().map(Vec::as_slice)));
    }
    let next = next?;
    let (_, patch_bytes) = next.patches();
    if patch_bytes as f64 > PATCH_SHARE * next.memory_bytes() as f64 {
        return Some(next.compacted());
    }
    Some(next)
}

/// `boxes` with every group of overlapping boxes replaced by the box around the group.
pub(super) fn merged_boxes(boxes: &[[f64; 4]]) -> Vec<[f64; 4]> {
    let meet =
        |a: &[f64; 4], b: &[f64; 4]| a[0] <= b[2] && b[0] <= a[2] && a[1] <= b[3] && b[1] <= a[3];
    let union = |a: [f64; 4], b: [f64; 4]| {
        [
            a[0].min(b[0]),
            a[1].min(b[1]),
            a[2].max(b[2]),
            a[3].max(b[3]),
        ]
    };
    let mut merged: Vec<[f64; 4]> = Vec::new();
    for b in boxes {
        let mut b = *b;
        // Growing a box may make it meet ones merged before: fold until none does.
        while let Some(k) = merged.iter().position(|m| meet(m, &b)) {
            b = union(b, merged.swap_remove(k));
        }
        merged.push(b);
    }
    merged
}

/// Areal features whose bounding box meets `bbox` (lng/lat), in feature order.
pub(super) fn areal_meeting(boxes: &RTree<BoxEntry>, bbox: [f64; 4]) -> Vec<u32> {
    let env = AABB::from_corners([bbox[0], bbox[1]], [bbox[2], bbox[3]]);
    let mut v: Vec<u32> = boxes
        .locate_in_envelope_intersecting(&env)
        .map(|e| e.data)
        .collect();
    v.sort_unstable();
    v
}
