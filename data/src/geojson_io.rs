//! GeoJSON (RFC 7946) in and out of the model, and JSON people lists in.
//!
//! Import is strict about what it understands and says which feature and which property is
//! wrong, so a planner can fix an export from another system without guessing. Properties it
//! does not know are ignored: other systems' exports carry columns of their own. Export writes
//! every documented property, so `import(export(x)) == x`.
//!
//! Documented properties: grid `level` (0–4, default 3), `parent`, `kind`
//! (`comprehensive`|`exclusive`), `category`, `setting` (`urban`|`rural`); beat `station`;
//! station `location` (`[lng, lat]`); camera `kind`, `status` (`online`|`offline`), `heading`,
//! `range_m`; every layer `id`, `name` (default: the id), `version` and `people` (person ids).

use crate::formats::crs::{Crs, ACCEPTED};
use geo_types::{coord, Coord, LineString, MultiPolygon, Point, Polygon};
use geojson::{feature::Id, Geometry, GeometryValue, JsonObject, Position};
use onemap_index::validate::{check_ring_coordinates, check_ring_positions, close_ring};
use onemap_index::validate::{normalise, validate_feature, validate_person};
use onemap_index::validate::{Fix, Invalid, Repair, RingRef};
use onemap_index::{layers, Attributes, Feature, Layer, Person, Shape};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::fmt;
use std::io;

/// What kind of record an [`ImportError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Record {
    Feature,
    Person,
}

/// Why an import was refused, and which record it was about.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportError {
    pub record: Record,
    /// Position of the offending record in the input array, when the input is an array.
    pub feature_index: Option<usize>,
    /// The offending record's id, when it has one.
    pub feature_id: Option<String>,
    pub problem: Problem,
}

impl ImportError {
    /// The machine-readable error code for the HTTP layer.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }

    /// A problem with the feature at `index` of an input, or with the input as a whole.
    pub fn feature(index: Option<usize>, problem: Problem) -> Self {
        Self::new(Record::Feature, index, None, problem)
    }

    fn new(record: Record, index: Option<usize>, id: Option<String>, problem: Problem) -> Self {
        ImportError {
            record,
            feature_index: index,
            feature_id: id,
            problem,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let record = match self.record {
            Record::Feature => "feature",
            Record::Person => "person",
        };
        match (self.feature_index, &self.feature_id) {
            (Some(i), Some(id)) => write!(f, "{record} {i} (id `{id}`): "),
            (Some(i), None) => write!(f, "{record} {i}: "),
            (None, Some(id)) => write!(f, "{record} `{id}`: "),
            (None, None) => Ok(()),
        }?;
        self.problem.fmt(f)
    }
}

impl std::error::Error for ImportError {}

/// What is wrong with the input.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum Problem {
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    #[error("{0}")]
    Structure(String),
    #[error("the crs {0} is not supported: send {ACCEPTED}, or reproject first with `ogr2ogr -t_srs EPSG:4326`")]
    WrongCrs(String),
    #[error("{0}")]
    UnsupportedFormat(String),
    #[error("{0}")]
    Encoding(String),
    #[error("{0}")]
    Unreadable(String),
    #[error("there is no id: give it an `id` member or an `id` property")]
    MissingId,
    #[error("the id was already used by record {first_index}: ids must be unique")]
    DuplicateId { first_index: usize },
    #[error("{0}")]
    Geometry(String),
    #[error("property `{property}` {message}")]
    Property {
        property: &'static str,
        message: String,
    },
    #[error(transparent)]
    Invalid(#[from] Invalid),
    /// A fault [`OnInvalid::Repair`] would have fixed: the message says so.
    #[error(
        "{0}; or send it with ?repair=true (CLI: --repair) to repair it as ST_MakeValid would"
    )]
    Repairable(Invalid),
}

