//! Well-known text geometries (`POINT`, `POLYGON`, `MULTIPOLYGON`) as GeoJSON geometries, for
//! CSV columns. Z and M values are dropped; the GeoJSON reader then checks the structure.

use serde_json::{json, Value};

/// The GeoJSON geometry of a WKT text, or what is wrong with it.
pub fn to_geojson(wkt: &str) -> Result<Value, String> {
    let wkt = wkt.trim();
    let open = wkt.find('(').ok_or_else(|| {
        format!(
            "`{}` is not WKT with coordinates, such as POINT (120.1 28.6)",
            brief(wkt)
        )
    })?;
    let kind = wkt[..open]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    let kind = match kind.as_str() {
        "POINT" => "Point",
        "POLYGON" => "Polygon",
        "MULTIPOLYGON" => "MultiPolygon",
        other => {
            return Err(format!(
                "WKT {other} is not a POINT, POLYGON or MULTIPOLYGON"
            ))
        }
    };
    let mut parser = Parser {
        text: &wkt.as_bytes()[open..],
        at: 0,
    };
    let tree = parser.list()?;
    parser.skip_spaces();
    if parser.at != parser.text.len() {
        return Err(format!(
            "text follows the WKT geometry at character {}",
            open + parser.at
        ));
    }
    let coordinates = match (kind, tree) {
        ("Point", Value::Array(mut single)) if single.len() == 1 => single.remove(0),
        ("Point", _) => return Err("a WKT POINT has one position".into()),
        (_, tree) => tree,
    };
    Ok(json!({ "type": kind, "coordinates": coordinates }))
}

struct Parser<'a> {
    text: &'a [u8],
    at: usize,
}

impl Parser<'_> {
    fn skip_spaces(&mut self) {
        while self.text.get(self.at).is_some_and(u8::is_ascii_whitespace) {
            self.at += 1;
        }
    }

    /// `( item, item, … )` where an item is a list or a position.
    fn list(&mut self) -> Result<Value, String> {
        self.skip_spaces();
        self.expect(b'(')?;
        let mut items = Vec::new();
        loop {
            self.skip_spaces();
            items.push(if self.text.get(self.at) == Some(&b'(') {
                self.list()?
            } else {
                self.position()?
            });
            self.skip_spaces();
            match self.text.get(self.at) {
                Some(b',') => self.at += 1,
                Some(b')') => {
                    self.at += 1;
                    return Ok(Value::Array(items));
                }
                _ => {
                    return Err(format!(
                        "expected `,` or `)` at character {} of the WKT",
                        self.at
                    ))
                }
            }
        }
    }

    /// `x y [z [m]]` as `[x, y]`.
    fn position(&mut self) -> Result<Value, String> {
        let end = self.text[self.at..]
            .iter()
            .position(|b| matches!(b, b',' | b')' | b'('))
            .map_or(self.text.len(), |n| self.at + n);
        let numbers = String::from_utf8_lossy(&self.text[self.at..end]).into_owned();
        self.at = end;
        let numbers: Vec<f64> = numbers
            .split_whitespace()
            .map(|n| {
                n.parse()
                    .map_err(|_| format!("`{n}` in the WKT is not a number"))
            })
            .collect::<Result<_, _>>()?;
        match numbers.as_slice() {
            [x, y, ..] => Ok(json!([x, y])),
            _ => Err(format!(
                "a WKT position needs x and y, got `{}`",
                brief(&format!("{numbers:?}"))
            )),
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), String> {
        if self.text.get(self.at) == Some(&byte) {
            self.at += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at character {} of the WKT",
                byte as char, self.at
            ))
        }
    }
}

fn brief(text: &str) -> String {
    text.chars().take(40).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_polygons_and_multipolygons_are_read() {
        assert_eq!(
            to_geojson("POINT (120.5 28.25)").unwrap(),
            json!({"type": "Point", "coordinates": [120.5, 28.25]})
        );
        assert_eq!(
            to_geojson("POINT Z (1 2 3)").unwrap()["coordinates"],
            json!([1.0, 2.0])
        );
        let polygon =
            to_geojson("POLYGON ((0 0,1 0,1 1,0 0),(0.2 0.1, 0.3 0.1, 0.3 0.2, 0.2 0.1))").unwrap();
        assert_eq!(polygon["coordinates"][1][2], json!([0.3, 0.2]));
        let multi = to_geojson("multipolygon (((0 0,1 0,1 1,0 0)),((5 5,6 5,6 6,5 5)))").unwrap();
        assert_eq!(multi["type"], "MultiPolygon");
        assert_eq!(multi["coordinates"][1][0][3], json!([5.0, 5.0]));
    }

    #[test]
    fn errors_say_where() {
        assert!(to_geojson("LINESTRING (0 0, 1 1)")
            .unwrap_err()
            .contains("LINESTRING"));
        assert!(to_geojson("POINT (1 x)").unwrap_err().contains("`x`"));
        assert!(to_geojson("POLYGON ((0 0, 1 0, 1 1, 0 0)")
            .unwrap_err()
            .contains("expected"));
        assert!(to_geojson("POINT (1 2) extra")
            .unwrap_err()
            .contains("follows"));
    }
}
