//! GeoPackage binary geometry (GPKG 1.3 §2.1.3): a "GP" header with the envelope, then
//! standard WKB. We write little-endian WKB with an `[minx, maxx, miny, maxy]` envelope, as
//! GDAL does; we read either byte order and any envelope, so files edited in QGIS load too.

use geo_types::{Coord, LineString, MultiPolygon, Point, Polygon};
use onemap_index::Shape;

const MAGIC: &[u8; 2] = b"GP";
/// Header flag bit 0: header numbers are little-endian.
const LITTLE_ENDIAN: u8 = 0b0000_0001;
/// Header flag bits 1–3 = 1: the envelope is `[minx, maxx, miny, maxy]`.
const XY_ENVELOPE: u8 = 0b0000_0010;
/// Header flag bit 4: the geometry is empty.
const EMPTY: u8 = 0b0001_0000;
/// Header flag bit 5: an extension's geometry type, not WKB.
const EXTENDED: u8 = 0b0010_0000;

const WKB_POINT: u32 = 1;
const WKB_POLYGON: u32 = 3;
const WKB_MULTIPOLYGON: u32 = 6;

/// The `[minx, maxx, miny, maxy]` envelope of a shape, or `None` if it has no positions.
pub(super) fn envelope(shape: &Shape) -> Option<[f64; 4]> {
    let mut coords: Box<dyn Iterator<Item = Coord<f64>>> = match shape {
        Shape::Point(p) => Box::new(std::iter::once(p.0)),
        Shape::Area(area) => Box::new(area.iter().flat_map(|p| p.exterior().0.iter().copied())),
    };
    let first = coords.next()?;
    Some(coords.fold(
        [first.x, first.x, first.y, first.y],
        |[x0, x1, y0, y1], c| [x0.min(c.x), x1.max(c.x), y0.min(c.y), y1.max(c.y)],
    ))
}

/// Encodes a shape as a GeoPackage geometry blob in spatial reference system `srs_id`.
pub(super) fn encode(shape: &Shape, srs_id: i32) -> Vec<u8> {
    let mut out = Vec::with_capacity(64);
    out.extend_from_slice(MAGIC);
    out.push(0); // version 1
    match envelope(shape) {
        Some(env) => {
            out.push(XY_ENVELOPE | LITTLE_ENDIAN);
            out.extend_from_slice(&srs_id.to_le_bytes());
            env.iter()
                .for_each(|v| out.extend_from_slice(&v.to_le_bytes()));
        }
        None => {
            out.push(EMPTY | LITTLE_ENDIAN);
            out.extend_from_slice(&srs_id.to_le_bytes());
        }
    }
    match shape {
        Shape::Point(p) => {
            wkb_header(&mut out, WKB_POINT);
            put_coord(&mut out, p.0);
        }
        Shape::Area(area) => {
            wkb_header(&mut out, WKB_MULTIPOLYGON);
            put_count(&mut out, area.0.len());
            area.iter()
                .for_each(|polygon| put_polygon(&mut out, polygon));
        }
    }
    out
}

/// Decodes a GeoPackage geometry blob holding a Point, Polygon or MultiPolygon.
pub fn decode(blob: &[u8]) -> Result<Shape, String> {
    decode_wkb(skip_header(blob)?)
}

/// Decodes plain WKB holding a Point, Polygon or MultiPolygon: the body of a GeoPackage blob,
/// and what PostGIS `ST_AsBinary` returns.
pub fn decode_wkb(wkb: &[u8]) -> Result<Shape, String> {
    let mut reader = Reader {
        buf: wkb,
        pos: 0,
        little: true,
    };
    let shape = match reader.geometry_type()? {
        WKB_POINT => Shape::Point(Point(reader.coord()?)),
        WKB_POLYGON => Shape::Area(MultiPolygon(vec![reader.polygon_body()?])),
        WKB_MULTIPOLYGON => {
            let n = reader.count(9)?; // a polygon takes at least 9 bytes
            let polygons = (0..n).map(|_| reader.polygon()).collect::<Result<_, _>>()?;
            Shape::Area(MultiPolygon(polygons))
        }
        other => return Err(unsupported(other)),
    };
    if reader.pos != wkb.len() {
        return Err(format!(
            "{} bytes follow the geometry",
            wkb.len() - reader.pos
        ));
    }
    Ok(shape)
}

