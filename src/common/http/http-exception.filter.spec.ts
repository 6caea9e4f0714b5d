import { ArgumentsHost, BadRequestException, HttpException, InternalServerErrorException, Logger, NotFoundException, PayloadTooLargeException } from '@nestjs/common';
import { ThrottlerException } from '@nestjs/throttler';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { HttpExceptionFilter } from './http-exception.filter';

interface Captured {
  status?: number;
  body?: Record<string, unknown>;
  headers: Record<string, string>;
}

function run(exception: unknown, req: { id?: string; headers?: Record<string, string> } = { id: 'req-12345678' }) {
  const captured: Captured = { headers: {} };
  const res = {
    headersSent: false,
    getHeader: (name: string) => captured.headers[name.toLowerCase()],
    setHeader: (name: string, value: string) => (captured.headers[name.toLowerCase()] = value),
    status(code: number) {
      captured.status = code;
      return this;
    },
    json(body: Record<string, unknown>) {
      captured.body = body;
      return this;
    },
  };
  const request = { method: 'POST', originalUrl: '/api/v1/things', headers: {}, ...req };
  const host = {
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => request }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter().catch(exception, host);
  return captured;
}

describe('HttpExceptionFilter', () => {
  let logged: jest.SpyInstance;
  beforeEach(() => {
    logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
  });
  afterEach(() => logged.mockRestore());

  it('hides a plain Error behind the request id: no message, no stack, no class name', () => {
    const secret = new Error('connect ECONNREFUSED 10.0.0.7:5432 password=hunter2');
    const { status, body } = run(secret, { id: 'req-12345678' });
    expect(status).toBe(500);
    expect(body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'Internal error; quote request id req-12345678 when reporting it',
      requestId: 'req-12345678',
    });
    const text = JSON.stringify(body);
    expect(text).not.toContain('ECONNREFUSED');
    expect(text).not.toContain('hunter2');
    expect(text).not.toContain('at ');
    expect(text).not.toContain('Error:');
  });

  it('logs the cause of a 5xx with the same request id', () => {
    const cause = new TypeError('cannot read x of undefined');
    run(cause, { id: 'req-abcdefgh' });
    expect(logged).toHaveBeenCalledTimes(1);
    expect(logged.mock.calls[0][0]).toEqual({ err: cause, requestId: 'req-abcdefgh' });
  });

  it('hides anything thrown that is not an Error, and a 5xx HttpException', () => {
    for (const thrown of ['a string', 42, null, undefined, { weird: true }, new InternalServerErrorException('SELECT * FROM users failed')]) {
      const { status, body } = run(thrown);
      expect(status).toBe(500);
      expect(body).toEqual(expect.objectContaining({ statusCode: 500, requestId: 'req-12345678' }));
      expect(JSON.stringify(body)).not.toMatch(/SELECT|weird|a string/);
    }
  });

  it('makes up a request id, and sends it as X-Request-Id, when no middleware assigned one', () => {
    const { body, headers } = run(new Error('boom'), {});
    expect(body?.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(headers['x-request-id']).toBe(body?.requestId);
    expect(body?.message).toContain(String(body?.requestId));
  });

  it("keeps a caller's well-formed X-Request-Id when no middleware assigned one", () => {
    expect(run(new Error('boom'), { headers: { 'x-request-id': 'trace-000123' } }).body?.requestId).toBe('trace-000123');
    expect(run(new Error('boom'), { headers: { 'x-request-id': 'a b' } }).body?.requestId).not.toBe('a b');
  });

  it('maps domain errors through their code, with details', () => {
    const { status, body } = run(new DomainError(ErrorCode.Unprocessable, 'parentId: does not exist', [{ field: 'parentId', message: 'does not exist' }]));
    expect(status).toBe(422);
    expect(body).toEqual({
      statusCode: 422,
      error: 'Unprocessable Entity',
      message: 'parentId: does not exist',
      details: [{ field: 'parentId', message: 'does not exist' }],
    });
    expect(logged).not.toHaveBeenCalled();
  });

  it('gives a deliberate domain 5xx its message and a request id', () => {
    const { status, body } = run(new DomainError(ErrorCode.Unavailable, 'The database does not answer'));
    expect(status).toBe(503);
    expect(body).toEqual({ statusCode: 503, error: 'Service Unavailable', message: 'The database does not answer', requestId: 'req-12345678' });
  });

  it('keeps the shape for framework exceptions', () => {
    expect(run(new NotFoundException('Cannot GET /api/v1/nothing')).body).toEqual({ statusCode: 404, error: 'Not Found', message: 'Cannot GET /api/v1/nothing' });
    expect(run(new BadRequestException(['a must be a string', 'b must be an integer'])).body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'a must be a string; b must be an integer',
      details: ['a must be a string', 'b must be an integer'],
    });
    expect(run(new PayloadTooLargeException('File too large')).body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'File too large' });
    expect(run(new ThrottlerException()).status).toBe(429);
    expect(run(new HttpException('I am a teapot', 418)).body).toEqual({ statusCode: 418, error: 'I Am A Teapot', message: 'I am a teapot' });
  });

  it('maps body-parser and multer errors to 4xx', () => {
    const tooLarge = Object.assign(new Error('request entity too large'), { status: 413, type: 'entity.too.large', limit: 1048576 });
    expect(run(tooLarge).body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: 'Request body larger than the 1048576 byte limit' });
    const badJson = Object.assign(new Error('Unexpected token'), { status: 400, type: 'entity.parse.failed' });
    expect(run(badJson).body).toEqual({ statusCode: 400, error: 'Bad Request', message: 'Request body is not valid JSON' });
    const fileTooLarge = Object.assign(new Error('File too large'), { code: 'LIMIT_FILE_SIZE' });
    expect(run(fileTooLarge).status).toBe(413);
    const charset = Object.assign(new Error('unsupported charset "KOI8-R"'), { status: 415, type: 'charset.unsupported' });
    expect(run(charset).status).toBe(415);
  });

  it('answers 503 with Retry-After when SQLite stayed locked past the busy timeout (a long job), hiding the driver message', () => {
    const busy = Object.assign(new Error('SqliteError: database is locked'), { driverError: { code: 'SQLITE_BUSY' } });
    const { status, body, headers } = run(busy);
    expect(status).toBe(503);
    expect(body).toMatchObject({ statusCode: 503, error: 'Service Unavailable', message: expect.stringContaining('retry') });
    expect(headers['retry-after']).toBe('5');
    expect(JSON.stringify(body)).not.toContain('SqliteError');
  });

  it('does not write a second answer once headers are out', () => {
    const captured: Captured = { headers: {} };
    const res = { headersSent: true, getHeader: () => undefined, setHeader: jest.fn(), status: jest.fn(), json: jest.fn() };
    const host = { switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ id: 'req-12345678', headers: {} }) }) } as unknown as ArgumentsHost;
    new HttpExceptionFilter().catch(new Error('late'), host);
    expect(res.status).not.toHaveBeenCalled();
    expect(res.json).not.toHaveBeenCalled();
    expect(captured.status).toBeUndefined();
  });
});
