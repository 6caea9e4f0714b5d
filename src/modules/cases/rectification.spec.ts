import { rectificationOf } from './rectification';

describe('rectificationOf', () => {
  const today = '2026-11-27';

  it('is verified only when every flag is', () => {
    expect(rectificationOf([{ id: 1, status: 'verified', dueOn: null }, { id: 2, status: 'verified', dueOn: null }], today).status).toBe('verified');
    expect(rectificationOf([{ id: 1, status: 'verified', dueOn: null }, { id: 2, status: 'rectified', dueOn: null }], today).status).toBe('rectified');
  });

  it('is rectifying while any flag is, and counts the overdue ones', () => {
    const r = rectificationOf(
      [
        { id: 1, status: 'rectifying', dueOn: '2026-11-26' },
        { id: 2, status: 'rectifying', dueOn: '2026-11-27' },
        { id: 3, status: 'confirmed', dueOn: null },
      ],
      today,
    );
    expect(r).toMatchObject({ status: 'rectifying', label: '整改中', overdue: 1, counts: { rectifying: 2, confirmed: 1 } });
    expect(r.flags.map((f) => f.overdue)).toEqual([true, false, false]);
  });

  it('is not yet ordered while flags are only confirmed', () => {
    expect(rectificationOf([{ id: 1, status: 'confirmed', dueOn: null }, { id: 2, status: 'verified', dueOn: null }], today)).toMatchObject({ status: 'not_ordered', label: '待部署整改' });
  });
});
