// API errors in Chinese. The server answers every error with a stable code and an English
// message for developers ({ "error": code, "message": text }); the page shows people a Chinese
// sentence chosen by the code and keeps the server's own words for the technical details.
import { metres } from './format.js';

/**
 * Every code the server sends (`ErrorCode` in docs/openapi.json, made from `ERROR_CODES` in
 * server/src/error.rs, and the `ApiError`s under server/src), plus `network` for a server the
 * page cannot reach.
 * @type {Readonly<Record<string, string>>}
 */
export const ERROR_TEXT = Object.freeze({
  // 400: the request itself
  bad_request: '请求无法解析',
  invalid_query: '查询参数无法解析',
  missing_parameter: '请求缺少必填参数',
  invalid_parameter: '请求参数格式不正确',
  out_of_range: '参数超出允许范围',
  invalid_coordinates: '坐标无效：经度应在 -180 到 180 之间，纬度应在 -90 到 90 之间',
  invalid_json: '提交的内容不是有效的 JSON',
  wrong_encoding: '文件编码不是 UTF-8（可能是 GBK）：导入时请选择 GBK 编码，或先转换为 UTF-8',
  invalid_csv: 'CSV 内容无效：每行应为“经度,纬度”两个数字',
  invalid_events: '事件数据格式不正确：请检查每条事件的时间、类别和坐标',
  invalid_geometry: '图形无效（例如环未闭合、自相交或面积为零）',
  id_mismatch: '数据中的编号与地址中的编号不一致：编号不能修改',
  invalid_if_match: '版本号（If-Match）格式不正确',
  unsupported_overlap: '不支持该叠加分析：仅支持网格与警格叠加',
  unreadable_body: '无法读取提交的内容',
  invalid_tile: '瓦片编号无效',
  invalid_path: '地址中含有未编码的字符，请检查链接',
  // 401 / 403: who is asking
  invalid_token: '访问令牌无效：服务器不认识此令牌，请更正或清空',
  forbidden: '权限不足：此操作需要更高权限的访问令牌',
  // 404 / 405
  not_found: '未找到所请求的内容',
  unknown_layer: '没有这个图层：只有网格、警格、派出所和摄像头',
  unknown_route: '没有这个接口',
  method_not_allowed: '该接口不支持这种请求方式',
  // 408 / 412 / 413 / 415 / 422 / 428: what was sent
  request_timeout: '请求发送超时，请检查网络后重试',
  stale_version: '数据已被他人修改：请刷新后再改',
  has_dependents: '仍有下级网格或人员归属于它：请先调整归属再删除',
  body_too_large: '提交的内容过大',
  unsupported_media_type: '提交内容的格式不受支持：请使用 JSON',
  invalid_structure: '数据结构不正确：应为 GeoJSON 要素集合',
  wrong_crs: '坐标系不受支持：请使用 WGS84/CGCS2000 经纬度、网络墨卡托或 CGCS2000 高斯-克吕格 3 度带',
  unsupported_format: '文件格式不受支持：请提交 GeoJSON、Shapefile（压缩包）、GeoPackage、KML、FlatGeobuf 或 CSV',
  unreadable_file: '文件已损坏或不完整，无法读取（例如 Shapefile 压缩包中缺少属性表文件）',
  missing_id: '有要素或人员缺少编号',
  duplicate_id: '同一批数据中有重复的编号',
  invalid_property: '有属性的类型或取值不正确',
  geometry_limit: '图形超出服务器的限制（顶点过多或范围过大）',
  too_many_features: '要素数量超过服务器的上限',
  too_many_points: '批量定位的点数超过服务器的上限',
  precondition_required: '修改已有数据时须带上版本号（If-Match）',
  // 429 / 5xx: the server, for now
  rate_limited: '请求过于频繁，请稍候再试',
  internal: '服务器内部错误（已记录），请稍后重试',
  store_refused: '数据库拒绝了这次写入，重试也无济于事：请联系管理员查看服务器日志',
  busy: '服务器繁忙，请稍后重试',
  time_limit: '处理超时：请缩小范围后重试',
  cancelled: '请求已取消',
  store_unavailable: '数据库暂时无法写入（查询不受影响），请稍后重试',
  network: '无法连接服务器，请检查网络后重试',
});

/**
 * @typedef {object} NearestGrid the grid nearest to a point outside every grid
 * @property {string} id
 * @property {string} name
 * @property {number} distance_m
 */

/**
 * An error body as the server sends it; some codes add members (`nearest`, `current_version`...).
 * @typedef {{ error?: string, message?: string, nearest?: NearestGrid, [member: string]: unknown }} ErrorBody
 */

/**
 * The Chinese sentence for an error. `status` is the HTTP status (0 when there was no answer).
 * @param {string} code
 * @param {number} status
 * @param {ErrorBody} [body]
 */
export function errorText(code, status, body) {
  const nearest = body?.nearest;
  if (code === 'not_found' && nearest) {
    return `该点不在任何网格内，最近的网格是 ${nearest.name}（约 ${metres(nearest.distance_m)}）`;
  }
  if (Object.hasOwn(ERROR_TEXT, code)) return ERROR_TEXT[code];
  if (code === 'http_error') return `服务器返回了错误（HTTP ${status}）`;
  return `请求未能完成（错误码 ${code}）`;
}

/** A failed API call: `message` is for people (Chinese), `code` and `body` for the program. */
export class ApiError extends Error {
  /**
   * @param {number} status the HTTP status, 0 when the server could not be reached
   * @param {ErrorBody | null} body the JSON error body, null when the answer had none
   */
  constructor(status, body) {
    const code = body?.error ?? (status ? 'http_error' : 'network');
    super(errorText(code, status, body ?? undefined));
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** @type {ErrorBody} */
    this.body = body ?? {};
    /** What the server said, in its own (English) words; '' when it said nothing. */
    this.serverMessage = body?.message ?? '';
  }
}
