import { DomainError, ErrorCode } from '../errors/domain-error';
import { MAX_ID, ParseIdPipe } from './id-param';

describe('ParseIdPipe', () => {
  const pipe = new ParseIdPipe();
  const codeOf = (value: string) => {
    try {
      pipe.transform(value);
      return 'ok';
    } catch (error) {
      return (error as DomainError).code;
    }
  };

  it('parses positive ids up to the 32-bit limit', () => {
    expect(pipe.transform('1')).toBe(1);
    expect(pipe.transform(String(MAX_ID))).toBe(MAX_ID);
  });
  it('answers 400 for what is not an id and 404 beyond the range', () => {
    expect(codeOf('abc')).toBe(ErrorCode.BadRequest);
    expect(codeOf('0')).toBe(ErrorCode.BadRequest);
    expect(codeOf('-3')).toBe(ErrorCode.BadRequest);
    expect(codeOf('1.5')).toBe(ErrorCode.BadRequest);
    expect(codeOf(String(MAX_ID + 1))).toBe(ErrorCode.NotFound);
  });
});
