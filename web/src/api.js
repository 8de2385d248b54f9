// Calls to the onemap HTTP API. Errors come back as JSON {error, message}.
import { getToken, markTokenInvalid } from './token.js';

export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `请求失败（HTTP ${status}）`);
    this.status = status;
    this.code = body?.error ?? 'http_error';
    this.body = body ?? {};
  }
}

export async function api(path, params = {}, signal) {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v != null && v !== '') url.searchParams.set(k, v);
  const headers = { Accept: 'application/json' };
  const token = getToken();
  if (token) headers.Authorization = `Bearer ${token}`;
  let res;
  try {
    res = await fetch(url, { headers, signal });
  } catch (e) {
    if (e.name === 'AbortError') throw e;
    throw new ApiError(0, { error: 'network', message: '无法连接服务器' });
  }
  const body = await res.json().catch(() => null);
  if (res.status === 401 && token && body?.error === 'invalid_token') markTokenInvalid();
  if (!res.ok) throw new ApiError(res.status, body);
  return body;
}

/** Which grid, beat, station, people and cameras answer for a point. */
export const locate = (lng, lat, crs = 'wgs84', signal) =>
  api('/v1/locate', { lng, lat, crs: crs === 'wgs84' ? null : crs, cameras: 5, radius: 300 }, signal);

export const search = (q, signal) => api('/v1/search', { q, limit: 10 }, signal);
