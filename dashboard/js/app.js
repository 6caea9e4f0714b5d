// The shell: login, a navigation bar by role, and a hash router (#/flags/12?status=open).
import { endSession, session } from './api.js';
import { h, mount, notice, ROLE_LABELS } from './ui.js';
import { loginPage } from './pages/login.js';
import { overviewPage } from './pages/overview.js';
import { flagsPage } from './pages/flags.js';
import { flagDetailPage } from './pages/flag-detail.js';
import { unitCardPage } from './pages/unit-card.js';
import { plansPage } from './pages/plans.js';
import { inboxPage } from './pages/inbox.js';
import { confirmPage } from './pages/confirm.js';
import { lookupPage } from './pages/lookup.js';
import { shadowPage } from './pages/shadow.js';
import { objectionPage } from './pages/objection.js';
import { casesPage, caseDetailPage } from './pages/cases.js';
import { bulletinsPage } from './pages/bulletins.js';
import { issuerDemandsPage } from './pages/issuer-demands.js';
import { previewPage } from './pages/preview.js';
import { adminPage } from './pages/admin.js';

/** Navigation by role: the pages each kind of user works in (the API enforces the same roles). */
const NAV = {
  coordinator: [
    ['#/overview', '总览'],
    ['#/flags', '问题线索审核'],
    ['#/units', '单位负担'],
    ['#/plans', '计划审批'],
  ],
  reporter: [
    ['#/inbox', '收到的事项'],
    ['#/confirm', '本月工时确认'],
    ['#/shadow', '报告未登记事项'],
    ['#/lookup', '登记编号查询'],
    ['#/units/:unit', '本单位负担'],
  ],
  inspector: [
    ['#/cases', '典型案例'],
    ['#/bulletins', '通报下载'],
    ['#/flags', '问题线索'],
    ['#/units', '单位负担'],
  ],
  issuer: [
    ['#/my-demands', '本单位下达事项'],
    ['#/preview', '下达前预检'],
    ['#/flags?status=rectifying', '待整改问题'],
  ],
  admin: [['#/admin', '系统']],
};

const HOME = { coordinator: '#/overview', reporter: '#/inbox', inspector: '#/cases', issuer: '#/my-demands', admin: '#/admin' };

/** Route patterns → page functions (each gets {root, user, params, query}). */
const ROUTES = [
  [/^\/overview$/, overviewPage, ['coordinator']],
  [/^\/flags$/, flagsPage, ['coordinator', 'inspector', 'issuer']],
  [/^\/flags\/(\d+)$/, flagDetailPage, ['coordinator', 'inspector', 'issuer']],
  [/^\/units$/, unitCardPage, ['coordinator', 'inspector']],
  [/^\/units\/(\d+)$/, unitCardPage, ['coordinator', 'inspector', 'reporter']],
  [/^\/plans$/, plansPage, ['coordinator']],
  [/^\/inbox$/, inboxPage, ['reporter']],
  [/^\/confirm$/, confirmPage, ['reporter']],
  [/^\/lookup$/, lookupPage, ['reporter']],
  [/^\/shadow$/, shadowPage, ['reporter']],
  [/^\/objection\/(\d+)$/, objectionPage, ['reporter']],
  [/^\/cases$/, casesPage, ['inspector']],
  [/^\/cases\/(\d+)$/, caseDetailPage, ['inspector']],
  [/^\/bulletins$/, bulletinsPage, ['inspector']],
  [/^\/my-demands$/, issuerDemandsPage, ['issuer']],
  [/^\/preview$/, previewPage, ['issuer']],
  [/^\/admin$/, adminPage, ['admin']],
];

const app = document.getElementById('app');
let renderCount = 0;

function parseHash() {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path, search = ''] = raw.split('?');
  return { path, query: Object.fromEntries(new URLSearchParams(search)) };
}

function shell(user, active) {
  const main = h('main', { id: 'page' });
  const links = (NAV[user.role] || []).map(([pattern, text]) => {
    const href = pattern.replace(':unit', String(user.orgUnitId));
    return h('a', { href, class: href.split('?')[0] === `#${active}` ? 'active' : undefined }, text);
  });
  const menu = h('nav', { class: 'nav', id: 'nav' }, links);
  const toggle = h('button', { type: 'button', class: 'nav-toggle', 'aria-label': '菜单', onclick: () => menu.classList.toggle('open') }, '☰');
  const header = h(
    'header',
    { class: 'topbar' },
    h('div', { class: 'brand' }, h('strong', {}, '基层减负台账'), h('span', { class: 'role' }, ROLE_LABELS[user.role] || user.role)),
    toggle,
    menu,
    h(
      'div',
      { class: 'who' },
      h('span', { class: 'who-name', title: user.username }, user.displayName || user.username),
      h('button', { type: 'button', class: 'link', id: 'logout', onclick: logout }, '退出'),
    ),
  );
  mount(app, header, main);
  return main;
}

function logout() {
  endSession();
  location.hash = '#/login';
}

async function render() {
  const mine = ++renderCount;
  const { path, query } = parseHash();
  const s = session();
  if (!s || path === '/login') {
    if (s && path === '/login') return void (location.hash = HOME[s.user.role]);
    mount(app);
    return loginPage({ root: app, query, onLogin: (user) => (location.hash = query.next || HOME[user.role] || '#/') });
  }
  const { user } = s;
  if (path === '/' || path === '') return void (location.hash = HOME[user.role] || '#/admin');
  const route = ROUTES.find(([re]) => re.test(path));
  const main = shell(user, path);
  if (!route) return mount(main, notice('error', '页面不存在。'));
  const [re, page, roles] = route;
  if (!roles.includes(user.role)) return mount(main, notice('error', '您的角色无权使用此页面。'));
  const params = path.match(re).slice(1);
  try {
    await page({ root: main, user, params, query, isCurrent: () => mine === renderCount });
  } catch (error) {
    if (mine === renderCount) mount(main, notice('error', error.message || String(error)));
  }
}

window.addEventListener('hashchange', render);
window.addEventListener('session-expired', () => {
  const { path } = parseHash();
  location.hash = `#/login?next=${encodeURIComponent(`#${path}`)}&expired=1`;
});
render();
