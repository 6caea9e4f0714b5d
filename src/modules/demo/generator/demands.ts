import { addMonthsClamped, dateOf, dayNumber, HolidayBreak, YearCalendar } from './calendar';
import { areaShortName, DEFAULT_KIND_MIX, DemandKindName, DepartmentKind, SAFETY_INSPECTORS, SUBJECTS, wholeArea } from './catalogue';
import { AreaNode, descendantsAt, Level, LEVELS, levelRank } from './divisions';
import { Datum, FieldPool } from './fields';
import { Rng } from './prng';

/** The columns of data/templates/demands-import.csv, in order. */
export const DEMAND_COLUMNS = [
  'issuerCode',
  'kind',
  'subtype',
  'title',
  'topic',
  'basis',
  'issuedOn',
  'startsOn',
  'dueOn',
  'recurrence',
  'until',
  'targetCodes',
  'targetScopes',
  'estimatedHours',
  'fields',
  'durationMinutes',
  'attendeesPerTarget',
  'attendeeLevels',
  'onSiteDays',
  'jointWithCodes',
  'charCount',
  'special',
  'appRequirements',
  'requiresTrace',
] as const;
export type DemandColumn = (typeof DEMAND_COLUMNS)[number];
export type DemandRow = Record<DemandColumn, string>;

type Recurrence = 'once' | 'daily' | 'weekly' | 'monthly' | 'quarterly' | 'yearly';
type OtherSubtype = 'app_task' | 'certificate' | 'campaign' | 'responsibility_letter' | 'veto_item' | 'secondment';
const APP_REQUIREMENTS = ['clock_in', 'usage_ranking', 'online_time', 'forced_install', 'photo_upload', 'location_upload', 'instant_reply'] as const;

/** One issuing office: a department, or a township government issuing to its villages. */
export interface Issuer {
  code: string;
  name: string;
  /** The area whose subtree is the issuer's jurisdiction (a department's own area unit). */
  area: AreaNode;
  level: Level;
  /** Undefined for a township government. */
  department?: DepartmentKind;
  /** 蒙教 in 蒙教发〔2026〕12号. */
  docPrefix: string;
  /** Demands it issues in the year. */
  demands: number;
}

/** Which targets a demand names: every unit of a level under the issuer's area, or a few codes. */
interface Reach {
  mode: 'scope' | 'codes';
  /** Levels below the issuer: 1 = the next level down, 2 = two levels down. */
  down: 1 | 2;
  w: number;
  min?: number;
  max?: number;
}

/**
 * Target mixes per issuer level and kind. Tuned so that the province-year expands to ≈ 4.5 M
 * targets (DESIGN §6): most demands reach every unit one level down, a few reach two levels down
 * (every village of a county), the rest name a handful of units.
 */
