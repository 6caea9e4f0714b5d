// Issuer: preview a demand (report, meeting, inspection, document) before sending it: the flags it
// would raise, the data the targets already gave (once-only), the budget left; then send it.
import { get, post } from '../api.js';
import { act, field, fmtHours, formValues, h, mount, notice, select, table, today } from '../ui.js';

export async function previewPage({ root, user }) {
  const [unit, topics] = await Promise.all([get(`/org-units/${user.orgUnitId}`), get('/topics', { pageSize: 500 })]);
  const areaId = unit.kind === 'department' ? unit.parentId : unit.id;
  const levels = unit.level === 'county' ? [['township', '乡镇（街道）'], ['village', '村（社区）']] : [['village', '村（社区）']];
  const slot = h('div', { class: 'slot' });
  const result = h('div', { id: 'preview-result' });
  const previewButton = h('button', { type: 'submit', class: 'secondary' }, '预检');
  const sendButton = h('button', { type: 'button', class: 'primary', disabled: true }, '确认下达');
  const kindFields = {
    report: field('报表字段', h('textarea', { name: 'fields', rows: 3, placeholder: '每行一个字段，如 户籍人口（人）' })),
    meeting: h('div', { class: 'grid-2' },
      field('会议时长（分钟）', h('input', { type: 'number', name: 'durationMinutes', min: '1', step: '1' })),
      field('每单位参会人数', h('input', { type: 'number', name: 'attendeesPerTarget', min: '1', step: '1' }))),
    inspection: field('现场天数', h('input', { type: 'number', name: 'onSiteDays', min: '0.5', step: '0.5' })),
    document: field('文件字数', h('input', { type: 'number', name: 'charCount', min: '1', step: '1' })),
  };
  const kind = select('kind', [['report', '报表'], ['meeting', '会议'], ['inspection', '督查检查'], ['document', '文件']], 'report', {
    onchange: () => showKind(),
  });
  const dueLabel = h('span', { class: 'field-label' }, '截止日期');
  const showKind = () => {
    for (const [k, el] of Object.entries(kindFields)) el.hidden = k !== kind.value;
    dueLabel.textContent = kind.value === 'meeting' || kind.value === 'inspection' ? '举行 / 检查日期' : '截止日期';
  };
  const form = h(
    'form',
    { class: 'stack card' },
    field('类型', kind),
    field('标题', h('input', { name: 'title', required: true, placeholder: '关于报送……情况的通知' })),
    field('主题', select('topic', topics.items.map((t) => [t.code, t.name]), topics.items[0] && topics.items[0].code)),
    field('依据', h('input', { name: 'basis', placeholder: '文件或规定' })),
    h('div', { class: 'grid-2' },
      field('下达日期', h('input', { type: 'date', name: 'issuedOn', required: true, value: today() })),
      h('label', { class: 'field' }, dueLabel, h('input', { type: 'date', name: 'dueOn', required: true }))),
    field('下达对象', select('level', levels, levels[0][0]), '辖区内该层级的全部单位'),
    Object.values(kindFields),
    field('每单位每次估算工时（小时，可不填）', h('input', { type: 'number', name: 'estimatedHoursPerTarget', min: '0', step: '0.25' }), '不填则按政策标准工时测算'),
    slot,
    h('div', { class: 'buttons' }, previewButton, sendButton),
  );
  showKind();
  const body = () => {
    const v = formValues(form);
    const base = {
      kind: v.kind, title: v.title.trim(), topic: v.topic, issuedOn: v.issuedOn,
      ...(v.basis.trim() ? { basis: v.basis.trim() } : {}), targetScopes: [{ underId: areaId, level: v.level }],
      ...(v.estimatedHoursPerTarget ? { estimatedHoursPerTarget: Number(v.estimatedHoursPerTarget) } : {}),
    };
    switch (v.kind) {
      case 'meeting':
        return { ...base, startsOn: v.dueOn, durationMinutes: Number(v.durationMinutes), attendeesPerTarget: Number(v.attendeesPerTarget) };
      case 'inspection':
        return { ...base, startsOn: v.dueOn, onSiteDays: Number(v.onSiteDays) };
      case 'document':
        return { ...base, dueOn: v.dueOn, charCount: Number(v.charCount) };
      default:
        return { ...base, dueOn: v.dueOn, fields: v.fields.split(/\n|,|，|、/).map((x) => x.trim()).filter(Boolean) };
    }
  };
  form.addEventListener('input', () => (sendButton.disabled = true));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(previewButton, slot, async () => {
      const p = await post('/demands/preview', body());
      mount(result, previewView(p));
      sendButton.disabled = false;
    });
  });
  sendButton.addEventListener('click', () =>
    act(sendButton, slot, async () => {
      const d = await post('/demands', body());
      mount(result, notice('success', `已下达，登记编号 ${d.registrationNo}。请将编号印在通知上。`));
      sendButton.disabled = true;
    }),
  );
  mount(root, h('h1', {}, '下达前预检'), h('p', { class: 'hint' }, '下达前先预检：可能触发的问题、基层已提供过的数据、总量预算；确认无误后再下达，系统生成登记编号。'), form, result);
}

function previewView(p) {
  const byRule = new Map();
  for (const f of p.flags) byRule.set(f.ruleTitle, [...(byRule.get(f.ruleTitle) || []), f]);
  return h(
    'div',
    {},
    h('section', { class: 'card' },
      h('h2', {}, '估算'),
      h('p', {}, `对象 ${p.estimate.targetCount} 个单位，每个 ${fmtHours(p.estimate.estimatedHoursPerTarget)}，合计 ${fmtHours(p.estimate.totalHours)}。`),
      p.budget ? h('p', {}, p.budget.budgetHours === null ? `本年已施加 ${fmtHours(p.budget.imposedHours)}（未设总量预算）。` : `本年预算 ${fmtHours(p.budget.budgetHours)}，已用 ${fmtHours(p.budget.imposedHours)}，剩余 ${fmtHours(p.budget.remainingHours)}。`) : null),
    h('section', { class: 'card' },
      h('h2', {}, `可能触发的问题（${p.flags.length} 条）`),
      p.flags.length ? [...byRule.entries()].map(([rule, list]) => h('div', { class: 'preview-flag' }, h('strong', {}, `${rule}（${list.length}）`), h('p', {}, list[0].explanation))) : notice('success', '未发现问题。')),
    h('section', { class: 'card' },
      h('h2', {}, '基层已提供过的数据（一次采集、多方共享）'),
      table([
        { title: '单位', value: (u) => u.unitName },
        { title: '已提供字段', value: (u) => u.fields.map((f) => `${f.fieldKey}（${f.providedTo[0] ? f.providedTo[0].issuerName : ''}）`).join('；') },
      ], p.onceOnly || [], { empty: '无重复字段。' })),
  );
}
