import { DEMAND_RULE_CODES, UNIT_RULE_CODES } from './finding-scan';

describe('FindingScan rule codes', () => {
  // FlagEvaluation reconciles demand batches and unit batches interleaved, each against the stored
  // flags of its own rules: a code in both would let one kind of batch withdraw the other's findings.
  it('gives no rule code to both the demand batches and the unit batches', () => {
    expect(DEMAND_RULE_CODES.length).toBeGreaterThan(0);
    expect(UNIT_RULE_CODES.length).toBeGreaterThan(0);
    expect(DEMAND_RULE_CODES.filter((code) => UNIT_RULE_CODES.includes(code))).toEqual([]);
  });
});
