/**
 * The offices that issue demands, and the wording of demand titles, as they look in Yunnan.
 * Names follow the usual pattern of 县级/州市级/省级 bodies: `蒙自市教育局`, `红河州教育局`,
 * `云南省教育厅`; party bodies `蒙自市委组织部`. Codes are `<area code>-<abbreviation>`
 * (`532503-JYJ`), the convention of data/templates/demands-import.csv.
 */

export type IssuerLevel = 'province' | 'prefecture' | 'county';

export interface DepartmentKind {
  /** Upper-case pinyin initials; the code is `<area code>-<abbr>`. */
  abbr: string;
  /** Name templates per level; `{area}` is the area's (short) name. */
  county: string;
  prefecture: string;
  province: string;
  /** Short form in document numbers: 蒙教发〔2026〕12号. */
  doc: string;
  /** Topic codes (data/topics.json) the office works on, main one first. */
  topics: string[];
  /** Relative number of demands a year. */
  weight: number;
  /** Kind mix different from the default, if any. */
  mix?: Partial<Record<DemandKindName, number>>;
}

export type DemandKindName = 'report' | 'meeting' | 'document' | 'inspection' | 'other';

/** Demands by kind: reports most, then meetings, documents, inspections and the rest. */
export const DEFAULT_KIND_MIX: Record<DemandKindName, number> = {
  report: 0.44,
  meeting: 0.2,
  document: 0.17,
  inspection: 0.1,
  other: 0.09,
};

const same = (suffix: string, provinceSuffix = suffix) => ({ county: `{area}${suffix}`, prefecture: `{area}${suffix}`, province: `{area}${provinceSuffix}` });

/**
 * In order of presence: the first 34 exist in every county, the first 16 in every prefecture,
 * the first 26 at the province; the rest are drawn per area (see generate.ts).
 */
