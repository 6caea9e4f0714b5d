// The burden card of one unit: the period's figures, the monthly series and the forecast ahead.
import { get } from '../api.js';
import { fmtHours, fmtPct, h, KIND_LABELS, loading, mount, notice, select, table, today } from '../ui.js';

export async function unitCardPage({ root, user, params, query, isCurrent }) {
  const year = (query.period || today()).slice(0, 4);
  const period = query.period || year;
  const units = await get('/org-units', { underId: user.orgUnitId, kind: 'area', pageSize: 500 }).catch(() => ({ items: [] }));
  const unitId = params[0] ? Number(params[0]) : units.items.find((u) => u.level === 'township')?.id ?? user.orgUnitId;
  const picker = select('unit', units.items.map((u) => [u.id, `${'\u3000'.repeat(levelDepth(u.level))}${u.name}`]), unitId, {
    onchange: (e) => (location.hash = `#/units/${e.target.value}?period=${period}`),
  });
  const body = h('div', {}, loading());
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, '单位负担卡'), units.items.length ? picker : null), body);
  const [card, series, forecast] = await Promise.all([
    get(`/metrics/units/${unitId}`, { period }),
    get(`/metrics/units/${unitId}/series`, { from: `${year}-01`, to: `${year}-12` }),
    get(`/metrics/units/${unitId}/forecast`, { period: String(Number(year) + 1) }).catch(() => null),
  ]);
  if (!isCurrent()) return;
  const chartBox = h('div', { class: 'chart', id: 'series-chart', style: 'height:320px' });
  mount(body, 
    h('section', { class: 'card' },
      h('h2', {}, `${card.unit.name}（${period}）`),
      h('div', { class: 'kpis' },
        kpi('负担工时', fmtHours(card.burdenHours)),
        kpi('负担占比', fmtPct(card.burdenShare)),
        kpi('隐形负担', fmtHours(card.hiddenHours)),
        kpi('重复占比', fmtPct(card.duplicateShare)),
        kpi('超标占比', fmtPct(card.excessShare)),
        kpi('同级排位', card.percentile && card.percentile.value !== null ? `${Math.round(card.percentile.value)}%（共 ${card.percentile.among} 个）` : '—'),
      ),
      card.demands ? h('p', { class: 'hint' }, `事项 ${card.demands.demands} 项：`, Object.entries(card.demands.byKind || {}).map(([k, n]) => `${KIND_LABELS[k] || k} ${n}`).join('，'), `；发文单位 ${card.demands.distinctIssuers} 个。`) : null,
      card.flags ? h('p', { class: 'hint' }, `问题线索：待审核 ${card.flags.open}，审核中 ${card.flags.underReview}，已确认 ${card.flags.confirmed}，整改中 ${card.flags.rectifying}。`, user.role === 'reporter' ? null : h('a', { href: `#/flags?unitId=${unitId}` }, '查看')) : null,
    ),
    h('section', { class: 'card' }, h('h2', {}, `${year} 年逐月负担`), chartBox),
    forecast ? forecastView(forecast) : notice('info', '暂无预测。'),
  );
  drawSeries(chartBox, series, forecast);
}

function levelDepth(level) {
  return { province: 0, prefecture: 0, county: 0, township: 1, village: 2 }[level] ?? 0;
}

function kpi(label, value) {
  return h('div', { class: 'kpi' }, h('span', { class: 'kpi-label' }, label), h('strong', {}, value));
}

function drawSeries(box, series, forecast) {
  const items = series.items || [];
  const ahead = forecast ? forecast.months : [];
  const months = [...items.map((i) => i.period), ...ahead.map((m) => m.month)];
  const chart = window.echarts.init(box);
  chart.setOption({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0, data: ['估算工时', '填报工时', '负担工时', '预测工时'] },
    grid: { left: 50, right: 16, top: box.clientWidth < 520 ? 80 : 50, bottom: 30 }, // the legend wraps on a phone
    xAxis: { type: 'category', data: months },
    yAxis: { type: 'value', name: '小时' },
    series: [
      { name: '估算工时', type: 'bar', data: items.map((i) => i.estimatedHours) },
      { name: '填报工时', type: 'bar', data: items.map((i) => i.reportedHours) },
      { name: '负担工时', type: 'line', data: items.map((i) => i.burdenHours) },
      { name: '预测工时', type: 'line', lineStyle: { type: 'dashed' }, data: [...items.map(() => null), ...ahead.map((m) => m.forecastHours)] },
    ],
  });
  window.addEventListener('hashchange', () => chart.dispose(), { once: true });
}

function forecastView(f) {
  return h(
    'section',
    { class: 'card' },
    h('h2', {}, `负担预测（${f.inputs.period}）`),
    h('p', { class: 'hint' }, `根据已登记事项和已批准的督查检查计划测算，截至 ${f.inputs.asOf}。预计 ${fmtHours(f.totals.forecastHours)}，占可用工时 ${fmtPct(f.totals.burdenShare)}。`),
    table(
      [
        { title: '季度', value: (q) => q.quarter },
        { title: '督查检查上限', value: (q) => q.limit, class: 'num' },
        { title: '已登记', value: (q) => q.registered, class: 'num' },
        { title: '计划中', value: (q) => q.planned, class: 'num' },
        { title: '是否超限', value: (q) => (q.exceeds ? h('span', { class: 'warn' }, `超出 ${q.excess} 次`) : '否') },
      ],
      (f.quota && f.quota.quarters) || [],
    ),
  );
}
