//! Governance grids (网格), every level from the county down to the micro-grid.

use super::{keyword, text, Field, FieldKind, LayerSpec, Value};
use crate::model::{level, Attributes, Layer};

pub(super) static SPEC: LayerSpec = LayerSpec {
    layer: Layer::Grid,
    title: "网格",
    areal: true,
    fields: &[
        Field {
            name: "level",
            title: "层级",
            kind: FieldKind::Integer {
                min: level::COUNTY as i64,
                max: level::DEEPEST as i64,
            },
            required: true,
            tile: true,
            personal: false,
            doc: "0 county, 1 township, 2 community, 3 grid (the default), 4 micro-grid",
        },
        Field {
            name: "parent",
            title: "上级网格",
            kind: FieldKind::Text,
            required: false,
            tile: false,
            personal: false,
            doc: "id of the grid one level up; inferred from where the grid lies when absent",
        },
        Field {
            name: "kind",
            title: "网格类型",
            kind: FieldKind::Keyword(&["comprehensive", "exclusive"]),
            required: true,
            tile: true,
            personal: false,
            doc: "comprehensive (综合网格, the default) or exclusive (专属网格)",
        },
        Field {
            name: "category",
            title: "专属类别",
            kind: FieldKind::Text,
            required: false,
            tile: true,
            personal: false,
            doc: "for exclusive grids: school, factory, park, market, hospital, …",
        },
        Field {
            name: "setting",
            title: "城乡",
            kind: FieldKind::Keyword(&["urban", "rural"]),
            required: false,
            tile: true,
            personal: false,
            doc: "urban or rural",
        },
        count(
            "population",
            "人口",
            "residents living in the grid, for people per officer and per grid worker",
        ),
        count(
            "households",
            "户数",
            "households in the grid (a grid is drawn around 300 to 500 of them)",
        ),
    ],
    derived: &[
        Field::derived(
            "parent",
            "上级网格",
            FieldKind::Text,
            "the parent grid, named or inferred",
        ),
        Field::derived(
            "beat",
            "对应警格",
            FieldKind::Text,
            "the beat holding the largest share of the grid",
        ),
        Field::derived(
            "station",
            "派出所",
            FieldKind::Text,
            "the station of that beat",
        ),
        super::BEAT_COLOUR,
        Field::derived(
            "straddles",
            "跨警格",
            FieldKind::Boolean,
            "true when no beat holds enough of the grid",
        ),
    ],
    min_zoom: 0,
    zoom: |attributes| match attributes {
        Attributes::Grid { level: 0..=1, .. } => 0,
        Attributes::Grid { level: 2, .. } => 10,
        _ => 12,
    },
    read: |v| Attributes::Grid {
        level: v
            .integer()
            .and_then(|n| u8::try_from(n).ok())
            .unwrap_or(level::GRID),
        parent: v.text(),
        kind: v.keyword().unwrap_or_default(),
        category: v.text(),
        setting: v.keyword(),
        population: v.integer().and_then(|n| u32::try_from(n).ok()),
        households: v.integer().and_then(|n| u32::try_from(n).ok()),
    },
    write: |attributes| match attributes {
        Attributes::Grid {
            level,
            parent,
            kind,
            category,
            setting,
            population,
            households,
        } => vec![
            Some(Value::Integer(i64::from(*level))),
            text(parent),
            keyword(kind),
            text(category),
            setting.as_ref().and_then(keyword),
            population.map(|n| Value::Integer(i64::from(n))),
            households.map(|n| Value::Integer(i64::from(n))),
        ],
        _ => Vec::new(),
    },
};

/// An optional count of the grid's (people, households): a whole number that fits a `u32`.
const fn count(name: &'static str, title: &'static str, doc: &'static str) -> Field {
    Field {
        name,
        title,
        kind: FieldKind::Integer {
            min: 0,
            max: u32::MAX as i64,
        },
        required: false,
        tile: false,
        personal: false,
        doc,
    }
}
