import { BulletinCase, buildBulletin } from './bulletin';

const header = { areaName: '蒙自市', docNo: '蒙自减负办通〔2026〕1号', from: '2026-10-01', to: '2026-12-31', issuedOn: '2026-12-31' };

function aCase(overrides: Partial<BulletinCase>): BulletinCase {
  return {
    id: 1,
    title: '某局随意要求每日报送',
    category: '多头填报、重复报表',
    issuerName: '蒙自市教育局',
    unitName: null,
    persons: [],
    conductFrom: '2026-09-01',
    conductTo: '2026-09-30',
    facts: '要求每日报送',
    provision: '《整治形式主义为基层减负若干规定》第十条。',
    handlingType: '通报批评',
    handlingOn: '2026-10-15',
    handlingNote: null,
    issuerId: 10,
    demands: 1,
    affectedUnitIds: [1, 2],
    burdenMinutes: 90,
    ...overrides,
  };
}

describe('buildBulletin', () => {
  it('numbers the items, counts units once across cases and sums the hours', () => {
    const b = buildBulletin(header, [aCase({ id: 1 }), aCase({ id: 2, category: '弄虚作假', affectedUnitIds: [2, 3], burdenMinutes: 30, issuerId: 11 })], false);
    expect(b.items.map((i) => i.heading)).toEqual(['一、某局随意要求每日报送', '二、某局随意要求每日报送']);
    expect(b.items[0].paragraphs).toEqual([
      '要求每日报送。经核查，2026年9月1日至2026年9月30日期间，蒙自市教育局涉及向基层下达事项1项，涉及基层单位2个，折合基层工作量约1.5小时。',
      '上述问题违反了《整治形式主义为基层减负若干规定》第十条的规定。',
      '2026年10月15日，有关责任单位和责任人受到通报批评处理。',
    ]);
    expect(b.figures).toEqual({
      cases: 2,
      byCategory: [
        { category: '多头填报、重复报表', cases: 1 },
        { category: '弄虚作假', cases: 1 },
      ],
      issuers: 2,
      affectedUnits: 3,
      burdenMinutes: 120,
      burdenHours: '2',
    });
    expect(b.figuresParagraph).toBe('本期通报典型问题2起，其中多头填报、重复报表1起，弄虚作假1起；涉及下达事项的单位2个、基层单位3个，折合基层工作量约2小时。');
  });

  it('anonymises a person of one case named in another case’s facts', () => {
    const b = buildBulletin(header, [aCase({ id: 1, persons: [{ post: '副局长', name: '张三丰' }] }), aCase({ id: 2, facts: '经张三丰同意后印发' })], true);
    expect(JSON.stringify(b)).not.toContain('张三丰');
    expect(b.items[1].paragraphs[0]).toContain('经副局长同意后印发');
    expect(b.items[0].paragraphs[2]).toBe('2026年10月15日，副局长受到通报批评处理。');
  });

  it('says so when the period has no case', () => {
    const b = buildBulletin(header, [], false);
    expect(b.title).toBe('关于0起整治形式主义为基层减负典型问题的通报');
    expect(b.figuresParagraph).toBe('本期未查处需通报的典型问题。');
  });
});
