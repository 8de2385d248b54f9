// The diagonal hatch that marks grids straddling beats: the style's `hatch` image, drawn here
// because a style.json cannot carry images and the page fetches nothing from elsewhere.
import { COLORS } from './palette.js';

const SIZE = 12; // pixels at pixelRatio 2: a 6 px repeat on screen

function hatchImage() {
  const data = new Uint8Array(SIZE * SIZE * 4);
  const [r, g, b] = [1, 3, 5].map((i) => parseInt(COLORS.straddle.slice(i, i + 2), 16));
  for (let y = 0; y < SIZE; y++) {
    for (let x = 0; x < SIZE; x++) {
      const d = (x + y) % SIZE; // anti-diagonal stripes that tile seamlessly
      const a = d < 2 ? 210 : d < 3 ? 70 : 0;
      data.set([r, g, b, a], (y * SIZE + x) * 4);
    }
  }
  return { width: SIZE, height: SIZE, data };
}

/**
 * Adds the pattern when the style first asks for it.
 * @param {import('maplibre-gl').Map} map
 */
export function provideHatch(map) {
  const add = () => { if (!map.hasImage('hatch')) map.addImage('hatch', hatchImage(), { pixelRatio: 2 }); };
  map.on('styleimagemissing', (e) => { if (e.id === 'hatch') add(); });
  map.on('style.load', add);
}
