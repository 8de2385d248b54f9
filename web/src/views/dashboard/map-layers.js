// The dashboard map's own layers on the shared style: the incident heatmap (the server's hexagon
// vector tiles), the offline cameras' hexagons (a GeoJSON source: that count has no tiles), the
// choropleth (a fill on the style's vector tiles, coloured by feature id) and, over any of them,
// the parts of the city no online camera sees (视频盲区). The style's own colours (grids by beat,
// cameras...) are switched off: only boundaries and names stay under the statistic, so its
// colours are the only ones.
import { cellsToGeoJson } from './hexes.js';
import { matchColour, stepColour } from './scale.js';

/** @typedef {import('maplibre-gl').Map} Map */
/** @typedef {import('./metrics.js').Unit} Unit */

/** The style's layers kept under the statistics: land, administrative boundaries, their names. */
const BASE = new Set(['background', 'grid-0-land', 'grid-0-line', 'grid-1-line', 'grid-2-line', 'grid-0-label', 'grid-1-label', 'grid-2-label']);
/** The style's vector source (style/style.mjs) the choropleth joins onto. */
const TILES = 'onemap';
/** Below the style's boundary lines (finest first: this is the first), so they draw on top. */
const UNDER = 'grid-4-line';

/** The incident heatmap: the vector source and its layer in the server's tiles. */
export const HEAT_SOURCE = 'heat';
const HEAT_TILE_LAYER = 'heatmap';
/** Tiles beyond this zoom are drawn from this zoom's (the finest resolution, 11, suits zoom 14.6). */
const HEAT_MAXZOOM = 16;
export const HEAT_FILL = 'heat-fill';
export const OFFLINE_SOURCE = 'offline';
export const OFFLINE_FILL = 'offline-fill';
export const CHORO_FILL = 'choro-fill';
export const BLIND_SOURCE = 'blind';
export const BLIND_FILL = 'blind-fill';
/** The uncovered parts' colour: a dark veil that leaves the statistic under it readable. */
export const BLIND_COLOUR = 'rgba(30, 41, 59, 0.3)';
const HEAT_LAYERS = [HEAT_FILL, 'heat-line'];
const OFFLINE_LAYERS = [OFFLINE_FILL, 'offline-line'];
const CHORO_LAYERS = [CHORO_FILL, 'choro-line'];

/** @typedef {'events' | 'offline'} Subject */

/**
 * Hides the style's colours and adds the layers that do not wait for an answer: the offline
 * cameras' hexagons (empty) and the uncovered parts (hidden, fetched when first shown). The
 * statistics go under the uncovered parts, which go under the boundaries.
 * @param {Map} map
 */
export function prepareStyle(map) {
  for (const layer of map.getStyle().layers) {
    if (!BASE.has(layer.id)) map.setLayoutProperty(layer.id, 'visibility', 'none');
  }
  map.addSource(BLIND_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
  map.addLayer({ id: BLIND_FILL, type: 'fill', source: BLIND_SOURCE, layout: { visibility: 'none' }, paint: { 'fill-color': BLIND_COLOUR, 'fill-antialias': false } }, UNDER);
  map.addSource(OFFLINE_SOURCE, { type: 'geojson', data: cellsToGeoJson([]) });
  map.addLayer({ id: OFFLINE_FILL, type: 'fill', source: OFFLINE_SOURCE, paint: { 'fill-color': '#fcd34d', 'fill-opacity': 0.78 } }, BLIND_FILL);
  map.addLayer({ id: 'offline-line', type: 'line', source: OFFLINE_SOURCE, paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.7 } }, BLIND_FILL);
}

/**
 * Draws the incident heatmap from the tiles at `tiles` (a URL template naming the window, the
 * category and the resolution), coloured by `count` in the classes of `breaks`. The source and
 * its layers are made afresh each time: MapLibre drops the new tiles of `setTiles` when a paint
 * change of the same source is pending (it reparses the old tiles instead of fetching), and the
 * colours change with the tiles.
 * @param {Map} map
 * @param {string} tiles
 * @param {readonly number[]} breaks
 * @param {readonly string[]} colours
 */
export function drawHeatTiles(map, tiles, breaks, colours) {
  for (const id of HEAT_LAYERS) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(HEAT_SOURCE)) map.removeSource(HEAT_SOURCE);
  map.addSource(HEAT_SOURCE, { type: 'vector', tiles: [tiles], maxzoom: HEAT_MAXZOOM });
  const common = { source: HEAT_SOURCE, 'source-layer': HEAT_TILE_LAYER };
  map.addLayer({ id: HEAT_FILL, type: 'fill', ...common, paint: { 'fill-color': stepColour(['get', 'count'], breaks, colours), 'fill-opacity': 0.78 } }, OFFLINE_FILL);
  map.addLayer({ id: 'heat-line', type: 'line', ...common, paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.7 } }, OFFLINE_FILL);
}

/**
 * Draws the offline cameras per cell as hexagons worked out here (h3-js).
 * @param {Map} map
 * @param {readonly [string, number][]} cells
 * @param {readonly number[]} breaks
 * @param {readonly string[]} colours
 */
export function drawOffline(map, cells, breaks, colours) {
  /** @type {import('maplibre-gl').GeoJSONSource} */ (map.getSource(OFFLINE_SOURCE)).setData(cellsToGeoJson(cells));
  map.setPaintProperty(OFFLINE_FILL, 'fill-color', stepColour(['get', 'count'], breaks, colours));
}

/**
 * Colours the unit's areas on the tiles: `colourById` joined by the feature property `id`.
 * @param {Map} map
 * @param {Unit} unit
 * @param {ReadonlyMap<string, string>} colourById
 * @param {string} fallback areas without a value
 */
export function drawChoropleth(map, unit, colourById, fallback) {
  for (const id of CHORO_LAYERS) if (map.getLayer(id)) map.removeLayer(id);
  /** @type {import('maplibre-gl').FilterSpecification | undefined} */
  const filter = unit.level == null ? undefined : ['==', ['get', 'level'], unit.level];
  const common = { source: TILES, 'source-layer': unit.layer, minzoom: unit.minzoom, ...(filter ? { filter } : {}) };
  map.addLayer({ id: CHORO_FILL, type: 'fill', ...common, paint: { 'fill-color': matchColour(colourById, fallback), 'fill-opacity': 0.8 } }, BLIND_FILL);
  map.addLayer({ id: 'choro-line', type: 'line', ...common, paint: { 'line-color': '#ffffff', 'line-width': 0.6 } }, BLIND_FILL);
}

/**
 * Shows the heatmap of `subject` or the choropleth, nothing else.
 * @param {Map} map
 * @param {'heat' | 'choropleth'} mode
 * @param {Subject} subject
 */
export function showMode(map, mode, subject) {
  setVisible(map, HEAT_LAYERS, mode === 'heat' && subject === 'events');
  setVisible(map, OFFLINE_LAYERS, mode === 'heat' && subject === 'offline');
  setVisible(map, CHORO_LAYERS, mode === 'choropleth');
}

/**
 * Shows or hides the uncovered parts.
 * @param {Map} map
 * @param {boolean} on
 * @param {string | null} url fetch them from here first (the first time they are shown)
 */
export function showBlindSpots(map, on, url) {
  if (url) /** @type {import('maplibre-gl').GeoJSONSource} */ (map.getSource(BLIND_SOURCE)).setData(url);
  setVisible(map, [BLIND_FILL], on);
}

/**
 * @param {Map} map
 * @param {readonly string[]} ids
 * @param {boolean} on
 */
function setVisible(map, ids, on) {
  for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
}