impl Problem {
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Json(_) => "invalid_json",
            Problem::Structure(_) => "invalid_structure",
            Problem::WrongCrs(_) => "wrong_crs",
            Problem::UnsupportedFormat(_) => "unsupported_format",
            Problem::Encoding(_) => "wrong_encoding",
            Problem::Unreadable(_) => "unreadable_file",
            Problem::MissingId => "missing_id",
            Problem::DuplicateId { .. } => "duplicate_id",
            Problem::Geometry(_) => "invalid_geometry",
            Problem::Property { .. } => "invalid_property",
            Problem::Invalid(invalid) | Problem::Repairable(invalid) => invalid.code(),
        }
    }
}

/// What to do with an area that is not valid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum OnInvalid {
    /// Refuse it, naming the fault (and suggesting a repair when one would fix it).
    #[default]
    Refuse,
    /// Make it valid as `ST_MakeValid` would ([`Repair`]) and report each fix.
    Repair,
}

impl OnInvalid {
    /// [`OnInvalid::Repair`] when the caller asked for it (`?repair=true`, `--repair`).
    pub fn repair_if(asked: bool) -> OnInvalid {
        if asked {
            OnInvalid::Repair
        } else {
            OnInvalid::Refuse
        }
    }
}

/// The fixes a repair made to one feature.
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct FeatureRepairs {
    pub id: String,
    pub fixes: Vec<Fix>,
}

/// Reads a GeoJSON FeatureCollection of one layer in WGS84. Every feature is validated and
/// normalised; the first problem found is returned, naming the feature.
pub fn parse_feature_collection(layer: Layer, body: &[u8]) -> Result<Vec<Feature>, ImportError> {
    parse_feature_collection_with(layer, body, OnInvalid::Refuse).map(|(features, _)| features)
}

/// [`parse_feature_collection`], repairing invalid areas when `on_invalid` says so: the
/// features, and the fixes of each feature that needed any.
pub fn parse_feature_collection_with(
    layer: Layer,
    body: &[u8],
    on_invalid: OnInvalid,
) -> Result<(Vec<Feature>, Vec<FeatureRepairs>), ImportError> {
    let top = parse_top(body).map_err(unplaced(Record::Feature))?;
    parse_features(layer, features_of(top)?, on_invalid)
}

/// The features of a FeatureCollection, not yet read, and the coordinate system its `crs`
/// member names (`None` without one): what [`crate::formats`] reprojects before reading.
pub fn collection_parts(body: &[u8]) -> Result<(Vec<Value>, Option<Crs>), ImportError> {
    let top = parse_object(body).map_err(unplaced(Record::Feature))?;
    let crs = crs_of(top.get("crs")).map_err(unplaced(Record::Feature))?;
    Ok((features_of(top)?, crs))
}

fn features_of(mut top: JsonObject) -> Result<Vec<Value>, ImportError> {
    expect_type(&top, "FeatureCollection").map_err(unplaced(Record::Feature))?;
    match top.remove("features") {
        Some(Value::Array(features)) => Ok(features),
        _ => {
            let problem = Problem::Structure("a FeatureCollection needs a `features` array".into());
            Err(ImportError::new(Record::Feature, None, None, problem))
        }
    }
}

/// Reads GeoJSON Feature objects of one layer, in WGS84: each validated and normalised (or
/// repaired, when `on_invalid` says so), ids unique; the features, and the fixes of each
/// feature that needed any. Every import format ends here, so every check applies to all of
/// them alike.
pub fn parse_features(
    layer: Layer,
    features: Vec<Value>,
    on_invalid: OnInvalid,
) -> Result<(Vec<Feature>, Vec<FeatureRepairs>), ImportError> {
    let parsed = parse_all(
        Record::Feature,
        features,
        |(f, _): &(Feature, Vec<Fix>)| &f.id,
        |i, value| parse_placed(layer, Some(i), value, on_invalid),
    )?;
    let repairs = parsed
        .iter()
        .filter(|(_, fixes)| !fixes.is_empty())
        .map(|(f, fixes)| FeatureRepairs {
            id: f.id.clone(),
            fixes: fixes.clone(),
        })
        .collect();
    Ok((parsed.into_iter().map(|(f, _)| f).collect(), repairs))
}

