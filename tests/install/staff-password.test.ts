// `npm run staff:password` (SPEC §10): a staff login's way back in from the server's shell, run as
// a real process on the database a real API serves; the API then sees the new password.
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/sync/index.js';
import { createStaffAccount } from '../../src/sync/admin.js';
import { startApi, type TestApi } from '../api/helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const CLI = join(ROOT, 'src/cli/staff-password.ts');

let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
});

function staffPassword(dbPath: string, args: string[], input?: string) {
  // NODE_ENV unset (production rules) and no JWT secret: the command needs none.
  const env: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', MEDQ_DB: dbPath, LOG_LEVEL: 'silent' };
  return spawnSync(process.execPath, ['--import', TSX, CLI, ...args], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 60_000,
    ...(input !== undefined ? { input } : {}),
  });
}

const login = (a: TestApi, username: string, password: string) => a.call('POST', '/api/auth/login', { body: { username, password } });

describe('npm run staff:password', () => {
  it('sets a staff password from stdin: the API takes the new one, refuses the old one and ends old tokens', { timeout: 120_000 }, async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const made = createStaffAccount(api.t.ctx, {
      username: 'desk',
      phone: '9000000011',
      name: 'Front Desk',
      passwordHash: await hashPassword('forgotten-pass-1'),
    });
    expect(made.ok).toBe(true);
    const before = await login(api, 'desk', 'forgotten-pass-1');
    expect(before.status).toBe(200);
    expect((await api.call('GET', '/api/me', { token: before.body.token })).status).toBe(200);

    const r = staffPassword(api.t.path, ['--username', 'Desk', '--password-stdin'], 'brand-new-pass-2\n');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('new password set for staff account "desk"');
    expect(r.stdout).not.toContain('brand-new-pass-2');

    expect((await login(api, 'desk', 'forgotten-pass-1')).status).toBe(401);
    const after = await login(api, 'desk', 'brand-new-pass-2');
    expect(after.status).toBe(200);
    expect(after.body.must_change_password).toBe(false);
    expect((await api.call('GET', '/api/me', { token: before.body.token })).status).toBe(401);
  });

  it('without --password-stdin prints a one-time password that must be changed at the next log-in', { timeout: 120_000 }, async () => {
    api = await startApi();
    createStaffAccount(api.t.ctx, { username: 'admin', phone: '9000000012', name: 'Admin', passwordHash: await hashPassword('old-admin-pass') });
    const r = staffPassword(api.t.path, ['--username', 'admin']);
    expect(r.status, r.stderr).toBe(0);
    const temp = /must be changed at the next log-in\): (\S+)$/m.exec(r.stdout)?.[1];
    expect(temp).toMatch(/^[A-Za-z0-9]{16}$/);
    const after = await login(api, 'admin', temp!);
    expect(after.status).toBe(200);
    expect(after.body.must_change_password).toBe(true);
  });

  it('refuses patients, unknown names, weak passwords and missing arguments, changing nothing', { timeout: 120_000 }, async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    createStaffAccount(api.t.ctx, { username: 'desk', phone: '9000000013', name: 'Desk', passwordHash: await hashPassword('desk-pass-123') });
    const reg = await api.call('POST', '/api/auth/register', {
      body: { name: 'Asha Rao', age: 30, phone_number: '9876500001', username: 'asha', password: 'asha-pass-123' },
    });
    expect(reg.status).toBe(201);

    const patient = staffPassword(api.t.path, ['--username', 'asha', '--password-stdin'], 'taken-over-123\n');
    expect(patient.status).toBe(1);
    expect(patient.stderr).toMatch(/no staff account is named "asha"/);
    expect((await login(api, 'asha', 'taken-over-123')).status).toBe(401);
    expect((await login(api, 'asha', 'asha-pass-123')).status).toBe(200);

    expect(staffPassword(api.t.path, ['--username', 'nobody', '--password-stdin'], 'whatever-123\n').status).toBe(1);
    const weak = staffPassword(api.t.path, ['--username', 'desk', '--password-stdin'], 'short\n');
    expect(weak.status).toBe(64);
    expect(weak.stderr).toMatch(/at least 8 characters/);
    expect(staffPassword(api.t.path, ['--username', 'desk', '--password-stdin'], '9000000013\n').status).toBe(64);
    expect(staffPassword(api.t.path, []).status).toBe(64);
    expect((await login(api, 'desk', 'desk-pass-123')).status).toBe(200);
  });
});
