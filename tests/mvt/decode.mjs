// Reference decoding of Mapbox Vector Tiles for the Rust end-to-end tests (tests/tests/tiles.rs).
//
// Reads a JSON array of tiles on stdin, each `{ "z", "x", "y" }` with either `"file"` (a path
// to the raw, uncompressed tile) or `"base64"` (its bytes), and an optional `"geojson": true`.
// Writes a JSON array with, for each tile, `{ "layers": { name: layer } }` where a layer is
// `{ "version", "extent", "features": [feature] }` and a feature is
//   { "id", "type" (1 point, 2 line, 3 polygon), "properties",
//     "commands": [[command id, count], ...]     the raw command integers, run by run,
//     "rings": [[[x, y], ...], ...]              `loadGeometry()`, in tile units,
//     "polygons": [[ring index, ...], ...]       `classifyRings(rings)`, as indices into rings,
//     "geojson": geometry                        `toGeoJSON(x, y, z)` when asked }.
// Any decoding error is fatal: the message goes to stderr and the exit code is 1.

import { readFileSync } from 'node:fs';
import { PbfReader } from 'pbf';
import { VectorTile, classifyRings } from '@mapbox/vector-tile';

// The command runs of a feature's geometry, read straight from the protobuf: decoders such as
// `loadGeometry()` paper over missing ClosePaths and repeated points, which the tests check.
function commandRuns(feature) {
    const pbf = feature._pbf;
    pbf.pos = feature._geometry;
    const end = pbf.readVarint() + pbf.pos;
    const runs = [];
    while (pbf.pos < end) {
        const header = pbf.readVarint();
        const id = header & 0x7;
        const count = header >> 3;
        runs.push([id, count]);
        if (id === 1 || id === 2) {
            for (let i = 0; i < 2 * count; i++) pbf.readSVarint();
        }
    }
    return runs;
}

function decodeFeature(feature, tile) {
    const rings = feature.loadGeometry();
    const out = {
        id: feature.id ?? null,
        type: feature.type,
        properties: { ...feature.properties },
        commands: commandRuns(feature),
        rings: rings.map((ring) => ring.map((p) => [p.x, p.y])),
        polygons: [],
    };
    if (feature.type === 3) {
        out.polygons = classifyRings(rings).map((polygon) => polygon.map((ring) => rings.indexOf(ring)));
    }
    if (tile.geojson) {
        out.geojson = feature.toGeoJSON(tile.x, tile.y, tile.z).geometry;
    }
    return out;
}

function decodeTile(tile) {
    const bytes = tile.file !== undefined ? readFileSync(tile.file) : Buffer.from(tile.base64, 'base64');
    const vt = new VectorTile(new PbfReader(bytes));
    const layers = {};
    for (const [name, layer] of Object.entries(vt.layers)) {
        const features = [];
        for (let i = 0; i < layer.length; i++) {
            features.push(decodeFeature(layer.feature(i), tile));
        }
        layers[name] = { version: layer.version, extent: layer.extent, features };
    }
    return { layers };
}

try {
    const request = JSON.parse(readFileSync(0, 'utf8'));
    process.stdout.write(JSON.stringify(request.map(decodeTile)));
} catch (e) {
    process.stderr.write(`decode.mjs: ${e.stack ?? e}\n`);
    process.exit(1);
}