/// Reads one GeoJSON Feature of one layer, validated and normalised.
pub fn parse_feature(layer: Layer, body: &[u8]) -> Result<Feature, ImportError> {
    parse_feature_with(layer, body, OnInvalid::Refuse).map(|(feature, _)| feature)
}

/// [`parse_feature`], repairing an invalid area when `on_invalid` says so: the feature and
/// the fixes made to it.
pub fn parse_feature_with(
    layer: Layer,
    body: &[u8],
    on_invalid: OnInvalid,
) -> Result<(Feature, Vec<Fix>), ImportError> {
    let top = parse_top(body).map_err(unplaced(Record::Feature))?;
    parse_placed(layer, None, Value::Object(top), on_invalid)
}

/// Reads a JSON array of people: `[{"id", "name", "role", "phone"}]`; `phone` may be left
/// out, `version` is read back if present.
pub fn parse_people(body: &[u8]) -> Result<Vec<Person>, ImportError> {
    let items = match serde_json::from_slice(body) {
        Ok(Value::Array(items)) => Ok(items),
        Ok(_) => Err(Problem::Structure("expected a JSON array of people".into())),
        Err(e) => Err(Problem::Json(e.to_string())),
    };
    let items = items.map_err(unplaced(Record::Person))?;
    parse_all(Record::Person, items, |p: &Person| &p.id, parse_person)
}

/// One feature as GeoJSON: `id` at Feature level and in the properties, plus `version` and
/// every documented property (absent ones as `null`, so every feature has the same columns).
/// Areas are always written as MultiPolygon, so a layer has one geometry type.
pub fn feature_to_geojson(f: &Feature) -> geojson::Feature {
    let geometry = match &f.shape {
        Shape::Area(area) => GeometryValue::from(area),
        Shape::Point(point) => GeometryValue::from(point),
    };
    geojson::Feature {
        bbox: None,
        geometry: Some(Geometry::new(geometry)),
        id: Some(Id::String(f.id.clone())),
        properties: Some(properties(f)),
        foreign_members: None,
    }
}

/// Writes features as a GeoJSON FeatureCollection one feature at a time, so a large layer
/// can be streamed without building the whole document.
pub fn write_layer<'a, W: io::Write>(
    mut out: W,
    features: impl Iterator<Item = &'a Feature>,
) -> io::Result<()> {
    out.write_all(br#"{"type":"FeatureCollection","features":["#)?;
    for (i, f) in features.enumerate() {
        if i > 0 {
            out.write_all(b",")?;
        }
        serde_json::to_writer(&mut out, &feature_to_geojson(f))?;
    }
    out.write_all(b"]}")
}

/// Features as a GeoJSON FeatureCollection string.
pub fn layer_to_geojson<'a>(features: impl Iterator<Item = &'a Feature>) -> String {
    let mut out = Vec::new();
    write_layer(&mut out, features).expect("writing to a Vec never fails");
    String::from_utf8(out).expect("serde_json writes UTF-8")
}

/// Parses every item of an array with `parse`, refusing an id used twice.
fn parse_all<T>(
    record: Record,
    items: Vec<Value>,
    id_of: impl Fn(&T) -> &String,
    parse: impl Fn(usize, Value) -> Result<T, ImportError>,
) -> Result<Vec<T>, ImportError> {
    let mut first_seen = HashMap::with_capacity(items.len());
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let parsed = parse(i, item)?;
        let id = id_of(&parsed);
        if let Some(&first_index) = first_seen.get(id) {
            let problem = Problem::DuplicateId { first_index };
            return Err(ImportError::new(record, Some(i), Some(id.clone()), problem));
        }
        first_seen.insert(id.clone(), i);
        out.push(parsed);
    }
    Ok(out)
}

