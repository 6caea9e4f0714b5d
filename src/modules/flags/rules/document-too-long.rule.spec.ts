import { DocumentTooLongRule } from './document-too-long.rule';
import { CHINESE, demandContext, demandFacts, thresholdsWith } from './rule-spec-fixtures';

describe('DocumentTooLongRule (DOCUMENT_TOO_LONG)', () => {
  const rule = new DocumentTooLongRule();
  const document = (charCount: number | null, special = false) =>
    demandFacts({ kind: 'document', title: '关于进一步加强基层治理的实施意见', charCount, special });

  it('reads documentMaxChars and specialDocumentMaxChars', () => {
    expect(rule.code).toBe('DOCUMENT_TOO_LONG');
    expect(rule.thresholdNames).toEqual(['documentMaxChars', 'specialDocumentMaxChars']);
  });

  it('fires on 5,001 characters and not on 5,000', () => {
    expect(rule.evaluate(document(5000), demandContext())).toEqual([]);
    const [finding] = rule.evaluate(document(5001), demandContext());
    expect(finding).toMatchObject({
      rule: 'DOCUMENT_TOO_LONG',
      demandId: 101,
      target: { kind: 'demand' },
      evidence: {
        charCount: 5001,
        special: false,
        limit: 5000,
        excessChars: 1,
        thresholds: { documentMaxChars: 5000, specialDocumentMaxChars: 4000 },
      },
    });
    expect(finding.explanation).toMatch(CHINESE);
    expect(finding.explanation).toContain('关于进一步加强基层治理的实施意见');
    expect(finding.explanation).toContain('5001');
    expect(finding.explanation).toContain('5000');
  });

  it('holds a special-task document to 4,000 characters', () => {
    expect(rule.evaluate(document(4000, true), demandContext())).toEqual([]);
    const [finding] = rule.evaluate(document(4001, true), demandContext());
    expect(finding.evidence).toMatchObject({ special: true, limit: 4000 });
    expect(finding.explanation).toContain('专项工作文件');
  });

  it('ignores other kinds and a missing count', () => {
    expect(rule.evaluate(document(null), demandContext())).toEqual([]);
    expect(rule.evaluate(demandFacts({ kind: 'report', charCount: 90000 }), demandContext())).toEqual([]);
  });

  it('follows the policy', () => {
    const context = demandContext({ thresholds: thresholdsWith({ documentMaxChars: 3000, specialDocumentMaxChars: 2000 }) });
    expect(rule.evaluate(document(3001), context)[0].evidence).toMatchObject({ limit: 3000 });
    expect(rule.evaluate(document(2001, true), context)[0].evidence).toMatchObject({ limit: 2000 });
  });
});
