import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from './app-config';

const SECRET = 'a-secret-of-at-least-32-characters-0123';

describe('loadConfig', () => {
  let cwd: string;
  beforeEach(() => (cwd = mkdtempSync(join(tmpdir(), 'burden-ledger-config-'))));
  afterEach(() => rmSync(cwd, { recursive: true, force: true }));

  /** The ConfigError a bad environment raises (fails the test when none is raised). */
  function configError(env: Record<string, string>): ConfigError {
    try {
      loadConfig({ JWT_SECRET: SECRET, ...env }, cwd);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return error as ConfigError;
    }
    throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
  }

  it('defaults: port 3000, SQLite in data/ under the working directory, log level info', () => {
    const config = loadConfig({ JWT_SECRET: SECRET }, cwd);
    expect(config).toEqual<AppConfig>({
      port: 3000,
      dataDir: join(cwd, 'data'),
      database: { type: 'sqlite', path: join(cwd, 'data', 'burden-ledger.sqlite') },
      jwtSecret: SECRET,
      jwtExpiresInSeconds: 8 * 3600,
      logLevel: 'info',
      adminPassword: undefined,
      idempotencyTtlHours: 24,
      demo: true,
      demoPassword: undefined,
      jobHelperThreads: 0,
    });
  });

  it('reads BURDEN_LEDGER_DEMO as a switch and the demo password', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_DEMO: '0' }, cwd).demo).toBe(false);
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_DEMO: 'off' }, cwd).demo).toBe(false);
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_DEMO: '1' }, cwd).demo).toBe(true);
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_DEMO: '' }, cwd).demo).toBe(true);
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_DEMO_PASSWORD: 'demo-password' }, cwd).demoPassword).toBe('demo-password');
  });

  it('treats blank variables as unset', () => {
    const config = loadConfig(
      { JWT_SECRET: SECRET, PORT: '', DATABASE_URL: '', LOG_LEVEL: '', BURDEN_LEDGER_DATA_DIR: '', BURDEN_LEDGER_ADMIN_PASSWORD: '' },
      cwd,
    );
    expect(config.port).toBe(3000);
    expect(config.database).toEqual({ type: 'sqlite', path: join(cwd, 'data', 'burden-ledger.sqlite') });
    expect(config.logLevel).toBe('info');
    expect(config.dataDir).toBe(join(cwd, 'data'));
    expect(config.adminPassword).toBeUndefined();
  });

  it('reads PORT, LOG_LEVEL, the admin password and the data folder', () => {
    const config = loadConfig(
      { JWT_SECRET: SECRET, PORT: '8080', LOG_LEVEL: 'debug', BURDEN_LEDGER_ADMIN_PASSWORD: 'long-enough', BURDEN_LEDGER_DATA_DIR: 'var/ledger' },
      cwd,
    );
    expect(config.port).toBe(8080);
    expect(config.logLevel).toBe('debug');
    expect(config.adminPassword).toBe('long-enough');
    expect(config.dataDir).toBe(join(cwd, 'var', 'ledger'));
  });

  it('lets a job start no helper thread unless BURDEN_LEDGER_JOB_HELPER_THREADS says 1', () => {
    expect(loadConfig({ JWT_SECRET: SECRET }, cwd).jobHelperThreads).toBe(0);
    expect(loadConfig({ JWT_SECRET: SECRET, BURDEN_LEDGER_JOB_HELPER_THREADS: '1' }, cwd).jobHelperThreads).toBe(1);
  });

  it('takes sqlite: paths relative to the working directory, or absolute', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'sqlite:db/x.sqlite' }, cwd).database).toEqual({ type: 'sqlite', path: join(cwd, 'db', 'x.sqlite') });
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'sqlite:/srv/ledger.sqlite' }, cwd).database).toEqual({ type: 'sqlite', path: '/srv/ledger.sqlite' });
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'sqlite:///srv/ledger.sqlite' }, cwd).database).toEqual({
      type: 'sqlite',
      path: '/srv/ledger.sqlite',
    });
  });

  it('switches to PostgreSQL for postgres:// URLs, taking the schema from ?schema= (default public)', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'postgres://u:p@db.example:5432/ledger?schema=burden' }, cwd).database).toEqual({
      type: 'postgres',
      url: 'postgres://u:p@db.example:5432/ledger',
      schema: 'burden',
    });
    expect(loadConfig({ JWT_SECRET: SECRET, DATABASE_URL: 'postgresql://u@db/ledger?sslmode=require' }, cwd).database).toEqual({
      type: 'postgres',
      url: 'postgresql://u@db/ledger?sslmode=require',
      schema: 'public',
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ PORT: '0' }, 'PORT'],
    [{ PORT: '-1' }, 'PORT'],
    [{ PORT: '80.5' }, 'PORT'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ DATABASE_URL: 'mysql://root@localhost/ledger' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'sqlite:' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://u@db/ledger?schema=Robert%27);DROP' }, 'DATABASE_URL'],
    [{ DATABASE_URL: 'postgres://u@[bad/ledger' }, 'DATABASE_URL'],
    [{ JWT_SECRET: 'too-short' }, 'JWT_SECRET'],
    [{ JWT_EXPIRES_IN_SECONDS: '10' }, 'JWT_EXPIRES_IN_SECONDS'],
    [{ IDEMPOTENCY_TTL_HOURS: 'soon' }, 'IDEMPOTENCY_TTL_HOURS'],
    [{ BURDEN_LEDGER_ADMIN_PASSWORD: 'short' }, 'BURDEN_LEDGER_ADMIN_PASSWORD'],
    [{ BURDEN_LEDGER_DEMO: 'maybe' }, 'BURDEN_LEDGER_DEMO'],
    [{ BURDEN_LEDGER_DEMO_PASSWORD: 'short' }, 'BURDEN_LEDGER_DEMO_PASSWORD'],
    [{ BURDEN_LEDGER_JOB_HELPER_THREADS: '2' }, 'BURDEN_LEDGER_JOB_HELPER_THREADS'],
    [{ BURDEN_LEDGER_JOB_HELPER_THREADS: 'yes' }, 'BURDEN_LEDGER_JOB_HELPER_THREADS'],
  ])('rejects %p with a ConfigError naming %s', (env, variable) => {
    const error = configError(env);
    expect(error.variable).toBe(variable);
    expect(error.message).toContain(variable);
  });

  it('says what was wrong with the value', () => {
    expect(configError({ PORT: 'abc' }).message).toBe('Invalid configuration: PORT must be an integer, got "abc"');
    expect(configError({ PORT: '70000' }).message).toBe('Invalid configuration: PORT must be between 1 and 65535, got 70000');
    expect(configError({ LOG_LEVEL: 'loud' }).message).toMatch(/LOG_LEVEL must be one of .*info.*got "loud"/);
    expect(configError({ DATABASE_URL: 'mysql://root@localhost/ledger' }).message).toMatch(/DATABASE_URL must start with sqlite: or postgres:\/\//);
    expect(configError({ JWT_SECRET: 'too-short' }).message).toMatch(/JWT_SECRET must be at least 32 characters/);
  });

  describe('without JWT_SECRET', () => {
    it('generates a secret, keeps it in the data folder and returns the same one on the next load', () => {
      const first = loadConfig({}, cwd);
      expect(first.jwtSecret.length).toBeGreaterThanOrEqual(32);
      const file = join(cwd, 'data', 'jwt-secret');
      expect(readFileSync(file, 'utf8').trim()).toBe(first.jwtSecret);
      expect(statSync(file).mode & 0o077).toBe(0);
      expect(loadConfig({}, cwd).jwtSecret).toBe(first.jwtSecret);
    });

    it('keeps it in BURDEN_LEDGER_DATA_DIR when that is set', () => {
      const dataDir = join(cwd, 'elsewhere');
      const first = loadConfig({ BURDEN_LEDGER_DATA_DIR: dataDir }, '/');
      expect(readFileSync(join(dataDir, 'jwt-secret'), 'utf8').trim()).toBe(first.jwtSecret);
      expect(loadConfig({ BURDEN_LEDGER_DATA_DIR: dataDir }, '/').jwtSecret).toBe(first.jwtSecret);
      expect(existsSync(join(cwd, 'data'))).toBe(false);
    });

    it('two data folders get two different secrets', () => {
      const a = loadConfig({ BURDEN_LEDGER_DATA_DIR: join(cwd, 'a') }, cwd).jwtSecret;
      const b = loadConfig({ BURDEN_LEDGER_DATA_DIR: join(cwd, 'b') }, cwd).jwtSecret;
      expect(a).not.toBe(b);
    });

    it('replaces a stored secret that is too short to be safe', () => {
      const file = join(cwd, 'data', 'jwt-secret');
      loadConfig({}, cwd);
      writeFileSync(file, 'short\n');
      const replaced = loadConfig({}, cwd).jwtSecret;
      expect(replaced.length).toBeGreaterThanOrEqual(32);
      expect(readFileSync(file, 'utf8').trim()).toBe(replaced);
    });

    it('writes no secret when another variable is bad', () => {
      expect(() => loadConfig({ PORT: 'abc' }, cwd)).toThrow(ConfigError);
      expect(() => loadConfig({ JWT_EXPIRES_IN_SECONDS: 'never' }, cwd)).toThrow(ConfigError);
      expect(existsSync(join(cwd, 'data', 'jwt-secret'))).toBe(false);
    });

    it('an explicit JWT_SECRET wins over a stored one', () => {
      loadConfig({}, cwd);
      expect(loadConfig({ JWT_SECRET: SECRET }, cwd).jwtSecret).toBe(SECRET);
    });
  });
});