/// Checks the "GP" header and returns the WKB after it.
fn skip_header(blob: &[u8]) -> Result<&[u8], String> {
    if blob.len() < 8 || &blob[..2] != MAGIC {
        return Err("not a GeoPackage geometry: the blob does not start with \"GP\"".into());
    }
    let flags = blob[3];
    if flags & EXTENDED != 0 {
        return Err("extended GeoPackage geometry types are not supported".into());
    }
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        code => {
            return Err(format!(
                "invalid envelope code {code} in the geometry header"
            ))
        }
    };
    blob.get(8 + envelope_len..)
        .ok_or_else(|| "the geometry blob ends inside its envelope".into())
}

fn unsupported(code: u32) -> String {
    if code > 1000 {
        format!("WKB type {code} has Z or M values: onemap stores 2D geometries (drop them, e.g. `ogr2ogr -dim XY`)")
    } else {
        format!("WKB type {code} is not a Point, Polygon or MultiPolygon")
    }
}

fn wkb_header(out: &mut Vec<u8>, geometry_type: u32) {
    out.push(1); // little-endian
    out.extend_from_slice(&geometry_type.to_le_bytes());
}

fn put_count(out: &mut Vec<u8>, n: usize) {
    let n = u32::try_from(n).expect("no ring or polygon has 4 billion parts");
    out.extend_from_slice(&n.to_le_bytes());
}

fn put_coord(out: &mut Vec<u8>, c: Coord<f64>) {
    out.extend_from_slice(&c.x.to_le_bytes());
    out.extend_from_slice(&c.y.to_le_bytes());
}

fn put_polygon(out: &mut Vec<u8>, polygon: &Polygon<f64>) {
    wkb_header(out, WKB_POLYGON);
    put_count(out, 1 + polygon.interiors().len());
    for ring in std::iter::once(polygon.exterior()).chain(polygon.interiors()) {
        put_count(out, ring.0.len());
        ring.0.iter().for_each(|&c| put_coord(out, c));
    }
}

/// Reads WKB numbers in the byte order the current geometry declared.
struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    little: bool,
}

