// The MapLibre map every view draws on: the server's style, no rotation or pitch (a grid map
// is read north up), zoom buttons and a metric scale.
import * as maplibregl from 'maplibre-gl';
import { provideHatch } from './hatch.js';

/**
 * @param {object} options
 * @param {HTMLElement} options.container
 * @param {import('./api.js').BBox | null} options.bounds the first view, e.g. the tile set's bounds
 * @param {maplibregl.PaddingOptions} options.padding room left around `bounds` for the cards
 * @param {maplibregl.RequestTransformFunction} [options.transformRequest] e.g. a token for this server's tiles
 */
export function createMap({ container, bounds, padding, transformRequest }) {
  const map = new maplibregl.Map({
    container,
    ...(transformRequest ? { transformRequest } : {}),
    style: '/style.json',
    ...(bounds ? { bounds, fitBoundsOptions: { padding } } : {}),
    dragRotate: false,
    pitchWithRotate: false,
    touchPitch: false,
    maxPitch: 0,
    attributionControl: { compact: true },
  });
  map.touchZoomRotate.disableRotation();
  map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
  map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 140 }), 'bottom-left');
  map.on('error', (e) => console.error('地图错误：', e.error?.message ?? e));
  provideHatch(map);
  return map;
}
