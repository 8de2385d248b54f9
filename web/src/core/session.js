// Who the page calls the API as: the optional token (sent as `Authorization: Bearer`) and
// whether the server refused it. Kept in localStorage so a dispatcher enters it once.
import { createStore } from './store.js';

const KEY = 'onemap.token';

/**
 * @typedef {object} Session
 * @property {string} token the API token, '' for anonymous calls (names and phones come masked)
 * @property {boolean} rejected the server answered `invalid_token` for this token
 */

/** @typedef {import('./store.js').Store<Session>} SessionStore */

function loadToken() {
  try { return localStorage.getItem(KEY) ?? ''; } catch { return ''; }
}

/** @param {string} token */
function saveToken(token) {
  try {
    if (token) localStorage.setItem(KEY, token);
    else localStorage.removeItem(KEY);
  } catch { /* storage is off: the token lives as long as the page */ }
}

/** @returns {SessionStore} */
export function createSession() {
  const session = createStore({ token: loadToken(), rejected: false });
  session.subscribe((s, prev) => { if (s.token !== prev.token) saveToken(s.token); });
  return session;
}

/**
 * True when answers the page shows may now differ: another token, or a refused one entered again.
 * @param {Readonly<Session>} s
 * @param {Readonly<Session>} prev
 */
export const credentialsChanged = (s, prev) => s.token !== prev.token || (prev.rejected && !s.rejected);
