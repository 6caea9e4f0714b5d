import { Injectable } from '@nestjs/common';
import { Level, Role } from '@/common/auth/actor';
import { containsPattern, execute, selectRows, toInt, Tx, Where } from '@/database/dialect';

export interface UserRecord {
  id: number;
  username: string;
  displayName: string | null;
  passwordHash: string;
  role: Role;
  orgUnitId: number | null;
  disabled: boolean;
  tokenVersion: number;
  createdAt: string;
  updatedAt: string;
}

/** A user with the unit facts the jurisdiction check needs. */
export interface UserWithUnit extends UserRecord {
  unitPath: string | null;
  unitKind: 'area' | 'department' | null;
  unitLevel: Level | null;
  unitParentPath: string | null;
}

interface RawUser {
  id: number | string;
  username: string;
  display_name: string | null;
  password_hash: string;
  role: Role;
  org_unit_id: number | string | null;
  disabled: boolean | number;
  token_version: number | string;
  created_at: string;
  updated_at: string;
  unit_path?: string | null;
  unit_kind?: 'area' | 'department' | null;
  unit_level?: Level | null;
  unit_parent_path?: string | null;
}

const COLUMNS = 'u.id, u.username, u.display_name, u.password_hash, u.role, u.org_unit_id, u.disabled, u.token_version, u.created_at, u.updated_at';

function mapUser(r: RawUser): UserWithUnit {
  return {
    id: toInt(r.id),
    username: r.username,
    displayName: r.display_name,
    passwordHash: r.password_hash,
    role: r.role,
    orgUnitId: r.org_unit_id === null ? null : toInt(r.org_unit_id),
    disabled: r.disabled === true || r.disabled === 1,
    tokenVersion: toInt(r.token_version),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    unitPath: r.unit_path ?? null,
    unitKind: r.unit_kind ?? null,
    unitLevel: r.unit_level ?? null,
    unitParentPath: r.unit_parent_path ?? null,
  };
}

const WITH_UNIT = `SELECT ${COLUMNS}, o.path AS unit_path, o.kind AS unit_kind, o.level AS unit_level, p.path AS unit_parent_path
  FROM users u LEFT JOIN org_units o ON o.id = u.org_unit_id LEFT JOIN org_units p ON p.id = o.parent_id`;

export interface NewUser {
  username: string;
  displayName: string | null;
  passwordHash: string;
  role: Role;
  orgUnitId: number | null;
  at: string;
}

@Injectable()
export class UserRepository {
  async findWithUnit(tx: Tx, id: number): Promise<UserWithUnit | null> {
    const rows = await selectRows<RawUser>(tx, `${WITH_UNIT} WHERE u.id = ?`, [id]);
    return rows.length ? mapUser(rows[0]) : null;
  }

  async findByUsername(tx: Tx, username: string): Promise<UserWithUnit | null> {
    const rows = await selectRows<RawUser>(tx, `${WITH_UNIT} WHERE u.username = ?`, [username]);
    return rows.length ? mapUser(rows[0]) : null;
  }

  /** The path of an org unit a user is bound to, or null when no such unit exists. */
  async findUnitPath(tx: Tx, orgUnitId: number): Promise<string | null> {
    const rows = await selectRows<{ path: string }>(tx, 'SELECT path FROM org_units WHERE id = ?', [orgUnitId]);
    return rows.length ? rows[0].path : null;
  }

  async findUnitIdByCode(tx: Tx, code: string): Promise<number | null> {
    const rows = await selectRows<{ id: number | string }>(tx, 'SELECT id FROM org_units WHERE code = ?', [code]);
    return rows.length ? toInt(rows[0].id) : null;
  }

  async count(tx: Tx): Promise<number> {
    const [row] = await selectRows<{ n: number | string }>(tx, 'SELECT COUNT(*) AS n FROM users');
    return toInt(row.n);
  }

  async list(tx: Tx, filter: { role?: Role; orgUnitId?: number; q?: string }, offset: number, limit: number) {
    const where = new Where();
    if (filter.role) where.add('u.role = ?', filter.role);
    if (filter.orgUnitId !== undefined) where.add('u.org_unit_id = ?', filter.orgUnitId);
    if (filter.q) where.add(`u.username LIKE ? ESCAPE '!'`, containsPattern(filter.q));
    const clause = where.clause;
    const [count] = await selectRows<{ n: number | string }>(tx, `SELECT COUNT(*) AS n FROM users u ${clause}`, where.params);
    const rows = await selectRows<RawUser>(tx, `${WITH_UNIT} ${clause} ORDER BY u.id LIMIT ? OFFSET ?`, [...where.params, limit, offset]);
    return { rows: rows.map(mapUser), total: toInt(count.n) };
  }

  async insert(tx: Tx, user: NewUser): Promise<number> {
    const rows = await selectRows<{ id: number | string }>(
      tx,
      `INSERT INTO users (username, display_name, password_hash, role, org_unit_id, disabled, token_version, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?) RETURNING id`,
      [user.username, user.displayName, user.passwordHash, user.role, user.orgUnitId, false, user.at, user.at],
    );
    return toInt(rows[0].id);
  }

  /** Applies the changes and, when asked, bumps the token version so every issued token dies. */
  async update(
    tx: Tx,
    id: number,
    changes: { displayName?: string | null; passwordHash?: string; disabled?: boolean; orgUnitId?: number | null; role?: Role },
    revokeTokens: boolean,
    at: string,
  ): Promise<void> {
    const sets = ['updated_at = ?'];
    const params: unknown[] = [at];
    const set = (column: string, value: unknown) => {
      if (value === undefined) return;
      sets.push(`${column} = ?`);
      params.push(value);
    };
    set('display_name', changes.displayName);
    set('password_hash', changes.passwordHash);
    set('disabled', changes.disabled);
    set('org_unit_id', changes.orgUnitId);
    set('role', changes.role);
    if (revokeTokens) sets.push('token_version = token_version + 1');
    await execute(tx, `UPDATE users SET ${sets.join(', ')} WHERE id = ?`, [...params, id]);
  }
}
