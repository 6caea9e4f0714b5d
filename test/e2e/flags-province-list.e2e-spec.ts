import { bearer, createUnit, createUser, standardTree, StandardTree, standardUsers, StandardUsers, UserRef } from '../factories';
import { demandBody } from '../factories/demands';
import { TestApp } from '../utils/test-app';

const API = '/api/v1';

/**
 * GET /flags for a province's coordinator and inspector: while the province is the only root, its
 * jurisdiction holds every unit and the list reads every flag without the visibility condition
 * (what keeps it fast at province scale); once another province exists, its flags stay out.
 */
describe('GET /flags over a whole province (e2e)', () => {
  let t: TestApp;
  let tree: StandardTree;
  let users: StandardUsers;
  let provinceCoordinator: UserRef;
  let provinceInspector: UserRef;

  beforeAll(async () => {
    t = await TestApp.start();
    tree = await standardTree(t);
    users = await standardUsers(t, tree);
    provinceCoordinator = await createUser(t, 'coordinator', tree.yunnan);
    provinceInspector = await createUser(t, 'inspector', tree.yunnan);
  });
  afterAll(() => t.close());

  /** A rushed report across National Day: SHORT_DEADLINE is raised in the request that registers it. */
  const rushedReport = async (issuer: UserRef, targetUnitIds: number[], title: string): Promise<number> => {
    const res = await t.http
      .post(`${API}/demands`)
      .set(bearer(issuer))
      .send(demandBody('report', tree, { title, issuedOn: '2026-09-30', dueOn: '2026-10-09', targetUnitIds }));
    expect(res.status).toBe(201);
    return (res.body as { id: number }).id;
  };
  const list = async (as: UserRef, query = '') => {
    const res = await t.http.get(`${API}/flags?pageSize=500${query}`).set(bearer(as));
    expect(res.status).toBe(200);
    const body = res.body as { items: { demandId: number | null; issuerId: number | null }[]; total: number };
    return { demandIds: body.items.map((f) => f.demandId).sort((a, b) => (a ?? 0) - (b ?? 0)), total: body.total };
  };

  it('the only province reads every flag, filtered and paged as anyone else', async () => {
    const first = await rushedReport(users.issuer, [tree.wenlan.id], '国庆前报送一');
    const second = await rushedReport(users.issuer, [tree.yuguopu.id], '国庆前报送二');
    for (const as of [provinceCoordinator, provinceInspector]) {
      expect(await list(as)).toEqual({ demandIds: [first, second], total: 2 });
      expect(await list(as, `&demandId=${second}`)).toEqual({ demandIds: [second], total: 1 });
      expect(await list(as, '&status=confirmed')).toEqual({ demandIds: [], total: 0 });
      expect(await list(as, '&status=open&rule=SHORT_DEADLINE')).toEqual({ demandIds: [first, second], total: 2 });
      // Pages newest first, with and without filters (the page's ids are sorted before their rows are read).
      for (const query of ['', '&status=open', '&rule=SHORT_DEADLINE', '&status=open&rule=SHORT_DEADLINE&from=2026-01-01', '&status=open&to=2026-12-31']) {
        const page1 = await t.http.get(`${API}/flags?pageSize=1&page=1${query}`).set(bearer(as)).expect(200);
        expect(page1.body).toMatchObject({ total: 2, page: 1, pageSize: 1, items: [{ demandId: second }] });
        const page2 = await t.http.get(`${API}/flags?pageSize=1&page=2${query}`).set(bearer(as)).expect(200);
        expect(page2.body).toMatchObject({ total: 2, page: 2, pageSize: 1, items: [{ demandId: first }] });
      }
    }
    // A county's coordinator still reads its own county's flags only (both are in 蒙自市 here).
    expect((await list(users.gejiuCoordinator)).total).toBe(0);
  });

  it('with a second province, each province reads its own flags only', async () => {
    const before = await list(provinceCoordinator);
    const guizhou = await createUnit(t, '52', '贵州省', null);
    const guiyang = await createUnit(t, '5201', '贵阳市', guizhou);
    const county = await createUnit(t, '520102', '南明区', guiyang);
    const office = await createUnit(t, '520102-JYJ', '南明区教育局', county, { kind: 'department', level: 'county' });
    const town = await createUnit(t, '520102001', '测试街道', county);
    const outside = await rushedReport(await createUser(t, 'issuer', office), [town.id], '贵州的国庆前报送');

    expect(await list(provinceCoordinator)).toEqual(before);
    expect(await list(provinceInspector)).toEqual(before);
    expect(await list(provinceCoordinator, `&demandId=${outside}`)).toEqual({ demandIds: [], total: 0 });
    const guizhouCoordinator = await createUser(t, 'coordinator', guizhou);
    expect(await list(guizhouCoordinator)).toEqual({ demandIds: [outside], total: 1 });
    const flag = await t.http.get(`${API}/flags?demandId=${outside}`).set(bearer(guizhouCoordinator)).expect(200);
    const flagId = (flag.body as { items: { id: number }[] }).items[0].id;
    await t.http.get(`${API}/flags/${flagId}`).set(bearer(provinceCoordinator)).expect(404);
  });
});
