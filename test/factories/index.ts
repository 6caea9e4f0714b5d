import bcrypt from 'bcryptjs';
import type { Role } from '@/common/auth/actor';
import { selectRows, toInt } from '@/database/dialect';
import type { TestApp } from '../utils/test-app';

export const TEST_PASSWORD = 'password-123';
/** Low cost: test users are made by the hundred; production uses cost 10. */
const TEST_HASH = bcrypt.hashSync(TEST_PASSWORD, 4);

export interface UnitRef {
  id: number;
  code: string;
  path: string;
}

export interface UserRef {
  id: number;
  username: string;
  role: Role;
  orgUnitId: number | null;
  token: string;
}

const LEVEL_OF_LENGTH: Record<number, string> = { 2: 'province', 4: 'prefecture', 6: 'county', 9: 'township', 12: 'village' };

/** Inserts an org unit behind the API; an area's level follows from its code's length. */
export async function createUnit(
  t: TestApp,
  code: string,
  name: string,
  parent: UnitRef | null,
  opts: { kind?: 'area' | 'department'; level?: string; staffCount?: number } = {},
): Promise<UnitRef> {
  const kind = opts.kind ?? 'area';
  const level = opts.level ?? LEVEL_OF_LENGTH[code.length];
  const path = `${parent?.path ?? '/'}${code}/`;
  const depth = path.split('/').filter(Boolean).length - 1;
  const at = new Date().toISOString();
  const rows = await selectRows<{ id: number | string }>(
    t.db,
    `INSERT INTO org_units (code, name, kind, level, parent_id, path, depth, staff_count, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    [code, name, kind, level, parent?.id ?? null, path, depth, opts.staffCount ?? 10, at, at],
  );
  return { id: toInt(rows[0].id), code, path };
}

let userSeq = 0;
export async function createUser(t: TestApp, role: Role, unit: UnitRef | null, username?: string): Promise<UserRef> {
  const name = username ?? `${role}-${++userSeq}-${Math.random().toString(36).slice(2, 7)}`;
  const at = new Date().toISOString();
  const rows = await selectRows<{ id: number | string }>(
    t.db,
    `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at)
     VALUES (?, NULL, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
    [name, TEST_HASH, role, unit?.id ?? null, false, at, at],
  );
  const id = toInt(rows[0].id);
  return { id, username: name, role, orgUnitId: unit?.id ?? null, token: t.token({ id, role }) };
}

/**
 * The standard fixture: 云南省 › 红河州 › 蒙自市 (with 教育局 and two townships, one with a
 * village) and a second county, 个旧市, outside 蒙自市's jurisdiction.
 */
export async function standardTree(t: TestApp) {
  const yunnan = await createUnit(t, '53', '云南省', null);
  const honghe = await createUnit(t, '5325', '红河哈尼族彝族自治州', yunnan);
  const mengzi = await createUnit(t, '532503', '蒙自市', honghe);
  const gejiu = await createUnit(t, '532501', '个旧市', honghe);
  const education = await createUnit(t, '532503-JYJ', '蒙自市教育局', mengzi, { kind: 'department', level: 'county' });
  const wenlan = await createUnit(t, '532503001', '文澜街道', mengzi);
  const yuguopu = await createUnit(t, '532503002', '雨过铺街道', mengzi);
  const village = await createUnit(t, '532503001001', '文澜社区', wenlan);
  const gejiuTown = await createUnit(t, '532501001', '城区街道', gejiu);
  return { yunnan, honghe, mengzi, gejiu, education, wenlan, yuguopu, village, gejiuTown };
}

export type StandardTree = Awaited<ReturnType<typeof standardTree>>;

/** One user of each role where DESIGN §1 puts them, plus the same roles in the other county. */
export async function standardUsers(t: TestApp, tree: StandardTree) {
  return {
    admin: await createUser(t, 'admin', null),
    issuer: await createUser(t, 'issuer', tree.education),
    reporter: await createUser(t, 'reporter', tree.wenlan),
    villageReporter: await createUser(t, 'reporter', tree.village),
    coordinator: await createUser(t, 'coordinator', tree.mengzi),
    inspector: await createUser(t, 'inspector', tree.mengzi),
    gejiuCoordinator: await createUser(t, 'coordinator', tree.gejiu),
    gejiuInspector: await createUser(t, 'inspector', tree.gejiu),
  };
}

export type StandardUsers = Awaited<ReturnType<typeof standardUsers>>;

export const bearer = (u: { token: string }) => ({ Authorization: `Bearer ${u.token}` });
