import type { DemoSummary } from './demo-loader.service';
import { SHOWCASE_OFFICES } from './showcase';

/**
 * What a newcomer reads after the first `npm start`: the demo users and, when it was generated,
 * their password — printed this once, never logged (the log may be kept; stdout is the terminal).
 */
export function demoWelcome(summary: DemoSummary): string {
  const width = Math.max(...summary.users.map((u) => u.username.length));
  const lines = [
    '',
    `Demo county loaded: ${summary.county}, ${summary.year} (seed ${summary.seed}) in ${summary.elapsedSeconds} s —`,
    `${summary.counts.orgUnits} org units, ${(summary.counts.importedDemands ?? 0) + Object.keys(summary.showcase).length} demands, ${summary.counts.burdenReports} burden reports, ${summary.flags.total} flags.`,
    '',
    'Demo users (README.md, "The demo county"):',
    ...summary.users.map((u) => `  ${u.username.padEnd(width)}  ${u.role.padEnd(11)} ${u.displayName}`),
    `  and an issuer login for each showcase office: ${Object.keys(SHOWCASE_OFFICES).join(', ')}`,
    '',
    summary.passwordGenerated
      ? `Password of every demo user (shown once; set BURDEN_LEDGER_DEMO_PASSWORD to choose it): ${summary.password}`
      : 'Password of every demo user: the value of BURDEN_LEDGER_DEMO_PASSWORD.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}

export function printDemoWelcome(summary: DemoSummary, write: (text: string) => void): void {
  write(demoWelcome(summary));
}
