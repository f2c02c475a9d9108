// The command that creates the first staff account, run as a real process on a real database.
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { openDatabase } from '../../src/db/client.js';
import { accounts } from '../../src/db/schema.js';
import { verifyPassword } from '../../src/sync/index.js';

const CLI = resolve(import.meta.dirname, '../../src/cli/staff-create.ts');
let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[], env: Record<string, string>, input?: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', CLI, ...args], {
    env: { ...process.env, LOG_LEVEL: 'silent', NODE_ENV: 'development', ...env },
    encoding: 'utf8',
    ...(input !== undefined ? { input } : {}),
  });
}

describe('staff:create', () => {
  it('creates a staff account with a generated password (must change) or one read from stdin', async () => {
    dir = mkdtempSync(join(tmpdir(), 'medq-cli-'));
    const env = { MEDQ_DB: join(dir, 'medq.sqlite') };
    const gen = run(['--username', 'Admin', '--phone', '9000000001', '--name', 'Clinic Admin'], env);
    expect(gen.status, gen.stderr).toBe(0);
    const password = /password[^:]*: (\S+)$/m.exec(gen.stdout)![1]!;
    const piped = run(['--username', 'desk', '--phone', '+91 90000 00002', '--name', 'Front Desk', '--password-stdin'], env, 'desk-pass-123\n');
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stdout).not.toContain('desk-pass-123');
    const dup = run(['--username', 'admin', '--phone', '9000000003', '--name', 'X'], env);
    expect(dup.status).toBe(1);
    expect(dup.stderr).toMatch(/taken/);
    expect(run(['--username', 'x'], env).status).toBe(64);

    const db = openDatabase(env.MEDQ_DB);
    try {
      const admin = db.select().from(accounts).where(eq(accounts.username, 'admin')).get()!;
      expect(admin).toMatchObject({ role: 'staff', status: 'active', phone: '+919000000001', mustChangePassword: true });
      expect(await verifyPassword(admin.passwordHash, password)).toBe(true);
      const desk = db.select().from(accounts).where(eq(accounts.username, 'desk')).get()!;
      expect(desk).toMatchObject({ role: 'staff', mustChangePassword: false });
      expect(await verifyPassword(desk.passwordHash, 'desk-pass-123')).toBe(true);
    } finally {
      db.$client.close();
    }
  });
});
