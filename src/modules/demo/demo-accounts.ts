import type { Role } from '@/common/auth/actor';

/** One demo user: a role at a unit of 蒙自市 (by code), as the README lists them. */
export interface DemoAccount {
  username: string;
  role: Role;
  /** Org unit code; null for admin. */
  unitCode: string | null;
  displayName: string;
  /** What the user is there to show. */
  shows: string;
}

/** The demo county, its year and its seed: the demo is the same on every machine. */
export const DEMO_COUNTY = '532503';
export const DEMO_YEAR = 2026;
export const DEMO_SEED = 1;

/** The township whose reporter files the year's burden reports (for itself and its villages). */
export const DEMO_TOWNSHIP = '532503102';
export const DEMO_VILLAGE = '532503102206';

export const DEMO_ACCOUNTS: readonly DemoAccount[] = [
  { username: 'admin', role: 'admin', unitCode: null, displayName: '系统管理员', shows: 'users, the org tree, policy, the audit log' },
  {
    username: 'mengzi.coordinator',
    role: 'coordinator',
    unitCode: DEMO_COUNTY,
    displayName: '蒙自市减负专项工作机制办公室',
    shows: 'reviews the flags of the county, orders and verifies rectification, approves inspection plans',
  },
  { username: 'mengzi.inspector', role: 'inspector', unitCode: '532503-JW', displayName: '蒙自市纪委监委', shows: 'reads everything in the county, the audit log, typical cases' },
  { username: 'mengzi.yjj', role: 'issuer', unitCode: '532503-YJJ', displayName: '蒙自市应急管理局', shows: 'an office: its inspection plan, its demands, the flags on them, rectification' },
  { username: 'mengzi.tjj', role: 'issuer', unitCode: '532503-TJJ', displayName: '蒙自市统计局', shows: 'an office whose report forms overlap with others' },
  { username: 'caoba.issuer', role: 'issuer', unitCode: DEMO_TOWNSHIP, displayName: '草坝镇人民政府', shows: 'a township passing demands down to its villages' },
  { username: 'caoba.reporter', role: 'reporter', unitCode: DEMO_TOWNSHIP, displayName: '草坝镇党政办', shows: 'a township: the demands reaching it and its villages, burden reports, shadow demands' },
  { username: 'mingbai.reporter', role: 'reporter', unitCode: DEMO_VILLAGE, displayName: '草坝镇明白村委会', shows: 'a village: its demands, its reports, objections' },
];
