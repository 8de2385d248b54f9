//! Incident events (110 and 12345 calls, grid workers' reports): points in time that leaders
//! count. They change no boundary, so they never go through a snapshot: an [`EventLog`] keeps
//! them in columns sorted by time, each already located to its grid, beat and station and to an
//! H3 cell, so a count over any window is one pass over a slice.
//!
//! ```
//! use onemap_index::events::{Event, EventLog, Selection, Source};
//! use onemap_index::{City, Snapshot};
//!
//! let s = Snapshot::build(City::default(), 0);
//! let mut log = EventLog::default();
//! let call = Event {
//!     seq: 1,
//!     time: 1_750_000_000,
//!     lng: 121.42,
//!     lat: 28.65,
//!     category: "纠纷".into(),
//!     source: Source::Police110,
//!     text: None,
//! };
//! log.append(vec![call], &s);
//! let all = log.select(&Selection::default());
//! assert_eq!(log.count(&all), 1);
//! ```

use crate::cells::NONE;
use crate::model::Layer;
use crate::snapshot::Snapshot;
use h3o::{CellIndex, LatLng, Resolution};
use rustc_hash::FxHashMap;
use std::collections::BTreeSet;
use std::ops::Range;
use std::sync::OnceLock;

/// Where an incident was reported from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// 110 police calls.
    Police110,
    /// The 12345 government service hotline.
    Hotline12345,
    /// 网格上报: reported by a grid worker on patrol.
    GridReport,
    /// 视频巡查: seen on a camera by the video patrol.
    VideoPatrol,
}

impl Source {
    pub const ALL: [Source; 4] = [
        Source::Police110,
        Source::Hotline12345,
        Source::GridReport,
        Source::VideoPatrol,
    ];

    /// The name callers and stores use.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Police110 => "110",
            Source::Hotline12345 => "12345",
            Source::GridReport => "网格上报",
            Source::VideoPatrol => "视频巡查",
        }
    }

    /// The source called `name`, if it is one.
    pub fn parse(name: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|s| s.as_str() == name)
    }
}

/// One incident as reported: where, when, what and through which channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Event {
    /// The store's sequence number (0 before it is stored): append order, never reused.
    pub seq: u64,
    /// Unix seconds, UTC.
    pub time: i64,
    pub lng: f64,
    pub lat: f64,
    /// 治安, 交通, 纠纷, 求助, 咨询, 投诉, …: free text, counted as given.
    pub category: String,
    pub source: Source,
    /// What the caller said; may name people, so only the store keeps it.
    pub text: Option<String>,
}

/// The H3 resolutions kept per event, coarsest first. Each is the point's own cell at that
/// resolution: H3 cells do not nest exactly, so a coarse cell is not always the parent of the
/// fine one, and the reference library answers with the point's own.
pub const RESOLUTIONS: [Resolution; 7] = [
    Resolution::Five,
    Resolution::Six,
    Resolution::Seven,
    Resolution::Eight,
    Resolution::Nine,
    Resolution::Ten,
    Resolution::Eleven,
];

/// Which events a question is about: a half-open time window and optional category and
/// source. `None` bounds are open.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Selection {
    pub from: Option<i64>,
    pub to: Option<i64>,
    pub category: Option<String>,
    pub source: Option<Source>,
}

/// A [`Selection`] resolved against one log: the rows of its window and the codes to match.
#[derive(Clone, Debug)]
pub struct Rows {
    range: Range<usize>,
    /// `Some(None)`: a category the log has never seen, so nothing matches.
    category: Option<Option<u16>>,
    source: Option<Source>,
}

/// Every event, in columns sorted by time (ties in arrival order), with where each fell.
#[derive(Default)]
pub struct EventLog {
    rows: Columns,
    categories: Vec<String>,
    category_code: FxHashMap<String, u16>,
    places: Places,
    /// Every sequence number up to this one is held: where reading a store goes on from.
    held_through: u64,
    /// Numbers held beyond `held_through` (this node's own appends can overtake what it has
    /// read of other nodes' appends).
    ahead: BTreeSet<u64>,
    /// Per resolution of [`RESOLUTIONS`], each row's H3 cell (`None` only for coordinates H3
    /// cannot take): worked out on the first heatmap at that resolution, since seven cells an
    /// event would double the time a node takes to start.
    cells: [OnceLock<Vec<Option<CellIndex>>>; RESOLUTIONS.len()],
}