export const DEPARTMENTS: readonly DepartmentKind[] = [
  { abbr: 'ZFB', ...same('人民政府办公室', '人民政府办公厅'), doc: '政办', topics: ['other', 'statistics'], weight: 1.2, mix: { document: 0.35, meeting: 0.3, report: 0.25 } },
  { abbr: 'ZZB', ...same('委组织部'), doc: '组', topics: ['party_building'], weight: 1.3 },
  { abbr: 'NYNCJ', ...same('农业农村局', '农业农村厅'), doc: '农', topics: ['rural_revitalization', 'agriculture'], weight: 1.7 },
  { abbr: 'TJJ', ...same('统计局'), doc: '统', topics: ['statistics'], weight: 1.4, mix: { report: 0.8, meeting: 0.08, document: 0.07, inspection: 0.03, other: 0.02 } },
  { abbr: 'YJJ', ...same('应急管理局', '应急管理厅'), doc: '应急', topics: ['emergency', 'work_safety'], weight: 1.4, mix: { inspection: 0.2 } },
  { abbr: 'MZJ', ...same('民政局', '民政厅'), doc: '民', topics: ['civil_affairs'], weight: 1.2 },
  { abbr: 'WJJ', county: '{area}卫生健康局', prefecture: '{area}卫生健康委员会', province: '{area}卫生健康委员会', doc: '卫', topics: ['health'], weight: 1.3 },
  { abbr: 'JYJ', ...same('教育局', '教育厅'), doc: '教', topics: ['education'], weight: 1.1 },
  { abbr: 'CZJ', ...same('财政局', '财政厅'), doc: '财', topics: ['finance'], weight: 0.9 },
  { abbr: 'RSJ', ...same('人力资源和社会保障局', '人力资源和社会保障厅'), doc: '人社', topics: ['social_security'], weight: 1.0 },
  { abbr: 'ZRZYJ', county: '{area}自然资源局', prefecture: '{area}自然资源和规划局', province: '{area}自然资源厅', doc: '自然资源', topics: ['natural_resources'], weight: 1.0 },
  { abbr: 'SHJJ', county: '{area}生态环境分局', prefecture: '{area}生态环境局', province: '{area}生态环境厅', doc: '环', topics: ['ecology'], weight: 1.0, mix: { inspection: 0.16 } },
  { abbr: 'ZJJ', ...same('住房和城乡建设局', '住房和城乡建设厅'), doc: '建', topics: ['housing', 'work_safety'], weight: 1.0 },
  { abbr: 'SCJGJ', ...same('市场监督管理局'), doc: '市监', topics: ['market_regulation', 'work_safety'], weight: 0.9, mix: { inspection: 0.2 } },
  { abbr: 'ZFW', county: '{area}委政法委员会', prefecture: '{area}委政法委员会', province: '{area}委政法委员会', doc: '政法', topics: ['social_stability'], weight: 1.0 },
  { abbr: 'SWJ', county: '{area}水务局', prefecture: '{area}水务局', province: '{area}水利厅', doc: '水', topics: ['water'], weight: 0.8 },
  { abbr: 'XCB', ...same('委宣传部'), doc: '宣', topics: ['civilization'], weight: 0.8 },
  { abbr: 'FGJ', county: '{area}发展和改革局', prefecture: '{area}发展和改革委员会', province: '{area}发展和改革委员会', doc: '发改', topics: ['statistics', 'finance'], weight: 0.8 },
  { abbr: 'DWB', ...same('委办公室', '委办公厅'), doc: '委办', topics: ['party_building', 'other'], weight: 0.9, mix: { document: 0.35, meeting: 0.3, report: 0.25 } },
  { abbr: 'GAJ', ...same('公安局', '公安厅'), doc: '公', topics: ['social_stability', 'work_safety'], weight: 0.8 },
  { abbr: 'JTYSJ', ...same('交通运输局', '交通运输厅'), doc: '交', topics: ['work_safety'], weight: 0.6 },
  { abbr: 'LCJ', ...same('林业和草原局'), doc: '林', topics: ['forestry', 'emergency'], weight: 0.8 },
  { abbr: 'XFJ', ...same('信访局'), doc: '信访', topics: ['petitions'], weight: 0.7 },
  { abbr: 'YBJ', ...same('医疗保障局'), doc: '医保', topics: ['health', 'social_security'], weight: 0.7 },
  { abbr: 'TYJRJ', ...same('退役军人事务局', '退役军人事务厅'), doc: '退役', topics: ['veterans'], weight: 0.6 },
  { abbr: 'WLJ', ...same('文化和旅游局', '文化和旅游厅'), doc: '文旅', topics: ['culture_tourism'], weight: 0.6 },
  { abbr: 'MZZJJ', county: '{area}民族宗教事务局', prefecture: '{area}民族宗教事务委员会', province: '{area}民族宗教事务委员会', doc: '民宗', topics: ['ethnic_religious'], weight: 0.5 },
  { abbr: 'SFJ', ...same('司法局', '司法厅'), doc: '司', topics: ['social_stability'], weight: 0.5 },
  { abbr: 'JW', ...same('纪委监委'), doc: '纪', topics: ['party_building'], weight: 0.5, mix: { inspection: 0.3, document: 0.3, report: 0.2, meeting: 0.15, other: 0.05 } },
  { abbr: 'GXJ', ...same('工业和信息化局', '工业和信息化厅'), doc: '工信', topics: ['statistics', 'work_safety'], weight: 0.6 },
  { abbr: 'SJJ', ...same('审计局', '审计厅'), doc: '审', topics: ['finance'], weight: 0.4, mix: { inspection: 0.35, report: 0.4 } },
  { abbr: 'WMB', ...same('委精神文明建设委员会办公室'), doc: '文明', topics: ['civilization'], weight: 0.7, mix: { other: 0.2, inspection: 0.15 } },
  { abbr: 'XFJY', county: '{area}消防救援大队', prefecture: '{area}消防救援支队', province: '{area}消防救援总队', doc: '消', topics: ['work_safety', 'emergency'], weight: 0.6, mix: { inspection: 0.3 } },
  { abbr: 'TZB', ...same('委统战部'), doc: '统战', topics: ['ethnic_religious', 'party_building'], weight: 0.4 },
  // Drawn per area from here on.
  { abbr: 'SWUJ', ...same('商务局', '商务厅'), doc: '商', topics: ['market_regulation', 'statistics'], weight: 0.5 },
  { abbr: 'KJJ', ...same('科学技术局', '科学技术厅'), doc: '科', topics: ['other'], weight: 0.3 },
  { abbr: 'HZB', ...same('河长制办公室'), doc: '河长', topics: ['water', 'ecology'], weight: 0.5, mix: { inspection: 0.2, other: 0.15 } },
  { abbr: 'ZWFWJ', ...same('政务服务管理局'), doc: '政务', topics: ['other'], weight: 0.4 },
  { abbr: 'FL', ...same('妇女联合会'), doc: '妇', topics: ['civil_affairs'], weight: 0.4 },
  { abbr: 'TW', county: '共青团{area}委员会', prefecture: '共青团{area}委员会', province: '共青团{area}委员会', doc: '团', topics: ['civilization', 'education'], weight: 0.3 },
  { abbr: 'ZGH', ...same('总工会'), doc: '工', topics: ['social_security'], weight: 0.3 },
  { abbr: 'CL', ...same('残疾人联合会'), doc: '残联', topics: ['civil_affairs'], weight: 0.4 },
  { abbr: 'KX', ...same('科学技术协会'), doc: '科协', topics: ['other'], weight: 0.2 },
  { abbr: 'GXS', ...same('供销合作社联合社'), doc: '供销', topics: ['agriculture'], weight: 0.3 },
  { abbr: 'DAG', ...same('档案馆'), doc: '档', topics: ['other'], weight: 0.2 },
  { abbr: 'RMTZX', ...same('融媒体中心'), doc: '融媒', topics: ['civilization'], weight: 0.3 },
  { abbr: 'QXJ', ...same('气象局'), doc: '气', topics: ['emergency'], weight: 0.3 },
  { abbr: 'SWUJU', county: '国家税务总局{area}税务局', prefecture: '国家税务总局{area}税务局', province: '国家税务总局{area}税务局', doc: '税', topics: ['finance'], weight: 0.2 },
  { abbr: 'BB', ...same('委机构编制委员会办公室'), doc: '编', topics: ['other'], weight: 0.2 },
];

