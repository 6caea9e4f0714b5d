import { readFileSync } from 'node:fs';
import { Rng } from './prng';

/**
 * Report fields. A *datum* is one number a form asks for; it has a canonical name, the variant
 * names of data/field-synonyms.json (户籍总人口 for 户籍人口…) and a unit. A report asks for
 * data and writes each one as people write it: canonical or variant, bare, with its unit in
 * brackets (full or half width) or with a 数/总数 suffix — so the same datum arrives under many
 * surface names, which is what the field dictionary and DUPLICATE_DATA_REQUEST must see through.
 */

export interface Datum {
  /** Index in the pool: stable within a run, what "the same datum" means for the generator. */
  id: number;
  names: string[];
  unit: string;
}

/** Units of the synonym groups of data/field-synonyms.json (by group key). */
const GROUP_UNITS: Record<string, string> = {
  户籍人口: '人', 户籍户: '户', 常住人口: '人', 实有人口: '人', 流动人口: '人', 地区生产总值: '万元',
  一般公共预算收入: '万元', 农村居民人均可支配收入: '元', 城镇居民人均可支配收入: '元', 耕地面积: '亩',
  永久基本农田面积: '亩', 粮食播种面积: '亩', 粮食产量: '吨', 低保户: '户', 低保对象: '人', 特困人员: '人',
  脱贫户: '户', 脱贫人口: '人', 防止返贫监测对象: '户', 残疾人: '人', '60岁以上老年人': '人', 党员: '人',
  行政村: '个', 村民小组: '个', 规模以上工业企业: '家', 规模以上工业增加值: '万元', 社会消费品零售总额: '万元',
  城镇登记失业率: '%', 城镇新增就业: '人', 农村劳动力转移就业: '人', 城乡居民基本养老保险参保: '人',
  城乡居民基本医疗保险参保: '人', 农民专业合作社: '个', 村集体经济收入: '万元', 承包耕地流转面积: '亩',
  生产安全事故: '起', 在校生: '人', 卫生技术人员: '人',
};

