// The heatmap's H3 cells: which resolution suits the zoom, and hexagons as GeoJSON for counts
// the server has no tiles of (the offline cameras).
import { cellToBoundary } from 'h3-js';

/** The resolutions the server counts incidents at. */
export const MIN_RES = 5;
export const MAX_RES = 11;

/**
 * The H3 resolution for a zoom: a cell ~20 px across. A resolution is √7 ≈ 2.65 times finer
 * than the one before, 1.4 zoom levels; res 7 (about 2.5 km across) suits zoom 9.
 * @param {number} zoom
 */
export function resForZoom(zoom) {
  const res = Math.round(7 + (zoom - 9) / 1.4);
  return Math.min(MAX_RES, Math.max(MIN_RES, res));
}

/**
 * The cells as hexagons with their counts (`cell`, `count`, as in the server's heatmap tiles)
 * for a GeoJSON source.
 * @param {readonly [string, number][]} cells
 * @returns {GeoJSON.FeatureCollection<GeoJSON.Polygon, { cell: string, count: number }>}
 */
export function cellsToGeoJson(cells) {
  return {
    type: 'FeatureCollection',
    features: cells.map(([cell, count]) => ({
      type: 'Feature',
      properties: { cell, count },
      geometry: { type: 'Polygon', coordinates: [cellToBoundary(cell, true)] },
    })),
  };
}
