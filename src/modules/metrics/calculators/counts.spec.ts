import { countDemands } from './counts';

describe('countDemands', () => {
  it('counts each demand once, by kind and topic, with distinct issuers', () => {
    const counts = countDemands([
      { demandId: 1, kind: 'report', topic: '统计', issuerId: 100 },
      { demandId: 1, kind: 'report', topic: '统计', issuerId: 100 }, // same demand, another month
      { demandId: 2, kind: 'report', topic: '民政', issuerId: 100 },
      { demandId: 3, kind: 'inspection', topic: '安全生产', issuerId: 200 },
      { demandId: 4, kind: 'meeting', topic: '安全生产', issuerId: 300 },
    ]);
    expect(counts).toEqual({
      demands: 4,
      byKind: { inspection: 1, report: 2, meeting: 1, document: 0, other: 0 },
      byTopic: { 统计: 1, 民政: 1, 安全生产: 2 },
      distinctIssuers: 3,
    });
  });

  it('an empty list: every kind 0, no topics, no issuers', () => {
    expect(countDemands([])).toEqual({
      demands: 0,
      byKind: { inspection: 0, report: 0, meeting: 0, document: 0, other: 0 },
      byTopic: {},
      distinctIssuers: 0,
    });
  });

  it('a topic named like an Object property stays a plain count', () => {
    const counts = countDemands([{ demandId: 1, kind: 'other', topic: '__proto__', issuerId: 1 }]);
    expect(Object.keys(counts.byTopic)).toEqual(['__proto__']);
    expect(counts.byTopic['__proto__']).toBe(1);
  });
});
