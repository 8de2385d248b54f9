//! The layer registry: each kind of feature (grid, beat, station, camera) defined once, in a
//! module of its own, with its attributes, their types and Chinese titles, what tiles carry,
//! its zooms and which fields are personal data.
//!
//! Everything that differs by kind is derived from here instead of being spelt out in each
//! place: the GeoJSON reader and writer, the GeoPackage and PostGIS columns, the tile
//! properties, TileJSON, the OpenAPI document and the `/v1/layers` manifest the page reads.
//! Adding a kind is its module, a [`Layer`] variant and one entry in [`REGISTRY`]; the
//! registry test in `server/tests` then finds it in every one of those places.
//!
//! ```
//! use onemap_index::layers::{spec, Value};
//! use onemap_index::Layer;
//!
//! let camera = spec(Layer::Camera);
//! assert_eq!(camera.title, "摄像头");
//! let attributes = camera.attributes(&[None, Some(Value::Text("offline".into()))])?;
//! assert_eq!(camera.values(&attributes)[1], Some(Value::Text("offline".into())));
//! # Ok::<(), onemap_index::layers::FieldError>(())
//! ```

mod beat;
mod camera;
pub mod event;
mod grid;
mod station;

use crate::model::{Attributes, Layer};
use geo_types::Point;

/// The colour of a beat, from its id alone: grids carry their assigned beat's, beats their own.
const BEAT_COLOUR: Field = Field::derived(
    "beat_color",
    "警格配色",
    FieldKind::Integer { min: 0, max: 11 },
    "the beat's colour, from its id alone",
);

/// Every layer kind, in [`Layer::ALL`] order.
pub static REGISTRY: [&LayerSpec; Layer::ALL.len()] =
    [&grid::SPEC, &beat::SPEC, &station::SPEC, &camera::SPEC];

/// The definition of `layer`.
pub fn spec(layer: Layer) -> &'static LayerSpec {
    REGISTRY[layer as usize]
}

/// One kind of feature.
pub struct LayerSpec {
    pub layer: Layer,
    /// What the page and the manifest call it.
    pub title: &'static str,
    /// Areas (polygons) or points.
    pub areal: bool,
    /// The attributes every feature of the kind has besides `id`, `name`, `version` and
    /// `people`, in the order stores keep them.
    pub fields: &'static [Field],
    /// Properties tiles carry that the snapshot works out (a grid's assigned beat, a beat's
    /// officers), after the `tile` fields.
    pub derived: &'static [Field],
    /// The least zoom any feature of the kind is drawn at.
    pub min_zoom: u8,
    zoom: fn(&Attributes) -> u8,
    read: fn(&mut Values<'_>) -> Attributes,
    write: fn(&Attributes) -> Vec<Option<Value>>,
}

impl LayerSpec {
    /// Attributes from `values` in [`LayerSpec::fields`] order (`None` for absent, missing
    /// values at the end too); an absent value takes the field's default, and a value of the
    /// wrong type is refused naming the field.
    pub fn attributes(&self, values: &[Option<Value>]) -> Result<Attributes, FieldError> {
        for (field, value) in self.fields.iter().zip(values) {
            if let Some(value) = value {
                field.check(value).map_err(|message| FieldError {
                    field: field.name,
                    message,
                })?;
            }
        }
        Ok((self.read)(&mut Values(values.iter())))
    }

    /// The values of `attributes` in [`LayerSpec::fields`] order.
    pub fn values(&self, attributes: &Attributes) -> Vec<Option<Value>> {
        (self.write)(attributes)
    }

    /// The zoom from which maps draw a feature with `attributes`.
    pub fn zoom_of(&self, attributes: &Attributes) -> u8 {
        (self.zoom)(attributes)
    }

