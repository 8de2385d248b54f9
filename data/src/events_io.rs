//! Incident events in and out: GeoJSON, newline-delimited GeoJSON and CSV bodies, and the
//! times they carry.
//!
//! A GeoJSON event is a Point feature with `time` (RFC 3339), `category`, `source` and an
//! optional `text`; a CSV has a header naming `lng`, `lat` (or `longitude`/`latitude`, `x`/`y`,
//! or one `wkt` column), `time`, `category`, `source` and optionally `text`. One bad event
//! refuses the whole body, naming where it is, so an import is all or nothing.
//!
//! ```
//! use onemap_data::events_io::{parse_events, EventFormat};
//!
//! let csv = "lng,lat,time,category,source\n121.42,28.65,2026-06-30T08:15:00+08:00,纠纷,110\n";
//! let events = parse_events(csv.as_bytes(), EventFormat::Csv)?;
//! assert_eq!(events[0].time, 1_782_778_500);
//! # Ok::<(), onemap_data::events_io::EventError>(())
//! ```

use onemap_index::events::{Event, Source};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;
use time::macros::{format_description, offset};
use time::{Date, OffsetDateTime};

/// What is wrong with an events body, and where.
#[derive(Debug, thiserror::Error)]
#[error("{at}: {message}")]
pub struct EventError {
    /// "line 12", "feature 3", "the body".
    pub at: String,
    pub message: String,
}

/// The formats an events body may come in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventFormat {
    /// A FeatureCollection (or one Feature).
    GeoJson,
    /// One Feature a line (`application/x-ndjson`, `application/geo+json-seq`).
    NdJson,
    Csv,
}

impl EventFormat {
    /// The format a `Content-Type` names, if it names one.
    pub fn named(content_type: &str) -> Option<EventFormat> {
        let kind = content_type.to_ascii_lowercase();
        if kind.contains("csv") {
            Some(EventFormat::Csv)
        } else if kind.contains("ndjson") || kind.contains("json-seq") || kind.contains("jsonl") {
            Some(EventFormat::NdJson)
        } else {
            None
        }
    }

    /// The format a `Content-Type` names, else the one the body looks like.
    pub fn of(content_type: Option<&str>, body: &[u8]) -> EventFormat {
        if let Some(named) = content_type.and_then(EventFormat::named) {
            return named;
        }
        let text = body
            .iter()
            .position(|b| !b.is_ascii_whitespace() && *b != 0x1e)
            .map_or(&body[..0], |start| &body[start..]);
        if !text.starts_with(b"{") && !text.starts_with(b"[") {
            return EventFormat::Csv;
        }
        let first_line = text.split(|&b| b == b'\n').next().unwrap_or_default();
        let more_lines = text[first_line.len()..]
            .iter()
            .any(|b| !b.is_ascii_whitespace());
        match serde_json::from_slice::<RawFeature>(first_line) {
            Ok(_) if more_lines => EventFormat::NdJson,
            _ => EventFormat::GeoJson,
        }
    }
}

/// Parses `body` as `format`; every event gets sequence number 0 (the store numbers them).
pub fn parse_events(body: &[u8], format: EventFormat) -> Result<Vec<Event>, EventError> {
    let mut reader = EventReader::of(format);
    reader.push(body)?;
    reader.finish().map(|(_, events)| events)
}

/// Bodies larger than this decide their format from what has arrived so far.
const SNIFF_BYTES: usize = 1 << 16;

/// Reads events from a body as it arrives: NDJSON and CSV record by record, so a bad record
/// refuses the body before the rest is sent and only one record is held at a time; a GeoJSON
/// FeatureCollection is one document and is read when it is whole.
///
/// ```
/// use onemap_data::events_io::EventReader;
///
/// let mut reader = EventReader::new(Some("text/csv"));
/// reader.push(b"lng,lat,time,category,source\n121.4,28.6,2026-06-30,")?;
/// reader.push(b"\xe7\xba\xa0\xe7\xba\xb7,110\n")?;
/// assert_eq!(reader.finish()?.1[0].category, "纠纷");
/// # Ok::<(), onemap_data::events_io::EventError>(())
/// ```
pub struct EventReader {
    content_type: Option<String>,
    format: Option<EventFormat>,
    /// What has arrived and is not yet read: a partial record, or a whole GeoJSON document.
    held: Vec<u8>,
    /// Lines read so far, for naming where a bad record is.
    lines: usize,
    /// A CSV's columns, once its header is read.
    columns: Option<Columns>,
    events: Vec<Event>,
}

