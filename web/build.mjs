// Builds web/dist: the page's own files, MapLibre's ES modules and style.json. No bundler.
import { cpSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildStyle } from './style/style.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, 'dist');
const maplibre = join(here, 'node_modules', 'maplibre-gl', 'dist');

rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// The page: html, css and ES modules (core/, views/...), copied as they are, folders and all.
cpSync(join(here, 'src'), dist, { recursive: true });

// MapLibre 6 is ESM only; it loads its worker from next to itself.
for (const f of ['maplibre-gl.mjs', 'maplibre-gl-worker.mjs', 'maplibre-gl.css']) {
  cpSync(join(maplibre, f), join(dist, f));
}

// The dashboard's libraries, as ES modules the import map names: ECharts (charts) and h3-js
// (the heatmap's hexagon outlines; its browser build needs no WebAssembly file).
cpSync(join(here, 'node_modules', 'echarts', 'dist', 'echarts.esm.min.mjs'), join(dist, 'echarts.mjs'));
cpSync(join(here, 'node_modules', 'h3-js', 'dist', 'browser', 'h3-js.es.js'), join(dist, 'h3-js.mjs'));

writeFileSync(join(dist, 'style.json'), JSON.stringify(buildStyle(), null, 1) + '\n');
console.log(`built ${dist}`);
