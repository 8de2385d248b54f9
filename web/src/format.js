// Chinese names for codes, and distances.
import { LEVELS } from './palette.js';

export const LAYER_NAMES = { grid: '网格', beat: '警格', station: '派出所', camera: '摄像头' };
const KINDS = { comprehensive: '综合网格', exclusive: '专属网格' };
const SETTINGS = { urban: '城镇', rural: '农村' };
const CATEGORIES = { school: '学校', factory: '工厂', park: '园区', market: '市场', hospital: '医院', enterprise: '企业' };
const CAMERA_KINDS = { gun: '枪机', dome: '球机', face: '人脸', plate: '车牌' };

export const levelName = (level) => LEVELS.find((l) => l.level === level)?.name ?? `第${level}级`;
export const kindName = (k) => KINDS[k] ?? k ?? '';
export const categoryName = (c) => CATEGORIES[c] ?? c ?? '';
export const settingName = (s) => SETTINGS[s] ?? s ?? '';
export const cameraKind = (k) => CAMERA_KINDS[k] ?? k ?? '';
export const layerName = (l) => LAYER_NAMES[l] ?? l;
/** A search hit's kind: the grid level for grids (街道/乡镇, 社区/村, ...), else the layer. */
export const hitKind = (r) => (r.layer === 'grid' && r.level != null ? levelName(r.level) : layerName(r.layer));

export function metres(m) {
  if (m == null || !Number.isFinite(m)) return '';
  if (m < 1000) return `${Math.round(m)} 米`;
  return `${(m / 1000).toFixed(m < 10000 ? 2 : 1)} 公里`;
}

export const coord = (v) => Number(v).toFixed(6);
