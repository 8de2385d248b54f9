//! Police beats (警格): the area a community officer answers for.

use super::{text, Field, FieldKind, LayerSpec, Values};
use crate::model::{Attributes, Layer};

pub(super) static SPEC: LayerSpec = LayerSpec {
    layer: Layer::Beat,
    title: "警格",
    areal: true,
    fields: &[Field {
        name: "station",
        title: "所属派出所",
        kind: FieldKind::Text,
        required: false,
        tile: false,
        personal: false,
        doc: "id of the station; inferred from where the beat lies when absent",
    }],
    derived: &[
        Field::derived(
            "station",
            "派出所",
            FieldKind::Text,
            "the station, named or inferred",
        ),
        Field::derived(
            "officers",
            "社区民警数",
            FieldKind::Integer {
                min: 0,
                max: i64::MAX,
            },
            "how many community officers answer for the beat",
        ),
        super::BEAT_COLOUR,
    ],
    min_zoom: 9,
    zoom: |_| 9,
    read: |v: &mut Values| Attributes::Beat { station: v.text() },
    write: |attributes| match attributes {
        Attributes::Beat { station } => vec![text(station)],
        _ => Vec::new(),
    },
};