const REACH: Record<'province' | 'prefecture' | 'county' | 'township', Record<DemandKindName, Reach[]>> = {
  county: {
    report: [
      { mode: 'scope', down: 1, w: 0.56 },
      { mode: 'codes', down: 1, w: 0.22, min: 1, max: 5 },
      { mode: 'scope', down: 2, w: 0.045 },
      { mode: 'codes', down: 2, w: 0.175, min: 1, max: 6 },
    ],
    meeting: [
      { mode: 'scope', down: 1, w: 0.83 },
      { mode: 'codes', down: 1, w: 0.13, min: 1, max: 4 },
      { mode: 'scope', down: 2, w: 0.04 },
    ],
    inspection: [
      { mode: 'scope', down: 1, w: 0.3 },
      { mode: 'codes', down: 1, w: 0.52, min: 1, max: 4 },
      { mode: 'codes', down: 2, w: 0.155, min: 1, max: 6 },
      { mode: 'scope', down: 2, w: 0.025 },
    ],
    document: [
      { mode: 'scope', down: 1, w: 0.81 },
      { mode: 'codes', down: 1, w: 0.15, min: 1, max: 5 },
      { mode: 'scope', down: 2, w: 0.04 },
    ],
    other: [
      { mode: 'scope', down: 1, w: 0.64 },
      { mode: 'codes', down: 1, w: 0.2, min: 1, max: 4 },
      { mode: 'scope', down: 2, w: 0.08 },
      { mode: 'codes', down: 2, w: 0.08, min: 1, max: 5 },
    ],
  },
  township: {
    report: [
      { mode: 'scope', down: 1, w: 0.7 },
      { mode: 'codes', down: 1, w: 0.3, min: 1, max: 4 },
    ],
    meeting: [
      { mode: 'scope', down: 1, w: 0.85 },
      { mode: 'codes', down: 1, w: 0.15, min: 1, max: 3 },
    ],
    inspection: [
      { mode: 'scope', down: 1, w: 0.4 },
      { mode: 'codes', down: 1, w: 0.6, min: 1, max: 3 },
    ],
    document: [
      { mode: 'scope', down: 1, w: 0.85 },
      { mode: 'codes', down: 1, w: 0.15, min: 1, max: 3 },
    ],
    other: [
      { mode: 'scope', down: 1, w: 0.75 },
      { mode: 'codes', down: 1, w: 0.25, min: 1, max: 3 },
    ],
  },
  prefecture: {
    report: [
      { mode: 'scope', down: 1, w: 0.55 },
      { mode: 'codes', down: 1, w: 0.15, min: 1, max: 3 },
      { mode: 'scope', down: 2, w: 0.22 },
      { mode: 'codes', down: 2, w: 0.08, min: 1, max: 6 },
    ],
    meeting: [
      { mode: 'scope', down: 1, w: 0.85 },
      { mode: 'scope', down: 2, w: 0.15 },
    ],
    inspection: [
      { mode: 'scope', down: 1, w: 0.35 },
      { mode: 'codes', down: 1, w: 0.45, min: 1, max: 3 },
      { mode: 'codes', down: 2, w: 0.2, min: 1, max: 5 },
    ],
    document: [
      { mode: 'scope', down: 1, w: 0.8 },
      { mode: 'scope', down: 2, w: 0.2 },
    ],
    other: [
      { mode: 'scope', down: 1, w: 0.7 },
      { mode: 'scope', down: 2, w: 0.2 },
      { mode: 'codes', down: 1, w: 0.1, min: 1, max: 3 },
    ],
  },
  province: {
    report: [
      { mode: 'scope', down: 1, w: 0.3 },
      { mode: 'scope', down: 2, w: 0.45 },
      { mode: 'codes', down: 2, w: 0.25, min: 1, max: 8 },
    ],
    meeting: [
      { mode: 'scope', down: 1, w: 0.6 },
      { mode: 'scope', down: 2, w: 0.4 },
    ],
    inspection: [
      { mode: 'codes', down: 1, w: 0.4, min: 1, max: 4 },
      { mode: 'codes', down: 2, w: 0.6, min: 1, max: 6 },
    ],
    document: [
      { mode: 'scope', down: 1, w: 0.6 },
      { mode: 'scope', down: 2, w: 0.4 },
    ],
    other: [
      { mode: 'scope', down: 1, w: 0.6 },
      { mode: 'scope', down: 2, w: 0.4 },
    ],
  },
};

const TOWNSHIP_KIND_MIX: Record<DemandKindName, number> = { report: 0.4, meeting: 0.3, document: 0.1, inspection: 0.08, other: 0.12 };
const TOWNSHIP_TOPICS = ['rural_revitalization', 'work_safety', 'party_building', 'social_stability', 'civil_affairs', 'ecology', 'agriculture', 'emergency', 'health', 'forestry', 'civilization', 'other'];

/** Demands issued per month (relative): quiet around 春节 and in summer, busy at year end. */
const MONTH_WEIGHTS = [0.9, 0.6, 1.05, 1.0, 0.95, 1.1, 0.9, 0.8, 1.0, 0.85, 1.1, 1.3];

const DURATIONS: Record<string, number> = { '60': 22, '90': 20, '120': 25, '150': 8, '180': 12, '240': 5, '300': 3, '360': 2, '420': 1, '480': 2 };
const SUBTYPES: Record<OtherSubtype, number> = { app_task: 30, campaign: 20, responsibility_letter: 18, certificate: 10, veto_item: 7, secondment: 15 };

/** What the generator knows it planted, so benchmarks of the rules can check their findings. */
export interface Planted {
  /** Reports re-asking (≥ 60 % of) the data of another issuer's report to the same targets within ±60 days. */
  echoReports: number;
  /** Reports recurring daily or weekly (FREQUENT_REPORT). */
  frequentReports: number;
  /** Demands with fewer than 3 working days between issue and due date (SHORT_DEADLINE). */
  shortDeadlines: number;
  /** …of which issued on the last working day before an official holiday break. */
  shortDeadlinesAcrossHolidays: number;
  /** Meetings longer than 240 minutes. */
  longMeetings: number;
  /** Meetings requiring attendees two levels below the issuer. */
  meetingsTwoLevelsDown: number;
  /** Meetings with more than 30 grassroots attendees in all (per target × targets). */
  meetingsOver30Attendees: number;
  /** Inspections landing in one of their area's stacked inspection weeks. */
  stackedInspections: number;
  /** Inspections naming other issuers inspecting in the same visit (jointWithCodes). */
  jointInspections: number;
  /** Documents over 5,000 characters (4,000 when special). */
  longDocuments: number;
  /** Demands asking for photos, screenshots, paper ledgers or videos. */
  excessiveTrace: number;
  /** App tasks with app requirements (clock-ins, rankings…). */
  digitalFormalism: number;
  /** Veto items and responsibility letters. */
  vetoOrLetter: number;
}

