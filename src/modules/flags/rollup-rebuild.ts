/**
 * The rebuild of the burden rollups that follows an evaluation from the command line, provided
 * by the metrics feature (flags may not import it: metrics reads flags, not the other way round).
 */
export const ROLLUP_REBUILD = Symbol('ROLLUP_REBUILD');

export interface RollupRebuild {
  /**
   * Rebuilds the rollups of every month from `fromMonth` on (and from any earlier month they are
   * marked stale from), and clears the stale mark if nothing marked them again meanwhile.
   */
  rebuildFrom(fromMonth: string, progress: (done: number, total: number | null, message?: string) => void): Promise<{ months: string[]; stale: boolean }>;
}
