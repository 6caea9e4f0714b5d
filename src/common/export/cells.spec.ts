import { neutraliseFormula, toCell } from './cells';

describe('neutraliseFormula', () => {
  it.each([
    ['=1+1', "'=1+1"],
    ['=HYPERLINK("http://evil.example","点我")', '\'=HYPERLINK("http://evil.example","点我")'],
    ['+1', "'+1"],
    ['-5', "'-5"],
    ['-2+3', "'-2+3"],
    ['@x', "'@x"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
    ['\r=1', "'\r=1"],
    ['＝1+1', "'＝1+1"],
  ])('prefixes text starting with a formula trigger: %j', (text, escaped) => {
    expect(neutraliseFormula(text)).toBe(escaped);
  });

  it.each(['', '1+1', 'a=b', '文澜街道', ' =1', "'already quoted", '5-3', 'x@example.org'])('leaves other text alone: %j', (text) => {
    expect(neutraliseFormula(text)).toBe(text);
  });
});

describe('toCell', () => {
  it('keeps numbers numbers, negative and fractional ones too; NaN and Infinity are empty', () => {
    expect(toCell(-5)).toBe(-5);
    expect(toCell(3.25)).toBe(3.25);
    expect(toCell(0)).toBe(0);
    expect(toCell(Number.NaN)).toBeNull();
    expect(toCell(Number.POSITIVE_INFINITY)).toBeNull();
  });

  it('keeps text as it is (escaping happens when a cell is written) and booleans as booleans', () => {
    expect(toCell('-5')).toBe('-5');
    expect(toCell('蒙自市')).toBe('蒙自市');
    expect(toCell(true)).toBe(true);
    expect(toCell(false)).toBe(false);
  });

  it('makes null and undefined empty', () => {
    expect(toCell(null)).toBeNull();
    expect(toCell(undefined)).toBeNull();
  });

  it('writes a Date as ISO text', () => {
    expect(toCell(new Date('2026-09-01T08:00:00Z'))).toBe('2026-09-01T08:00:00.000Z');
  });

  it('joins a list of scalars with ";"', () => {
    expect(toCell([3, 7, 12])).toBe('3;7;12');
    expect(toCell(['户籍人口（人）', '低保户数'])).toBe('户籍人口（人）;低保户数');
    expect(toCell([])).toBe('');
  });

  it('writes objects and lists of objects as JSON text', () => {
    expect(toCell({ done: 3, total: null })).toBe('{"done":3,"total":null}');
    expect(toCell([{ underId: 5, level: 'township' }])).toBe('[{"underId":5,"level":"township"}]');
  });
});