/// The events' columns, one row an event.
#[derive(Default)]
struct Columns {
    seq: Vec<u64>,
    time: Vec<i64>,
    at: Vec<[f64; 2]>,
    category: Vec<u16>,
    source: Vec<Source>,
    /// The deepest grid, the beat and the station, as [`Places`] codes ([`NONE`]: outside).
    grid: Vec<u32>,
    beat: Vec<u32>,
    station: Vec<u32>,
}

impl Columns {
    fn len(&self) -> usize {
        self.time.len()
    }

    /// Appends row `i` of `from`.
    fn push_row(&mut self, from: &Columns, i: usize) {
        self.seq.push(from.seq[i]);
        self.time.push(from.time[i]);
        self.at.push(from.at[i]);
        self.category.push(from.category[i]);
        self.source.push(from.source[i]);
        self.grid.push(from.grid[i]);
        self.beat.push(from.beat[i]);
        self.station.push(from.station[i]);
    }

    /// The rows of `self` and `other` (both sorted by time) in time order, `self`'s first
    /// among equal times.
    fn merged(self, other: &Columns) -> Columns {
        let mut out = Columns::default();
        let (mut i, mut j) = (0, 0);
        while i < self.len() || j < other.len() {
            if j == other.len() || (i < self.len() && self.time[i] <= other.time[j]) {
                out.push_row(&self, i);
                i += 1;
            } else {
                out.push_row(other, j);
                j += 1;
            }
        }
        out
    }
}

/// Feature ids as small codes, stable across snapshots (feature indices are not).
#[derive(Default)]
struct Places {
    keys: Vec<(Layer, String)>,
    code: FxHashMap<(Layer, String), u32>,
}

impl Places {
    fn code(&mut self, s: &Snapshot, i: Option<u32>) -> u32 {
        let Some(i) = i else { return NONE };
        let f = s.feature(i);
        let key = (f.layer(), f.id.clone());
        if let Some(&c) = self.code.get(&key) {
            return c;
        }
        let c = u32::try_from(self.keys.len()).unwrap_or(NONE);
        self.keys.push(key.clone());
        self.code.insert(key, c);
        c
    }

    /// Per code, the feature index in `s` ([`NONE`] where the feature is gone).
    fn in_snapshot(&self, s: &Snapshot) -> Vec<u32> {
        self.keys
            .iter()
            .map(|(layer, id)| s.index_of(*layer, id).unwrap_or(NONE))
            .collect()
    }
}

/// Per feature of a snapshot, event counts by category ([`EventLog::counts`]).
pub struct PlaceCounts {
    width: usize,
    by_category: Vec<u32>,
    /// Events that fell in no grid, beat or station.
    pub unplaced: u32,
}

impl PlaceCounts {
    /// Feature `i`'s counts, in [`EventLog::categories`] order.
    pub fn of(&self, i: u32) -> &[u32] {
        let at = i as usize * self.width;
        self.by_category
            .get(at..at + self.width)
            .unwrap_or_default()
    }

    /// Feature `i`'s count over every category.
    pub fn total(&self, i: u32) -> u32 {
        self.of(i).iter().sum()
    }
}

