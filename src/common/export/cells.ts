/**
 * How a list item's values become spreadsheet cells, for both CSV and XLSX. The one place that
 * decides it:
 *
 * - a finite number stays a number (never escaped, even when negative); NaN and Infinity are empty;
 * - a boolean stays a boolean (`true` / `false` in CSV, a logical cell in XLSX);
 * - null and undefined are an empty cell;
 * - a Date is its ISO text;
 * - a list of numbers, strings or booleans is one text cell, the elements joined by `;`
 *   (`[3, 7]` → `3;7`); an element that itself holds `;` is not escaped;
 * - any other list or object is its JSON text (`{"done":3,"total":10}`), unless the export table
 *   spreads an object over one column per sub-field (see export-table.ts);
 * - every text cell, whatever it came from, is neutralised against formula injection
 *   (`neutraliseFormula`) when it is written.
 */
export type Cell = string | number | boolean | null;

const LIST_SEPARATOR = ';';

export function toCell(value: unknown): Cell {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value === 'boolean' || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString();
  if (Array.isArray(value) && value.every(isScalar)) return value.map((v) => String(v)).join(LIST_SEPARATOR);
  return JSON.stringify(value) ?? null;
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * Characters that make a spreadsheet read a text cell as a formula (or, tab and carriage return,
 * as a cell boundary some importers split on). The full-width forms are included because
 * spreadsheets in Chinese locales may take them for their ASCII counterparts.
 */
const FORMULA_TRIGGERS = new Set(['=', '+', '-', '@', '\t', '\r', '＝', '＋', '－', '＠']);

/**
 * Text that a spreadsheet would run as a formula (`=HYPERLINK(…)`, `+1`, `-2+3`, `@SUM(…)`) is
 * prefixed with `'`, so it shows as the text it is (OWASP, CSV injection). Only text is touched:
 * a number-typed value never comes here, so -5 stays the number -5 while the text "-5" becomes
 * `'-5`.
 */
export function neutraliseFormula(text: string): string {
  return text.length > 0 && FORMULA_TRIGGERS.has(text[0]) ? `'${text}` : text;
}