fn unplaced(record: Record) -> impl Fn(Problem) -> ImportError {
    move |problem| ImportError::new(record, None, None, problem)
}

/// Parses the body as a JSON object and checks its `crs`, if any, names WGS84: only
/// [`crate::formats`] reprojects.
fn parse_top(body: &[u8]) -> Result<JsonObject, Problem> {
    let top = parse_object(body)?;
    match (crs_of(top.get("crs"))?, top.get("crs")) {
        (Some(crs), Some(member)) if crs != Crs::LngLat => Err(Problem::WrongCrs(brief(member))),
        _ => Ok(top),
    }
}

fn parse_object(body: &[u8]) -> Result<JsonObject, Problem> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(top)) => Ok(top),
        Ok(_) => Err(Problem::Structure("expected a GeoJSON object".into())),
        Err(e) => Err(Problem::Json(e.to_string())),
    }
}

fn expect_type(object: &JsonObject, expected: &str) -> Result<(), Problem> {
    match object.get("type").and_then(Value::as_str) {
        Some(t) if t == expected => Ok(()),
        Some(t) => Err(Problem::Structure(format!(
            "expected a {expected}, got a {t}"
        ))),
        None => Err(Problem::Structure(format!(
            "expected a {expected}: the object has no \"type\": \"{expected}\""
        ))),
    }
}

/// The system a `crs` member names: `None` when it is missing or null (RFC 7946 drops
/// `crs`, but QGIS and GDAL still write it, by name or by EPSG code).
fn crs_of(crs: Option<&Value>) -> Result<Option<Crs>, Problem> {
    let Some(crs) = crs.filter(|c| !c.is_null()) else {
        return Ok(None);
    };
    let by_name = crs
        .pointer("/properties/name")
        .and_then(Value::as_str)
        .and_then(|name| name.parse().ok());
    let by_code = crs
        .pointer("/properties/code")
        .and_then(Value::as_u64)
        .and_then(|code| u32::try_from(code).ok())
        .and_then(Crs::from_epsg);
    by_name
        .or(by_code)
        .map(Some)
        .ok_or_else(|| Problem::WrongCrs(brief(crs)))
}

/// Parses one feature, attaching its index and id to any error.
fn parse_placed(
    layer: Layer,
    index: Option<usize>,
    value: Value,
    on_invalid: OnInvalid,
) -> Result<(Feature, Vec<Fix>), ImportError> {
    let fail =
        |id: Option<&str>, p| ImportError::new(Record::Feature, index, id.map(Into::into), p);
    let Value::Object(mut object) = value else {
        return Err(fail(
            None,
            Problem::Structure("a feature must be a JSON object".into()),
        ));
    };
    expect_type(&object, "Feature").map_err(|p| fail(None, p))?;
    let properties = match object.remove("properties") {
        None | Some(Value::Null) => JsonObject::new(),
        Some(Value::Object(properties)) => properties,
        Some(_) => {
            let problem = Problem::Structure("`properties` must be an object or null".into());
            return Err(fail(None, problem));
        }
    };
    let id = record_id(object.get("id"), properties.get("id")).map_err(|p| fail(None, p))?;
    let geometry = object.remove("geometry");
    feature(layer, id.clone(), geometry, &Props(&properties), on_invalid).map_err(|p| {
        let p = match p {
            Problem::Invalid(fault) if fault.is_repairable() => Problem::Repairable(fault),
            p => p,
        };
        fail(Some(&id), p)
    })
}

/// Parses one person, attaching its index and id to any error.
fn parse_person(index: usize, value: Value) -> Result<Person, ImportError> {
    let fail =
        |id: Option<&str>, p| ImportError::new(Record::Person, Some(index), id.map(Into::into), p);
    let Value::Object(fields) = value else {
        let problem = Problem::Structure("a person must be a JSON object".into());
        return Err(fail(None, problem));
    };
    let id = record_id(None, fields.get("id")).map_err(|p| fail(None, p))?;
    person(&id, &Props(&fields)).map_err(|p| fail(Some(&id), p))
}

