// The benchmark clinic: 20 doctors, every day 00:00–23:55 in 5-minute slots (287 a day),
// capacity 2, so a benchmark never runs out of slots. Its callers are +9198 1000 0000 + n.
import type { SeedFile } from '../../src/sync/seed.js';

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

export const benchCallerPhone = (n: number) => `+9198${String(10000000 + n)}`;

/** The k-th 5-minute slot of a bench doctor's day (00:00 … 23:50). */
export const benchSlotTime = (k: number) => `${String(Math.floor((k * 5) / 60)).padStart(2, '0')}:${String((k * 5) % 60).padStart(2, '0')}`;

/** Day d after 1 Dec 2026 (d < 89: inside the booking horizon). */
export function benchDate(d: number): string {
  const t = new Date(Date.UTC(2026, 11, 1 + d));
  return t.toISOString().slice(0, 10);
}
