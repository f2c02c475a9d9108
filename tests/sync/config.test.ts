import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { configRefusal } from '../support/config.js';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const SECRET = 'k'.repeat(40);

/** The environment of this machine without any MedQ setting, so a child sees only what a test gives it. */
function bareEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v === undefined || k === 'NODE_ENV' || /^(MEDQ_|JWT_|ARI_|SMPP_|HTTP_|PHONE_|LOG_)/.test(k)) continue;
    env[k] = v;
  }
  return env;
}

/** Runs a command's real entry point (TypeScript via tsx) in `cwd`, as npm would from the package folder. */
async function command(file: string, env: Record<string, string>, cwd = ROOT, args: string[] = []) {
  return run(process.execPath, ['--import', TSX, join(ROOT, file), ...args], { cwd, env: { ...bareEnv(), ...env }, timeout: 60_000 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
}

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'medq-config-'));
  dirs.push(d);
  return d;
}

const refusal = configRefusal;

describe('configuration (SPEC §8)', () => {
  it('has working defaults for development', () => {
    const c = loadConfig({ NODE_ENV: 'development' });
    expect(c).toMatchObject({
      nodeEnv: 'development',
      production: false,
      dbPath: './data/medq.sqlite',
      httpHost: '127.0.0.1',
      httpPort: 3000,
      ariApp: 'medq',
      ariUrl: 'http://127.0.0.1:8088',
      ariPassword: 'medq-change-me',
      soundsDir: '/usr/share/asterisk/sounds',
      smppSourceAddr: 'MEDQ',
      defaultRegion: 'IN',
      phoneVerification: true,
      clinicBrand: 'MedQ',
      menuTimeoutMs: 5000,
      maxActiveAppointments: 3,
      trustProxy: false,
      smppUrl: null,
      receptionEndpoint: null,
      demoSeed: false,
      migrateOnStart: false,
    });
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
    expect([...c.roles]).toEqual(['api', 'ivr', 'sms']);
  });

  it.each([
    [{ HTTP_PORT: 'abc' }, 'HTTP_PORT'],
    [{ MEDQ_ROLES: 'api,fax' }, 'MEDQ_ROLES'],
    [{ SMPP_URL: 'http://x' }, 'SMPP_URL'],
    [{ DEFAULT_REGION: 'XX' }, 'DEFAULT_REGION'],
    [{ PHONE_VERIFICATION: 'maybe' }, 'PHONE_VERIFICATION'],
    [{ MEDQ_DEMO_SEED: 'sometimes' }, 'MEDQ_DEMO_SEED'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ MAX_ACTIVE_APPOINTMENTS: '0' }, 'MAX_ACTIVE_APPOINTMENTS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ARI_URL: 'ws://pbx' }, 'ARI_URL'],
  ])('%j is refused naming %s', (env, variable) => {
    const e = refusal(() => loadConfig({ NODE_ENV: 'test', ...env }));
    expect(e.variable).toBe(variable);
    expect(e.message.startsWith(`${variable}: `)).toBe(true);
  });
});