export function emptyPlanted(): Planted {
  return {
    echoReports: 0,
    frequentReports: 0,
    shortDeadlines: 0,
    shortDeadlinesAcrossHolidays: 0,
    longMeetings: 0,
    meetingsTwoLevelsDown: 0,
    meetingsOver30Attendees: 0,
    stackedInspections: 0,
    jointInspections: 0,
    longDocuments: 0,
    excessiveTrace: 0,
    digitalFormalism: 0,
    vetoOrLetter: 0,
  };
}

export interface Totals {
  demands: number;
  byKind: Record<DemandKindName, number>;
  byIssuerLevel: Record<string, number>;
  /** Expected targets by the level of the issuing office (township = township governments). */
  targetsByIssuerLevel: Record<string, number>;
  /** Distinct target units per demand, summed (what the import expands to). */
  targets: number;
  /** Landing dates per demand (recurrences expanded), summed. */
  occurrences: number;
  /** Σ targets × occurrences: the unit-occurrences the burden metrics add up. */
  targetOccurrences: number;
  reportFields: number;
  reports: number;
}

export function emptyTotals(): Totals {
  return {
    demands: 0,
    byKind: { report: 0, meeting: 0, document: 0, inspection: 0, other: 0 },
    byIssuerLevel: {},
    targetsByIssuerLevel: {},
    targets: 0,
    occurrences: 0,
    targetOccurrences: 0,
    reportFields: 0,
    reports: 0,
  };
}

/** A report remembered for re-asking: bounded per area, never the whole year. */
interface RecentReport {
  issuerCode: string;
  topic: string;
  subject: string;
  data: Datum[];
  targetCodes: string;
  targetScopes: string;
  targetCount: number;
  landing: number;
}

const RECENT_REPORTS = 40;
const ECHO_SHARE = 0.12;

/**
 * Everything shared while generating: calendar, field pool, per-area memories (bounded), the
 * lists of units under each area (cached), totals and planted counts.
 */
export class DemandContext {
  readonly totals = emptyTotals();
  readonly planted = emptyPlanted();
  private readonly unitLists = new Map<string, AreaNode[]>();
  private readonly recent = new Map<string, RecentReport[]>();
  private readonly stackedWeeks = new Map<string, number[][]>();
  private readonly basisCounters = new Map<string, number>();
  private readonly monthStarts: number[];

  constructor(
    readonly year: number,
    readonly calendar: YearCalendar,
    readonly fields: FieldPool,
    readonly topics: readonly string[],
  ) {
    this.monthStarts = Array.from({ length: 12 }, (_, m) => dayNumber(`${year}-${String(m + 1).padStart(2, '0')}-01`));
  }

  unitsUnder(area: AreaNode, level: Level): AreaNode[] {
    const key = `${area.code}|${level}`;
    let list = this.unitLists.get(key);
    if (!list) {
      list = descendantsAt(area, level);
      this.unitLists.set(key, list);
    }
    return list;
  }

  /** Forget an area's cached unit lists and memories once its demands are written. */
  release(area: AreaNode): void {
    for (const level of LEVELS) this.unitLists.delete(`${area.code}|${level}`);
    this.recent.delete(area.code);
    this.stackedWeeks.delete(area.code);
  }

  recentReports(area: AreaNode): RecentReport[] {
    let list = this.recent.get(area.code);
    if (!list) {
      list = [];
      this.recent.set(area.code, list);
    }
    return list;
  }

