// The layer card: the switcher and the legend under one header that folds the card away.
// It starts folded on a phone, where the map needs the room.
import { $, $as } from '../../core/dom.js';
import { isNarrow } from '../../core/screen.js';
import { setupLayers } from './layers.js';
import { renderLegend } from './legend.js';

/** @param {import('maplibre-gl').Map} map */
export function mountLayerCard(map) {
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
  map.on('load', () => {
    setupLayers(map, body);
    renderLegend(body);
  });
}
