import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildOpenApi } from '@/app.factory';
import { TestApp } from '../utils/test-app';

describe('OpenAPI document', () => {
  let t: TestApp;
  beforeAll(async () => (t = await TestApp.start()));
  afterAll(() => t.close());

  it('matches the committed openapi.json (run `npm run openapi` after changing the API)', () => {
    const generated: unknown = JSON.parse(JSON.stringify(buildOpenApi(t.app)));
    const committed: unknown = JSON.parse(readFileSync(join(__dirname, '..', '..', 'openapi.json'), 'utf8'));
    expect(generated).toEqual(committed);
  });

  it('is served as JSON next to the UI and documents the contract routes', async () => {
    const res = await t.http.get('/api/docs/openapi.json').expect(200);
    const paths = Object.keys((res.body as { paths: Record<string, unknown> }).paths);
    for (const route of ['/api/v1/auth/login', '/api/v1/org-units', '/api/v1/org-units/import', '/api/v1/users', '/api/v1/audit/verify', '/api/v1/duty-items']) {
      expect(paths).toContain(route);
    }
  });
});
