import { DomainError, ErrorCode } from '@/common/errors/domain-error';

/** A query parameter the caller got wrong: 400 naming it, like the validation of the query's form. */
export function badQuery(field: string, message: string): DomainError {
  return new DomainError(ErrorCode.BadRequest, `${field}: ${message}`, [{ field, message }]);
}
