import { canonicalJson } from './canonical-json';

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}');
  });

  it('orders keys by UTF-16 code unit, whatever order they were inserted in', () => {
    const forward = canonicalJson({ b: 1, a: 2, B: 3, _: 4, 中: 5, aa: 6 });
    const backward = canonicalJson({ aa: 6, 中: 5, _: 4, B: 3, a: 2, b: 1 });
    expect(forward).toBe('{"B":3,"_":4,"a":2,"aa":6,"b":1,"中":5}');
    expect(backward).toBe(forward);
  });

  it('drops undefined object members but writes undefined array elements as null, like JSON', () => {
    expect(canonicalJson({ a: undefined, b: null })).toBe('{"b":null}');
    expect(canonicalJson([1, undefined, null])).toBe('[1,null,null]');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson(null)).toBe('null');
  });

  it('writes numbers as JSON does and refuses non-finite ones', () => {
    expect(canonicalJson([0, -0, 1.5, -2, 1e21, 123456789012])).toBe('[0,0,1.5,-2,1e+21,123456789012]');
    expect(() => canonicalJson(Number.NaN)).toThrow(/non-finite/);
    expect(() => canonicalJson({ a: Number.POSITIVE_INFINITY })).toThrow(/non-finite/);
  });

  it('keeps Chinese text as is and escapes quotes, backslashes and control characters', () => {
    expect(canonicalJson('蒙自市 "教育局"\\\n\t\u0001')).toBe('"蒙自市 \\"教育局\\"\\\\\\n\\t\\u0001"');
    expect(canonicalJson('😀')).toBe('"😀"');
    // A lone surrogate is escaped, so the text stays valid UTF-8 once stored.
    expect(canonicalJson('\ud800')).toBe('"\\ud800"');
  });

  it('writes booleans and bigints', () => {
    expect(canonicalJson([true, false, 9007199254740993n])).toBe('[true,false,9007199254740993]');
  });

  it('writes a Date as its ISO-8601 UTC string (PostgreSQL returns Dates, SQLite strings)', () => {
    const at = '2026-07-01T08:30:00.000Z';
    expect(canonicalJson({ at: new Date(at) })).toBe(canonicalJson({ at }));
    expect(() => canonicalJson(new Date('not a date'))).toThrow(/invalid Date/);
  });

  it('uses toJSON where an object defines it, and reads class instances by their own fields', () => {
    class Dto {
      constructor(
        readonly title: string,
        readonly level: string,
      ) {}
    }
    expect(canonicalJson(new Dto('t', 'township'))).toBe('{"level":"township","title":"t"}');
    expect(canonicalJson({ x: { toJSON: () => ({ b: 2, a: 1 }) } })).toBe('{"x":{"a":1,"b":2}}');
  });

  it('refuses values JSON cannot carry instead of silently losing them', () => {
    expect(() => canonicalJson(() => 1)).toThrow(/unsupported/);
    expect(() => canonicalJson(Symbol('s'))).toThrow(/unsupported/);
    expect(() => canonicalJson(new Map([['a', 1]]))).toThrow(/Map/);
    expect(() => canonicalJson({ s: new Set([1]) })).toThrow(/Set/);
  });

  it('parses back to an equal value', () => {
    const value = { name: '文澜街道', staff: 12, tags: ['a', 'b'], nested: { ok: true, none: null } };
    expect(JSON.parse(canonicalJson(value))).toEqual(value);
  });
});
