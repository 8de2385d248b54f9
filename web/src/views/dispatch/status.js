// The status line under the map: the pointer's coordinates and the zoom level.
import { coord } from '../../core/format.js';

/**
 * @param {import('maplibre-gl').Map} map
 * @param {HTMLElement} el
 */
export function mountStatus(map, el) {
  /** @type {import('maplibre-gl').LngLat | null} */
  let pointer = null;
  const show = () => {
    const zoom = `缩放 ${map.getZoom().toFixed(1)} 级`;
    el.textContent = pointer ? `${coord(pointer.lng)}, ${coord(pointer.lat)} · ${zoom}` : zoom;
  };
  map.on('mousemove', (e) => { pointer = e.lngLat; show(); });
  map.on('mouseout', () => { pointer = null; show(); });
  map.on('zoom', show);
  show();
}