impl EventReader {
    /// A reader for a body sent with `content_type`; without one that names the format, the
    /// format is told from the body.
    pub fn new(content_type: Option<&str>) -> EventReader {
        let format = content_type.and_then(EventFormat::named);
        EventReader {
            content_type: content_type.map(str::to_string),
            format,
            held: Vec::new(),
            lines: 0,
            columns: None,
            events: Vec::new(),
        }
    }

    /// A reader for a body known to be `format`.
    pub fn of(format: EventFormat) -> EventReader {
        EventReader {
            format: Some(format),
            ..EventReader::new(None)
        }
    }

    /// Takes the next piece of the body and reads every record it completes.
    pub fn push(&mut self, chunk: &[u8]) -> Result<(), EventError> {
        self.held.extend_from_slice(chunk);
        if self.format.is_none() {
            let lines = self.held.iter().filter(|&&b| b == b'\n').count();
            if lines < 2 && self.held.len() < SNIFF_BYTES {
                return Ok(());
            }
            self.format = Some(EventFormat::of(self.content_type.as_deref(), &self.held));
        }
        self.read_records(false)
    }

    /// Reads what is left at the end of the body: the body's format and every event, in
    /// body order.
    pub fn finish(mut self) -> Result<(EventFormat, Vec<Event>), EventError> {
        let format = match self.format {
            Some(format) => format,
            None => EventFormat::of(self.content_type.as_deref(), &self.held),
        };
        self.format = Some(format);
        if format == EventFormat::GeoJson {
            let held = std::mem::take(&mut self.held);
            return Ok((format, parse_geojson(utf8(&held, "the body")?)?));
        }
        self.read_records(true)?;
        Ok((format, self.events))
    }

    /// Reads the complete records held (and, at the end, the last one without a newline).
    fn read_records(&mut self, at_end: bool) -> Result<(), EventError> {
        let Some(format) = self.format.filter(|f| *f != EventFormat::GeoJson) else {
            return Ok(());
        };
        let mut start = 0;
        while let Some(end) = record_end(&self.held[start..], format).map(|n| start + n) {
            self.read_record(format, start, end)?;
            start = end + 1;
        }
        if at_end && start < self.held.len() {
            self.read_record(format, start, self.held.len())?;
            start = self.held.len();
        }
        self.held.drain(..start);
        Ok(())
    }

    fn read_record(
        &mut self,
        format: EventFormat,
        start: usize,
        end: usize,
    ) -> Result<(), EventError> {
        let line = self.lines + 1;
        self.lines += self.held[start..end]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        let at = format!("line {line}");
        let text = utf8(&self.held[start..end], &at)?.trim_start_matches('\u{feff}');
        let blank = text.trim_matches(['\u{1e}', ' ', '\t', '\r']).is_empty();
        if blank {
            return Ok(());
        }
        let read = match format {
            EventFormat::NdJson => {
                match serde_json::from_str::<RawFeature>(text.trim_start_matches('\u{1e}')) {
                    Ok(raw) => raw.event(),
                    Err(e) => Err(format!("is not a GeoJSON event feature: {e}")),
                }
            }
            _ => match &self.columns {
                None => {
                    self.columns =
                        Some(Columns::of_header(text).map_err(|message| EventError {
                            at: at.clone(),
                            message,
                        })?);
                    return Ok(());
                }
                Some(columns) => columns.event(text),
            },
        };
        let event = read.map_err(|message| EventError { at, message })?;
        self.events.push(event);
        Ok(())
    }
}

