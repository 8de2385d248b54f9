// The cameras around a located point: how far the page looks, how many it lists, and the
// section that lists them under a caption with the true count.
import { h } from '../../core/dom.js';
import { cameraKind, metres } from '../../core/format.js';

/** Cameras within this many metres count as near the point (the dashed circle on the map). */
export const CAMERA_RADIUS_M = 300;
/** How many of them the panel lists, nearest first. */
export const CAMERAS_LISTED = 5;

/**
 * "附近摄像头（300 米内 44 个，最近 5 个如下）": the count is every camera in the radius, which
 * the server gives as `cameras_in_radius`; `listed` is how many of them the panel shows.
 * @param {number} inRadius
 * @param {number} listed
 * @param {number} radius metres
 */
export function cameraCaption(inRadius, listed, radius) {
  const within = `${radius} 米内`;
  if (inRadius === 0) return `附近摄像头（${within}没有）`;
  if (listed < inRadius) return `附近摄像头（${within} ${inRadius} 个，最近 ${listed} 个如下）`;
  return `附近摄像头（${within} ${inRadius} 个）`;
}

/** @param {string | undefined} status */
const isOffline = (status) => status === 'offline';

/**
 * @param {import('../../core/api.js').CameraHit[]} list the nearest cameras
 * @param {number} inRadius how many lie within the radius in all
 */
export function camerasSection(list, inRadius) {
  return h('section', { class: 'sec cameras', dataset: { layer: 'camera', inRadius } },
    h('h4', {}, cameraCaption(inRadius, list.length, CAMERA_RADIUS_M)),
    list.length ? h('ul', {}, list.map((c) => h('li', { dataset: { id: c.id, status: c.status ?? '' } },
      h('span', { class: `dot ${isOffline(c.status) ? 'off' : 'on'}`, title: isOffline(c.status) ? '离线' : '在线' }),
      h('span', { class: 'cname' }, c.name),
      h('span', { class: 'muted' }, [cameraKind(c.kind), isOffline(c.status) ? '离线' : null].filter(Boolean).join(' · ')),
      h('span', { class: 'dist' }, metres(c.distance_m))))) : null);
}
