// Coordinator overview: burden-share heatmap (townships × months), top issuers, open/overdue flags by rule.
import { get } from '../api.js';
import { escapeHtml, fmtHours, fmtPct, h, loading, mount, notice, RULES, select, table, today } from '../ui.js';

const MONTHS = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
/** At most this many townships in the heatmap (the highest annual burden share first). */
const MAX_ROWS = 40;

export async function overviewPage({ root, user, query, isCurrent }) {
  const year = query.year || today().slice(0, 4);
  const years = [0, 1, 2].map((d) => String(Number(today().slice(0, 4)) - d));
  if (!years.includes(year)) years.push(year);
  const yearPicker = select('year', years.map((y) => [y, `${y} 年`]), year, {
    onchange: (e) => (location.hash = `#/overview?year=${e.target.value}`),
  });
  const heat = h('section', { class: 'card' }, h('h2', {}, '乡镇（街道）负担占比热力图'), h('div', { id: 'heatmap', class: 'chart' }, loading()));
  const issuers = h('section', { class: 'card' }, h('h2', {}, '发文单位负担排行（前十）'), loading());
  const flags = h('section', { class: 'card' }, h('h2', {}, '问题线索（按规则）'), loading());
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, '减负工作总览'), yearPicker), heat, h('div', { class: 'grid-2' }, issuers, flags));
  await Promise.all([
    renderHeatmap(heat, user, year, isCurrent).catch((e) => mount(heat, h('h2', {}, '负担占比热力图'), notice('error', e.message))),
    renderIssuers(issuers, year).catch((e) => issuers.append(notice('error', e.message))),
    renderFlags(flags).catch((e) => flags.append(notice('error', e.message))),
  ]);
}

/**
 * Twelve ranking requests (one per month, every township of the county in each) plus one for the
 * year's order: the request count does not grow with the number of townships, and each answer is
 * read from the rollups (the per-unit series endpoint would cost one request per township).
 */
async function renderHeatmap(section, user, year, isCurrent) {
  const base = { level: 'township', underId: user.orgUnitId, sort: 'burdenShare', order: 'desc' };
  const [annual, ...months] = await Promise.all([
    get('/metrics/units', { ...base, period: year, pageSize: MAX_ROWS }),
    ...MONTHS.map((m) => get('/metrics/units', { ...base, period: `${year}-${m}`, pageSize: 500 })),
  ]);
  if (!isCurrent()) return;
  const units = annual.items.map((r) => r.unit).reverse(); // highest share on top
  const chartBox = section.querySelector('#heatmap');
  if (!units.length) return mount(chartBox, notice('info', '辖区内没有乡镇（街道）级单位。'));
  const rowOf = new Map(units.map((u, i) => [u.id, i]));
  const data = [];
  let max = 0;
  months.forEach((res, col) => {
    for (const r of res.items) {
      if (!rowOf.has(r.unit.id) || r.burdenShare === null) continue;
      const pct = Math.round(r.burdenShare * 1000) / 10;
      max = Math.max(max, pct);
      data.push([col, rowOf.get(r.unit.id), pct, r.burdenHours]);
    }
  });
  const hint = h('p', { class: 'hint' }, `负担占比 = 负担工时 ÷ 可用工时（在编人数 × 工作日 × 8 小时）。点击格子查看该单位负担卡。${annual.total > MAX_ROWS ? `仅显示年度占比最高的 ${MAX_ROWS} 个单位（共 ${annual.total} 个）。` : ''}`);
  mount(chartBox, );
  chartBox.style.height = `${Math.max(320, units.length * 28 + 120)}px`;
  section.append(hint);
  const chart = window.echarts.init(chartBox, null, { renderer: 'canvas' });
  chart.setOption({
    animation: false,
    tooltip: {
      // ECharts renders the tooltip as HTML: the unit name is escaped.
      formatter: (p) => `${escapeHtml(units[p.value[1]].name)}<br/>${year}年${p.value[0] + 1}月：负担占比 ${p.value[2]}%<br/>负担工时 ${p.value[3]} 小时`,
    },
    grid: { left: 110, right: 20, top: 10, bottom: 90 },
    xAxis: { type: 'category', data: MONTHS.map((m) => `${Number(m)}月`), splitArea: { show: true } },
    yAxis: { type: 'category', data: units.map((u) => u.name), splitArea: { show: true } },
    visualMap: {
      dimension: 2, min: 0, max: Math.max(1, Math.ceil(max)), calculable: true, orient: 'horizontal', left: 'center', bottom: 0,
      text: ['高', '低'], formatter: (v) => `${Number(v).toFixed(0)}%`, inRange: { color: ['#f7fbff', '#fdd49e', '#fc8d59', '#d7301f', '#7f0000'] },
    },
    series: [{ name: '负担占比', type: 'heatmap', data, label: { show: units.length <= 20, formatter: (p) => `${p.value[2]}` }, emphasis: { itemStyle: { borderColor: '#333', borderWidth: 1 } } }],
  });
  chart.on('click', (p) => (location.hash = `#/units/${units[p.value[1]].id}?period=${year}-${MONTHS[p.value[0]]}`));
  const resize = () => chart.resize();
  window.addEventListener('resize', resize);
  window.addEventListener('hashchange', () => {
    window.removeEventListener('resize', resize);
    chart.dispose();
  }, { once: true });
  section.dataset.ready = 'true';
  section.dataset.cells = String(data.length);
}

async function renderIssuers(section, year) {
  const res = await get('/metrics/issuers', { period: year, sort: 'hoursImposed', pageSize: 10 });
  section.querySelector('.loading')?.remove();
  section.append(
    table(
      [
        { title: '发文单位', value: (r) => r.issuer.name },
        { title: '下达事项', value: (r) => r.demandsIssued, class: 'num' },
        { title: '施加工时', value: (r) => fmtHours(r.hoursImposed), class: 'num' },
        { title: '被标记占比', value: (r) => fmtPct(r.flaggedShare), class: 'num' },
      ],
      res.items,
      { onRow: (r) => (location.hash = `#/flags?issuerId=${r.issuer.id}`) },
    ),
  );
}

/** Counts only: one pageSize=1 request per (rule, open|overdue), reading `total`, never the rows. */
async function renderFlags(section) {
  const rules = Object.keys(RULES);
  const counts = await Promise.all(
    rules.map(async (rule) => {
      const [open, review, overdue] = await Promise.all([
        get('/flags', { rule, status: 'open', pageSize: 1 }),
        get('/flags', { rule, status: 'under_review', pageSize: 1 }),
        get('/flags', { rule, overdue: 'true', pageSize: 1 }),
      ]);
      return { rule, open: open.total, review: review.total, overdue: overdue.total };
    }),
  );
  const rows = counts.filter((c) => c.open + c.review + c.overdue > 0).sort((a, b) => b.open + b.review - (a.open + a.review));
  section.querySelector('.loading')?.remove();
  section.append(
    table(
      [
        { title: '规则', value: (r) => RULES[r.rule] },
        { title: '待审核', value: (r) => h('a', { href: `#/flags?rule=${r.rule}&status=open` }, r.open), class: 'num' },
        { title: '审核中', value: (r) => h('a', { href: `#/flags?rule=${r.rule}&status=under_review` }, r.review), class: 'num' },
        { title: '整改逾期', value: (r) => h('a', { href: `#/flags?rule=${r.rule}&overdue=true`, class: r.overdue ? 'warn' : undefined }, r.overdue), class: 'num' },
      ],
      rows,
      { empty: '没有待处理的问题线索。' },
    ),
  );
}