  /**
   * The weeks (working days) in which an area's offices stack their inspections: the week before
   * 春节, one week before the flood season (May–June) and the week before 国庆 (or January,
   * June and September when the year's holidays are unknown).
   */
  stacked(area: AreaNode, rng: Rng): number[][] {
    let weeks = this.stackedWeeks.get(area.code);
    if (weeks) return weeks;
    const cal = this.calendar;
    const before = (b: HolidayBreak | undefined, fallbackMonth: number): number[] => {
      const end = b ? b.lastWorkday : cal.workdaysByMonth[fallbackMonth][cal.workdaysByMonth[fallbackMonth].length - 1];
      const days: number[] = [];
      for (let d = end; days.length < 5 && d >= cal.first; d--) if (cal.isWorkday(d)) days.unshift(d);
      return days;
    };
    const springFestival = cal.breaks.find((b) => b.name === '春节');
    const nationalDay = cal.breaks.find((b) => b.name.includes('国庆'));
    const floodStart = cal.nextWorkday(dayNumber(`${this.year}-05-18`) + rng.int(0, 28));
    weeks = [before(springFestival, 0), cal.workdays.filter((d) => d >= floodStart).slice(0, 5), before(nationalDay, 8)].filter((w) => w.length > 0);
    this.stackedWeeks.set(area.code, weeks);
    return weeks;
  }

  /** The next document number of an office; gaps stand for the documents that are not demands. */
  nextBasisNumber(issuerCode: string): number {
    const n = (this.basisCounters.get(issuerCode) ?? 0) + 1 + (issuerCode.length % 3);
    this.basisCounters.set(issuerCode, n);
    return n;
  }

  /** A working day of the year, months weighted by MONTH_WEIGHTS. */
  issueDay(rng: Rng): number {
    const month = rng.weightedIndex(MONTH_WEIGHTS);
    const days = this.calendar.workdaysByMonth[month];
    return days.length > 0 ? rng.pick(days) : this.monthStarts[month];
  }
}

function blankRow(issuerCode: string, kind: DemandKindName): DemandRow {
  const row = {} as DemandRow;
  for (const c of DEMAND_COLUMNS) row[c] = '';
  row.issuerCode = issuerCode;
  row.kind = kind;
  row.recurrence = 'once';
  return row;
}

function hours(rng: Rng, min: number, max: number): string {
  const quarters = rng.int(Math.round(min * 4), Math.round(max * 4));
  return String(quarters / 4);
}

function levelBelow(level: Level, down: number): Level | undefined {
  return LEVELS[levelRank(level) + down];
}

/** Landing dates of a schedule (DESIGN §2 Occurrences), counted rather than listed. */
export function occurrenceCount(landing: string, recurrence: Recurrence, until: string): number {
  if (recurrence === 'once') return 1;
  const first = dayNumber(landing);
  const last = dayNumber(until);
  if (last < first) return 0;
  if (recurrence === 'daily') return last - first + 1;
  if (recurrence === 'weekly') return Math.floor((last - first) / 7) + 1;
  const step = recurrence === 'monthly' ? 1 : recurrence === 'quarterly' ? 3 : 12;
  let n = 0;
  while (dayNumber(addMonthsClamped(landing, step * n)) <= last) n++;
  return n;
}

/**
 * Generates the demands of one issuer. Rows are handed to `emit` one at a time and never kept;
 * the only memory carried across demands is the bounded list of recent reports per area.
 */
export function generateIssuerDemands(ctx: DemandContext, issuer: Issuer, peers: readonly Issuer[], rng: Rng, emit: (row: DemandRow) => void): void {
  const isTownship = issuer.department === undefined;
  const mix = isTownship ? TOWNSHIP_KIND_MIX : { ...DEFAULT_KIND_MIX, ...(issuer.department?.mix ?? {}) };
  for (let i = 0; i < issuer.demands; i++) {
    const kind = rng.weighted(mix);
    const topic = chooseTopic(ctx, issuer, rng);
    const row = blankRow(issuer.code, kind);
    row.topic = topic;
    let targets: { codes: string; scopes: string; count: number };
    let landing: string;
    switch (kind) {
      case 'report':
        ({ targets, landing } = report(ctx, issuer, rng, row));
        break;
      case 'meeting':
        ({ targets, landing } = meeting(ctx, issuer, rng, row));
        break;
      case 'inspection':
        ({ targets, landing } = inspection(ctx, issuer, peers, rng, row));
        break;
      case 'document':
        ({ targets, landing } = document(ctx, issuer, rng, row));
        break;
      case 'other':
        ({ targets, landing } = other(ctx, issuer, rng, row));
        break;
    }
    row.targetCodes = targets.codes;
    row.targetScopes = targets.scopes;
    if (row.basis === '' && !isTownship && rng.chance(0.6)) {
      row.basis = `${issuer.docPrefix}发〔${ctx.year}〕${ctx.nextBasisNumber(issuer.code)}号`;
    } else if (row.basis === '' && isTownship && rng.chance(0.25)) {
      row.basis = `${issuer.docPrefix}〔${ctx.year}〕${ctx.nextBasisNumber(issuer.code)}号`;
    }
    if (row.requiresTrace !== '') ctx.planted.excessiveTrace++;
    const occurrences = occurrenceCount(landing, row.recurrence as Recurrence, row.until === '' ? landing : row.until);
    const t = ctx.totals;
    t.demands++;
    t.byKind[kind]++;
    const level = isTownship ? 'township' : issuer.level;
    t.byIssuerLevel[level] = (t.byIssuerLevel[level] ?? 0) + 1;
    t.targetsByIssuerLevel[level] = (t.targetsByIssuerLevel[level] ?? 0) + targets.count;
    t.targets += targets.count;
    t.occurrences += occurrences;
    t.targetOccurrences += targets.count * occurrences;
    emit(row);
  }
}

