import type { Tx } from '@/database/dialect';
import { selectRows, toInt } from '@/database/dialect';
import { UNIT_RULES } from './rules';
import type { RuleCode } from './rules/rule';
import type { DemandTitles, UnitRule } from './rules/unit-rule';

/**
 * Explanations rendered when a flag is read. The unit rules (duplicates, quotas, split
 * inspections) store their findings with an empty explanation: it is a function of the evidence
 * and the titles of the demands it names, and storing it took ≈ 45 % of every flag row at
 * province scale (775 k flags, most of them unit-rule flags). Every other rule stores its text.
 * A flag stored with a text (an older evaluation's) keeps it.
 */
const EXPLAINED_ON_READ: ReadonlyMap<RuleCode, UnitRule> = new Map(UNIT_RULES.map((rule) => [rule.code, rule]));

/** A flag as far as its explanation goes. */
export interface Explainable {
  rule: RuleCode;
  demandId: number | null;
  landsOn: string;
  explanation: string;
  evidence: Record<string, unknown>;
}

const renderedOnRead = (flag: Explainable) => flag.explanation === '' && EXPLAINED_ON_READ.has(flag.rule);

/** The flag's explanation: as stored, or rendered from the evidence with the given titles. */
export function explanationOf(flag: Explainable, titles: DemandTitles): string {
  const rule = EXPLAINED_ON_READ.get(flag.rule);
  return flag.explanation === '' && rule ? rule.explain(flag, titles) : flag.explanation;
}

/** The demands whose titles the explanations of `flags` need: each flag's own and those it names. */
export function demandsNamedBy(flags: readonly Explainable[]): number[] {
  const ids = new Set<number>();
  for (const flag of flags) {
    if (!renderedOnRead(flag)) continue;
    if (flag.demandId !== null) ids.add(flag.demandId);
    for (const id of EXPLAINED_ON_READ.get(flag.rule)?.namedDemands(flag.evidence) ?? []) ids.add(id);
  }
  return [...ids];
}

/** Ids per title query: far below both databases' parameter limits. */
const TITLE_CHUNK = 500;

/**
 * Fills in the explanation of every flag rendered on read, with one title query per 500 demands
 * named (a page of flags names at most a few hundred).
 */
export async function explainFlags<T extends Explainable>(tx: Tx, flags: T[]): Promise<T[]> {
  const ids = demandsNamedBy(flags);
  if (!ids.length) return flags;
  const titles = new Map<number, string>();
  for (let i = 0; i < ids.length; i += TITLE_CHUNK) {
    const chunk = ids.slice(i, i + TITLE_CHUNK);
    const rows = await selectRows<{ id: number | string; title: string }>(tx, `SELECT id, title FROM demands WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const row of rows) titles.set(toInt(row.id), row.title);
  }
  const titleOf = (id: number) => titles.get(id);
  for (const flag of flags) flag.explanation = explanationOf(flag, titleOf);
  return flags;
}
