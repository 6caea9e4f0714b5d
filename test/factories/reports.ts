import type { TestApp } from '../utils/test-app';
import { demandBody } from './demands';
import { bearer, StandardTree, UserRef } from './index';

/** Registers a demand through the API (as an issuer) and returns its id. */
export async function registerDemand(t: TestApp, issuer: UserRef, tree: StandardTree, overrides: Record<string, unknown> = {}, kind: Parameters<typeof demandBody>[0] = 'report'): Promise<number> {
  const res = await t.http.post('/api/v1/demands').set(bearer(issuer)).send(demandBody(kind, tree, overrides));
  if (res.status !== 201) throw new Error(`registerDemand: ${res.status} ${JSON.stringify(res.body)}`);
  return (res.body as { id: number }).id;
}

/** A report on a registered demand's occurrence, to vary per test. */
export function reportBody(demandId: number, month: string, overrides: Record<string, unknown> = {}) {
  return { demandId, month, hoursSpent: 3.5, staffInvolved: 2, overtimeHours: 0.5, pages: 4, photos: 2, note: '按通知要求整理材料', ...overrides };
}

/** A report on a shadow demand (one that arrived without registration). */
export function shadowBody(overrides: Record<string, unknown> = {}, shadow: Record<string, unknown> = {}) {
  return {
    shadow: { issuerName: '县某局', kind: 'report', title: '紧急报送辖区企业名单', receivedOn: '2026-09-03', channel: 'wechat_group', ...shadow },
    hoursSpent: 6,
    staffInvolved: 3,
    ...overrides,
  };
}
