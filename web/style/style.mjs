// Builds the MapLibre style. The server swaps `{origin}` for its own http://host:port.
// No glyphs URL and no remote sources: MapLibre draws labels from local fonts.
import { BEAT_COLORS, NO_BEAT, COLORS as C } from '../src/core/palette.js';

const SRC = 'onemap';
const EMPTY = { type: 'FeatureCollection', features: [] };
const NONE = ['==', ['get', 'id'], '']; // a filter that matches nothing (highlights start off)
const FONT = ['Noto Sans CJK SC Regular'];
const FONT_BOLD = ['Noto Sans CJK SC Bold'];

const beatColor = ['match', ['coalesce', ['get', 'beat_color'], -1],
  ...BEAT_COLORS.flatMap((c, i) => [i, c]), NO_BEAT];
const isLevel = (n) => ['==', ['get', 'level'], n];
const straddles = ['any', ['==', ['get', 'straddles'], true], ['==', ['get', 'straddles'], 1]];
const zoomed = (...stops) => ['interpolate', ['linear'], ['zoom'], ...stops];
const group = (g) => ({ 'onemap:group': g });

// Per grid level: when it shows, how its fill fades as finer levels take over, its outline.
// Only grids (level 3+) carry a beat; above them the beats themselves are filled (z9-12).
const GRID_LEVELS = [
  { level: 0, minzoom: 0, fill: null, line: C.county, width: zoomed(6, 1.6, 12, 3.2), labelMin: 0, labelMax: 10, size: 16 },
  { level: 1, minzoom: 0, fill: null, line: C.township, width: zoomed(8, 0.8, 12, 2.2, 16, 3), labelMin: 8, labelMax: 12, size: 14 },
  { level: 2, minzoom: 10, fill: null, line: C.community, width: zoomed(10, 0.6, 14, 1.6), labelMin: 11.5, labelMax: 13.5, size: 13 },
  { level: 3, minzoom: 12, fill: zoomed(12, 0, 13, 0.45, 17, 0.35), line: C.grid, width: zoomed(12, 0.5, 16, 1.4), labelMin: 13, labelMax: 24, size: 12 },
  { level: 4, minzoom: 14, fill: 0.12, line: C.micro, width: zoomed(14, 0.4, 17, 1), dash: [3, 2], labelMin: 16, labelMax: 24, size: 11 },
];

function gridFills() {
  const out = [{
    id: 'grid-0-land', type: 'fill', source: SRC, 'source-layer': 'grid', filter: isLevel(0),
    metadata: group('grid-0'), paint: { 'fill-color': C.land },
  }, {
    id: 'beat-fill', type: 'fill', source: SRC, 'source-layer': 'beat', minzoom: 9, maxzoom: 13,
    metadata: group('beat'),
    paint: { 'fill-color': beatColor, 'fill-opacity': zoomed(9, 0.3, 11.5, 0.4, 12.8, 0), 'fill-antialias': false },
  }];
  for (const g of GRID_LEVELS) {
    if (!g.fill) continue;
    out.push({
      id: `grid-${g.level}-fill`, type: 'fill', source: SRC, 'source-layer': 'grid',
      minzoom: g.minzoom, filter: isLevel(g.level), metadata: group(`grid-${g.level}`),
      paint: { 'fill-color': beatColor, 'fill-opacity': g.fill, 'fill-antialias': false },
    });
  }
  // Grids that straddle beats: hatched, with a dashed outline (see gridLines).
  for (const g of GRID_LEVELS.filter((g) => g.level >= 3)) {
    out.push({
      id: `grid-${g.level}-straddle`, type: 'fill', source: SRC, 'source-layer': 'grid',
      minzoom: g.minzoom, filter: ['all', isLevel(g.level), straddles], metadata: group(`grid-${g.level}`),
      paint: { 'fill-pattern': 'hatch', 'fill-opacity': g.level === 4 ? 0.4 : 0.6 },
    });
  }
  return out;
}

function gridLines() {
  const out = [];
  // Finest first, so the coarser boundaries draw on top.
  for (const g of [...GRID_LEVELS].reverse()) {
    const paint = { 'line-color': g.line, 'line-width': g.width };
    if (g.dash) paint['line-dasharray'] = g.dash;
    if (g.level === 3) paint['line-opacity'] = 0.95;
    out.push({
      id: `grid-${g.level}-line`, type: 'line', source: SRC, 'source-layer': 'grid',
      minzoom: g.minzoom, filter: isLevel(g.level), metadata: group(`grid-${g.level}`),
      layout: { 'line-join': 'round' }, paint,
    });
    if (g.level >= 3) {
      out.push({
        id: `grid-${g.level}-straddle-line`, type: 'line', source: SRC, 'source-layer': 'grid',
        minzoom: g.minzoom, filter: ['all', isLevel(g.level), straddles], metadata: group(`grid-${g.level}`),
        paint: { 'line-color': C.straddle, 'line-width': zoomed(12, 1, 16, 2.2), 'line-dasharray': [2, 1.5], 'line-offset': zoomed(12, 0.5, 16, 1.2) },
      });
    }
  }
  return out;
}

function policeLayers() {
  return [
    {
      id: 'station-line', type: 'line', source: SRC, 'source-layer': 'station', metadata: group('station'),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': C.station, 'line-width': zoomed(8, 1.2, 14, 3.5), 'line-dasharray': [4, 2], 'line-opacity': 0.85 },
    },
    {
      id: 'beat-casing', type: 'line', source: SRC, 'source-layer': 'beat', minzoom: 9, metadata: group('beat'),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': C.beatCasing, 'line-width': zoomed(9, 2, 14, 5.5), 'line-opacity': 0.8 },
    },
    {
      id: 'beat-line', type: 'line', source: SRC, 'source-layer': 'beat', minzoom: 9, metadata: group('beat'),
      layout: { 'line-join': 'round' },
      paint: { 'line-color': C.beat, 'line-width': zoomed(9, 1, 14, 2.8) },
    },
  ];
}

