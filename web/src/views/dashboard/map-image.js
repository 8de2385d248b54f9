// A map as a PNG with its title and legend drawn in, so the image says what it shows. WebGL
// clears its buffer after each frame: the map is copied in the `render` event, while it is whole.

const FONT = '"Noto Sans CJK SC", "Microsoft YaHei", sans-serif';
const TITLE_H = 36;

/**
 * @param {import('maplibre-gl').Map} map
 * @param {string} title
 * @param {readonly import('./scale.js').LegendItem[]} legend
 * @param {string} legendTitle
 * @returns {Promise<string>} a data: URL
 */
export function mapImage(map, title, legend, legendTitle) {
  return new Promise((resolve) => {
    map.once('render', () => resolve(compose(map.getCanvas(), title, legend, legendTitle)));
    map.triggerRepaint();
  });
}

/**
 * @param {HTMLCanvasElement} mapCanvas
 * @param {string} title
 * @param {readonly import('./scale.js').LegendItem[]} legend
 * @param {string} legendTitle
 */
function compose(mapCanvas, title, legend, legendTitle) {
  const scale = mapCanvas.width / (mapCanvas.clientWidth || mapCanvas.width);
  const out = document.createElement('canvas');
  out.width = mapCanvas.width;
  out.height = mapCanvas.height + TITLE_H * scale;
  const g = /** @type {CanvasRenderingContext2D} */ (out.getContext('2d'));
  g.scale(scale, scale);
  g.fillStyle = '#ffffff';
  g.fillRect(0, 0, out.width, out.height);
  g.fillStyle = '#0f2442';
  g.font = `bold 15px ${FONT}`;
  g.textBaseline = 'middle';
  g.fillText(title, 10, TITLE_H / 2);
  g.drawImage(mapCanvas, 0, TITLE_H, mapCanvas.width / scale, mapCanvas.height / scale);

  const row = 18;
  const boxH = 28 + legend.length * row;
  const [x, y] = [10, TITLE_H + mapCanvas.height / scale - boxH - 10];
  g.fillStyle = 'rgba(255,255,255,0.92)';
  g.fillRect(x, y, 150, boxH);
  g.fillStyle = '#0f2442';
  g.font = `bold 12px ${FONT}`;
  g.fillText(legendTitle, x + 8, y + 14);
  g.font = `12px ${FONT}`;
  legend.forEach((item, i) => {
    const top = y + 24 + i * row;
    g.fillStyle = item.colour;
    g.fillRect(x + 8, top + 2, 16, 12);
    g.fillStyle = '#1f2937';
    g.fillText(item.label, x + 32, top + 8);
  });
  return out.toDataURL('image/png');
}
