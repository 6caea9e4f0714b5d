import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The dashboard: static pages at `/` that call the API at /api/v1 like any other client (no
 * second data path). `dashboard/` sits at the project root, three levels above this file in
 * src/ (ts-jest) and in dist/ (npm start) alike.
 */
export const DASHBOARD_DIR = join(__dirname, '..', '..', '..', 'dashboard');

/** ECharts ships from the npm registry with the app; nothing is fetched from a CDN. */
const VENDOR_FILES: Record<string, string> = {
  'echarts.min.js': join(dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js'),
};

/** Paths the dashboard never answers: the API and its documentation keep their own 404s. */
const NOT_DASHBOARD = /^\/api(\/|$)/;

export function serveDashboard(app: NestExpressApplication, dir: string = DASHBOARD_DIR): void {
  if (!existsSync(join(dir, 'index.html'))) return; // a build without the dashboard serves the API alone
  app.use('/vendor', (req: Request, res: Response, next: NextFunction) => {
    const file = VENDOR_FILES[req.path.replace(/^\//, '')];
    if ((req.method !== 'GET' && req.method !== 'HEAD') || !file) return next();
    res.sendFile(file, { maxAge: '1d' });
  });
  app.useStaticAssets(dir, { index: 'index.html', maxAge: 0 });
  // The pages route by hash (#/flags), so any other page path is the shell itself.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const wantsPage = (req.headers.accept ?? '').includes('text/html') && !/\.[a-z0-9]+$/i.test(req.path);
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_DASHBOARD.test(req.path) || !wantsPage) return next();
    res.sendFile(join(dir, 'index.html'));
  });
}
