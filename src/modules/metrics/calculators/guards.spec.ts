import { DomainError } from '@/common/errors/domain-error';
import { assertCount } from './guards';

describe('assertCount', () => {
  it('accepts whole numbers from 0', () => {
    expect(() => assertCount(0, 'minutes')).not.toThrow();
    expect(() => assertCount(348_480, 'minutes')).not.toThrow();
  });

  it.each([-1, 0.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53])('rejects %p, naming the field', (value) => {
    expect(() => assertCount(value, 'minutes')).toThrow(DomainError);
    expect(() => assertCount(value, 'minutes')).toThrow(/minutes: must be a whole number/);
  });
});