/// The id from the Feature's `id` member or its `id` property; numbers become strings.
fn record_id(member: Option<&Value>, property: Option<&Value>) -> Result<String, Problem> {
    let text = |v: Option<&Value>, what: &'static str| match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Number(n)) => Ok(Some(n.to_string())),
        Some(other) => Err(Problem::Property {
            property: what,
            message: format!("must be a string or a number, not {}", brief(other)),
        }),
    };
    match (text(member, "id")?, text(property, "id")?) {
        (Some(a), Some(b)) if a != b => Err(Problem::Property {
            property: "id",
            message: format!(
                "`{b}` differs from the Feature's id `{a}`: drop one or make them equal"
            ),
        }),
        (Some(id), _) | (None, Some(id)) => Ok(id),
        (None, None) => Err(Problem::MissingId),
    }
}

/// One feature and the fixes made to its area (none unless `on_invalid` is to repair).
fn feature(
    layer: Layer,
    id: String,
    geometry: Option<Value>,
    props: &Props,
    on_invalid: OnInvalid,
) -> Result<(Feature, Vec<Fix>), Problem> {
    let mut fixes = Vec::new();
    let mut shape = shape(layer, geometry, on_invalid, &mut fixes)?;
    if let (OnInvalid::Repair, Shape::Area(area)) = (on_invalid, &mut shape) {
        let repaired = area.repair();
        *area = repaired.area;
        fixes.extend(repaired.fixes);
    }
    let mut feature = Feature {
        name: props.string("name")?.unwrap_or_else(|| id.clone()),
        id,
        version: props.version()?,
        shape,
        attributes: attributes(layer, props)?,
        people: props.string_list("people")?,
    };
    validate_feature(&feature)?;
    normalise(&mut feature);
    Ok((feature, fixes))
}

fn person(id: &str, props: &Props) -> Result<Person, Problem> {
    let role = required(props.string("role")?, "role")?;
    let person = Person {
        id: id.to_string(),
        name: required(props.string("name")?, "name")?,
        role: role.parse().map_err(|message| Problem::Property {
            property: "role",
            message,
        })?,
        phone: props.string("phone")?.unwrap_or_default(),
        version: props.version()?,
    };
    validate_person(&person)?;
    Ok(person)
}

/// The attributes of a `layer` feature from a JSON object of their GeoJSON forms (as
/// [`attributes_json`] writes them); the error names the field.
pub(crate) fn attributes_from_json(
    layer: Layer,
    object: &JsonObject,
) -> Result<Attributes, String> {
    attributes(layer, &Props(object)).map_err(|e| e.to_string())
}

/// The GeoJSON forms of a feature's attributes, by field name, as the registry lists them.
pub fn attributes_json(attributes: &Attributes) -> JsonObject {
    let spec = layers::spec(attributes.layer());
    spec.fields
        .iter()
        .zip(spec.values(attributes))
        .map(|(field, value)| {
            (
                field.name.to_string(),
                value.as_ref().map_or(Value::Null, json_of),
            )
        })
        .collect()
}

/// The layer's attributes, each read as its field in the registry says.
fn attributes(layer: Layer, p: &Props) -> Result<Attributes, Problem> {
    let spec = layers::spec(layer);
    let values = spec
        .fields
        .iter()
        .map(|field| p.value(field))
        .collect::<Result<Vec<_>, _>>()?;
    spec.attributes(&values).map_err(|e| Problem::Property {
        property: e.field,
        message: e.message,
    })
}

