// Plan approval queue (coordinator): submitted plans, approve or reject with a reason.
import { get, post } from '../api.js';
import { topicNames } from '../topics.js';
import { act, fmtTime, h, LEVEL_LABELS, loading, mount, notice, PLAN_STATUS_LABELS, select, table } from '../ui.js';

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
  const slot = h('div', { class: 'slot', id: 'plan-result' });
  const detail = h('div', { id: 'plan-detail' });
  const reason = h('input', { name: 'reason', placeholder: '退回时填写，如 检查频次过高，请合并同类检查', maxlength: 1000 });
  mount(list, 
    res.items.some((p) => (p.allowedActions || []).includes('reject')) ? h('label', { class: 'field' }, h('span', { class: 'field-label' }, '退回理由'), reason) : null,
    slot,
    table(
      [
        { title: '计划', value: (p) => h('a', { href: `#/plans?status=${status}&id=${p.id}` }, p.title) },
        { title: '发文单位', value: (p) => (p.issuer ? p.issuer.name : p.issuerId) },
        { title: '年度 / 版本', value: (p) => `${p.year} / 第 ${p.version} 版` },
        { title: '条目', value: (p) => p.itemCount, class: 'num' },
        { title: '状态', value: (p) => PLAN_STATUS_LABELS[p.status] || p.status },
        { title: '提交时间', value: (p) => fmtTime(p.submittedAt) },
        { title: '操作', value: (p) => actions(p, slot, reason) },
      ],
      res.items,
      { empty: status === 'submitted' ? '没有待审批的计划。' : '没有计划。' },
    ),
    detail,
  );
  if (query.id) await planItems(detail, Number(query.id));
}

/** The items of one plan, so the coordinator sees what is approved. */
async function planItems(section, id) {
  const [plan, topics] = await Promise.all([get(`/inspection-plans/${id}`), topicNames()]);
  mount(section, 
    h('section', { class: 'card' },
      h('h2', {}, `${plan.title}（第 ${plan.version} 版）`),
      plan.rejectReason ? notice('error', `退回理由：${plan.rejectReason}`) : null,
      table(
        [
          { title: '条目', value: (i) => i.title },
          { title: '主题', value: (i) => topics[i.topic] || i.topic },
          { title: '对象', value: (i) => (i.targetUnitIds.length ? `${i.targetUnitIds.length} 个单位` : `全部${LEVEL_LABELS[i.targetLevel] || ''}`) },
          { title: '计划月份', value: (i) => i.plannedMonth },
          { title: '现场天数', value: (i) => i.onSiteDays, class: 'num' },
          { title: '次数', value: (i) => i.visits, class: 'num' },
        ],
        plan.items || [],
        { empty: '该计划没有条目。' },
      )),
  );
}

function actions(plan, slot, reasonInput) {
  const allowed = plan.allowedActions || [];
  const out = [];
  if (allowed.includes('approve')) {
    const b = h('button', { type: 'button', class: 'primary small', dataset: { action: 'approve', plan: String(plan.id) } }, '批准');
    b.addEventListener('click', () => act(b, slot, async () => {
      await post(`/inspection-plans/${plan.id}/approve`);
      mount(slot, notice('success', `已批准「${plan.title}」。`));
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    }));
    out.push(b);
  }
  if (allowed.includes('reject')) {
    const b = h('button', { type: 'button', class: 'secondary small', dataset: { action: 'reject', plan: String(plan.id) } }, '退回');
    b.addEventListener('click', () => act(b, slot, async () => {
      const reason = reasonInput.value.trim();
      if (!reason) throw new Error('请先填写退回理由。');
      await post(`/inspection-plans/${plan.id}/reject`, { reason });
      mount(slot, notice('success', `已退回「${plan.title}」。`));
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    }));
    out.push(b);
  }
  return out.length ? out : '—';
}
