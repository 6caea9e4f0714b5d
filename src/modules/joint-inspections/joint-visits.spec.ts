import { landingsInPeriod, proposeJointVisits, UnitInspection } from './joint-visits';

const WINDOW = 30;
const FROM = '2026-01-01';
const TO = '2026-12-31';

let nextId = 1;
/** A one-off inspection landing on `on` (its due date), by `issuerId`. */
function inspection(issuerId: number, on: string, over: Partial<UnitInspection> = {}): UnitInspection {
  return { demandId: nextId++, issuerId, status: 'active', jointWith: [], schedule: { issuedOn: '2026-01-01', dueOn: on, recurrence: 'once' }, ...over };
}

const propose = (inspections: UnitInspection[], from = FROM, to = TO, windowDays = WINDOW) => proposeJointVisits(landingsInPeriod(inspections, from, to), windowDays);
/** Each group as [issuer@date, …] with its visitsSaved, for readable expectations. */
const shape = (inspections: UnitInspection[], from = FROM, to = TO, windowDays = WINDOW) =>
  propose(inspections, from, to, windowDays).map((g) => ({ from: g.from, to: g.to, landings: g.landings.map((l) => `${l.inspection.issuerId}@${l.date}`), visitsSaved: g.visitsSaved }));

describe('joint-inspection suggestions (综合查一次, DESIGN §4)', () => {
  describe('the window', () => {
    it('groups two issuers exactly windowDays apart (the limit is inclusive)', () => {
      expect(shape([inspection(1, '2026-03-01'), inspection(2, '2026-03-31')])).toEqual([
        { from: '2026-03-01', to: '2026-03-31', landings: ['1@2026-03-01', '2@2026-03-31'], visitsSaved: 1 },
      ]);
    });

    it('does not group them windowDays + 1 apart', () => {
      expect(shape([inspection(1, '2026-03-01'), inspection(2, '2026-04-01')])).toEqual([]);
    });

    it('measures the window from the group’s first landing, not from the previous one (no chaining)', () => {
      // 1 → 2 is 20 days, 2 → 3 is 20 days, but 1 → 3 is 40: 3 starts its own group, alone.
      expect(shape([inspection(1, '2026-03-01'), inspection(2, '2026-03-21'), inspection(3, '2026-04-10')])).toEqual([
        { from: '2026-03-01', to: '2026-03-21', landings: ['1@2026-03-01', '2@2026-03-21'], visitsSaved: 1 },
      ]);
    });

    it('follows the policy’s window when it changes', () => {
      const two = [inspection(1, '2026-03-01'), inspection(2, '2026-03-11')];
      expect(shape(two, FROM, TO, 10)).toHaveLength(1);
      expect(shape(two, FROM, TO, 9)).toEqual([]);
      expect(shape([inspection(1, '2026-03-01'), inspection(2, '2026-03-01')], FROM, TO, 0)).toHaveLength(1);
    });
  });

  describe('issuers', () => {
    it('never groups the same issuer twice (that is a repeat inspection, not a joint one)', () => {
      expect(shape([inspection(1, '2026-03-01'), inspection(1, '2026-03-10')])).toEqual([]);
    });

    it('skips a second landing of an issuer already in the group, and lets it start the next group', () => {
      expect(shape([inspection(1, '2026-03-01'), inspection(1, '2026-03-05'), inspection(2, '2026-03-10'), inspection(3, '2026-03-20')])).toEqual([
        { from: '2026-03-01', to: '2026-03-20', landings: ['1@2026-03-01', '2@2026-03-10', '3@2026-03-20'], visitsSaved: 2 },
      ]);
      // Issuer 1's second landing is left alone: a group of one is not a suggestion.
    });

    it('three issuers within the window save two visits', () => {
      const groups = propose([inspection(1, '2026-05-02'), inspection(2, '2026-05-10'), inspection(3, '2026-05-30')]);
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ from: '2026-05-02', to: '2026-05-30', visits: 3, visitsSaved: 2 });
    });

    it('orders landings of the same day by demand id, so the grouping is stable', () => {
      const a = inspection(1, '2026-03-01');
      const b = inspection(2, '2026-03-01');
      const groups = propose([b, a]);
      expect(groups[0].landings.map((l) => l.inspection.demandId)).toEqual([a.demandId, b.demandId]);
    });
  });

  describe('recurring inspections', () => {
    const monthly = (issuerId: number, startsOn: string, until: string, over: Partial<UnitInspection> = {}) =>
      inspection(issuerId, startsOn, { schedule: { issuedOn: '2026-01-01', startsOn, recurrence: 'monthly', until }, ...over });

    it('each landing of a recurring inspection can join another issuer’s inspection near it', () => {
      expect(shape([monthly(1, '2026-03-05', '2026-06-05'), inspection(2, '2026-04-20'), inspection(3, '2026-06-01')])).toEqual([
        { from: '2026-04-05', to: '2026-04-20', landings: ['1@2026-04-05', '2@2026-04-20'], visitsSaved: 1 },
        // The next ungrouped landing is issuer 1's of 05-05; 3's of 06-01 is 27 days after it.
        { from: '2026-05-05', to: '2026-06-01', landings: ['1@2026-05-05', '3@2026-06-01'], visitsSaved: 1 },
      ]);
    });

    it('never groups a recurring inspection with itself', () => {
      const weekly = inspection(1, '2026-03-02', { schedule: { issuedOn: '2026-01-01', startsOn: '2026-03-02', recurrence: 'weekly', until: '2026-04-30' } });
      expect(shape([weekly])).toEqual([]);
    });

    it('counts only landings inside [from, to]', () => {
      const inspections = [monthly(1, '2026-03-05', '2026-12-05'), inspection(2, '2026-03-10'), inspection(3, '2026-05-10')];
      expect(shape(inspections, '2026-04-01', '2026-05-31')).toEqual([
        { from: '2026-05-05', to: '2026-05-10', landings: ['1@2026-05-05', '3@2026-05-10'], visitsSaved: 1 },
      ]);
    });

    it('stops a recurring inspection at its cancellation date', () => {
      const stopped = monthly(1, '2026-03-05', '2026-12-05', { schedule: { issuedOn: '2026-01-01', startsOn: '2026-03-05', recurrence: 'monthly', until: '2026-12-05', cancelledOn: '2026-04-30' } });
      expect(landingsInPeriod([stopped], FROM, TO).map((l) => l.date)).toEqual(['2026-03-05', '2026-04-05']);
    });
  });

  describe('cancelled inspections', () => {
    it('are left out: a cancelled inspection will not take place and cannot be merged', () => {
      expect(shape([inspection(1, '2026-03-01', { status: 'cancelled' }), inspection(2, '2026-03-05')])).toEqual([]);
      expect(shape([inspection(1, '2026-03-01', { status: 'cancelled' }), inspection(2, '2026-03-05'), inspection(3, '2026-03-08')])).toEqual([
        { from: '2026-03-05', to: '2026-03-08', landings: ['2@2026-03-05', '3@2026-03-08'], visitsSaved: 1 },
      ]);
    });
  });

  describe('inspections already done jointly', () => {
    it('two issuers already inspecting together are one visit: no suggestion', () => {
      expect(shape([inspection(1, '2026-03-01', { jointWith: [2] }), inspection(2, '2026-03-01')])).toEqual([]);
      expect(shape([inspection(1, '2026-03-01'), inspection(2, '2026-03-03', { jointWith: [1] })])).toEqual([]);
    });

    it('save nothing more when a third issuer joins them', () => {
      const groups = propose([inspection(1, '2026-03-01', { jointWith: [2] }), inspection(2, '2026-03-01', { jointWith: [1] }), inspection(3, '2026-03-15')]);
      expect(groups).toHaveLength(1);
      expect(groups[0]).toMatchObject({ visits: 2, visitsSaved: 1 });
      expect(groups[0].landings).toHaveLength(3);
    });

    it('link transitively: 1 with 2 and 2 with 3 is one visit', () => {
      expect(shape([inspection(1, '2026-03-01', { jointWith: [2] }), inspection(2, '2026-03-01', { jointWith: [3] }), inspection(3, '2026-03-02')])).toEqual([]);
    });

    it('a jointWith naming an issuer with no landing in the group changes nothing', () => {
      const groups = propose([inspection(1, '2026-03-01', { jointWith: [9] }), inspection(2, '2026-03-05')]);
      expect(groups[0]).toMatchObject({ visits: 2, visitsSaved: 1 });
    });
  });

  it('proposes nothing for no landings or a single one', () => {
    expect(propose([])).toEqual([]);
    expect(propose([inspection(1, '2026-03-01')])).toEqual([]);
  });
});
