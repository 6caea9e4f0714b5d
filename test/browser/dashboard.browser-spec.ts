import { readFileSync } from 'node:fs';
import { selectRows, toInt } from '@/database/dialect';
import { DEMO_TOWNSHIP, DEMO_YEAR } from '@/modules/demo/demo-accounts';
import { readZipEntry } from '../utils/zip';
import { chromiumAvailable, DashboardHarness, TAKE_SCREENSHOTS } from './browser';

/**
 * The dashboard in headless Chromium against the real application with the demo county: each
 * flow is driven through the pages, then checked through the API and the database. ≈ 30 s.
 */
const run = chromiumAvailable() ? describe : describe.skip;
jest.setTimeout(90_000);

run('dashboard in a browser', () => {
  const PASSWORD = 'demo-password-1';
  let d: DashboardHarness;

  beforeAll(async () => {
    d = await DashboardHarness.start(PASSWORD);
  }, 180_000);
  afterAll(() => d?.close());

  /** No page shows a JavaScript value where text belongs. */
  const expectCleanText = async (page: import('playwright-core').Page) => {
    const text = (await page.textContent('#page')) ?? '';
    expect(text).not.toMatch(/\bnull\b|\bundefined\b|\bNaN\b|\[object Object\]/);
  };

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- API bodies are read as JSON, as supertest types them
  const api = async (username: string, path: string): Promise<any> => {
    const res = await d.t.http.get(`/api/v1${path}`).set('Authorization', `Bearer ${await d.tokenOf(username)}`);
    expect([path, res.status]).toEqual([path, 200]);
    return res.body;
  };

  it('serves the pages at / with ECharts from the app, and leaves the API its JSON 404', async () => {
    const index = await d.t.http.get('/').expect(200);
    expect(index.text).toContain('<script type="module" src="/js/app.js"></script>');
    expect(index.headers['content-security-policy']).toContain("script-src 'self'");
    const echarts = await d.t.http.get('/vendor/echarts.min.js').expect(200);
    expect(echarts.headers['content-type']).toMatch(/javascript/);
    await d.t.http.get('/flags/12').set('Accept', 'text/html').expect(200).expect('content-type', /html/);
    const missing = await d.t.http.get('/api/v1/no-such-route').set('Accept', 'text/html').expect(404);
    expect(missing.body.statusCode).toBe(404);
  });

  it('a coordinator logs in, sees the heatmap of the demo county, and confirms a flag', async () => {
    const { page, context, errors } = await d.newPage();
    await d.login(page, 'mengzi.coordinator', PASSWORD);
    expect(page.url()).toContain('#/overview');
    await page.waitForSelector('section[data-ready="true"] #heatmap canvas', { timeout: 30_000 });
    // 13 townships × 12 months, each cell a burden share read from the API.
    const cells = Number(await page.getAttribute('section[data-ready="true"]', 'data-cells'));
    expect(cells).toBe(13 * 12);
    await page.waitForSelector('text=多头填报、重复索要数据');
    await page.waitForSelector('text=蒙自市委组织部');
    await expectCleanText(page);
    await d.screenshot(page, 'coordinator-overview', true);

    const [flag] = (await api('mengzi.coordinator', '/flags?status=under_review&pageSize=1')).items;
    await page.goto(`${d.baseUrl}/#/flags/${flag.id}`);
    await page.waitForSelector('#actions button[data-to="confirmed"]');
    await page.waitForSelector('text=处理记录');
    await expectCleanText(page);
    await d.screenshot(page, 'coordinator-flag', true);
    await page.fill('#actions textarea[name=comment]', '经核实，重复检查属实，予以确认。');
    await page.click('#actions button[data-to="confirmed"]');
    await page.waitForSelector('#transition-result .notice-success');
    expect(await page.textContent('#transition-result')).toContain('已确认');

    const after = await api('mengzi.coordinator', `/flags/${flag.id}`);
    expect(after.status).toBe('confirmed');
    expect(after.version).toBe(flag.version + 1);
    expect(after.transitions.at(-1)).toMatchObject({ from: 'under_review', to: 'confirmed', comment: '经核实，重复检查属实，予以确认。' });
    const rows = await selectRows<{ to_status: string }>(d.t.db, 'SELECT to_status FROM flag_transitions WHERE flag_id = ? ORDER BY id', [flag.id]);
    expect(rows.at(-1)?.to_status).toBe('confirmed');
    // The page reloads the flag: the history shows the decision, the buttons the next step.
    await page.waitForSelector('#actions button[data-to="rectifying"]');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a flag changed meanwhile answers 409 and the page says so in Chinese', async () => {
    const { page, context } = await d.signedInPage('mengzi.coordinator');
    const [flag] = (await api('mengzi.coordinator', '/flags?status=open&rule=SHORT_DEADLINE&pageSize=1')).items;
    await page.goto(`${d.baseUrl}/#/flags/${flag.id}`);
    await page.waitForSelector('#actions button[data-to="under_review"]');
    // Someone else takes the flag into review meanwhile.
    await d.t.http
      .post(`/api/v1/flags/${flag.id}/transitions`)
      .set('Authorization', `Bearer ${await d.tokenOf('mengzi.coordinator')}`)
      .send({ to: 'under_review', version: flag.version })
      .expect(200);
    await page.click('#actions button[data-to="under_review"]');
    await page.waitForSelector('#transition-result .notice-error');
    expect(await page.textContent('#transition-result')).toContain('已被他人处理，当前状态为「审核中」');
    // The stale copy moved nothing: one transition, the other user's.
    const after = await api('mengzi.coordinator', `/flags/${flag.id}`);
    expect(after.transitions.map((t: { to: string }) => t.to)).toEqual(['under_review']);
    await context.close();
  });

  it('a township clerk on a phone confirms a month of hours and reports a shadow demand', async () => {
    const clerk = await d.user('caoba.reporter');
    const township = clerk.orgUnitId!;
    const month = await monthWithUnreportedDemands(township);
    const before = await api('caoba.reporter', `/burden-reports?unitId=${township}&month=${month}&shadow=false&pageSize=1`);

    const { page, context, errors } = await d.newPage({ mobile: true });
    await d.login(page, 'caoba.reporter', PASSWORD);
    expect(page.url()).toContain('#/inbox');
    await page.waitForSelector('.calendar');
    await page.waitForSelector('.demand-list .demand');
    await expectCleanText(page);
    await d.screenshot(page, 'clerk-inbox');

    await page.goto(`${d.baseUrl}/#/confirm?unitId=${township}&month=${month}`);
    await page.waitForSelector('#confirm-submit');
    await expectCleanText(page);
    await d.screenshot(page, 'clerk-confirm');
    // One demand cost far more than its estimate: filed at its actual hours, it leaves the batch.
    const first = page.locator('.confirm-list li').first();
    const actualDemandId = Number(await first.getAttribute('data-demand'));
    await first.locator('button.textlink').click();
    await first.locator('input[name=hoursSpent]').fill('12.5');
    await first.locator('input[name=staffInvolved]').fill('3');
    await first.locator('.actual-hours button[type=submit]').click();
    await first.locator('.notice-success').waitFor();
    const toConfirm = await page.locator('.confirm-list input[type=checkbox]:checked').count();
    expect(toConfirm).toBeGreaterThan(0);
    await page.click('#confirm-submit');
    await page.waitForSelector('.notice-success >> text=已确认');
    expect(await page.textContent('.notice-success')).toContain(`已确认 ${toConfirm} 项`);

    const after = await api('caoba.reporter', `/burden-reports?unitId=${township}&month=${month}&shadow=false&pageSize=1`);
    expect(after.total).toBe(before.total + toConfirm + 1);
    const [actual] = (await api('caoba.reporter', `/burden-reports?unitId=${township}&month=${month}&demandId=${actualDemandId}`)).items;
    expect(actual).toMatchObject({ hoursSpent: 12.5, staffInvolved: 3, source: 'report' });
    const [confirmed] = await selectRows<{ n: unknown }>(d.t.db, "SELECT COUNT(*) AS n FROM burden_reports WHERE unit_id = ? AND month = ? AND source = 'confirm'", [township, month]);
    expect(toInt(confirmed.n)).toBeGreaterThanOrEqual(toConfirm);
    // Every demand of the month is reported now: the page says so.
    await page.reload();
    await page.waitForSelector('text=均已填报');

    // On a phone the navigation sits behind the menu button.
    expect(await page.isVisible('nav#nav a[href="#/shadow"]')).toBe(false);
    await page.click('button.nav-toggle');
    await page.click('nav#nav a[href="#/shadow"]');
    await page.waitForSelector('#shadow-form');
    const title = '微信群通知当天报送辖区重点企业名单（浏览器测试）';
    await page.fill('input[name=issuerName]', '某县直部门');
    await page.fill('input[name=title]', title);
    await page.selectOption('select[name=channel]', 'wechat_group');
    await page.fill('input[name=hoursSpent]', '6.5');
    await page.fill('input[name=staffInvolved]', '2');
    await d.screenshot(page, 'clerk-shadow');
    // The phone's link drops the first answer after the server stored the report: the page sends
    // the POST again with the same Idempotency-Key and the server replays it (one report, not two).
    const keys: string[] = [];
    await page.route('**/api/v1/burden-reports', async (route) => {
      if (route.request().method() !== 'POST') return route.continue();
      keys.push(route.request().headers()['idempotency-key']);
      if (keys.length === 1) {
        await route.fetch();
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await page.click('#shadow-form button[type=submit]');
    await page.waitForSelector('#shadow-result .notice-success');
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);

    const shadows = await api('caoba.reporter', `/burden-reports?unitId=${township}&shadow=true&pageSize=500`);
    expect(shadows.items.filter((r: { shadow: { title: string } | null }) => r.shadow?.title === title)).toHaveLength(1);
    const report = shadows.items.find((r: { shadow: { title: string } | null }) => r.shadow?.title === title);
    expect(report).toMatchObject({ hoursSpent: 6.5, staffInvolved: 2, shadow: { issuerName: '某县直部门', channel: 'wechat_group' } });
    // Stored as a shadow demand with its hours in whole minutes (the HIDDEN_BURDEN flag comes with the next evaluation).
    const [row] = await selectRows<{ shadow_title: string; shadow_channel: string; minutes_spent: unknown; demand_id: unknown }>(
      d.t.db,
      'SELECT shadow_title, shadow_channel, minutes_spent, demand_id FROM burden_reports WHERE id = ?',
      [report.id],
    );
    expect(row).toMatchObject({ shadow_title: title, shadow_channel: 'wechat_group', demand_id: null });
    expect(toInt(row.minutes_spent)).toBe(390);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a registration number is looked up and a demand objected to', async () => {
    const { page, context } = await d.signedInPage('caoba.reporter', { mobile: true });
    const clerk = await d.user('caoba.reporter');
    const [demand] = (await api('caoba.reporter', `/demands?targetUnitId=${clerk.orgUnitId}&pageSize=1`)).items;
    await page.goto(`${d.baseUrl}/#/lookup`);
    await page.fill('input[name=registrationNo]', demand.registrationNo);
    await page.click('button[type=submit]');
    await page.waitForSelector('#lookup-result .notice-success');
    expect(await page.textContent('#lookup-result')).toContain(demand.title);
    await page.fill('input[name=registrationNo]', `${DEMO_TOWNSHIP}-1999-999999`);
    await page.click('button[type=submit]');
    await page.waitForSelector('#lookup-result .notice-error');
    expect(await page.textContent('#lookup-result')).toContain('未经登记');

    await page.goto(`${d.baseUrl}/#/objection/${demand.id}`);
    await page.fill('textarea[name=reason]', '该事项属于收回事项，不应由乡镇承担。');
    await page.click('button[type=submit]');
    await page.waitForSelector('.notice-success');
    const objections = await api('caoba.reporter', `/objections?demandId=${demand.id}`);
    expect(objections.items.map((o: { reason: string }) => o.reason)).toContain('该事项属于收回事项，不应由乡镇承担。');
    await context.close();
  });

  it('an inspector builds a case from a confirmed flag, makes it final, and downloads the bulletin as a Word document', async () => {
    const { page, context, errors } = await d.newPage();
    await d.login(page, 'mengzi.inspector', PASSWORD);
    expect(page.url()).toContain('#/cases');
    const box = page.locator('#new-case input[name=flagId]').first();
    await box.waitFor();
    const flagId = Number(await box.getAttribute('value'));
    await box.check();
    const title = '某市直部门重复开展督查检查，加重基层负担';
    await page.fill('#new-case input[name=title]', title);
    await page.click('#new-case button[type=submit]');
    await page.waitForSelector('#finalise');
    const caseId = Number(/#\/cases\/(\d+)/.exec(page.url())?.[1]);
    expect(caseId).toBeGreaterThan(0);
    await page.fill('#finalise textarea[name=facts]', '同一主题 30 天内多次到同一乡镇检查，未联合开展。');
    await page.selectOption('#finalise select[name=handlingType]', '通报批评');
    await page.click('#finalise button[type=submit]');
    await page.waitForSelector('.page-head .badge:has-text("已定稿")');

    const stored = await api('mengzi.inspector', `/cases/${caseId}`);
    expect(stored).toMatchObject({ title, status: 'final', handlingType: '通报批评', flagIds: [flagId] });
    const [row] = await selectRows<{ status: string }>(d.t.db, 'SELECT status FROM cases WHERE id = ?', [caseId]);
    expect(row.status).toBe('final');

    await page.goto(`${d.baseUrl}/#/cases`);
    await page.waitForSelector(`text=${title}`);
    await expectCleanText(page);
    await d.screenshot(page, 'inspector-cases', true);

    await page.goto(`${d.baseUrl}/#/bulletins`);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    await page.fill('input[name=from]', `${today.slice(0, 4)}-01-01`);
    await page.fill('input[name=to]', today);
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('button[data-format="docx"]')]);
    expect(download.suggestedFilename()).toMatch(/\.docx$/);
    const file = readFileSync(await download.path());
    expect(file.subarray(0, 2).toString()).toBe('PK');
    expect(readZipEntry(file, 'word/document.xml')).toContain('重复开展督查检查');
    await page.waitForSelector('#bulletin-result .notice-success');
    await page.click('text=预览');
    await page.waitForSelector('.bulletin h2');
    await d.screenshot(page, 'inspector-bulletin', true);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a bulletin over many cases renders as a job: the page waits for it, then previews and downloads it', async () => {
    const token = await d.tokenOf('mengzi.inspector');
    const as = (req: import('supertest').Test) => req.set('Authorization', `Bearer ${token}`);
    const [flag] = (await api('mengzi.inspector', '/flags?status=confirmed&pageSize=1')).items as { id: number }[];
    // 51 final cases handled in June of the year before: above the 50 a request renders inline.
    for (let i = 1; i <= 51; i++) {
      const created = await as(d.t.http.post('/api/v1/cases')).send({ flagIds: [flag.id], title: `批量通报案例第${i}号：重复报表` }).expect(201);
      await as(d.t.http.patch(`/api/v1/cases/${created.body.id}`))
        .send({ facts: '同一数据反复报送。', provision: '《整治形式主义为基层减负若干规定》', handlingType: '批评教育', handlingOn: `${DEMO_YEAR - 1}-06-15`, status: 'final', version: created.body.version })
        .expect(200);
    }
    const { page, context, errors } = await d.newPage();
    await d.login(page, 'mengzi.inspector', PASSWORD);
    await page.goto(`${d.baseUrl}/#/bulletins`);
    await page.fill('input[name=from]', `${DEMO_YEAR - 1}-06-01`);
    await page.fill('input[name=to]', `${DEMO_YEAR - 1}-06-30`);
    await page.click('text=预览');
    await page.waitForSelector('.bulletin h2:has-text("关于51起")', { timeout: 60_000 });
    expect(await page.textContent('.bulletin')).toContain('批量通报案例第51号');
    const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), page.click('button[data-format="docx"]')]);
    const file = readFileSync(await download.path());
    expect(readZipEntry(file, 'word/document.xml')).toContain('五十一、批量通报案例第51号');
    await page.waitForSelector('#bulletin-result .notice-success');
    const jobs = await selectRows<{ n: number | string }>(d.t.db, "SELECT COUNT(*) AS n FROM jobs WHERE kind = 'case-report' AND status = 'succeeded'");
    expect(toInt(jobs[0].n)).toBe(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an issuer reports a rectification and the coordinator verifies it', async () => {
    const issuer = await d.user('mengzi.yjj');
    const coordinatorToken = await d.tokenOf('mengzi.coordinator');
    const move = async (id: number, body: Record<string, unknown>): Promise<{ version: number }> =>
      (await d.t.http.post(`/api/v1/flags/${id}/transitions`).set('Authorization', `Bearer ${coordinatorToken}`).send(body).expect(200)).body as { version: number };
    // A finding on one of the office's demands, taken to rectification by the coordinator.
    const [open] = (await api('mengzi.coordinator', `/flags?issuerId=${issuer.orgUnitId}&status=open&pageSize=50`)).items.filter(
      (f: { demandId: number | null; rule: string }) => f.demandId !== null && f.rule !== 'OBJECTION',
    );
    const reviewed = await move(open.id, { to: 'under_review', version: open.version });
    const confirmed = await move(open.id, { to: 'confirmed', version: reviewed.version, comment: '经核实，问题属实。' });
    const dueOn = new Date(Date.now() + 8 * 3600_000 + 30 * 86_400_000).toISOString().slice(0, 10);
    await move(open.id, { to: 'rectifying', version: confirmed.version, comment: '请于期限内整改。', dueOn });

    const { page, context, errors } = await d.newPage();
    await d.login(page, 'mengzi.yjj', PASSWORD);
    expect(page.url()).toContain('#/my-demands');
    await page.waitForSelector('table tbody tr');
    await expectCleanText(page);
    await page.click('text=去整改');
    await page.click(`a[href="#/flags/${open.id}"]`);
    await page.fill('#actions textarea[name=comment]', '已发文纠正并清理相关要求。');
    await page.click('#actions button[data-to="rectified"]');
    await page.waitForSelector('#transition-result .notice-success');
    expect((await api('mengzi.yjj', `/flags/${open.id}`)).status).toBe('rectified');
    await context.close();

    const coordinator = await d.signedInPage('mengzi.coordinator');
    await coordinator.page.goto(`${d.baseUrl}/#/flags/${open.id}`);
    await coordinator.page.click('#actions button[data-to="verified"]');
    await coordinator.page.waitForSelector('#transition-result .notice-success');
    const after = await api('mengzi.coordinator', `/flags/${open.id}`);
    expect(after.status).toBe('verified');
    expect(after.transitions.map((t: { to: string }) => t.to)).toEqual(['under_review', 'confirmed', 'rectifying', 'rectified', 'verified']);
    expect(errors).toEqual([]);
    await coordinator.context.close();
  });

  it('a coordinator links a shadow demand to the registered demand it turned out to be', async () => {
    const clerk = await d.user('caoba.reporter');
    const [flag] = (await api('mengzi.coordinator', `/flags?rule=HIDDEN_BURDEN&status=open&unitId=${clerk.orgUnitId}&pageSize=50`)).items.filter(
      (f: { reportId: number | null; evidence: { shadow?: boolean } }) => f.reportId !== null && f.evidence.shadow,
    );
    const report = await api('caoba.reporter', `/burden-reports/${flag.reportId}`);
    // A registered demand landing on the unit that month which it has not reported on.
    const last = new Date(Date.UTC(Number(report.month.slice(0, 4)), Number(report.month.slice(5)), 0)).toISOString().slice(0, 10);
    const listed = (await api('caoba.reporter', `/demands?targetUnitId=${clerk.orgUnitId}&from=${report.month}-01&to=${last}&pageSize=500`)).items;
    const reported = new Set((await api('caoba.reporter', `/burden-reports?unitId=${clerk.orgUnitId}&month=${report.month}&pageSize=500`)).items.map((r: { demandId: number }) => r.demandId));
    const demand = listed.find((x: { id: number; recurrence: string }) => x.recurrence === 'once' && !reported.has(x.id));

    const { page, context, errors } = await d.signedInPage('mengzi.coordinator');
    await page.goto(`${d.baseUrl}/#/flags/${flag.id}`);
    await page.fill('#link-shadow input[name=registrationNo]', demand.registrationNo);
    await page.click('#link-shadow button[type=submit]');
    await page.waitForSelector('#link-result .notice-success');
    await page.waitForSelector('.page-head .badge:has-text("已撤回")');

    const linked = await api('caoba.reporter', `/burden-reports/${flag.reportId}`);
    expect(linked).toMatchObject({ demandId: demand.id, linkedAt: expect.any(String) });
    expect((await api('mengzi.coordinator', `/flags/${flag.id}`)).status).toBe('withdrawn');
    expect(errors).toEqual([]);
    await context.close();
  });

  it('a coordinator approves a submitted inspection plan after reading its items', async () => {
    const issuerToken = await d.tokenOf('mengzi.tjj');
    const year = DEMO_YEAR + 1;
    const created = await d.t.http
      .post('/api/v1/inspection-plans')
      .set('Authorization', `Bearer ${issuerToken}`)
      .send({ year, title: `蒙自市统计局${year}年度督查检查考核计划`, items: [{ title: '统计数据质量专项检查', topic: 'statistics', targetLevel: 'township', plannedMonth: `${year}-04`, onSiteDays: 1 }] })
      .expect(201);
    await d.t.http.post(`/api/v1/inspection-plans/${created.body.id}/submit`).set('Authorization', `Bearer ${issuerToken}`).expect(200);

    const { page, context, errors } = await d.signedInPage('mengzi.coordinator');
    await page.goto(`${d.baseUrl}/#/plans`);
    await page.click(`a[href="#/plans?status=submitted&id=${created.body.id}"]`);
    await page.waitForSelector('#plan-detail >> text=统计数据质量专项检查');
    await expectCleanText(page);
    await page.click(`button[data-action="approve"][data-plan="${created.body.id}"]`);
    await page.waitForSelector('#plan-result .notice-success');
    const plan = await api('mengzi.coordinator', `/inspection-plans/${created.body.id}`);
    expect(plan.status).toBe('approved');
    expect(plan.decidedBy).toBe((await d.user('mengzi.coordinator')).id);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an issuer previews a meeting, sees the flag it would raise, and sends it', async () => {
    const issuer = await d.user('mengzi.yjj');
    const { page, context, errors } = await d.signedInPage('mengzi.yjj');
    await page.goto(`${d.baseUrl}/#/preview`);
    await page.selectOption('select[name=kind]', 'meeting');
    const title = '全市安全生产形势分析会（浏览器测试）';
    await page.fill('input[name=title]', title);
    await page.selectOption('select[name=topic]', 'work_safety');
    const on = new Date(Date.now() + 8 * 3600_000 + 10 * 86_400_000).toISOString().slice(0, 10);
    await page.fill('input[name=dueOn]', on);
    await page.fill('input[name=durationMinutes]', '300');
    await page.fill('input[name=attendeesPerTarget]', '2');
    await page.click('button[type=submit]');
    await page.waitForSelector('#preview-result >> text=会海、层层陪会');
    // Previewing wrote nothing.
    expect((await api('mengzi.yjj', `/demands?issuerId=${issuer.orgUnitId}&pageSize=500`)).items.map((x: { title: string }) => x.title)).not.toContain(title);
    await page.click('text=确认下达');
    await page.waitForSelector('#preview-result .notice-success');
    const registrationNo = /登记编号 (\S+?)。/.exec((await page.textContent('#preview-result .notice-success')) ?? '')?.[1];
    const lookup = await api('mengzi.yjj', `/demands/lookup?registrationNo=${registrationNo}`);
    expect(lookup).toMatchObject({ registered: true, demand: { title, kind: 'meeting' } });
    const demand = await api('mengzi.yjj', `/demands/${lookup.demand.id}`);
    expect(demand).toMatchObject({ durationMinutes: 300, attendeesPerTarget: 2, startsOn: on, targetCount: 13 });
    expect(errors).toEqual([]);
    await context.close();
  });

  it('an expired or revoked token returns to the login page', async () => {
    const { page, context } = await d.newPage();
    await page.addInitScript(
      `sessionStorage.setItem('burdenLedger.token', 'not-a-token'); sessionStorage.setItem('burdenLedger.user', JSON.stringify({ id: 1, username: 'x', role: 'coordinator', orgUnitId: 3 }));`,
    );
    await page.goto(`${d.baseUrl}/#/flags`);
    await page.waitForSelector('.login-card');
    expect(await page.textContent('.login-card')).toContain('登录已过期');
    expect(page.url()).toContain('next=');
    await context.close();
  });

  it('pages get the same 403 as any client: a clerk cannot read the flags API', async () => {
    const { page, context } = await d.signedInPage('caoba.reporter');
    await page.goto(`${d.baseUrl}/#/flags`);
    await page.waitForSelector('.notice-error');
    expect(await page.textContent('.notice-error')).toContain('无权');
    await context.close();
  });

  (TAKE_SCREENSHOTS ? it : it.skip)('takes screenshots of the other pages (DASHBOARD_SCREENSHOTS=1)', async () => {
    const login = await d.newPage();
    await login.page.goto(`${d.baseUrl}/`);
    await login.page.waitForSelector('.login-card');
    await d.screenshot(login.page, 'login');
    await login.context.close();

    const township = (await d.user('caoba.reporter')).orgUnitId;
    const coordinator = await d.signedInPage('mengzi.coordinator');
    await coordinator.page.goto(`${d.baseUrl}/#/units/${township}?period=${DEMO_YEAR}`);
    await coordinator.page.waitForSelector('#series-chart canvas');
    await coordinator.page.waitForTimeout(300);
    await d.screenshot(coordinator.page, 'coordinator-unit-card', true);
    await coordinator.page.goto(`${d.baseUrl}/#/flags?status=open`);
    await coordinator.page.waitForSelector('table tbody tr');
    await d.screenshot(coordinator.page, 'coordinator-flags');
    await coordinator.context.close();

    const issuer = await d.signedInPage('mengzi.yjj');
    await issuer.page.goto(`${d.baseUrl}/#/preview`);
    await issuer.page.fill('input[name=title]', '关于报送安全生产隐患排查情况的通知');
    await issuer.page.fill('input[name=dueOn]', new Date(Date.now() + 8 * 3600_000 + 2 * 86_400_000).toISOString().slice(0, 10));
    await issuer.page.fill('textarea[name=fields]', '户籍人口（人）\n低保户数');
    await issuer.page.click('button[type=submit]');
    await issuer.page.waitForSelector('#preview-result h2');
    await d.screenshot(issuer.page, 'issuer-preview', true);
    await issuer.context.close();
  });

  /** A month of the demo year, not in the future, in which demands land on the unit that it has not reported yet. */
  async function monthWithUnreportedDemands(unitId: number): Promise<string> {
    const now = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);
    for (let m = 12; m >= 1; m--) {
      const month = `${DEMO_YEAR}-${String(m).padStart(2, '0')}`;
      if (month > now) continue;
      const last = new Date(Date.UTC(DEMO_YEAR, m, 0)).toISOString().slice(0, 10);
      const listed = (await api('caoba.reporter', `/demands?targetUnitId=${unitId}&from=${month}-01&to=${last}&status=active&pageSize=500`)).items;
      const reported = new Set((await api('caoba.reporter', `/burden-reports?unitId=${unitId}&month=${month}&shadow=false&pageSize=500`)).items.map((r: { demandId: number }) => r.demandId));
      for (const d of listed) {
        if (reported.has(d.id)) continue;
        if (d.recurrence === 'once') return month;
        const detail = await api('caoba.reporter', `/demands/${d.id}`);
        if (detail.occurrences.some((o: { month: string }) => o.month === month)) return month;
      }
    }
    throw new Error('the demo township has reported every month');
  }
});
