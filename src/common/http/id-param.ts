import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError, ErrorCode } from '../errors/domain-error';

/** Ids are 32-bit on both databases; PostgreSQL raises an error on a larger literal. */
export const MAX_ID = 2_147_483_647;

/**
 * A path id: digits only (else 400 naming the parameter); beyond the id range nothing can exist,
 * so that is a 404 rather than a database error.
 */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    if (!/^\d{1,12}$/.test(value) || Number(value) < 1) {
      throw new DomainError(ErrorCode.BadRequest, `id must be a positive whole number, got "${value}"`, [{ field: 'id', message: 'must be a positive whole number' }]);
    }
    const id = Number(value);
    if (id > MAX_ID) throw new DomainError(ErrorCode.NotFound, `Nothing has id ${value}`);
    return id;
  }
}
