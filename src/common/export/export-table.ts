import { Cell, toCell } from './cells';

/** The declared keys of every member of a union (a list may answer two views); index signatures left out. */
type KnownKeys<T> = T extends unknown ? keyof { [K in keyof T as string extends K ? never : number extends K ? never : symbol extends K ? never : K]: unknown } : never;

/** The type of field K across the members of a union that have it. */
type FieldOf<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;

/** The sub-fields of a nested object (not of a list), which a table may spread over columns. */
type SubFields<V> = NonNullable<V> extends readonly unknown[] ? never : NonNullable<V> extends object ? Extract<KnownKeys<NonNullable<V>>, string> : never;

/**
 * One entry per field of the list item, in column order: `true` for one column named after the
 * field (its value flattened by `toCell`), or the sub-fields of a nested object, each its own
 * column named `field.sub` (`shadow.title`). The type requires every declared field and no other,
 * so a field added to a view fails to compile until the export says where it goes.
 */
export type ExportColumns<T> = { [K in Extract<KnownKeys<T>, string>]-?: true | readonly SubFields<FieldOf<T, K>>[] };

export interface ExportTable<T> {
  /** ASCII stem of the file name and name of the sheet, e.g. `burden-reports`. */
  name: string;
  /** The file name a reader sees (UTF-8), e.g. `负担填报`. */
  title: string;
  columns: ExportColumns<T>;
  /**
   * For an item with open-ended fields besides its declared ones (a demand's kind-specific
   * fields): those exported, one column each, after the declared ones.
   */
  extraFields?: readonly string[];
}

interface Column {
  header: string;
  field: string;
  sub?: string;
}

/** A list's export table, checked against its item type. */
export function exportTable<T>(table: ExportTable<T>): ExportTable<T> {
  return table;
}

function columnsOf<T>(table: ExportTable<T>): Column[] {
  const columns: Column[] = [];
  for (const [field, spec] of Object.entries<true | readonly string[]>(table.columns)) {
    if (spec === true) columns.push({ header: field, field });
    else for (const sub of spec) columns.push({ header: `${field}.${sub}`, field, sub });
  }
  for (const field of table.extraFields ?? []) columns.push({ header: field, field });
  return columns;
}

/** The header row and a function turning one item into its row of cells, in the same order. */
export function tableLayout<T>(table: ExportTable<T>): { header: string[]; row: (item: T) => Cell[] } {
  const columns = columnsOf(table);
  return {
    header: columns.map((c) => c.header),
    row: (item: T) =>
      columns.map((c) => {
        const value = (item as Record<string, unknown>)[c.field];
        if (c.sub === undefined) return toCell(value);
        return toCell(value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[c.sub] : undefined);
      }),
  };
}