    /// The field called `name`.
    pub fn field(&self, name: &str) -> Option<&'static Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The filter "`name` equals `text`" on this kind's features (`name` or one of its
    /// fields; `None` for anything else), `text` read once as the field's kind: numbers
    /// compare as numbers, so `level=2` and `level=2.0` agree.
    pub fn filter(&'static self, name: &str, text: &str) -> Option<Filter> {
        let wanted = if name == "name" {
            Wanted::Name(text.to_string())
        } else {
            let (index, field) = self
                .fields
                .iter()
                .enumerate()
                .find(|(_, f)| f.name == name)?;
            let value = match field.kind {
                FieldKind::Text | FieldKind::Keyword(_) => Some(Value::Text(text.to_string())),
                FieldKind::Integer { .. } => text
                    .parse::<f64>()
                    .ok()
                    .filter(|x| x.fract() == 0.0)
                    .map(|x| Value::Integer(x as i64)),
                FieldKind::Number => text.parse().ok().map(Value::Number),
                FieldKind::Boolean => text.parse().ok().map(Value::Boolean),
                FieldKind::Position => None,
            };
            Wanted::Field(index, value)
        };
        Some(Filter {
            spec: self,
            name: self.field(name).map_or("name", |f| f.name),
            text: text.to_string(),
            wanted,
        })
    }
}

/// "A field equals a value", as a query string asks it ([`LayerSpec::filter`]).
pub struct Filter {
    spec: &'static LayerSpec,
    /// The field (or `name`) and the text asked for, to write the query again.
    pub name: &'static str,
    pub text: String,
    wanted: Wanted,
}

enum Wanted {
    Name(String),
    /// The field's index and the value it must have (`None`: the text is not of its kind,
    /// and nothing matches).
    Field(usize, Option<Value>),
}

impl Filter {
    /// Whether `f` (of the filter's kind) passes.
    pub fn matches(&self, f: &crate::model::Feature) -> bool {
        match &self.wanted {
            Wanted::Name(name) => f.name == *name,
            Wanted::Field(index, value) => {
                value.is_some() && self.spec.values(&f.attributes).get(*index) == Some(value)
            }
        }
    }
}

/// One attribute of a kind.
#[derive(Debug)]
pub struct Field {
    pub name: &'static str,
    /// The Chinese label forms and the page show.
    pub title: &'static str,
    pub kind: FieldKind,
    /// Never absent once read (absent input takes a default): `NOT NULL` in the stores.
    pub required: bool,
    /// Carried by vector tiles.
    pub tile: bool,
    /// Names or contacts a person: shown only to roles that need them.
    pub personal: bool,
    /// What it means, for the OpenAPI document.
    pub doc: &'static str,
}

impl Field {
    /// A tile property the snapshot works out (never stored, never personal).
    const fn derived(
        name: &'static str,
        title: &'static str,
        kind: FieldKind,
        doc: &'static str,
    ) -> Field {
        Field {
            name,
            title,
            kind,
            required: false,
            tile: true,
            personal: false,
            doc,
        }
    }

    /// Whether `value` fits the field; if not, what it must be.
    pub fn check(&self, value: &Value) -> Result<(), String> {
        let fits = match (&self.kind, value) {
            (FieldKind::Text, Value::Text(_))
            | (FieldKind::Number, Value::Number(_))
            | (FieldKind::Boolean, Value::Boolean(_))
            | (FieldKind::Position, Value::Position(_)) => true,
            (FieldKind::Keyword(words), Value::Text(w)) => words.contains(&w.as_str()),
            (FieldKind::Integer { min, max }, Value::Integer(n)) => (*min..=*max).contains(n),
            _ => false,
        };
        if fits {
            Ok(())
        } else {
            Err(format!("must be {}", self.kind.expected()))
        }
    }
}

/// The type of an attribute.
#[derive(Debug)]
pub enum FieldKind {
    Text,
    /// A whole number within the bounds.
    Integer {
        min: i64,
        max: i64,
    },
    Number,
    Boolean,
    /// One of these lowercase words.
    Keyword(&'static [&'static str]),
    /// A `[longitude, latitude]` pair; two columns in the stores, `<name>_lng` and `<name>_lat`.
    Position,
}

impl FieldKind {
    /// What a value must be, for error messages.
    pub fn expected(&self) -> String {
        match self {
            FieldKind::Text => "a string".into(),
            FieldKind::Integer { min, max } => format!("a whole number from {min} to {max}"),
            FieldKind::Number => "a number".into(),
            FieldKind::Boolean => "true or false".into(),
            FieldKind::Keyword(words) => format!("one of {}", words.join(", ")),
            FieldKind::Position => "a [longitude, latitude] pair".into(),
        }
    }
}

/// An attribute's value.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Number(f64),
    Boolean(bool),
    Position(Point<f64>),
}

