// The flag review queue: filters in the hash, one page of flags, a click opens the flag.
import { get } from '../api.js';
import { badge, fmtDate, h, loading, mount, pager, RULES, select, STATUS_LABELS, table } from '../ui.js';

export async function flagsPage({ root, user, query, isCurrent }) {
  const filters = { status: query.status || '', rule: query.rule || '', overdue: query.overdue || '', unitId: query.unitId || '', issuerId: query.issuerId || '', demandId: query.demandId || '' };
  const page = Number(query.page || 1);
  const go = (changes) => {
    const next = { ...filters, page, ...changes };
    const q = new URLSearchParams(Object.entries(next).filter(([k, v]) => v !== '' && v !== undefined && !(k === 'page' && Number(v) === 1)));
    location.hash = `#/flags?${q}`;
  };
  const form = h(
    'form',
    { class: 'filters', onchange: (e) => go({ [e.target.name]: e.target.type === 'checkbox' ? (e.target.checked ? 'true' : '') : e.target.value, page: 1 }) },
    select('status', [['', '全部状态'], ...Object.entries(STATUS_LABELS)], filters.status),
    select('rule', [['', '全部规则'], ...Object.entries(RULES)], filters.rule),
    h('label', { class: 'check' }, h('input', { type: 'checkbox', name: 'overdue', checked: filters.overdue === 'true' }), '仅整改逾期'),
  );
  const list = h('div', {}, loading());
  const title = user.role === 'issuer' ? '本单位事项的问题线索' : user.role === 'inspector' ? '问题线索（只读）' : '问题线索审核';
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, title)), form, filters.unitId || filters.issuerId || filters.demandId ? h('p', { class: 'hint' }, `已按${filters.unitId ? '单位' : filters.demandId ? '事项' : '发文单位'}筛选。`, h('a', { href: '#/flags' }, '清除')) : null, list);
  const res = await get('/flags', { ...filters, page, pageSize: 20 });
  if (!isCurrent()) return;
  mount(list, 
    table(
      [
        { title: '编号', value: (f) => h('a', { href: `#/flags/${f.id}` }, `#${f.id}`) },
        { title: '规则', value: (f) => f.ruleTitle || RULES[f.rule] },
        { title: '状态', value: (f) => [badge(f.status), f.overdue ? h('span', { class: 'badge badge-overdue' }, '逾期') : null] },
        { title: '事项', value: (f) => f.demandTitle || (f.reportId ? '未登记事项（基层报告）' : '—') },
        { title: '单位', value: (f) => f.unitName || '—' },
        { title: '发文单位', value: (f) => f.issuerName || '—' },
        { title: '日期', value: (f) => fmtDate(f.landsOn) },
      ],
      res.items,
      { empty: '没有符合条件的问题线索。', onRow: (f) => (location.hash = `#/flags/${f.id}`) },
    ),
    pager(res, (p) => go({ page: p })),
  );
}
