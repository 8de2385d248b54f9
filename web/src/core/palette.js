// Colours shared by the style (built in Node) and the legend (in the page).

/** Beat colours: a grid is filled with the colour of its beat (`beat_color` 0..11). */
export const BEAT_COLORS = [
  '#4e79a7', '#f28e2b', '#59a14f', '#e15759', '#76b7b2', '#edc948',
  '#b07aa1', '#ff9da7', '#9c755f', '#8cd17d', '#499894', '#d37295',
];

/** Grids with no beat. */
export const NO_BEAT = '#c7ccd4';

export const COLORS = {
  background: '#dde3ea', // outside the city: the basemap is a plain colour
  land: '#f6f5f1', // county fill, so the city reads as land
  county: '#3b4252',
  township: '#59606e',
  community: '#7b8290',
  grid: '#ffffff',
  micro: '#8f96a3',
  straddle: '#c2410c', // grids that straddle beats
  beat: '#1e3a8a',
  beatCasing: '#ffffff',
  station: '#0b2e6b',
  cameraOnline: '#0e7490',
  cameraOffline: '#9ca3af',
  highlight: '#facc15', // the located or found grid
  beatGlow: '#3b82f6', // its beat or station
  pick: '#dc2626',
};

/** Names of the grid levels, as the interface shows them. */
export const LEVELS = [
  { level: 0, name: '县区' },
  { level: 1, name: '街道/乡镇' },
  { level: 2, name: '社区/村' },
  { level: 3, name: '网格' },
  { level: 4, name: '微网格' },
];
