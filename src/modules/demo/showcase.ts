import type { Level } from '@/common/auth/actor';
import type { CreateDemandDto } from '@/modules/demands/dto/demand.dto';
import type { RuleCode } from '@/modules/flags/rules';
import { DEMO_TOWNSHIP, DEMO_VILLAGE } from './demo-accounts';

/**
 * The showcase: one named demand per pattern the demo is there to show, registered through the
 * real DemandsService on top of the generated year (which plants the same patterns by the
 * hundred, anonymously). Each names the rule it must raise; the demo test asserts it does, and
 * data/demo/README.md tells the story of each. Targets are written as codes and resolved at load.
 */
export interface ShowcaseDemand {
  key: string;
  /** What the pattern is, as the README lists it. */
  pattern: string;
  /** The rule that must fire on this demand; null for a demand that sets the scene for the next one. */
  rule: RuleCode | null;
  /** A rule that must not fire on it (a planned inspection is not UNPLANNED_INSPECTION). */
  notRule?: RuleCode;
  /** The demo user who registers it (DEMO_ACCOUNTS). */
  by: string;
  /** The showcase demand this one passes on (ESCALATION), by key. */
  parentKey?: string;
  /** The plan item it carries out (SPLIT_INSPECTION), by item key of the demo plan. */
  planItemKey?: string;
  targetCodes?: string[];
  targetScope?: { underCode: string; level: Level };
  body: Omit<CreateDemandDto, 'targetUnitIds' | 'targetScopes' | 'parentDemandId' | 'planItemId'>;
}

const CAOBA = DEMO_TOWNSHIP;
const ZHICUN = '532503105';

/** The approved 2026 inspection plan of 蒙自市应急管理局 (its items let some inspections be planned). */
export const DEMO_PLAN = {
  by: 'mengzi.yjj',
  title: '蒙自市应急管理局2026年度督查检查考核计划',
  items: [
    { itemKey: 'flood-season', title: '汛期安全生产检查', topic: 'work_safety', targetLevel: 'township' as Level, plannedMonth: '2026-05', onSiteDays: 1, visits: 1 },
    { itemKey: 'national-day', title: '国庆节前安全生产检查', topic: 'work_safety', targetLevel: 'township' as Level, plannedMonth: '2026-09', onSiteDays: 1, visits: 1 },
  ],
};

/** The village negative-list entry the OUT_OF_SCOPE showcase runs into (entered by admin). */
export const DEMO_NEGATIVE_DUTY = {
  level: 'village' as Level,
  topic: 'market_regulation',
  category: 'negative' as const,
  title: '市场监管行政执法检查（村级组织无行政执法权，不得转嫁）',
  basis: '《蒙自市村级组织工作事务负面清单》（示例）',
};

