// One writer in one process, for profiling a booking (issue 10): bare one-row commits and
// bookByPhone of returning callers in turn, each at synchronous=FULL and OFF, so the commit's
// fsync and the transaction's own work can be told apart. Per-statement times with
// `--import ./bench/stmt-time.ts`; a profile with `node --cpu-prof --import tsx bench/book-loop.ts`.
//   MS=2000 ROUNDS=3 npx tsx bench/book-loop.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config/index.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { bookByPhone, createSyncContext, registerAccount } from '../src/sync/index.js';
import { loadSeed } from '../src/sync/seed.js';
import { BENCH_CALLERS, BENCH_NOW, BENCH_SEED, benchCallerPhone, benchDate, benchSlotTime } from './lib/bench-clinic.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-book-loop-'));
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
c.exec('CREATE TABLE bench_bare (id INTEGER PRIMARY KEY, writer INTEGER NOT NULL, n INTEGER NOT NULL)');
const bareIns = c.prepare('INSERT INTO bench_bare (writer, n) VALUES (?, ?)');
const ms = Number(process.env.MS ?? 2000);
const rounds = Number(process.env.ROUNDS ?? 3);
let k = 0;
for (let r = 0; r < rounds; r++) {
  const line: string[] = [];
  for (const sync of ['FULL', 'OFF']) {
    c.pragma(`synchronous = ${sync}`);
    let bare = 0;
    let until = performance.now() + ms;
    while (performance.now() < until) { bareIns.run(0, bare); bare++; }
    let book = 0;
    until = performance.now() + ms;
    while (performance.now() < until) {
      const res = await bookByPhone(ctx, { phone: benchCallerPhone((Math.floor(k / 20) % 287) + 287 * (Math.floor(k / 5740) % 10)), doctorId: 1 + (k % 20), date: benchDate(Math.floor(k / 5740)), time: benchSlotTime(Math.floor(k / 20) % 287) });
      k++;
      if (!res.ok) throw new Error(res.code);
      book++;
    }
    line.push(`${sync}: bare ${(1000 * ms / bare).toFixed(0)} µs, booking ${(1000 * ms / book).toFixed(0)} µs (${(book / bare).toFixed(2)}×)`);
  }
  console.log(line.join(' | '));
}
c.pragma('synchronous = FULL');
c.close();
rmSync(dir, { recursive: true, force: true });