/** How many of the catalogue exist at each level for certain; the rest are drawn (generate.ts). */
export const ALWAYS_PRESENT: Record<IssuerLevel, number> = { county: 34, prefecture: 16, province: 26 };
/** How many more are drawn from the rest: county 0–6 (≈37 on average), prefecture 4, province 4. */
export const EXTRA_DRAWN: Record<IssuerLevel, [number, number]> = { county: [0, 6], prefecture: [4, 4], province: [4, 4] };

/** Offices that join the pre-holiday safety inspections (节前安全生产大检查) whatever their own topic. */
export const SAFETY_INSPECTORS = new Set(['YJJ', 'ZJJ', 'SCJGJ', 'JTYSJ', 'XFJY', 'GAJ', 'GXJ', 'LCJ', 'SHJJ', 'JYJ', 'WJJ', 'WLJ']);

/** Short names of the autonomous prefectures as their offices write them (红河州教育局). */
const PREFECTURE_SHORT: Record<string, string> = {
  楚雄彝族自治州: '楚雄州',
  红河哈尼族彝族自治州: '红河州',
  文山壮族苗族自治州: '文山州',
  西双版纳傣族自治州: '西双版纳州',
  大理白族自治州: '大理州',
  德宏傣族景颇族自治州: '德宏州',
  怒江傈僳族自治州: '怒江州',
  迪庆藏族自治州: '迪庆州',
};

export function areaShortName(name: string): string {
  return PREFECTURE_SHORT[name] ?? name;
}

/** 全市 / 全县 / 全区 / 全州 / 全省 / 全镇 / 全乡 / 全街道: how an area calls its whole territory. */
export function wholeArea(name: string): string {
  const short = areaShortName(name);
  if (short.endsWith('街道')) return '全街道';
  const last = short.slice(-1);
  return `全${['市', '县', '区', '州', '省', '镇', '乡'].includes(last) ? last : '县'}`;
}

