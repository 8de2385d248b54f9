// A coordinate typed into the search box. The page does not convert GCJ-02 or BD-09 itself:
// it sends the numbers with `crs` and the server answers with the point in WGS84.

/** @typedef {import('../../core/api.js').Crs} Crs */

/** @type {readonly Crs[]} */
const CRS_CHOICES = ['wgs84', 'gcj02', 'bd09'];

/**
 * "121.4,28.6", "121.4，28.6", "121.4 28.6" → [lng, lat]; "28.6,121.4" is swapped when it can
 * only be latitude first. Anything else (a name, an id, a point off the globe) → null.
 * @param {string} text
 * @returns {[number, number] | null}
 */
export function parseCoords(text) {
  const m = text.trim().match(/^(-?\d+(?:\.\d+)?)\s*[,，\s]\s*(-?\d+(?:\.\d+)?)$/);
  if (!m) return null;
  let [a, b] = [Number(m[1]), Number(m[2])];
  if (Math.abs(a) <= 90 && Math.abs(b) > 90) [a, b] = [b, a];
  if (Math.abs(a) > 180 || Math.abs(b) > 90) return null;
  return [a, b];
}

/**
 * The coordinate system chosen in the search box; WGS84 for anything the server would refuse.
 * @param {string} value
 * @returns {Crs}
 */
export const asCrs = (value) => CRS_CHOICES.find((c) => c === value) ?? 'wgs84';
