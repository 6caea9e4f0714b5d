import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validatePolicyDocument } from '@/modules/policy/policy-document';
import { hoursToMinutes, standardMinutes } from './estimate';

const validation = validatePolicyDocument(JSON.parse(readFileSync(join(__dirname, '..', '..', '..', 'data', 'policy.json'), 'utf8')));
if (!validation.ok) throw new Error('data/policy.json is invalid');
const times = validation.policy.standardTimes;

describe('standard times (DESIGN §5) with policy version 1', () => {
  it('report: 12 fields × 5 min + 30 min overhead = 90 min', () => {
    expect(standardMinutes({ kind: 'report', fieldCount: 12 }, times)).toBe(90);
  });
  it('meeting: (120 min + 60 min travel) × 3 attendees = 540 min', () => {
    expect(standardMinutes({ kind: 'meeting', durationMinutes: 120, attendeesPerTarget: 3 }, times)).toBe(540);
  });
  it('inspection: 1.5 on-site days × 8 h × 60 × 2 escorts + 240 min preparation = 1680 min', () => {
    expect(standardMinutes({ kind: 'inspection', onSiteDays: 1.5 }, times)).toBe(1680);
  });
  it('document: 4,500 characters ÷ 300 a minute + 30 min handling = 45 min, rounding reading time up', () => {
    expect(standardMinutes({ kind: 'document', charCount: 4500 }, times)).toBe(45);
    expect(standardMinutes({ kind: 'document', charCount: 4501 }, times)).toBe(46);
  });
  it('other: the subtype minutes (app task 15, campaign 240)', () => {
    expect(standardMinutes({ kind: 'other', subtype: 'app_task' }, times)).toBe(15);
    expect(standardMinutes({ kind: 'other', subtype: 'campaign' }, times)).toBe(240);
  });
  it('an issuer estimate in hours becomes whole minutes', () => {
    expect(hoursToMinutes(1.5)).toBe(90);
    expect(hoursToMinutes(0.01)).toBe(1);
    expect(hoursToMinutes(2.33)).toBe(140);
  });
});
