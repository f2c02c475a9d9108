// Database figures: booking commits per second with 1 and 4 writer processes beside bare one-row
// commits on a file with the same settings (WAL, synchronous=FULL), and the phone → account
// lookup at 1 thousand and 1 million patients. Every booking run is checked afterwards: each
// commit reported is in the file, and no seat, token or caller-doctor-day is held twice.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { loadConfig } from '../src/config/index.js';
import { migrateDatabase, openDatabase, type Db } from '../src/db/client.js';
import { accountForLogin, bookByPhone, createSyncContext, upcomingForPhone } from '../src/sync/index.js';
import { BENCH_NOW, FLOOR_ROWS_PER_SECOND_AT_MOST, benchBooking, createBenchClinicFile } from './lib/bench-clinic.js';
import type { Figures } from './lib/report.js';

export interface SyncBenchOptions {
  durationMs: number;
  lookupSizes: number[];
  log?: (line: string) => void;
  /** An older commit's checkout (bench/lib/baseline.ts): its bookings run in the same rounds. */
  baseline?: { dir: string; label: string };
}

export interface Integrity {
  lost: number;
  doubleBooked: number;
}

/** Callers booking at once in one process in the `…_callers` rounds. */
const CALLERS = 16;

function prepareFile(dir: string, name: string): string {
  const path = join(dir, name);
  createBenchClinicFile(path).db.$client.close();
  return path;
}

/** Seats, tokens or caller-doctor-days held twice among live bookings (the unique indexes should make this 0). */
export function doubleBooked(db: Db): number {
  const q = (sql: string) => (db.$client.prepare(sql).get() as { n: number | null }).n ?? 0;
  const live = `status IN ('booked','arrived')`;
  return (
    q(`SELECT count(*) n FROM (SELECT 1 FROM appointments WHERE ${live} GROUP BY doctor_id, date, slot_time, seat HAVING count(*) > 1)`) +
    q(`SELECT count(*) n FROM (SELECT 1 FROM appointments WHERE ${live} GROUP BY doctor_id, date, token_number HAVING count(*) > 1)`) +
    q(`SELECT count(*) n FROM (SELECT 1 FROM appointments WHERE ${live} GROUP BY doctor_id, date, person_phone HAVING count(*) > 1)`)
  );
}

async function runWriters(path: string, mode: 'book' | 'bare' | 'rows', writers: number, durationMs: number, benchDir?: string, start = 0, callers = 1, rowsFrom?: string) {
  const script = benchDir ? join(benchDir, 'sync-writer.ts') : fileURLToPath(new URL('./sync-writer.ts', import.meta.url));
  const children = Array.from({ length: writers }, (_, w) =>
    spawn(process.execPath, ['--import', 'tsx', script, path, mode, String(w), String(writers), String(durationMs), String(start), String(callers), ...(rowsFrom ? [rowsFrom] : [])], { stdio: ['pipe', 'pipe', 'inherit'] }),
  );
  // Let every process load before the start signal (module loading is not what is measured).
  await new Promise((r) => setTimeout(r, 3000));
  for (const c of children) c.stdin!.write('go\n');
  const results = await Promise.all(
    children.map(async (c) => {
      for await (const line of createInterface({ input: c.stdout! })) return JSON.parse(line) as { commits: number; failures: number; codes: Record<string, number>; next: number };
      throw new Error('a writer ended without a result');
    }),
  );
  const commits = results.reduce((a, r) => a + r.commits, 0);
  const failures = results.reduce((a, r) => a + r.failures, 0);
  // Iterations each writer did: the next round starts every writer after the furthest one.
  const next = Math.max(...results.map((r) => r.next));
  return { commits, failures, perSecond: commits / (durationMs / 1000), codes: results.map((r) => r.codes), next };
}

