// The page: the session and API client every view shares, the map, the token field, the
// dispatch view and, once first shown, the leaders' dashboard. Tests read `window.map` and wait
// for `window.onemapReady` (and `window.dashboardReady` on the dashboard).
import { createApi } from './core/api.js';
import { $ } from './core/dom.js';
import { ApiError } from './core/errors.js';
import { createMap } from './core/map.js';
import { createSession } from './core/session.js';
import { mountTokenField } from './core/token-field.js';
import { mountViewTabs } from './core/views.js';
import { mountDashboard } from './views/dashboard/index.js';
import { initialPadding, mountDispatch } from './views/dispatch/index.js';

const session = createSession();
const api = createApi(session);

/** The tile set's bounds frame the first view; without them the style's centre and zoom do. */
async function tileBounds() {
  try {
    const bounds = (await api.tileJson()).bounds;
    return Array.isArray(bounds) && bounds.length === 4 ? bounds : null;
  } catch (e) {
    if (e instanceof ApiError) return null;
    throw e;
  }
}

const bounds = await tileBounds();
const map = createMap({ container: $('#map'), bounds, padding: initialPadding() });
window.map = map;
const firstIdle = new Promise((resolve) => map.once('idle', () => resolve(undefined)));

mountTokenField(session);
const dispatch = mountDispatch({ map, api, session });

/** @type {ReturnType<typeof mountDashboard> | null} made when first shown: its charts and map cost nothing before */
let dashboard = null;
const views = mountViewTabs((view) => {
  if (view !== 'dashboard' || dashboard) return;
  dashboard = mountDashboard({
    root: $('#dashboard'), api, session, bounds,
    showOnMap: (id) => { views.go('map'); dispatch.goToFeature(id); },
  });
  window.dashboardMap = dashboard.map;
  dashboard.ready.then(() => { window.dashboardReady = true; });
});

await Promise.all([firstIdle, dispatch.ready]);
window.onemapReady = true;
