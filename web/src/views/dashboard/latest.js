// Only the newest answer counts: a section that asks again (another period, a moved slider)
// aborts the request before, and an answer that comes late is dropped.

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