/// A value that does not fit its field.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("`{field}` {message}")]
pub struct FieldError {
    pub field: &'static str,
    /// What the value must be.
    pub message: String,
}

/// The values a kind's reader takes apart, in field order, already checked against the
/// fields' kinds.
pub(crate) struct Values<'a>(std::slice::Iter<'a, Option<Value>>);

impl Values<'_> {
    fn next(&mut self) -> Option<&Value> {
        self.0.next()?.as_ref()
    }

    pub(crate) fn text(&mut self) -> Option<String> {
        match self.next()? {
            Value::Text(s) => Some(s.clone()),
            _ => None,
        }
    }

    pub(crate) fn integer(&mut self) -> Option<i64> {
        match self.next()? {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }

    pub(crate) fn number(&mut self) -> Option<f64> {
        match self.next()? {
            Value::Number(x) => Some(*x),
            _ => None,
        }
    }

    pub(crate) fn position(&mut self) -> Option<Point<f64>> {
        match self.next()? {
            Value::Position(p) => Some(*p),
            _ => None,
        }
    }

    /// A model enum from its lowercase word.
    pub(crate) fn keyword<T: serde::de::DeserializeOwned>(&mut self) -> Option<T> {
        serde_json::from_value(serde_json::Value::String(self.text()?)).ok()
    }
}

/// The value of an optional string.
pub(crate) fn text(s: &Option<String>) -> Option<Value> {
    s.clone().map(Value::Text)
}

/// The lowercase word of a model enum.
pub(crate) fn keyword<T: serde::Serialize>(value: &T) -> Option<Value> {
    match serde_json::to_value(value).ok()? {
        serde_json::Value::String(s) => Some(Value::Text(s)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_registry_is_in_layer_order_and_every_kind_reads_back_what_it_writes() {
        for (layer, spec) in Layer::ALL.iter().zip(REGISTRY) {
            assert_eq!(*layer, spec.layer);
            // Defaults for absent values, then those values written and read again.
            let absent = vec![None; spec.fields.len()];
            let attributes = spec
                .attributes(&absent)
                .expect("absent values take defaults");
            let values = spec.values(&attributes);
            assert_eq!(values.len(), spec.fields.len());
            for (field, value) in spec.fields.iter().zip(&values) {
                assert!(
                    !field.required || value.is_some(),
                    "{layer}.{} is required but absent",
                    field.name
                );
            }
            assert_eq!(spec.attributes(&values), Ok(attributes));
        }
    }

    #[test]
    fn filters_read_their_text_as_the_field_reads_values() {
        let grid = spec(Layer::Grid);
        let community = crate::model::Feature {
            id: "c".into(),
            name: "海里社区".into(),
            version: 1,
            people: vec![],
            shape: crate::model::Shape::Point(Point::new(0.0, 0.0)),
            attributes: grid.attributes(&[Some(Value::Integer(2))]).unwrap(),
        };
        let passes = |name, text| grid.filter(name, text).unwrap().matches(&community);
        assert!(passes("level", "2") && passes("level", "2.0") && passes("name", "海里社区"));
        assert!(!passes("level", "3") && !passes("level", "two") && !passes("kind", "exclusive"));
        assert!(passes("kind", "comprehensive"));
        assert!(grid.filter("colour", "red").is_none());
    }

    #[test]
    fn values_of_the_wrong_kind_are_refused_naming_what_they_should_be() {
        let grid = spec(Layer::Grid);
        let mut values = vec![None; grid.fields.len()];
        values[0] = Some(Value::Integer(9));
        let err = grid.attributes(&values).unwrap_err();
        assert_eq!(
            err.to_string(),
            "`level` must be a whole number from 0 to 4"
        );
        values[0] = None;
        values[2] = Some(Value::Text("special".into()));
        let err = grid.attributes(&values).unwrap_err();
        assert_eq!(err.field, "kind");
        assert!(err.message.contains("comprehensive, exclusive"), "{err}");
    }
}