describe('secrets fail closed (SPEC §8, issue 9 item 2)', () => {
  it('reads an unset NODE_ENV as production: the api role refuses to start without JWT_SECRET', () => {
    const e = refusal(() => loadConfig({}));
    expect(e.variable).toBe('JWT_SECRET');
    expect(e.message).toMatch(/required .* unless NODE_ENV is development or test \(NODE_ENV is unset\)/);
    expect(loadConfig({ MEDQ_ROLES: 'sms' }).production).toBe(true);
  });

  it.each(['production', 'staging', 'prod', 'Development'])('NODE_ENV=%s is production: no JWT_SECRET, no start', (nodeEnv) => {
    expect(refusal(() => loadConfig({ NODE_ENV: nodeEnv, MEDQ_ROLES: 'api' })).variable).toBe('JWT_SECRET');
  });

  it.each(['development', 'test'])('NODE_ENV=%s alone may use the development secrets', (nodeEnv) => {
    const c = loadConfig({ NODE_ENV: nodeEnv });
    expect(c.production).toBe(false);
    expect(c.jwtSecret.length).toBeGreaterThanOrEqual(32);
  });

  it('refuses the development secret itself under production rules', () => {
    const dev = loadConfig({ NODE_ENV: 'development' }).jwtSecret;
    expect(refusal(() => loadConfig({ JWT_SECRET: dev, MEDQ_ROLES: 'api' })).message).toMatch(/development secret/);
  });

  it('ivr under production rules needs an ARI password of its own', () => {
    expect(refusal(() => loadConfig({ JWT_SECRET: SECRET })).variable).toBe('ARI_PASSWORD');
    expect(refusal(() => loadConfig({ JWT_SECRET: SECRET, ARI_PASSWORD: 'medq-change-me' })).variable).toBe('ARI_PASSWORD');
    expect(refusal(() => loadConfig({ JWT_SECRET: SECRET, ARI_PASSWORD: 'short' })).variable).toBe('ARI_PASSWORD');
    const c = loadConfig({ JWT_SECRET: SECRET, ARI_PASSWORD: 'a-long-pbx-secret' });
    expect(c).toMatchObject({ production: true, jwtSecret: SECRET, ariPassword: 'a-long-pbx-secret' });
  });

  it('checks only the secrets of the roles that run, or of the command', () => {
    expect(loadConfig({ JWT_SECRET: SECRET, MEDQ_ROLES: 'api' }).roles.has('ivr')).toBe(false);
    expect(refusal(() => loadConfig({ MEDQ_ROLES: 'ivr,sms' })).variable).toBe('ARI_PASSWORD');
    expect(loadConfig({ MEDQ_ROLES: 'sms' }).jwtSecret).toBe('');
    // A command that only opens the database (db:migrate, db:seed, prompts, staff:*) needs no secret;
    // an unset secret is then empty, never the development one.
    const cli = loadConfig({}, { needs: [] });
    expect(cli).toMatchObject({ production: true, jwtSecret: '', ariPassword: '' });
    expect(refusal(() => loadConfig({ MEDQ_ROLES: 'sms' }, { needs: ['jwt'] })).variable).toBe('JWT_SECRET');
    // Bad values are refused whether or not the command uses them.
    expect(refusal(() => loadConfig({ JWT_SECRET: 'short' }, { needs: [] })).variable).toBe('JWT_SECRET');
  });
});

describe('commands read .env and check only what they use', () => {
  it('db:migrate needs no JWT secret or ARI password, even under production rules', async () => {
    const dir = tempDir();
    const r = await command('src/cli/db-migrate.ts', { MEDQ_DB: join(dir, 'medq.sqlite') });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('is up to date');
  });

  it('npm start (api) with NODE_ENV unset stops at once with one line naming JWT_SECRET', async () => {
    const dir = tempDir();
    const r = await command('src/main.ts', { MEDQ_DB: join(dir, 'medq.sqlite'), MEDQ_ROLES: 'api', HTTP_PORT: '0' });
    expect(r.code).toBe(78);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/^medq: configuration error: JWT_SECRET: is required/);
  });

  it('reads .env from the working folder; the environment wins over it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, '.env'), `# a clinic's .env\nMEDQ_DB=${join(dir, 'from-dotenv.sqlite')}\nHTTP_PORT=seventy\n`);
    // HTTP_PORT from .env is read (and refused, naming it) ...
    const bad = await command('src/cli/db-migrate.ts', {}, dir);
    expect(bad.code).toBe(78);
    expect(bad.stderr.trim()).toBe('medq: configuration error: HTTP_PORT: must be a whole number, got "seventy"');
    // ... unless the environment sets it; MEDQ_DB still comes from .env.
    const good = await command('src/cli/db-migrate.ts', { HTTP_PORT: '3000' }, dir);
    expect(good.stderr).toBe('');
    expect(good.stdout).toContain(`database ${join(dir, 'from-dotenv.sqlite')} is up to date`);
  });
});

describe('.env.example (SPEC §8: it lists every setting)', () => {
  it('has a line for every variable src/config reads, and none it does not', async () => {
    const { readFileSync } = await import('node:fs');
    const read = new Set([...readFileSync(join(ROOT, 'src/config/index.ts'), 'utf8').matchAll(/\(env, '([A-Z_]+)'/g)].map((m) => m[1]!));
    const listed = new Set([...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z_]+)=/gm)].map((m) => m[1]!));
    expect([...read].sort()).toEqual([...listed].sort());
    // The sample itself loads (once the two secrets are filled in) with the documented defaults.
    const env = Object.fromEntries([...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z_]+)=(.*)$/gm)].map((m) => [m[1]!, m[2]!]));
    const c = loadConfig({ ...env, JWT_SECRET: SECRET, ARI_PASSWORD: 'a-long-pbx-secret' });
    expect(c).toMatchObject({ production: true, demoSeed: false, trustProxy: false, phoneVerification: true, otpSmsPerHour: 100 });
    expect([...c.smsCountries]).toEqual(['IN']);
  });
});
