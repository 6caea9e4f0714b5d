// One-screen confirmation of a month's hours: every unreported demand of the month at its estimate.
import { getAll, post } from '../api.js';
import { act, fmtHours, formValues, h, KIND_LABELS, loading, mount, notice, select, thisMonth } from '../ui.js';
import { demandsLandingIn, reportingUnits, unitPicker } from '../reporter-units.js';

export async function confirmPage({ root, user, query, isCurrent }) {
  const month = query.month || thisMonth();
  const units = await reportingUnits(user);
  const unitId = Number(query.unitId || user.orgUnitId);
  const nav = (changes) => (location.hash = `#/confirm?${new URLSearchParams({ unitId, month, ...changes })}`);
  const body = h('div', {}, loading());
  // A list of recent months in Chinese rather than <input type=month>, whose look depends on the phone's locale.
  const months = recentMonths(thisMonth(), 24);
  if (!months.includes(month)) months.push(month);
  const monthInput = select('month', months.map((m) => [m, `${m.slice(0, 4)} 年 ${Number(m.slice(5))} 月`]), month, { onchange: (e) => nav({ month: e.target.value }) });
  mount(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, '确认本月工时'), unitPicker(units, unitId, (id) => nav({ unitId: id }))),
    h('p', { class: 'hint' }, '按每项事项的估算工时一次性确认；实际耗时明显不同的，请逐项填报。'),
    h('label', { class: 'field inline' }, h('span', { class: 'field-label' }, '月份'), monthInput),
    body,
  );
  const [demands, reports] = await Promise.all([
    demandsLandingIn(unitId, month),
    getAll('/burden-reports', { unitId, month, shadow: 'false' }, 5000),
  ]);
  if (!isCurrent()) return;
  const reported = new Set(reports.map((r) => r.demandId));
  const open = demands.filter((d) => !reported.has(d.id));
  const slot = h('div', { class: 'slot', id: 'confirm-result' });
  if (!open.length) {
    mount(body, notice('success', `${month} 的 ${demands.length} 项事项均已填报（已填报 ${reports.length} 份）。`));
    return;
  }
  const boxes = open.map((d) => h('input', { type: 'checkbox', name: 'demandId', value: String(d.id), checked: true }));
  const total = () => open.reduce((s, d, i) => s + (boxes[i].checked ? Number(d.estimatedHoursPerTarget || 0) * d.occurrencesInMonth : 0), 0);
  const sum = h('strong', { id: 'confirm-total' });
  const refresh = () => (sum.textContent = `已选 ${boxes.filter((b) => b.checked).length} 项，估算合计 ${fmtHours(total())}`);
  const button = h('button', { type: 'button', class: 'primary wide', id: 'confirm-submit' }, '确认以上工时');
  button.addEventListener('click', () =>
    act(button, slot, async () => {
      const demandIds = boxes.filter((b) => b.checked).map((b) => Number(b.value));
      if (!demandIds.length) throw new Error('请至少选择一项。');
      const res = await post('/burden-reports/confirm', { unitId, month, demandIds });
      const hours = res.items.reduce((s, r) => s + r.hoursSpent, 0);
      mount(body, notice('success', `已确认 ${res.items.length} 项，共 ${fmtHours(hours)}。`));
    }),
  );
  mount(body, 
    h('p', {}, `${month} 共 ${demands.length} 项事项，已填报 ${reported.size} 项，待确认 ${open.length} 项：`),
    h('ul', { class: 'confirm-list', onchange: refresh },
      open.map((d, i) => h('li', { dataset: { demand: String(d.id) } }, h('label', { class: 'check' }, boxes[i],
        h('span', {}, h('span', { class: `kind kind-${d.kind}` }, KIND_LABELS[d.kind] || d.kind), ' ', d.title,
          h('small', {}, `${d.issuerName} · 每次估算 ${fmtHours(d.estimatedHoursPerTarget)}${d.occurrencesInMonth > 1 ? ` × 本月 ${d.occurrencesInMonth} 次` : ''}`))),
        actualHoursForm(d, unitId, month, boxes[i], refresh)))),
    h('div', { class: 'sticky-bar' }, sum, button),
    slot,
  );
  refresh();
}

function recentMonths(last, count) {
  const [y, m] = last.split('-').map(Number);
  return Array.from({ length: count }, (_, i) => new Date(Date.UTC(y, m - 1 - i, 1)).toISOString().slice(0, 7));
}

/**
 * Hours that differ from the estimate are filed one demand at a time (POST /burden-reports); the
 * demand then leaves the batch. Reported at twice the estimate or more, it raises HIDDEN_BURDEN.
 */
function actualHoursForm(d, unitId, month, box, refresh) {
  const slot = h('div', { class: 'slot' });
  const submit = h('button', { type: 'submit', class: 'primary small' }, '提交实际工时');
  const form = h(
    'form',
    { class: 'actual-hours', hidden: true },
    h('div', { class: 'inline-fields' },
      h('label', {}, '耗时（小时）', h('input', { type: 'number', name: 'hoursSpent', min: '0', step: '0.25', required: true, inputmode: 'decimal' })),
      h('label', {}, '其中加班', h('input', { type: 'number', name: 'overtimeHours', min: '0', step: '0.25', inputmode: 'decimal' })),
      h('label', {}, '参与人数', h('input', { type: 'number', name: 'staffInvolved', min: '1', step: '1', inputmode: 'numeric' }))),
    submit,
    slot,
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      const v = formValues(form);
      const body = { unitId, demandId: d.id, month, hoursSpent: Number(v.hoursSpent) };
      if (v.overtimeHours) body.overtimeHours = Number(v.overtimeHours);
      if (v.staffInvolved) body.staffInvolved = Number(v.staffInvolved);
      const report = await post('/burden-reports', body);
      box.checked = false;
      box.disabled = true;
      refresh();
      mount(form, notice('success', `已按实际填报 ${fmtHours(report.hoursSpent)}。`));
    });
  });
  const toggle = h('button', { type: 'button', class: 'textlink', onclick: () => (form.hidden = !form.hidden) }, '按实际工时填报');
  return [toggle, form];
}
