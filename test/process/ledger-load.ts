import type { LedgerStore } from './ledger-store';
import { httpJson, HttpAnswer, NoAnswer } from './server-process';

/**
 * Seeding a ledger through its API, and clients that write to it with Idempotency-Keys and keep
 * track of which writes were acknowledged, which went unanswered and what the retries answered.
 */

export interface Seeded {
  adminToken: string;
  issuerToken: string;
  issuerUnitId: number;
  reporters: { token: string; unitId: number }[];
  /** Monthly demands reaching every township, January to October 2026, for registered reports. */
  registeredDemandIds: number[];
}

/** Months in which the registered demands land (all in the past of any run of this test). */
export const REGISTERED_MONTHS = ['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10'];

async function expectStatus(answer: Promise<HttpAnswer>, status: number, what: string): Promise<Record<string, unknown>> {
  const res = await answer;
  if (res.status !== status) throw new Error(`${what}: expected ${status}, got ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as Record<string, unknown>;
}

async function login(port: number, username: string, password: string): Promise<string> {
  const body = await expectStatus(httpJson(port, 'POST', '/auth/login', { body: { username, password } }), 200, `login ${username}`);
  return body.accessToken as string;
}

/**
 * 云南省 › 红河州 › 蒙自市 with 蒙自市教育局 (one issuer) and `townships` townships (one reporter each),
 * all made through the API by the admin that BURDEN_LEDGER_ADMIN_PASSWORD created, plus
 * `registeredDemands` monthly demands from the issuer to every township. 2 + townships logins:
 * the login route allows 10 a minute per address.
 */
export async function seedLedger(port: number, adminPassword: string, townships: number, registeredDemands: number): Promise<Seeded> {
  const adminToken = await login(port, 'admin', adminPassword);
  const post = (path: string, body: unknown, token = adminToken) => expectStatus(httpJson(port, 'POST', path, { body, token }), 201, `POST ${path}`);
  const unit = async (body: Record<string, unknown>) => (await post('/org-units', body)).id as number;
  const yunnan = await unit({ code: '53', name: '云南省', kind: 'area', level: 'province' });
  const honghe = await unit({ code: '5325', name: '红河哈尼族彝族自治州', kind: 'area', level: 'prefecture', parentId: yunnan });
  const mengzi = await unit({ code: '532503', name: '蒙自市', kind: 'area', level: 'county', parentId: honghe });
  const issuerUnitId = await unit({ code: '532503-JYJ', name: '蒙自市教育局', kind: 'department', level: 'county', parentId: mengzi });
  const townIds: number[] = [];
  for (let i = 1; i <= townships; i += 1) {
    townIds.push(await unit({ code: `532503${String(i).padStart(3, '0')}`, name: `测试街道${i}`, kind: 'area', level: 'township', parentId: mengzi, staffCount: 30 }));
  }
  const password = 'durable-password-1';
  await post('/users', { username: 'issuer', password, role: 'issuer', orgUnitId: issuerUnitId });
  for (let i = 0; i < townships; i += 1) await post('/users', { username: `reporter${i + 1}`, password, role: 'reporter', orgUnitId: townIds[i] });
  const issuerToken = await login(port, 'issuer', password);
  const reporters: Seeded['reporters'] = [];
  for (let i = 0; i < townships; i += 1) reporters.push({ token: await login(port, `reporter${i + 1}`, password), unitId: townIds[i] });
  const registeredDemandIds: number[] = [];
  for (let i = 0; i < registeredDemands; i += 1) {
    const demand = await post(
      '/demands',
      { kind: 'report', title: `月度报表${i + 1}`, topic: 'education', issuedOn: '2026-01-05', recurrence: 'monthly', until: '2026-10-31', targetUnitIds: townIds, fields: [`在校学生数${i + 1}`, '教师总数'] },
      issuerToken,
    );
    registeredDemandIds.push(demand.id as number);
  }
  return { adminToken, issuerToken, issuerUnitId, reporters, registeredDemandIds };
}

/** Where a write's row is found in the database: the marker is unique to the request. */
export type MarkerColumn = { table: 'demands'; column: 'title' } | { table: 'burden_reports'; column: 'note' };

export interface PlannedWrite {
  key: string;
  path: string;
  body: Record<string, unknown>;
  token: string;
  marker: MarkerColumn & { value: string };
  /** The first answer is lost on its way back (the client closes the connection unread). */
  dropFirstAnswer?: boolean;
}

export interface WriteRecord {
  write: PlannedWrite;
  /** Times the request was sent (first try and retries). */
  attempts: number;
  /** Attempts that got no answer (connection refused, reset, closed mid-response). */
  unanswered: string[];
  /** The 2xx answer, once one came. */
  answer: HttpAnswer | null;
  /** Whether that answer was a replay of a stored one (header Idempotent-Replayed). */
  replayed: boolean;
  /** A non-2xx answer: a defect here (every request is valid and its key used once). */
  rejected: HttpAnswer | null;
  /** Sequence numbers of the clock shared by all clients, for ordering against a backup. */
  sentAt: number;
  answeredAt: number;
}

/** A shared logical clock: one tick per event any client or the test observes. */
export class Ticks {
  private n = 0;
  next(): number {
    this.n += 1;
    return this.n;
  }
}

/** One client: its writes in order, sent one at a time, each with its own Idempotency-Key. */
export class LedgerClient {
  readonly records: WriteRecord[];
  private nextIndex = 0;

  constructor(
    readonly name: string,
    writes: PlannedWrite[],
  ) {
    this.records = writes.map((write) => ({ write, attempts: 0, unanswered: [], answer: null, replayed: false, rejected: null, sentAt: 0, answeredAt: 0 }));
  }

  /** Writes sent whose last attempt got no answer: to retry with the same key and body. */
  get owed(): WriteRecord[] {
    return this.records.filter((r) => r.attempts > 0 && r.answer === null && r.rejected === null);
  }

  get done(): boolean {
    return this.nextIndex >= this.records.length && this.owed.length === 0;
  }

  /**
   * Retries what is owed, then sends new writes, until the plan is done, a request gets no answer
   * (the server is gone: stop, as a client would, and retry later) or `stop()` says so. An answer
   * lost on its way (dropFirstAnswer) does not stop the client: that write is retried next time.
   */
  async run(port: number, ticks: Ticks, onAck: (r: WriteRecord) => void, stop: () => boolean = () => false, pauseMs = 0): Promise<void> {
    for (const record of this.owed) {
      if (!(await this.send(port, record, ticks, onAck))) return;
    }
    while (this.nextIndex < this.records.length && !stop()) {
      const record = this.records[this.nextIndex];
      this.nextIndex += 1;
      if (!(await this.send(port, record, ticks, onAck))) return;
      if (pauseMs > 0) await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /** false when no answer came. */
  private async send(port: number, record: WriteRecord, ticks: Ticks, onAck: (r: WriteRecord) => void): Promise<boolean> {
    const { write } = record;
    record.attempts += 1;
    record.sentAt = ticks.next();
    const dropResponse = write.dropFirstAnswer === true && record.attempts === 1;
    let res: HttpAnswer;
    try {
      res = await httpJson(port, 'POST', write.path, { body: write.body, token: write.token, headers: { 'Idempotency-Key': write.key }, dropResponse });
    } catch (error) {
      if (!(error instanceof NoAnswer)) throw error;
      record.unanswered.push(error.code);
      return error.code === 'dropped';
    }
    record.answeredAt = ticks.next();
    if (res.status >= 200 && res.status < 300) {
      record.answer = res;
      record.replayed = res.headers['idempotent-replayed'] === 'true';
      onAck(record);
    } else {
      record.rejected = res;
    }
    return true;
  }
}

/** The rows of a write's marker, read from the database. */
export async function rowsByMarker(store: LedgerStore, marker: MarkerColumn, values: string[]): Promise<Map<string, number[]>> {
  const found = new Map<string, number[]>(values.map((v) => [v, []]));
  const rows = await store.all<{ id: number | string; marker: string | null }>(`SELECT id, ${marker.column} AS marker FROM ${marker.table}`);
  for (const row of rows) if (row.marker !== null && found.has(row.marker)) found.get(row.marker)!.push(Number(row.id));
  return found;
}
