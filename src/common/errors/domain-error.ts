/** What went wrong, independent of transport; one switch maps each code to an HTTP status. */
export enum ErrorCode {
  BadRequest = 'BAD_REQUEST',
  Unauthenticated = 'UNAUTHENTICATED',
  Forbidden = 'FORBIDDEN',
  NotFound = 'NOT_FOUND',
  Conflict = 'CONFLICT',
  Unprocessable = 'UNPROCESSABLE',
  PayloadTooLarge = 'PAYLOAD_TOO_LARGE',
  UnsupportedMediaType = 'UNSUPPORTED_MEDIA_TYPE',
  TooManyRequests = 'TOO_MANY_REQUESTS',
  Unavailable = 'UNAVAILABLE',
}

/** One problem with the input: a body field, or a cell of an imported file. */
export interface ErrorDetail {
  field?: string;
  row?: number;
  column?: string;
  message: string;
  [key: string]: unknown;
}

export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: ErrorDetail[] | Record<string, unknown>,
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export function httpStatusOf(code: ErrorCode): number {
  switch (code) {
    case ErrorCode.BadRequest:
      return 400;
    case ErrorCode.Unauthenticated:
      return 401;
    case ErrorCode.Forbidden:
      return 403;
    case ErrorCode.NotFound:
      return 404;
    case ErrorCode.Conflict:
      return 409;
    case ErrorCode.PayloadTooLarge:
      return 413;
    case ErrorCode.UnsupportedMediaType:
      return 415;
    case ErrorCode.Unprocessable:
      return 422;
    case ErrorCode.TooManyRequests:
      return 429;
    case ErrorCode.Unavailable:
      return 503;
  }
}

export const notFound = (what: string, id: unknown) => new DomainError(ErrorCode.NotFound, `${what} ${String(id)} not found`);
export const forbidden = (message: string) => new DomainError(ErrorCode.Forbidden, message);
export const invalid = (field: string, message: string) =>
  new DomainError(ErrorCode.Unprocessable, `${field}: ${message}`, [{ field, message }]);
/** A 409; with `field`, details name it in the same `[{field, message}]` shape as 400 and 422. */
export const conflict = (message: string, field?: string) =>
  new DomainError(ErrorCode.Conflict, message, field === undefined ? undefined : [{ field, message }]);
