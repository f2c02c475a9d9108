// Profiling aid (issue 10): CALLERS callers booking at once in one process (group commit), on a
// fresh bench file at synchronous=FULL; prints bookings/s and the group sizes.
//   CALLERS=16 MS=4000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/book-callers.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { bookByPhone, createSyncContext, observeGroupCommits, registerAccount } from '../src/sync/index.js';
import { loadSeed } from '../src/sync/seed.js';
import { BENCH_CALLERS, BENCH_NOW, BENCH_SEED, benchCallerPhone, benchDate, benchSlotTime } from './lib/bench-clinic.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-book-callers-'));
const path = join(dir, 'b.sqlite');
const db = openDatabase(path);
migrateDatabase(db);
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, MAX_ACTIVE_APPOINTMENTS: '100', LOG_LEVEL: 'silent' }), () => BENCH_NOW);
loadSeed(ctx, BENCH_SEED);
registerAccount(ctx, { phone: benchCallerPhone(0), name: 'Caller 0', age: 40, username: 'caller0', passwordHash: 'x' });
const c = db.$client;
const acc = c.prepare(`INSERT INTO accounts (phone, username, password_hash, display_name, status, created_at) VALUES (?, ?, 'x', ?, 'active', '2026-11-01T00:00:00Z')`);
const pat = c.prepare(`INSERT INTO patients (name, age, phone, account_id, source, created_at) VALUES (?, 40, ?, ?, 'web', '2026-11-01T00:00:00Z')`);
c.transaction(() => { for (let n = 1; n < BENCH_CALLERS; n++) pat.run(`Caller ${n}`, benchCallerPhone(n), acc.run(benchCallerPhone(n), `caller${n}`, `Caller ${n}`).lastInsertRowid); })();
if (process.env.SYNC) c.pragma(`synchronous = ${process.env.SYNC}`);
const callers = Number(process.env.CALLERS ?? 16);
const ms = Number(process.env.MS ?? 4000);
const groups: number[] = [];
observeGroupCommits((n) => groups.push(n));
let i = 0;
let done = 0;
const until = performance.now() + ms;
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: callers }, async () => {
  while (performance.now() < until) {
    const k = i++;
    const r = await bookByPhone(ctx, { phone: benchCallerPhone((Math.floor(k / 20) % 287) + 287 * (Math.floor(k / 5740) % 10)), doctorId: 1 + (k % 20), date: benchDate(Math.floor(k / 5740)), time: benchSlotTime(Math.floor(k / 20) % 287) });
    if (!r.ok) throw new Error(r.code);
    done++;
  }
}));
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ perSecond: Math.round(done / (ms / 1000)), cpuUsPerBooking: Math.round((cpu.user + cpu.system) / done), meanGroup: +(done / groups.length).toFixed(1), commits: groups.length }));
db.$client.close();
rmSync(dir, { recursive: true, force: true });
