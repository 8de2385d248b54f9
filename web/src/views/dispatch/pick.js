// The clicked point, the camera search radius around it, and the outlines of what answers for
// it, drawn through the style's GeoJSON sources and highlight filters.

/** @typedef {import('maplibre-gl').Map} Map */
/** @typedef {import('maplibre-gl').FilterSpecification} Filter */

/** @type {GeoJSON.FeatureCollection} */
const EMPTY = { type: 'FeatureCollection', features: [] };
/** @type {Filter} a filter that matches nothing: highlights start off */
const NONE = ['==', ['get', 'id'], ''];

/**
 * A circle of `radius` metres around [lng, lat], as a polygon (local flat approximation).
 * @param {number} lng
 * @param {number} lat
 * @param {number} radius
 * @returns {GeoJSON.Feature<GeoJSON.Polygon>}
 */
function circle(lng, lat, radius, steps = 64) {
  const dLat = radius / 111320;
  const dLng = dLat / Math.cos((lat * Math.PI) / 180);
  const ring = [];
  for (let i = 0; i <= steps; i++) {
    const a = (i / steps) * 2 * Math.PI;
    ring.push([lng + dLng * Math.cos(a), lat + dLat * Math.sin(a)]);
  }
  return { type: 'Feature', properties: {}, geometry: { type: 'Polygon', coordinates: [ring] } };
}

/**
 * Replaces the data of one of the style's GeoJSON sources (`pick`, `pick-radius`).
 * @param {Map} map
 * @param {string} id
 * @param {GeoJSON.GeoJSON} data
 */
function setData(map, id, data) {
  /** @type {import('maplibre-gl').GeoJSONSource | undefined} */ (map.getSource(id))?.setData(data);
}

/**
 * Marks the point and, if `radius` > 0, the circle the cameras were searched in.
 * @param {Map} map
 * @param {number} lng
 * @param {number} lat
 * @param {number} radius metres
 */
export function setPick(map, lng, lat, radius) {
  setData(map, 'pick', { type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lng, lat] } });
  setData(map, 'pick-radius', radius ? circle(lng, lat, radius) : EMPTY);
}

/** @param {Map} map */
export function clearPick(map) {
  setData(map, 'pick', EMPTY);
  setData(map, 'pick-radius', EMPTY);
}

/**
 * @typedef {object} Highlights ids of what to outline; anything left out is outlined no more
 * @property {string | null} [grid]
 * @property {string | null} [beat]
 * @property {string | null} [station]
 * @property {string[] | null} [cameras]
 */

/**
 * Outlines the features with these ids (grid, beat, station) and rings these cameras.
 * @param {Map} map
 * @param {Highlights} [ids]
 */
export function highlight(map, { grid, beat, station, cameras } = {}) {
  /** @param {string | null | undefined} id @returns {Filter} */
  const byId = (id) => (id ? ['==', ['get', 'id'], id] : NONE);
  map.setFilter('grid-highlight', byId(grid));
  map.setFilter('beat-highlight', byId(beat));
  map.setFilter('station-highlight', byId(station));
  map.setFilter('camera-near', cameras?.length ? ['in', ['get', 'id'], ['literal', cameras]] : NONE);
}
