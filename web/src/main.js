// The page: the session and API client every view shares, the map, the token field, and the
// dispatch view. Tests read `window.map` and wait for `window.onemapReady`.
import { createApi } from './core/api.js';
import { $ } from './core/dom.js';
import { ApiError } from './core/errors.js';
import { createMap } from './core/map.js';
import { createSession } from './core/session.js';
import { mountTokenField } from './core/token-field.js';
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

const map = createMap({ container: $('#map'), bounds: await tileBounds(), padding: initialPadding() });
window.map = map;
const firstIdle = new Promise((resolve) => map.once('idle', () => resolve(undefined)));

mountTokenField(session);
const cards = mountDispatch({ map, api, session });
await Promise.all([firstIdle, cards]);
window.onemapReady = true;