function chooseTopic(ctx: DemandContext, issuer: Issuer, rng: Rng): string {
  if (!issuer.department) return rng.pick(TOWNSHIP_TOPICS);
  const topics = issuer.department.topics;
  const x = rng.next();
  if (x < 0.72 || topics.length === 1) return x < 0.9 ? topics[0] : rng.pick(ctx.topics);
  return x < 0.92 ? topics[1] : rng.pick(ctx.topics);
}

function subject(rng: Rng, topic: string): string {
  return rng.pick(SUBJECTS[topic] ?? SUBJECTS.other);
}

function pickTargets(ctx: DemandContext, issuer: Issuer, kind: DemandKindName, rng: Rng): { codes: string; scopes: string; count: number; down: number } {
  const table = REACH[issuer.department ? (issuer.level as 'province' | 'prefecture' | 'county') : 'township'][kind];
  const reach = table[rng.weightedIndex(table.map((r) => r.w))];
  let down: number = reach.down;
  const oneDown = levelBelow(issuer.level, 1);
  if (!oneDown) throw new Error(`${issuer.code} issues at the lowest level`);
  let level = levelBelow(issuer.level, down);
  // An area without units two levels down (a township's villages are one level down) falls back.
  if (!level || issuer.area.below[level] === 0) {
    down = 1;
    level = oneDown;
  }
  if (reach.mode === 'scope') {
    return { codes: '', scopes: `${issuer.area.code}:${level}`, count: issuer.area.below[level], down };
  }
  const units = ctx.unitsUnder(issuer.area, level);
  const chosen = rng.sample(units, rng.int(reach.min ?? 1, reach.max ?? 3));
  return { codes: chosen.map((u) => u.code).join(';'), scopes: '', count: chosen.length, down };
}

function attendeeLevels(issuer: Issuer, rng: Rng, down: number, planted: Planted): string {
  const one = levelBelow(issuer.level, 1);
  const two = levelBelow(issuer.level, 2);
  if (!one) return '';
  if (down === 2 && two) {
    planted.meetingsTwoLevelsDown++;
    return two;
  }
  const x = rng.next();
  if (x < 0.15 && two && issuer.area.below[two] > 0) {
    planted.meetingsTwoLevelsDown++;
    return `${one};${two}`;
  }
  return x < 0.85 ? one : '';
}

function shortDeadlineCheck(ctx: DemandContext, issued: number, due: number): boolean {
  const short = ctx.calendar.workdaysBetween(issued, due) < 3;
  if (short) ctx.planted.shortDeadlines++;
  return short;
}

