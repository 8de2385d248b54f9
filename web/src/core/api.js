// The one place the page talks to the onemap HTTP API: every call carries the session's token
// (if any) and every failure becomes an ApiError with a Chinese message.
import { ApiError } from './errors.js';

/** @typedef {'grid' | 'beat' | 'station' | 'camera'} Layer */
/** @typedef {'wgs84' | 'gcj02' | 'bd09'} Crs */
/** @typedef {{ lng: number, lat: number }} LngLat */
/** @typedef {[number, number, number, number]} BBox [minLng, minLat, maxLng, maxLat] */

/**
 * @typedef {object} Person
 * @property {string} [id]
 * @property {string} [name] masked (张*) without a dispatcher token
 * @property {string} [phone] masked (138****0000) without a dispatcher token
 * @property {string} [title]
 * @property {string} [role]
 */

/**
 * @typedef {object} FeatureSummary
 * @property {string} id
 * @property {string} name
 * @property {Layer} layer
 * @property {number} [level] grids: 0 county … 4 micro-grid
 * @property {string} [level_title]
 * @property {string} [kind]
 * @property {string} [category]
 * @property {string} [setting]
 * @property {string} [status] cameras: online or offline
 * @property {Person[]} [people]
 */

/** @typedef {FeatureSummary & { boundary_distance_m?: number }} AreaHit */
/** @typedef {FeatureSummary & { distance_m: number }} CameraHit */
/** @typedef {{ layer: Layer, id: string, name: string, distance_m: number }} NearCandidate */
/** @typedef {{ level: string, title?: string, id?: string, name?: string, people?: Person[] }} EscalationStep */

/**
 * `GET /v1/locate`: everything a dispatcher needs about one point.
 * @typedef {object} LocateAnswer
 * @property {LngLat} point in WGS84, after conversion from the asked `crs`
 * @property {AreaHit} grid
 * @property {FeatureSummary[]} ancestors nearest first
 * @property {AreaHit | null} beat
 * @property {FeatureSummary | null} station
 * @property {EscalationStep[]} escalation
 * @property {CameraHit[]} cameras the nearest few within the radius
 * @property {number} cameras_in_radius how many lie within the radius in all
 * @property {NearCandidate[]} near
 */

/** @typedef {{ layer: Layer, id: string, name: string, level: number | null, bbox: BBox, center: [number, number] }} SearchHit */
/** @typedef {{ bounds?: BBox, center?: number[] }} TileJson */

/**
 * One attribute of a layer's features, as the server's layer registry describes it.
 * @typedef {object} LayerField
 * @property {string} name
 * @property {string} title Chinese
 * @property {'integer' | 'number' | 'string' | 'keyword' | 'boolean' | string} type
 * @property {boolean} required
 * @property {boolean} personal
 * @property {string} [description]
 * @property {number} [minimum]
 * @property {number} [maximum]
 * @property {string[]} [values] a keyword's allowed values
 */

/**
 * One kind of feature the server holds (grid, beat, station, camera... the registry may add more).
 * @typedef {object} LayerInfo
 * @property {string} id
 * @property {string} title Chinese, e.g. 警格
 * @property {'point' | 'line' | 'polygon' | string} geometry
 * @property {number} min_zoom
 * @property {number} count how many features the layer holds
 * @property {LayerField[]} fields
 * @property {LayerField[]} tile_fields the attributes its tiles carry
 * @property {string} geojson path of the layer's GeoJSON export
 * @property {string} tiles path template of its vector tiles
 */

/**
 * `GET /v1/layers`: the server's layer registry.
 * @typedef {object} LayerManifest
 * @property {number} version the data version the counts are of
 * @property {number} people
 * @property {LayerInfo[]} layers
 */

/** @typedef {Record<string, string | number | null | undefined>} Params */

/**
 * The URL of an API call; parameters that are null, undefined or '' are left out.
 * @param {string} path
 * @param {Params} params
 * @param {string} origin
 */
export function apiUrl(path, params, origin) {
  const url = new URL(path, origin);
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, String(v));
  return url;
}

/**
 * `/v1/locate` parameters; WGS84 is the server's default, so only other systems are named.
 * @param {number} lng
 * @param {number} lat
 * @param {{ crs?: Crs, cameras: number, radius: number }} options
 * @returns {Params}
 */
export const locateParams = (lng, lat, { crs = 'wgs84', cameras, radius }) =>
  ({ lng, lat, crs: crs === 'wgs84' ? null : crs, cameras, radius });

/** @typedef {ReturnType<typeof createApi>} Api */

/** @param {import('./session.js').SessionStore} session */
export function createApi(session) {
  /**
   * GETs JSON. Rejects with ApiError, or with the AbortError when `signal` aborted the call.
   * @param {string} path
   * @param {Params} [params]
   * @param {AbortSignal} [signal]
   * @returns {Promise<unknown>}
   */
  async function get(path, params = {}, signal) {
    const { token } = session.get();
    /** @type {Record<string, string>} */
    const headers = { Accept: 'application/json' };
    if (token) headers.Authorization = `Bearer ${token}`;
    let res;
    try {
      res = await fetch(apiUrl(path, params, location.origin), { headers, signal });
    } catch (e) {
      if (e instanceof DOMException && e.name === 'AbortError') throw e;
      throw new ApiError(0, null);
    }
    const body = await res.json().catch(() => null);
    if (res.ok) return body;
    const error = new ApiError(res.status, body);
    // Only the token that was sent is known to be bad: it may have changed meanwhile.
    if (error.code === 'invalid_token' && token && session.get().token === token) session.set({ rejected: true });
    throw error;
  }

  return {
    /**
     * Which grid, beat, station, people and cameras answer for a point.
     * @param {number} lng
     * @param {number} lat
     * @param {{ crs?: Crs, cameras: number, radius: number }} options
     * @param {AbortSignal} [signal]
     */
    locate: async (lng, lat, options, signal) =>
      /** @type {LocateAnswer} */ (await get('/v1/locate', locateParams(lng, lat, options), signal)),

    /**
     * Grids, beats, stations and cameras by name or id.
     * @param {string} q
     * @param {AbortSignal} [signal]
     */
    search: async (q, signal) =>
      /** @type {{ results: SearchHit[] }} */ (await get('/v1/search', { q, limit: 10 }, signal)).results,

    /** The layers the server holds: their Chinese titles, feature counts and fields. */
    layers: async () => /** @type {LayerManifest} */ (await get('/v1/layers')),

    /** The tile set's description: its bounds frame the first view. */
    tileJson: async () => /** @type {TileJson} */ (await get('/tiles.json')),
  };
}
