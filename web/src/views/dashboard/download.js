// Saving what the page made (a CSV, a PNG) as a file, with no server round trip.
import { h } from '../../core/dom.js';

/**
 * Saves `href` (a data: or blob: URL) under `name`.
 * @param {string} name
 * @param {string} href
 */
export function saveUrl(name, href) {
  const a = h('a', { href, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
}

/**
 * @param {string} name
 * @param {string} text
 * @param {string} type e.g. text/csv;charset=utf-8
 */
export function saveText(name, text, type) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  saveUrl(name, url);
  setTimeout(() => URL.revokeObjectURL(url), 60_000); // the browser reads it after the click returns
}

/** A file name from a title and a period: no characters file systems refuse. @param {...string} parts */
export const fileName = (...parts) => parts.join('_').replace(/[\\/:*?"<>|\s]+/g, '-');