function report(ctx: DemandContext, issuer: Issuer, rng: Rng, row: DemandRow): { targets: { codes: string; scopes: string; count: number }; landing: string } {
  const cal = ctx.calendar;
  const recent = ctx.recentReports(issuer.area);
  const candidate = recent.length > 0 && rng.chance(ECHO_SHARE) ? rng.pick(recent) : undefined;
  const echoFrom = candidate && candidate.issuerCode !== issuer.code ? candidate : undefined;
  let targets: { codes: string; scopes: string; count: number };
  let data: Datum[];
  let s: string;
  let issued: number;
  let due: number;
  let title: string;
  if (echoFrom) {
    // Planted duplicate: the data of another office's recent report, new wording, same targets.
    ctx.planted.echoReports++;
    const share = 0.6 + rng.next() * 0.4;
    data = rng.sample(echoFrom.data, Math.max(1, Math.ceil(echoFrom.data.length * share)));
    const ids = new Set(data.map((d) => d.id));
    for (const d of ctx.fields.chooseShared(rng, row.topic, rng.int(0, 3))) if (!ids.has(d.id)) data.push(d);
    targets = { codes: echoFrom.targetCodes, scopes: echoFrom.targetScopes, count: echoFrom.targetCount };
    due = Math.min(cal.last, Math.max(cal.first + 14, echoFrom.landing + rng.int(-60, 60)));
    due = cal.nextWorkday(due);
    issued = Math.max(cal.first, due - rng.int(4, 14));
    if (!cal.isWorkday(issued)) issued = cal.nextWorkday(issued);
    if (issued > due) issued = due;
    row.topic = rng.chance(0.5) ? echoFrom.topic : row.topic;
    s = echoFrom.subject;
    title = `关于报送${s}相关${rng.pick(['基础数据', '统计数据', '情况', '信息'])}的通知`;
  } else {
    targets = pickTargets(ctx, issuer, 'report', rng);
    s = subject(rng, row.topic);
    data = ctx.fields.choose(rng, row.topic, s, Math.max(5, Math.min(30, rng.around(15, 9, 5))), rng.int(2, 4));
    const x = rng.next();
    const holiday = cal.breaks.length > 0 && x < 0.03 ? rng.pick(cal.breaks) : undefined;
    if (holiday) {
      // Planted: issued on the last working day before a holiday, due right after it.
      issued = holiday.lastWorkday;
      due = cal.addWorkdays(holiday.firstWorkday, rng.int(0, 1));
      ctx.planted.shortDeadlinesAcrossHolidays++;
    } else {
      issued = ctx.issueDay(rng);
      const n = x < 0.16 ? rng.int(0, 2) : x < 0.86 ? rng.int(4, 15) : rng.int(16, 30);
      due = cal.addWorkdays(issued, n);
    }
    title = `关于报送${ctx.year}年${s}${rng.pick(['情况', '数据', '统计表', '进展情况', '工作台账', '摸底数据'])}的通知`;
  }
  row.issuedOn = dateOf(issued);
  row.dueOn = dateOf(due);
  const r = rng.next();
  const recurrence: Recurrence = echoFrom ? 'once' : r < 0.84 ? 'once' : r < 0.92 ? 'monthly' : r < 0.965 ? 'weekly' : r < 0.995 ? 'quarterly' : 'daily';
  if (recurrence !== 'once') {
    row.recurrence = recurrence;
    const untilDay = rng.chance(0.7) ? cal.last : Math.min(cal.last, due + rng.int(60, 180));
    row.until = dateOf(Math.max(untilDay, due));
    title =
      recurrence === 'weekly'
        ? `关于每周报送${s}进展情况的通知`
        : recurrence === 'daily'
          ? `关于实行${s}日报制度的通知`
          : recurrence === 'monthly'
            ? `关于按月报送${s}工作情况的通知`
            : `关于按季度报送${s}数据的通知`;
    if (recurrence === 'weekly' || recurrence === 'daily') ctx.planted.frequentReports++;
  }
  shortDeadlineCheck(ctx, issued, due);
  row.title = title;
  row.fields = data.map((d) => ctx.fields.render(rng, d)).join(';');
  if (rng.chance(0.18)) row.estimatedHours = hours(rng, 0.5, 8);
  if (rng.chance(0.06)) row.requiresTrace = rng.pick(['paper_ledgers', 'screenshots', 'photos;paper_ledgers']);
  ctx.totals.reports++;
  ctx.totals.reportFields += data.length;
  recent.push({ issuerCode: issuer.code, topic: row.topic, subject: s, data, targetCodes: targets.codes, targetScopes: targets.scopes, targetCount: targets.count, landing: due });
  if (recent.length > RECENT_REPORTS) recent.shift();
  return { targets, landing: row.dueOn };
}

function meeting(ctx: DemandContext, issuer: Issuer, rng: Rng, row: DemandRow): { targets: { codes: string; scopes: string; count: number }; landing: string } {
  const cal = ctx.calendar;
  const targets = pickTargets(ctx, issuer, 'meeting', rng);
  const issued = ctx.issueDay(rng);
  const starts = rng.chance(0.1) ? issued : cal.addWorkdays(issued, rng.int(1, 6));
  row.issuedOn = dateOf(issued);
  row.startsOn = dateOf(starts);
  const duration = Number(rng.weighted(DURATIONS));
  row.durationMinutes = String(duration);
  if (duration > 240) ctx.planted.longMeetings++;
  const attendees = rng.weightedIndex([50, 30, 12, 5, 3]) + 1;
  row.attendeesPerTarget = String(attendees);
  if (attendees * targets.count > 30) ctx.planted.meetingsOver30Attendees++;
  row.attendeeLevels = attendeeLevels(issuer, rng, targets.down, ctx.planted);
  const s = subject(rng, row.topic);
  const whole = wholeArea(issuer.area.name);
  if (rng.chance(0.05)) {
    row.recurrence = 'monthly';
    row.until = dateOf(Math.max(cal.last, starts));
    row.title = `${s}工作月度调度例会`;
  } else {
    row.title = `${whole}${s}工作${rng.pick(['推进会', '部署会', '调度会', '培训会', '现场推进会', '视频会议', '约谈会'])}`;
  }
  if (rng.chance(0.15)) row.estimatedHours = hours(rng, 1, 6);
  if (rng.chance(0.05)) row.requiresTrace = 'photos';
  return { targets, landing: row.startsOn };
}

