import { readFileSync } from 'node:fs';
import {
  FIELD_SYNONYMS_FILE,
  FieldSynonymsError,
  NO_SYNONYMS,
  baseFieldKey,
  buildFieldSynonymIndex,
  distinctFieldKeys,
  loadFieldSynonyms,
  normaliseFieldName,
} from './field-key';

const synonyms = loadFieldSynonyms();
const key = (name: string) => normaliseFieldName(name, synonyms);

function problemsOf(file: unknown): string[] {
  try {
    buildFieldSynonymIndex(file);
  } catch (error) {
    if (error instanceof FieldSynonymsError) return error.problems;
    throw error;
  }
  throw new Error('expected FieldSynonymsError');
}

const validFile = (groups: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  version: 1,
  source: 'test',
  note: 'test',
  groups,
  ...extra,
});

describe('field keys', () => {
  describe('the same datum written differently gives one key', () => {
    it.each([
      // [as written on a form, expected key]
      ['户籍人口数', '户籍人口'],
      ['户籍人口（人）', '户籍人口'],
      ['户籍人口(人)', '户籍人口'],
      ['户籍人口【人】', '户籍人口'],
      ['户籍人口［人］', '户籍人口'],
      ['户籍 人口 数', '户籍人口'],
      ['　户籍人口　', '户籍人口'],
      ['户籍人口总数（人）', '户籍人口'],
      ['户籍人口数合计', '户籍人口'],
      ['1、户籍人口数', '户籍人口'],
      ['（一）户籍人口', '户籍人口'],
      ['①户籍人口', '户籍人口'],
      ['3．户籍人口', '户籍人口'],
      ['（2）户籍人口', '户籍人口'],
      ['户籍总人口', '户籍人口'],
      ['低保户数', '低保户'],
      ['低保户', '低保户'],
      ['低保户数（户）', '低保户'],
      ['最低生活保障家庭数', '低保户'],
      ['低保对象【人】', '低保对象'],
      ['低保人数', '低保对象'],
      ['其中：脱贫人口（人）', '脱贫人口'],
      ['建档立卡贫困户数', '脱贫户'],
      ['ＧＤＰ（亿元）', '地区生产总值'],
      ['GDP(万元)', '地区生产总值'],
      ['地区生产总值（万元）', '地区生产总值'],
      ['耕地面积（亩）', '耕地面积'],
      ['耕地面积/亩', '耕地面积'],
      ['耕地面积 单位：亩', '耕地面积'],
      ['耕地总面积（公顷）', '耕地面积'],
      ['耕地（亩）', '耕地面积'],
      ['基本农田面积(亩)', '永久基本农田面积'],
      ['党员人数', '党员'],
      ['党员数（名）', '党员'],
      ['中共党员', '党员'],
      ['规模以上工业企业数（家）', '规模以上工业企业'],
      ['规上工业企业个数', '规模以上工业企业'],
      ['城乡居民基本养老保险参保人数（人）', '城乡居民基本养老保险参保'],
      ['居民养老保险参保人数', '城乡居民基本养老保险参保'],
      ['农村常住居民人均可支配收入（元/人）', '农村居民人均可支配收入'],
      ['人均可支配收入（元/人·年）', '人均可支配收入'],
      ['60周岁及以上老年人数（人）', '60岁以上老年人'],
      ['安全生产事故起数', '生产安全事故'],
      ['建制村数（个）', '行政村'],
      ['社零总额（亿元）', '社会消费品零售总额'],
      ['0～6岁儿童数', '0-6岁儿童'],
      ['０至６岁儿童（人）', '0-6岁儿童'],
      ['农民专业合作社数量（个）', '农民专业合作社'],
      ['就业情况', '就业'],
      ['办结率（%）', '办结率'],
      ['绿地面积（㎡）', '绿地面积'],
      ['法人单位数', '法人单位'],
      ['老年人数', '老年人'],
      ['老年人（人）', '老年人'],
      ['残疾人数', '残疾人'],
      ['残疾人口数', '残疾人'],
      ['留守老人数', '留守老人'],
      ['工人数', '工人'],
      ['员工人数', '员工'],
      ['职工人数（人）', '职工'],
      ['游客人数（万人次）', '游客'],
      ['信访人数', '信访人'],
      ['未成年人数', '未成年人'],
    ])('%s → %s', (name, expected) => {
      expect(key(name)).toBe(expected);
    });
  });

  describe('different data stay different (traps)', () => {
    it.each([
      ['户数', '人数', 'a bare 户数 or 人数 is not stripped to nothing'],
      ['低保户数', '低保人数', 'households vs persons'],
      ['常住人口', '户籍人口', 'statistical residents vs registered'],
      ['常住人口', '实有人口', 'statistics vs public-security count'],
      ['农村居民人均可支配收入', '农民人均纯收入', 'post- vs pre-2013 indicator'],
      ['城镇登记失业率', '城镇调查失业率', 'register vs survey'],
      ['参保率（%）', '参保人数', 'a rate vs a count'],
      ['企业家数', '企业家人数', 'firms (家) vs entrepreneurs'],
      ['人口（常住）', '人口（户籍）', 'a bracketed qualifier is not a unit'],
      ['价格指数', '价格', '指数 is a noun, not a count'],
      ['收入中位数', '收入', '中位数 is a noun'],
      ['培训次数', '培训人数', 'sessions vs persons'],
      ['自然村数', '行政村数', 'settlements vs administrative villages'],
      ['自然村', '村民小组', 'settlements vs groups'],
      ['脱贫户', '监测户', 'out of poverty vs monitored'],
      ['残疾人数', '持证残疾人数', 'all vs certificate holders'],
      ['60岁以上老年人', '65岁以上老年人', 'a different age threshold'],
      ['村集体经济收入', '村集体经营性收入', 'total vs operating income'],
      ['耕地面积', '耕地流转面积', 'all vs transferred land'],
      ['1.5万亩以上种粮大户', '15万亩以上种粮大户', 'the decimal point matters'],
      ['1、2月份', '12月份', 'January and February vs December'],
      ['一、二类水质比例', '二类水质比例', '一、 before a numeral is not a row number'],
      ['特困人员', '五保户', 'successor category, not identical'],
      ['户籍人数', '户籍人口', '户籍人数 gives 户籍, deliberately not merged'],
      ['户总数', '户数', 'a one-character stem is not stripped'],
    ])('%s ≠ %s (%s)', (a, b) => {
      expect(key(a)).not.toBe(key(b));
      expect(key(a)).not.toBe('');
      expect(key(b)).not.toBe('');
    });

    it('the bare counters keep their whole text', () => {
      expect(key('户数')).toBe('户数');
      expect(key('人数')).toBe('人数');
      expect(key('户总数')).toBe('户总数');
      expect(key('总数')).toBe('总数');
      expect(key('数量')).toBe('数量');
      expect(key('合计')).toBe('合计');
    });

    it('only a whole unit expression in brackets is stripped', () => {
      expect(key('户籍人口（截至年底，人）')).toBe('户籍人口截至年底人');
      expect(key('户籍人口（人数）')).toBe('户籍人口');
      expect(key('人口（常住）')).toBe('人口常住');
    });
  });

  describe('the normalisation steps', () => {
    it('folds full width to half width and lower-cases Latin letters', () => {
      expect(baseFieldKey('ＡＢＣ１２３')).toBe('abc123');
      expect(baseFieldKey('PM2.5浓度')).toBe('pm2.5浓度');
    });

    it('removes punctuation, symbols, spaces and invisible characters', () => {
      expect(baseFieldKey('“双减”落实\u200b情况；')).toBe('双减落实');
      expect(baseFieldKey('《规定》 学习-人次')).toBe('规定学习人次');
    });

    it('keeps the number-range and thousands readings apart', () => {
      expect(baseFieldKey('0 - 6 岁儿童')).toBe('0-6岁儿童');
      expect(baseFieldKey('1,000元以上')).toBe('1000元以上');
      expect(baseFieldKey('1，2月份')).toBe('1、2月份');
    });

    it('a name of only punctuation or a unit gives the empty key', () => {
      expect(normaliseFieldName('（人）', synonyms)).toBe('');
      expect(normaliseFieldName(' ——；', synonyms)).toBe('');
      expect(normaliseFieldName('', synonyms)).toBe('');
    });

    it('without synonyms only steps 1–6 apply', () => {
      expect(normaliseFieldName('户籍总人口（人）', NO_SYNONYMS)).toBe('户籍总人口');
      expect(normaliseFieldName('户籍总人口（人）', synonyms)).toBe('户籍人口');
    });

    it('is idempotent: a key normalises to itself', () => {
      const names = ['户籍人口数', 'ＧＤＰ（亿元）', '低保人数', '企业家数', '0～6岁儿童数', '1，2月份', '价格指数', '人口（常住）'];
      for (const name of names) expect(key(key(name))).toBe(key(name));
      for (const canonical of new Set(synonyms.values())) expect(key(canonical)).toBe(canonical);
    });

    it('distinctFieldKeys de-duplicates in first-seen order and drops empty keys', () => {
      expect(distinctFieldKeys(['户籍人口数', '低保户', '户籍人口（人）', '（人）', '户籍总人口', '党员人数'], synonyms)).toEqual([
        '户籍人口',
        '低保户',
        '党员',
      ]);
    });
  });

  describe('data/field-synonyms.json', () => {
    const file = JSON.parse(readFileSync(FIELD_SYNONYMS_FILE, 'utf8')) as {
      source: string;
      note: string;
      groups: Record<string, { variants: string[]; note?: string }>;
    };

    it('has a source, a note and 20–40 groups, each with variants and a note', () => {
      expect(file.source.length).toBeGreaterThan(20);
      expect(file.note.length).toBeGreaterThan(20);
      const groups = Object.entries(file.groups);
      expect(groups.length).toBeGreaterThanOrEqual(20);
      expect(groups.length).toBeLessThanOrEqual(40);
      for (const [, group] of groups) {
        expect(group.variants.length).toBeGreaterThan(0);
        expect(group.note?.length ?? 0).toBeGreaterThan(5);
      }
    });

    it('maps every variant to its canonical key', () => {
      for (const [canonical, group] of Object.entries(file.groups)) {
        for (const variant of group.variants) expect(key(variant)).toBe(baseFieldKey(canonical));
      }
    });

    it('loads once and returns the same index', () => {
      expect(loadFieldSynonyms()).toBe(synonyms);
    });
  });

  describe('buildFieldSynonymIndex rejects a broken file', () => {
    it('a variant claimed by two groups', () => {
      expect(problemsOf(validFile({ 户籍人口: { variants: ['总人口'] }, 常住人口: { variants: ['总人口（人）'] } }))).toEqual([
        'groups.常住人口.variants[0] "总人口（人）": normalises to "总人口", already claimed by group "户籍人口"',
      ]);
    });

    it("a canonical key that is another group's variant", () => {
      expect(problemsOf(validFile({ 户籍人口: { variants: ['常住人口'] }, 常住人口: { variants: ['年末常住人口'] } }))).toEqual([
        'groups.户籍人口.variants[0] "常住人口": normalises to "常住人口", already claimed by group "常住人口"',
      ]);
    });

    it('a redundant variant, one that normalises to nothing, a missing source', () => {
      const problems = problemsOf({ version: 1, note: 'n', groups: { 户籍人口: { variants: ['户籍人口数', '（人）'] } } });
      expect(problems).toEqual([
        'source: must name where the groups come from',
        'groups.户籍人口.variants[0] "户籍人口数": redundant, normalises to "户籍人口" already in the group',
        'groups.户籍人口.variants[1] "（人）": normalises to nothing',
      ]);
    });

    it('a group of the wrong shape, and not an object at all', () => {
      expect(problemsOf(validFile({ 户籍人口: ['户籍总人口'] }))).toEqual([
        'groups.户籍人口: must be { variants: string[], note?: string }',
      ]);
      expect(problemsOf([])).toEqual(['the file must hold a JSON object']);
      expect(problemsOf(validFile({}, { groups: 'x' }))).toEqual(['groups: must be an object of canonical key → group']);
    });

    it('a notSynonyms set whose names would share a key', () => {
      expect(
        problemsOf(validFile({ 户籍人口: { variants: ['常住人口'] } }, { notSynonyms: [['户籍人口', '常住人口']] })),
      ).toEqual(['notSynonyms[0]: "户籍人口" and "常住人口" both give the key "户籍人口"']);
    });

    it('accepts a minimal valid file', () => {
      const index = buildFieldSynonymIndex(validFile({ 户籍人口: { variants: ['户籍总人口'] } }));
      expect([...index.entries()]).toEqual([
        ['户籍人口', '户籍人口'],
        ['户籍总人口', '户籍人口'],
      ]);
    });
  });
});
