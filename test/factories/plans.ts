import { bearer, UserRef } from './index';
import type { TestApp } from '../utils/test-app';

const API = '/api/v1';

export interface PlanItemBody {
  itemKey?: string;
  title: string;
  topic: string;
  targetLevel?: string;
  targetUnitIds?: number[];
  plannedMonth: string;
  onSiteDays: number;
  visits?: number;
}

export interface PlanBody {
  year: number;
  title?: string;
  items: PlanItemBody[];
}

/** A valid plan item: an education inspection of the issuer's townships in May 2026. */
export function planItem(over: Partial<PlanItemBody> = {}): PlanItemBody {
  return { title: '校园安全专项督查', topic: 'education', targetLevel: 'township', plannedMonth: '2026-05', onSiteDays: 1, ...over };
}

export interface PlanRef {
  id: number;
  version: number;
  status: string;
  items: { id: number; itemKey: string; topic: string; visits: number }[];
}

/** Drafts a plan through the API as the issuer; fails the test unless it is created. */
export async function draftPlan(t: TestApp, issuer: UserRef, body: Partial<PlanBody> = {}): Promise<PlanRef> {
  const res = await t.http
    .post(`${API}/inspection-plans`)
    .set(bearer(issuer))
    .send({ year: 2026, items: [planItem()], ...body });
  if (res.status !== 201) throw new Error(`draftPlan: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as PlanRef;
}

/** Moves a plan through submit (issuer) and approve (coordinator); fails the test on any refusal. */
export async function approvePlan(t: TestApp, planId: number, issuer: UserRef, coordinator: UserRef): Promise<PlanRef> {
  await t.http.post(`${API}/inspection-plans/${planId}/submit`).set(bearer(issuer)).expect(200);
  const res = await t.http.post(`${API}/inspection-plans/${planId}/approve`).set(bearer(coordinator));
  if (res.status !== 200) throw new Error(`approvePlan: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as PlanRef;
}

/** An approved plan of the issuer's unit for a year: the state the inspection rules read. */
export async function approvedPlan(t: TestApp, issuer: UserRef, coordinator: UserRef, body: Partial<PlanBody> = {}): Promise<PlanRef> {
  const draft = await draftPlan(t, issuer, body);
  return approvePlan(t, draft.id, issuer, coordinator);
}