impl Reader<'_> {
    fn bytes<const N: usize>(&mut self) -> Result<[u8; N], String> {
        let end = self.pos + N;
        let bytes = self.buf.get(self.pos..end).ok_or("the WKB ends too soon")?;
        self.pos = end;
        Ok(bytes.try_into().expect("slice of length N"))
    }

    fn u32(&mut self) -> Result<u32, String> {
        let b = self.bytes()?;
        Ok(if self.little {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    }

    fn f64(&mut self) -> Result<f64, String> {
        let b = self.bytes()?;
        Ok(if self.little {
            f64::from_le_bytes(b)
        } else {
            f64::from_be_bytes(b)
        })
    }

    /// A count of items of at least `min_len` bytes each, refused if the rest of the buffer
    /// cannot hold them, so a corrupt count cannot make us allocate gigabytes.
    fn count(&mut self, min_len: usize) -> Result<usize, String> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_len) > self.buf.len() - self.pos {
            return Err(format!(
                "the WKB ends too soon for the {n} parts it announces"
            ));
        }
        Ok(n)
    }

    /// Reads a byte-order byte and a geometry type.
    fn geometry_type(&mut self) -> Result<u32, String> {
        self.little = match self.bytes::<1>()?[0] {
            0 => false,
            1 => true,
            other => return Err(format!("invalid WKB byte order {other}")),
        };
        self.u32()
    }

    fn coord(&mut self) -> Result<Coord<f64>, String> {
        Ok(Coord {
            x: self.f64()?,
            y: self.f64()?,
        })
    }

    fn polygon(&mut self) -> Result<Polygon<f64>, String> {
        match self.geometry_type()? {
            WKB_POLYGON => self.polygon_body(),
            other => Err(format!(
                "a MultiPolygon holds WKB type {other}, not a Polygon"
            )),
        }
    }

    fn polygon_body(&mut self) -> Result<Polygon<f64>, String> {
        let n = self.count(4)?;
        let mut rings = (0..n).map(|_| self.ring());
        let exterior = rings
            .next()
            .transpose()?
            .unwrap_or_else(|| LineString(vec![]));
        let interiors = rings.collect::<Result<_, _>>()?;
        Ok(Polygon::new(exterior, interiors))
    }

    fn ring(&mut self) -> Result<LineString<f64>, String> {
        let n = self.count(16)?;
        (0..n)
            .map(|_| self.coord())
            .collect::<Result<_, _>>()
            .map(LineString)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo_types::{point, polygon};

    fn area() -> Shape {
        let square =
            polygon![(x: 0.0, y: 0.0), (x: 2.0, y: 0.0), (x: 2.0, y: 3.0), (x: 0.0, y: 0.0)];
        let with_hole = polygon!(
            exterior: [(x: 10.0, y: 10.0), (x: 14.0, y: 10.0), (x: 14.0, y: 14.0), (x: 10.0, y: 10.0)],
            interiors: [[(x: 12.0, y: 11.0), (x: 13.0, y: 11.5), (x: 13.0, y: 11.0), (x: 12.0, y: 11.0)]],
        );
        Shape::Area(MultiPolygon(vec![square, with_hole]))
    }

    #[test]
    fn shapes_survive_encoding() {
        for shape in [area(), Shape::Point(point! { x: 120.5, y: -30.25 })] {
            assert_eq!(decode(&encode(&shape, 4326)).unwrap(), shape);
        }
    }

    #[test]
    fn header_carries_srs_and_envelope() {
        let blob = encode(&area(), 4326);
        assert_eq!(&blob[..4], &[b'G', b'P', 0, 0b11]);
        assert_eq!(i32::from_le_bytes(blob[4..8].try_into().unwrap()), 4326);
        let env: Vec<f64> = blob[8..40]
            .chunks(8)
            .map(|c| f64::from_le_bytes(c.try_into().unwrap()))
            .collect();
        assert_eq!(env, [0.0, 14.0, 0.0, 14.0]);
        assert_eq!(
            &blob[40..45],
            &[1, 6, 0, 0, 0],
            "little-endian WKB MultiPolygon"
        );
    }

    #[test]
    fn big_endian_polygon_without_envelope_is_read() {
        let mut blob = vec![b'G', b'P', 0, 0, 0, 0, 0x10, 0xE6]; // big-endian header, srs 4326
        blob.extend_from_slice(&[0, 0, 0, 0, 3, 0, 0, 0, 1, 0, 0, 0, 4]);
        for (x, y) in [(0.0f64, 0.0f64), (1.0, 0.0), (1.0, 1.0), (0.0, 0.0)] {
            blob.extend_from_slice(&x.to_be_bytes());
            blob.extend_from_slice(&y.to_be_bytes());
        }
        let Shape::Area(area) = decode(&blob).unwrap() else {
            panic!("an area")
        };
        assert_eq!(area.0[0].exterior().0[2], Coord { x: 1.0, y: 1.0 });
    }

    #[test]
    fn damaged_blobs_are_refused_with_a_reason() {
        let blob = encode(&area(), 4326);
        assert!(decode(&blob[..blob.len() - 3])
            .unwrap_err()
            .contains("ends too soon"));
        assert!(decode(b"XX\0\0\0\0\0\0").unwrap_err().contains("GP"));
        let mut huge = blob[..45].to_vec();
        huge.extend_from_slice(&u32::MAX.to_le_bytes());
        assert!(decode(&huge).unwrap_err().contains("4294967295 parts"));
        let mut line = blob[..40].to_vec();
        line.extend_from_slice(&[1, 2, 0, 0, 0, 0, 0, 0, 0]);
        assert!(decode(&line).unwrap_err().contains("WKB type 2"));
        let mut z = blob[..40].to_vec();
        z.extend_from_slice(&[1, 0xE9, 3, 0, 0]); // 1001: Point Z
        assert!(decode(&z).unwrap_err().contains("Z or M"));
    }
}