export async function benchSync(opts: SyncBenchOptions): Promise<{ figures: Figures; integrity: Integrity }> {
  const log = opts.log ?? console.log;
  const dir = mkdtempSync(join(tmpdir(), 'medq-bench-sync-'));
  const figures: Figures = {};
  const integrity: Integrity = { lost: 0, doubleBooked: 0 };
  try {
    // Bare commits: the same settings (openDatabase), a one-row table of its own.
    const barePath = join(dir, 'bare.sqlite');
    const bare = openDatabase(barePath);
    bare.$client.exec('CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, n INTEGER NOT NULL)');
    bare.$client.close();
    const runs: Record<string, { perSecond: number; note: string }> = {};
    // Three short rounds of each, in turn, summed: MedQ and its baseline share the machine's moods.
    const ROUNDS = 3;
    // Interleaved: bare, 1 writer, 4 writers (then bare again), so they share the machine's moods.
    // bookN: one booking at a time per process; bookNc: CALLERS callers at once per process (as
    // on an IVR node in its busy hour), whose bookings share commits (src/sync/group-commit.ts).
    // The floor writer's rows: bookings the sync module made beforehand, as many as it could insert.
    const rowsFrom = await bookedRowsFile(join(dir, 'rows-from.sqlite'), ROUNDS * Math.ceil((opts.durationMs / ROUNDS / 1000) * FLOOR_ROWS_PER_SECOND_AT_MOST));
    const rounds: Array<readonly [string, 'bare' | 'book' | 'rows', number, string?, number?]> = [
      ['bare', 'bare', 1],
      ['book1', 'book', 1],
      ['rows1', 'rows', 1],
      ['book1c', 'book', 1, undefined, CALLERS],
      ...(opts.baseline ? [['base1', 'book', 1, join(opts.baseline.dir, 'bench')] as const, ['base1c', 'book', 1, join(opts.baseline.dir, 'bench'), CALLERS] as const] : []),
      ['book4', 'book', 4],
      ['book4c', 'book', 4, undefined, CALLERS],
      ['bare4', 'bare', 4],
    ];
    const files = new Map<string, string>();
    const next = new Map<string, number>();
    const totals = new Map<string, { commits: number; failures: number; codes: Record<string, number> }>();
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, mode, writers, benchDir, callers] of rounds) {
        if (!files.has(name)) files.set(name, mode === 'bare' ? barePath : prepareFile(dir, `${name}.sqlite`));
        const r = await runWriters(files.get(name)!, mode, writers, opts.durationMs / ROUNDS, benchDir, next.get(name) ?? 0, callers, mode === 'rows' ? rowsFrom : undefined);
        next.set(name, r.next);
        const t = totals.get(name) ?? { commits: 0, failures: 0, codes: {} };
        t.commits += r.commits;
        t.failures += r.failures;
        for (const c of r.codes) for (const [k, v] of Object.entries(c)) t.codes[k] = (t.codes[k] ?? 0) + v;
        totals.set(name, t);
        log(`round ${round + 1}: ${name.padEnd(8)} ${r.perSecond.toFixed(0).padStart(6)} commits/s`);
      }
    }
    for (const [name, mode, writers, , callers] of rounds) {
      const r = { ...totals.get(name)!, perSecond: totals.get(name)!.commits / (opts.durationMs / 1000) };
      const path = files.get(name)!;
      let check = '';
      if (mode !== 'bare') {
        const db = openDatabase(path);
        const stored = (db.$client.prepare(`SELECT count(*) n FROM appointments WHERE status = 'booked'`).get() as { n: number }).n;
        const twice = doubleBooked(db);
        db.$client.close();
        // The floor writer's rows are MedQ's bookings copied, not bookings of its own: checked, not counted.
        if (mode === 'book') {
          integrity.lost += Math.max(0, r.commits - stored);
          integrity.doubleBooked += twice;
        }
        check = `; ${stored} in the file for ${r.commits} reported, ${twice} double-booked${r.failures ? `, ${r.failures} refused ${JSON.stringify(r.codes)}` : ''}`;
      }
      runs[name] = { perSecond: r.perSecond, note: `${writers} process${writers > 1 ? 'es' : ''}${callers ? ` × ${callers} callers at once` : ''}, ${ROUNDS} rounds of ${(opts.durationMs / ROUNDS / 1000).toFixed(1)} s${check}` };
      log(`${name.padEnd(8)} ${r.perSecond.toFixed(0).padStart(6)} commits/s  ${runs[name]!.note}`);
    }
    const bareRate = runs['bare']!.perSecond;
    figures['sqlite_bare_commits_per_s'] = { value: Math.round(bareRate), unit: 'commits/s', note: `one-row INSERT commits, WAL + synchronous=FULL, ${runs['bare']!.note}; with 4 processes: ${runs['bare4']!.perSecond.toFixed(0)}/s` };
    figures['booking_commits_per_s_1'] = { value: Math.round(runs['book1']!.perSecond), unit: 'commits/s', note: `${(runs['book1']!.perSecond / bareRate).toFixed(2)}× bare; bookByPhone of returning callers; ${runs['book1']!.note}` };
    const floor = runs['rows1']!.perSecond;
    figures['booking_rows_commits_per_s_1'] = {
      value: Math.round(floor),
      unit: 'commits/s',
      note: `${(floor / bareRate).toFixed(2)}× bare; the floor under booking_commits_per_s_1 (MedQ ${(runs['book1']!.perSecond / floor).toFixed(2)}× of it): the rows those bookings write (an appointment with its indexes and its two SMS rows, taken from a file the sync module booked), inserted by plain SQL, one transaction per booking, no reads; ${runs['rows1']!.note}`,
    };
    if (opts.baseline) {
      const base = runs['base1']!.perSecond;
      figures['booking_commits_per_s_1_baseline'] = { value: Math.round(base), unit: 'commits/s', note: `${(base / bareRate).toFixed(2)}× bare; the same bookings by ${opts.baseline.label}'s code, same run; ${runs['base1']!.note}` };
    }
    figures['booking_commits_per_s_1_callers'] = { value: Math.round(runs['book1c']!.perSecond), unit: 'bookings/s', note: `${(runs['book1c']!.perSecond / bareRate).toFixed(2)}× bare; one process with ${CALLERS} callers booking at once, their bookings sharing durable commits (group commit); ${runs['book1c']!.note}` };
    if (opts.baseline) {
      const base = runs['base1c']!.perSecond;
      figures['booking_commits_per_s_1_callers_baseline'] = { value: Math.round(base), unit: 'bookings/s', note: `${(base / bareRate).toFixed(2)}× bare; the same ${CALLERS} callers by ${opts.baseline.label}'s code, same run; ${runs['base1c']!.note}` };
    }
    figures['booking_commits_per_s_4_callers'] = { value: Math.round(runs['book4c']!.perSecond), unit: 'bookings/s', note: `${(runs['book4c']!.perSecond / bareRate).toFixed(2)}× bare (1 process); 4 processes × ${CALLERS} callers at once; ${runs['book4c']!.note}` };
    figures['booking_commits_per_s_4'] = { value: Math.round(runs['book4']!.perSecond), unit: 'commits/s', note: `${(runs['book4']!.perSecond / bareRate).toFixed(2)}× bare (1 process); ${runs['book4']!.note}` };

    // Phone lookups.
    for (const size of opts.lookupSizes) {
      const path = join(dir, `lookup-${size}.sqlite`);
      const db = openDatabase(path);
      migrateDatabase(db);
      const started = performance.now();
      fillPatients(db, size);
      const fillS = (performance.now() - started) / 1000;
      const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, LOG_LEVEL: 'silent' }), () => BENCH_NOW);
      const phone = (i: number) => `+9196${String(10000000 + i)}`;
      const M = 5000;
      const lookups: number[] = [];
      const again: number[] = [];
      const upcoming: number[] = [];
      for (let j = 0; j < M + 500; j++) {
        const p = phone((j * 7919) % size);
        let t = performance.now();
        const a = accountForLogin(ctx, { phone: p });
        const dt = performance.now() - t;
        if (!a) throw new Error(`lookup of ${p} found nothing`);
        // The same number at once: its normalisation is kept (4,096 numbers), only the database is asked.
        t = performance.now();
        accountForLogin(ctx, { phone: p });
        const da = performance.now() - t;
        t = performance.now();
        upcomingForPhone(ctx, p);
        const du = performance.now() - t;
        if (j >= 500) {
          lookups.push(dt * 1000);
          again.push(da * 1000);
          upcoming.push(du * 1000);
        }
      }
      db.$client.close();
      rmSync(path, { force: true });
      lookups.sort((a, b) => a - b);
      again.sort((a, b) => a - b);
      upcoming.sort((a, b) => a - b);
      const med = (s: number[]) => s[Math.floor(s.length / 2)]!;
      const p99 = (s: number[]) => s[Math.floor(s.length * 0.99)]!;
      const label = size >= 1_000_000 ? `${size / 1_000_000}m` : `${size / 1000}k`;
      figures[`phone_lookup_us_${label}`] = {
        value: Math.round(med(lookups) * 10) / 10,
        unit: 'µs',
        note: `median of ${M} phone → account lookups (accountForLogin by phone) among ${size.toLocaleString('en')} patients with accounts; p99 ${p99(lookups).toFixed(1)} µs; the same number again at once (its libphonenumber parse kept, the database only): median ${med(again).toFixed(1)} µs; the caller's upcoming appointments by phone: median ${med(upcoming).toFixed(1)} µs; filled in ${fillS.toFixed(0)} s`,
      };
      log(`phone lookup at ${label}: ${figures[`phone_lookup_us_${label}`]!.value} µs (${figures[`phone_lookup_us_${label}`]!.note})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { figures, integrity };
}

/** A bench clinic file in which the sync module booked bookings 0 … count − 1 (synchronous=OFF: set-up only). */
async function bookedRowsFile(path: string, count: number): Promise<string> {
  const { db, ctx } = createBenchClinicFile(path, { MAX_ACTIVE_APPOINTMENTS: '100' });
  db.$client.pragma('synchronous = OFF');
  for (let k = 0; k < count; k++) {
    const r = await bookByPhone(ctx, benchBooking(k));
    if (!r.ok) throw new Error(`setting up the floor's rows: booking ${k} refused (${r.code})`);
  }
  db.$client.close();
  return path;
}

/** `size` accounts, each with one patient, written in bulk (set-up only: the lookups go through the sync module). */
function fillPatients(db: Db, size: number): void {
  const c = db.$client;
  c.pragma('synchronous = OFF');
  const acc = c.prepare(`INSERT INTO accounts (phone, username, password_hash, display_name, status, created_at) VALUES (?, ?, 'x', ?, 'active', '2026-11-01T00:00:00Z')`);
  const pat = c.prepare(`INSERT INTO patients (name, phone, account_id, source, created_at) VALUES (?, ?, ?, 'web', '2026-11-01T00:00:00Z')`);
  const batch = c.transaction((from: number, to: number) => {
    for (let i = from; i < to; i++) {
      const phone = `+9196${String(10000000 + i)}`;
      const id = acc.run(phone, `p${i}`, `Patient ${i}`).lastInsertRowid;
      pat.run(`Patient ${i}`, phone, id);
    }
  });
  for (let i = 0; i < size; i += 50_000) batch(i, Math.min(size, i + 50_000));
  c.pragma('synchronous = FULL');
  c.exec('ANALYZE');
}
