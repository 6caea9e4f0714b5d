import { selectRows, toInt, Tx } from '@/database/dialect';

const CHUNK = 400;

/**
 * The text of report field keys by their `field_keys` id, loaded as ids are met and kept for the
 * holder's lifetime (an id is never reused nor changed). For readers of millions of field rows
 * (the rule evaluation): joining the dictionary in SQL costs an index lookup per row, about 5 s of
 * a province evaluation; reading the ids and mapping them here costs one lookup per distinct key.
 * Held per evaluation, not process-wide.
 */
export class FieldKeyNames {
  private readonly names = new Map<number, string>();

  /** The texts of these ids (loading the ones not met yet). */
  async resolve(tx: Tx, ids: Iterable<number>): Promise<ReadonlyMap<number, string>> {
    const missing = [...new Set(ids)].filter((id) => !this.names.has(id));
    for (let i = 0; i < missing.length; i += CHUNK) {
      const chunk = missing.slice(i, i + CHUNK);
      const rows = await selectRows<{ id: number | string; field_key: string }>(tx, `SELECT id, field_key FROM field_keys WHERE id IN (${chunk.map(() => '?').join(', ')})`, chunk);
      for (const r of rows) this.names.set(toInt(r.id), r.field_key);
    }
    return this.names;
  }
}