fn properties(f: &Feature) -> JsonObject {
    let mut p = JsonObject::new();
    p.insert("id".into(), json!(f.id));
    p.insert("name".into(), json!(f.name));
    p.insert("version".into(), json!(f.version));
    p.insert("people".into(), json!(f.people));
    let spec = layers::spec(f.layer());
    for (field, value) in spec.fields.iter().zip(spec.values(&f.attributes)) {
        p.insert(
            field.name.into(),
            value.as_ref().map_or(Value::Null, json_of),
        );
    }
    p
}

/// The GeoJSON form of an attribute's value.
pub fn json_of(value: &layers::Value) -> Value {
    match value {
        layers::Value::Text(s) => json!(s),
        layers::Value::Integer(n) => json!(n),
        layers::Value::Number(x) => json!(x),
        layers::Value::Boolean(b) => json!(b),
        layers::Value::Position(p) => json!([p.x(), p.y()]),
    }
}

/// The shape of a feature of `layer` from its GeoJSON geometry; unclosed rings are closed
/// (and the fix added to `fixes`) when `on_invalid` is to repair.
fn shape(
    layer: Layer,
    geometry: Option<Value>,
    on_invalid: OnInvalid,
    fixes: &mut Vec<Fix>,
) -> Result<Shape, Problem> {
    let geometry = match geometry {
        None | Some(Value::Null) => {
            return Err(Problem::Geometry(
                "the feature has no geometry: every feature needs one".into(),
            ))
        }
        Some(value) => serde_json::from_value::<Geometry>(value)
            .map_err(|e| Problem::Geometry(format!("the geometry is malformed: {e}")))?,
    };
    match (layer.is_areal(), &geometry.value) {
        (true, GeometryValue::Polygon { coordinates }) => {
            let polygon = polygon(0, coordinates, on_invalid, fixes)?;
            Ok(Shape::Area(MultiPolygon(vec![polygon])))
        }
        (true, GeometryValue::MultiPolygon { coordinates }) => {
            let polygons = coordinates
                .iter()
                .enumerate()
                .map(|(i, p)| polygon(i, p, on_invalid, fixes));
            Ok(Shape::Area(MultiPolygon(
                polygons.collect::<Result<_, _>>()?,
            )))
        }
        (false, GeometryValue::Point { coordinates }) => {
            Ok(Shape::Point(Point(to_coord(coordinates)?)))
        }
        (areal, other) => Err(Problem::Geometry(format!(
            "a {layer} must be {}, not a {}",
            if areal {
                "a Polygon or MultiPolygon"
            } else {
                "a Point"
            },
            other.type_name()
        ))),
    }
}

fn polygon(
    index: usize,
    rings: &[Vec<Position>],
    on_invalid: OnInvalid,
    fixes: &mut Vec<Fix>,
) -> Result<Polygon<f64>, Problem> {
    let mut rings = rings.iter().enumerate().map(|(ring, positions)| {
        let at = RingRef {
            polygon: index,
            ring,
        };
        line_string(at, positions, on_invalid, fixes)
    });
    let exterior = rings.next().ok_or_else(|| {
        Problem::Geometry(format!(
            "polygon {index} has no rings: give it an exterior ring"
        ))
    })??;
    Ok(Polygon::new(exterior, rings.collect::<Result<_, _>>()?))
}

/// A ring, checked for closure before `geo_types` could silently close it, or closed (with a
/// fix to report) when `on_invalid` is to repair.
fn line_string(
    at: RingRef,
    positions: &[Position],
    on_invalid: OnInvalid,
    fixes: &mut Vec<Fix>,
) -> Result<LineString<f64>, Problem> {
    let mut coords: Vec<Coord<f64>> = positions.iter().map(to_coord).collect::<Result<_, _>>()?;
    match on_invalid {
        OnInvalid::Refuse => check_ring_positions(at, &coords)?,
        OnInvalid::Repair => {
            check_ring_coordinates(at, &coords)?;
            fixes.extend(close_ring(&mut coords));
        }
    }
    Ok(LineString(coords))
}

