//! Which format a body is in, from its content: magic bytes first, then the shape of its
//! text. A file's name or `Content-Type` is only a hint, used when the content alone cannot
//! tell (a CSV whose geometry columns have unusual names); clients label files wrongly too
//! often to trust them over the bytes.

use crate::geojson_io::Problem;

/// The formats a layer import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    GeoJson,
    /// A zip holding `.shp`, `.dbf`, `.shx` and optionally `.prj` and `.cpg`.
    Shapefile,
    GeoPackage,
    Kml,
    Csv,
    FlatGeobuf,
}

/// The accepted formats, for the error refusing any other.
pub const ACCEPTED: &str = "GeoJSON, a zipped Shapefile (.shp, .dbf, .shx, with .prj and .cpg), GeoPackage, KML, FlatGeobuf, or CSV with lng/lat or wkt columns";

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::GeoJson => "GeoJSON",
            Format::Shapefile => "Shapefile",
            Format::GeoPackage => "GeoPackage",
            Format::Kml => "KML",
            Format::Csv => "CSV",
            Format::FlatGeobuf => "FlatGeobuf",
        }
    }

    /// The format a `Content-Type` names, if any.
    pub fn from_media_type(media_type: &str) -> Option<Format> {
        let essence = media_type.split(';').next()?.trim().to_ascii_lowercase();
        match essence.as_str() {
            "application/geo+json" | "application/json" => Some(Format::GeoJson),
            "application/zip" | "application/x-zip-compressed" => Some(Format::Shapefile),
            "application/geopackage+sqlite3" => Some(Format::GeoPackage),
            "application/vnd.google-earth.kml+xml" => Some(Format::Kml),
            "text/csv" => Some(Format::Csv),
            "application/flatgeobuf" => Some(Format::FlatGeobuf),
            _ => None,
        }
    }

    /// The format a file name's extension names, if any.
    pub fn from_extension(extension: &str) -> Option<Format> {
        match extension.to_ascii_lowercase().as_str() {
            "geojson" | "json" => Some(Format::GeoJson),
            "zip" => Some(Format::Shapefile),
            "gpkg" => Some(Format::GeoPackage),
            "kml" => Some(Format::Kml),
            "csv" => Some(Format::Csv),
            "fgb" => Some(Format::FlatGeobuf),
            _ => None,
        }
    }
}

/// The format of `body`; `hint` (from `Content-Type` or the file name) decides only where
/// the content does not. Anything else is refused naming what it looks like.
pub fn detect(body: &[u8], hint: Option<Format>) -> Result<Format, Problem> {
    if let Some(format) = by_magic(body)? {
        return Ok(format);
    }
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 4096)];
    match head.first() {
        Some(b'{') => Ok(Format::GeoJson),
        Some(b'<') if contains(head, b"<kml") => Ok(Format::Kml),
        Some(b'<') => Err(unsupported("an XML document that is not KML")),
        _ if hint == Some(Format::Csv) || looks_like_csv(head) => Ok(Format::Csv),
        None => Err(unsupported("empty")),
        _ => Err(unsupported("not in a format onemap recognises")),
    }
}

/// Formats known by their first bytes: the ones we read, and common mistakes named.
fn by_magic(body: &[u8]) -> Result<Option<Format>, Problem> {
    const SIGNATURES: [(&[u8], Result<Format, &str>); 9] = [
        (b"PK\x03\x04", Ok(Format::Shapefile)),
        (b"PK\x05\x06", Err("an empty zip")),
        (b"SQLite format 3\0", Ok(Format::GeoPackage)),
        (b"fgb\x03", Ok(Format::FlatGeobuf)),
        (b"%PDF", Err("a PDF document")),
        (b"\x89PNG", Err("a PNG image")),
        (b"\xFF\xD8\xFF", Err("a JPEG image")),
        (b"GIF8", Err("a GIF image")),
        (
            b"\x1F\x8B",
            Err("gzip-compressed (send it uncompressed, or as a zip of a Shapefile)"),
        ),
    ];
    match SIGNATURES.iter().find(|(magic, _)| body.starts_with(magic)) {
        Some((_, Ok(format))) => Ok(Some(*format)),
        Some((_, Err(what))) => Err(unsupported(what)),
        None => Ok(None),
    }
}

/// A first line with a delimiter and a column naming coordinates or a geometry.
fn looks_like_csv(head: &[u8]) -> bool {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = String::from_utf8_lossy(line).to_ascii_lowercase();
    line.split([',', ';', '\t'])
        .map(|column| column.trim().trim_matches('"'))
        .any(|column| crate::formats::delimited::GEOMETRY_COLUMNS.contains(&column))
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack
        .windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The refusal of a body in no format we read.
pub fn unsupported(what: &str) -> Problem {
    Problem::UnsupportedFormat(format!(
        "the body is {what}: a layer import takes {ACCEPTED}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_content() {
        let cases: [(&[u8], Format); 8] = [
            (b"  {\"type\": \"FeatureCollection\"}", Format::GeoJson),
            (b"fgb\x03fgb\x00", Format::FlatGeobuf),
            (b"\xEF\xBB\xBF{}", Format::GeoJson),
            (b"PK\x03\x04rest", Format::Shapefile),
            (b"SQLite format 3\0rest", Format::GeoPackage),
            (
                b"<?xml version=\"1.0\"?>\n<kml xmlns=\"http://www.opengis.net/kml/2.2\">",
                Format::Kml,
            ),
            (b"WKT,id,name\n\"POINT (1 2)\",a,b", Format::Csv),
            (b"id;Longitude;Latitude\r\n", Format::Csv),
        ];
        for (body, format) in cases {
            assert_eq!(
                detect(body, None),
                Ok(format),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    #[test]
    fn the_content_outweighs_the_label_and_the_label_decides_the_rest() {
        assert_eq!(detect(b"{}", Some(Format::Csv)), Ok(Format::GeoJson));
        assert_eq!(
            detect(b"code,where\n1,2", Some(Format::Csv)),
            Ok(Format::Csv)
        );
        assert!(detect(b"code,where\n1,2", None).is_err());
    }

    #[test]
    fn other_bodies_are_refused_naming_what_they_are_and_what_is_accepted() {
        for (body, what) in [
            (&b"%PDF-1.7"[..], "a PDF"),
            (b"\x89PNG\r\n", "a PNG image"),
            (b"<svg></svg>", "not KML"),
            (b"", "empty"),
        ] {
            let Err(problem) = detect(body, None) else {
                panic!("{what} accepted")
            };
            assert_eq!(problem.code(), "unsupported_format");
            let message = problem.to_string();
            assert!(
                message.contains(what) && message.contains("GeoPackage, KML"),
                "{message}"
            );
        }
    }
}