/** `name|unit`; a name that is a synonym-group key takes the group's variants. */
const TOPIC_FIELDS: Record<string, readonly string[]> = {
  work_safety: ['安全隐患排查|处', '重大事故隐患|处', '隐患整改完成|处', '隐患整改率|%', '安全生产检查次数|次', '出动检查人员|人次', '生产经营单位|家', '停产整顿企业|家', '安全培训|人次', '危险化学品企业|家', '非煤矿山|座', '生产安全事故|起', '事故死亡人数|人', '应急演练次数|次', '燃气用户|户', '自建房排查|栋'],
  ecology: ['河湖巡查次数|次', '生活垃圾清运量|吨', '农村生活污水治理率|%', '黑臭水体|条', '秸秆综合利用率|%', '畜禽粪污资源化利用率|%', '入河排污口|个', '环境信访件|件', '大气污染源排查|个', '农村卫生户厕改造|户', '生活垃圾处理设施|个', '饮用水水源地|个'],
  rural_revitalization: ['脱贫户|', '脱贫人口|', '防止返贫监测对象|', '农村居民人均可支配收入|', '村集体经济收入|', '帮扶项目|个', '衔接资金|万元', '产业帮扶覆盖户|户', '务工脱贫劳动力|人', '公益性岗位|个', '驻村工作队员|人', '易地扶贫搬迁人口|人', '脱贫人口小额信贷|户', '农村劳动力转移就业|', '危房改造|户'],
  party_building: ['党员|', '基层党组织|个', '预备党员|人', '发展党员|人', '入党积极分子|人', '村（社区）“两委”成员|人', '流动党员|人', '党费收缴金额|元', '主题党日活动次数|次', '“三会一课”开展次数|次', '软弱涣散党组织|个', '党员教育培训|人次', '村务监督委员会成员|人', '行政村|'],
  education: ['在校生|', '专任教师|人', '学校|所', '控辍保学劝返|人', '农村留守儿童|人', '学前三年毛入园率|%', '营养改善计划受益学生|人', '义务教育巩固率|%', '校舍面积|平方米', '寄宿制学生|人', '家庭经济困难学生资助|人', '校车|辆', '适龄残疾儿童入学|人'],
  health: ['卫生技术人员|', '家庭医生签约|人', '孕产妇|人', '0-6岁儿童健康管理|人', '65岁以上老年人健康管理|人', '高血压患者规范管理|人', '糖尿病患者规范管理|人', '严重精神障碍患者|人', '村卫生室|个', '乡村医生|人', '疫苗接种|人次', '出生人口|人', '死亡人口|人', '城乡居民基本医疗保险参保|'],
  civil_affairs: ['低保户|', '低保对象|', '特困人员|', '残疾人|', '60岁以上老年人|', '临时救助|人次', '孤儿|人', '事实无人抚养儿童|人', '农村留守老年人|人', '养老机构|个', '养老床位|张', '高龄津贴发放|人', '困难残疾人生活补贴|人', '重度残疾人护理补贴|人', '村（居）民委员会|个'],
  statistics: ['户籍人口|', '常住人口|', '户籍户|', '地区生产总值|', '规模以上工业企业|', '规模以上工业增加值|', '社会消费品零售总额|', '固定资产投资额|万元', '一般公共预算收入|', '城镇居民人均可支配收入|', '农村居民人均可支配收入|', '个体工商户|户', '法人单位|个', '出生率|‰', '城镇化率|%'],
  agriculture: ['耕地面积|', '永久基本农田面积|', '粮食播种面积|', '粮食产量|', '农民专业合作社|', '承包耕地流转面积|', '家庭农场|个', '生猪存栏|头', '生猪出栏|头', '牛存栏|头', '烤烟种植面积|亩', '高标准农田建设面积|亩', '农业机械总动力|千瓦', '化肥施用量|吨', '撂荒地整治面积|亩'],
  emergency: ['自然灾害受灾人口|人', '紧急转移安置人口|人', '倒塌房屋|间', '直接经济损失|万元', '应急物资储备点|个', '应急救援队伍|支', '灾害信息员|人', '地质灾害隐患点|个', '森林火灾|起', '应急避难场所|个', '防汛值班|人次', '应急演练次数|次'],
  natural_resources: ['耕地面积|', '永久基本农田面积|', '违法占地|宗', '违法占地面积|亩', '卫片执法图斑|个', '宅基地审批|宗', '耕地“非农化”图斑|个', '地质灾害隐患点|个', '不动产登记|件', '矿山|座', '土地整治面积|亩'],
  social_security: ['城乡居民基本养老保险参保|', '城镇新增就业|', '城镇登记失业率|', '农村劳动力转移就业|', '失业保险参保|人', '工伤保险参保|人', '职业技能培训|人次', '公益性岗位安置|人', '拖欠农民工工资案件|件', '欠薪金额|万元', '领取养老金|人', '社会保障卡持卡|人'],
  social_stability: ['矛盾纠纷排查|件', '矛盾纠纷化解|件', '矛盾纠纷化解率|%', '专职网格员|人', '网格|个', '重点人员|人', '社区矫正对象|人', '刑满释放人员|人', '治安案件|起', '刑事案件|起', '人民调解员|人', '禁毒宣传|人次', '吸毒人员|人', '实有人口|', '流动人口|'],
  petitions: ['信访件|件', '来访|人次', '集体访|批次', '越级访|批次', '信访事项办结率|%', '信访积案|件', '化解信访积案|件', '领导接访次数|次', '网上信访|件', '重复访|件'],
  market_regulation: ['市场主体|户', '个体工商户|户', '食品生产经营单位|家', '食品抽检|批次', '特种设备|台', '投诉举报|件', '价格检查次数|次', '药品零售企业|家', '农贸市场|个', '商贸企业|家'],
  culture_tourism: ['接待游客|万人次', '旅游收入|亿元', 'A级景区|个', '农家书屋|个', '文艺演出|场次', '非物质文化遗产项目|项', '星级饭店|家', '旅行社|家', '民宿|家', '村综合文化服务中心|个'],
  housing: ['农村危房|户', '自建房|栋', '经营性自建房|栋', '城镇老旧小区改造|个', '保障性住房|套', '建筑施工企业|家', '在建工地|个', '燃气用户|户', '物业小区|个', '传统村落|个', '农房抗震改造|户'],
  water: ['水库|座', '河道|条', '河长|人', '农村集中供水工程|处', '农村自来水普及率|%', '农村饮水安全人口|人', '水土流失治理面积|平方公里', '有效灌溉面积|亩', '小坝塘|座', '河道采砂点|个'],
  finance: ['一般公共预算收入|', '一般公共预算支出|万元', '村级组织运转经费|万元', '“三保”支出|万元', '政府债务余额|万元', '惠民惠农补贴发放金额|万元', '补贴发放|人次', '专项资金|万元', '村级债务|万元', '国有资产|万元'],
  veterans: ['退役军人|人', '优抚对象|人', '烈士遗属|人', '伤残军人|人', '退役军人服务站|个', '悬挂光荣牌|户', '帮扶援助|人次', '退役军人就业|人', '现役军人家属|户'],
  ethnic_religious: ['少数民族人口|人', '宗教活动场所|处', '宗教教职人员|人', '信教群众|人', '民族团结进步示范村|个', '少数民族聚居村|个', '民族节庆活动次数|次', '双语教师|人'],
  forestry: ['森林面积|亩', '森林覆盖率|%', '林长|人', '生态护林员|人', '营造林面积|亩', '林业有害生物防治面积|亩', '古树名木|株', '森林火灾|起', '野生动物救护|只', '集体林地|亩', '公益林面积|亩'],
  civilization: ['注册志愿者|人', '志愿服务时长|小时', '新时代文明实践站|个', '道德模范|人', '移风易俗活动次数|次', '红白理事会|个', '文明村镇|个', '文明家庭|户', '村规民约修订|个'],
  other: ['政务服务办件量|件', '12345热线工单|件', '网上办理率|%', '在编在岗人员|人', '借调人员|人', '公务用车|辆', '电子证照|个', '政务公开信息|条'],
};

