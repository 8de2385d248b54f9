"""The DuckDB anchor of `onemap bench`: the same incident counts, done by DuckDB 1.4 with its
spatial extension (pip packages duckdb and duckdb-ext-spatial, no download at run time).

    duckdb_events.py DIR FROM TO

DIR holds grids.csv (id, wkt) and events.csv (lng, lat, time, category, cell9) written by the
bench. Prints one JSON object: seconds for each step and the answers, for the bench to
compare with its own. Each query runs three times; the best time counts.
"""

import glob
import json
import os
import sys
import time

import duckdb


def spatial_extension():
    import duckdb_ext

    here = list(duckdb_ext.__path__)[0]
    found = glob.glob(os.path.join(here, "extensions", "*", "*", "spatial.duckdb_extension"))
    if not found:
        sys.exit("duckdb-ext-spatial is not installed")
    return found[0]


def best(con, sql, params):
    times = []
    rows = None
    for _ in range(3):
        start = time.perf_counter()
        rows = con.execute(sql, params).fetchall()
        times.append(time.perf_counter() - start)
    return min(times), rows


def main():
    folder, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    con = duckdb.connect()
    con.execute(f"LOAD '{spatial_extension()}'")
    began = time.perf_counter()
    con.execute(
        f"CREATE TABLE grid AS SELECT id, ST_GeomFromText(wkt) AS geom "
        f"FROM read_csv('{folder}/grids.csv', header = true, quote = '\"')"
    )
    con.execute(
        f"CREATE TABLE event AS SELECT ST_Point(lng, lat) AS p, time, category, cell9 "
        f"FROM read_csv('{folder}/events.csv', header = true, "
        f"columns = {{'lng': 'DOUBLE', 'lat': 'DOUBLE', 'time': 'BIGINT', 'category': 'VARCHAR', 'cell9': 'VARCHAR'}})"
    )
    loaded = time.perf_counter() - began
    per_grid, rows = best(
        con,
        "SELECT g.id, count(*) FROM event e JOIN grid g ON ST_Contains(g.geom, e.p) "
        "WHERE e.time >= ? AND e.time < ? GROUP BY g.id",
        [start, end],
    )
    h3, cells = best(
        con,
        "SELECT cell9, count(*) FROM event WHERE time >= ? AND time < ? GROUP BY cell9",
        [start, end],
    )
    print(
        json.dumps(
            {
                "load_s": loaded,
                "per_grid_s": per_grid,
                "per_grid": dict(rows),
                "h3_s": h3,
                "h3_cells": len(cells),
            }
        )
    )


main()
