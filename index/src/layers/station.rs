//! Police stations (派出所): the jurisdiction as the geometry, the building as a position.

use super::{Field, FieldKind, LayerSpec, Value, Values};
use crate::model::{Attributes, Layer};

pub(super) static SPEC: LayerSpec = LayerSpec {
    layer: Layer::Station,
    title: "派出所",
    areal: true,
    fields: &[Field {
        name: "location",
        title: "驻地位置",
        kind: FieldKind::Position,
        required: false,
        tile: false,
        personal: false,
        doc: "where the station building is, [longitude, latitude]",
    }],
    derived: &[],
    min_zoom: 0,
    zoom: |_| 0,
    read: |v: &mut Values| Attributes::Station {
        location: v.position(),
    },
    write: |attributes| match attributes {
        Attributes::Station { location } => vec![location.map(Value::Position)],
        _ => Vec::new(),
    },
};
