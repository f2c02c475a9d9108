// The benchmark clinic: 20 doctors, every day 00:00–23:55 in 5-minute slots (287 a day),
// capacity 2, so a benchmark never runs out of slots. Its callers are +9198 1000 0000 + n.
import { loadConfig } from '../../src/config/index.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import { createSyncContext, registerAccount, type SyncContext } from '../../src/sync/index.js';
import { loadSeed, type SeedFile } from '../../src/sync/seed.js';

export const BENCH_SEED: SeedFile = {
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

/** Monday 30 Nov 2026 08:00 in Kolkata: the bench's clock. */
export const BENCH_NOW = new Date('2026-11-30T08:00:00+05:30');

/** Callers the commit benchmark books for (10 sets of 287; see bench/sync-writer.ts). */
export const BENCH_CALLERS = 2870;

/** More bookings than one process inserts in a second by plain SQL (~4,000–5,500/s here): the floor writer's supply (bench/sync-writer.ts). */
export const FLOOR_ROWS_PER_SECOND_AT_MOST = 9000;

export const benchCallerPhone = (n: number) => `+9198${String(10000000 + n)}`;

/** The k-th 5-minute slot of a bench doctor's day (00:00 … 23:50). */
export const benchSlotTime = (k: number) => `${String(Math.floor((k * 5) / 60)).padStart(2, '0')}:${String((k * 5) % 60).padStart(2, '0')}`;

/** Day d after 1 Dec 2026 (d < 89: inside the booking horizon). */
export function benchDate(d: number): string {
  const t = new Date(Date.UTC(2026, 11, 1 + d));
  return t.toISOString().slice(0, 10);
}

/**
 * Booking k of the commit benchmarks: doctor k % 20, slot ⌊k / 20⌋ % 287 of day ⌊k / 5740⌋, by
 * returning caller ⌊k / 20⌋ % 287 of set ⌊k / 5740⌋ % 10: no two bookings want the same seat or the
 * same caller-doctor-day, so every refusal is a real one.
 */
export function benchBooking(k: number): { phone: string; doctorId: number; date: string; time: string } {
  return {
    phone: benchCallerPhone((Math.floor(k / 20) % 287) + 287 * (Math.floor(k / 5740) % 10)),
    doctorId: 1 + (k % 20),
    date: benchDate(Math.floor(k / 5740)),
    time: benchSlotTime(Math.floor(k / 20) % 287),
  };
}

/**
 * A migrated bench file at `path` with the bench clinic and its BENCH_CALLERS returning callers
 * (each an active account with one patient): the first through the sync module, the rest in bulk.
 */
export function createBenchClinicFile(path: string, env: Record<string, string> = {}): { db: Db; ctx: SyncContext } {
  const db = openDatabase(path);
  migrateDatabase(db);
  const ctx = createSyncContext(db, loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, LOG_LEVEL: 'silent', ...env }), () => BENCH_NOW);
  loadSeed(ctx, BENCH_SEED);
  const r = registerAccount(ctx, { phone: benchCallerPhone(0), name: 'Caller 0', age: 40, username: 'caller0', passwordHash: 'not-a-real-hash' });
  if (!r.ok) throw new Error(r.code);
  const c = db.$client;
  const acc = c.prepare(`INSERT INTO accounts (phone, username, password_hash, display_name, status, created_at) VALUES (?, ?, 'x', ?, 'active', '2026-11-01T00:00:00Z')`);
  const pat = c.prepare(`INSERT INTO patients (name, age, phone, account_id, source, created_at) VALUES (?, 40, ?, ?, 'web', '2026-11-01T00:00:00Z')`);
  c.transaction(() => {
    for (let n = 1; n < BENCH_CALLERS; n++) pat.run(`Caller ${n}`, benchCallerPhone(n), acc.run(benchCallerPhone(n), `caller${n}`, `Caller ${n}`).lastInsertRowid);
  })();
  return { db, ctx };
}
