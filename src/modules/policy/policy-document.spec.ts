import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PolicyDocument, PolicyProblem, STANDARD_TIME_SPECS, THRESHOLD_SPECS, validatePolicyDocument } from './policy-document';

const SHIPPED_FILE = join(__dirname, '..', '..', '..', 'data', 'policy.json');

type Json = { [key: string]: unknown };

/** A fresh copy of the shipped JSON for each test to break. */
function shipped(): Json {
  return JSON.parse(readFileSync(SHIPPED_FILE, 'utf8')) as Json;
}

/** The shipped document with the value at a dotted path replaced (`undefined` deletes it). */
function changed(changes: Record<string, unknown>): Json {
  const json = shipped();
  for (const [path, value] of Object.entries(changes)) {
    const keys = path.split('.');
    const last = keys.pop() as string;
    let node = json;
    for (const key of keys) node = node[key] as Json;
    if (value === undefined) delete node[last];
    else node[last] = value;
  }
  return json;
}

function accepted(json: unknown): PolicyDocument {
  const result = validatePolicyDocument(json);
  if (!result.ok) throw new Error(`rejected: ${JSON.stringify(result.errors)}`);
  return result.policy;
}

function errorsOf(json: unknown): PolicyProblem[] {
  const result = validatePolicyDocument(json);
  if (result.ok) throw new Error('expected the document to be rejected');
  return result.errors;
}

