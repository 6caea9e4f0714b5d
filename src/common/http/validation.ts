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
@Injectable()
export class ContractValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
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
