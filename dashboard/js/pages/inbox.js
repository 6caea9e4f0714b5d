// Township / village clerk: the demands reaching the unit, with a deadline calendar and a list.
import { fmtDate, fmtHours, h, KIND_LABELS, loading, monthEnd, mount, notice, thisMonth, today } from '../ui.js';
import { demandsLandingIn, reportingUnits, unitPicker } from '../reporter-units.js';

const WEEKDAYS = ['一', '二', '三', '四', '五', '六', '日'];

export async function inboxPage({ root, user, query, isCurrent }) {
  const month = query.month || thisMonth();
  const units = await reportingUnits(user);
  const unitId = Number(query.unitId || user.orgUnitId);
  const nav = (changes) => (location.hash = `#/inbox?${new URLSearchParams({ unitId, month, ...changes })}`);
  const body = h('div', {}, loading());
  mount(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, '收到的事项'), unitPicker(units, unitId, (id) => nav({ unitId: id }))),
    h('div', { class: 'month-nav' },
      h('button', { type: 'button', onclick: () => nav({ month: shift(month, -1) }) }, '‹ 上月'),
      h('strong', {}, `${month.slice(0, 4)} 年 ${Number(month.slice(5))} 月`),
      h('button', { type: 'button', onclick: () => nav({ month: shift(month, 1) }) }, '下月 ›')),
    body,
  );
  const demands = await demandsLandingIn(unitId, month);
  if (!isCurrent()) return;
  const key = (d) => deadline(d, month) || '9999';
  demands.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : a.id - b.id));
  mount(body, 
    calendar(month, demands),
    h('p', { class: 'hint' }, `本月共 ${demands.length} 项事项落到本单位。`, h('a', { href: `#/confirm?unitId=${unitId}&month=${month}` }, '去确认本月工时 →')),
    demands.length ? h('ul', { class: 'demand-list' }, demands.map((d) => demandItem(d, unitId, month))) : notice('info', '本月没有事项。'),
  );
}

/** The day in `month` the demand is due or lands on; null for a recurring demand that lands on some day of it. */
function deadline(d, month) {
  return [d.dueOn, d.landsOn, d.startsOn].find((day) => day && day.startsWith(month)) || null;
}

function shift(month, by) {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return d.toISOString().slice(0, 7);
}

/** A month grid; each day shows how many deadlines fall on it. */
function calendar(month, demands) {
  const byDay = new Map();
  for (const d of demands) {
    const day = deadline(d, month);
    if (day) byDay.set(day, (byDay.get(day) || 0) + 1);
  }
  const [y, m] = month.split('-').map(Number);
  const first = (new Date(Date.UTC(y, m - 1, 1)).getUTCDay() + 6) % 7;
  const days = Number(monthEnd(month).slice(8));
  const cells = [...WEEKDAYS.map((w) => h('div', { class: 'cal-head' }, w))];
  for (let i = 0; i < first; i += 1) cells.push(h('div', { class: 'cal-cell empty' }));
  for (let d = 1; d <= days; d += 1) {
    const day = `${month}-${String(d).padStart(2, '0')}`;
    const n = byDay.get(day) || 0;
    cells.push(
      h('div', { class: `cal-cell${n ? ' has' : ''}${day === today() ? ' today' : ''}${day < today() ? ' past' : ''}`, title: n ? `${n} 项截止` : undefined },
        h('span', { class: 'cal-day' }, d), n ? h('span', { class: 'cal-count' }, n) : null),
    );
  }
  return h('div', { class: 'calendar', 'aria-label': '截止日历' }, cells);
}

function demandItem(d, unitId, month) {
  const due = deadline(d, month);
  const late = due !== null && due < today();
  return h(
    'li',
    { class: `demand${late ? ' past' : ''}` },
    h('div', { class: 'demand-top' }, h('span', { class: `kind kind-${d.kind}` }, KIND_LABELS[d.kind] || d.kind), h('span', { class: 'due' }, due === null ? '本月周期性事项' : due === d.dueOn ? `截止 ${fmtDate(due)}` : `时间 ${fmtDate(due)}`)),
    h('div', { class: 'demand-title' }, d.title),
    h('div', { class: 'demand-meta' }, `${d.issuerName} · ${d.registrationNo} · 估算 ${fmtHours(d.estimatedHoursPerTarget)}/次${d.recurrence && d.recurrence !== 'once' ? ` · 周期性，本月 ${d.occurrencesInMonth} 次` : ''}`),
    h('div', { class: 'demand-actions' }, h('a', { href: `#/objection/${d.id}?unitId=${unitId}` }, '提出异议')),
  );
}
