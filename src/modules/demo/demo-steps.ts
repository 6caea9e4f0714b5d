import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Actor } from '@/common/auth/actor';
import { DomainEvents } from '@/common/events/domain-events';
import { todayInChina } from '@/common/time';
import { AuditService } from '@/modules/audit/audit.service';
import { BurdenReportImportService } from '@/modules/burden-reports/burden-report-import.service';
import { MonitoringPointsService } from '@/modules/burden-reports/monitoring-points.service';
import { ObjectionsService } from '@/modules/burden-reports/objections.service';
import { CasesService } from '@/modules/cases/cases.service';
import { DemandsService } from '@/modules/demands/demands.service';
import { DutiesService } from '@/modules/duties/duties.service';
import { FlagEvaluation } from '@/modules/flags/flag-evaluation';
import { FlagsService } from '@/modules/flags/flags.service';
import { latestPolicy } from '@/modules/flags/flags-evaluate.job';
import { actorOf, IdentityService } from '@/modules/identity/identity.service';
import { UserRepository } from '@/modules/identity/user.repository';
import { recomputeRollups } from '@/modules/metrics/metrics-recompute.job';
import { InspectionPlansService } from '@/modules/inspection-plans/inspection-plans.service';
import { importDemandFile } from '@/modules/operations/demand-file-import';
import { OrgUnitImportService } from '@/modules/org-units/org-unit-import.service';
import { DEMO_ACCOUNTS, DEMO_COUNTY, DEMO_TOWNSHIP, DEMO_VILLAGE } from './demo-accounts';
import type { DemoContext, DemoStep } from './demo-context';
import { routineReportsCsv } from './demo-reports';
import { dateOf, dayNumber } from './generator/calendar';
import { generate } from './generator/generate';
import { projectRoot } from './generator/paths';
import { DEMO_NEGATIVE_DUTY, DEMO_PLAN, SHOWCASE, SHOWCASE_OFFICES, SHOWCASE_REPORTS } from './showcase';

/** The divisions extract of the demo county (data/demo/README.md). */
export function demoDivisionsFile(): string {
  return join(projectRoot(), 'data', 'demo', 'mengzi-divisions.csv');
}

async function createUser(ctx: DemoContext, username: string, role: Actor['role'], unitCode: string | null, displayName: string): Promise<void> {
  const identity = ctx.get(IdentityService);
  const users = ctx.get(UserRepository);
  let id = await ctx.repo.usernameTaken(ctx.tx.reader, username);
  if (id === null) {
    const unitId = unitCode === null ? undefined : ((await ctx.repo.unitIdsByCode(ctx.tx.reader, [unitCode])).get(unitCode) ?? undefined);
    if (unitCode !== null && unitId === undefined) throw new Error(`demo: no org unit ${unitCode} for ${username}`);
    id = (await identity.createUser(null, { username, password: ctx.password, role, orgUnitId: unitId, displayName }, 'demo')).id;
    ctx.counts.users = (ctx.counts.users ?? 0) + 1;
  }
  const user = await users.findWithUnit(ctx.tx.reader, id);
  if (!user) throw new Error(`demo: user ${username} vanished`);
  ctx.actors.set(username, actorOf(user));
}

const adminStep: DemoStep = {
  name: 'admin',
  title: 'the administrator',
  // An admin made at boot from BURDEN_LEDGER_ADMIN_PASSWORD is kept as it is.
  run: (ctx) => createUser(ctx, 'admin', 'admin', null, '系统管理员'),
};

const orgUnitsAndDemandsFiles: DemoStep = {
  name: 'generate',
  title: 'a year of demands for 蒙自市 (deterministic generator, fixed seed)',
  run(ctx) {
    const summary = generate({ scale: 'county', county: DEMO_COUNTY, year: ctx.year, seed: ctx.seed, outDir: ctx.workDir, divisionsFile: demoDivisionsFile() });
    ctx.counts.generatedDemands = summary.demands.total;
    return Promise.resolve();
  },
};

