#!/usr/bin/env node
// npm test: type check, lint, then unit + medium + e2e + browser + process on SQLite, then medium + e2e on
// PostgreSQL (the browser suite drives the dashboard, which is the same on either database: it runs once;
// the process suite kills the built server on a SQLite file and on a PostgreSQL schema of its own, and
// backs up and restores a SQLite file, which backup/restore are for).
// Outside CI an unreachable PostgreSQL is a visible skip; with CI=true it is a failure.
'use strict';
const { spawnSync } = require('node:child_process');
const { mkdtempSync, readFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');
const { Client } = require('pg');

const POSTGRES_URL = process.env.TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/test';
const CI = process.env.CI === 'true' || process.env.CI === '1';
const extra = process.argv.slice(2);
const resultsDir = mkdtempSync(join(tmpdir(), 'burden-ledger-results-'));
const totals = { passed: 0, failed: 0, skipped: 0 };

/** Adds one jest run's counts (from its --json output) to the totals printed at the end. */
function count(file) {
  try {
    const r = JSON.parse(readFileSync(file, 'utf8'));
    totals.passed += r.numPassedTests;
    totals.failed += r.numFailedTests;
    totals.skipped += r.numPendingTests + (r.numTodoTests || 0);
  } catch {
    // No results file: the run failed before jest wrote one; its exit code already failed us.
  }
}

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${label} ===\n`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  if (r.status !== 0) {
    process.stdout.write(`\n${label} failed (exit ${r.status})\n`);
    process.exit(r.status || 1);
  }
}

async function postgresAnswers() {
  const client = new Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    process.stdout.write(`PostgreSQL at ${POSTGRES_URL} does not answer: ${error.message}\n`);
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

(async () => {
  const jest = require.resolve('jest/bin/jest');
  const ran = [];
  if (!process.env.SKIP_STATIC_CHECKS) {
    run('type check', process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json', '--noEmit']);
    run('lint', process.execPath, [join(require.resolve('eslint/package.json'), '..', 'bin', 'eslint.js'), '.', '--max-warnings=0']);
  }
  const sqliteResults = join(resultsDir, 'sqlite.json');
  run('SQLite: unit, medium, e2e, browser and process suites', process.execPath, [jest, '--json', `--outputFile=${sqliteResults}`, ...extra], { TEST_DB: 'sqlite' });
  count(sqliteResults);
  ran.push('SQLite');
  if (await postgresAnswers()) {
    const pgResults = join(resultsDir, 'postgres.json');
    run('PostgreSQL: medium and e2e suites', process.execPath, [jest, '--json', `--outputFile=${pgResults}`, '--selectProjects', 'medium', 'e2e', ...extra], {
      TEST_DB: 'postgres',
      TEST_POSTGRES_URL: POSTGRES_URL,
    });
    count(pgResults);
    ran.push('PostgreSQL');
  } else if (CI) {
    process.stdout.write('CI=true: PostgreSQL is required, failing.\n');
    process.exit(1);
  } else {
    process.stdout.write('\n*** SKIPPED the PostgreSQL run: PostgreSQL does not answer (set TEST_POSTGRES_URL). ***\n');
  }
  rmSync(resultsDir, { recursive: true, force: true });
  process.stdout.write(`\nTests ran on: ${ran.join(' and ')}\n`);
  process.stdout.write(`Total: ${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped\n`);
})().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
