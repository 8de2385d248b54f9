//! Search by name or id, as dispatchers type: any part of a name, in digits or Chinese
//! numerals alike (海里社区第五网格 finds 海里社区第5网格), full-width or half-width, over every
//! kind of feature, cameras and compounds included. Each hit says who answers for it.
//!
//! The index maps each pair of adjacent characters of the normalised names and ids to the
//! features holding it; a query checks only the features holding its rarest pair. It is
//! built on a snapshot's first search, so edits do not pay for it.

use crate::{Layer, Snapshot};
use geo::InteriorPoint;
use rustc_hash::FxHashMap;

/// One feature's normalised text: its name, then a separator no query holds, then its id.
struct Entry {
    feature: u32,
    text: String,
    /// Where the id starts in `text`.
    id_at: usize,
}

/// The index of one snapshot's names and ids.
#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Each character pair → entries holding it, in entry order.
    pairs: FxHashMap<[char; 2], Vec<u32>>,
    /// Each character → entries holding it, for one-character queries.
    singles: FxHashMap<char, Vec<u32>>,
}

/// How well a feature matches, best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Match {
    /// The whole name or the whole id.
    Exact,
    /// The start of the name.
    NamePrefix,
    /// The start of the id.
    IdPrefix,
    /// Anywhere in the name or id.
    Inside,
}

/// Who answers for a found feature: for a grid, itself, the beat holding most of it and that
/// beat's station; for a beat, itself and its station; for a camera, the grid, beat and
/// station holding it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Answerers {
    pub grid: Option<u32>,
    pub beat: Option<u32>,
    pub station: Option<u32>,
}

/// One search hit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SearchHit {
    pub feature: u32,
    pub matched: Match,
    pub answerers: Answerers,
}

const SEPARATOR: char = '\u{1}';

impl SearchIndex {
    /// Indexes every feature of `s`.
    pub fn build(s: &Snapshot) -> SearchIndex {
        let mut index = SearchIndex::default();
        for (i, f) in s.features().iter().enumerate() {
            let name = normalise(&f.name);
            let id_at = name.len() + SEPARATOR.len_utf8();
            let text = format!("{name}{SEPARATOR}{}", normalise(&f.id));
            let at = index.entries.len() as u32;
            let chars: Vec<char> = text.chars().collect();
            for c in &chars {
                push_once(index.singles.entry(*c).or_default(), at);
            }
            for pair in chars.windows(2) {
                push_once(index.pairs.entry([pair[0], pair[1]]).or_default(), at);
            }
            index.entries.push(Entry {
                feature: i as u32,
                text,
                id_at,
            });
        }
        index
    }

    /// Features matching `query`, best match first, then shorter names, then areas before
    /// cameras, then by id; at most `limit`.
    pub fn find(&self, s: &Snapshot, query: &str, limit: usize) -> Vec<(u32, Match)> {
        let q = normalise(query);
        let chars: Vec<char> = q.chars().collect();
        let candidates: &[u32] = match chars.as_slice() {
            [] => &[],
            [c] => self.singles.get(c).map_or(&[], Vec::as_slice),
            _ => chars
                .windows(2)
                .map(|p| self.pairs.get(&[p[0], p[1]]).map_or(&[][..], Vec::as_slice))
                .min_by_key(|list| list.len())
                .unwrap_or(&[]),
        };
        let mut found: Vec<(Match, usize, bool, &str, u32)> = candidates
            .iter()
            .filter_map(|&at| {
                let entry = &self.entries[at as usize];
                let matched = entry.matches(&q)?;
                let f = s.feature(entry.feature);
                let camera = f.layer() == Layer::Camera;
                Some((
                    matched,
                    f.name.chars().count(),
                    camera,
                    f.id.as_str(),
                    entry.feature,
                ))
            })
            .collect();
        found.sort_unstable();
        found.truncate(limit);
        found.into_iter().map(|(m, _, _, _, i)| (i, m)).collect()
    }
}

impl Entry {
    fn matches(&self, q: &str) -> Option<Match> {
        let (name, id) = (
            &self.text[..self.id_at - SEPARATOR.len_utf8()],
            &self.text[self.id_at..],
        );
        Some(if name == q || id == q {
            Match::Exact
        } else if name.starts_with(q) {
            Match::NamePrefix
        } else if id.starts_with(q) {
            Match::IdPrefix
        } else if name.contains(q) || id.contains(q) {
            Match::Inside
        } else {
            return None;
        })
    }
}