function highlights() {
  const hl = (id, layer, color, width, opacity) => ({
    id, type: 'line', source: SRC, 'source-layer': layer, filter: NONE,
    layout: { 'line-join': 'round' },
    paint: { 'line-color': color, 'line-width': width, 'line-opacity': opacity },
  });
  return [
    hl('station-highlight', 'station', C.beatGlow, zoomed(8, 4, 16, 10), 0.45),
    hl('beat-highlight', 'beat', C.beatGlow, zoomed(8, 4, 16, 10), 0.45),
    hl('grid-highlight', 'grid', C.highlight, zoomed(8, 3, 16, 5), 0.95),
  ];
}

function cameraLayers() {
  const offline = ['==', ['get', 'status'], 'offline'];
  return [
    {
      id: 'camera-near', type: 'circle', source: SRC, 'source-layer': 'camera', filter: NONE,
      paint: { 'circle-radius': zoomed(12, 6, 18, 11), 'circle-color': C.highlight, 'circle-opacity': 0.9, 'circle-stroke-color': C.pick, 'circle-stroke-width': 1.5 },
    },
    {
      id: 'camera-circle', type: 'circle', source: SRC, 'source-layer': 'camera', minzoom: 12, metadata: group('camera'),
      paint: {
        'circle-radius': zoomed(12, 2, 15, 3.5, 18, 6),
        'circle-color': ['case', offline, C.cameraOffline, C.cameraOnline],
        'circle-stroke-color': '#ffffff', 'circle-stroke-width': zoomed(12, 0.5, 15, 1.2),
      },
    },
  ];
}

function pickLayers() {
  return [
    { id: 'pick-radius', type: 'fill', source: 'pick-radius', paint: { 'fill-color': C.pick, 'fill-opacity': 0.06 } },
    { id: 'pick-radius-line', type: 'line', source: 'pick-radius', paint: { 'line-color': C.pick, 'line-width': 1.2, 'line-dasharray': [3, 2] } },
    { id: 'pick-halo', type: 'circle', source: 'pick', paint: { 'circle-radius': 13, 'circle-color': C.pick, 'circle-opacity': 0.18 } },
    { id: 'pick-point', type: 'circle', source: 'pick', paint: { 'circle-radius': 6, 'circle-color': C.pick, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2.5 } },
  ];
}

function labels() {
  const halo = { 'text-halo-color': 'rgba(255,255,255,0.92)', 'text-halo-width': 1.6 };
  const out = [];
  for (const g of [...GRID_LEVELS].reverse()) {
    out.push({
      id: `grid-${g.level}-label`, type: 'symbol', source: SRC, 'source-layer': 'grid_label',
      minzoom: g.labelMin, maxzoom: g.labelMax, filter: isLevel(g.level), metadata: group(`grid-${g.level}`),
      layout: {
        'text-field': ['get', 'name'], 'text-font': g.level <= 1 ? FONT_BOLD : FONT,
        'text-size': g.size, 'text-max-width': 8, 'text-padding': 3,
        'text-letter-spacing': g.level === 0 ? 0.2 : 0,
      },
      paint: { 'text-color': g.level <= 1 ? '#1f2937' : '#374151', ...halo },
    });
  }
  out.push(
    {
      id: 'camera-label', type: 'symbol', source: SRC, 'source-layer': 'camera', minzoom: 17, metadata: group('camera'),
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 10, 'text-offset': [0, 1.1], 'text-anchor': 'top', 'text-optional': true },
      paint: { 'text-color': '#155e75', ...halo },
    },
    {
      id: 'beat-label', type: 'symbol', source: SRC, 'source-layer': 'beat_label', minzoom: 11.5, metadata: group('beat'),
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT_BOLD, 'text-size': zoomed(11, 11, 16, 14), 'text-max-width': 8, 'text-offset': [0, 1.4] },
      paint: { 'text-color': C.beat, ...halo },
    },
    {
      id: 'station-point', type: 'circle', source: SRC, 'source-layer': 'station_label', metadata: group('station'),
      paint: { 'circle-radius': zoomed(8, 4, 14, 7), 'circle-color': C.station, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 2 },
    },
    {
      id: 'station-label', type: 'symbol', source: SRC, 'source-layer': 'station_label', minzoom: 9, metadata: group('station'),
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT_BOLD, 'text-size': 13, 'text-anchor': 'left', 'text-offset': [0.9, 0], 'text-max-width': 10 },
      paint: { 'text-color': C.station, ...halo },
    },
  );
  return out;
}

export function buildStyle() {
  return {
    version: 8,
    name: '网格+警格一张图',
    metadata: { 'onemap:groups': ['grid-0', 'grid-1', 'grid-2', 'grid-3', 'grid-4', 'beat', 'station', 'camera'] },
    center: [121.42, 28.66],
    zoom: 10,
    sources: {
      [SRC]: {
        type: 'vector',
        tiles: ['{origin}/tiles/{z}/{x}/{y}.mvt'],
        minzoom: 0,
        maxzoom: 16,
        attribution: 'onemap 网格+警格一张图',
      },
      pick: { type: 'geojson', data: EMPTY },
      'pick-radius': { type: 'geojson', data: EMPTY },
    },
    layers: [
      { id: 'background', type: 'background', paint: { 'background-color': C.background } },
      ...gridFills(),
      ...gridLines(),
      ...policeLayers(),
      ...highlights(),
      ...cameraLayers(),
      ...pickLayers(),
      ...labels(),
    ],
  };
}
