// The dashboard map's own layers on the shared style: the heatmap's hexagons (a GeoJSON source)
// and the choropleth (a fill on the style's vector tiles, coloured by feature id). The style's
// own colours (grids by beat, cameras...) are switched off: only boundaries and names stay under
// the statistic, so its colours are the only ones.
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

export const HEAT_FILL = 'heat-fill';
export const CHORO_FILL = 'choro-fill';
const HEAT_LAYERS = [HEAT_FILL, 'heat-line'];
const CHORO_LAYERS = [CHORO_FILL, 'choro-line'];

/** @param {Map} map */
export function prepareStyle(map) {
  for (const layer of map.getStyle().layers) {
    if (!BASE.has(layer.id)) map.setLayoutProperty(layer.id, 'visibility', 'none');
  }
  map.addSource('heat', { type: 'geojson', data: cellsToGeoJson([]) });
  map.addLayer({ id: HEAT_FILL, type: 'fill', source: 'heat', paint: { 'fill-color': '#fcd34d', 'fill-opacity': 0.78 } }, UNDER);
  map.addLayer({ id: 'heat-line', type: 'line', source: 'heat', paint: { 'line-color': '#ffffff', 'line-width': 0.4, 'line-opacity': 0.7 } }, UNDER);
}

/**
 * @param {Map} map
 * @param {readonly [string, number][]} cells
 * @param {readonly number[]} breaks
 * @param {readonly string[]} colours
 */
export function drawHeat(map, cells, breaks, colours) {
  /** @type {import('maplibre-gl').GeoJSONSource} */ (map.getSource('heat')).setData(cellsToGeoJson(cells));
  map.setPaintProperty(HEAT_FILL, 'fill-color', stepColour(['get', 'count'], breaks, colours));
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
  map.addLayer({ id: CHORO_FILL, type: 'fill', ...common, paint: { 'fill-color': matchColour(colourById, fallback), 'fill-opacity': 0.8 } }, UNDER);
  map.addLayer({ id: 'choro-line', type: 'line', ...common, paint: { 'line-color': '#ffffff', 'line-width': 0.6 } }, UNDER);
}

/**
 * Shows the heatmap or the choropleth, not both.
 * @param {Map} map
 * @param {'heat' | 'choropleth'} mode
 */
export function showMode(map, mode) {
  const set = (/** @type {string[]} */ ids, /** @type {boolean} */ on) => {
    for (const id of ids) if (map.getLayer(id)) map.setLayoutProperty(id, 'visibility', on ? 'visible' : 'none');
  };
  set(HEAT_LAYERS, mode === 'heat');
  set(CHORO_LAYERS, mode === 'choropleth');
}
