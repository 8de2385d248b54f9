//! Columns as the layer's registry reads them: renamed by the caller's map (Chinese data
//! dictionaries name them WGBM, WGMC, …), and typed, since CSV, KML and dBase hold text or
//! numbers where GeoJSON holds integers, booleans and lists.

use crate::geojson_io::{ImportError, Problem};
use onemap_index::layers::{self, FieldKind};
use onemap_index::Layer;
use serde_json::{json, Map, Value};
use std::str::FromStr;

/// `id=WGBM,name=WGMC`: each property named on the right is renamed to the left.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldMap(Vec<(String, String)>);

impl FromStr for FieldMap {
    type Err = String;

    fn from_str(text: &str) -> Result<Self, String> {
        let pairs = text
            .split(',')
            .filter(|p| !p.trim().is_empty())
            .map(|pair| match pair.split_once('=') {
                Some((to, from)) if !to.trim().is_empty() && !from.trim().is_empty() => {
                    Ok((to.trim().to_string(), from.trim().to_string()))
                }
                _ => Err(format!(
                    "`{pair}` in the field map is not `property=COLUMN`, as in id=WGBM,name=WGMC"
                )),
            });
        pairs.collect::<Result<_, _>>().map(FieldMap)
    }
}

impl FieldMap {
    /// Renames the mapped properties of every feature; a column no feature has is refused,
    /// naming the columns there are, since a typo would otherwise import nothing under the
    /// right name.
    pub(super) fn rename(&self, features: &mut [Value]) -> Result<(), ImportError> {
        for (to, from) in &self.0 {
            let found = features
                .iter()
                .any(|f| properties(f).is_some_and(|p| p.contains_key(from)));
            if !found && !features.is_empty() {
                let columns = features
                    .first()
                    .and_then(properties)
                    .map(|p| p.keys().cloned().collect::<Vec<_>>().join(", "))
                    .unwrap_or_default();
                let problem = Problem::Structure(format!("the field map names `{from}` for `{to}`, but no feature has a `{from}` property; the first has: {columns}"));
                return Err(ImportError::feature(None, problem));
            }
            for properties in features
                .iter_mut()
                .filter_map(|f| f.get_mut("properties").and_then(Value::as_object_mut))
            {
                if let Some(value) = properties.remove(from) {
                    properties.insert(to.clone(), value);
                }
            }
        }
        Ok(())
    }
}

fn properties(feature: &Value) -> Option<&Map<String, Value>> {
    feature.get("properties")?.as_object()
}

/// Types a feature's properties as the registry's fields of `layer` want them, where the
/// text or number means that unambiguously; empty cells are absent. What cannot be typed is
/// left for the reader's error, which names the property.
pub(super) fn type_properties(layer: Layer, feature: &mut Value) {
    let Some(properties) = feature.get_mut("properties").and_then(Value::as_object_mut) else {
        return;
    };
    properties.retain(|_, v| !matches!(v, Value::String(s) if s.trim().is_empty()));
    properties.values_mut().for_each(whole_numbers_as_integers);
    for field in layers::spec(layer).fields {
        if let Some(value) = properties.get_mut(field.name) {
            if let Some(typed) = typed(&field.kind, value) {
                *value = typed;
            }
        }
    }
    if let Some(Value::String(s)) = properties.get("version") {
        if let Ok(version) = s.trim().parse::<u64>() {
            properties.insert("version".into(), json!(version));
        }
    }
    if let Some(Value::Number(n)) = properties.get("name") {
        properties.insert("name".into(), json!(n.to_string()));
    }
    if let Some(Value::String(s)) = properties.get("people") {
        properties.insert("people".into(), json!(person_ids(s)));
    }
}

/// dBase and SQLite REAL columns hold integers as floats (12.0): ids and counts want 12.
fn whole_numbers_as_integers(value: &mut Value) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if let Some(x) = value
        .as_f64()
        .filter(|x| x.fract() == 0.0 && x.abs() < EXACT && !value.is_i64())
    {
        *value = json!(x as i64);
    }
}

fn typed(kind: &FieldKind, value: &Value) -> Option<Value> {
    match (kind, value) {
        (FieldKind::Integer { .. }, Value::String(s)) => {
            s.trim().parse::<i64>().ok().map(|n| json!(n))
        }
        (FieldKind::Number, Value::String(s)) => s.trim().parse::<f64>().ok().map(|x| json!(x)),
        (FieldKind::Boolean, Value::String(s)) => match s.trim().to_lowercase().as_str() {
            "true" | "t" | "yes" | "y" | "1" | "是" => Some(json!(true)),
            "false" | "f" | "no" | "n" | "0" | "否" => Some(json!(false)),
            _ => None,
        },
        (FieldKind::Boolean, Value::Number(n)) => n.as_i64().map(|n| json!(n != 0)),
        (FieldKind::Text | FieldKind::Keyword(_), Value::Number(n)) => Some(json!(n.to_string())),
        (FieldKind::Position, Value::String(s)) => {
            let numbers: Vec<f64> = s
                .trim_matches(|c| c == '[' || c == ']')
                .split([',', ' '])
                .filter(|t| !t.is_empty())
                .map(str::parse)
                .collect::<Result<_, _>>()
                .ok()?;
            (numbers.len() == 2).then(|| json!(numbers))
        }
        _ => None,
    }
}

/// Person ids from a text column: a JSON array (GeoPackage string lists, as GDAL writes
/// them), GDAL's `(2:a,b)` (Shapefiles) or plain `a,b`.
fn person_ids(text: &str) -> Vec<String> {
    if let Ok(ids) = serde_json::from_str::<Vec<String>>(text) {
        return ids;
    }
    let list = match text
        .trim()
        .strip_prefix('(')
        .and_then(|t| t.strip_suffix(')'))
    {
        Some(counted) => counted.split_once(':').map_or(counted, |(_, list)| list),
        None => text,
    };
    list.split(',')
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .map(String::from)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_are_typed_by_the_registry() {
        let mut feature = json!({ "properties": {
            "id": 12.0, "level": "2", "population": 3400.0, "parent": "", "people": "(2:p1,p2)", "version": "3"
        }});
        type_properties(Layer::Grid, &mut feature);
        assert_eq!(
            feature["properties"],
            json!({ "id": 12, "level": 2, "population": 3400, "people": ["p1", "p2"], "version": 3 })
        );
        let mut camera = json!({ "properties": { "heading": "90.5", "people": "[\"p3\"]" } });
        type_properties(Layer::Camera, &mut camera);
        assert_eq!(
            camera["properties"],
            json!({ "heading": 90.5, "people": ["p3"] })
        );
    }

    #[test]
    fn field_maps_rename_and_name_missing_columns() {
        let map: FieldMap = "id=WGBM, name=WGMC".parse().unwrap();
        let mut features = vec![json!({ "properties": { "WGBM": "g1", "WGMC": "第一网格" } })];
        map.rename(&mut features).unwrap();
        assert_eq!(
            features[0]["properties"],
            json!({ "id": "g1", "name": "第一网格" })
        );
        let error = "id=BM"
            .parse::<FieldMap>()
            .unwrap()
            .rename(&mut features)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("`BM`") && error.contains("id, name"),
            "{error}"
        );
        assert!("id"
            .parse::<FieldMap>()
            .unwrap_err()
            .contains("property=COLUMN"));
    }
}
