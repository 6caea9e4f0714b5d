import { anonymiseText, CasePerson, personText } from './anonymise';
import { chineseDate, chineseNumeral, hoursText } from './chinese-numerals';

/** What a bulletin needs of one final case (content and frozen totals). */
export interface BulletinCase {
  id: number;
  title: string;
  category: string;
  issuerName: string | null;
  unitName: string | null;
  persons: CasePerson[];
  conductFrom: string | null;
  conductTo: string | null;
  facts: string;
  provision: string;
  handlingType: string;
  handlingOn: string;
  handlingNote: string | null;
  issuerId: number | null;
  demands: number;
  affectedUnitIds: number[];
  burdenMinutes: number;
}

export interface BulletinHeader {
  /** The area unit whose mechanism office issues it, e.g. 蒙自市. */
  areaName: string;
  docNo: string;
  from: string;
  to: string;
  issuedOn: string;
}

export interface BulletinItem {
  no: number;
  heading: string;
  caseId: number;
  title: string;
  category: string;
  /** The facts, the provision and the handling, one paragraph each. */
  paragraphs: string[];
}

/** A bulletin (典型问题通报) in the structure such documents use (DOMAIN.md), ready to render. */
export interface Bulletin {
  docNo: string;
  /** The bodies issuing it jointly: the mechanism's office and the commission's office. */
  issuingBodies: string[];
  title: string;
  addressee: string;
  intro: string;
  items: BulletinItem[];
  figures: {
    cases: number;
    byCategory: { category: string; cases: number }[];
    issuers: number;
    affectedUnits: number;
    burdenMinutes: number;
    burdenHours: string;
  };
  figuresParagraph: string;
  closing: string;
  signature: string[];
  issuedOn: string;
  issuedOnText: string;
  from: string;
  to: string;
  anonymised: boolean;
}

/** Persons of every case, for names that appear in another case's text. */
function everyone(cases: readonly BulletinCase[]): CasePerson[] {
  return cases.flatMap((c) => c.persons);
}

function conduct(c: BulletinCase): string {
  if (c.conductFrom && c.conductTo) return c.conductFrom === c.conductTo ? chineseDate(c.conductFrom) : `${chineseDate(c.conductFrom)}至${chineseDate(c.conductTo)}`;
  if (c.conductFrom) return `${chineseDate(c.conductFrom)}起`;
  if (c.conductTo) return `截至${chineseDate(c.conductTo)}`;
  return '';
}

function withStop(text: string): string {
  const t = text.trim();
  return t === '' || /[。！？；]$/.test(t) ? t : `${t}。`;
}

function item(c: BulletinCase, index: number, anonymise: boolean, all: readonly CasePerson[]): BulletinItem {
  const scrub = (text: string) => (anonymise ? anonymiseText(anonymiseText(text, c.persons), all) : text);
  const when = conduct(c);
  const counts =
    `经核查，${when ? `${when}期间，` : ''}${c.issuerName ?? '有关单位'}涉及向基层下达事项${c.demands}项，` +
    `涉及基层单位${c.affectedUnitIds.length}个，折合基层工作量约${hoursText(c.burdenMinutes)}小时。`;
  const who = c.persons.length ? c.persons.map((p) => personText(p, anonymise)).join('、') : '有关责任单位和责任人';
  const handling = `${chineseDate(c.handlingOn)}，${who}受到${c.handlingType}处理。${c.handlingNote ? withStop(c.handlingNote) : ''}`;
  return {
    no: index + 1,
    heading: `${chineseNumeral(index + 1)}、${scrub(c.title)}`,
    caseId: c.id,
    title: scrub(c.title),
    category: c.category,
    paragraphs: [scrub(withStop(c.facts)) + counts, `上述问题违反了${scrub(c.provision.trim()).replace(/[。；]$/, '')}的规定。`, scrub(handling)],
  };
}

/**
 * Builds the bulletin of a period from its final cases (oldest handling first). With `anonymise`,
 * each person's name becomes the post wherever it appears, free text included, and no name is
 * printed beside a post.
 */
export function buildBulletin(header: BulletinHeader, cases: readonly BulletinCase[], anonymise: boolean): Bulletin {
  const all = everyone(cases);
  const items = cases.map((c, i) => item(c, i, anonymise, all));
  const byCategory = new Map<string, number>();
  for (const c of cases) byCategory.set(c.category, (byCategory.get(c.category) ?? 0) + 1);
  const affected = new Set(cases.flatMap((c) => c.affectedUnitIds));
  const issuers = new Set(cases.map((c) => c.issuerId).filter((id) => id !== null));
  const burdenMinutes = cases.reduce((sum, c) => sum + c.burdenMinutes, 0);
  const office = `${header.areaName}整治形式主义为基层减负专项工作机制办公室`;
  const commission = `中共${header.areaName}纪律检查委员会办公室`;
  const period = `${chineseDate(header.from)}至${chineseDate(header.to)}`;
  const categories = [...byCategory].map(([category, n]) => `${category}${n}起`).join('，');
  return {
    docNo: header.docNo,
    issuingBodies: [office, commission],
    title: `关于${cases.length}起整治形式主义为基层减负典型问题的通报`,
    addressee: `${header.areaName}各乡镇（街道）党（工）委和人民政府（办事处），各部门：`,
    intro:
      `为深入贯彻落实《整治形式主义为基层减负若干规定》，持续为基层松绑减负，${period}，` +
      `${header.areaName}整治形式主义为基层减负专项工作机制会同纪检监察机关查处了一批加重基层负担的形式主义问题。` +
      `现将其中${cases.length}起典型问题通报如下。`,
    items,
    figures: { cases: cases.length, byCategory: [...byCategory].map(([category, n]) => ({ category, cases: n })), issuers: issuers.size, affectedUnits: affected.size, burdenMinutes, burdenHours: hoursText(burdenMinutes) },
    figuresParagraph:
      cases.length === 0
        ? `本期未查处需通报的典型问题。`
        : `本期通报典型问题${cases.length}起，其中${categories}；涉及下达事项的单位${issuers.size}个、基层单位${affected.size}个，折合基层工作量约${hoursText(burdenMinutes)}小时。`,
    closing:
      '上述问题反映出一些地方和部门政绩观存在偏差，习惯以形式代替落实、以留痕代替实绩，层层向基层转嫁负担。' +
      '各级各部门要以案为鉴、引以为戒，严格执行督查检查考核计划管理和报表、会议、文件总量控制，' +
      '对照本通报开展自查自纠，切实把基层干部从形式主义的束缚中解脱出来。对顶风违纪、边查边犯的，将严肃追责问责，并点名道姓通报曝光。',
    signature: [office, commission],
    issuedOn: header.issuedOn,
    issuedOnText: chineseDate(header.issuedOn),
    from: header.from,
    to: header.to,
    anonymised: anonymise,
  };
}
