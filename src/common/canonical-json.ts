/**
 * Canonical JSON: object keys sorted (by UTF-16 code unit), no whitespace, undefined members
 * dropped. The audit chain hashes this text, so it must be byte-identical on every database and
 * Node version: a Date (PostgreSQL returns them where SQLite returns strings) is written as its
 * ISO-8601 string, and values JSON would silently mangle (Map, Set, functions) are refused.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('canonicalJson: non-finite number');
    return JSON.stringify(value);
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new Error('canonicalJson: invalid Date');
    return JSON.stringify(value.toISOString());
  }
  if (value instanceof Map || value instanceof Set) {
    throw new Error(`canonicalJson: unsupported type ${value instanceof Map ? 'Map' : 'Set'}; convert it to an object or array first`);
  }
  if (typeof value === 'object') {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === 'function') return canonicalJson((toJSON as () => unknown).call(value));
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  throw new Error(`canonicalJson: unsupported type ${typeof value}`);
}
