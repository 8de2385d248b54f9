// The layer card: the switcher and the legend under one header that folds the card away.
// It starts folded on a phone, where the map needs the room.
import { $, $as } from '../../core/dom.js';
import { ApiError } from '../../core/errors.js';
import { isNarrow } from '../../core/screen.js';
import { setupLayers } from './layers.js';
import { renderLegend } from './legend.js';

/**
 * Fetches the server's layer manifest at once, and fills the card when the style has loaded.
 * Resolves once the card is filled; a manifest that cannot be had leaves a switcher under the
 * style's group ids and says why in Chinese.
 * @param {import('maplibre-gl').Map} map
 * @param {import('../../core/api.js').Api} api
 * @returns {Promise<void>}
 */
export function mountLayerCard(map, api) {
  const card = $('#layers');
  const toggle = $as('#layers-toggle', HTMLButtonElement);
  const body = $('#layers-body');
  /** @param {boolean} open */
  const setOpen = (open) => {
    card.classList.toggle('folded', !open);
    body.hidden = !open;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.textContent = open ? '收起' : '图层与图例';
  };
  setOpen(!isNarrow());
  toggle.addEventListener('click', () => setOpen(card.classList.contains('folded')));
  const manifest = api.layers().catch((e) => {
    if (e instanceof ApiError) return e;
    throw e;
  });
  return new Promise((resolve, reject) => {
    map.once('load', () => manifest.then((m) => {
      setupLayers(map, body, m);
      renderLegend(body);
      resolve();
    }).catch(reject));
  });
}
