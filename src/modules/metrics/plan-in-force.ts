/**
 * SQL: the plan `alias` is the version in force for its issuer and year — approved, with no later
 * version approved (the reading of the inspection rules in src/modules/inspection-plans; item
 * keys stay the same across versions, so demands linked to an older version's row still count).
 */
export function planInForce(alias: string): string {
  return `${alias}.status = 'approved' AND NOT EXISTS (SELECT 1 FROM inspection_plans later
     WHERE later.issuer_id = ${alias}.issuer_id AND later.year = ${alias}.year AND later.status = 'approved' AND later.version > ${alias}.version)`;
}
