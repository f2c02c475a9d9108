import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bookByPhone } from '../src/sync/index.js';
import { benchBooking, createBenchClinicFile } from './lib/bench-clinic.js';
const dir = mkdtempSync(join(tmpdir(), 'medq-book-off-'));
const { db, ctx } = createBenchClinicFile(join(dir, 'b.sqlite'), { MAX_ACTIVE_APPOINTMENTS: '100' });
db.$client.pragma(`synchronous = ${process.env.SYNC ?? 'OFF'}`);
let k = 0;
for (let i = 0; i < 2000; i++) await bookByPhone(ctx, benchBooking(k++));
const t0 = performance.now(); let n = 0;
while (performance.now() - t0 < Number(process.env.MS ?? 5000)) { const r = await bookByPhone(ctx, benchBooking(k++)); if (!r.ok) throw new Error(r.code); n++; }
console.log(`${(1000 * (performance.now() - t0) / n).toFixed(1)} µs per booking`);
