import { chineseDate, chineseNumeral, hoursText } from './chinese-numerals';

describe('chineseNumeral', () => {
  it.each([
    [1, '一'],
    [9, '九'],
    [10, '十'],
    [11, '十一'],
    [15, '十五'],
    [20, '二十'],
    [21, '二十一'],
    [100, '一百'],
    [101, '一百零一'],
    [110, '一百一十'],
    [999, '九百九十九'],
    [1000, '一千'],
    [1001, '一千零一'],
    [1010, '一千零一十'],
    [2026, '二千零二十六'],
    [10000, '一万'],
    [10010, '一万零一十'],
    [10100, '一万零一百'],
    [12345, '一万二千三百四十五'],
    [100001, '十万零一'],
  ])('%i → %s', (n, text) => expect(chineseNumeral(n)).toBe(text));

  it('refuses what official items are never numbered with', () => {
    expect(() => chineseNumeral(0)).toThrow(RangeError);
    expect(() => chineseNumeral(1.5)).toThrow(RangeError);
    expect(() => chineseNumeral(100_000_000)).toThrow(RangeError);
  });
});

describe('chineseDate and hoursText', () => {
  it('writes days without leading zeros and never through a Date', () => {
    expect(chineseDate('2026-07-03')).toBe('2026年7月3日');
    expect(chineseDate('2026-12-31')).toBe('2026年12月31日');
  });

  it('writes hours with one decimal at most', () => {
    expect(hoursText(0)).toBe('0');
    expect(hoursText(90)).toBe('1.5');
    expect(hoursText(120)).toBe('2');
    expect(hoursText(100)).toBe('1.7');
    expect(hoursText(60 * 1234 + 3)).toBe('1234.1');
  });
});
