// A tiny element builder. Text goes in as text nodes, never as HTML.

/** @typedef {string | number | boolean | null | undefined} AttrValue */
/** @typedef {Record<string, AttrValue | Record<string, AttrValue> | ((event: Event) => void)>} Attrs */
/** @typedef {Node | string | number | null | undefined | false} Child */
/** @typedef {Child | Children[]} Children */

/**
 * h('li', {class: 'x', dataset: {id}, onclick}, 'text', child): `on…` attributes are listeners,
 * `dataset` fills data-*; null, undefined and false attributes and children are left out.
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Attrs | null} [attrs]
 * @param {...Children} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v == null || v === false) continue;
    if (typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (typeof v === 'object') {
      for (const [dk, dv] of Object.entries(v)) if (dv != null) el.dataset[dk] = String(dv);
    } else if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

/**
 * @param {Element} el
 * @param {Children[]} children
 */
function append(el, children) {
  for (const c of children) {
    if (c == null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : String(c));
  }
}

/**
 * The element matching `selector`. Throws when the page lacks it: a broken page should fail
 * loudly at start, not later on a null.
 * @param {string} selector
 * @returns {HTMLElement}
 */
export function $(selector) {
  const el = document.querySelector(selector);
  if (!(el instanceof HTMLElement)) throw new Error(`the page has no ${selector}`);
  return el;
}

/**
 * Like `$`, for an element of a known kind (an input, a select...).
 * @template {HTMLElement} E
 * @param {string} selector
 * @param {new () => E} kind
 * @returns {E}
 */
export function $as(selector, kind) {
  const el = $(selector);
  if (!(el instanceof kind)) throw new Error(`${selector} is not a ${kind.name}`);
  return el;
}