export function departmentName(kind: DepartmentKind, level: IssuerLevel, areaName: string): string {
  return kind[level].replace('{area}', areaShortName(areaName));
}

/** What demands are about, per topic: the subjects that fill the titles. */
export const SUBJECTS: Record<string, readonly string[]> = {
  work_safety: ['安全生产大检查', '安全隐患排查整治', '自建房安全专项整治', '燃气安全专项整治', '道路交通安全', '危险化学品安全', '安全生产治本攻坚三年行动'],
  ecology: ['河湖“清四乱”', '农村人居环境整治', '中央生态环境保护督察反馈问题整改', '秸秆禁烧', '九大高原湖泊保护治理', '饮用水水源地保护'],
  rural_revitalization: ['防止返贫动态监测', '巩固拓展脱贫攻坚成果', '驻村帮扶', '衔接资金项目', '乡村振兴示范村创建', '“干部规范化、帮扶精准化”'],
  party_building: ['基层党组织建设', '党员发展', '党纪学习教育', '“三会一课”', '村（社区）“两委”班子建设', '软弱涣散基层党组织整顿'],
  education: ['控辍保学', '校园安全', '学生资助', '营养改善计划', '学前教育普及', '防溺水安全教育'],
  health: ['家庭医生签约服务', '爱国卫生运动', '疫苗接种', '基本公共卫生服务', '传染病防控', '老年人健康管理'],
  civil_affairs: ['低保动态管理', '特困人员供养', '临时救助', '养老服务', '未成年人保护', '残疾人两项补贴'],
  statistics: ['年度统计报表', '人口抽样调查', '农业普查', '经济普查', '劳动力调查', '住户收支调查'],
  agriculture: ['粮食生产', '高标准农田建设', '撂荒地整治', '生猪稳产保供', '烤烟生产', '农村集体产权制度改革'],
  emergency: ['防汛抗旱', '森林草原防灭火', '地质灾害防治', '应急预案演练', '自然灾害风险普查', '汛期值班值守'],
  natural_resources: ['耕地保护', '违法用地整治', '土地卫片执法', '宅基地管理', '国土空间规划', '耕地“非农化”“非粮化”整治'],
  social_security: ['稳就业', '农村劳动力转移就业', '城乡居民养老保险扩面', '根治欠薪', '职业技能培训', '社保卡应用'],
  social_stability: ['矛盾纠纷排查化解', '平安建设', '扫黑除恶常态化', '禁毒人民战争', '网格化服务管理', '重点人员服务管理'],
  petitions: ['信访积案化解', '信访维稳', '重要节点信访', '领导干部接访下访', '初信初访办理'],
  market_regulation: ['食品安全', '特种设备安全', '农贸市场整治', '价格监督检查', '药品安全', '消费维权'],
  culture_tourism: ['旅游市场秩序整治', '农家书屋管理', '文化惠民演出', '非遗保护', 'A级景区创建', '文物安全'],
  housing: ['农村危房改造', '城镇老旧小区改造', '经营性自建房排查', '传统村落保护', '建筑施工安全', '城乡人居环境提升'],
  water: ['河长制', '农村饮水安全', '水库安全度汛', '水土保持', '小型水利工程管护', '河道采砂管理'],
  finance: ['惠民惠农财政补贴', '财政资金监管', '村级财务管理', '预算执行', '“三保”保障', '国有资产清查'],
  veterans: ['退役军人信息采集', '光荣牌悬挂', '优抚对象走访慰问', '退役军人就业创业', '双拥模范城创建'],
  ethnic_religious: ['民族团结进步示范创建', '宗教活动场所管理', '铸牢中华民族共同体意识', '民族节庆活动'],
  forestry: ['林长制', '森林防火', '古树名木保护', '国土绿化', '林业有害生物防治', '野生动物保护'],
  civilization: ['全国文明城市创建', '新时代文明实践', '移风易俗', '志愿服务', '文明村镇创建', '爱国卫生“7个专项行动”'],
  other: ['政务服务', '12345热线办理', '机关事务', '档案管理', '保密', '政务公开'],
};
