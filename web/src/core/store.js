// A tiny state store: shared state lives in one object that modules read and subscribe to,
// instead of in module-level variables that each module mutates in its own way.

/**
 * @template {object} S
 * @typedef {(state: Readonly<S>, previous: Readonly<S>) => void} Listener
 */

/**
 * @template {object} S
 * @typedef {object} Store
 * @property {() => Readonly<S>} get the current state (frozen: change it with `set`)
 * @property {(patch: Partial<S>) => void} set merges `patch`; listeners run only if a value changed
 * @property {(listener: Listener<S>) => () => void} subscribe returns the unsubscribe function
 */

/**
 * @template {object} S
 * @param {S} initial
 * @returns {Store<S>}
 */
export function createStore(initial) {
  /** @type {Readonly<S>} */
  let state = Object.freeze({ ...initial });
  /** @type {Set<Listener<S>>} */
  const listeners = new Set();
  return {
    get: () => state,
    set(patch) {
      const previous = state;
      const next = { ...state, ...patch };
      const keys = /** @type {(keyof S)[]} */ (Object.keys(patch));
      if (keys.every((k) => Object.is(next[k], previous[k]))) return;
      state = Object.freeze(next);
      for (const listener of [...listeners]) listener(state, previous);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => { listeners.delete(listener); };
    },
  };
}
