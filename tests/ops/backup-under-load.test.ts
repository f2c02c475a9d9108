// db:backup while MedQ books (SPEC §12, issue 14): another OS process commits bookings without a
// pause while `npm run db:backup` runs on a file of realistic size. The backup must finish, pass
// integrity_check, and hold every booking committed before the command started; `db:restore` is
// refused while that writer runs.
import { spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import Database from 'better-sqlite3';
import { afterEach, expect, it } from 'vitest';
import { enqueueSms } from '../../src/sync/outbox.js';
import { createTestDb, type TestDb } from '../support/db.js';

const ROOT = resolve(import.meta.dirname, '../..');
const STREAM = resolve(import.meta.dirname, 'booking-stream.ts');
const BACKUP = resolve(ROOT, 'src/cli/db-backup.ts');
const RESTORE = resolve(ROOT, 'src/cli/db-restore.ts');

let t: TestDb | null = null;
const kills: Array<() => void> = [];
afterEach(() => {
  for (const k of kills.splice(0)) k();
  t?.close();
  t = null;
});

it('a backup taken under a stream of bookings opens, passes integrity_check and holds every booking committed before it started', async () => {
  t = createTestDb();
  // A clinic's months of SMS history: the file is thousands of pages, so the copy takes many steps.
  t.db.transaction(
    (tx) => {
      for (let i = 0; i < 20_000; i++) {
        enqueueSms(tx, { kind: 'confirmation', phone: `+9181${String(i).padStart(8, '0')}`, body: `MedQ: appointment confirmed (history ${i}). `.padEnd(300, '.') }, new Date());
      }
    },
    { behavior: 'immediate' },
  );
  const pages = (t.db.$client.pragma('page_count', { simple: true }) as number) ?? 0;
  expect(pages).toBeGreaterThan(1_500);

  const stream = spawn(process.execPath, ['--import', 'tsx', STREAM, t.path], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  kills.push(() => stream.kill('SIGKILL'));
  let streamErr = '';
  stream.stderr.on('data', (d: Buffer) => (streamErr += d.toString()));
  const booked: number[] = [];
  createInterface({ input: stream.stdout }).on('line', (l) => {
    if (l.startsWith('BOOKED ')) booked.push(Number(l.slice(7)));
  });
  await expect.poll(() => booked.length, { timeout: 30_000 }).toBeGreaterThanOrEqual(20);

  // What is committed right now, read back from the file: the backup must hold all of it.
  const committedBefore = (t.db.$client.prepare('select id from appointments').all() as Array<{ id: number }>).map((r) => r.id);
  const streamedBefore = booked.length;
  const file = join(t.dir, 'backup.sqlite');
  const started = Date.now();
  const backup = spawn(process.execPath, ['--import', 'tsx', BACKUP, file], {
    cwd: ROOT,
    env: { ...process.env, MEDQ_DB: t.path, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  kills.push(() => backup.kill('SIGKILL'));
  let out = '';
  backup.stdout.on('data', (d: Buffer) => (out += d.toString()));
  backup.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => backup.once('exit', r));
  const ms = Date.now() - started;
  const streamedDuring = booked.length - streamedBefore;

  // Restoring it while the writer runs is refused, and nothing is replaced.
  const refused = spawnSync(process.execPath, ['--import', 'tsx', RESTORE, file], {
    cwd: ROOT,
    env: { ...process.env, MEDQ_DB: t.path, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
  });
  expect(refused.status, refused.stdout + refused.stderr).toBe(1);
  expect(refused.stderr).toMatch(/in use: stop every MedQ process/);
  stream.kill('SIGKILL');
  await new Promise((r) => (stream.exitCode !== null || stream.signalCode !== null ? r(null) : stream.once('exit', r)));

  expect(code, out).toBe(0);
  expect(out).toMatch(/integrity_check ok/);
  // The stream never paused for the backup.
  expect(streamedDuring, streamErr).toBeGreaterThan(0);
  expect(streamErr).toBe('');

  const copy = new Database(file, { readonly: true, fileMustExist: true });
  try {
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(copy.pragma('foreign_key_check')).toEqual([]);
    const inCopy = new Set((copy.prepare('select id from appointments').all() as Array<{ id: number }>).map((r) => r.id));
    expect(committedBefore.filter((id) => !inCopy.has(id))).toEqual([]);
    // A consistent moment: every booking in the copy has its patient, and no token given twice.
    expect(copy.prepare('select count(*) as n from appointments a left join patients p on p.id = a.patient_id where p.id is null').get()).toEqual({ n: 0 });
    const dupes = copy.prepare("select count(*) as n from (select doctor_id, date, token_number, count(*) c from appointments where status = 'booked' group by 1, 2, 3 having c > 1)").get();
    expect(dupes).toEqual({ n: 0 });
    expect((copy.prepare('select count(*) as n from sms_outbox').get() as { n: number }).n).toBeGreaterThanOrEqual(20_000);
    console.log('[backup under load]', JSON.stringify({ pages, committedBefore: committedBefore.length, inCopy: inCopy.size, streamedDuring, backupMs: ms }));
  } finally {
    copy.close();
  }
}, 120_000);
