// One writer in one process, for profiling a booking (issue 10): bare one-row commits and
// bookByPhone of returning callers in turn, each at synchronous=FULL and OFF, so the commit's
// fsync and the transaction's own work can be told apart. Per-statement times with
// `--import ./bench/stmt-time.ts`; a profile with `node --cpu-prof --import tsx bench/book-loop.ts`.
//   MS=2000 ROUNDS=3 npx tsx bench/book-loop.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bookByPhone } from '../src/sync/index.js';
import { benchBooking, createBenchClinicFile } from './lib/bench-clinic.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-book-loop-'));
const path = join(dir, 'b.sqlite');
const { db, ctx } = createBenchClinicFile(path, { MAX_ACTIVE_APPOINTMENTS: '100' });
const c = db.$client;
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
      const res = await bookByPhone(ctx, benchBooking(k++));
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