export const SHOWCASE: readonly ShowcaseDemand[] = [
  {
    key: 'forms-first',
    pattern: 'overlapping report forms: the earlier form (with photos as proof of work)',
    rule: 'EXCESSIVE_TRACE',
    by: 'mengzi.yjj',
    targetCodes: [CAOBA, ZHICUN],
    body: {
      kind: 'report',
      title: '关于报送2026年防汛抗旱基础数据的通知',
      topic: 'emergency',
      basis: '蒙应急发〔2026〕31号',
      issuedOn: '2026-06-01',
      dueOn: '2026-06-10',
      fields: ['户籍人口（人）', '常住人口（人）', '脱贫户数', '耕地面积（亩）', '地质灾害隐患点数'],
      requiresTrace: ['photos'],
    },
  },
  {
    key: 'forms-again',
    pattern: 'overlapping report forms: the same data asked again by another office two weeks later',
    rule: 'DUPLICATE_DATA_REQUEST',
    by: 'mengzi.tjj',
    targetCodes: [CAOBA, ZHICUN],
    body: {
      kind: 'report',
      title: '关于报送2026年乡镇基本情况统计表的通知',
      topic: 'statistics',
      basis: '蒙统发〔2026〕18号',
      issuedOn: '2026-06-15',
      dueOn: '2026-06-26',
      fields: ['户籍人口数', '常住人口', '脱贫户', '耕地面积', '外出务工人数'],
    },
  },
  {
    key: 'inspection-planned',
    pattern: 'stacked inspections: the planned one',
    rule: null,
    notRule: 'UNPLANNED_INSPECTION',
    by: 'mengzi.yjj',
    planItemKey: 'national-day',
    targetCodes: [CAOBA],
    body: { kind: 'inspection', title: '国庆节前安全生产检查', topic: 'work_safety', issuedOn: '2026-09-14', startsOn: '2026-09-22', onSiteDays: 1 },
  },
  {
    key: 'inspection-stacked',
    pattern: 'inspections stacked in the same week: another office, same township, same topic, two days later',
    rule: 'DUPLICATE_INSPECTION',
    by: 'mengzi.zjj',
    targetCodes: [CAOBA],
    body: { kind: 'inspection', title: '国庆节前城镇燃气和建筑施工安全检查', topic: 'work_safety', issuedOn: '2026-09-15', startsOn: '2026-09-24', onSiteDays: 1 },
  },
  {
    key: 'inspection-split-1',
    pattern: 'a planned inspection (one visit) …',
    rule: null,
    notRule: 'UNPLANNED_INSPECTION',
    by: 'mengzi.yjj',
    planItemKey: 'flood-season',
    targetCodes: [ZHICUN],
    body: { kind: 'inspection', title: '汛期安全生产检查（第一轮）', topic: 'work_safety', issuedOn: '2026-05-11', startsOn: '2026-05-19', onSiteDays: 1 },
  },
  {
    key: 'inspection-split-2',
    pattern: '… carried out twice on the same township (拆包分包)',
    rule: 'SPLIT_INSPECTION',
    by: 'mengzi.yjj',
    planItemKey: 'flood-season',
    targetCodes: [ZHICUN],
    body: { kind: 'inspection', title: '汛期安全生产检查（第二轮）', topic: 'work_safety', issuedOn: '2026-07-06', startsOn: '2026-07-14', onSiteDays: 1 },
  },
  {
    key: 'meeting-long',
    pattern: 'a meeting far too long: a whole day of deployment',
    rule: 'MEETING_OVERLOAD',
    by: 'mengzi.zfb',
    targetScope: { underCode: '532503', level: 'township' },
    body: {
      kind: 'meeting',
      title: '全市安全生产和森林防灭火工作部署会',
      topic: 'work_safety',
      issuedOn: '2026-03-02',
      startsOn: '2026-03-05',
      durationMinutes: 420,
      attendeesPerTarget: 2,
    },
  },
  {
    key: 'deadline-holiday',
    pattern: 'a rushed deadline across the National Day holiday: issued 30 September, due 9 October (2 working days)',
    rule: 'SHORT_DEADLINE',
    by: 'mengzi.mzj',
    targetScope: { underCode: '532503', level: 'township' },
    body: {
      kind: 'report',
      title: '关于报送2026年第三季度困难群众救助情况的紧急通知',
      topic: 'civil_affairs',
      issuedOn: '2026-09-30',
      dueOn: '2026-10-09',
      fields: ['低保对象人数', '特困供养人数', '临时救助人次', '救助资金（万元）'],
    },
  },
  {
    key: 'escalation-parent',
    pattern: 'a weekly form from the county …',
    rule: 'FREQUENT_REPORT',
    by: 'mengzi.yjj',
    targetScope: { underCode: '532503', level: 'township' },
    body: {
      kind: 'report',
      title: '关于按周报送燃气安全隐患排查整治情况的通知',
      topic: 'work_safety',
      basis: '蒙应急发〔2026〕12号',
      issuedOn: '2026-04-01',
      dueOn: '2026-04-10',
      recurrence: 'weekly',
      until: '2026-06-30',
      fields: ['排查燃气用户数', '发现隐患数', '整改隐患数'],
    },
  },
  {
    key: 'escalation-child',
    pattern: '… passed down by the township to its villages with added fields, daily instead of weekly, and one day to answer',
    rule: 'ESCALATION',
    by: 'caoba.issuer',
    parentKey: 'escalation-parent',
    targetScope: { underCode: CAOBA, level: 'village' },
    body: {
      kind: 'report',
      title: '关于每日报送燃气安全隐患排查整治情况的通知',
      topic: 'work_safety',
      issuedOn: '2026-04-02',
      dueOn: '2026-04-03',
      recurrence: 'daily',
      until: '2026-06-30',
      fields: ['排查燃气用户数', '发现隐患数', '整改隐患数', '入户宣传次数', '上传现场照片张数'],
      requiresTrace: ['photos'],
    },
  },
  {
    key: 'negative-list',
    pattern: 'a topic on the villages’ negative list: law enforcement pushed down to village committees',
    rule: 'OUT_OF_SCOPE',
    by: 'mengzi.scjgj',
    targetScope: { underCode: CAOBA, level: 'village' },
    body: {
      kind: 'report',
      title: '关于由村（社区）开展食品经营户执法检查并报送检查台账的通知',
      topic: 'market_regulation',
      issuedOn: '2026-08-03',
      dueOn: '2026-08-21',
      fields: ['检查食品经营户数', '发现问题数', '立案查处数'],
      requiresTrace: ['paper_ledgers'],
    },
  },
  {
    key: 'objected',
    pattern: 'the village objects to it (双向治理)',
    rule: 'OBJECTION',
    by: 'mengzi.scjgj',
    targetCodes: [DEMO_VILLAGE],
    body: {
      kind: 'other',
      subtype: 'campaign',
      title: '关于在村（社区）开展“食品安全示范村”创建活动的通知',
      topic: 'market_regulation',
      issuedOn: '2026-08-10',
      dueOn: '2026-09-30',
    },
  },
  {
    key: 'clock-in',
    pattern: 'an app task with daily clock-ins, rankings and online time',
    rule: 'DIGITAL_FORMALISM',
    by: 'mengzi.zzb',
    targetScope: { underCode: CAOBA, level: 'village' },
    body: {
      kind: 'other',
      subtype: 'app_task',
      title: '“云岭先锋”APP每日学习打卡及积分排名通报',
      topic: 'party_building',
      issuedOn: '2026-03-02',
      startsOn: '2026-03-02',
      recurrence: 'daily',
      until: '2026-12-31',
      appRequirements: ['clock_in', 'usage_ranking', 'online_time'],
    },
  },
  {
    key: 'letter',
    pattern: 'a responsibility letter outside the whitelist',
    rule: 'VETO_OR_LETTER',
    by: 'mengzi.zfw',
    targetScope: { underCode: '532503', level: 'township' },
    body: { kind: 'other', subtype: 'responsibility_letter', title: '2026年度平安建设目标责任书', topic: 'social_stability', issuedOn: '2026-02-24', dueOn: '2026-03-06' },
  },
  {
    key: 'long-document',
    pattern: 'a document of 8,600 characters',
    rule: 'DOCUMENT_TOO_LONG',
    by: 'mengzi.zfb',
    targetScope: { underCode: '532503', level: 'township' },
    body: { kind: 'document', title: '蒙自市2026年基层治理重点工作实施方案', topic: 'other', issuedOn: '2026-02-27', charCount: 8600, special: false },
  },
];

