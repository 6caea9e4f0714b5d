/**
 * The field dictionary (DESIGN §2): report field names as people write them → keys, so that
 * 户籍人口数 and 户籍人口（人） are one datum and DUPLICATE_DATA_REQUEST can compare reports.
 *
 * `normaliseFieldName` is pure. The steps, in order:
 *  1. Leading row numbers go: ①, ⑴, ⒈ (before width folding turns them into plain digits), then
 *     (一) 一、 (1) 1) 1、 1. — but not when a numeral follows (一、二类水质 and 1.5万 keep theirs).
 *  2. NFKC: full-width letters, digits and brackets become half-width (Ｎ→N, （→(, ０→0, ㎡→m2),
 *     then Latin letters are lower-cased (GDP → gdp).
 *  3. A leading 其中 ("of which") goes: 其中：脱贫人口 is the datum 脱贫人口.
 *  4. Bracketed units go — (), [], {}, 【】, 〔〕, 〖〗 whose whole content is a unit or a unit
 *     expression (人, 户, 万元, 亩, %, 元/人, 万元/年, 户/人, 单位：万元). Brackets holding anything
 *     else are kept as text, because they distinguish data: 人口（常住） ≠ 人口（户籍）. A trailing
 *     `单位：万元` or `/元` written without brackets goes too.
 *  5. Whitespace, punctuation, symbols and invisible characters go (Unicode P, S, Z, C), except
 *     a decimal point, a range dash or a list mark between digits: 1.5万亩 ≠ 15万亩, 1、2月 ≠ 12月
 *     (1，2月 = 1、2月; 1,000 is read as a thousands separator), and 0～6岁 = 0至6岁 = 0-6岁.
 *  6. Suffixes go, longest first, repeatedly, each only if at least 2 characters remain:
 *     总数, 数量, 个数, 家数, 起数, 人数, 情况, 合计, 总计, then 数 — but 数 stays where it belongs to the
 *     noun (指数, 系数, 分数, 参数, 基数, 倍数, 函数, 变数, 常数, 中位数) or where the counter word is
 *     the datum (次数, 天数, 日数, 岁数, 页数, 字数, 票数: 培训次数 must not become 培训, which is
 *     what 培训人数 gives).
 *     So 户籍人口数 → 户籍人口, 低保户数 → 低保户 (户 is part of the noun, only 数 goes),
 *     党员人数 → 党员, 企业家数 → 企业 (家 is the counter for firms) while 企业家人数 → 企业家;
 *     for nouns ending in 人 only 数 goes: 老年人数 → 老年人, 工人数 → 工人 (HEADS_OF_REN_NOUNS);
 *     户数, 人数 and 户总数 stay whole (nothing or one character would remain).
 *  7. Synonyms (`data/field-synonyms.json`) map the result to its group's canonical key.
 *
 * Known limits, on purpose: stripping a unit can merge counts that differ only by their unit
 * (低保（户） and 低保（人） both give 低保; 培训（次） gives 培训, as 培训人数 does) — forms that
 * ask both name them 低保户 / 低保人数, 培训次数 / 培训人数; brackets holding a unit plus a remark
 * (（万元，含税）) are kept as text; a counter word other than 个/家/起/人 before 数 stays
 * (受理件数 → 受理件), since stripping 件数 would ruin 案件数.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Normalised variant → canonical key (canonical keys map to themselves). */
export type FieldSynonymIndex = ReadonlyMap<string, string>;

export const NO_SYNONYMS: FieldSynonymIndex = new Map();

const UNITS = [
  // counts
  '人', '户', '个', '家', '所', '座', '辆', '台', '套', '间', '处', '张', '份', '项', '条', '名', '位', '头',
  '只', '匹', '株', '棵', '件', '次', '人次', '户次', '场', '场次', '期', '批', '篇', '册', '本', '部', '栋',
  '幢', '床', '万人', '千人', '万户', '万人次',
  // money
  '元', '万元', '亿元', '千元', '百万元', '美元', '万美元',
  // area, volume, length, mass, energy
  '亩', '万亩', '公顷', '平方米', '万平方米', '平方公里', '平方千米', '立方米', '万立方米', '公里', '千米',
  '米', '厘米', '毫米', '吨', '万吨', '千克', '公斤', '克', '斤', '万斤', '升', '毫升', '千瓦', '万千瓦',
  '千瓦时', '万千瓦时', '度', 'm', 'm2', 'm3', 'km', 'km2', 'kg', 't', 'kw', 'kwh', 'ha', 'l',
  // time
  '小时', '分钟', '天', '日', '周', '月', '年', '岁', 'h', 'min',
  // ratios
  '%', '‰', '个百分点', '百分点',
];
const UNIT = `(?:${[...UNITS]
  .sort((a, b) => b.length - a.length)
  .map((unit) => unit.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
  .join('|')})`;
