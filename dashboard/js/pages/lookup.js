// Registration-number lookup: is the notice in hand a registered demand?
import { get } from '../api.js';
import { act, fmtDate, h, KIND_LABELS, mount, notice } from '../ui.js';

export function lookupPage({ root, query }) {
  const input = h('input', { name: 'registrationNo', placeholder: '如 532503-2026-000123', value: query.no || '', required: true, inputmode: 'text', autocomplete: 'off' });
  const slot = h('div', { class: 'slot', id: 'lookup-result' });
  const button = h('button', { type: 'submit', class: 'primary' }, '查询');
  const run = () =>
    act(button, slot, async () => {
      const no = input.value.trim();
      const res = await get('/demands/lookup', { registrationNo: no });
      if (!res.registered) {
        mount(slot, notice('error', `未查到登记编号 ${no}：该事项未经登记，可作为未登记事项报告。`), h('p', {}, h('a', { href: '#/shadow', class: 'button' }, '报告未登记事项')));
        return;
      }
      const d = res.demand;
      mount(slot, 
        notice('success', `已登记：${res.registrationNo}`),
        h('dl', { class: 'facts' },
          h('dt', {}, '事项'), h('dd', {}, d.title),
          h('dt', {}, '类型'), h('dd', {}, KIND_LABELS[d.kind] || d.kind),
          h('dt', {}, '发文单位'), h('dd', {}, d.issuerName),
          h('dt', {}, '下达日期'), h('dd', {}, fmtDate(d.issuedOn)),
          h('dt', {}, '截止日期'), h('dd', {}, fmtDate(d.dueOn)),
          h('dt', {}, '状态'), h('dd', {}, d.status === 'cancelled' ? '已撤销' : '有效')),
      );
    });
  mount(
    root,
    h('h1', {}, '登记编号查询'),
    h('p', { class: 'hint' }, '输入通知上印的登记编号，核实该事项是否已登记。'),
    h('form', { class: 'stack', onsubmit: (e) => { e.preventDefault(); void run(); } }, input, button),
    slot,
  );
  if (query.no) void run();
}
