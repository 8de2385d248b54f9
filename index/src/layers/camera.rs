//! Cameras (智慧小区 / 雪亮工程): points with a status.

use super::{keyword, Field, FieldKind, LayerSpec, Value, Values};
use crate::model::{Attributes, Layer};

pub(super) static SPEC: LayerSpec = LayerSpec {
    layer: Layer::Camera,
    title: "摄像头",
    areal: false,
    fields: &[
        Field {
            name: "kind",
            title: "类型",
            kind: FieldKind::Text,
            required: true,
            tile: true,
            personal: false,
            doc: "gun, dome, face, plate, … (free text)",
        },
        Field {
            name: "status",
            title: "状态",
            kind: FieldKind::Keyword(&["online", "offline"]),
            required: true,
            tile: true,
            personal: false,
            doc: "online (the default) or offline",
        },
        Field {
            name: "heading",
            title: "朝向",
            kind: FieldKind::Number,
            required: false,
            tile: false,
            personal: false,
            doc: "compass bearing in degrees the camera looks at, if fixed",
        },
        Field {
            name: "range_m",
            title: "可视距离(米)",
            kind: FieldKind::Number,
            required: false,
            tile: false,
            personal: false,
            doc: "how far it sees, in metres",
        },
    ],
    derived: &[],
    min_zoom: 13,
    zoom: |_| 13,
    read: |v: &mut Values| Attributes::Camera {
        kind: v.text().unwrap_or_default(),
        status: v.keyword().unwrap_or_default(),
        heading: v.number(),
        range_m: v.number(),
    },
    write: |attributes| match attributes {
        Attributes::Camera {
            kind,
            status,
            heading,
            range_m,
        } => vec![
            Some(Value::Text(kind.clone())),
            keyword(status),
            heading.map(Value::Number),
            range_m.map(Value::Number),
        ],
        _ => Vec::new(),
    },
};
