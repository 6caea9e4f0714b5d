import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A caller's own request id is kept when it is short and harmless; anything else is replaced. */
export const REQUEST_ID = /^[A-Za-z0-9._-]{8,100}$/;
export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * The id of this request: the one already assigned (by the logger middleware), else the caller's
 * well-formed X-Request-Id, else a new UUID. It is stored on the request and echoed in the
 * response header, so the answer, the log line and the caller all quote the same id.
 */
export function requestIdFor(req: IncomingMessage & { id?: unknown }, res?: ServerResponse): string {
  if (typeof req.id === 'string' || typeof req.id === 'number') return String(req.id);
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  req.id = id;
  if (res && !res.headersSent && !res.getHeader(REQUEST_ID_HEADER)) res.setHeader(REQUEST_ID_HEADER, id);
  return id;
}
