import { login } from '../api.js';
import { act, field, h, mount, notice } from '../ui.js';

export function loginPage({ root, query, onLogin }) {
  const error = h('div', { class: 'slot' }, query.expired ? notice('info', '登录已过期，请重新登录。') : null);
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, autofocus: true });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const submit = h('button', { type: 'submit', class: 'primary' }, '登录');
  const form = h(
    'form',
    {
      class: 'login-card',
      onsubmit: (e) => {
        e.preventDefault();
        void act(submit, error, async () => onLogin(await login(username.value.trim(), password.value)));
      },
    },
    h('h1', {}, '基层减负台账'),
    h('p', { class: 'subtitle' }, '整治形式主义为基层减负专项工作'),
    field('用户名', username),
    field('密码', password),
    error,
    submit,
  );
  mount(root, h('div', { class: 'login-page' }, form));
}
