// The dispatch view (110 / 12345): click or type a place, see which grid, beat and station
// answer for it, their people, the escalation chain and the cameras nearby.
import { $, $as } from '../../core/dom.js';
import { ApiError } from '../../core/errors.js';
import { isNarrow } from '../../core/screen.js';
import { credentialsChanged } from '../../core/session.js';
import { CAMERA_RADIUS_M, CAMERAS_LISTED } from './cameras.js';
import { mountLayerCard } from './layer-card.js';
import { Panel } from './panel.js';
import { clearPick, highlight, setPick } from './pick.js';
import { setupSearch } from './search.js';
import { mountStatus } from './status.js';

/** @typedef {import('maplibre-gl').Map} Map */
/** @typedef {import('maplibre-gl').PaddingOptions} Padding */
/** @typedef {import('../../core/api.js').Crs} Crs */
/** @typedef {import('../../core/api.js').SearchHit} SearchHit */

/** Room for the cards over the map on a desktop: the layer card left, the panel right. */
const DESKTOP_PADDING = { top: 50, bottom: 50, left: 290, right: 420 };
const PHONE_MARGIN = 30;

/**
 * The padding for the first view, before any panel is open.
 * @returns {Padding}
 */
export const initialPadding = () => (isNarrow() ? phonePadding(0) : { ...DESKTOP_PADDING, right: 50 });

/**
 * On a phone the layer card folds to a chip; only the sheet (`sheetHeight` px) takes room.
 * @param {number} sheetHeight
 * @returns {Padding}
 */
const phonePadding = (sheetHeight) =>
  ({ top: PHONE_MARGIN, left: PHONE_MARGIN, right: PHONE_MARGIN, bottom: PHONE_MARGIN + sheetHeight });

/**
 * @param {object} ctx
 * @param {Map} ctx.map
 * @param {import('../../core/api.js').Api} ctx.api
 * @param {import('../../core/session.js').SessionStore} ctx.session
 * @returns {{ ready: Promise<void>, goToFeature: (id: string) => Promise<void> }} `ready` once the
 *   layer card is filled; `goToFeature` flies to a grid, beat, station or camera and outlines it
 */
export function mountDispatch({ map, api, session }) {
  /** @type {{ lng: number, lat: number, crs: Crs } | null} the point shown, asked again when the token changes */
  let shown = null;
  let asked = 0; // numbers the locate calls, so a slow answer cannot replace a newer one

  const panel = new Panel($('#panel'), {
    onClose: () => { clearPick(map); highlight(map); shown = null; },
    onNearest: (id) => goToFeature(id),
  });

  /** @returns {Padding} */
  const padding = () => (isNarrow() ? phonePadding(panel.height) : DESKTOP_PADDING);

  /**
   * On a phone the sheet covers the lower part of the map: pan a point it hides into the rest.
   * @param {[number, number]} lngLat
   */
  const revealAboveSheet = (lngLat) => {
    if (!isNarrow()) return;
    const free = map.getContainer().clientHeight - panel.height;
    const { y } = map.project(lngLat);
    if (y > free - PHONE_MARGIN) map.panBy([0, y - free / 2], { duration: 300 });
  };

  /**
   * Locates a point and shows who answers for it.
   * @param {number} lng
   * @param {number} lat
   * @param {Crs} crs the coordinate system the numbers are in; the answer is in WGS84
   * @param {{ fly?: boolean }} [options] fly there (typed coordinates) rather than stay (a click)
   */
  async function locate(lng, lat, crs = 'wgs84', { fly = false } = {}) {
    const n = ++asked;
    shown = { lng, lat, crs };
    const wgs84 = crs === 'wgs84' ? { lng, lat } : null; // known before the server converts it
    if (wgs84) setPick(map, lng, lat, CAMERA_RADIUS_M);
    panel.loading(wgs84);
    try {
      const r = await api.locate(lng, lat, { crs, cameras: CAMERAS_LISTED, radius: CAMERA_RADIUS_M });
      if (n !== asked) return;
      const at = /** @type {[number, number]} */ ([r.point.lng, r.point.lat]);
      setPick(map, ...at, CAMERA_RADIUS_M);
      highlight(map, { grid: r.grid.id, beat: r.beat?.id, cameras: r.cameras.map((c) => c.id) });
      panel.located(r);
      if (fly) map.flyTo({ center: at, zoom: Math.max(map.getZoom(), 15), duration: 1200 });
      else revealAboveSheet(at);
    } catch (e) {
      if (n !== asked) return;
      if (!(e instanceof ApiError)) throw e;
      highlight(map);
      panel.error(e, wgs84);
      if (wgs84) setPick(map, lng, lat, 0);
      else clearPick(map);
      if (fly && wgs84) map.flyTo({ center: [lng, lat], duration: 1200 });
    }
  }

  /** @param {SearchHit} r a search hit: fly to it and outline it */
  function showHit(r) {
    clearPick(map);
    shown = null;
    panel.found(r);
    const [minx, miny, maxx, maxy] = r.bbox;
    if (maxx > minx || maxy > miny) {
      map.fitBounds([[minx, miny], [maxx, maxy]], { padding: padding(), maxZoom: 17, duration: 1200 });
    } else {
      map.flyTo({ center: r.center, zoom: 17, duration: 1200 });
    }
    highlight(map, {
      grid: r.layer === 'grid' ? r.id : null,
      beat: r.layer === 'beat' ? r.id : null,
      station: r.layer === 'station' ? r.id : null,
      cameras: r.layer === 'camera' ? [r.id] : null,
    });
  }

  /** @param {string} id a feature's id, e.g. the grid nearest to a point outside them all */
  async function goToFeature(id) {
    try {
      const hit = (await api.search(id)).find((r) => r.id === id);
      if (hit) showHit(hit);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      panel.error(e);
    }
  }

  const layerCard = mountLayerCard(map, api);
  mountStatus(map, $('#status'));
  map.on('click', (e) => locate(e.lngLat.lng, e.lngLat.lat));

  setupSearch(
    { form: $as('#search', HTMLFormElement), input: $as('#search-q', HTMLInputElement), crs: $as('#search-crs', HTMLSelectElement), list: $('#search-results') },
    {
      search: api.search,
      onResult: showHit,
      onCoords: (lng, lat, crs) => locate(lng, lat, crs, { fly: true }),
      onError: (e) => { if (e instanceof ApiError) panel.error(e); else throw e; },
    },
  );

  session.subscribe((s, prev) => {
    if (shown && credentialsChanged(s, prev)) locate(shown.lng, shown.lat, shown.crs);
  });
  return { ready: layerCard, goToFeature };
}
