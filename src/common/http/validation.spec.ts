import { ArgumentMetadata } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, ValidateNested } from 'class-validator';
import { DomainError, ErrorCode } from '../errors/domain-error';
import { createValidationPipe } from './validation';

class Inner {
  @IsInt() n!: number;
}

class Outer {
  @IsString() name!: string;
  @ValidateNested() @Type(() => Inner) inner!: Inner;
}

class Patch {
  @ApiPropertyOptional() @IsOptional() @IsInt() count?: number;
  @ApiPropertyOptional({ type: String, nullable: true }) @IsOptional() @IsString() note?: string | null;
  @IsOptional() @IsString() undocumented?: string;
}

const meta: ArgumentMetadata = { type: 'body', metatype: Outer };

async function errorOf(value: unknown): Promise<DomainError> {
  const error = await createValidationPipe()
    .transform(value, meta)
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(error).toBeInstanceOf(DomainError);
  return error as DomainError;
}

describe('the global validation pipe', () => {
  it('answers BadRequest naming an unknown field', async () => {
    const error = await errorOf({ name: 'a', inner: { n: 1 }, extra: true });
    expect(error.code).toBe(ErrorCode.BadRequest);
    expect(error.details).toEqual([{ field: 'extra', message: 'property extra should not exist' }]);
    expect(error.message).toBe('extra: property extra should not exist');
  });

  it('names nested fields by their path', async () => {
    const error = await errorOf({ name: 'a', inner: { n: 'x', deeper: 1 } });
    expect(error.details).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: 'inner.n' }), expect.objectContaining({ field: 'inner.deeper' })]),
    );
  });

  it('does not convert types implicitly, and never echoes the value', async () => {
    const error = await errorOf({ name: 12345, inner: { n: '7' } });
    expect((error.details as { field: string }[]).map((d) => d.field).sort()).toEqual(['inner.n', 'name']);
    expect(JSON.stringify(error.details)).not.toContain('12345');
  });

  it('takes null only where the contract declares the field nullable', async () => {
    const pipe = createValidationPipe();
    const patch: ArgumentMetadata = { type: 'body', metatype: Patch };
    await expect(pipe.transform({ note: null }, patch)).resolves.toEqual({ note: null });
    await expect(pipe.transform({}, patch)).resolves.toEqual({});
    for (const field of ['count', 'undocumented']) {
      const error = await pipe.transform({ [field]: null, note: null }, patch).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details).toEqual([{ field, message: `${field} must not be null (leave it out instead)` }]);
    }
    // Query strings cannot carry null; a query DTO is not affected.
    await expect(pipe.transform({ count: 1 }, { type: 'query', metatype: Patch })).resolves.toEqual({ count: 1 });
  });

  it('passes a valid body through as an instance of the DTO', async () => {
    const value = await createValidationPipe().transform({ name: 'a', inner: { n: 1 } }, meta);
    expect(value).toBeInstanceOf(Outer);
    expect((value as Outer).inner).toBeInstanceOf(Inner);
  });
});
