// Plan approval queue (coordinator): submitted plans, approve or reject with a reason.
import { get, post } from '../api.js';
import { act, fmtTime, h, loading, mount, notice, PLAN_STATUS_LABELS, select, table } from '../ui.js';

export async function plansPage({ root, query, isCurrent }) {
  const status = query.status ?? 'submitted';
  const list = h('div', {}, loading());
  mount(
    root,
    h('div', { class: 'page-head' }, h('h1', {}, '督查检查计划审批'),
      select('status', [['', '全部'], ...Object.entries(PLAN_STATUS_LABELS)], status, { onchange: (e) => (location.hash = `#/plans?status=${e.target.value}`) })),
    list,
  );
  const res = await get('/inspection-plans', { status, pageSize: 100 });
  if (!isCurrent()) return;
  const slot = h('div', { class: 'slot' });
  list.replaceChildren(
    slot,
    table(
      [
        { title: '计划', value: (p) => p.title },
        { title: '发文单位', value: (p) => (p.issuer ? p.issuer.name : p.issuerId) },
        { title: '年度 / 版本', value: (p) => `${p.year} / 第 ${p.version} 版` },
        { title: '条目', value: (p) => p.itemCount, class: 'num' },
        { title: '状态', value: (p) => PLAN_STATUS_LABELS[p.status] || p.status },
        { title: '提交时间', value: (p) => fmtTime(p.submittedAt) },
        { title: '操作', value: (p) => actions(p, slot) },
      ],
      res.items,
      { empty: status === 'submitted' ? '没有待审批的计划。' : '没有计划。' },
    ),
  );
}

function actions(plan, slot) {
  const allowed = plan.allowedActions || [];
  const out = [];
  if (allowed.includes('approve')) {
    const b = h('button', { type: 'button', class: 'primary small' }, '批准');
    b.addEventListener('click', () => act(b, slot, async () => {
      await post(`/inspection-plans/${plan.id}/approve`);
      slot.replaceChildren(notice('success', `已批准「${plan.title}」。`));
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    }));
    out.push(b);
  }
  if (allowed.includes('reject')) {
    const b = h('button', { type: 'button', class: 'secondary small' }, '退回');
    b.addEventListener('click', () => act(b, slot, async () => {
      const reason = window.prompt('退回理由');
      if (!reason) return;
      await post(`/inspection-plans/${plan.id}/reject`, { reason });
      slot.replaceChildren(notice('success', `已退回「${plan.title}」。`));
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    }));
    out.push(b);
  }
  return out.length ? out : '—';
}
