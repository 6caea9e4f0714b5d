import { selectRows } from '@/database/dialect';
import { TestApp } from '../utils/test-app';

describe('first start', () => {
  it('creates the admin from BURDEN_LEDGER_ADMIN_PASSWORD on a database without users, and that admin can log in', async () => {
    const t = await TestApp.start({ adminPassword: 'first-admin-pass' });
    try {
      const users = await selectRows<{ username: string; role: string; org_unit_id: unknown }>(t.db, 'SELECT username, role, org_unit_id FROM users');
      expect(users).toEqual([{ username: 'admin', role: 'admin', org_unit_id: null }]);
      const login = await t.http.post('/api/v1/auth/login').send({ username: 'admin', password: 'first-admin-pass' }).expect(200);
      await t.http.get('/api/v1/users').set('Authorization', `Bearer ${login.body.accessToken}`).expect(200);
    } finally {
      await t.close();
    }
  });

  it('creates no user without the variable', async () => {
    const t = await TestApp.start();
    try {
      expect(await selectRows(t.db, 'SELECT id FROM users')).toEqual([]);
    } finally {
      await t.close();
    }
  });
});