function inspection(
  ctx: DemandContext,
  issuer: Issuer,
  peers: readonly Issuer[],
  rng: Rng,
  row: DemandRow,
): { targets: { codes: string; scopes: string; count: number }; landing: string } {
  const cal = ctx.calendar;
  const targets = pickTargets(ctx, issuer, 'inspection', rng);
  const weeks = ctx.stacked(issuer.area, rng);
  let starts: number;
  let issued: number;
  const stacked = weeks.length > 0 && rng.chance(0.4);
  if (stacked) {
    const w = rng.int(0, weeks.length - 1);
    starts = rng.pick(weeks[w]);
    issued = Math.max(cal.first, starts - rng.int(3, 12));
    if (!cal.isWorkday(issued)) issued = cal.nextWorkday(issued);
    if (issued > starts) issued = starts;
    ctx.planted.stackedInspections++;
    const safety = issuer.department !== undefined && SAFETY_INSPECTORS.has(issuer.department.abbr);
    if (safety && w !== 1) row.topic = 'work_safety';
    if (safety && w === 1) row.topic = rng.chance(0.5) ? 'emergency' : 'work_safety';
    row.title =
      w === 0
        ? `春节前${row.topic === 'work_safety' ? '安全生产' : subject(rng, row.topic)}大检查`
        : w === 1
          ? `${ctx.year}年汛前${row.topic === 'emergency' ? '防汛' : '安全'}隐患大排查`
          : `国庆节前${row.topic === 'work_safety' ? '安全生产' : subject(rng, row.topic)}督导检查`;
  } else {
    issued = ctx.issueDay(rng);
    starts = cal.addWorkdays(issued, rng.int(2, 15));
    row.title = `${ctx.year}年${subject(rng, row.topic)}${rng.pick(['专项督查', '督导检查', '暗访检查', '考核检查', '交叉检查', '实地核查'])}`;
  }
  const days = rng.pick([0.5, 1, 1, 1, 1.5, 2, 2, 3]);
  row.issuedOn = dateOf(issued);
  row.startsOn = dateOf(starts);
  row.dueOn = dateOf(cal.addWorkdays(starts, Math.ceil(days) - 1 + rng.int(0, 4)));
  row.onSiteDays = String(days);
  const others = peers.filter((p) => p.code !== issuer.code);
  // Joint visits: in a pre-holiday safety week, with other offices doing the same check.
  const safetyPeers = others.filter((p) => p.department !== undefined && SAFETY_INSPECTORS.has(p.department.abbr));
  const partners = stacked && row.topic === 'work_safety' && safetyPeers.length > 0 ? safetyPeers : others;
  if (partners.length > 0 && rng.chance(stacked ? 0.25 : 0.1)) {
    row.jointWithCodes = rng
      .sample(partners, rng.int(1, 2))
      .map((p) => p.code)
      .join(';');
    ctx.planted.jointInspections++;
  }
  if (rng.chance(0.35)) row.requiresTrace = rng.pick(['photos', 'photos', 'paper_ledgers', 'photos;paper_ledgers', 'videos', 'photos;videos']);
  if (rng.chance(0.15)) row.estimatedHours = hours(rng, 2, 24);
  return { targets, landing: row.startsOn };
}

