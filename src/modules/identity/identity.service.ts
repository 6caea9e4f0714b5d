import { Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import { Actor, ActorResolver, Role, TokenPayload } from '@/common/auth/actor';
import { conflict, DomainError, ErrorCode, invalid, notFound } from '@/common/errors/domain-error';
import { Page, PageRequest } from '@/common/paging/page';
import { nowIso } from '@/common/time';
import { APP_CONFIG, AppConfig } from '@/config/app-config';
import { isUniqueViolation, Tx } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { CreateUserDto, UpdateUserDto } from './dto/user.dto';
import { dummyHash, hashPassword, passwordProblem, verifyPassword } from './password';
import { UserRepository, UserWithUnit } from './user.repository';

export interface UserView {
  id: number;
  username: string;
  displayName: string | null;
  role: Role;
  orgUnitId: number | null;
  disabled: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface LoginResult {
  accessToken: string;
  tokenType: 'Bearer';
  expiresIn: number;
  user: UserView;
}

function userView(u: UserWithUnit): UserView {
  const { id, username, displayName, role, orgUnitId, disabled, createdAt, updatedAt } = u;
  return { id, username, displayName, role, orgUnitId, disabled, createdAt, updatedAt };
}

export function actorOf(u: UserWithUnit): Actor {
  const jurisdictionPath = u.role === 'admin' ? null : u.unitKind === 'department' ? u.unitParentPath : u.unitPath;
  return {
    userId: u.id,
    username: u.username,
    role: u.role,
    orgUnitId: u.orgUnitId,
    unitPath: u.unitPath,
    jurisdictionPath,
    level: u.unitLevel,
  };
}

@Injectable()
export class IdentityService implements ActorResolver, OnApplicationBootstrap {
  private readonly logger = new Logger('Identity');

  constructor(
    private readonly users: UserRepository,
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly jwt: JwtService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * On a database without users, BURDEN_LEDGER_ADMIN_PASSWORD creates the first admin. Without it
   * the server says how to create one (src/main.ts, after the demo had its chance to load users).
   */
  async onApplicationBootstrap(): Promise<void> {
    if ((await this.users.count(this.tx.reader)) > 0) return;
    if (this.config.adminPassword) {
      await this.createUser(null, { username: 'admin', password: this.config.adminPassword, role: 'admin' }, 'bootstrap');
      this.logger.log('Created the first user "admin" from BURDEN_LEDGER_ADMIN_PASSWORD');
    }
  }

  /** Logs how to create the first admin when the database has no user yet. */
  async adviseWhenNoUsers(): Promise<void> {
    if ((await this.users.count(this.tx.reader)) > 0) return;
    this.logger.warn(
      'No users yet. Create the first admin with BURDEN_LEDGER_ADMIN_PASSWORD=... at start, or ' +
        '`npm run cli -- create-user --username admin --password <password> --role admin`',
    );
  }

  async resolve(userId: number, tokenVersion: number): Promise<Actor | null> {
    const user = await this.users.findWithUnit(this.tx.reader, userId);
    if (!user || user.disabled || user.tokenVersion !== tokenVersion) return null;
    return actorOf(user);
  }

  async login(username: string, password: string): Promise<LoginResult> {
    const user = await this.users.findByUsername(this.tx.reader, username);
    const ok = await verifyPassword(password, user?.passwordHash ?? dummyHash());
    if (!user || !ok || user.disabled) throw new DomainError(ErrorCode.Unauthenticated, 'Invalid username or password');
    return {
      accessToken: await this.signToken(user),
      tokenType: 'Bearer',
      expiresIn: this.config.jwtExpiresInSeconds,
      user: userView(user),
    };
  }

  signToken(user: Pick<UserWithUnit, 'id' | 'tokenVersion' | 'role'>): Promise<string> {
    const payload: TokenPayload = { sub: user.id, tv: user.tokenVersion, role: user.role };
    return this.jwt.signAsync(payload);
  }

  async list(filter: { role?: Role; orgUnitId?: number; q?: string }, page: PageRequest): Promise<Page<UserView>> {
    const { rows, total } = await this.tx.snapshot((reader) => this.users.list(reader, filter, page.offset, page.pageSize));
    return { items: rows.map(userView), total, page: page.page, pageSize: page.pageSize };
  }

  /** Creates a user; `actor` null means the shell or the first start, named by `systemActor`. */
  async createUser(actor: Actor | null, dto: CreateUserDto, systemActor = 'cli'): Promise<UserView> {
    const problem = passwordProblem(dto.password);
    if (problem) throw invalid('password', problem);
    // `orgUnitId: null` says "no unit" as the answer shows it: right for an admin only.
    const orgUnitId = dto.orgUnitId ?? undefined;
    if (dto.role === 'admin' && orgUnitId !== undefined) throw invalid('orgUnitId', 'an admin belongs to no org unit');
    if (dto.role !== 'admin' && orgUnitId === undefined) throw invalid('orgUnitId', `a ${dto.role} must belong to an org unit`);
    const passwordHash = await hashPassword(dto.password);
    return this.tx.run(async (tx) => {
      const unitPath = await this.unitPath(tx, orgUnitId);
      if (await this.users.findByUsername(tx, dto.username)) throw conflict(`Username ${dto.username} is taken`, 'username');
      const at = nowIso();
      let id: number;
      try {
        id = await this.users.insert(tx, {
          username: dto.username,
          displayName: dto.displayName ?? null,
          passwordHash,
          role: dto.role,
          orgUnitId: orgUnitId ?? null,
          at,
        });
      } catch (error) {
        if (isUniqueViolation(error)) throw conflict(`Username ${dto.username} is taken`, 'username');
        throw error;
      }
      const created = (await this.users.findWithUnit(tx, id))!;
      await this.audit.append(tx, {
        actor,
        systemActor,
        action: 'user.create',
        entityType: 'user',
        entityId: id,
        unitPath,
        after: userView(created),
      });
      return userView(created);
      // The answer of POST /users: an Idempotency-Key's record commits with the user.
    }, { resultIsAnswer: true });
  }

  /** Disabling, a new password and a move to another unit each revoke the user's tokens. */
  async updateUser(actor: Actor, id: number, dto: UpdateUserDto): Promise<UserView> {
    const passwordHash = dto.password === undefined ? undefined : await hashPassword(dto.password);
    return this.tx.run(async (tx) => {
      const before = await this.users.findWithUnit(tx, id);
      if (!before) throw notFound('User', id);
      if (id === actor.userId && dto.disabled === true) throw invalid('disabled', 'you cannot disable yourself');
      // null asks for "no unit": what an admin already has, and what no other role may have.
      const orgUnitId = dto.orgUnitId ?? undefined;
      if (dto.orgUnitId === null && before.role !== 'admin') throw invalid('orgUnitId', `a ${before.role} must belong to an org unit`);
      if (orgUnitId !== undefined && before.role === 'admin') throw invalid('orgUnitId', 'an admin belongs to no org unit');
      const unitPath = orgUnitId !== undefined ? await this.unitPath(tx, orgUnitId) : before.unitPath;
      const revoke = (dto.disabled === true && !before.disabled) || passwordHash !== undefined || (orgUnitId !== undefined && orgUnitId !== before.orgUnitId);
      await this.users.update(tx, id, { displayName: dto.displayName, passwordHash, disabled: dto.disabled, orgUnitId }, revoke, nowIso());
      const after = (await this.users.findWithUnit(tx, id))!;
      await this.audit.append(tx, {
        actor,
        action: 'user.update',
        entityType: 'user',
        entityId: id,
        unitPath,
        before: userView(before),
        after: { ...userView(after), passwordChanged: passwordHash !== undefined, tokensRevoked: revoke },
      });
      return userView(after);
    });
  }

  private async unitPath(tx: Tx, orgUnitId: number | undefined): Promise<string | null> {
    if (orgUnitId === undefined) return null;
    const path = await this.users.findUnitPath(tx, orgUnitId);
    if (path === null) throw invalid('orgUnitId', `org unit ${orgUnitId} does not exist`);
    return path;
  }
}
