// Objection (双向治理): a reporter objects to a demand reaching its unit.
import { get, post } from '../api.js';
import { act, fmtDate, h, KIND_LABELS, mount, notice } from '../ui.js';

export async function objectionPage({ root, params, query }) {
  const demand = await get(`/demands/${params[0]}`);
  const unitId = query.unitId ? Number(query.unitId) : undefined;
  const reason = h('textarea', { name: 'reason', rows: 4, required: true, maxlength: 2000, placeholder: '如 该事项属于收回事项，不应由乡镇承担' });
  const slot = h('div', { class: 'slot', id: 'objection-result' });
  const submit = h('button', { type: 'submit', class: 'primary wide' }, '提交异议');
  const form = h('form', { class: 'stack' }, h('label', { class: 'field' }, h('span', { class: 'field-label' }, '异议理由'), reason), slot, submit);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      if (!reason.value.trim()) throw new Error('请填写异议理由。');
      await post(`/demands/${demand.id}/objections`, { reason: reason.value.trim(), ...(unitId ? { unitId } : {}) });
      mount(form, notice('success', '异议已提交，减负办将审核处理。'));
    });
  });
  mount(
    root,
    h('p', {}, h('a', { href: '#/inbox' }, '← 返回')),
    h('h1', {}, '对事项提出异议'),
    h('section', { class: 'card' }, h('h2', {}, demand.title),
      h('p', { class: 'hint' }, `${KIND_LABELS[demand.kind] || demand.kind} · ${demand.issuerName} · ${demand.registrationNo} · 下达 ${fmtDate(demand.issuedOn)}${demand.dueOn ? ` · 截止 ${fmtDate(demand.dueOn)}` : ''}`),
      demand.basis ? h('p', {}, `依据：${demand.basis}`) : null),
    form,
  );
}
