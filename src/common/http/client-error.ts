import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node's HTTP parser refuses before Express sees them (a URL or headers beyond the 16 KB
 * header limit, a malformed request line) get Node's bare status line with no body. Answer them
 * in the API's error shape instead, so a client learns what was wrong (DESIGN §3: every 4xx names
 * the problem).
 */
export function answerClientErrorsAsJson(server: Server): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    if (error.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const reason = tooLarge ? 'Request Header Fields Too Large' : 'Bad Request';
    const message = tooLarge ? 'The URL and headers are larger than the 16 KB limit; send long values in a request body' : 'The request is not valid HTTP';
    const body = JSON.stringify({ statusCode: status, error: reason, message });
    socket.end(
      `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
