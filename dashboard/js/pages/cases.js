// Inspector: typical cases (典型案例) — the list, one case with its frozen evidence, a new case from confirmed flags.
import { get, request } from '../api.js';
import { act, CASE_STATUS_LABELS, fmtDate, fmtHours, field, formValues, h, loading, mount, notice, pager, select, table, today } from '../ui.js';

const HANDLING_TYPES = [
  '批评教育', '责令检查', '诫勉', '通报批评', '责令整改', '组织调整', '党内警告', '党内严重警告', '撤销党内职务', '留党察看', '开除党籍',
  '政务警告', '政务记过', '政务记大过', '政务降级', '政务撤职', '政务开除', '立案审查调查',
];

export async function casesPage({ root, query, isCurrent }) {
  const page = Number(query.page || 1);
  const status = query.status || '';
  const list = h('div', {}, loading());
  mount(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, '典型案例'),
      select('status', [['', '全部'], ...Object.entries(CASE_STATUS_LABELS)], status, { onchange: (e) => (location.hash = `#/cases?status=${e.target.value}`) })),
    list,
    h('section', { class: 'card', id: 'new-case' }, h('h2', {}, '由已确认的问题线索新建案例'), loading()),
  );
  const res = await get('/cases', { status, page, pageSize: 20 });
  if (!isCurrent()) return;
  mount(list, 
    table(
      [
        { title: '编号', value: (c) => h('a', { href: `#/cases/${c.id}` }, `#${c.id}`) },
        { title: '标题', value: (c) => c.title },
        { title: '类别', value: (c) => c.category },
        { title: '发文单位', value: (c) => (c.issuer ? c.issuer.name : '—') },
        { title: '状态', value: (c) => CASE_STATUS_LABELS[c.status] || c.status },
        { title: '处理日期', value: (c) => fmtDate(c.handlingOn) },
      ],
      res.items,
      { empty: '暂无典型案例。', onRow: (c) => (location.hash = `#/cases/${c.id}`) },
    ),
    pager(res, (p) => (location.hash = `#/cases?status=${status}&page=${p}`)),
  );
  await newCaseForm(root.querySelector('#new-case'));
}

async function newCaseForm(section) {
  const flags = await get('/flags', { status: 'confirmed', pageSize: 50 });
  const slot = h('div', { class: 'slot' });
  const boxes = flags.items.map((f) => h('input', { type: 'checkbox', name: 'flagId', value: String(f.id) }));
  const title = h('input', { name: 'title', placeholder: '如 某县某局多头索要报表、层层加码，加重基层负担' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '新建案例（草稿）');
  const form = h(
    'form',
    { class: 'stack' },
    flags.items.length
      ? h('ul', { class: 'confirm-list' }, flags.items.map((f, i) => h('li', {}, h('label', { class: 'check' }, boxes[i], h('span', {}, `#${f.id} ${f.ruleTitle}：${f.demandTitle || '—'}`, h('small', {}, `${f.issuerName || ''} → ${f.unitName || ''}`))))))
      : notice('info', '暂无已确认的问题线索。'),
    field('案例标题', title),
    slot,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      const flagIds = boxes.filter((b) => b.checked).map((b) => Number(b.value));
      if (!flagIds.length) throw new Error('请至少选择一条已确认的问题线索。');
      if (!title.value.trim()) throw new Error('请填写案例标题。');
      const created = await request('POST', '/cases', { flagIds, title: title.value.trim() });
      location.hash = `#/cases/${created.id}`;
    });
  });
  mount(section, h('h2', {}, '由已确认的问题线索新建案例'), form);
}

export async function caseDetailPage({ root, params, isCurrent }) {
  mount(root, loading());
  const c = await get(`/cases/${params[0]}`);
  if (!isCurrent()) return;
  const t = c.totals || {};
  mount(
    root,
    h('p', {}, h('a', { href: '#/cases' }, '← 返回列表')),
    h('div', { class: 'page-head' }, h('h1', {}, c.title), h('span', { class: 'badge' }, CASE_STATUS_LABELS[c.status] || c.status)),
    h('section', { class: 'card' },
      h('dl', { class: 'facts' },
        h('dt', {}, '类别'), h('dd', {}, c.category),
        h('dt', {}, '发文单位'), h('dd', {}, c.issuer ? c.issuer.name : '—'),
        h('dt', {}, '涉及单位'), h('dd', {}, c.unit ? c.unit.name : '—'),
        h('dt', {}, '问题期间'), h('dd', {}, `${fmtDate(c.conductFrom)} 至 ${fmtDate(c.conductTo)}`),
        h('dt', {}, '证据'), h('dd', {}, `问题线索 ${t.flags ?? '—'} 条，事项 ${t.demands ?? '—'} 项，涉及 ${t.affectedUnits ?? '—'} 个单位，负担 ${fmtHours((t.burdenMinutes || 0) / 60)}`),
        h('dt', {}, '证据固定'), h('dd', {}, `${c.evidence ? c.evidence.frozenAt : '—'}（摘要 ${String(c.evidenceHash).slice(0, 12)}…）`),
        h('dt', {}, '处理'), h('dd', {}, `${c.handlingType || '—'} ${fmtDate(c.handlingOn)} ${c.handlingNote || ''}`)),
      c.facts ? [h('h2', {}, '主要事实'), h('p', {}, c.facts)] : null,
      c.provision ? [h('h2', {}, '违反规定'), h('p', {}, c.provision)] : null),
    c.status === 'draft' ? finaliseForm(c) : null,
    c.evidence ? h('section', { class: 'card' }, h('h2', {}, '固定的问题线索'),
      table([
        { title: '线索', value: (f) => `#${f.id}` },
        { title: '规则', value: (f) => f.ruleTitle },
        { title: '单位', value: (f) => (f.unit ? f.unit.name : '—') },
        { title: '日期', value: (f) => fmtDate(f.landsOn) },
        { title: '说明', value: (f) => f.explanation },
      ], c.evidence.flags || [])) : null,
  );
}

function finaliseForm(c) {
  const slot = h('div', { class: 'slot' });
  const submit = h('button', { type: 'submit', class: 'primary' }, '定稿（进入通报）');
  const form = h(
    'form',
    { class: 'stack card', id: 'finalise' },
    h('h2', {}, '完善并定稿'),
    field('主要事实', h('textarea', { name: 'facts', rows: 4, required: true }, c.facts || '')),
    field('违反规定', h('input', { name: 'provision', required: true, value: c.provision || '《整治形式主义为基层减负若干规定》' })),
    field('处理类型', select('handlingType', HANDLING_TYPES.map((x) => [x, x]), c.handlingType || HANDLING_TYPES[0])),
    field('处理日期', h('input', { type: 'date', name: 'handlingOn', required: true, value: c.handlingOn || today(), max: today() })),
    slot,
    submit,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      const v = formValues(form);
      await request('PATCH', `/cases/${c.id}`, { facts: v.facts, provision: v.provision, handlingType: v.handlingType, handlingOn: v.handlingOn, status: 'final', version: c.version });
      window.dispatchEvent(new HashChangeEvent('hashchange'));
    });
  });
  return form;
}