const orgUnitsStep: DemoStep = {
  name: 'org-units',
  title: '云南省 › 红河州 › 蒙自市: townships, villages and county offices (org-unit import)',
  async run(ctx) {
    const file = join(ctx.workDir, 'org-units.csv');
    const result = await ctx.get(OrgUnitImportService).import(ctx.actor('admin'), readFileSync(file), 'org-units.csv');
    ctx.counts.orgUnits = result.imported;
  },
};

const usersStep: DemoStep = {
  name: 'users',
  title: 'demo users for every role',
  async run(ctx) {
    for (const a of DEMO_ACCOUNTS) if (a.role !== 'admin') await createUser(ctx, a.username, a.role, a.unitCode, a.displayName);
    for (const [username, code] of Object.entries(SHOWCASE_OFFICES)) await createUser(ctx, username, 'issuer', code, code);
  },
};

const dutiesAndPlanStep: DemoStep = {
  name: 'duties-and-plan',
  title: 'a village negative-list entry and an approved inspection plan',
  async run(ctx) {
    await ctx.get(DutiesService).createDuty(ctx.actor('admin'), DEMO_NEGATIVE_DUTY);
    const plans = ctx.get(InspectionPlansService);
    const plan = await plans.create(ctx.actor(DEMO_PLAN.by), { year: ctx.year, title: DEMO_PLAN.title, items: DEMO_PLAN.items });
    await plans.submit(ctx.actor(DEMO_PLAN.by), plan.id);
    await plans.approve(ctx.actor('mengzi.coordinator'), plan.id);
    ctx.counts.planId = plan.id;
  },
};

const yearDemandsStep: DemoStep = {
  name: 'demands',
  title: 'the generated year of demands (demand import, as the county coordinator)',
  async run(ctx) {
    const bytes = readFileSync(join(ctx.workDir, 'demands.csv'));
    const deps = { tx: ctx.tx, events: ctx.get(DomainEvents) };
    const result = await importDemandFile(deps, ctx.actor('mengzi.coordinator'), bytes, 'demands.csv', (done, total, message) => ctx.progress(done, total, message));
    ctx.counts.importedDemands = result.imported;
    ctx.counts.demandTargets = result.targets;
  },
};

const showcaseStep: DemoStep = {
  name: 'showcase',
  title: 'the showcase demands, one per pattern (through DemandsService)',
  async run(ctx) {
    const demands = ctx.get(DemandsService);
    const plan = await ctx.get(InspectionPlansService).get(ctx.actor(DEMO_PLAN.by), ctx.counts.planId);
    const codes = new Set<string>();
    for (const s of SHOWCASE) {
      for (const c of s.targetCodes ?? []) codes.add(c);
      if (s.targetScope) codes.add(s.targetScope.underCode);
    }
    const ids = await ctx.repo.unitIdsByCode(ctx.tx.reader, [...codes]);
    for (const [i, s] of SHOWCASE.entries()) {
      ctx.progress(i, SHOWCASE.length, s.key);
      const planItemId = s.planItemKey === undefined ? undefined : plan.items.find((it) => it.itemKey === s.planItemKey)?.id;
      const created = await demands.create(ctx.actor(s.by), {
        ...s.body,
        targetUnitIds: s.targetCodes?.map((c) => ids.get(c)!),
        targetScopes: s.targetScope ? [{ underId: ids.get(s.targetScope.underCode)!, level: s.targetScope.level }] : undefined,
        parentDemandId: s.parentKey === undefined ? undefined : ctx.showcase.get(s.parentKey)!.id,
        planItemId,
      });
      ctx.showcase.set(s.key, { id: created.id, registrationNo: created.registrationNo });
    }
  },
};

