//! Incidents (事件): not features of a snapshot but a stream the event log counts
//! ([`crate::events`]); their fields are listed here so that the manifest and the documents
//! describe them beside the other kinds.

use super::{Field, FieldKind};
use crate::events::Source;

/// A kind that arrives as a stream of points rather than as features to edit.
pub struct StreamSpec {
    pub name: &'static str,
    pub title: &'static str,
    pub fields: &'static [Field],
}

const fn field(
    name: &'static str,
    title: &'static str,
    kind: FieldKind,
    required: bool,
    personal: bool,
    doc: &'static str,
) -> Field {
    Field {
        name,
        title,
        kind,
        required,
        tile: false,
        personal,
        doc,
    }
}

/// Source names in [`Source::ALL`] order.
const SOURCES: [&str; Source::ALL.len()] = ["110", "12345", "网格上报", "视频巡查"];

/// Incidents: where (a Point), when, what and through which channel.
pub static EVENTS: StreamSpec = StreamSpec {
    name: "event",
    title: "事件",
    fields: &[
        field(
            "time",
            "时间",
            FieldKind::Text,
            true,
            false,
            "when it happened: RFC 3339 (2026-06-30T08:15:00+08:00)",
        ),
        field(
            "category",
            "类别",
            FieldKind::Text,
            true,
            false,
            "治安, 交通, 纠纷, 求助, 咨询, 投诉, … (free text, 1 to 32 characters)",
        ),
        field(
            "source",
            "来源",
            FieldKind::Keyword(&SOURCES),
            true,
            false,
            "the channel it came through",
        ),
        field(
            "text",
            "内容",
            FieldKind::Text,
            false,
            true,
            "what the caller said; may name people, so it is kept in the store only",
        ),
    ],
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn source_names_are_the_sources() {
        let names: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
        assert_eq!(names, SOURCES);
    }
}
