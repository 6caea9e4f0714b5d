// Issuer: the demands its office sent down, each with the flags standing on it.
import { get } from '../api.js';
import { fmtDate, h, KIND_LABELS, loading, mount, pager, table } from '../ui.js';

export async function issuerDemandsPage({ root, user, query, isCurrent }) {
  const page = Number(query.page || 1);
  const list = h('div', {}, loading());
  mount(root, h('div', { class: 'page-head' }, h('h1', {}, '本单位下达的事项'), h('a', { href: '#/preview', class: 'button' }, '下达新事项（先预检）')), list);
  const [res, rectifying] = await Promise.all([
    get('/demands', { issuerId: user.orgUnitId, page, pageSize: 20 }),
    get('/flags', { status: 'rectifying', pageSize: 1 }),
  ]);
  if (!isCurrent()) return;
  mount(list, 
    rectifying.total ? h('p', { class: 'notice notice-error' }, `有 ${rectifying.total} 条问题线索待整改。`, h('a', { href: '#/flags?status=rectifying' }, '去整改 →')) : null,
    table(
      [
        { title: '登记编号', value: (d) => d.registrationNo },
        { title: '事项', value: (d) => d.title },
        { title: '类型', value: (d) => KIND_LABELS[d.kind] || d.kind },
        { title: '下达', value: (d) => fmtDate(d.issuedOn) },
        { title: '截止', value: (d) => fmtDate(d.dueOn) },
        { title: '对象', value: (d) => `${d.targetCount} 个单位`, class: 'num' },
        { title: '问题线索', value: (d) => h('a', { href: `#/flags?demandId=${d.id}` }, '查看') },
      ],
      res.items,
      { empty: '尚未下达事项。' },
    ),
    pager(res, (p) => (location.hash = `#/my-demands?page=${p}`)),
  );
}