const UNIT_EXPRESSION = new RegExp(`^(?:单位:?)?${UNIT}(?:[/、,·・每]${UNIT})*$`, 'u');
const BRACKETED = /[([{【〔〖]([^()[\]{}【】〔〕〖〗]*)[)\]}】〕〗]/gu;
const TRAILING_UNIT = new RegExp(`(?:单位:?|/)${UNIT}(?:[/、,·・每]${UNIT})*$`, 'u');

const CHINESE_NUMERAL = '[一二三四五六七八九十]';
const LEADING_CIRCLED = /^\s*[\u2460-\u249b\u24ea-\u24ff\u2776-\u2793]\s*/u;
const LEADING_ENUMERATOR = new RegExp(
  `^\\s*(?:\\(${CHINESE_NUMERAL}+\\)|${CHINESE_NUMERAL}+[、.](?!${CHINESE_NUMERAL})|\\(?\\d{1,3}\\)|\\d{1,3}[、.](?!\\d))\\s*`,
  'u',
);
const LEADING_OF_WHICH = /^\s*其中\s*[:,]?\s*/u;
const NOISE = /[\p{P}\p{S}\p{Z}\p{C}\s]/gu;
/** 0-6岁, 0～6岁, 0—6岁 and 0至6岁 are one range; written 0-6 so that it does not read as 06. */
const NUMBER_RANGE = /(\d)\s*(?:[-~\u2010-\u2015\u301c]|至|到)\s*(?=\d)/gu;

function isDigit(char: string | undefined): boolean {
  return char !== undefined && char >= '0' && char <= '9';
}

const SUFFIXES = ['总数', '数量', '个数', '家数', '起数', '人数', '情况', '合计', '总计', '数'];
/** Words where 数 is part of the noun (an index, a score…) or where the counter word carries the meaning. */
const NUMBER_WORDS = ['指数', '系数', '分数', '参数', '基数', '倍数', '函数', '变数', '常数', '中位数', '次数', '天数', '日数', '岁数', '页数', '字数', '票数'];
const MIN_STEM = 2;

function length(text: string): number {
  return [...text].length;
}

/**
 * Words that end in 人 themselves, so that X人数 is X人 + 数 and only 数 goes: 老年人数 → 老年人,
 * 残疾人数 → 残疾人, 信访人数 → 信访人 (but 员工人数 → 员工, 游客人数 → 游客, 党员人数 → 党员).
 * A one-character head (工人数, 病人数, 盲人数) needs no entry: 人数 cannot go there anyway.
 */
const HEADS_OF_REN_NOUNS = [
  '老年', '老', '残疾', '成年', '负责', '责任', '联系', '监护', '带头', '当事', '候选', '申请', '继承', '受益',
  '投资', '债务', '债权', '嫌疑', '保证', '代理', '委托', '信访', '外国', '法定代表',
];

function stripSuffixes(key: string): string {
  let stem = key;
  for (;;) {
    if (NUMBER_WORDS.some((word) => stem.endsWith(word))) return stem;
    let suffix = SUFFIXES.find((candidate) => stem.endsWith(candidate));
    if (suffix === '人数') {
      const head = stem.slice(0, -2);
      if (length(head) < MIN_STEM || HEADS_OF_REN_NOUNS.some((word) => head.endsWith(word))) suffix = '数';
    }
    if (!suffix || length(stem) - length(suffix) < MIN_STEM) return stem;
    stem = stem.slice(0, stem.length - suffix.length);
  }
}

/** Steps 1–6 (everything but synonyms). */
export function baseFieldKey(name: string): string {
  let text = name.replace(LEADING_CIRCLED, '');
  text = text.normalize('NFKC').toLowerCase();
  text = text.replace(LEADING_ENUMERATOR, '');
  text = text.replace(LEADING_OF_WHICH, '');
  text = text.replace(BRACKETED, (whole, content: string) => (UNIT_EXPRESSION.test(content.replace(/\s/gu, '')) ? '' : whole));
  text = text.trimEnd().replace(TRAILING_UNIT, '');
  text = text.replace(NUMBER_RANGE, '$1-');
  text = text.replace(NOISE, (mark: string, offset: number, whole: string) => {
    if (!isDigit(whole[offset - 1]) || !isDigit(whole[offset + 1])) return '';
    if (mark === '.' || mark === '-' || mark === '、') return mark;
    // 1,000 is a thousands separator; 1,2月 a list, kept apart from 12月.
    if (mark === ',' && !/^\d{3}(?!\d)/u.test(whole.slice(offset + 1))) return '、';
    return '';
  });
  return stripSuffixes(text);
}

/**
 * The key of a report field name (pure). '' when nothing is left (a name made only of
 * punctuation or a unit): callers must reject such a field rather than store it.
 */
export function normaliseFieldName(name: string, synonyms: FieldSynonymIndex): string {
  const key = baseFieldKey(name);
  return synonyms.get(key) ?? key;
}

