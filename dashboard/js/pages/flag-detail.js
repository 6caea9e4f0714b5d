// One flag: explanation, evidence, history, and a button for each transition the user may make.
import { get, post } from '../api.js';
import { topicNames } from '../topics.js';
import { act, badge, fmtDate, fmtTime, h, loading, mount, notice, RULES, STATUS_LABELS, table, today, TRANSITION_LABELS } from '../ui.js';

/**
 * The review workflow (DESIGN §2), as the server's state machine has it: who moves a flag from
 * which state, and whether the move needs a comment or a due date. The server decides; this only
 * chooses which buttons to show.
 */
const MOVES = {
  open: { under_review: { by: 'coordinator', comment: false, dueOn: 'none' } },
  under_review: { confirmed: { by: 'coordinator', comment: true, dueOn: 'none' }, dismissed: { by: 'coordinator', comment: true, dueOn: 'none' } },
  confirmed: { rectifying: { by: 'coordinator', comment: true, dueOn: 'required' } },
  rectifying: { rectified: { by: 'issuer', comment: true, dueOn: 'none' } },
  rectified: { verified: { by: 'coordinator', comment: false, dueOn: 'none' }, rectifying: { by: 'coordinator', comment: true, dueOn: 'optional' } },
};

const EVIDENCE_LABELS = {
  topic: '主题', visits: '检查次数', windowDays: '时间窗口（天）', earlierDemandIds: '此前相关事项', month: '月份', hours: '耗时（小时）',
  issuerName: '下达单位', title: '事项名称', channel: '下达渠道', receivedOn: '收到日期', shadow: '未登记事项', sharedKeys: '重复字段',
  workingDays: '工作日', thresholds: '阈值', reason: '异议理由', earlierInspections: '此前检查', jointDemandIds: '联合检查事项', triggeredOn: '触发日期',
  triggerCount: '触发次数', demandId: '事项编号', issuerId: '发文单位编号', on: '日期', earlierRequests: '此前索要', keys: '字段', askedOn: '索要日期',
  keyCount: '字段数', sharedKeyCount: '重复字段数', share: '重复比例', issuedOn: '下达日期', dueOn: '截止日期', minutes: '分钟',
};

export async function flagDetailPage({ root, user, params, isCurrent }) {
  const id = Number(params[0]);
  mount(root, loading());
  const [flag, topics] = await Promise.all([get(`/flags/${id}`), topicNames()]);
  if (!isCurrent()) return;
  const party = user.role === 'coordinator' ? 'coordinator' : user.role === 'issuer' ? 'issuer' : null;
  const moves = Object.entries(MOVES[flag.status] || {}).filter(([, m]) => m.by === party);
  const slot = h('div', { class: 'slot', id: 'transition-result' });
  mount(
    root,
    h('p', {}, h('a', { href: '#/flags' }, '← 返回列表')),
    h('div', { class: 'page-head' }, h('h1', {}, `问题线索 #${flag.id}：${flag.ruleTitle || RULES[flag.rule]}`), badge(flag.status), flag.overdue ? h('span', { class: 'badge badge-overdue' }, '整改逾期') : null),
    h(
      'section',
      { class: 'card' },
      h('dl', { class: 'facts' },
        fact('事项', flag.demandTitle ? `${flag.demandTitle}${flag.registrationNo ? `（${flag.registrationNo}）` : ''}` : flag.reportId ? '未登记事项（基层报告）' : '—'),
        fact('涉及单位', flag.unitName || '—'),
        fact('发文单位', flag.issuerName || '—'),
        fact('日期 / 期间', `${fmtDate(flag.landsOn)}${flag.period ? `（${flag.period}）` : ''}`),
        fact('整改期限', fmtDate(flag.dueOn)),
        fact('依据政策版本', `第 ${flag.policyVersion} 版`),
        fact('记录版本', String(flag.version)),
      ),
      h('h2', {}, '说明'),
      h('p', { class: 'explanation' }, flag.explanation),
    ),
    h('section', { class: 'card' }, h('h2', {}, '证据'), evidenceView(flag.evidence, topics)),
    moves.length ? h('section', { class: 'card', id: 'actions' }, h('h2', {}, '处理'), transitionForm(flag, moves, slot)) : null,
    canLink(flag, party) ? linkShadowForm(flag) : null,
    h(
      'section',
      { class: 'card' },
      h('h2', {}, '处理记录'),
      table(
        [
          { title: '时间', value: (t) => fmtTime(t.at) },
          { title: '变更', value: (t) => `${STATUS_LABELS[t.from] || t.from || '—'} → ${STATUS_LABELS[t.to] || t.to}` },
          { title: '处理人', value: (t) => t.actorName || t.actor || t.actorUsername || '—' },
          { title: '意见', value: (t) => t.comment || '—' },
          { title: '期限', value: (t) => fmtDate(t.dueOn) },
        ],
        (flag.transitions || []).map(normaliseTransition),
        { empty: '尚无处理记录。' },
      ),
    ),
  );
}

