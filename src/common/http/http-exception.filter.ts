import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { DomainError, httpStatusOf } from '../errors/domain-error';
import { requestIdFor } from './request-id';
import { isDatabaseBusy } from '@/database/dialect';

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  details?: unknown;
  requestId?: string;
}

const reason = (status: number): string =>
  (HttpStatus[status] ?? 'Error')
    .toString()
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');

/** Errors thrown by middleware such as body-parser and multer carry a status or a code. */
function middlewareStatus(exception: unknown): { status: number; message: string } | null {
  const e = exception as { status?: unknown; type?: unknown; code?: unknown; message?: unknown; limit?: unknown } | null;
  if (!e || typeof e !== 'object') return null;
  if (e.type === 'entity.too.large') return { status: 413, message: `Request body larger than the ${String(e.limit)} byte limit` };
  if (e.code === 'LIMIT_FILE_SIZE') return { status: 413, message: 'Uploaded file larger than the 20 MB limit' };
  if (typeof e.code === 'string' && e.code.startsWith('LIMIT_')) return { status: 400, message: String(e.message) };
  if (e.type === 'entity.parse.failed') return { status: 400, message: 'Request body is not valid JSON' };
  if (e.type === 'charset.unsupported' || e.type === 'encoding.unsupported') return { status: 415, message: String(e.message) };
  if (typeof e.status === 'number' && e.status >= 400 && e.status < 500 && typeof e.type === 'string') {
    return { status: e.status, message: String(e.message) };
  }
  return null;
}

/**
 * One shape for every error: {statusCode, error, message, details?}. A 5xx hides its cause
 * behind the request id, which the structured log line carries with the stack.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const ctx = host.switchToHttp();
    const res = ctx.getResponse<Response>();
    const req = ctx.getRequest<Request & { id?: string }>();
    // Requests refused by the body parser never reached the logger middleware that assigns the id.
    const requestId = requestIdFor(req, res);
    const body = this.toBody(exception, requestId);
    if (body.statusCode >= 500) {
      this.logger.error({ err: exception, requestId }, `Unhandled error on ${req.method} ${req.originalUrl}`);
    }
    if (res.headersSent) return;
    if (body.statusCode === 503) res.setHeader('Retry-After', '5');
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown, requestId: string): ErrorBody {
    if (exception instanceof DomainError) {
      const status = httpStatusOf(exception.code);
      return {
        statusCode: status,
        error: reason(status),
        message: exception.message,
        ...(exception.details ? { details: exception.details } : {}),
        // A deliberate 5xx (the database is down) keeps its message and still gets an id to quote.
        ...(status >= 500 ? { requestId } : {}),
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      let message = exception.message;
      let details: unknown;
      if (typeof response === 'object' && response !== null) {
        const r = response as { message?: unknown; details?: unknown };
        if (Array.isArray(r.message)) {
          details = r.message;
          message = r.message.join('; ');
        } else if (typeof r.message === 'string') {
          message = r.message;
        }
        if (r.details !== undefined) details = r.details;
      }
      if (status >= 500) return this.internal(requestId, status);
      return { statusCode: status, error: reason(status), message, ...(details !== undefined ? { details } : {}) };
    }
    const mw = middlewareStatus(exception);
    if (mw) return { statusCode: mw.status, error: reason(mw.status), message: mw.message };
    if (isDatabaseBusy(exception)) {
      return { statusCode: 503, error: reason(503), message: 'The database is busy with a long job (an import or a recompute); retry in a few seconds' };
    }
    return this.internal(requestId, 500);
  }

  private internal(requestId: string, status: number): ErrorBody {
    return {
      statusCode: status,
      error: reason(status),
      message: `Internal error; quote request id ${requestId} when reporting it`,
      requestId,
    };
  }
}
