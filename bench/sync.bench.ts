// npm run bench: throughput and latency of the sync module's hot paths on a real SQLite file
// (synchronous=FULL, WAL), the way the IVR and API use them. Prints one line per measurement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../src/config/index.js';
import { migrateDatabase, openDatabase } from '../src/db/client.js';
import { bookByPhone, createSyncContext, freeSlots, offerNextSlot, registerAccount, cancelAppointment } from '../src/sync/index.js';
import { loadSeed, type SeedFile } from '../src/sync/seed.js';

const dir = mkdtempSync(join(tmpdir(), 'medq-bench-'));
const path = join(dir, 'bench.sqlite');
const db = openDatabase(path);
migrateDatabase(db);
const now = new Date('2026-11-30T08:00:00+05:30');
const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, MAX_ACTIVE_APPOINTMENTS: '100' }), () => now);

// A clinic big enough that the benchmark never runs out of slots: 20 doctors, 5-minute slots.
const seed: SeedFile = {
  clinics: [
    {
      name: 'Bench Clinic',
      did: '7000',
      doctors: Array.from({ length: 20 }, (_, i) => ({
        name: `Dr. Bench ${i + 1}`,
        specialty: 'General',
        display_order: i + 1,
        schedules: [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:55', slot_minutes: 5, capacity: 2 }],
      })),
    },
  ],
};
loadSeed(ctx, seed);

function stats(name: string, samples: number[], unit = 'ms') {
  samples.sort((a, b) => a - b);
  const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!;
  const total = samples.reduce((a, b) => a + b, 0);
  console.log(
    `${name.padEnd(44)} n=${String(samples.length).padStart(5)}  ops/s=${(samples.length / (total / 1000)).toFixed(0).padStart(6)}  p50=${q(0.5).toFixed(2)}${unit}  p99=${q(0.99).toFixed(2)}${unit}`,
  );
}

const N = Number(process.env.BENCH_N ?? 1000);
/** The k-th 5-minute slot of the bench doctors' day (00:00 … 23:50: 287 slots). */
const slotTime = (k: number) => `${String(Math.floor((k * 5) / 60)).padStart(2, '0')}:${String((k * 5) % 60).padStart(2, '0')}`;

// 1. Offer the next slot (hold) then book it, as an IVR call does: the full phone booking path.
{
  const offer: number[] = [];
  const book: number[] = [];
  for (let i = 0; i < N; i++) {
    const phone = `+9198${String(10000000 + i)}`;
    const doctorId = 1 + (i % 20);
    let t = performance.now();
    const o = offerNextSlot(ctx, doctorId, `call-${i}`);
    offer.push(performance.now() - t);
    if (!o.ok) throw new Error(o.code);
    t = performance.now();
    const r = await bookByPhone(ctx, { phone, doctorId, date: o.value.date, time: o.value.time, holder: `call-${i}` });
    book.push(performance.now() - t);
    if (!r.ok) throw new Error(r.code);
  }
  stats('ivr: offer next slot (hold)', offer);
  stats('ivr: book new caller (argon2 + tx + 2 SMS)', book);
}

// 2. Returning callers: no password hash needed for the account, but bookByPhone still prepares one.
{
  const s: number[] = [];
  for (let i = 0; i < N / 2; i++) {
    const phone = `+9198${String(10000000 + i)}`;
    const t = performance.now();
    const r = await bookByPhone(ctx, { phone, doctorId: 1 + ((i + 7) % 20), date: '2026-12-01', time: slotTime(i % 287) });
    s.push(performance.now() - t);
    if (!r.ok && r.code !== 'slot_taken') throw new Error(r.code);
  }
  stats('ivr: book returning caller', s);
}

// 3. Web registration write (the password was hashed before, outside the transaction).
{
  const s: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const r = registerAccount(ctx, { phone: `+9197${String(10000000 + i)}`, name: 'Bench', age: 30, username: `bench${i}`, passwordHash: 'h' });
    s.push(performance.now() - t);
    if (!r.ok) throw new Error(r.code);
  }
  stats('web: register (transaction only)', s);
}

// 4. Reads: free slots of a busy day; cancellation write.
{
  const s: number[] = [];
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    freeSlots(ctx, 1 + (i % 20), '2026-11-30');
    s.push(performance.now() - t);
  }
  stats('api: free slots of a day (288 slots)', s);
  const c: number[] = [];
  for (let id = 1; id <= N / 2; id++) {
    const t = performance.now();
    cancelAppointment(ctx, { appointmentId: id });
    c.push(performance.now() - t);
  }
  stats('cancel (tx + SMS)', c);
}

const size = db.$client.prepare('SELECT count(*) n FROM appointments').get() as { n: number };
console.log(`appointments in db: ${size.n}; rss=${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
db.$client.close();
rmSync(dir, { recursive: true, force: true });
