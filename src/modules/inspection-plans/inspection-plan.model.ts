import { Level } from '@/common/auth/actor';
import { PlanStatus } from './plan-state';

/** One version of an issuer's annual inspection plan, with what the API shows of its issuer. */
export interface InspectionPlan {
  id: number;
  issuerId: number;
  issuer: { id: number; code: string; name: string; path: string };
  year: number;
  version: number;
  status: PlanStatus;
  title: string | null;
  /** The version this one replaces (null for version 1). */
  supersedesId: number | null;
  /** The version that replaces this one, whatever its state (null while this is the latest). */
  nextVersionId: number | null;
  /** True for the latest approved version of the issuer's plan for the year: the one rules read. */
  effective: boolean;
  createdBy: number;
  createdAt: string;
  updatedAt: string;
  submittedBy: number | null;
  submittedAt: string | null;
  /** The latest decision (approve or reject); kept while a rejected plan is reworked, cleared on resubmission. */
  decidedBy: number | null;
  decidedAt: string | null;
  rejectReason: string | null;
  itemCount: number;
}

export interface InspectionPlanItem {
  id: number;
  planId: number;
  itemKey: string;
  title: string;
  topic: string;
  targetLevel: Level | null;
  targetUnitIds: number[];
  plannedMonth: string;
  onSiteDays: number;
  visits: number;
}

/** An item of an issuer's effective approved plan, as the inspection rules read it. */
export interface ApprovedPlanItem extends InspectionPlanItem {
  issuerId: number;
  year: number;
  version: number;
}

/** An item row with the plan it belongs to, whatever the plan's state (demands link to rows). */
export interface PlanItemWithPlan extends InspectionPlanItem {
  issuerId: number;
  year: number;
  version: number;
  planStatus: PlanStatus;
}

export interface NewPlanItem {
  itemKey: string;
  title: string;
  topic: string;
  targetLevel: Level | null;
  targetUnitIds: number[];
  plannedMonth: string;
  onSiteDays: number;
  visits: number;
}
