// Small DOM helpers and the Chinese labels every page shares. Text goes in as text nodes, never HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2).toLowerCase(), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k in el && typeof v !== 'string') el[k] = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === undefined || c === null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** For the few places a library takes HTML (chart tooltips). */
export function escapeHtml(text) {
  return String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

export function mount(root, ...children) {
  root.replaceChildren();
  append(root, children);
}

/** A message box: kind = info | error | success. */
export function notice(kind, text) {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'error' ? 'alert' : 'status' }, text);
}

export function showError(slot, error) {
  slot.replaceChildren(notice('error', error && error.message ? error.message : String(error)));
}

export function loading() {
  return h('p', { class: 'loading' }, '正在加载…');
}

/** A table from column specs {title, value(row) -> node|text, class?}. */
export function table(columns, rows, { empty = '暂无数据', onRow } = {}) {
  if (!rows.length) return h('p', { class: 'empty' }, empty);
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      {},
      h('thead', {}, h('tr', {}, columns.map((c) => h('th', { class: c.class }, c.title)))),
      h(
        'tbody',
        {},
        rows.map((r) =>
          h(
            'tr',
            { class: onRow ? 'clickable' : undefined, onclick: onRow ? () => onRow(r) : undefined },
            columns.map((c) => h('td', { class: c.class, 'data-label': c.title }, c.value(r))),
          ),
        ),
      ),
    ),
  );
}

export function pager(result, go) {
  const pages = Math.max(1, Math.ceil(result.total / result.pageSize));
  return h(
    'div',
    { class: 'pager' },
    h('button', { type: 'button', disabled: result.page <= 1, onclick: () => go(result.page - 1) }, '上一页'),
    h('span', {}, `第 ${result.page} / ${pages} 页，共 ${result.total} 条`),
    h('button', { type: 'button', disabled: result.page >= pages, onclick: () => go(result.page + 1) }, '下一页'),
  );
}

export function field(label, input, hint) {
  return h('label', { class: 'field' }, h('span', { class: 'field-label' }, label), input, hint ? h('small', {}, hint) : null);
}

export function select(name, options, value, attrs = {}) {
  return h(
    'select',
    { name, ...attrs },
    options.map(([v, text]) => h('option', { value: v, selected: String(v) === String(value ?? '') }, text)),
  );
}

export const fmtHours = (n) => (n === null || n === undefined ? '—' : `${Number(n).toLocaleString('zh-CN', { maximumFractionDigits: 2 })} 小时`);
export const fmtPct = (n) => (n === null || n === undefined ? '—' : `${(n * 100).toFixed(1)}%`);
export const fmtDate = (s) => (s ? String(s).slice(0, 10) : '—');
export const fmtTime = (s) => (s ? new Date(s).toLocaleString('zh-CN', { hour12: false }) : '—');

export const ROLE_LABELS = { coordinator: '减负办', reporter: '基层填报', inspector: '纪检监察', issuer: '发文单位', admin: '系统管理员' };

export const STATUS_LABELS = {
  open: '待审核', under_review: '审核中', confirmed: '已确认', dismissed: '已排除',
  rectifying: '整改中', rectified: '已整改', verified: '已验收', withdrawn: '已撤回',
};

/** What the button that moves a flag to a state says. */
export const TRANSITION_LABELS = {
  under_review: '开始审核', confirmed: '确认问题', dismissed: '排除（不成立）', rectifying: '责令整改',
  rectified: '报告已整改', verified: '验收通过', open: '重新打开', withdrawn: '撤回',
};

export const KIND_LABELS = { inspection: '督查检查', report: '报表', meeting: '会议', document: '文件', other: '其他' };
export const CHANNEL_LABELS = { wechat_group: '微信群', phone: '电话', app: 'APP', paper_notice: '纸质通知', other: '其他' };
export const LEVEL_LABELS = { province: '省', prefecture: '州（市）', county: '县（市、区）', township: '乡镇（街道）', village: '村（社区）' };
export const PLAN_STATUS_LABELS = { draft: '草稿', submitted: '待审批', approved: '已批准', rejected: '已退回' };
export const CASE_STATUS_LABELS = { draft: '草稿', final: '已定稿' };

export const RULES = {
  DUPLICATE_DATA_REQUEST: '多头填报、重复索要数据', DUPLICATE_INSPECTION: '多头督查、重复检查', UNPLANNED_INSPECTION: '计划外督查检查',
  SPLIT_INSPECTION: '拆包分包', INSPECTION_QUOTA: '督查检查过多', MEETING_OVERLOAD: '会海、层层陪会', SHORT_DEADLINE: '临时报表、时限过短',
  FREQUENT_REPORT: '随意日报周报', ESCALATION: '层层加码', OUT_OF_SCOPE: '清单外事项、负面清单', EXCESSIVE_TRACE: '过度留痕',
  VETO_OR_LETTER: '一票否决、责任书泛滥', DIGITAL_FORMALISM: '指尖上的形式主义', DOCUMENT_TOO_LONG: '文件过长', HIDDEN_BURDEN: '隐形负担',
  ISSUER_BUDGET: '总量管控', OBJECTION: '基层异议',
};

export function badge(status) {
  return h('span', { class: `badge badge-${status}` }, STATUS_LABELS[status] || status);
}

export const today = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10); // Asia/Shanghai
export const thisMonth = () => today().slice(0, 7);

export function monthEnd(month) {
  const [y, m] = month.split('-').map(Number);
  return `${month}-${String(new Date(Date.UTC(y, m, 0)).getUTCDate()).padStart(2, '0')}`;
}

/** Reads a form's named fields into an object of strings. */
export function formValues(form) {
  return Object.fromEntries(new FormData(form).entries());
}

/** Runs an async action from a button: disables it meanwhile and shows errors in `slot`. */
export async function act(button, slot, fn) {
  button.disabled = true;
  slot.replaceChildren();
  try {
    await fn();
  } catch (error) {
    showError(slot, error);
  } finally {
    button.disabled = false;
  }
}
