// The clicked point and the camera search radius around it, drawn from GeoJSON sources.
const EMPTY = { type: 'FeatureCollection', features: [] };

/** A circle of `radius` metres around [lng, lat], as a polygon (local flat approximation). */
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

export function setPick(map, lng, lat, radius = 300) {
  map.getSource('pick')?.setData({ type: 'Feature', properties: {}, geometry: { type: 'Point', coordinates: [lng, lat] } });
  map.getSource('pick-radius')?.setData(radius ? circle(lng, lat, radius) : EMPTY);
}

export function clearPick(map) {
  map.getSource('pick')?.setData(EMPTY);
  map.getSource('pick-radius')?.setData(EMPTY);
}

const NONE = ['==', ['get', 'id'], ''];

/** Outlines the features with these ids (grid, beat, station) and rings these cameras. */
export function highlight(map, { grid, beat, station, cameras } = {}) {
  const byId = (id) => (id ? ['==', ['get', 'id'], id] : NONE);
  map.setFilter('grid-highlight', byId(grid));
  map.setFilter('beat-highlight', byId(beat));
  map.setFilter('station-highlight', byId(station));
  map.setFilter('camera-near', cameras?.length ? ['in', ['get', 'id'], ['literal', cameras]] : NONE);
}
