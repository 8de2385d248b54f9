//! One tile's geometry: world coordinates to quantised, clipped and oriented MVT commands.

use std::ops::Range;

use crate::clip::clip_ring;
use crate::mvt::Commands;
use crate::rings::{clean_ring, split_lobes, twice_area_i64, Rings};
use crate::tile_id::{round_to_grid, tiles_per_axis, TileId, EXTENT};

/// Where a tile sits in world coordinates, and the square its geometry is clipped to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TileFrame {
    /// Tile units per world unit: `EXTENT · 2^z`, a power of two, so scaling is exact.
    scale: f64,
    /// The tile's corner in tile units of the whole zoom level.
    origin: [f64; 2],
    /// The clip square `[lo, hi]²`: the tile grown by the buffer.
    lo: i64,
    hi: i64,
}

impl TileFrame {
    pub fn new(tile: TileId, buffer: u32) -> TileFrame {
        let extent = f64::from(EXTENT);
        TileFrame {
            scale: extent * tiles_per_axis(tile.z),
            origin: [f64::from(tile.x) * extent, f64::from(tile.y) * extent],
            lo: -i64::from(buffer),
            hi: i64::from(EXTENT) + i64::from(buffer),
        }
    }

    /// A world point in whole tile units. The same world point always lands on the same grid
    /// point, so an edge shared by two polygons stays shared after rounding.
    fn quantise(&self, p: [f64; 2]) -> [i64; 2] {
        [
            round_to_grid(p[0] * self.scale - self.origin[0]),
            round_to_grid(p[1] * self.scale - self.origin[1]),
        ]
    }

    /// A world point in tile units if it lies in the tile itself, not its buffer: deciding on
    /// the exactly scaled coordinate puts each point in exactly one tile of a zoom level.
    pub fn point(&self, p: [f64; 2]) -> Option<[i32; 2]> {
        let extent = f64::from(EXTENT);
        let inside = |v: f64, origin: f64| (v * self.scale / extent).floor() * extent == origin;
        if inside(p[0], self.origin[0]) && inside(p[1], self.origin[1]) {
            // Rounding may carry a point just short of the east or south edge onto it; the
            // point belongs to this tile, so it stays inside it (MapLibre drops anchors at 4096).
            let [x, y] = self.quantise(p).map(|v| v.min(i64::from(EXTENT) - 1));
            Some([x as i32, y as i32])
        } else {
            None
        }
    }
}

/// Reusable buffers for turning polygons into commands without allocating per feature.
#[derive(Debug, Default)]
pub(crate) struct AreaEncoder {
    ring: Vec<[i64; 2]>,
    clipped: Vec<[i64; 2]>,
    scratch: Vec<[i64; 2]>,
    /// The simple loops of a ring that touches itself after quantisation.
    lobes: Vec<Vec<[i64; 2]>>,
    /// The rings of the polygon being assembled, already oriented.
    polygon: Vec<[i32; 2]>,
    polygon_rings: Vec<Range<usize>>,
    /// Twice the polygon's area: the exterior's less its holes'.
    polygon_area: i64,
}

impl AreaEncoder {
    /// Adds to `commands` the polygons whose rings are `rings.spans[spans]`, clipped to the
    /// frame, exteriors clockwise on screen (positive area, as MVT 2.1 wants) and holes the
    /// other way. Rings left without area are dropped, and with an exterior its holes.
    pub fn encode(
        &mut self,
        frame: &TileFrame,
        rings: &Rings,
        spans: Range<usize>,
        commands: &mut Commands,
    ) {
        let mut exterior_kept = false;
        for r in spans {
            let exterior = rings.spans[r].exterior;
            if exterior {
                self.flush(commands);
            } else if !exterior_kept {
                continue;
            }
            let twice_area = self.prepare(frame, rings.ring(r));
            if exterior {
                exterior_kept = twice_area != 0;
            }
            if twice_area == 0 {
                continue;
            }
            if !split_lobes(&self.ring, &mut self.scratch, &mut self.lobes) {
                self.add(exterior, twice_area);
                continue;
            }
            // A ring pinched to a point at this zoom: each lobe turning the ring's way becomes a
            // ring of its own (an exterior lobe its own polygon); lobes turned inside out or
            // without area were folds and are dropped.
            let mut lobes = std::mem::take(&mut self.lobes);
            let mut first = true;
            for lobe in lobes.drain(..) {
                let area = twice_area_i64(&lobe);
                if area == 0 || (area > 0) != (twice_area > 0) {
                    continue;
                }
                if exterior && !first {
                    self.flush(commands);
                }
                first = false;
                self.ring = lobe;
                self.add(exterior, area);
            }
            self.lobes = lobes;
        }
        self.flush(commands);
    }

    /// Quantises `ring` into `self.ring`, clips it if it reaches past the clip square, and
    /// returns twice its signed area, or 0 if nothing with area is left.
    fn prepare(&mut self, frame: &TileFrame, ring: &[[f64; 2]]) -> i64 {
        self.ring.clear();
        self.ring.extend(ring.iter().map(|&p| frame.quantise(p)));
        clean_ring(&mut self.ring);
        let (lo, hi) = (frame.lo, frame.hi);
        let within = |p: &[i64; 2]| (lo..=hi).contains(&p[0]) && (lo..=hi).contains(&p[1]);
        if !self.ring.iter().all(within) {
            clip_ring(&self.ring, lo, hi, &mut self.clipped, &mut self.scratch);
            std::mem::swap(&mut self.ring, &mut self.clipped);
            clean_ring(&mut self.ring);
        }
        if self.ring.len() < 3 {
            return 0;
        }
        twice_area_i64(&self.ring)
    }

    fn add(&mut self, exterior: bool, twice_area: i64) {
        let start = self.polygon.len();
        self.polygon
            .extend(self.ring.iter().map(|p| [p[0] as i32, p[1] as i32]));
        if (twice_area > 0) != exterior {
            self.polygon[start..].reverse();
        }
        self.polygon_rings.push(start..self.polygon.len());
        self.polygon_area += if exterior {
            twice_area.abs()
        } else {
            -twice_area.abs()
        };
    }

    /// Emits the polygon assembled so far, unless its holes leave nothing of it (a hole and its
    /// exterior both clipped to the whole square), and starts the next.
    fn flush(&mut self, commands: &mut Commands) {
        if self.polygon_area > 0 {
            for ring in &self.polygon_rings {
                commands.ring(&self.polygon[ring.clone()]);
            }
        }
        self.polygon.clear();
        self.polygon_rings.clear();
        self.polygon_area = 0;
    }
}