const reportsStep: DemoStep = {
  name: 'reports',
  title: 'monitoring points and a year of burden reports of 草坝镇 and its villages (report import), shadow demands included',
  async run(ctx) {
    const ids = await ctx.repo.unitIdsByCode(ctx.tx.reader, [DEMO_TOWNSHIP, DEMO_VILLAGE]);
    await ctx.get(MonitoringPointsService).designate(ctx.actor('mengzi.coordinator'), { unitIds: [...ids.values()], from: `${ctx.year}-01` });
    // Reports stop at the current month: the import refuses months still to come.
    const today = todayInChina();
    const lastMonth = today.slice(0, 4) > String(ctx.year) ? `${ctx.year}-12` : today.slice(0, 7);
    const unitCodes = await ctx.repo.subtreeAreaCodes(ctx.tx.reader, DEMO_TOWNSHIP);
    const cells = await ctx.repo.reportableCells(ctx.tx.reader, unitCodes, `${ctx.year}-01`, lastMonth);
    const showcase = SHOWCASE_REPORTS.filter((r) => r.month <= lastMonth);
    const csv = routineReportsCsv(cells, showcase, (key) => ctx.showcase.get(key)!.registrationNo, ctx.seed);
    const result = await ctx.get(BurdenReportImportService).import(ctx.actor('caoba.reporter'), Buffer.from(csv, 'utf8'), 'caoba-2026.csv');
    ctx.counts.burdenReports = result.imported;
  },
};

const objectionsStep: DemoStep = {
  name: 'objections',
  title: 'objections of 明白村委会',
  async run(ctx) {
    const objections = ctx.get(ObjectionsService);
    const village = ctx.actor('mingbai.reporter');
    await objections.create(village, ctx.showcase.get('objected')!.id, { reason: '“示范村”创建不属于村级组织职责，且未列入上级创建示范活动清单，要求村里准备台账、展板和汇报材料。' });
    await objections.create(village, ctx.showcase.get('negative-list')!.id, {
      reason: '食品经营户执法检查属于市场监管部门的行政执法职责，已列入村级组织工作事务负面清单，村委会无执法权。',
    });
    ctx.counts.objections = 2;
  },
};

const evaluateStep: DemoStep = {
  name: 'evaluate',
  title: 'every rule over the year, then the rollup rebuild (as `npm run cli -- evaluate`)',
  async run(ctx) {
    const audit = ctx.get(AuditService);
    const progress = (done: number, total: number | null, message?: string) => ctx.progress(done, total ?? 100, message ?? '');
    const evaluation = new FlagEvaluation({ tx: ctx.tx, audit, actor: null, policy: await latestPolicy(ctx.tx), events: ctx.get(DomainEvents), progress });
    const result = await evaluation.run(String(ctx.year));
    // As the evaluate command does: the rollups follow the findings, from the first month they touch.
    await recomputeRollups({ period: null, fromMonth: result.rollupsFromMonth }, { tx: ctx.tx, audit, actor: null, progress });
    ctx.counts.flagsRaised = result.counts.raised;
  },
};

/** Reviews carried through by the coordinator (and the issuer's rectification), by showcase key and rule. */
const REVIEWS: readonly { key: string; rule: string; path: ('under_review' | 'confirmed' | 'dismissed' | 'rectifying' | 'rectified' | 'verified')[]; comment: string; issuer?: string }[] = [
  { key: 'escalation-child', rule: 'ESCALATION', path: ['under_review', 'confirmed', 'rectifying', 'rectified', 'verified'], comment: '草坝镇在转发时擅自增加报送项目、将周报改为日报并压缩时限，属层层加码。', issuer: 'caoba.issuer' },
  { key: 'clock-in', rule: 'DIGITAL_FORMALISM', path: ['under_review', 'confirmed', 'rectifying', 'rectified'], comment: '以APP打卡、积分排名考核村干部，属指尖上的形式主义。', issuer: 'mengzi.zzb' },
  { key: 'forms-again', rule: 'DUPLICATE_DATA_REQUEST', path: ['under_review', 'confirmed', 'rectifying'], comment: '统计表所列户籍人口、耕地面积等数据已由应急管理局于6月初收集，应共享使用。' },
  { key: 'inspection-split-2', rule: 'SPLIT_INSPECTION', path: ['under_review', 'confirmed'], comment: '计划内一次检查拆分为两轮实施。' },
  { key: 'negative-list', rule: 'OUT_OF_SCOPE', path: ['under_review', 'confirmed'], comment: '将行政执法检查转嫁给村（社区），违反村级组织工作事务负面清单。' },
  { key: 'inspection-stacked', rule: 'DUPLICATE_INSPECTION', path: ['under_review'], comment: '' },
  { key: 'long-document', rule: 'DOCUMENT_TOO_LONG', path: ['under_review', 'dismissed'], comment: '经核实为年度综合性实施方案，已按程序报批，不予认定。' },
];

