//! KML (Google Earth, and what many Chinese office tools export): each Placemark with a
//! Point, Polygon or MultiGeometry of them is a feature; its `name` and its ExtendedData
//! (`Data`/`value` and `SchemaData`/`SimpleData`) are its properties. KML is always
//! WGS84 longitude/latitude.

use super::{text, ImportOptions, Source};
use crate::geojson_io::{ImportError, Problem};
use quick_xml::events::{BytesStart, Event};
use serde_json::{json, Map, Value};

pub(super) fn read(body: &[u8], options: &ImportOptions) -> Result<Source, ImportError> {
    let text =
        text::decode(body, options.encoding, "KML").map_err(|p| ImportError::feature(None, p))?;
    let mut reader = quick_xml::Reader::from_str(&text);
    reader.config_mut().trim_text(true);
    let mut state = Placemarks::default();
    loop {
        let index = Some(state.features.len());
        let unreadable = |e: &dyn std::fmt::Display| {
            ImportError::feature(
                index,
                Problem::Unreadable(format!("the KML cannot be read: {e}")),
            )
        };
        let invalid = |e: String| ImportError::feature(index, Problem::Geometry(e));
        match reader.read_event().map_err(|e| unreadable(&e))? {
            Event::Start(element) => state.open(&element).map_err(|e| unreadable(&e))?,
            Event::Empty(element) => {
                state.open(&element).map_err(|e| unreadable(&e))?;
                state.close().map_err(invalid)?;
            }
            Event::End(_) => state.close().map_err(invalid)?,
            Event::Text(t) => state.text(&t.unescape().map_err(|e| unreadable(&e))?),
            Event::CData(t) => state.text(&String::from_utf8_lossy(&t)),
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(Source::new(state.features, None))
}

/// The reader's place in the document and the Placemark being read.
#[derive(Default)]
struct Placemarks {
    /// Local names of the open elements.
    path: Vec<String>,
    /// The `name` attribute of the open `Data` or `SimpleData`.
    data_name: Option<String>,
    text: String,
    properties: Map<String, Value>,
    point: Option<[f64; 2]>,
    /// Polygons, each its rings, exterior first.
    polygons: Vec<Vec<Vec<[f64; 2]>>>,
    features: Vec<Value>,
}

impl Placemarks {
    fn open(&mut self, element: &BytesStart) -> Result<(), quick_xml::Error> {
        let name = String::from_utf8_lossy(element.local_name().as_ref()).into_owned();
        if name == "Data" || name == "SimpleData" {
            self.data_name = element
                .try_get_attribute("name")?
                .map(|a| a.unescape_value())
                .transpose()?
                .map(|v| v.into_owned());
        }
        if name == "Polygon" {
            self.polygons.push(Vec::new());
        }
        self.text.clear();
        self.path.push(name);
        Ok(())
    }

    fn text(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn close(&mut self) -> Result<(), String> {
        let Some(name) = self.path.pop() else {
            return Ok(());
        };
        let parent = self.path.last().map(String::as_str);
        let in_placemark = self.path.iter().any(|p| p == "Placemark");
        let text = std::mem::take(&mut self.text);
        match (name.as_str(), parent) {
            ("name", Some("Placemark")) => {
                self.properties.insert("name".into(), json!(text));
            }
            ("value", Some("Data")) | ("SimpleData", _) if in_placemark => {
                if let Some(key) = self.data_name.take() {
                    self.properties.insert(key, json!(text));
                }
            }
            ("coordinates", _) if in_placemark => self.coordinates(&text)?,
            ("Placemark", _) => self.finish(),
            _ => {}
        }
        Ok(())
    }

    fn coordinates(&mut self, text: &str) -> Result<(), String> {
        let positions = text
            .split_whitespace()
            .map(|tuple| {
                let mut numbers = tuple.split(',').map(str::parse::<f64>);
                match (numbers.next(), numbers.next()) {
                    (Some(Ok(lng)), Some(Ok(lat))) => Ok([lng, lat]),
                    _ => Err(format!(
                        "the KML coordinates `{tuple}` are not `lng,lat[,alt]`"
                    )),
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        let inside = |element: &str| self.path.iter().any(|p| p == element);
        if inside("Point") {
            self.point = positions.first().copied();
        } else if inside("outerBoundaryIs") || inside("innerBoundaryIs") {
            if let Some(polygon) = self.polygons.last_mut() {
                polygon.push(positions);
            }
        }
        Ok(())
    }

    /// The Placemark read so far as a GeoJSON Feature object; a Placemark with no geometry
    /// gets a null one, for the reader to refuse naming it.
    fn finish(&mut self) {
        let polygons = std::mem::take(&mut self.polygons);
        let geometry = match (self.point.take(), polygons.len()) {
            (_, 1..) => json!({ "type": "MultiPolygon", "coordinates": polygons }),
            (Some(point), 0) => json!({ "type": "Point", "coordinates": point }),
            (None, 0) => Value::Null,
        };
        let properties = std::mem::take(&mut self.properties);
        self.features
            .push(json!({ "type": "Feature", "properties": properties, "geometry": geometry }));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placemarks_with_polygons_points_and_extended_data_are_read() {
        let kml = r##"<?xml version="1.0" encoding="utf-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document><Folder>
  <Placemark><name>第一网格</name>
    <ExtendedData><SchemaData schemaUrl="#grid"><SimpleData name="id">g1</SimpleData><SimpleData name="level">3</SimpleData></SchemaData></ExtendedData>
    <MultiGeometry><Polygon><outerBoundaryIs><LinearRing><coordinates>121,28 121.01,28 121.01,28.01 121,28</coordinates></LinearRing></outerBoundaryIs>
      <innerBoundaryIs><LinearRing><coordinates>121.002,28.002,0 121.003,28.002,0 121.003,28.003,0 121.002,28.002,0</coordinates></LinearRing></innerBoundaryIs></Polygon>
    <Polygon><outerBoundaryIs><LinearRing><coordinates>122,28 122.01,28 122.01,28.01 122,28</coordinates></LinearRing></outerBoundaryIs></Polygon></MultiGeometry>
  </Placemark>
  <Placemark><name>c1</name><ExtendedData><Data name="id"><value>c1</value></Data></ExtendedData><Point><coordinates>121.5,28.5,0</coordinates></Point></Placemark>
</Folder></Document></kml>"##;
        let source = read(kml.as_bytes(), &ImportOptions::default()).unwrap();
        let [grid, camera] = &source.features[..] else {
            panic!("two placemarks")
        };
        assert_eq!(
            grid["properties"],
            json!({ "name": "第一网格", "id": "g1", "level": "3" })
        );
        assert_eq!(
            grid["geometry"]["coordinates"][0][1][2],
            json!([121.003, 28.003])
        );
        assert_eq!(
            grid["geometry"]["coordinates"][1][0][0],
            json!([122.0, 28.0])
        );
        assert_eq!(
            camera["geometry"],
            json!({ "type": "Point", "coordinates": [121.5, 28.5] })
        );
        assert_eq!(camera["properties"]["id"], "c1");
    }
}
