import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { selectRows } from '@/database/dialect';
import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { BulletinCommand } from '@/modules/cases/bulletin.command';
import { CaseReportOutputsJanitor } from '@/modules/cases/case-report-outputs.janitor';
import { CaseRepository } from '@/modules/cases/case.repository';
import { UserRepository } from '@/modules/identity/user.repository';
import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';
import { readZipEntry } from '../utils/zip';

const API = '/api/v1';

interface FlagItem {
  id: number;
  rule: string;
  status: string;
  version: number;
}

interface CaseBody {
  id: number;
  status: string;
  title: string;
  category: string;
  categorySource: string;
  issuer: { id: number; name: string } | null;
  unit: { id: number; name: string } | null;
  flagIds: number[];
  rectification: { status: string; counts: Record<string, number> };
  totals: { flags: number; demands: number; affectedUnits: number; burdenMinutes: number; estimatedMinutes: number };
  evidence: {
    flags: { id: number; rule: string; status: string; transitions: { to: string; comment: string }[] }[];
    demands: { id: number; title: string; dueOn: string | null; burdenMinutes: number; occurrences: number }[];
  };
  evidenceHash: string;
  version: number;
}

describe('typical cases and bulletins (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let gejiuIssuer: UserRef;
  let dailyDemandId: number;
  let confirmed: FlagItem;
  let openFlag: FlagItem;
  let gejiuConfirmed: FlagItem;

  /** GET with the body collected as raw bytes, whatever its content type. */
  const download = (url: string, as: UserRef) =>
    t.http
      .get(url)
      .set(bearer(as))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
  const createDemand = async (body: Record<string, unknown>, as: UserRef): Promise<number> => {
    const res = await t.http.post(`${API}/demands`).set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as number;
  };
  const flagsOf = async (demandId: number, as: UserRef): Promise<FlagItem[]> => (await t.http.get(`${API}/flags?demandId=${demandId}`).set(bearer(as)).expect(200)).body.items as FlagItem[];
  const move = async (flag: FlagItem, to: string, as: UserRef, extra: Record<string, unknown> = {}): Promise<FlagItem> => {
    const res = await t.http
      .post(`${API}/flags/${flag.id}/transitions`)
      .set(bearer(as))
      .send({ to, version: flag.version, ...extra });
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as FlagItem;
  };
  const confirm = async (flag: FlagItem, as: UserRef) => move(await move(flag, 'under_review', as), 'confirmed', as, { comment: '经核实属实' });
  const createCase = async (body: Record<string, unknown>, as: UserRef = users.inspector): Promise<CaseBody> => {
    const res = await t.http.post(`${API}/cases`).set(bearer(as)).send(body);
    if (res.status !== 201) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as CaseBody;
  };
  const finalise = async (c: CaseBody, extra: Record<string, unknown> = {}, as: UserRef = users.inspector): Promise<CaseBody> => {
    const res = await t.http
      .patch(`${API}/cases/${c.id}`)
      .set(bearer(as))
      .send({ facts: '该局要求各街道每日报送安全巡查情况', provision: '《整治形式主义为基层减负若干规定》第十条', handlingType: '通报批评', handlingOn: '2026-10-15', ...extra, status: 'final', version: c.version });
    if (res.status !== 200) throw new Error(`${res.status} ${JSON.stringify(res.body)}`);
    return res.body as CaseBody;
  };

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    const gejiuOffice = await createUnit(t, '532501-JYJ', '个旧市教育局', tree.gejiu, { kind: 'department', level: 'county' });
    gejiuIssuer = await createUser(t, 'issuer', gejiuOffice);

    dailyDemandId = await createDemand(demandBody('report', tree, { title: '每日报送安全巡查', recurrence: 'daily', until: '2026-09-30' }), users.issuer);
    const [frequent] = await flagsOf(dailyDemandId, users.coordinator);
    expect(frequent.rule).toBe('FREQUENT_REPORT');
    confirmed = await confirm(frequent, users.coordinator);

    const meeting = await createDemand(demandBody('meeting', tree, { durationMinutes: 300 }), users.issuer);
    [openFlag] = await flagsOf(meeting, users.coordinator);
    expect(openFlag).toMatchObject({ rule: 'MEETING_OVERLOAD', status: 'open' });

    const gejiuDemand = await createDemand(
      { ...demandBody('report', tree, { title: '个旧每日报表', recurrence: 'daily', until: '2026-09-30' }), targetUnitIds: [tree.gejiuTown.id] },
      gejiuIssuer,
    );
    const [gejiuFlag] = await flagsOf(gejiuDemand, users.gejiuCoordinator);
    gejiuConfirmed = await confirm(gejiuFlag, users.gejiuCoordinator);
  });
  afterAll(() => t.close());

  describe('who reaches cases', () => {
    it('only inspectors: admin (separation of duties), coordinators, issuers and reporters are refused; no token is 401', async () => {
      for (const as of [users.admin, users.coordinator, users.issuer, users.reporter]) {
        await t.http.get(`${API}/cases`).set(bearer(as)).expect(403);
        await t.http.post(`${API}/cases`).set(bearer(as)).send({ flagIds: [confirmed.id], title: '某局随意要求每日报送' }).expect(403);
        await t.http.get(`${API}/case-reports?from=2026-01-01&to=2026-12-31`).set(bearer(as)).expect(403);
      }
      await t.http.get(`${API}/cases`).expect(401);
      await t.http.get(`${API}/case-reports?from=2026-01-01&to=2026-12-31`).expect(401);
      await t.http.get(`${API}/cases`).set(bearer(users.inspector)).expect(200);
    });

    it('an inspector of one county neither sees nor reads nor edits another county’s case', async () => {
      const mengziCase = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局随意要求街道每日报送，加重基层负担' });
      const gejiuCase = await createCase({ flagIds: [gejiuConfirmed.id], title: '个旧市教育局随意要求街道每日报送' }, users.gejiuInspector);
      await t.http.get(`${API}/cases/${mengziCase.id}`).set(bearer(users.gejiuInspector)).expect(404);
      await t.http.patch(`${API}/cases/${mengziCase.id}`).set(bearer(users.gejiuInspector)).send({ title: '改个标题试试', version: mengziCase.version }).expect(404);
      await t.http.get(`${API}/cases/${gejiuCase.id}`).set(bearer(users.inspector)).expect(404);
      const mine = (await t.http.get(`${API}/cases?pageSize=500`).set(bearer(users.inspector)).expect(200)).body.items as CaseBody[];
      expect(mine.map((c) => c.id)).toContain(mengziCase.id);
      expect(mine.map((c) => c.id)).not.toContain(gejiuCase.id);
      const theirs = (await t.http.get(`${API}/cases?pageSize=500`).set(bearer(users.gejiuInspector)).expect(200)).body.items as CaseBody[];
      expect(theirs.map((c) => c.id)).toEqual([gejiuCase.id]);
      // A flag of the other county cannot be built into a case either.
      const res = await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ flagIds: [gejiuConfirmed.id], title: '越界建案的尝试' }).expect(422);
      expect(res.body.details).toEqual([{ field: 'flagIds[0]', message: `flag ${gejiuConfirmed.id} does not exist in your jurisdiction` }]);
    });
  });

  describe('building a case', () => {
    it('takes confirmed flags only, naming each one that is not', async () => {
      const res = await t.http
        .post(`${API}/cases`)
        .set(bearer(users.inspector))
        .send({ flagIds: [confirmed.id, openFlag.id, 999999], title: '某局会议过多过长' })
        .expect(422);
      expect(res.body.details).toEqual([
        { field: 'flagIds[1]', message: `flag ${openFlag.id} is open: only confirmed findings make a case` },
        { field: 'flagIds[2]', message: 'flag 999999 does not exist in your jurisdiction' },
      ]);
    });

    it('rejects unknown fields, a bad date, an empty flag list and a category outside the list', async () => {
      const base = { flagIds: [confirmed.id], title: '蒙自市教育局随意要求每日报送' };
      await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ ...base, status: 'final' }).expect(400);
      await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ ...base, evidence: {} }).expect(400);
      await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ ...base, flagIds: [] }).expect(400);
      await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ ...base, category: '其他' }).expect(400);
      const res = await t.http.post(`${API}/cases`).set(bearer(users.inspector)).send({ ...base, conductFrom: '2026-02-30' }).expect(422);
      expect(res.body.details).toEqual([{ field: 'conductFrom', message: '2026-02-30 is not a calendar date' }]);
    });

    it('derives issuer, unit, category and conduct period from the flags, and freezes the evidence with its hours and review', async () => {
      const c = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局随意要求街道每日报送，加重基层负担' });
      expect(c).toMatchObject({
        status: 'draft',
        category: '多头填报、重复报表',
        categorySource: 'rule',
        issuer: { id: tree.education.id, name: '蒙自市教育局' },
        // FREQUENT_REPORT is about the whole demand, so no one unit is the case's place.
        unit: null,
        flagIds: [confirmed.id],
        rectification: { status: 'not_ordered', counts: { confirmed: 1 } },
        version: 1,
      });
      expect(c.evidence.flags).toEqual([
        expect.objectContaining({ id: confirmed.id, rule: 'FREQUENT_REPORT', status: 'confirmed', transitions: [expect.objectContaining({ to: 'under_review' }), expect.objectContaining({ to: 'confirmed', comment: '经核实属实' })] }),
      ]);
      // A daily report landing first on its due day 2026-09-15, every day through 2026-09-30: 16 occurrences.
      const [demand] = c.evidence.demands;
      expect(demand).toMatchObject({ id: dailyDemandId, title: '每日报送安全巡查', occurrences: 16 });
      expect(demand.burdenMinutes).toBeGreaterThan(0);
      expect(c.totals).toMatchObject({ flags: 1, demands: 1, affectedUnits: 1, burdenMinutes: demand.burdenMinutes, estimatedMinutes: demand.burdenMinutes });
      expect(c.evidenceHash).toMatch(/^[0-9a-f]{64}$/);
    });

    it('a provincial office’s finding on one of the county’s villages is the county inspector’s case too', async () => {
      const office = await createUnit(t, '53-JYT', '云南省教育厅', tree.yunnan, { kind: 'department', level: 'province' });
      const provincial = await createUser(t, 'issuer', office);
      // A topic on the villages' negative list, sent straight to 文澜社区: OUT_OF_SCOPE on that village.
      await t.http.post(`${API}/duty-items`).set(bearer(users.admin)).send({ level: 'village', topic: 'statistics', category: 'negative', title: '统计调查报表' }).expect(201);
      const demand = await createDemand(demandBody('report', tree, { title: '全省村级统计报表', topic: 'statistics', targetUnitIds: [tree.village.id] }), provincial);
      const [flag] = await flagsOf(demand, users.coordinator);
      expect(flag.rule).toBe('OUT_OF_SCOPE');
      const confirmedFlag = await confirm(flag, users.coordinator);
      const c = await createCase({ flagIds: [confirmedFlag.id], title: '云南省教育厅向村级组织转嫁统计调查任务' });
      expect(c).toMatchObject({ issuer: { id: office.id, name: '云南省教育厅' }, unit: { id: tree.village.id }, category: '层层加码' });
      await t.http.get(`${API}/cases/${c.id}`).set(bearer(users.inspector)).expect(200);
      await t.http.get(`${API}/cases/${c.id}`).set(bearer(users.gejiuInspector)).expect(404);
      // Naming only an issuer and a unit outside the county is refused.
      await t.http
        .post(`${API}/cases`)
        .set(bearer(users.inspector))
        .send({ flagIds: [confirmedFlag.id], title: '越界的案例标题', issuerId: office.id, unitId: tree.gejiuTown.id })
        .expect(403);
    });

    it('needs a chosen category when no rule maps to one, and records a chosen one as manual', async () => {
      const c = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局编造整改台账应付检查', category: '弄虚作假' });
      expect(c).toMatchObject({ category: '弄虚作假', categorySource: 'manual' });
    });
  });

  describe('frozen evidence, live rectification', () => {
    it('edits to the demand after the case do not change its evidence; the flag’s progress shows live', async () => {
      const c = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局每日报表问题' });
      const demand = (await t.http.get(`${API}/demands/${dailyDemandId}`).set(bearer(users.issuer)).expect(200)).body as { version: number };
      await t.http
        .patch(`${API}/demands/${dailyDemandId}`)
        .set(bearer(users.issuer))
        .send({ title: '安全巡查情况（已改为每周）', until: '2026-09-20', version: demand.version })
        .expect((r) => {
          if (r.status !== 200) throw new Error(JSON.stringify(r.body));
        });
      const current = (await t.http.get(`${API}/flags/${confirmed.id}`).set(bearer(users.coordinator)).expect(200)).body as FlagItem;
      confirmed = await move(current, 'rectifying', users.coordinator, { comment: '限期整改', dueOn: '2099-12-31' });

      const after = (await t.http.get(`${API}/cases/${c.id}`).set(bearer(users.inspector)).expect(200)).body as CaseBody;
      expect(after.evidence).toEqual(c.evidence);
      expect(after.evidenceHash).toBe(c.evidenceHash);
      expect(after.evidence.demands[0]).toMatchObject({ title: '每日报送安全巡查', occurrences: 16 });
      expect(after.rectification).toMatchObject({ status: 'rectifying', counts: { rectifying: 1 } });
      const [row] = await selectRows<{ evidence: string }>(t.db, 'SELECT evidence FROM cases WHERE id = ?', [c.id]);
      expect(row.evidence).toContain('每日报送安全巡查');
      expect(row.evidence).not.toContain('已改为每周');
    });
  });

  describe('editing and finalising', () => {
    it('guards against lost updates, needs the handling to finalise, and a final case no longer changes', async () => {
      const c = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局每日报表待定稿' });
      const edited = (await t.http.patch(`${API}/cases/${c.id}`).set(bearer(users.inspector)).send({ facts: '初稿', version: 1 }).expect(200)).body as CaseBody;
      expect(edited.version).toBe(2);
      const stale = await t.http.patch(`${API}/cases/${c.id}`).set(bearer(users.inspector)).send({ facts: '另一稿', version: 1 }).expect(409);
      expect(stale.body.details).toMatchObject({ version: 2 });
      await t.http.patch(`${API}/cases/${c.id}`).set(bearer(users.inspector)).send({ version: 2, unknown: 1 }).expect(400);
      const incomplete = await t.http.patch(`${API}/cases/${c.id}`).set(bearer(users.inspector)).send({ status: 'final', version: 2 }).expect(422);
      expect((incomplete.body.details as { field: string }[]).map((d) => d.field)).toEqual(['provision', 'handlingType', 'handlingOn']);
      const final = await finalise(edited);
      expect(final).toMatchObject({ status: 'final', handlingType: '通报批评', handlingOn: '2026-10-15', version: 3 });
      const frozen = await t.http.patch(`${API}/cases/${c.id}`).set(bearer(users.inspector)).send({ title: '定稿后改标题', version: 3 }).expect(409);
      expect(frozen.body.details).toMatchObject({ currentStatus: 'final' });
    });

    it('audits every create, edit and read, with who did it', async () => {
      const c = await createCase({ flagIds: [confirmed.id], title: '审计测试案例标题' });
      await t.http.get(`${API}/cases/${c.id}`).set(bearer(users.inspector)).expect(200);
      const rows = await selectRows<{ action: string; actor_id: number | string }>(t.db, `SELECT action, actor_id FROM audit_log WHERE entity_type = 'case' AND entity_id = ? ORDER BY id`, [String(c.id)]);
      expect(rows.map((r) => [r.action, Number(r.actor_id)])).toEqual([
        ['case.create', users.inspector.id],
        ['case.read', users.inspector.id],
      ]);
      const verify = await t.http.get(`${API}/audit/verify`).set(bearer(users.admin)).expect(200);
      expect(verify.body.ok).toBe(true);
    });
  });

  describe('bulletins', () => {
    const name = '李明华';
    let titles: string[];

    beforeAll(async () => {
      const first = await createCase({
        flagIds: [confirmed.id],
        title: `蒙自市教育局${name}随意要求街道每日报送，加重基层负担`,
        persons: [{ post: '蒙自市教育局副局长', name }, { post: '办公室主任' }],
      });
      await finalise(first, {
        facts: `2026年9月，${name}签发通知，要求各街道每日报送安全巡查情况，并在工作群内反复催报。`,
        handlingNote: `责令${name}作出书面检查`,
        handlingOn: '2026-11-03',
      });
      const second = await createCase({ flagIds: [confirmed.id], title: '蒙自市教育局编造整改台账应付检查', category: '弄虚作假' });
      await finalise(second, { handlingType: '党内警告', handlingOn: '2026-11-10' });
      // A draft and a case handled outside the period stay out.
      await createCase({ flagIds: [confirmed.id], title: '尚未定稿的案例不进通报' });
      const late = await createCase({ flagIds: [confirmed.id], title: '期外处理的案例不进通报' });
      await finalise(late, { handlingOn: '2026-12-15' });
      titles = [`蒙自市教育局${name}随意要求街道每日报送，加重基层负担`, '蒙自市教育局编造整改台账应付检查'];
    });

    it('JSON: header, document number, numbered items with facts, provision and handling, figures and a closing', async () => {
      const res = await t.http.get(`${API}/case-reports?from=2026-11-01&to=2026-11-30`).set(bearer(users.inspector)).expect(200);
      const b = res.body as Record<string, unknown> & { items: { heading: string; paragraphs: string[]; title: string }[]; figures: Record<string, unknown> };
      expect(b).toMatchObject({
        docNo: '蒙自减负办通〔2026〕1号',
        title: '关于2起整治形式主义为基层减负典型问题的通报',
        issuingBodies: ['蒙自市整治形式主义为基层减负专项工作机制办公室', '中共蒙自市纪律检查委员会办公室'],
        anonymised: false,
      });
      expect(b.items.map((i) => i.title)).toEqual(titles);
      expect(b.items[0].heading).toBe(`一、${titles[0]}`);
      expect(b.items[1].heading).toBe(`二、${titles[1]}`);
      expect(b.items[0].paragraphs[0]).toContain('涉及向基层下达事项1项，涉及基层单位1个，折合基层工作量约');
      expect(b.items[0].paragraphs[1]).toBe('上述问题违反了《整治形式主义为基层减负若干规定》第十条的规定。');
      expect(b.items[0].paragraphs[2]).toBe(`2026年11月3日，蒙自市教育局副局长${name}、办公室主任受到通报批评处理。责令${name}作出书面检查。`);
      expect(b.items[1].paragraphs[2]).toBe('2026年11月10日，有关责任单位和责任人受到党内警告处理。');
      expect(b.figures).toMatchObject({ cases: 2, byCategory: [{ category: '多头填报、重复报表', cases: 1 }, { category: '弄虚作假', cases: 1 }], issuers: 1, affectedUnits: 1 });
      expect(b.closing).toContain('以案为鉴');
      // The same period keeps its number; another period takes the next one.
      const again = await t.http.get(`${API}/case-reports?from=2026-11-01&to=2026-11-30`).set(bearer(users.inspector)).expect(200);
      expect(again.body.docNo).toBe('蒙自减负办通〔2026〕1号');
      const other = await t.http.get(`${API}/case-reports?from=2026-10-01&to=2026-12-31`).set(bearer(users.inspector)).expect(200);
      expect(other.body).toMatchObject({ docNo: '蒙自减负办通〔2026〕2号', title: '关于4起整治形式主义为基层减负典型问题的通报' });
    });

    it('another county’s inspector gets its own bulletin, without these cases', async () => {
      const res = await t.http.get(`${API}/case-reports?from=2026-11-01&to=2026-11-30`).set(bearer(users.gejiuInspector)).expect(200);
      const b = res.body as { docNo: string; items: unknown[] };
      expect(b).toMatchObject({ docNo: '个旧减负办通〔2026〕1号', items: [] });
    });

    it('Markdown and printable HTML carry every title; the DOCX opens and its document XML holds each title in the official fonts', async () => {
      const md = (await download(`${API}/case-reports?from=2026-11-01&to=2026-11-30&format=md`, users.inspector).expect(200)).body as Buffer;
      const html = await download(`${API}/case-reports?from=2026-11-01&to=2026-11-30&format=html`, users.inspector).expect(200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect((html.body as Buffer).toString('utf8')).toContain('size: A4');
      const docx = await download(`${API}/case-reports?from=2026-11-01&to=2026-11-30&format=docx`, users.inspector).expect(200);
      expect(docx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
      expect(docx.headers['content-disposition']).toContain("filename*=UTF-8''");
      const xml = readZipEntry(docx.body as Buffer, 'word/document.xml');
      for (const title of titles) {
        expect(md.toString('utf8')).toContain(title);
        expect((html.body as Buffer).toString('utf8')).toContain(title);
        expect(xml).toContain(title);
      }
      expect(xml).toContain('仿宋_GB2312');
      expect(xml).toContain('方正小标宋简体');
      expect(xml).toContain('蒙自减负办通〔2026〕1号');
    });

    it('anonymise=true leaves the name in no format, the facts and the handling note included', async () => {
      const base = `${API}/case-reports?from=2026-11-01&to=2026-11-30&anonymise=true`;
      for (const format of ['json', 'md', 'html']) {
        const res = await download(`${base}&format=${format}`, users.inspector).expect(200);
        const text = (res.body as Buffer).toString('utf8');
        expect(text).not.toContain(name);
        expect(text).toContain('蒙自市教育局副局长签发通知');
      }
      const docx = await download(`${base}&format=docx`, users.inspector).expect(200);
      const xml = readZipEntry(docx.body as Buffer, 'word/document.xml');
      expect(xml).not.toContain(name);
      expect(xml).toContain('蒙自市教育局副局长签发通知');
      // Without anonymise the name is there: the check above can fail.
      const named = await download(`${API}/case-reports?from=2026-11-01&to=2026-11-30&format=docx`, users.inspector).expect(200);
      expect(readZipEntry(named.body as Buffer, 'word/document.xml')).toContain(name);
    });

    it('the CLI writes the same bulletin for an inspector, and refuses anyone else', async () => {
      const command = new BulletinCommand(t.app.get(CaseRepository), t.app.get(UserRepository), t.app.get(TransactionRunner), t.app.get(AuditService));
      const dir = mkdtempSync(join(tmpdir(), 'bulletin-cli-'));
      const run = async (options: Record<string, unknown>) => {
        const out: string[] = [];
        const err: string[] = [];
        const o = jest.spyOn(process.stdout, 'write').mockImplementation((x) => (out.push(String(x)), true));
        const e = jest.spyOn(process.stderr, 'write').mockImplementation((x) => (err.push(String(x)), true));
        process.exitCode = undefined;
        try {
          await command.run([], options);
        } finally {
          o.mockRestore();
          e.mockRestore();
        }
        const code = process.exitCode;
        process.exitCode = undefined;
        return { out: out.join(''), err: err.join(''), code };
      };
      try {
        const file = join(dir, 'bulletin.docx');
        const ok = await run({ from: '2026-11-01', to: '2026-11-30', as: users.inspector.username, anonymise: true, out: file });
        expect(ok.code).toBeUndefined();
        expect(JSON.parse(ok.out)).toMatchObject({ file, docNo: '蒙自减负办通〔2026〕1号', cases: 2 });
        const xml = readZipEntry(readFileSync(file), 'word/document.xml');
        for (const title of titles) expect(xml).toContain(title.replace(name, '蒙自市教育局副局长'));
        expect(xml).not.toContain(name);
        const refused = await run({ from: '2026-11-01', to: '2026-11-30', as: users.coordinator.username, out: join(dir, 'x.docx') });
        expect(refused).toMatchObject({ code: 2, err: `as: ${users.coordinator.username} is coordinator; only inspectors pull bulletins\n` });
        const badDay = await run({ from: '2026-11-31', to: '2026-11-30', as: users.inspector.username });
        expect(badDay).toMatchObject({ code: 2, err: 'from: 2026-11-31 is not a calendar date YYYY-MM-DD\n' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    });

    it('rejects a bad period and unknown parameters', async () => {
      await t.http.get(`${API}/case-reports?from=2026-11-30&to=2026-11-01`).set(bearer(users.inspector)).expect(422);
      await t.http.get(`${API}/case-reports?from=2026-02-30&to=2026-03-01`).set(bearer(users.inspector)).expect(400);
      await t.http.get(`${API}/case-reports?from=2026-11-01`).set(bearer(users.inspector)).expect(400);
      await t.http.get(`${API}/case-reports?from=2026-11-01&to=2026-11-30&format=pdf`).set(bearer(users.inspector)).expect(400);
      await t.http.get(`${API}/case-reports?from=2026-11-01&to=2026-11-30&x=1`).set(bearer(users.inspector)).expect(400);
    });

    it('every pull is audited with the cases it took', async () => {
      const rows = await selectRows<{ after: string; actor_id: number | string }>(t.db, `SELECT after_json AS after, actor_id FROM audit_log WHERE action = 'case-report.read' ORDER BY id`);
      expect(rows.length).toBeGreaterThanOrEqual(8);
      const first = JSON.parse(rows[0].after) as { docNo: string; caseIds: number[]; format: string };
      expect(first).toMatchObject({ docNo: '蒙自减负办通〔2026〕1号', format: 'json' });
      expect(first.caseIds).toHaveLength(2);
    });
  });

  describe('a large bulletin runs as a job', () => {
    it('answers 202 with a job; the starter downloads the DOCX, nobody else does', async () => {
      // 51 final cases handled on one day of another year.
      for (let i = 0; i < 51; i++) {
        const c = await createCase({ flagIds: [confirmed.id], title: `批量案例第${i + 1}号：蒙自市教育局每日报表` });
        await finalise(c, { handlingOn: '2025-06-30' });
      }
      const res = await t.http.get(`${API}/case-reports?from=2025-06-01&to=2025-06-30&format=docx`).set(bearer(users.inspector)).expect(202);
      const jobId = res.body.jobId as number;
      let job: { status: string; result?: { download: string; cases: number; docNo: string }; error?: unknown } = { status: 'queued' };
      for (let i = 0; i < 600 && (job.status === 'queued' || job.status === 'running'); i++) {
        await new Promise((r) => setTimeout(r, 50));
        job = (await t.http.get(`${API}/jobs/${jobId}`).set(bearer(users.inspector)).expect(200)).body;
      }
      expect(job).toMatchObject({ status: 'succeeded', result: { cases: 51, docNo: '蒙自减负办通〔2025〕1号', download: `/api/v1/case-reports/outputs/${jobId}` } });
      const file = await download(`${API}/case-reports/outputs/${jobId}`, users.inspector).expect(200);
      const xml = readZipEntry(file.body as Buffer, 'word/document.xml');
      expect(xml).toContain('批量案例第51号');
      expect(xml).toContain('五十一、');
      await t.http.get(`${API}/case-reports/outputs/${jobId}`).set(bearer(users.gejiuInspector)).expect(404);
      await t.http.get(`${API}/case-reports/outputs/${jobId}`).set(bearer(users.admin)).expect(403);

      // A week later the rendered file is purged (the cases and the audit entry of the pull stay).
      const janitor = t.app.get(CaseReportOutputsJanitor);
      expect(await janitor.purge(Date.now() + 6 * 24 * 3600_000)).toBe(0);
      await download(`${API}/case-reports/outputs/${jobId}`, users.inspector).expect(200);
      expect(await janitor.purge(Date.now() + 8 * 24 * 3600_000)).toBe(1);
      await t.http.get(`${API}/case-reports/outputs/${jobId}`).set(bearer(users.inspector)).expect(404);
    }, 120_000);
  });
});
