import type { IncomingMessage, ServerResponse } from 'node:http';
import { requestIdFor } from './request-id';

function fixtures(header?: string, id?: string) {
  const headers: Record<string, string> = {};
  const req = { headers: header === undefined ? {} : { 'x-request-id': header }, id } as unknown as IncomingMessage & { id?: string };
  const res = {
    headersSent: false,
    getHeader: (n: string) => headers[n.toLowerCase()],
    setHeader: (n: string, v: string) => (headers[n.toLowerCase()] = v),
  } as unknown as ServerResponse;
  return { req, res, headers };
}

describe('requestIdFor', () => {
  it('keeps the id the logger middleware assigned', () => {
    const { req, res, headers } = fixtures('caller-trace-1', 'assigned-1');
    expect(requestIdFor(req, res)).toBe('assigned-1');
    expect(headers['x-request-id']).toBeUndefined();
  });

  it("adopts a caller's well-formed id and echoes it", () => {
    const { req, res, headers } = fixtures('caller-trace-1');
    expect(requestIdFor(req, res)).toBe('caller-trace-1');
    expect(req.id).toBe('caller-trace-1');
    expect(headers['x-request-id']).toBe('caller-trace-1');
  });

  it.each(['short', 'has space 12345', 'x'.repeat(101), 'line\nbreak-12345', '<script>alert(1)</script>'])('replaces %j by a UUID', (given) => {
    const { req, res, headers } = fixtures(given);
    const id = requestIdFor(req, res);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(headers['x-request-id']).toBe(id);
    expect(requestIdFor(req, res)).toBe(id);
  });
});
