// The one way the pages reach data: the HTTP API at /api/v1 with the user's bearer token.
import { STATUS_LABELS } from './ui.js';
const BASE = '/api/v1';
const TOKEN_KEY = 'burdenLedger.token';
const USER_KEY = 'burdenLedger.user';

export class ApiError extends Error {
  constructor(status, body, requestId) {
    super(chineseMessage(status, body, requestId));
    this.status = status;
    this.body = body;
    this.requestId = requestId;
  }
}

export function session() {
  const token = sessionStorage.getItem(TOKEN_KEY);
  const user = sessionStorage.getItem(USER_KEY);
  return token && user ? { token, user: JSON.parse(user) } : null;
}

export function endSession() {
  sessionStorage.removeItem(TOKEN_KEY);
  sessionStorage.removeItem(USER_KEY);
}

export async function login(username, password) {
  const res = await fetch(`${BASE}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  const body = await readBody(res);
  if (!res.ok) {
    if (res.status === 401) throw new ApiError(res.status, { message: '用户名或密码错误' });
    throw new ApiError(res.status, body, res.headers.get('x-request-id'));
  }
  sessionStorage.setItem(TOKEN_KEY, body.accessToken);
  sessionStorage.setItem(USER_KEY, JSON.stringify(body.user));
  return body.user;
}

/** Query string from an object, leaving out empty values. */
export function qs(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

async function readBody(res) {
  const type = res.headers.get('content-type') || '';
  if (type.includes('application/json')) return res.json();
  return res.text();
}

function authHeaders(extra = {}) {
  const s = session();
  return s ? { ...extra, authorization: `Bearer ${s.token}` } : extra;
}

/** 401 anywhere: the token expired or was revoked; back to the login page. */
function expired() {
  endSession();
  window.dispatchEvent(new CustomEvent('session-expired'));
}

/** A random Idempotency-Key (crypto.getRandomValues works on plain-HTTP intranets, randomUUID does not). */
function idempotencyKey() {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

export async function request(method, path, body) {
  const headers = authHeaders({ accept: 'application/json' });
  if (body !== undefined) headers['content-type'] = 'application/json';
  // A POST carries an Idempotency-Key, so when the network drops the answer (a township's mobile
  // link) it is sent once more with the same key and the server replays the first answer.
  if (method === 'POST') headers['idempotency-key'] = idempotencyKey();
  const send = () => fetch(`${BASE}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let res;
  try {
    res = await send();
  } catch (error) {
    if (method !== 'POST' && method !== 'GET') throw networkError(error);
    try {
      res = await send();
    } catch (again) {
      throw networkError(again);
    }
  }
  const data = await readBody(res);
  if (res.status === 401) {
    expired();
    throw new ApiError(401, data);
  }
  if (!res.ok) throw new ApiError(res.status, data, res.headers.get('x-request-id'));
  return data;
}

function networkError(error) {
  console.warn(error);
  return new Error('网络连接失败，请检查网络后重试。');
}

export const get = (path, params) => request('GET', path + qs(params));
export const post = (path, body) => request('POST', path, body ?? {});

/** Downloads a file the API renders (bulletins, exports) with the token, and saves it under the server's name. */
export async function download(path, params, fallbackName) {
  const res = await fetch(`${BASE}${path}${qs(params)}`, { headers: authHeaders() });
  if (res.status === 401) {
    expired();
    throw new ApiError(401, {});
  }
  if (!res.ok) throw new ApiError(res.status, await readBody(res), res.headers.get('x-request-id'));
  if (res.status === 202) return { job: await res.json() };
  const blob = await res.blob();
  const name = fileNameOf(res.headers.get('content-disposition')) || fallbackName;
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return { name, size: blob.size };
}

function fileNameOf(disposition) {
  if (!disposition) return null;
  const star = /filename\*=UTF-8''([^;]+)/i.exec(disposition);
  if (star) return decodeURIComponent(star[1]);
  const plain = /filename="?([^";]+)"?/i.exec(disposition);
  return plain ? plain[1] : null;
}

/** Fetches every page of a list (pageSize 500) up to `limit` rows. */
export async function getAll(path, params = {}, limit = 5000) {
  const items = [];
  for (let page = 1; ; page += 1) {
    const res = await get(path, { ...params, page, pageSize: 500 });
    items.push(...res.items);
    if (items.length >= res.total || res.items.length === 0 || items.length >= limit) return items;
  }
}

const FIELD_NAMES = {
  comment: '意见', dueOn: '整改期限', version: '版本', hoursSpent: '耗时', month: '月份', demandIds: '事项', reason: '理由',
  registrationNo: '登记编号', unitId: '单位', 'shadow.issuerName': '下达单位', 'shadow.title': '事项名称', 'shadow.receivedOn': '收到日期',
  'shadow.channel': '下达渠道', 'shadow.kind': '事项类型', overtimeHours: '加班时长', staffInvolved: '参与人数', from: '起始日期', to: '截止日期',
};

function fieldsOf(body) {
  const details = body && Array.isArray(body.details) ? body.details : [];
  return details
    .map((d) => {
      const field = String(d.field || '').replace(/\[\d+\]$/, '');
      return FIELD_NAMES[field] || d.field;
    })
    .filter(Boolean);
}

/** Every error the user sees is in Chinese; the API's English message stays in the console. */
function chineseMessage(status, body, requestId) {
  if (body && typeof body === 'object' && body.message && /[\u4e00-\u9fa5]/.test(body.message) && status === 401) return body.message;
  if (body && body.message) console.warn(`API ${status}: ${body.message}`);
  const fields = fieldsOf(body);
  const named = fields.length ? `（${[...new Set(fields)].join('、')}）` : '';
  switch (status) {
    case 400:
    case 422:
      return `填写内容有误${named}，请检查后重试。`;
    case 401:
      return '登录已过期，请重新登录。';
    case 403:
      return '无权进行此操作或访问此数据。';
    case 404:
      return '未找到该记录，或您无权查看。';
    case 409: {
      const message = String((body && body.message) || '');
      const current = body && body.details && !Array.isArray(body.details) ? body.details.currentStatus : undefined;
      if (/changed|version|reload/i.test(message)) return '该记录已被他人修改，请刷新后重试（版本冲突）。';
      if (current) return `该记录已被他人处理，当前状态为「${STATUS_LABELS[current] || current}」，请刷新后查看。`;
      if (/already|amend/i.test(message)) return '该事项本月已填报过，如需修改请更正原报告。';
      return '当前状态不允许此操作，请刷新后查看。';
    }
    case 413:
      return '提交的内容过大。';
    case 429:
      return '操作过于频繁，请稍后再试。';
    default:
      return status >= 500 ? `服务器出错，请联系管理员${requestId ? `（请求编号 ${requestId}）` : ''}。` : `请求失败（${status}）。`;
  }
}
