// The layer switcher: one checkbox per group of style layers (`metadata["onemap:group"]`), with
// a hint on the groups that only show from a deeper zoom.
import { h } from '../../core/dom.js';
import { BEAT_COLORS, COLORS, LEVELS } from '../../core/palette.js';

/** @typedef {{ class: string, style: string }} Swatch */

/** @param {number} level */
function gridSwatch(level) {
  const border = [`2px solid ${COLORS.county}`, `2px solid ${COLORS.township}`, `1px solid ${COLORS.community}`, '1px solid #9aa3b0', `1px dashed ${COLORS.micro}`][level];
  const fill = level === 3 ? `${BEAT_COLORS[0]}88` : level === 4 ? `${BEAT_COLORS[4]}44` : COLORS.land;
  return { class: 'sw-area', style: `background:${fill};border:${border}` };
}

/** @type {{ id: string, name: string, swatch: Swatch }[]} */
const GROUPS = [
  ...LEVELS.map(({ level, name }) => ({ id: `grid-${level}`, name, swatch: gridSwatch(level) })),
  { id: 'beat', name: '警格', swatch: { class: 'sw-area', style: `background:${BEAT_COLORS[1]}66;border:2px solid ${COLORS.beat}` } },
  { id: 'station', name: '派出所', swatch: { class: 'sw-point', style: `background:${COLORS.station}` } },
  { id: 'camera', name: '摄像头', swatch: { class: 'sw-dot', style: `background:${COLORS.cameraOnline}` } },
];

/** @param {import('maplibre-gl').LayerSpecification} layer */
const groupOf = (layer) => /** @type {{ 'onemap:group'?: string } | undefined} */ (layer.metadata)?.['onemap:group'];

/**
 * Appends the switcher to `el`. Call once the style has loaded: it reads the style's layers.
 * @param {import('maplibre-gl').Map} map
 * @param {HTMLElement} el
 */
export function setupLayers(map, el) {
  const layers = map.getStyle().layers;
  const rows = GROUPS.map((g) => {
    const members = layers.filter((l) => groupOf(l) === g.id);
    const minzoom = Math.min(...members.map((l) => l.minzoom ?? 0));
    const input = h('input', { type: 'checkbox', checked: true, id: `layer-${g.id}`, dataset: { group: g.id } });
    input.addEventListener('change', () => {
      for (const l of members) map.setLayoutProperty(l.id, 'visibility', input.checked ? 'visible' : 'none');
    });
    const row = h('label', { class: 'layer-row', for: `layer-${g.id}` },
      input, h('span', { class: `sw ${g.swatch.class}`, style: g.swatch.style }), h('span', { class: 'lname' }, g.name),
      h('span', { class: 'zoom-hint' }, `${minzoom}级+`));
    return { row, minzoom };
  });
  el.append(h('h2', {}, '图层'), h('div', { class: 'layer-list' }, rows.map((r) => r.row)));
  const refresh = () => {
    const z = map.getZoom();
    for (const { row, minzoom } of rows) {
      const hidden = z < minzoom;
      row.classList.toggle('dim', hidden);
      row.title = hidden ? `放大到 ${minzoom} 级以上显示` : '';
    }
  };
  map.on('zoomend', refresh);
  refresh();
}
