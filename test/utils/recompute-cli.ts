import { TransactionRunner } from '@/database/transaction-runner';
import { AuditService } from '@/modules/audit/audit.service';
import { RecomputeCommand } from '@/modules/metrics/recompute.command';
import { TestApp } from './test-app';

/**
 * Runs `npm run cli -- recompute [--period P]` in the test's app, as the command line does, and
 * answers what it printed; it fails the test when the command set an exit code.
 */
export async function recomputeByCli(t: TestApp, period?: string): Promise<{ months: string[]; rows: number }> {
  const command = new RecomputeCommand(t.app.get(TransactionRunner), t.app.get(AuditService));
  const out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
  try {
    await command.run([], period ? { period } : {});
    expect(process.exitCode).toBeUndefined();
    return JSON.parse(out.mock.calls.map((c) => String(c[0])).join('')) as { months: string[]; rows: number };
  } finally {
    process.exitCode = undefined;
    out.mockRestore();
    err.mockRestore();
  }
}