/// Adds `at` unless it is already the last entry (entries are added in order).
fn push_once(list: &mut Vec<u32>, at: u32) {
    if list.last() != Some(&at) {
        list.push(at);
    }
}

impl Snapshot {
    /// Features whose name or id holds `query`, with who answers for each; at most `limit`.
    ///
    /// ```
    /// use onemap_index::{City, Snapshot};
    /// let empty = Snapshot::build(City::default(), 0);
    /// assert!(empty.search("第五网格", 10).is_empty());
    /// ```
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit> {
        self.search_index()
            .find(self, query, limit)
            .into_iter()
            .map(|(feature, matched)| SearchHit {
                feature,
                matched,
                answerers: self.answerers(feature),
            })
            .collect()
    }

    /// Who answers for feature `i` (see [`Answerers`]).
    pub fn answerers(&self, i: u32) -> Answerers {
        let f = self.feature(i);
        let inside = match (f.point(), f.area()) {
            (Some(p), _) => Some(p),
            (None, Some(area)) => area.interior_point(),
            (None, None) => None,
        };
        let hit = inside
            .map(|p| self.locate(p.x(), p.y()))
            .unwrap_or_default();
        match f.layer() {
            Layer::Grid => {
                let beat = self
                    .assigned_beat(&f.id)
                    .and_then(|(beat, _)| self.index_of(Layer::Beat, beat))
                    .or(hit.beat);
                Answerers {
                    grid: Some(i),
                    beat,
                    station: beat.and_then(|b| self.parent(b)).or(hit.station),
                }
            }
            Layer::Beat => Answerers {
                grid: None,
                beat: Some(i),
                station: self.parent(i).or(hit.station),
            },
            Layer::Station => Answerers {
                station: Some(i),
                ..Answerers::default()
            },
            Layer::Camera => Answerers {
                grid: hit.grid,
                beat: hit.beat,
                station: hit.station,
            },
        }
    }
}

/// Text as search compares it: lower case, half-width, no spaces, and Chinese numerals as
/// Arabic numbers (第十二 → 第12, 二〇二六 → 2026).
///
/// ```
/// use onemap_index::search::normalise;
/// assert_eq!(normalise("海里社区第五网格"), "海里社区第5网格");
/// assert_eq!(normalise("第十二网格"), normalise("第１２网格"));
/// assert_eq!(normalise("一百零五号 Ｇ12"), "105号g12");
/// ```
pub fn normalise(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut numeral: Vec<char> = Vec::new();
    for c in text.chars().map(half_width) {
        if chinese_digit(c).is_some() || chinese_unit(c).is_some() {
            numeral.push(c);
            continue;
        }
        flush_numeral(&mut numeral, &mut out);
        if !c.is_whitespace() {
            out.extend(c.to_lowercase());
        }
    }
    flush_numeral(&mut numeral, &mut out);
    out
}

/// Full-width ASCII forms (Ｇ１２) as ASCII, the ideographic space as a space.
fn half_width(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        other => other,
    }
}

fn chinese_digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn chinese_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// Writes a run of Chinese numerals as an Arabic number and empties it.
fn flush_numeral(run: &mut Vec<char>, out: &mut String) {
    if run.is_empty() {
        return;
    }
    if run.iter().all(|c| chinese_unit(*c).is_none()) {
        // Read digit by digit: 二〇二六 is 2026.
        out.extend(
            run.iter()
                .filter_map(|c| chinese_digit(*c))
                .map(|d| char::from(b'0' + d as u8)),
        );
    } else {
        let (mut total, mut digit) = (0u64, None);
        for c in run.iter() {
            if let Some(d) = chinese_digit(*c) {
                digit = Some(d);
            } else if let Some(unit) = chinese_unit(*c) {
                // 十二: a unit with no digit before it counts once.
                total += digit.take().unwrap_or(1) * unit;
            }
        }
        out.push_str(&(total + digit.unwrap_or(0)).to_string());
    }
    run.clear();
}