const RECTIFY_NOTES: Record<string, string> = {
  'escalation-child': '已撤回日报要求，恢复按周报送，删除新增项目。',
  'clock-in': '已取消打卡积分排名通报，不再以学习时长考核。',
};

const reviewStep: DemoStep = {
  name: 'review',
  title: 'the review of some flags: confirmed, rectification ordered, rectified, verified, one dismissed',
  async run(ctx) {
    const flags = ctx.get(FlagsService);
    const coordinator = ctx.actor('mengzi.coordinator');
    const dueOn = dateOf(dayNumber(todayInChina()) + 30);
    let moves = 0;
    for (const review of REVIEWS) {
      const demand = ctx.showcase.get(review.key)!;
      const found = (await ctx.repo.flagsOnDemand(ctx.tx.reader, demand.id)).find((f) => f.rule === review.rule && f.status === 'open');
      if (!found) throw new Error(`demo: no open ${review.rule} flag on showcase demand ${review.key}`);
      let version = found.version;
      for (const to of review.path) {
        const actor = to === 'rectified' ? ctx.actor(review.issuer!) : coordinator;
        const comment = to === 'rectified' ? RECTIFY_NOTES[review.key] : to === 'rectifying' ? `请于${dueOn}前完成整改。` : review.comment || undefined;
        const moved = await flags.transition(actor, found.id, { to, comment, version, dueOn: to === 'rectifying' ? dueOn : undefined });
        version = moved.version;
        moves++;
      }
    }
    ctx.counts.reviewMoves = moves;
  },
};

/**
 * Typical cases the county's inspector builds from confirmed flags: one final (so the year's
 * bulletin has an item, with a named person to show anonymisation), one still a draft.
 */
const casesStep: DemoStep = {
  name: 'cases',
  title: 'typical cases built from confirmed flags: one final (in the bulletin), one draft',
  async run(ctx) {
    const cases = ctx.get(CasesService);
    const inspector = ctx.actor('mengzi.inspector');
    const flagOf = async (key: string, rule: string): Promise<number> => {
      const demand = ctx.showcase.get(key)!;
      const flag = (await ctx.repo.flagsOnDemand(ctx.tx.reader, demand.id)).find((f) => f.rule === rule);
      if (!flag) throw new Error(`demo: no ${rule} flag on showcase demand ${key}`);
      return flag.id;
    };
    const today = todayInChina();
    const handlingOn = today.slice(0, 4) === String(ctx.year) ? today : `${ctx.year}-12-20`;
    const escalation = await cases.create(inspector, {
      flagIds: [await flagOf('escalation-child', 'ESCALATION')],
      title: '草坝镇转发市级报表时层层加码，将周报改为日报并压缩时限，加重村（社区）负担',
      persons: [{ post: '草坝镇党政办主任', name: '李某明' }],
      facts: '草坝镇在转发市级周报通知时，由李某明签发补充通知，擅自增加报送项目，将周报改为日报，并将报送时限压缩至当日下班前，各村（社区）干部连续多日加班填报。',
      provision: '《整治形式主义为基层减负若干规定》关于不得层层加码、随意要求基层填报报表的规定',
      handlingType: '批评教育',
      handlingOn,
      handlingNote: '责令草坝镇作出书面检查，撤回日报要求，恢复按周报送',
    });
    await cases.update(inspector, escalation.id, { status: 'final', version: escalation.version });
    await cases.create(inspector, {
      flagIds: [await flagOf('clock-in', 'DIGITAL_FORMALISM')],
      title: '以APP打卡、积分排名考核村干部，搞指尖上的形式主义',
      facts: '（调查中）',
    });
    ctx.counts.cases = 2;
  },
};

/** The demo, step by step, in order. */
export const DEMO_STEPS: readonly DemoStep[] = [
  orgUnitsAndDemandsFiles,
  adminStep,
  orgUnitsStep,
  usersStep,
  dutiesAndPlanStep,
  yearDemandsStep,
  showcaseStep,
  reportsStep,
  objectionsStep,
  evaluateStep,
  reviewStep,
  casesStep,
];