/** The distinct keys of a report's field names, in first-seen order; names that normalise to '' are left out. */
export function distinctFieldKeys(names: readonly string[], synonyms: FieldSynonymIndex): string[] {
  const keys = new Set<string>();
  for (const name of names) {
    const key = normaliseFieldName(name, synonyms);
    if (key !== '') keys.add(key);
  }
  return [...keys];
}

// ---------------------------------------------------------------------------------------------
// The synonyms file
// ---------------------------------------------------------------------------------------------

/** The shape of `data/field-synonyms.json`. */
export interface FieldSynonymsFile {
  version: number;
  source: string;
  note: string;
  groups: Record<string, { variants: string[]; note?: string }>;
  /** Sets of names that look alike but are different data: they must keep different keys. */
  notSynonyms?: string[][];
}

export class FieldSynonymsError extends Error {
  constructor(readonly problems: string[]) {
    super(`field synonyms are invalid: ${problems.join('; ')}`);
    this.name = 'FieldSynonymsError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}

/**
 * Checks the file and builds the index (pure). Each canonical key and variant is normalised with
 * `baseFieldKey`. Rejected: a variant claimed by two groups, a canonical key that is another
 * group's variant, a name that normalises to nothing, a variant already equal to its own key or
 * to another variant (redundant), and a `notSynonyms` set whose names would share a key.
 */
export function buildFieldSynonymIndex(file: unknown): FieldSynonymIndex {
  const problems: string[] = [];
  if (!isRecord(file)) throw new FieldSynonymsError(['the file must hold a JSON object']);
  if (typeof file.source !== 'string' || file.source.trim() === '') problems.push('source: must name where the groups come from');
  if (typeof file.note !== 'string' || file.note.trim() === '') problems.push('note: must explain the groups');
  if (!isRecord(file.groups)) throw new FieldSynonymsError([...problems, 'groups: must be an object of canonical key → group']);

  const index = new Map<string, string>();
  const claimedBy = new Map<string, string>();
  const claim = (key: string, canonical: string, label: string) => {
    const owner = claimedBy.get(key);
    if (owner !== undefined) {
      problems.push(
        owner === canonical
          ? `${label}: redundant, normalises to "${key}" already in the group`
          : `${label}: normalises to "${key}", already claimed by group "${owner}"`,
      );
      return;
    }
    claimedBy.set(key, canonical);
    index.set(key, canonical);
  };

  const groups = Object.entries(file.groups);
  for (const [name] of groups) {
    const canonical = baseFieldKey(name);
    if (canonical === '') problems.push(`groups.${name}: the key normalises to nothing`);
    else claim(canonical, canonical, `groups.${name}`);
  }
  for (const [name, group] of groups) {
    const canonical = baseFieldKey(name);
    if (!isRecord(group) || !isStringArray(group.variants)) {
      problems.push(`groups.${name}: must be { variants: string[], note?: string }`);
      continue;
    }
    if (group.note !== undefined && typeof group.note !== 'string') problems.push(`groups.${name}.note: must be a string`);
    group.variants.forEach((variant, i) => {
      const key = baseFieldKey(variant);
      if (key === '') problems.push(`groups.${name}.variants[${i}] "${variant}": normalises to nothing`);
      else if (canonical !== '') claim(key, canonical, `groups.${name}.variants[${i}] "${variant}"`);
    });
  }

  if (file.notSynonyms !== undefined) {
    if (!Array.isArray(file.notSynonyms) || !file.notSynonyms.every(isStringArray)) {
      problems.push('notSynonyms: must be a list of lists of names');
    } else {
      file.notSynonyms.forEach((names, i) => {
        const seen = new Map<string, string>();
        for (const name of names) {
          const key = index.get(baseFieldKey(name)) ?? baseFieldKey(name);
          const other = seen.get(key);
          if (other !== undefined) problems.push(`notSynonyms[${i}]: "${other}" and "${name}" both give the key "${key}"`);
          seen.set(key, name);
        }
      });
    }
  }

  if (problems.length > 0) throw new FieldSynonymsError(problems);
  return index;
}

/** Where the product's synonyms live: `data/` at the project root, from `src/` and `dist/` alike. */
export const FIELD_SYNONYMS_FILE = join(__dirname, '..', '..', '..', '..', 'data', 'field-synonyms.json');

const loaded = new Map<string, FieldSynonymIndex>();

/** Reads and checks the synonyms file once per path (the only I/O here); a bad file throws. */
export function loadFieldSynonyms(file: string = FIELD_SYNONYMS_FILE): FieldSynonymIndex {
  const cached = loaded.get(file);
  if (cached) return cached;
  const index = buildFieldSynonymIndex(JSON.parse(readFileSync(file, 'utf8')) as unknown);
  loaded.set(file, index);
  return index;
}
