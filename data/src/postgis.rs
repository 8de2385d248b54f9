//! Copies a city into PostGIS tables, for the differential tests and the benchmark's
//! comparison: the same data, answered by `ST_Contains`, `ST_Intersection` and `ST_AsMVT`.

use onemap_index::{City, Layer, Shape};
use postgres::{Client, NoTls};
use std::fmt::Write as _;
use std::io::Write as _;

/// Connects with the URL (`postgres://user@host:port/db`).
pub fn connect(url: &str) -> Result<Client, postgres::Error> {
    Client::connect(url, NoTls)
}

/// Creates `schema` with one table per layer (`id`, `level`, `geom` in EPSG:4326, GiST
/// indexed) and copies `city` into it.
/// Anything that can fail while loading: the connection or the COPY stream.
pub type LoadError = Box<dyn std::error::Error + Send + Sync>;

pub fn load_city(client: &mut Client, schema: &str, city: &City) -> Result<(), LoadError> {
    client.batch_execute(&format!(
        "CREATE EXTENSION IF NOT EXISTS postgis;
         DROP SCHEMA IF EXISTS {schema} CASCADE; CREATE SCHEMA {schema};
         CREATE TABLE {schema}.grid (id text PRIMARY KEY, level int NOT NULL, geom geometry(MultiPolygon, 4326) NOT NULL);
         CREATE TABLE {schema}.beat (id text PRIMARY KEY, level int NOT NULL, geom geometry(MultiPolygon, 4326) NOT NULL);
         CREATE TABLE {schema}.station (id text PRIMARY KEY, level int NOT NULL, geom geometry(MultiPolygon, 4326) NOT NULL);
         CREATE TABLE {schema}.camera (id text PRIMARY KEY, level int NOT NULL, geom geometry(Point, 4326) NOT NULL);"
    ))?;
    for layer in Layer::ALL {
        let mut rows = String::new();
        for f in city.layer(layer) {
            let _ = writeln!(
                rows,
                "{}\t{}\tSRID=4326;{}",
                copy_text(&f.id),
                f.level().unwrap_or(0),
                wkt(&f.shape)
            );
        }
        let mut writer = client.copy_in(&format!(
            "COPY {schema}.{layer} (id, level, geom) FROM STDIN"
        ))?;
        writer.write_all(rows.as_bytes())?;
        writer.finish()?;
    }
    client.batch_execute(&format!(
        "CREATE INDEX ON {schema}.grid USING gist (geom); CREATE INDEX ON {schema}.beat USING gist (geom);
         CREATE INDEX ON {schema}.station USING gist (geom); CREATE INDEX ON {schema}.camera USING gist (geom);
         ANALYZE {schema}.grid; ANALYZE {schema}.beat; ANALYZE {schema}.station; ANALYZE {schema}.camera;"
    ))?;
    Ok(())
}

/// Well-known text of a shape, with every coordinate written exactly (shortest round-trip).
pub fn wkt(shape: &Shape) -> String {
    let mut out = String::new();
    match shape {
        Shape::Point(p) => {
            let _ = write!(out, "POINT({} {})", p.x(), p.y());
        }
        Shape::Area(mp) => {
            out.push_str("MULTIPOLYGON(");
            for (i, poly) in mp.iter().enumerate() {
                out.push_str(if i == 0 { "(" } else { ",(" });
                for (k, ring) in std::iter::once(poly.exterior())
                    .chain(poly.interiors())
                    .enumerate()
                {
                    out.push_str(if k == 0 { "(" } else { ",(" });
                    for (n, c) in ring.coords().enumerate() {
                        let _ = write!(out, "{}{} {}", if n == 0 { "" } else { "," }, c.x, c.y);
                    }
                    out.push(')');
                }
                out.push(')');
            }
            out.push(')');
        }
    }
    out
}

/// Escapes a value for COPY's text format.
fn copy_text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('\t', "\\t")
        .replace('\n', "\\n")
        .replace('\r', "\\r")
}
