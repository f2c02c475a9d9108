import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';

const run = promisify(execFile);

describe('configuration (SPEC §8)', () => {
  it('has working defaults for development', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      dbPath: './data/medq.sqlite',
      httpHost: '127.0.0.1',
      httpPort: 3000,
      ariApp: 'medq',
      ariUrl: 'http://127.0.0.1:8088',
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
    });
    expect([...c.roles]).toEqual(['api', 'ivr', 'sms']);
  });

  it.each([
    [{ HTTP_PORT: 'abc' }, 'HTTP_PORT'],
    [{ MEDQ_ROLES: 'api,fax' }, 'MEDQ_ROLES'],
    [{ SMPP_URL: 'http://x' }, 'SMPP_URL'],
    [{ DEFAULT_REGION: 'XX' }, 'DEFAULT_REGION'],
    [{ PHONE_VERIFICATION: 'maybe' }, 'PHONE_VERIFICATION'],
    [{ JWT_SECRET: 'short' }, 'JWT_SECRET'],
    [{ NODE_ENV: 'production' }, 'JWT_SECRET'],
    [{ MAX_ACTIVE_APPOINTMENTS: '0' }, 'MAX_ACTIVE_APPOINTMENTS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ ARI_URL: 'ws://pbx' }, 'ARI_URL'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32) }, 'ARI_PASSWORD'],
    [{ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ARI_PASSWORD: 'medq-change-me' }, 'ARI_PASSWORD'],
  ])('%j is refused naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (e) {
      expect((e as ConfigError).variable).toBe(variable);
      expect((e as Error).message.startsWith(`${variable}: `)).toBe(true);
    }
  });

  it('accepts production with its own secrets, and api-only production needs no ARI password', () => {
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), ARI_PASSWORD: 'a-long-pbx-secret' }).production).toBe(true);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(32), MEDQ_ROLES: 'api' }).roles.has('ivr')).toBe(false);
  });

  it('stops a command at start with one line naming the variable', async () => {
    const err = await run(process.execPath, ['--import', 'tsx', 'src/db/migrate-cli.ts'], {
      env: { ...process.env, HTTP_PORT: 'seventy' },
    }).catch((e: { code: number; stderr: string }) => e);
    expect('code' in err && err.code).toBe(78);
    expect((err as { stderr: string }).stderr.trim()).toBe('medq: configuration error: HTTP_PORT: must be a whole number, got "seventy"');
  });
});
