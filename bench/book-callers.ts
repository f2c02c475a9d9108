// Profiling aid (issue 10): CALLERS callers booking at once in one process (group commit), on a
// fresh bench file at synchronous=FULL; prints bookings/s and the group sizes. WEB=1 books as the
// web does (bookForAccount) instead of by phone.
//   CALLERS=16 MS=4000 node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx bench/book-callers.ts
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bookByPhone, bookForAccount, observeGroupCommits } from '../src/sync/index.js';
import { benchBooking, createBenchClinicFile } from './lib/bench-clinic.js';
import { startCheckpointThreadIfAny } from './lib/checkpoint-thread.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-book-callers-'));
const path = join(dir, 'b.sqlite');
const { db, ctx } = createBenchClinicFile(path, { MAX_ACTIVE_APPOINTMENTS: '100' });
const c = db.$client;
// As the bench's writers (bench/sync-writer.ts) and src/main.ts: WAL checkpoints on their own thread.
const checkpointer = await startCheckpointThreadIfAny(db);
if (process.env.SYNC) c.pragma(`synchronous = ${process.env.SYNC}`);
if (process.env.CACHE) c.pragma(`cache_size = ${process.env.CACHE}`);
if (process.env.TEMP_STORE) c.pragma(`temp_store = ${process.env.TEMP_STORE}`);
const callers = Number(process.env.CALLERS ?? 16);
const ms = Number(process.env.MS ?? 4000);
const web = process.env.WEB === '1';
const accountOf = new Map((c.prepare('SELECT id, phone FROM accounts').all() as Array<{ id: number; phone: string }>).map((a) => [a.phone, a.id]));
const book = (k: number) => {
  const b = benchBooking(k);
  return web ? bookForAccount(ctx, { accountId: accountOf.get(b.phone)!, doctorId: b.doctorId, date: b.date, time: b.time }) : bookByPhone(ctx, b);
};
const groups: number[] = [];
observeGroupCommits((n) => groups.push(n));
let i = 0;
let done = 0;
const until = performance.now() + ms;
const cpu0 = process.cpuUsage();
await Promise.all(Array.from({ length: callers }, async () => {
  while (performance.now() < until) {
    const r = await book(i++);
    if (!r.ok) throw new Error(r.code);
    done++;
  }
}));
const cpu = process.cpuUsage(cpu0);
console.log(JSON.stringify({ perSecond: Math.round(done / (ms / 1000)), cpuUsPerBooking: Math.round((cpu.user + cpu.system) / done), meanGroup: +(done / groups.length).toFixed(1), commits: groups.length }));
await checkpointer?.stop();
db.$client.close();
rmSync(dir, { recursive: true, force: true });
