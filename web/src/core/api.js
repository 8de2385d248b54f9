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

/**
 * The window and filters statistics and heatmaps count incidents in. `from`/`to` are a China
 * date (2026-06-30) or RFC 3339; `to` is exclusive.
 * @typedef {object} EventSelection
 * @property {string} [from]
 * @property {string} [to]
 * @property {string} [category] e.g. 治安; all categories when left out
 */

/** @typedef {'city' | 'grid' | 'beat' | 'station'} StatsLayer */

/**
 * One row of `GET /v1/stats/{layer}`: the figures of a grid, beat, station or the city. Event
 * counts are null where the server suppressed them (fewer than 3, for callers without a token).
 * @typedef {object} StatsRow
 * @property {StatsLayer} layer
 * @property {string} id
 * @property {string} name
 * @property {number} [level] grids only
 * @property {string | null} [parent] a grid's parent, a beat's station
 * @property {number} area_km2
 * @property {number} grids level-3 grids inside
 * @property {number} children
 * @property {number} officers
 * @property {number} auxiliaries
 * @property {number} grid_leaders
 * @property {number} grid_workers
 * @property {number} cameras
 * @property {number} cameras_online
 * @property {number} cameras_per_km2
 * @property {number | null} grids_per_officer
 * @property {number} grids_without_officer
 * @property {number} grids_without_worker
 * @property {string | null} [beat] a grid's beat
 * @property {number | null} [beat_share]
 * @property {number} beats_over_norm
 * @property {number | null} events
 * @property {Record<string, number>} events_by_category
 * @property {number | null} events_previous in the period of the same length just before
 * @property {number | null} events_last_year in the same period a year before
 * @property {number | null} change_previous 环比, a fraction (0.1 = +10 %)
 * @property {number | null} change_last_year 同比, a fraction
 */

/**
 * `GET /v1/stats/{layer}`.
 * @typedef {object} StatsAnswer
 * @property {string} layer
 * @property {{ from: string | null, to: string | null, category: string | null, source: string | null }} period
 * @property {number} count
 * @property {StatsRow[]} rows
 */

/**
 * `GET /v1/events/trend`: incidents per time bucket, one count per category in `categories` order.
 * @typedef {object} Trend
 * @property {number} bucket_s
 * @property {string[]} categories
 * @property {{ start: string, total: number, counts: number[] }[]} buckets
 */

/**
 * `GET /v1/heatmap`: incidents (or cameras) per H3 cell; incident cells under `suppress_below`
 * are left out for callers without a token.
 * @typedef {object} Heatmap
 * @property {string} layer
 * @property {number} res
 * @property {number} total
 * @property {number} suppressed_cells
 * @property {number} suppress_below
 * @property {[string, number][]} cells [H3 cell id in hex, count]
 */

/**
 * One grid or beat of `GET /v1/coverage/{grid|beat}`: its area and the part of it some online
 * camera sees.
 * @typedef {object} CoverageRow
 * @property {string} id
 * @property {string} name
 * @property {number} area_m2
 * @property {number} covered_m2
 * @property {number} share covered_m2 / area_m2
 */

/**
 * `GET /v1/coverage/{grid|beat}`: camera coverage as area, least covered first.
 * @typedef {object} Coverage
 * @property {'grid' | 'beat'} layer
 * @property {number | null} level
 * @property {number} share the city's: all covered area over all area
 * @property {number} count rows
 * @property {CoverageRow[]} rows
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

/**
 * The URL template of the incident heatmap's vector tiles (`/tiles/heatmap/{z}/{x}/{y}.mvt`, layer
 * `heatmap`, properties `cell` and `count`) for a window, category and H3 resolution; the braces
 * are left for MapLibre to fill.
 * @param {EventSelection & { res?: number }} query
 * @param {string} origin
 */
export function heatmapTiles(query, origin) {
  const params = apiUrl('/', /** @type {Params} */ (query), origin).search;
  return `${origin}/tiles/heatmap/{z}/{x}/{y}.mvt${params}`;
}

/** The uncovered parts of every level-3 grid (`GET /v1/coverage/grid.geojson`), for a GeoJSON source. @param {string} origin */
export const blindSpotsUrl = (origin) => `${origin}/v1/coverage/grid.geojson`;

/**
 * Sends the session's token with the map's own requests to this server (the heatmap tiles, the
 * uncovered parts), as `get` does with the API's: MapLibre's `transformRequest`.
 * @param {import('./session.js').SessionStore} session
 * @param {string} origin
 * @returns {(url: string) => { url: string, headers?: Record<string, string> }}
 */
export const withToken = (session, origin) => (url) => {
  const { token } = session.get();
  const ours = url.startsWith(`${origin}/tiles/heatmap/`) || url.startsWith(`${origin}/v1/`);
  return token && ours ? { url, headers: { Authorization: `Bearer ${token}` } } : { url };
};

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

    /**
     * Coverage figures of every grid, beat or station (or the city), for incidents in `selection`.
     * @param {StatsLayer} layer
     * @param {EventSelection & { level?: number, sort?: string, order?: 'asc' | 'desc', limit?: number }} query
     * @param {AbortSignal} [signal]
     */
    stats: async (layer, query, signal) =>
      /** @type {StatsAnswer} */ (await get(`/v1/stats/${layer}`, query, signal)),

    /**
     * Incidents per day or week, by category.
     * @param {EventSelection & { bucket: 'day' | 'week' }} query
     * @param {AbortSignal} [signal]
     */
    trend: async (query, signal) => /** @type {Trend} */ (await get('/v1/events/trend', query, signal)),

    /**
     * Incidents per H3 cell of resolution `res` (5–11).
     * @param {EventSelection & { res: number }} query
     * @param {AbortSignal} [signal]
     */
    eventHeatmap: async (query, signal) =>
      /** @type {Heatmap} */ (await get('/v1/heatmap', { layer: 'event', ...query }, signal)),

    /**
     * Cameras per H3 cell of resolution `res`, e.g. only the offline ones.
     * @param {{ res: number, status?: 'online' | 'offline' }} query
     * @param {AbortSignal} [signal]
     */
    cameraHeatmap: async (query, signal) =>
      /** @type {Heatmap} */ (await get('/v1/heatmap', { layer: 'camera', ...query }, signal)),

    /**
     * Camera coverage as area per grid (level 3 unless `level` says) or beat, least covered first.
     * @param {'grid' | 'beat'} layer
     * @param {{ level?: number, limit?: number }} query
     * @param {AbortSignal} [signal]
     */
    coverage: async (layer, query, signal) => /** @type {Coverage} */ (await get(`/v1/coverage/${layer}`, query, signal)),

    /** The tile set's description: its bounds frame the first view. */
    tileJson: async () => /** @type {TileJson} */ (await get('/tiles.json')),
  };
}
