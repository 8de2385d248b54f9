// Only the newest answer counts: a section that asks again (another period, a moved slider)
// aborts the request before, and an answer that comes late is dropped.
import { ApiError } from '../../core/errors.js';

/**
 * @returns {<T>(task: (signal: AbortSignal) => Promise<T>) => Promise<{ value: T } | null>}
 *   null when a newer task replaced this one
 */
export function latestOnly() {
  /** @type {AbortController | null} */
  let current = null;
  return async (task) => {
    current?.abort();
    const mine = new AbortController();
    current = mine;
    try {
      const value = await task(mine.signal);
      return current === mine ? { value } : null;
    } catch (e) {
      if (current !== mine) return null;
      throw e;
    }
  };
}

/**
 * A part of the dashboard that asks the API and shows the answer: the newest answer only, and a
 * refusal (ApiError) as its Chinese message. Anything else is a bug and is thrown.
 * @template T
 * @param {(signal: AbortSignal) => Promise<T>} ask reads the filters when called
 * @param {(answer: T) => void} show
 * @param {(error: ApiError) => void} fail
 * @returns {() => Promise<void>} asks (again)
 */
export function answering(ask, show, fail) {
  const only = latestOnly();
  return async () => {
    try {
      const answer = await only(ask);
      if (answer) show(answer.value);
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      fail(e);
    }
  };
}
