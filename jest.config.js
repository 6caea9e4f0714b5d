// Five suites: unit specs beside the code, medium specs on a real migrated database, e2e over HTTP,
// the dashboard in headless Chromium (browser; run once, on SQLite), and the built server as its own
// process (process: crashes and restarts on SQLite and on PostgreSQL, backup and restore through the CLI on SQLite).
const tsJest = ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }];
const common = {
  moduleFileExtensions: ['js', 'json', 'ts'],
  rootDir: '.',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': tsJest },
  moduleNameMapper: { '^@/(.*)$': '<rootDir>/src/$1' },
};
module.exports = {
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...common, displayName: 'medium', testMatch: ['<rootDir>/test/medium/**/*.medium-spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
    { ...common, displayName: 'browser', testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'] },
    { ...common, displayName: 'process', testMatch: ['<rootDir>/test/process/**/*.process-spec.ts'] },
  ],
};