function document(ctx: DemandContext, issuer: Issuer, rng: Rng, row: DemandRow): { targets: { codes: string; scopes: string; count: number }; landing: string } {
  const cal = ctx.calendar;
  const targets = pickTargets(ctx, issuer, 'document', rng);
  const issued = ctx.issueDay(rng);
  row.issuedOn = dateOf(issued);
  if (rng.chance(0.5)) {
    const due = cal.addWorkdays(issued, rng.int(1, 40));
    row.dueOn = dateOf(due);
    shortDeadlineCheck(ctx, issued, due);
  }
  const special = rng.chance(0.12);
  const x = rng.next();
  const chars = special ? (x < 0.35 ? rng.int(4001, 6500) : rng.int(1500, 4000)) : x < 0.08 ? rng.int(5001, 12000) : rng.int(800, 4800);
  if (chars > (special ? 4000 : 5000)) ctx.planted.longDocuments++;
  row.charCount = String(chars);
  row.special = special ? 'true' : 'false';
  const s = subject(rng, row.topic);
  const short = areaShortName(issuer.area.name);
  row.title = rng.pick([
    `关于做好${ctx.year}年${s}工作的通知`,
    `关于印发《${short}${s}工作方案》的通知`,
    `关于进一步加强${s}工作的意见`,
    `关于印发《${short}${ctx.year}年${s}工作要点》的通知`,
  ]);
  if (rng.chance(0.1)) row.estimatedHours = hours(rng, 0.5, 3);
  return { targets, landing: row.dueOn === '' ? row.issuedOn : row.dueOn };
}

function other(ctx: DemandContext, issuer: Issuer, rng: Rng, row: DemandRow): { targets: { codes: string; scopes: string; count: number }; landing: string } {
  const cal = ctx.calendar;
  const targets = pickTargets(ctx, issuer, 'other', rng);
  const subtype = rng.weighted(SUBTYPES);
  row.subtype = subtype;
  const s = subject(rng, row.topic);
  let issued = ctx.issueDay(rng);
  switch (subtype) {
    case 'app_task': {
      const app = rng.pick(['学习强国', '云岭先锋', '一部手机办事通', '防返贫监测APP', '网格通', '平安云南', '云南省人居环境APP', '河长制APP']);
      row.title = `"${app}"${rng.pick(['每日打卡', '学习积分排名', '每日上报', '在线时长考核', '巡查签到'])}`;
      const req = rng.sample(APP_REQUIREMENTS, rng.int(1, 3));
      row.appRequirements = req.join(';');
      ctx.planted.digitalFormalism++;
      row.startsOn = dateOf(issued);
      const r = rng.next();
      if (r < 0.65) {
        row.recurrence = 'daily';
        row.until = dateOf(rng.chance(0.6) ? cal.last : Math.min(cal.last, issued + rng.int(30, 120)));
      } else if (r < 0.75) {
        row.recurrence = 'weekly';
        row.until = dateOf(cal.last);
      }
      if (rng.chance(0.5)) row.requiresTrace = 'screenshots';
      if (rng.chance(0.5)) row.estimatedHours = hours(rng, 0.25, 0.5);
      break;
    }
    case 'campaign':
      row.title = `开展“${s}”${rng.pick(['百日攻坚行动', '集中整治月活动', '示范创建活动', '大比武活动'])}`;
      row.dueOn = dateOf(cal.addWorkdays(issued, rng.int(20, 60)));
      if (rng.chance(0.4)) row.requiresTrace = rng.pick(['photos', 'photos;paper_ledgers', 'videos']);
      break;
    case 'responsibility_letter':
      if (rng.chance(0.7)) issued = rng.pick(cal.workdays.slice(0, 60));
      row.title = `签订${ctx.year}年度${s}目标责任书`;
      row.dueOn = dateOf(cal.addWorkdays(issued, rng.int(3, 10)));
      ctx.planted.vetoOrLetter++;
      break;
    case 'veto_item':
      row.title = `将${s}工作纳入年度考核“一票否决”事项`;
      ctx.planted.vetoOrLetter++;
      break;
    case 'certificate':
      row.title = `出具${rng.pick(['无违法用地', '安全生产无事故', '无信访积案', '环境达标', '困难家庭', '居住'])}证明`;
      row.dueOn = dateOf(cal.addWorkdays(issued, rng.int(1, 5)));
      break;
    case 'secondment':
      row.title = `抽调${rng.int(1, 3)}名工作人员参加${s}工作`;
      row.startsOn = dateOf(cal.addWorkdays(issued, rng.int(2, 8)));
      row.dueOn = dateOf(cal.addWorkdays(dayNumber(row.startsOn), rng.int(10, 60)));
      break;
  }
  row.issuedOn = dateOf(issued);
  if (row.dueOn !== '' && row.startsOn === '') shortDeadlineCheck(ctx, issued, dayNumber(row.dueOn));
  if (subtype !== 'app_task' && rng.chance(0.12)) row.estimatedHours = hours(rng, 0.5, 4);
  return { targets, landing: row.startsOn !== '' ? row.startsOn : row.dueOn !== '' ? row.dueOn : row.issuedOn };
}
