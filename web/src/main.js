// The map page: wires the map, the layer switcher, search, token and the side panel.
import * as maplibregl from 'maplibre-gl';
import { ApiError, locate } from './api.js';
import { $ } from './dom.js';
import { coord } from './format.js';
import { provideHatch } from './hatch.js';
import { setupLayers } from './layers.js';
import { renderLegend } from './legend.js';
import { Panel } from './panel.js';
import { clearPick, highlight, setPick } from './pick.js';
import { setupSearch } from './search.js';
import { setupToken } from './token.js';

const PAD = { top: 50, bottom: 50, left: 290, right: 420 }; // room for the cards over the map

async function tileJson() {
  try {
    const res = await fetch('/tiles.json');
    return res.ok ? await res.json() : null;
  } catch { return null; }
}

const tj = await tileJson();
const bounds = Array.isArray(tj?.bounds) && tj.bounds.length === 4 ? tj.bounds : null;

const map = new maplibregl.Map({
  container: 'map',
  style: '/style.json',
  ...(bounds ? { bounds, fitBoundsOptions: { padding: { ...PAD, right: 50 } } } : {}),
  dragRotate: false,
  pitchWithRotate: false,
  touchPitch: false,
  maxPitch: 0,
  attributionControl: { compact: true },
});
window.map = map;
map.touchZoomRotate.disableRotation();
map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'bottom-right');
map.addControl(new maplibregl.ScaleControl({ unit: 'metric', maxWidth: 140 }), 'bottom-left');
map.on('error', (e) => console.error('地图错误：', e.error?.message ?? e));
provideHatch(map);

const panel = new Panel($('#panel'), { onClose: () => { clearPick(map); highlight(map); last = null; } });
let last = null; // the last query, re-run when the token changes
let seq = 0;

/** Locates a point and shows who answers for it. `crs` is the input's coordinate system. */
async function pick(lng, lat, crs = 'wgs84', { fly = false } = {}) {
  const n = ++seq;
  last = { lng, lat, crs };
  if (crs === 'wgs84') setPick(map, lng, lat);
  panel.loading(crs === 'wgs84' ? { lng, lat } : null);
  try {
    const r = await locate(lng, lat, crs);
    if (n !== seq) return;
    setPick(map, r.point.lng, r.point.lat);
    highlight(map, { grid: r.grid?.id, beat: r.beat?.id, cameras: (r.cameras ?? []).map((c) => c.id) });
    panel.located(r);
    if (fly) map.flyTo({ center: [r.point.lng, r.point.lat], zoom: Math.max(map.getZoom(), 15), duration: 1200 });
  } catch (e) {
    if (n !== seq) return;
    highlight(map);
    const err = e instanceof ApiError ? e : new ApiError(0, { message: String(e) });
    panel.error(err, crs === 'wgs84' ? { lng, lat } : null);
    if (crs === 'wgs84') setPick(map, lng, lat, 0);
    else clearPick(map);
    if (fly && crs === 'wgs84') map.flyTo({ center: [lng, lat], duration: 1200 });
  }
}

function flyToResult(r) {
  clearPick(map);
  last = null;
  const [minx, miny, maxx, maxy] = r.bbox ?? [];
  if (r.bbox && (maxx > minx || maxy > miny)) {
    map.fitBounds([[minx, miny], [maxx, maxy]], { padding: PAD, maxZoom: 17, duration: 1200 });
  } else if (r.center) {
    map.flyTo({ center: r.center, zoom: 17, duration: 1200 });
  }
  highlight(map, {
    grid: r.layer === 'grid' ? r.id : null,
    beat: r.layer === 'beat' ? r.id : null,
    station: r.layer === 'station' ? r.id : null,
    cameras: r.layer === 'camera' ? [r.id] : null,
  });
  panel.found(r);
}

map.on('load', () => {
  const card = $('#layers');
  setupLayers(map, card);
  renderLegend(card);
});
map.once('idle', () => { window.onemapReady = true; });
map.on('click', (e) => pick(e.lngLat.lng, e.lngLat.lat));

// Pointer position and zoom in the status line.
const status = $('#status');
let hover = null;
const showStatus = () => {
  const z = `缩放 ${map.getZoom().toFixed(1)} 级`;
  status.textContent = hover ? `${coord(hover.lng)}, ${coord(hover.lat)} · ${z}` : z;
};
map.on('mousemove', (e) => { hover = e.lngLat; showStatus(); });
map.on('mouseout', () => { hover = null; showStatus(); });
map.on('zoom', showStatus);
showStatus();

setupSearch(
  { form: $('#search'), input: $('#search-q'), crs: $('#search-crs'), list: $('#search-results') },
  {
    onResult: flyToResult,
    onCoords: (lng, lat, crs) => pick(lng, lat, crs, { fly: true }),
    onError: (e) => panel.error(e),
  },
);

setupToken($('#token'), $('#token-state'), () => { if (last) pick(last.lng, last.lat, last.crs); });
