// What lies under the pointer (or the tap, on a phone) on the dashboard map: a hexagon's count,
// an area's name and figure, in a small tip that follows it.
import * as maplibregl from 'maplibre-gl';
import { CHORO_FILL, HEAT_FILL, OFFLINE_FILL } from './map-layers.js';

/**
 * @param {maplibregl.Map} map
 * @param {(feature: maplibregl.MapGeoJSONFeature) => string | null} describe the tip's text; null for none
 */
export function mountHover(map, describe) {
  const tip = new maplibregl.Popup({ closeButton: false, closeOnClick: false, className: 'dash-tip', offset: 10 });
  /** @param {maplibregl.MapMouseEvent} e */
  const show = (e) => {
    const layers = [HEAT_FILL, OFFLINE_FILL, CHORO_FILL].filter((id) => map.getLayer(id) && map.getLayoutProperty(id, 'visibility') !== 'none');
    const [feature] = layers.length ? map.queryRenderedFeatures(e.point, { layers }) : [];
    const text = feature ? describe(feature) : null;
    if (text) tip.setLngLat(e.lngLat).setText(text).addTo(map);
    else tip.remove();
  };
  map.on('mousemove', show);
  map.on('click', show);
  map.on('mouseout', () => tip.remove());
}
