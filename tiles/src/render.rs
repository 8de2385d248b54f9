//! One tile's geometry: world coordinates to quantised, clipped and oriented MVT commands.

use std::ops::Range;

use crate::clip::{clip_ring, Square};
use crate::mvt::Commands;
use crate::rings::{clean_ring, repeated_points, twice_area_i64, Rings};
use crate::tile_id::{round_to_grid, tiles_per_axis, TileId, EXTENT};
use crate::untangle::Untangler;

/// Where a tile sits in world coordinates, and the square its geometry is clipped to.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TileFrame {
    /// Tile units per world unit: `EXTENT · 2^z`, a power of two, so scaling is exact.
    scale: f64,
    /// The tile's corner in tile units of the whole zoom level.
    origin: [f64; 2],
    /// The clip square: the tile grown by the buffer.
    square: Square,
}

impl TileFrame {
    pub fn new(tile: TileId, buffer: u32) -> TileFrame {
        let extent = f64::from(EXTENT);
        TileFrame {
            scale: extent * tiles_per_axis(tile.z),
            origin: [f64::from(tile.x) * extent, f64::from(tile.y) * extent],
            square: Square {
                lo: -i64::from(buffer),
                hi: i64::from(EXTENT) + i64::from(buffer),
            },
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
    on_sides: Vec<(usize, i64, usize)>,
    /// The rings of the polygon being assembled, already oriented: the exterior, then holes.
    polygon: Vec<[i64; 2]>,
    polygon_rings: Vec<Range<usize>>,
    /// Whether clipping tangled those rings along the square's sides.
    bridged: bool,
    /// The points the polygon's rings pass through more than once.
    repeated: Vec<[i64; 2]>,
    untangler: Untangler,
}

impl AreaEncoder {
    /// Adds to `commands` the polygons whose rings are `rings.spans[spans]`, clipped to the
    /// frame, exteriors clockwise on screen (positive area, as MVT 2.1 wants) and holes the
    /// other way, every ring simple. Rings left without area are dropped, and with an exterior
    /// its holes.
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
                self.flush(frame, commands);
            } else if !exterior_kept {
                continue;
            }
            let (twice_area, clipped) = self.prepare(frame, rings.ring(r));
            if exterior {
                exterior_kept = twice_area != 0;
            }
            if twice_area != 0 {
                self.bridged |= clipped && self.bridges(frame, exterior);
                self.add(exterior, twice_area);
            }
        }
        self.flush(frame, commands);
    }

    /// Quantises `ring` into `self.ring` and clips it if it reaches past the clip square;
    /// returns twice its signed area, or 0 if nothing with area is left, and whether it was
    /// clipped.
    fn prepare(&mut self, frame: &TileFrame, ring: &[[f64; 2]]) -> (i64, bool) {
        self.ring.clear();
        self.ring.extend(ring.iter().map(|&p| frame.quantise(p)));
        clean_ring(&mut self.ring);
        let clipped = !self.ring.iter().all(|&p| frame.square.contains(p));
        if clipped {
            clip_ring(
                &self.ring,
                frame.square,
                &mut self.clipped,
                &mut self.scratch,
            );
            std::mem::swap(&mut self.ring, &mut self.clipped);
            clean_ring(&mut self.ring);
        }
        if self.ring.len() < 3 {
            return (0, clipped);
        }
        (twice_area_i64(&self.ring), clipped)
    }

    /// Whether clipping made the prepared ring run over a stretch of the square's side that
    /// another part of the polygon runs along: an exterior whose parts it joined by bridges, or
    /// a hole it opened onto a side, where it runs back along its exterior. A pass over the
    /// ring's vertices on the sides.
    fn bridges(&mut self, frame: &TileFrame, exterior: bool) -> bool {
        !exterior || frame.square.touches_itself(&self.ring, &mut self.on_sides)
    }

    fn add(&mut self, exterior: bool, twice_area: i64) {
        let start = self.polygon.len();
        self.polygon.extend_from_slice(&self.ring);
        if (twice_area > 0) != exterior {
            self.polygon[start..].reverse();
        }
        self.polygon_rings.push(start..self.polygon.len());
    }

    /// Emits the polygon assembled so far, untangled if its rings touch or overlap themselves
    /// or each other, and starts the next. Finding the points the rings repeat sorts a copy of
    /// the polygon; untangling costs about as much again, for the few polygons that need it.
    fn flush(&mut self, frame: &TileFrame, commands: &mut Commands) {
        let pinched = repeated_points(&self.polygon, &mut self.repeated);
        if pinched || self.bridged {
            self.untangler.untangle(
                &self.polygon,
                &self.polygon_rings,
                frame.square,
                &self.repeated,
            );
            for ring in self.untangler.rings() {
                commands.ring(ring);
            }
        } else {
            for ring in &self.polygon_rings {
                commands.ring(&self.polygon[ring.clone()]);
            }
        }
        self.polygon.clear();
        self.polygon_rings.clear();
        self.bridged = false;
    }
}
