import type { Response } from 'supertest';

/** The internal-error message of src/common/http/http-exception.filter.ts: a 4xx must never carry it. */
const INTERNAL = /^Internal error/;

/**
 * What is wrong with an answer to a malformed request, or null: never a 5xx; every 4xx is the
 * error shape of DESIGN §3 ({statusCode, error, message, details?}) with a message that says
 * something; a 400/422 about one mutated field names that field (in `details[].field` or the message).
 */
export function judgeAnswer(res: Response, mutatedField: string | null): string | null {
  if (res.status >= 500) return `${res.status} ${short(res.text)}`;
  if (res.status < 400) return null;
  const body = res.body as { statusCode?: unknown; error?: unknown; message?: unknown; details?: unknown } | undefined;
  if (!/json/.test(String(res.headers['content-type']))) return `${res.status} without a JSON body (${String(res.headers['content-type'])}): ${short(res.text)}`;
  if (!body || body.statusCode !== res.status) return `${res.status} whose body's statusCode is ${String(body?.statusCode)}`;
  if (typeof body.error !== 'string' || body.error.length === 0) return `${res.status} without an error reason`;
  if (typeof body.message !== 'string' || body.message.trim().length === 0) return `${res.status} without a message`;
  if (INTERNAL.test(body.message)) return `${res.status} with the internal-error message`;
  if (body.details !== undefined && Array.isArray(body.details)) {
    const bad = (body.details as unknown[]).find((d) => !d || typeof d !== 'object' || typeof (d as { message?: unknown }).message !== 'string');
    if (bad !== undefined) return `${res.status} with a detail that has no message: ${short(JSON.stringify(bad))}`;
  }
  if (mutatedField !== null && (res.status === 400 || res.status === 422)) {
    const top = mutatedField.split('.')[0];
    if (!res.text.includes(top)) return `${res.status} that does not name the field ${mutatedField}: ${short(body.message)}`;
  }
  return null;
}

export const short = (text: string | undefined, max = 300): string => {
  const s = text ?? '';
  return s.length > max ? `${s.slice(0, max)}… (${s.length} chars)` : s;
};

/** A value as it would appear in a report: long values cut, so a 1 MB string does not flood the log. */
export const describeValue = (value: unknown): string => {
  if (value === undefined) return '(removed)';
  let text: string;
  try {
    text = JSON.stringify(value) ?? typeof value;
  } catch {
    text = typeof value;
  }
  return short(text, 120);
};
