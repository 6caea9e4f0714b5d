import fc from 'fast-check';
import { badQueryValue, badValue } from './malformed';

/** Marks a field to leave out of the body. */
export const REMOVE = Symbol('remove');

export interface BodyMutation {
  /** Dotted path of the field changed (`shadow.title`, `items.0.topic`), or a new unknown field. */
  field: string;
  /** The new value (any JSON), or REMOVE. */
  value: unknown;
}

/** Every path to a leaf of a JSON value, plus each array and object on the way (`items`, `items.0`, `items.0.topic`). */
export function fieldPaths(value: unknown, prefix = ''): string[] {
  if (value === null || typeof value !== 'object') return prefix ? [prefix] : [];
  const out = prefix ? [prefix] : [];
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [k, v] of entries) out.push(...fieldPaths(v, prefix ? `${prefix}.${k}` : k));
  return out;
}

/** The valid body with one field replaced (or removed); a path that does not exist is created. */
export function applyMutation(valid: Record<string, unknown>, m: BodyMutation): Record<string, unknown> {
  const copy = structuredClone(valid);
  const keys = m.field.split('.');
  let node: Record<string, unknown> = copy;
  for (const k of keys.slice(0, -1)) {
    const child = node[k];
    const own = Object.prototype.hasOwnProperty.call(node, k) && child !== null && typeof child === 'object';
    if (!own) Object.defineProperty(node, k, { value: {}, enumerable: true, writable: true, configurable: true });
    node = node[k] as Record<string, unknown>;
  }
  const last = keys[keys.length - 1];
  if (m.value === REMOVE) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else Object.defineProperty(node, last, { value: m.value, enumerable: true, writable: true, configurable: true });
  return copy;
}

/** One field of the body (a known one, one the contract declares, or an unknown one) set to a wrong value or removed. */
export function bodyMutation(valid: Record<string, unknown>, declared: string[]): fc.Arbitrary<BodyMutation> {
  const fields = [...new Set([...fieldPaths(valid), ...declared])];
  return fc.record({
    field: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...fields) }, { weight: 1, arbitrary: fc.constantFrom('unknownField', '__proto__', 'constructor', 'id', 'createdBy') }),
    value: fc.oneof({ weight: 8, arbitrary: badValue }, { weight: 1, arbitrary: fc.constant<typeof REMOVE>(REMOVE) }),
  });
}

export interface QueryMutation {
  param: string;
  value: string | string[];
}

/** One parameter of the query (a declared one, or an unknown one) set to a wrong value. */
export function queryMutation(declared: string[]): fc.Arbitrary<QueryMutation> {
  return fc.record({
    param: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...declared) }, { weight: 1, arbitrary: fc.constantFrom('unknownParam', '__proto__', 'sort[$ne]') }),
    value: badQueryValue,
  });
}

/** A query string built by hand, so repeated parameters and odd characters go out exactly as written (percent-encoded). */
export function queryString(query: Record<string, string | string[]>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(query)) for (const one of Array.isArray(v) ? v : [v]) parts.push(`${encodeURIComponent(k)}=${encodeComponent(one)}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

/** encodeURIComponent, except a lone surrogate (which it throws on) is sent as its raw UTF-8-ish escape. */
export function encodeComponent(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((ch) => (ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}