/** Showcase issuers that are offices without a demo login: registered as users named here. */
export const SHOWCASE_OFFICES: Readonly<Record<string, string>> = {
  'mengzi.zjj': '532503-ZJJ',
  'mengzi.zfb': '532503-ZFB',
  'mengzi.mzj': '532503-MZJ',
  'mengzi.scjgj': '532503-SCJGJ',
  'mengzi.zzb': '532503-ZZB',
  'mengzi.zfw': '532503-ZFW',
};

/** A burden report the demo files beyond the year's routine ones (by the township reporter). */
export interface ShowcaseReport {
  key: string;
  pattern: string;
  rule: RuleCode;
  unitCode: string;
  month: string;
  hoursSpent: number;
  /** A registered showcase demand, by key; absent for a shadow demand. */
  demandKey?: string;
  shadow?: { issuerName: string; kind: 'inspection' | 'report' | 'meeting' | 'document' | 'other'; title: string; receivedOn: string; channel: string };
  note: string;
}

export const SHOWCASE_REPORTS: readonly ShowcaseReport[] = [
  {
    key: 'shadow-wechat',
    pattern: 'a shadow demand: asked in a WeChat group, never registered',
    rule: 'HIDDEN_BURDEN',
    unitCode: CAOBA,
    month: '2026-07',
    hoursSpent: 16,
    shadow: { issuerName: '某市直部门工作人员', kind: 'report', title: '当天报送辖区养犬登记和犬只免疫情况', receivedOn: '2026-07-08', channel: 'wechat_group' },
    note: '微信群内要求当天下班前报送，未见正式通知',
  },
  {
    key: 'shadow-phone',
    pattern: 'a shadow demand by phone: a visit to prepare for',
    rule: 'HIDDEN_BURDEN',
    unitCode: DEMO_VILLAGE,
    month: '2026-09',
    hoursSpent: 12,
    shadow: { issuerName: '某州级部门', kind: 'inspection', title: '电话通知迎接“美丽乡村”创建调研并准备汇报材料', receivedOn: '2026-09-07', channel: 'phone' },
    note: '电话通知，需准备汇报材料和展板',
  },
  {
    key: 'hours-hidden',
    pattern: 'a form that cost three times its estimate',
    rule: 'HIDDEN_BURDEN',
    unitCode: CAOBA,
    month: '2026-06',
    hoursSpent: 30,
    demandKey: 'forms-again',
    note: '数据口径与6月初报送的防汛基础数据不一致，逐村重新核对',
  },
];
