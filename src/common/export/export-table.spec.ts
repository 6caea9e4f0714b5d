import { exportTable, tableLayout } from './export-table';

interface ReportView {
  id: number;
  title: string;
  hours: number;
  shadow: { issuerName: string; channel: string } | null;
  tags: string[];
  evidence: Record<string, unknown>;
}

interface IssuerView {
  id: number;
  title: string;
  hours: number;
}

const TABLE = exportTable<ReportView>({
  name: 'reports',
  title: '填报',
  columns: { id: true, title: true, hours: true, shadow: ['issuerName', 'channel'], tags: true, evidence: true },
});

describe('tableLayout', () => {
  it('names columns after the fields, a spread object as field.sub, in the order declared', () => {
    expect(tableLayout(TABLE).header).toEqual(['id', 'title', 'hours', 'shadow.issuerName', 'shadow.channel', 'tags', 'evidence']);
  });

  it('turns an item into cells: numbers stay numbers, sub-fields spread, lists joined, objects as JSON', () => {
    const { row } = tableLayout(TABLE);
    const item: ReportView = { id: 7, title: '=1+1', hours: -1.5, shadow: { issuerName: '县某局', channel: 'wechat_group' }, tags: ['a', 'b'], evidence: { days: 2 } };
    expect(row(item)).toEqual([7, '=1+1', -1.5, '县某局', 'wechat_group', 'a;b', '{"days":2}']);
  });

  it('leaves the sub-field columns of a null object empty', () => {
    const { row } = tableLayout(TABLE);
    expect(row({ id: 1, title: 't', hours: 0, shadow: null, tags: [], evidence: {} })).toEqual([1, 't', 0, null, null, '', '{}']);
  });

  it('takes the fields of every view of a union; a row of the narrower view leaves the others empty', () => {
    const table = exportTable<ReportView | IssuerView>({
      name: 'reports',
      title: '填报',
      columns: { id: true, title: true, hours: true, shadow: ['issuerName'], tags: true, evidence: true },
    });
    const issuerRow: IssuerView = { id: 2, title: '甲', hours: 3 };
    expect(tableLayout(table).row(issuerRow)).toEqual([2, '甲', 3, null, null, null]);
  });

  it('adds the extra fields of an item with open-ended fields after the declared ones', () => {
    interface Open {
      id: number;
      [kindSpecific: string]: unknown;
    }
    const table = exportTable<Open>({ name: 'open', title: '开放', columns: { id: true }, extraFields: ['onSiteDays', 'jointWith'] });
    const layout = tableLayout(table);
    expect(layout.header).toEqual(['id', 'onSiteDays', 'jointWith']);
    expect(layout.row({ id: 1, jointWith: [4, 5] })).toEqual([1, null, '4;5']);
  });

  // The type check (tsc, npm test) fails if any @ts-expect-error below stops being an error.
  it('is checked by the compiler: every field must be placed, and only fields of the item', () => {
    // @ts-expect-error: `evidence` is missing, so a field added to a view cannot silently miss the export
    const missing = exportTable<ReportView>({ name: 'r', title: 'r', columns: { id: true, title: true, hours: true, shadow: true, tags: true } });
    exportTable<ReportView>({
      name: 'r',
      title: 'r',
      // @ts-expect-error: `nope` is not a field of the item
      columns: { id: true, title: true, hours: true, shadow: true, tags: true, evidence: true, nope: true },
    });
    // @ts-expect-error: `nope` is not a sub-field of shadow
    exportTable<ReportView>({ name: 'r', title: 'r', columns: { id: true, title: true, hours: true, shadow: ['nope'], tags: true, evidence: true } });
    // `true` on an object keeps it whole: one column, its JSON text.
    expect(tableLayout(missing).header).toEqual(['id', 'title', 'hours', 'shadow', 'tags']);
  });
});
