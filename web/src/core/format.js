// Chinese names for the server's codes, and numbers as people read them.
import { LEVELS } from './palette.js';

/** @type {Readonly<Record<string, string>>} */
const LAYER_NAMES = { grid: '网格', beat: '警格', station: '派出所', camera: '摄像头' };
/** @type {Readonly<Record<string, string>>} */
const KINDS = { comprehensive: '综合网格', exclusive: '专属网格' };
/** @type {Readonly<Record<string, string>>} */
const SETTINGS = { urban: '城镇', rural: '农村' };
/** @type {Readonly<Record<string, string>>} */
const CATEGORIES = { school: '学校', factory: '工厂', park: '园区', market: '市场', hospital: '医院', enterprise: '企业' };
/** @type {Readonly<Record<string, string>>} */
const CAMERA_KINDS = { gun: '枪机', dome: '球机', face: '人脸', plate: '车牌' };

/**
 * The Chinese for `code` in `names`; an unknown code is shown as it is, a missing one as ''.
 * @param {Readonly<Record<string, string>>} names
 * @param {string | undefined} code
 */
const nameIn = (names, code) => (code == null ? '' : Object.hasOwn(names, code) ? names[code] : code);

/** @param {number | undefined} level */
export const levelName = (level) => LEVELS.find((l) => l.level === level)?.name ?? `第${level}级`;
/** @param {string | undefined} kind */
export const kindName = (kind) => nameIn(KINDS, kind);
/** @param {string | undefined} category */
export const categoryName = (category) => nameIn(CATEGORIES, category);
/** @param {string | undefined} setting */
export const settingName = (setting) => nameIn(SETTINGS, setting);
/** @param {string | undefined} kind */
export const cameraKind = (kind) => nameIn(CAMERA_KINDS, kind);
/** @param {string} layer */
export const layerName = (layer) => nameIn(LAYER_NAMES, layer);

/**
 * A search hit's kind: the grid level for grids (街道/乡镇, 社区/村, ...), else the layer.
 * @param {{ layer: string, level?: number | null }} hit
 */
export const hitKind = (hit) => (hit.layer === 'grid' && hit.level != null ? levelName(hit.level) : layerName(hit.layer));

/**
 * A distance: whole metres below 1 km, then kilometres; '' when there is none.
 * @param {number | null | undefined} m
 */
export function metres(m) {
  if (m == null || !Number.isFinite(m)) return '';
  const whole = Math.round(m);
  if (whole < 1000) return `${whole} 米`;
  const km = m / 1000;
  return `${km.toFixed(km < 9.995 ? 2 : 1)} 公里`; // 9.999 km reads 10.0, not 10.00
}

const GROUPED = new Intl.NumberFormat('zh-CN', { maximumFractionDigits: 0 });

/**
 * A count with thousands separators (3,480); '' when there is none.
 * @param {number | null | undefined} n
 */
export const thousands = (n) => (n == null || !Number.isFinite(n) ? '' : GROUPED.format(n));

/**
 * A longitude or latitude to six decimals (about 0.1 m).
 * @param {number} degrees
 */
export const coord = (degrees) => Number(degrees).toFixed(6);

/**
 * A number with up to `digits` decimals and thousands separators; '' when there is none.
 * @param {number | null | undefined} n
 * @param {number} digits
 */
export const decimal = (n, digits) => (n == null || !Number.isFinite(n) ? ''
  : n.toLocaleString('zh-CN', { maximumFractionDigits: digits, minimumFractionDigits: 0 }));

/**
 * A change as a signed percentage (0.123 → "+12.3%", -0.05 → "-5.0%"); '—' when there is none
 * (no earlier period to compare with, or counts withheld).
 * @param {number | null | undefined} fraction
 */
export function signedPercent(fraction) {
  if (fraction == null || !Number.isFinite(fraction)) return '—';
  const pct = (fraction * 100).toFixed(1);
  return fraction > 0 ? `+${pct}%` : `${pct === '-0.0' ? '0.0' : pct}%`;
}