impl EventLog {
    /// How many events the log holds.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.len() == 0
    }

    /// The number up to which every event is held (store numbers have no gaps): where
    /// reading a store goes on from.
    pub fn last_seq(&self) -> u64 {
        self.held_through
    }

    /// The first and last event times, if any.
    pub fn span(&self) -> Option<(i64, i64)> {
        Some((*self.rows.time.first()?, *self.rows.time.last()?))
    }

    /// The categories seen, in the order first seen.
    pub fn categories(&self) -> &[String] {
        &self.categories
    }

    /// Adds `events`, locating each in `s`. Events already held (by sequence number; 0 is
    /// never held) are skipped, so reading a store's tail again is harmless.
    pub fn append(&mut self, mut events: Vec<Event>, s: &Snapshot) {
        events.retain(|e| e.seq == 0 || (e.seq > self.held_through && self.ahead.insert(e.seq)));
        while self.ahead.first() == Some(&(self.held_through + 1)) {
            self.ahead.pop_first();
            self.held_through += 1;
        }
        if events.is_empty() {
            return;
        }
        events.sort_by_key(|e| e.time);
        let points: Vec<[f64; 2]> = events.iter().map(|e| [e.lng, e.lat]).collect();
        let placed = self.place(&points, s);
        let in_order = self.rows.time.last().is_none_or(|&t| t <= events[0].time);
        let mut batch = Columns::default();
        for (e, [grid, beat, station]) in events.into_iter().zip(placed) {
            batch.seq.push(e.seq);
            batch.time.push(e.time);
            batch.at.push([e.lng, e.lat]);
            let category = self.category_code(e.category);
            batch.category.push(category);
            batch.source.push(e.source);
            batch.grid.push(grid);
            batch.beat.push(beat);
            batch.station.push(station);
        }
        if in_order {
            for (column, r) in self.cells.iter_mut().zip(RESOLUTIONS) {
                if let Some(cells) = column.get_mut() {
                    cells.extend(batch.at.iter().map(|p| cell_of(p, r)));
                }
            }
            for i in 0..batch.len() {
                self.rows.push_row(&batch, i);
            }
        } else {
            // Rows move: the cells are worked out again when next asked for.
            self.cells = Default::default();
            self.rows = std::mem::take(&mut self.rows).merged(&batch);
        }
    }

    /// Locates again the events inside any of `boxes` (lng/lat), or every event for `None`,
    /// after `s` replaced the snapshot they were located in.
    pub fn relocate(&mut self, s: &Snapshot, boxes: Option<&[[f64; 4]]>) {
        let inside = |p: &[f64; 2]| {
            boxes.is_none_or(|boxes| {
                boxes
                    .iter()
                    .any(|b| p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3])
            })
        };
        let rows: Vec<usize> = (0..self.len())
            .filter(|&i| inside(&self.rows.at[i]))
            .collect();
        let points: Vec<[f64; 2]> = rows.iter().map(|&i| self.rows.at[i]).collect();
        let placed = self.place(&points, s);
        for (i, [grid, beat, station]) in rows.into_iter().zip(placed) {
            self.rows.grid[i] = grid;
            self.rows.beat[i] = beat;
            self.rows.station[i] = station;
        }
    }

    /// The rows `selection` covers.
    pub fn select(&self, selection: &Selection) -> Rows {
        let time = &self.rows.time;
        let from = selection
            .from
            .map_or(0, |t| time.partition_point(|&x| x < t));
        let to = selection
            .to
            .map_or(time.len(), |t| time.partition_point(|&x| x < t));
        Rows {
            range: from..to.max(from),
            category: selection
                .category
                .as_ref()
                .map(|c| self.category_code.get(c).copied()),
            source: selection.source,
        }
    }

    /// The rows of `rows` that match its category and source.
    fn matching<'a>(&'a self, rows: &'a Rows) -> impl Iterator<Item = usize> + 'a {
        let range = match rows.category {
            Some(None) => 0..0,
            _ => rows.range.clone(),
        };
        range.filter(move |&i| {
            rows.category
                .flatten()
                .is_none_or(|c| self.rows.category[i] == c)
                && rows.source.is_none_or(|s| self.rows.source[i] == s)
        })
    }

    /// How many events `rows` holds.
    pub fn count(&self, rows: &Rows) -> usize {
        if rows.category.is_none() && rows.source.is_none() {
            return rows.range.len();
        }
        self.matching(rows).count()
    }

    /// Per feature of `s` (by index), how many of `rows` fell in it, per category. A grid
    /// counts the events of every grid below it; a beat and a station their own.
    pub fn counts(&self, rows: &Rows, s: &Snapshot) -> PlaceCounts {
        let width = self.categories.len();
        let mut by_place = vec![0u32; self.places.keys.len() * width];
        let mut unplaced = 0u32;
        for i in self.matching(rows) {
            let c = self.rows.category[i] as usize;
            let places = [self.rows.grid[i], self.rows.beat[i], self.rows.station[i]];
            if places == [NONE; 3] {
                unplaced += 1;
            }
            for place in places.into_iter().filter(|&p| p != NONE) {
                by_place[place as usize * width + c] += 1;
            }
        }
        let mut by_category = vec![0u32; s.features().len() * width];
        for (code, &f) in self.places.in_snapshot(s).iter().enumerate() {
            if f == NONE {
                continue;
            }
            let counts = &by_place[code * width..(code + 1) * width];
            let mut targets = vec![f];
            if s.feature(f).layer() == Layer::Grid {
                targets.extend(s.ancestors(f));
            }
            for t in targets {
                let row = &mut by_category[t as usize * width..(t as usize + 1) * width];
                for (into, n) in row.iter_mut().zip(counts) {
                    *into += n;
                }
            }
        }
        PlaceCounts {
            width,
            by_category,
            unplaced,
        }
    }

    /// How many of `rows` fall in each H3 cell of `resolution` (one of [`RESOLUTIONS`];
    /// nothing for another), in cell order; with `within`, only the events inside that
    /// lng/lat box (a map tile grown by a cell's width: what the tile's hexagons hold).
    pub fn heatmap(
        &self,
        rows: &Rows,
        resolution: Resolution,
        within: Option<[f64; 4]>,
    ) -> Vec<(CellIndex, u32)> {
        let Some(r) = RESOLUTIONS.iter().position(|&x| x == resolution) else {
            return Vec::new();
        };
        let column = self.cells[r].get_or_init(|| {
            self.rows
                .at
                .iter()
                .map(|p| cell_of(p, resolution))
                .collect()
        });
        let inside = |i: usize| {
            let p = self.rows.at[i];
            within.is_none_or(|b| p[0] >= b[0] && p[0] <= b[2] && p[1] >= b[1] && p[1] <= b[3])
        };
        let mut cells: FxHashMap<CellIndex, u32> = FxHashMap::default();
        for i in self.matching(rows).filter(|&i| inside(i)) {
            if let Some(cell) = column[i] {
                *cells.entry(cell).or_default() += 1;
            }
        }
        let mut cells: Vec<(CellIndex, u32)> = cells.into_iter().collect();
        cells.sort_unstable_by_key(|&(cell, _)| cell);
        cells
    }

    /// How many of `rows` fall in each bucket of `bucket_s` seconds from `origin`, per
    /// category: `(bucket start, counts in category order)`, empty buckets included, up to
    /// the last bucket with any.
    pub fn trend(&self, rows: &Rows, origin: i64, bucket_s: i64) -> Vec<(i64, Vec<u32>)> {
        let width = self.categories.len();
        let bucket_s = bucket_s.max(1);
        let mut buckets: Vec<(i64, Vec<u32>)> = Vec::new();
        for i in self.matching(rows) {
            let Ok(b) = usize::try_from((self.rows.time[i] - origin).div_euclid(bucket_s)) else {
                continue;
            };
            while buckets.len() <= b {
                let start = origin + buckets.len() as i64 * bucket_s;
                buckets.push((start, vec![0; width]));
            }
            buckets[b].1[self.rows.category[i] as usize] += 1;
        }
        buckets
    }

    /// Where each point falls in `s`: grid, beat and station codes.
    fn place(&mut self, points: &[[f64; 2]], s: &Snapshot) -> Vec<[u32; 3]> {
        s.locate_all(points)
            .into_iter()
            .map(|hit| [hit.grid, hit.beat, hit.station].map(|i| self.places.code(s, i)))
            .collect()
    }

    fn category_code(&mut self, name: String) -> u16 {
        if let Some(&c) = self.category_code.get(&name) {
            return c;
        }
        // Past 65,535 categories every new one shares the last code: categories are a short
        // list in practice, and a flood of distinct ones must not fail an import.
        let c = u16::try_from(self.categories.len()).unwrap_or(u16::MAX);
        if usize::from(c) == self.categories.len() {
            self.categories.push(name.clone());
        }
        self.category_code.insert(name, c);
        c
    }
}

/// The H3 cell of a `[lng, lat]` point at `resolution`.
fn cell_of(p: &[f64; 2], resolution: Resolution) -> Option<CellIndex> {
    LatLng::new(p[1], p[0])
        .ok()
        .map(|at| at.to_cell(resolution))
}