/** Data most issuers ask again and again whatever their topic (基础数据). */
const BASE_FIELDS = ['户籍人口', '户籍户', '常住人口', '行政村', '村民小组', '60岁以上老年人', '残疾人', '脱贫户', '党员', '耕地面积', '低保对象', '流动人口'];

/** What a form measures about its subject: `燃气安全专项整治` + `排查隐患` = one datum. */
const MEASURES = [
  '排查点位|个', '排查隐患|处', '整改完成|处', '整改率|%', '宣传场次|场', '宣传覆盖|人次', '培训|人次', '出动人员|人次',
  '投入资金|万元', '涉及农户|户', '覆盖人口|人', '开展活动|次', '检查次数|次', '发现问题|个', '问题整改|个', '建立台账|本',
  '签订责任书|份', '召开会议|次', '印发文件|份', '报送信息|条', '走访入户|户', '受益群众|人', '完成进度|%', '参与干部|人',
  '组建队伍|支', '设置点位|个', '发放资料|份', '约谈|人次', '立案查处|件', '移交线索|条', '举办培训班|期', '验收合格|个',
  '摸排对象|人', '建立档案|份', '录入系统|条', '上传照片|张', '现场核查|次', '督促整改|项', '通报批评|次', '追责问责|人',
  '群众满意率|%', '举报投诉|件', '受理|件', '办结|件', '回访|人次', '应急演练|次', '储备物资|件', '派出工作组|个',
  '驻点干部|人', '结对帮扶|户', '落实资金|万元', '拨付资金|万元', '实施项目|个', '完成投资|万元', '建成示范点|个', '张贴标语|条',
  '悬挂横幅|条', '入户宣传|户', '签订承诺书|份', '志愿者参与|人次', '动态调整|户', '查处案件|件',
];

