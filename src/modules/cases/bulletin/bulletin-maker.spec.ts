import { areaShortName } from './bulletin-maker';

describe('areaShortName', () => {
  it.each([
    ['蒙自市', '蒙自'],
    ['云南省', '云南'],
    ['个旧市', '个旧'],
    ['红河哈尼族彝族自治州', '红河'],
    ['西双版纳傣族自治州', '西双版纳'],
    ['文山壮族苗族自治州', '文山'],
    ['屏边苗族自治县', '屏边'],
    ['文澜街道', '文澜'],
    ['县', '县'],
  ])('%s → %s', (name, short) => expect(areaShortName(name)).toBe(short));
});