/// Longitude and latitude of a position; an altitude, if any, is dropped.
fn to_coord(p: &Position) -> Result<Coord<f64>, Problem> {
    match p.as_slice() {
        [x, y, ..] => Ok(coord! { x: *x, y: *y }),
        _ => Err(Problem::Geometry(format!(
            "the position {p:?} has {} number(s): give longitude and latitude, as [lng, lat]",
            p.len()
        ))),
    }
}

fn required<T>(value: Option<T>, key: &'static str) -> Result<T, Problem> {
    value.ok_or_else(|| Problem::Property {
        property: key,
        message: "is required".into(),
    })
}

/// A JSON value for an error message, cut short if it is long.
fn brief(v: &Value) -> String {
    const MAX: usize = 60;
    let text = v.to_string();
    match text.char_indices().nth(MAX) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text,
    }
}

/// Typed reads of a record's properties; `null` counts as absent and every error names the
/// property and what it should have been.
struct Props<'a>(&'a JsonObject);

impl Props<'_> {
    fn read<T>(
        &self,
        key: &'static str,
        expected: &str,
        convert: impl FnOnce(&Value) -> Option<T>,
    ) -> Result<Option<T>, Problem> {
        match self.0.get(key).filter(|v| !v.is_null()) {
            None => Ok(None),
            Some(v) => convert(v).map(Some).ok_or_else(|| Problem::Property {
                property: key,
                message: format!("must be {expected}, not {}", brief(v)),
            }),
        }
    }

    /// The value of a registry field, if present and of its kind.
    fn value(&self, field: &'static layers::Field) -> Result<Option<layers::Value>, Problem> {
        use layers::{FieldKind, Value as V};
        self.read(field.name, &field.kind.expected(), |v| {
            let value = match field.kind {
                FieldKind::Text | FieldKind::Keyword(_) => V::Text(v.as_str()?.to_owned()),
                FieldKind::Integer { .. } => V::Integer(v.as_i64()?),
                FieldKind::Number => V::Number(v.as_f64()?),
                FieldKind::Boolean => V::Boolean(v.as_bool()?),
                FieldKind::Position => match v.as_array()?.as_slice() {
                    [lng, lat] => V::Position(Point::new(lng.as_f64()?, lat.as_f64()?)),
                    _ => return None,
                },
            };
            field.check(&value).is_ok().then_some(value)
        })
    }

    fn string(&self, key: &'static str) -> Result<Option<String>, Problem> {
        self.read(key, "a string", |v| v.as_str().map(str::to_owned))
    }

    fn version(&self) -> Result<u64, Problem> {
        Ok(self
            .read("version", "a whole number ≥ 0", Value::as_u64)?
            .unwrap_or(0))
    }

    fn string_list(&self, key: &'static str) -> Result<Vec<String>, Problem> {
        let list = self.read(key, "an array of person ids", |v| {
            v.as_array()?
                .iter()
                .map(|id| id.as_str().map(str::to_owned))
                .collect()
        })?;
        Ok(list.unwrap_or_default())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_wgs84(name: &str) -> bool {
        name.parse() == Ok(Crs::LngLat)
    }

    #[test]
    fn wgs84_names_are_recognised() {
        for name in [
            "urn:ogc:def:crs:OGC:1.3:CRS84",
            "EPSG:4326",
            "urn:ogc:def:crs:EPSG::4326",
            "http://www.opengis.net/def/crs/EPSG/0/4490",
            "WGS 84",
        ] {
            assert!(is_wgs84(name), "{name}");
        }
        for name in [
            "EPSG:3857",
            "urn:ogc:def:crs:EPSG::4547",
            "EPSG:2385",
            "GCJ-02",
            "EPSG:43260",
        ] {
            assert!(!is_wgs84(name), "{name}");
        }
    }

    #[test]
    fn long_values_are_cut_short_in_messages() {
        let long = Value::String("x".repeat(500));
        assert_eq!(brief(&long).chars().count(), 61);
        assert_eq!(brief(&json!(3)), "3");
    }
}