/** Units after which a 数/总数 suffix reads naturally (counts). */
const COUNT_UNITS = new Set(['人', '户', '个', '家', '所', '起', '件', '处', '座', '名', '支', '张', '条', '台', '头', '株', '栋', '套', '项', '宗', '只', '间', '辆']);

export interface FieldSynonyms {
  groups: Record<string, { variants: string[] }>;
}

export class FieldPool {
  readonly data: Datum[] = [];
  private readonly byName = new Map<string, Datum>();
  readonly byTopic = new Map<string, Datum[]>();
  readonly base: Datum[];
  private readonly bySubject = new Map<string, Datum>();

  constructor(synonymsFile: string, topicCodes: readonly string[]) {
    const synonyms = JSON.parse(readFileSync(synonymsFile, 'utf8')) as FieldSynonyms;
    for (const [key, group] of Object.entries(synonyms.groups)) {
      this.add(key, group.variants, GROUP_UNITS[key] ?? '');
    }
    for (const topic of topicCodes) {
      const entries = TOPIC_FIELDS[topic];
      if (!entries) throw new Error(`No report fields for topic ${topic}`);
      const list: Datum[] = [];
      for (const entry of entries) {
        const [name, unit] = entry.split('|');
        list.push(this.byName.get(name) ?? this.add(name, [], unit));
      }
      this.byTopic.set(topic, list);
    }
    this.base = BASE_FIELDS.map((name) => {
      const d = this.byName.get(name);
      if (!d) throw new Error(`Base field ${name} is not a synonym group`);
      return d;
    });
  }

  private add(name: string, variants: string[], unit: string): Datum {
    const datum: Datum = { id: this.data.length, names: [name, ...variants], unit };
    this.data.push(datum);
    this.byName.set(name, datum);
    return datum;
  }

  /**
   * `count` distinct data for a report on `subject` (a topic's subject, catalogue.ts): most are
   * the subject's own measures (燃气安全专项整治排查隐患数…), a few (`shared`) are data many
   * forms ask for — the topic's standing data and the base data (户籍人口, 脱贫户…).
   */
  choose(rng: Rng, topic: string, subject: string, count: number, shared: number): Datum[] {
    const chosen = new Map<number, Datum>();
    const own = this.byTopic.get(topic) ?? [];
    const fromBase = rng.int(0, Math.min(2, shared));
    for (const d of rng.sample(own, shared - fromBase)) chosen.set(d.id, d);
    for (const d of rng.sample(this.base, shared - chosen.size)) chosen.set(d.id, d);
    for (const measure of rng.sample(MEASURES, count - chosen.size)) {
      const d = this.subjectDatum(subject, measure);
      chosen.set(d.id, d);
    }
    return [...chosen.values()];
  }

  /** Topic and base data only (what echo reports add to what they copy). */
  chooseShared(rng: Rng, topic: string, count: number): Datum[] {
    return rng.sample([...(this.byTopic.get(topic) ?? []), ...this.base], count);
  }

  private subjectDatum(subject: string, measure: string): Datum {
    const key = `${subject}|${measure}`;
    let d = this.bySubject.get(key);
    if (!d) {
      const [name, unit] = measure.split('|');
      d = { id: this.data.length, names: [`${subject}${name}`], unit };
      this.data.push(d);
      this.bySubject.set(key, d);
    }
    return d;
  }

  /** How a form writes the datum this time. Never contains `;` (the list separator of the import). */
  render(rng: Rng, datum: Datum): string {
    const name = datum.names.length > 1 && rng.chance(0.35) ? rng.pick(datum.names.slice(1)) : datum.names[0];
    const x = rng.next();
    if (datum.unit !== '' && x < 0.3) return `${name}（${datum.unit}）`;
    if (datum.unit !== '' && x < 0.42) return `${name}(${datum.unit})`;
    if (COUNT_UNITS.has(datum.unit) && !/[数率]$/.test(name) && x < 0.55) return `${name}${rng.chance(0.7) ? '数' : '总数'}`;
    return name;
  }
}