function normaliseTransition(t) {
  return { ...t, from: t.from ?? t.fromStatus, to: t.to ?? t.toStatus };
}

function fact(label, value) {
  return [h('dt', {}, label), h('dd', {}, value)];
}

function evidenceView(evidence, topics) {
  if (!evidence || typeof evidence !== 'object') return h('p', { class: 'empty' }, '无');
  return h('dl', { class: 'facts evidence' }, Object.entries(evidence).map(([k, v]) => fact(EVIDENCE_LABELS[k] || k, k === 'topic' && topics[v] ? topics[v] : valueText(v))));
}

function valueText(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'boolean') return v ? '是' : '否';
  if (Array.isArray(v) && v.length && typeof v[0] === 'object' && v[0] !== null) {
    const keys = [...new Set(v.flatMap((row) => Object.keys(row)))];
    return table(keys.map((k) => ({ title: EVIDENCE_LABELS[k] || k, value: (row) => valueText(row[k]) })), v);
  }
  if (Array.isArray(v)) return v.join('、') || '—';
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => h('div', {}, `${EVIDENCE_LABELS[k] || k}：`, valueText(x)));
  return String(v);
}

function transitionForm(flag, moves, slot) {
  const comment = h('textarea', { name: 'comment', rows: 3, placeholder: '审核意见或整改说明' });
  const needsDue = moves.some(([, m]) => m.dueOn !== 'none');
  const dueOn = h('input', { type: 'date', name: 'dueOn', min: today() });
  const buttons = moves.map(([to, move]) => {
    const button = h('button', { type: 'button', class: to === 'dismissed' ? 'secondary' : 'primary', dataset: { to } }, TRANSITION_LABELS[to] || to);
    button.addEventListener('click', () =>
      act(button, slot, async () => {
        const body = { to, version: flag.version };
        if (comment.value.trim()) body.comment = comment.value.trim();
        if (move.comment && !body.comment) throw new Error('请填写意见。');
        if (move.dueOn !== 'none' && dueOn.value) body.dueOn = dueOn.value;
        if (move.dueOn === 'required' && !body.dueOn) throw new Error('请选择整改期限。');
        const after = await post(`/flags/${flag.id}/transitions`, body);
        mount(slot, notice('success', `已更新为「${STATUS_LABELS[after.status]}」。`));
        setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
      }),
    );
    return button;
  });
  return h(
    'div',
    { class: 'transition-form' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, '意见'), comment),
    needsDue ? h('label', { class: 'field' }, h('span', { class: 'field-label' }, '整改期限'), dueOn) : null,
    h('div', { class: 'buttons' }, buttons),
    slot,
  );
}

/** A shadow demand that turns out to be a registered one is linked to it; its hours move there and the flag is withdrawn. */
function canLink(flag, party) {
  return party === 'coordinator' && flag.rule === 'HIDDEN_BURDEN' && flag.reportId && flag.evidence && flag.evidence.shadow && (flag.status === 'open' || flag.status === 'under_review');
}

function linkShadowForm(flag) {
  const input = h('input', { name: 'registrationNo', placeholder: '如 532503-2026-000123', required: true, autocomplete: 'off' });
  const slot = h('div', { class: 'slot', id: 'link-result' });
  const submit = h('button', { type: 'submit', class: 'secondary' }, '查询并关联');
  const form = h('form', { class: 'stack' }, h('p', { class: 'hint' }, '核实后如该未登记事项实为已登记事项，输入其登记编号进行关联：工时转入该事项，本线索自动撤回。'), input, submit, slot);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void act(submit, slot, async () => {
      const found = await get('/demands/lookup', { registrationNo: input.value.trim() });
      if (!found.registered) throw new Error(`未查到登记编号 ${input.value.trim()}。`);
      await post(`/burden-reports/${flag.reportId}/link`, { demandId: found.demand.id });
      mount(slot, notice('success', `已关联到「${found.demand.title}」。`));
      setTimeout(() => window.dispatchEvent(new HashChangeEvent('hashchange')), 600);
    });
  });
  return h('section', { class: 'card', id: 'link-shadow' }, h('h2', {}, '关联已登记事项'), form);
}
