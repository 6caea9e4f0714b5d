// Admin: no cases (separation of duties); the system's health and where the admin tools are.
import { get } from '../api.js';
import { h, mount, notice } from '../ui.js';

export async function adminPage({ root }) {
  const health = await get('/health').catch((e) => ({ error: e.message }));
  mount(
    root,
    h('h1', {}, '系统管理'),
    health.error ? notice('error', health.error) : notice('success', '服务运行正常，数据库连接正常。'),
    h('p', {}, '用户、组织机构与政策参数的维护请使用 API（', h('a', { href: '/api/docs' }, '接口文档'), '）。'),
  );
}
