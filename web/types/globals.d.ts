// What the page puts on `window` for the browser tests (web/test).
import type { Map } from 'maplibre-gl';

declare global {
  interface Window {
    /** The page's map, for `page.evaluate` in tests. */
    map: Map;
    /** Set after the map's first `idle`: the style, tiles and cards are in place. */
    onemapReady?: boolean;
    /** The dashboard's map, once the dashboard was first shown. */
    dashboardMap?: Map;
    /** Set once the dashboard's figures, charts, tables and map are first in place. */
    dashboardReady?: boolean;
  }
}

export {};
