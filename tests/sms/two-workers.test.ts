// Two sms workers in two OS processes on one SQLite file and one SMSC: each message is sent once;
// and when one worker is killed mid-stream, the other finishes with duplicates within the window.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { TestSmsc } from './smsc.js';
import { outbox, tempDb, waitFor, type TempDb } from './helpers.js';
import { enqueueSms } from '../../src/sync/outbox.js';
import type { Db } from '../../src/db/client.js';
import type { SmsStats } from '../../src/sms/index.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const WINDOW = 10;
const ROWS = 200;

interface Worker {
  child: ChildProcess;
  ready: Promise<string>;
  stats: Promise<SmsStats | null>;
  exited: Promise<number | null>;
  stderr: string[];
}

const started: Worker[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const w of started.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** leaseMs: longer than the 2 s of FAST where nobody is killed, so a worker starved of CPU for 2 s on a busy machine does not count as dead. */
function spawnWorker(dbPath: string, url: string, leaseMs?: number): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dbPath, url, String(WINDOW), ...(leaseMs ? ['-', String(leaseMs)] : [])], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const lines = createInterface({ input: child.stdout! });
  const ready = new Promise<string>((resolve, reject) => {
    lines.on('line', (l) => {
      if (l.startsWith('READY ')) resolve(l.slice(6));
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before READY: ${stderr.join('\n')}`)));
  });
  const stats = new Promise<SmsStats | null>((resolve) => {
    lines.on('line', (l) => {
      if (l.startsWith('STATS ')) resolve(JSON.parse(l.slice(6)) as SmsStats);
    });
    child.once('exit', () => resolve(null));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const w = { child, ready, stats, exited, stderr };
  started.push(w);
  return w;
}

function fill(db: Db): void {
  db.transaction(
    (tx) => {
      for (let i = 1; i <= ROWS; i++) {
        const sms = { kind: 'confirmation' as const, phone: `+9180000${String(i).padStart(5, '0')}`, body: `MedQ: two-worker message ${i}.` };
        enqueueSms(tx, sms, new Date());
      }
    },
    { behavior: 'immediate' },
  );
}

function tally(smsc: TestSmsc) {
  const perText = new Map<string, number>();
  for (const s of smsc.submits) perText.set(s.text, (perText.get(s.text) ?? 0) + 1);
  const perSession = new Map<number, number>();
  for (const s of smsc.submits) perSession.set(s.session, (perSession.get(s.session) ?? 0) + 1);
  return { perText, perSession, duplicates: smsc.submits.length - perText.size };
}

async function setup(responseDelayMs: number): Promise<{ t: TempDb; smsc: TestSmsc }> {
  const t = tempDb();
  cleanups.push(() => t.close());
  const smsc = await TestSmsc.start({ responseDelayMs });
  cleanups.push(() => smsc.close());
  return { t, smsc };
}

it(`two worker processes drain ${ROWS} rows: every message sent exactly once`, async () => {
  const { t, smsc } = await setup(3);
  const a = spawnWorker(t.path, smsc.url(), 15_000);
  const b = spawnWorker(t.path, smsc.url(), 15_000);
  const ids = await Promise.all([a.ready, b.ready]);
  const t0 = Date.now();
  fill(t.db); // both are bound and polling: they race for the same rows

  await waitFor(() => outbox(t.db).every((r) => r.state === 'delivered'), 20_000, 'every row delivered');
  const ms = Date.now() - t0;
  a.child.kill('SIGTERM');
  b.child.kill('SIGTERM');
  const [sa, sb] = await Promise.all([a.stats, b.stats]);
  expect(await a.exited).toBe(0);
  expect(await b.exited).toBe(0);

  const { perText, perSession, duplicates } = tally(smsc);
  const byWorker = new Map<string, number>();
  for (const r of outbox(t.db)) {
    const w = r.claimedBy!.split('#')[0]!;
    byWorker.set(w, (byWorker.get(w) ?? 0) + 1);
  }
  console.log(
    `two workers: ${ROWS} rows, ${smsc.submits.length} submit_sm received, ${perText.size} distinct, ${duplicates} duplicates, ` +
      `per bind ${JSON.stringify([...perSession.values()])}, rows per worker ${JSON.stringify(Object.fromEntries(byWorker))}, ` +
      `accepted ${sa?.accepted}+${sb?.accepted}, receipts ${sa?.receipts}+${sb?.receipts}, drained in ${ms} ms`,
  );
  expect(smsc.submits).toHaveLength(ROWS);
  expect(perText.size).toBe(ROWS);
  expect([...perText.values()].every((n) => n === 1)).toBe(true);
  expect(sa!.accepted + sb!.accepted).toBe(ROWS);
  expect(sa!.accepted).toBeGreaterThan(0);
  expect(sb!.accepted).toBeGreaterThan(0);
  expect([...byWorker.keys()].sort()).toEqual([...ids].sort());
}, 40_000);

it('a worker killed mid-stream (SIGKILL): the other reclaims its rows; nothing lost, duplicates ≤ window', async () => {
  const { t, smsc } = await setup(40);
  const a = spawnWorker(t.path, smsc.url());
  const b = spawnWorker(t.path, smsc.url());
  const [idA] = await Promise.all([a.ready, b.ready]);
  fill(t.db);
  const sendingByA = () => outbox(t.db).filter((r) => r.state === 'sending' && r.claimedBy?.startsWith(`${idA}#`)).length;
  await waitFor(() => smsc.submits.length >= 60 && sendingByA() > 0, 10_000, '60 submits, A sending');
  a.child.kill('SIGKILL'); // no unbind, no requeue: its 'sending' rows wait for their lease to lapse
  await a.exited;
  const stuck = sendingByA();

  await waitFor(() => outbox(t.db).every((r) => r.state === 'delivered'), 20_000, 'every row delivered');
  b.child.kill('SIGTERM');
  const sb = await b.stats;
  const { perText, duplicates } = tally(smsc);
  console.log(
    `killed worker: ${ROWS} rows, ${smsc.submits.length} submit_sm received, ${perText.size} distinct, ${duplicates} duplicates ` +
      `(window ${WINDOW}); ${stuck} rows were 'sending' by the killed worker; survivor reclaimed ${sb?.reclaimed}, accepted ${sb?.accepted}`,
  );
  expect(perText.size).toBe(ROWS);
  expect(duplicates).toBeLessThanOrEqual(WINDOW);
  expect([...perText.values()].every((n) => n <= 2)).toBe(true);
  expect(stuck).toBeGreaterThan(0);
  expect(sb!.reclaimed).toBe(stuck); // each of the dead worker's rows reclaimed exactly once
}, 40_000);
