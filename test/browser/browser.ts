import { existsSync, mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { selectRows, toInt } from '@/database/dialect';
import { DemoLoader } from '@/modules/demo/demo-loader.service';
import { TestApp } from '../utils/test-app';

/** Debian's chromium: `.ci/run` installs it with apt; nothing is ever downloaded by playwright. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CI = process.env.CI === 'true' || process.env.CI === '1';

/**
 * Whether the browser suite can run. Under CI a missing chromium is a failure (the suite throws);
 * on a developer machine without it the suite is skipped with a visible message.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const message = `Browser tests need Chromium at ${CHROMIUM} (Debian: apt-get install chromium fonts-noto-cjk).`;
  if (CI) throw new Error(`${message} CI=true: failing instead of skipping.`);
  process.stdout.write(`\n*** SKIPPED the browser tests: ${message} ***\n`);
  return false;
}

/** Where screenshots go when DASHBOARD_SCREENSHOTS=1 (committed under docs/screenshots). */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');
export const TAKE_SCREENSHOTS = process.env.DASHBOARD_SCREENSHOTS === '1';

export interface DemoUser {
  id: number;
  username: string;
  displayName: string | null;
  role: string;
  orgUnitId: number | null;
  tokenVersion: number;
}

/** The real application with the demo county, listening on a free port, and a headless Chromium. */
export class DashboardHarness {
  private constructor(
    readonly t: TestApp,
    readonly baseUrl: string,
    readonly browser: Browser,
  ) {}

  static async start(password: string): Promise<DashboardHarness> {
    const t = await TestApp.start();
    await t.app.get(DemoLoader).load({ password, log: () => undefined });
    await t.app.listen(0, '127.0.0.1');
    const { port } = t.app.getHttpServer().address() as AddressInfo;
    // The UI language (date pickers) follows LANGUAGE; the pages' own text is Chinese anyway.
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--lang=zh-CN'], env: { ...process.env, LANGUAGE: 'zh_CN' } });
    if (TAKE_SCREENSHOTS) mkdirSync(SCREENSHOT_DIR, { recursive: true });
    return new DashboardHarness(t, `http://127.0.0.1:${port}`, browser);
  }

  async user(username: string): Promise<DemoUser> {
    const [r] = await selectRows<{ id: unknown; username: string; display_name: string | null; role: string; org_unit_id: unknown; token_version: unknown }>(
      this.t.db,
      'SELECT id, username, display_name, role, org_unit_id, token_version FROM users WHERE username = ?',
      [username],
    );
    if (!r) throw new Error(`no user ${username}`);
    return { id: toInt(r.id), username: r.username, displayName: r.display_name, role: r.role, orgUnitId: r.org_unit_id === null ? null : toInt(r.org_unit_id), tokenVersion: toInt(r.token_version) };
  }

  /** A token minted as login would (login is rate-limited per address; the UI login is tested on its own). */
  async tokenOf(username: string): Promise<string> {
    const u = await this.user(username);
    return this.t.token({ id: u.id, role: u.role, tokenVersion: u.tokenVersion });
  }

  async newPage(options: { mobile?: boolean } = {}): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
    const context = await this.browser.newContext({
      locale: 'zh-CN',
      timezoneId: 'Asia/Shanghai',
      viewport: options.mobile ? { width: 390, height: 844 } : { width: 1280, height: 900 },
      deviceScaleFactor: options.mobile ? 2 : 1,
      isMobile: options.mobile ?? false,
      hasTouch: options.mobile ?? false,
      acceptDownloads: true,
    });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    return { context, page, errors };
  }

  /** A page already signed in as `username` (the token in sessionStorage, as the login page leaves it). */
  async signedInPage(username: string, options: { mobile?: boolean } = {}) {
    const u = await this.user(username);
    const token = this.t.token({ id: u.id, role: u.role, tokenVersion: u.tokenVersion });
    const opened = await this.newPage(options);
    const user = { id: u.id, username: u.username, displayName: u.displayName, role: u.role, orgUnitId: u.orgUnitId };
    // A script string: this file is compiled without the DOM library.
    await opened.page.addInitScript(
      `sessionStorage.setItem('burdenLedger.token', ${JSON.stringify(token)}); sessionStorage.setItem('burdenLedger.user', ${JSON.stringify(JSON.stringify(user))});`,
    );
    return opened;
  }

  async login(page: Page, username: string, password: string): Promise<void> {
    await page.goto(`${this.baseUrl}/`);
    await page.fill('input[name=username]', username);
    await page.fill('input[name=password]', password);
    await page.click('button[type=submit]');
    await page.waitForSelector('header.topbar');
  }

  async screenshot(page: Page, name: string, fullPage = false): Promise<void> {
    if (!TAKE_SCREENSHOTS) return;
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage });
  }

  async close(): Promise<void> {
    await this.browser.close();
    await this.t.close();
  }
}