/// Where the first record of `held` ends (its newline), if it has arrived whole. A CSV record
/// may hold newlines inside quotes.
fn record_end(held: &[u8], format: EventFormat) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in held.iter().enumerate() {
        match b {
            b'"' if format == EventFormat::Csv => quoted = !quoted,
            b'\n' if !quoted => return Some(i),
            _ => {}
        }
    }
    None
}

/// `bytes` as text, or an error at `at` saying how to make it UTF-8.
fn utf8<'a>(bytes: &'a [u8], at: &str) -> Result<&'a str, EventError> {
    std::str::from_utf8(bytes).map_err(|e| EventError {
        at: at.to_string(),
        message: format!(
            "is not UTF-8 text ({e}); save it as UTF-8 (a GBK file from Excel: `iconv -f GBK -t UTF-8`)"
        ),
    })
}

fn parse_geojson(text: &str) -> Result<Vec<Event>, EventError> {
    #[derive(Deserialize)]
    #[serde(tag = "type")]
    enum Body {
        FeatureCollection { features: Vec<RawFeature> },
        Feature(RawFeature),
    }
    let body: Body = serde_json::from_str(text).map_err(|e| EventError {
        at: "the body".into(),
        message: format!(
            "is not a GeoJSON FeatureCollection of events: {e} (each feature needs a Point \
             geometry and the properties time, category and source)"
        ),
    })?;
    let features = match body {
        Body::FeatureCollection { features } => features,
        Body::Feature(f) => vec![f],
    };
    features
        .into_iter()
        .enumerate()
        .map(|(n, f)| {
            f.event().map_err(|message| EventError {
                at: format!("feature {}", n + 1),
                message,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct RawFeature {
    #[serde(rename = "type")]
    kind: String,
    geometry: Option<RawPoint>,
    properties: RawProperties,
}

#[derive(Deserialize)]
struct RawPoint {
    #[serde(rename = "type")]
    kind: String,
    coordinates: Vec<f64>,
}

#[derive(Deserialize)]
struct RawProperties {
    time: String,
    category: String,
    source: String,
    #[serde(default)]
    text: Option<String>,
}

impl RawFeature {
    fn event(self) -> Result<Event, String> {
        if self.kind != "Feature" {
            return Err(format!("has type `{}`; events are Features", self.kind));
        }
        let point = self
            .geometry
            .filter(|g| g.kind == "Point")
            .ok_or("needs a Point geometry: where the incident happened")?;
        let [lng, lat] = point.coordinates[..] else {
            return Err("its Point needs exactly [longitude, latitude]".into());
        };
        let p = self.properties;
        event(lng, lat, &p.time, p.category, &p.source, p.text)
    }
}

/// One event from its parts, each checked.
fn event(
    lng: f64,
    lat: f64,
    time: &str,
    category: String,
    source: &str,
    text: Option<String>,
) -> Result<Event, String> {
    if !(lng.is_finite() && lat.is_finite() && lng.abs() <= 180.0 && lat.abs() <= 90.0) {
        return Err(format!(
            "position [{lng}, {lat}] is not a longitude and latitude in degrees"
        ));
    }
    let category = category.trim().to_string();
    if category.is_empty() || category.chars().count() > 32 {
        return Err("`category` must be a name of 1 to 32 characters, e.g. 纠纷".into());
    }
    let source = Source::parse(source.trim()).ok_or_else(|| {
        let known: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        format!("`source` is `{source}`; use one of {}", known.join(", "))
    })?;
    Ok(Event {
        seq: 0,
        time: parse_time(time).map_err(|e| format!("`time`: {e}"))?,
        lng,
        lat,
        category,
        source,
        text: text.filter(|t| !t.trim().is_empty()),
    })
}

/// Which CSV columns hold what, from the header.
struct Columns {
    position: Position,
    time: usize,
    category: usize,
    source: usize,
    text: Option<usize>,
}

impl Columns {
    fn of_header(line: &str) -> Result<Columns, String> {
        let header = one_record(line).map_err(|e| format!("is not a CSV header: {e}"))?;
        let column = |names: &[&str]| {
            header
                .iter()
                .position(|h| names.iter().any(|n| h.eq_ignore_ascii_case(n)))
        };
        let missing = |what: &str| {
            format!(
                "the header has no `{what}` column; name the columns lng, lat (or wkt), time, \
                 category, source and, if you like, text"
            )
        };
        let position = match (
            column(&["lng", "lon", "longitude", "x"]),
            column(&["lat", "latitude", "y"]),
            column(&["wkt"]),
        ) {
            (Some(x), Some(y), _) => Position::LngLat(x, y),
            (_, _, Some(w)) => Position::Wkt(w),
            _ => return Err(missing("lng")),
        };
        Ok(Columns {
            position,
            time: column(&["time"]).ok_or_else(|| missing("time"))?,
            category: column(&["category"]).ok_or_else(|| missing("category"))?,
            source: column(&["source"]).ok_or_else(|| missing("source"))?,
            text: column(&["text"]),
        })
    }

    fn event(&self, line: &str) -> Result<Event, String> {
        let record = one_record(line).map_err(|e| format!("cannot be read: {e}"))?;
        let field = |i: usize| record.get(i).unwrap_or_default();
        let (lng, lat) = self.position.read(&field)?;
        event(
            lng,
            lat,
            field(self.time),
            field(self.category).to_string(),
            field(self.source),
            self.text.map(|t| field(t).to_string()),
        )
    }
}

/// One CSV record, its fields trimmed.
fn one_record(line: &str) -> Result<csv::StringRecord, csv::Error> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .trim(csv::Trim::All)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .unwrap_or_else(|| Ok(csv::StringRecord::new()))
}

/// Where a CSV keeps the position.
enum Position {
    LngLat(usize, usize),
    Wkt(usize),
}

impl Position {
    fn read<'a>(&self, field: &impl Fn(usize) -> &'a str) -> Result<(f64, f64), String> {
        let number = |s: &str, what: &str| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| format!("{what} `{s}` is not a number"))
        };
        match *self {
            Position::LngLat(x, y) => Ok((
                number(field(x), "longitude")?,
                number(field(y), "latitude")?,
            )),
            Position::Wkt(w) => {
                let wkt = field(w).trim();
                let inner = wkt
                    .get(..5)
                    .filter(|p| p.eq_ignore_ascii_case("point"))
                    .and_then(|_| wkt[5..].trim().strip_prefix('('))
                    .and_then(|rest| rest.strip_suffix(')'))
                    .ok_or_else(|| format!("`{wkt}` is not a WKT POINT(lng lat)"))?;
                let mut parts = inner.split_whitespace();
                match (parts.next(), parts.next(), parts.next()) {
                    (Some(x), Some(y), None) => {
                        Ok((number(x, "longitude")?, number(y, "latitude")?))
                    }
                    _ => Err(format!("`{wkt}` is not a WKT POINT(lng lat)")),
                }
            }
        }
    }
}

/// Unix seconds from RFC 3339 (`2026-06-30T08:15:00+08:00`) or a date (`2026-06-30`, the
/// start of that day in China Standard Time, UTC+8, as people there mean it).
///
/// ```
/// use onemap_data::events_io::parse_time;
/// assert_eq!(parse_time("2026-06-30"), parse_time("2026-06-29T16:00:00Z"));
/// assert!(parse_time("30/06/2026").is_err());
/// ```
pub fn parse_time(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.unix_timestamp());
    }
    Date::parse(text, format_description!("[year]-[month]-[day]"))
        .map(|d| d.midnight().assume_offset(offset!(+8)).unix_timestamp())
        .map_err(|_| {
            format!(
                "`{text}` is neither an RFC 3339 time (2026-06-30T08:15:00+08:00) nor a date \
                 (2026-06-30)"
            )
        })
}

/// RFC 3339 in UTC (`2026-06-30T00:15:00Z`) for unix seconds `t`.
pub fn format_time(t: i64) -> String {
    OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| t.to_string())
}

/// The start, in unix seconds, of the China Standard Time day holding `t`.
pub fn day_start(t: i64) -> i64 {
    const CST: i64 = 8 * 3600;
    (t + CST).div_euclid(86_400) * 86_400 - CST
}