describe('policy document', () => {
  describe('the shipped data/policy.json (version 1)', () => {
    const policy = accepted(shipped());

    it('is version 1, effective from 2026-01-01', () => {
      expect(policy.version).toBe(1);
      expect(policy.effectiveFrom).toBe('2026-01-01');
    });

    it('holds the thresholds of DESIGN §4', () => {
      const t = policy.thresholds;
      expect(t.duplicateDataShare.value).toBe(0.5);
      expect(t.duplicateDataWindowDays.value).toBe(90);
      expect(t.duplicateInspectionCount.value).toBe(2);
      expect(t.duplicateInspectionWindowDays.value).toBe(30);
      expect(t.inspectionQuotaPerQuarter.value).toEqual({ township: 6, village: 3 });
      expect(t.meetingMaxMinutes.value).toBe(240);
      expect(t.meetingMaxGrassrootsAttendees.value).toBe(30);
      expect(t.meetingAttendeeLevelsDown.value).toBe(2);
      expect(t.shortDeadlineWorkingDays.value).toBe(3);
      expect(t.frequentReportRecurrences.value).toEqual(['daily', 'weekly']);
      expect(t.escalationMinShareOfParentWorkingDays.value).toBe(0.5);
      expect(t.documentMaxChars.value).toBe(5000);
      expect(t.specialDocumentMaxChars.value).toBe(4000);
      expect(t.hiddenBurdenRatio.value).toBe(2);
      expect(t.vetoLetterWhitelist.value).toEqual([]);
      expect(t.digitalFormalismAppRequirements.value).toEqual([
        'clock_in',
        'usage_ranking',
        'online_time',
        'forced_install',
        'photo_upload',
        'location_upload',
        'instant_reply',
      ]);
      expect(t.excessiveTraceKinds.value).toEqual(['photos', 'screenshots', 'paper_ledgers', 'videos']);
      expect(t.outOfScopeDutyKinds.value).toEqual(['negative', 'withdrawn']);
      expect(t.jointInspectionWindowDays.value).toBe(30);
    });

    it('holds the standard times of DESIGN §5', () => {
      const s = policy.standardTimes;
      expect(s.onSiteDayHours.value).toBe(8);
      expect(s.reportMinutesPerField.value).toBe(5);
      expect(s.reportOverheadMinutes.value).toBe(30);
      expect(s.meetingTravelMinutes.value).toBe(60);
      expect(s.inspectionEscorts.value).toBe(2);
      expect(s.inspectionPreparationMinutes.value).toBe(240);
      expect(s.documentReadingCharsPerMinute.value).toBe(300);
      expect(s.documentHandlingMinutes.value).toBe(30);
      expect(s.otherMinutesBySubtype.value.secondment).toBe(480);
      // A 15-field report is 15 × 5 + 30 = 105 minutes; a 2-day inspection 2 × 8 × 60 × 2 + 240 = 2,160.
      expect(15 * s.reportMinutesPerField.value + s.reportOverheadMinutes.value).toBe(105);
      expect(2 * s.onSiteDayHours.value * 60 * s.inspectionEscorts.value + s.inspectionPreparationMinutes.value).toBe(2160);
    });

    it('cites a source with a DOMAIN.md marker ([S], [N] or [I]) for every entry', () => {
      const entries = [...Object.entries(policy.thresholds), ...Object.entries(policy.standardTimes)];
      expect(entries).toHaveLength(Object.keys(THRESHOLD_SPECS).length + Object.keys(STANDARD_TIME_SPECS).length);
      for (const [name, entry] of entries) {
        expect({ name, cites: /\[(S|N|I)[\],]/.test(entry.source) }).toEqual({ name, cites: true });
      }
      // The statutory numbers cite the 2024 provisions or the State Council's rules.
      expect(policy.thresholds.documentMaxChars.source).toContain('整治形式主义为基层减负若干规定');
      expect(policy.thresholds.specialDocumentMaxChars.source).toContain('整治形式主义为基层减负若干规定');
      expect(policy.thresholds.meetingMaxGrassrootsAttendees.source).toContain('eight bans');
      expect(policy.thresholds.shortDeadlineWorkingDays.source).toContain('[I]');
    });

    it('returns a fresh object, not the input', () => {
      const input = shipped();
      const result = accepted(input);
      const thresholds = input.thresholds as Record<string, Json>;
      thresholds.meetingMaxMinutes.value = 1;
      expect(result.thresholds.meetingMaxMinutes.value).toBe(240);
    });
  });

  describe('rejects broken variants, naming the path', () => {
    it('a missing threshold', () => {
      const json = changed({ 'thresholds.meetingMaxMinutes': undefined });
      expect(errorsOf(json)).toEqual([{ path: 'thresholds.meetingMaxMinutes', message: 'is required' }]);
    });

    it('a missing standard time', () => {
      const json = changed({ 'standardTimes.onSiteDayHours': undefined });
      expect(errorsOf(json)).toEqual([{ path: 'standardTimes.onSiteDayHours', message: 'is required' }]);
    });

    it.each([
      ['meetingMaxMinutes', 0, 'must be between 1 and 1440, got 0'],
      ['meetingMaxMinutes', -240, 'must be between 1 and 1440, got -240'],
      ['meetingMaxMinutes', 240.5, 'must be a whole number'],
      ['meetingMaxMinutes', '240', 'must be a whole number'],
      ['meetingMaxMinutes', null, 'must be a whole number'],
      ['duplicateDataShare', 0, 'must be greater than 0 and at most 1, got 0'],
      ['duplicateDataShare', 1.5, 'must be greater than 0 and at most 1, got 1.5'],
      ['duplicateDataShare', Number.NaN, 'must be a number'],
      ['hiddenBurdenRatio', 1, 'must be greater than 1 and at most 1000, got 1'],
      ['duplicateInspectionCount', 1, 'must be between 2 and 1000, got 1'],
      ['shortDeadlineWorkingDays', 0, 'must be between 1 and 366, got 0'],
      ['meetingAttendeeLevelsDown', 5, 'must be between 1 and 4, got 5'],
    ])('thresholds.%s = %p', (name, value, message) => {
      const json = changed({ [`thresholds.${name}.value`]: value });
      expect(errorsOf(json)).toEqual([{ path: `thresholds.${name}.value`, message }]);
    });

    it('a standard time that is zero or negative', () => {
      const json = changed({
        'standardTimes.reportMinutesPerField.value': 0,
        'standardTimes.otherMinutesBySubtype.value.campaign': -5,
      });
      expect(errorsOf(json)).toEqual([
        { path: 'standardTimes.reportMinutesPerField.value', message: 'must be between 1 and 100000, got 0' },
        { path: 'standardTimes.otherMinutesBySubtype.value.campaign', message: 'must be between 1 and 100000, got -5' },
      ]);
    });

    it('a missing or unknown subtype in the standard times', () => {
      const json = changed({
        'standardTimes.otherMinutesBySubtype.value.secondment': undefined,
        'standardTimes.otherMinutesBySubtype.value.lottery': 10,
      });
      expect(errorsOf(json)).toEqual([
        { path: 'standardTimes.otherMinutesBySubtype.value.secondment', message: 'is required' },
        {
          path: 'standardTimes.otherMinutesBySubtype.value.lottery',
          message: 'is not one of app_task | certificate | campaign | responsibility_letter | veto_item | secondment',
        },
      ]);
    });

    it('an inspection quota without the village level, or for an unknown level', () => {
      const json = changed({ 'thresholds.inspectionQuotaPerQuarter.value': { township: 6, hamlet: 1 } });
      expect(errorsOf(json)).toEqual([
        { path: 'thresholds.inspectionQuotaPerQuarter.value.village', message: 'is required' },
        {
          path: 'thresholds.inspectionQuotaPerQuarter.value.hamlet',
          message: 'is not one of township | village | province | prefecture | county',
        },
      ]);
    });

    it('a source that is missing or blank', () => {
      const json = changed({
        'thresholds.documentMaxChars.source': undefined,
        'standardTimes.meetingTravelMinutes.source': '   ',
      });
      expect(errorsOf(json)).toEqual([
        { path: 'thresholds.documentMaxChars.source', message: 'must cite where the number comes from' },
        { path: 'standardTimes.meetingTravelMinutes.source', message: 'must cite where the number comes from' },
      ]);
    });

    it('a special-task document limit above the general one', () => {
      const json = changed({ 'thresholds.specialDocumentMaxChars.value': 6000 });
      expect(errorsOf(json)).toEqual([
        { path: 'thresholds.specialDocumentMaxChars.value', message: 'must not exceed documentMaxChars (5000)' },
      ]);
    });

    it('unknown or duplicated list members', () => {
      const json = changed({
        'thresholds.frequentReportRecurrences.value': ['daily', 'hourly', 'daily'],
        'thresholds.outOfScopeDutyKinds.value': ['negative', 'core'],
      });
      expect(errorsOf(json)).toEqual([
        {
          path: 'thresholds.frequentReportRecurrences.value[1]',
          message: 'must be one of once | daily | weekly | monthly | quarterly | yearly',
        },
        { path: 'thresholds.frequentReportRecurrences.value[2]', message: 'daily is listed twice' },
        { path: 'thresholds.outOfScopeDutyKinds.value[1]', message: 'must be one of withdrawn | negative' },
      ]);
    });

    it('an empty list is valid (the rule then never fires on it)', () => {
      const json = changed({ 'thresholds.frequentReportRecurrences.value': [] });
      expect(accepted(json).thresholds.frequentReportRecurrences.value).toEqual([]);
    });

    it('whitelist entries: valid ones kept, broken ones named', () => {
      const valid = changed({
        'thresholds.vetoLetterWhitelist.value': [
          { subtype: 'veto_item', title: '安全生产一票否决', basis: '省委办公厅一票否决事项清单', topic: '安全生产' },
          { subtype: 'responsibility_letter', title: '森林防火责任书', basis: '省森林防灭火指挥部文件' },
        ],
      });
      expect(accepted(valid).thresholds.vetoLetterWhitelist.value).toEqual([
        { subtype: 'veto_item', title: '安全生产一票否决', basis: '省委办公厅一票否决事项清单', topic: '安全生产' },
        { subtype: 'responsibility_letter', title: '森林防火责任书', basis: '省森林防灭火指挥部文件' },
      ]);

      const broken = changed({ 'thresholds.vetoLetterWhitelist.value': [{ subtype: 'pledge', title: '', extra: 1 }, 'x'] });
      expect(errorsOf(broken)).toEqual([
        { path: 'thresholds.vetoLetterWhitelist.value[0].subtype', message: 'must be veto_item | responsibility_letter' },
        { path: 'thresholds.vetoLetterWhitelist.value[0].title', message: 'must be a non-empty string' },
        { path: 'thresholds.vetoLetterWhitelist.value[0].basis', message: 'must name the document that allows it' },
        { path: 'thresholds.vetoLetterWhitelist.value[0].extra', message: 'is not a whitelist field' },
        { path: 'thresholds.vetoLetterWhitelist.value[1]', message: 'must be { subtype, title, basis, topic? }' },
      ]);
    });

    it('a misspelt threshold and an unknown entry field', () => {
      const json = changed({
        'thresholds.meetingMaxMinute': { value: 240, source: 'typo [I]' },
        'thresholds.documentMaxChars.comment': 'x',
      });
      expect(errorsOf(json)).toEqual([
        { path: 'thresholds.documentMaxChars.comment', message: 'is not one of value | source | unit | note' },
        { path: 'thresholds.meetingMaxMinute', message: 'is not a known entry (misspelt?)' },
      ]);
    });

    it('an entry without a value, or not an object', () => {
      const json = changed({ 'thresholds.hiddenBurdenRatio.value': undefined, 'thresholds.documentMaxChars': 5000 });
      expect(errorsOf(json)).toEqual([
        { path: 'thresholds.documentMaxChars', message: 'must be { value, source, unit?, note? }' },
        { path: 'thresholds.hiddenBurdenRatio.value', message: 'is required' },
      ]);
    });

    it('a bad version, effectiveFrom or unknown top-level field', () => {
      const json = changed({ version: 0, effectiveFrom: '2026-02-30', author: 'me' });
      expect(errorsOf(json)).toEqual([
        { path: 'version', message: 'must be a whole number ≥ 1' },
        { path: 'effectiveFrom', message: 'must be a date YYYY-MM-DD' },
        { path: 'author', message: 'is not a policy field' },
      ]);
    });

    it('not an object, or sections missing', () => {
      expect(errorsOf(null)).toEqual([{ path: '', message: 'must be a JSON object' }]);
      expect(errorsOf([])).toEqual([{ path: '', message: 'must be a JSON object' }]);
      expect(errorsOf({ version: 2, effectiveFrom: '2026-07-01' })).toEqual([
        { path: 'thresholds', message: 'must be an object of name → { value, source, unit?, note? }' },
        { path: 'standardTimes', message: 'must be an object of name → { value, source, unit?, note? }' },
      ]);
    });
  });
});
