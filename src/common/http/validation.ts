import { ArgumentMetadata, Injectable, ValidationError, ValidationPipe } from '@nestjs/common';
import { DECORATORS } from '@nestjs/swagger';
import { DomainError, ErrorCode, ErrorDetail } from '../errors/domain-error';

function flatten(errors: ValidationError[], prefix = ''): ErrorDetail[] {
  const out: ErrorDetail[] = [];
  for (const e of errors) {
    const field = prefix ? `${prefix}.${e.property}` : e.property;
    for (const message of Object.values(e.constraints ?? {})) out.push({ field, message });
    if (e.children?.length) out.push(...flatten(e.children, field));
  }
  return out;
}

const badRequest = (details: ErrorDetail[]) => new DomainError(ErrorCode.BadRequest, details.map((d) => `${d.field}: ${d.message}`).join('; '), details);

/** Whether the API contract (the DTO's @ApiProperty) says this body field may be null. */
function declaredNullable(dto: object, property: string): boolean {
  const meta = Reflect.getMetadata(DECORATORS.API_MODEL_PROPERTIES, dto, property) as { nullable?: boolean } | undefined;
  return meta?.nullable === true;
}

/**
 * Whitelisting, unknown fields rejected, and every problem named by its field.
 *
 * `@IsOptional()` lets `null` through unchecked as well as a missing field, so a `null` sent for
 * an optional field would reach a service, bcrypt or a NOT NULL column and answer 500. A body
 * field may therefore be null only where the contract declares it `nullable: true` (the same
 * declaration that documents it in OpenAPI); anywhere else null is a 400 naming the field.
 */
/**
 * The paths of strings holding a NUL character: PostgreSQL refuses NUL in text (a 500 there) and
 * SQLite stores it, so one database would keep what the other cannot. Nothing in the ledger
 * needs one, so it is a 400 naming the field on both.
 */
function fieldsWithNul(value: unknown, path = '', depth = 0): string[] {
  if (typeof value === 'string') return value.includes('\u0000') ? [path || '(body)'] : [];
  if (value === null || typeof value !== 'object' || depth > 64) return [];
  const out: string[] = [];
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) {
    if (key.includes('\u0000')) out.push(path ? `${path}.${key}` : key);
    out.push(...fieldsWithNul(child, path ? `${path}.${key}` : key, depth + 1));
  }
  return out;
}

@Injectable()
export class ContractValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') {
      const nul = fieldsWithNul(value);
      if (nul.length) throw badRequest(nul.map((field) => ({ field, message: `${field} must not contain a NUL character` })));
    }
    const result: unknown = await super.transform(value, metadata);
    if (metadata.type === 'body' && metadata.metatype && result instanceof metadata.metatype) {
      const prototype = metadata.metatype.prototype as object;
      const nulls = Object.entries(result as Record<string, unknown>)
        .filter(([property, v]) => v === null && !declaredNullable(prototype, property))
        .map(([field]) => ({ field, message: `${field} must not be null (leave it out instead)` }));
      if (nulls.length) throw badRequest(nulls);
    }
    return result;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new ContractValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => badRequest(flatten(errors)),
  });
}
