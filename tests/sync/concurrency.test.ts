// Several OS processes on one SQLite file: the SPEC §3 invariants must hold under real contention.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, MONDAY_MORNING, type TestDb } from '../support/db.js';

const run = promisify(execFile);
const WORKERS = 4;
const PHONES = 24;

let t: TestDb;
beforeAll(() => {
  t = createTestDb();
});
afterAll(() => t.close());

describe('four processes booking, registering and linking the same phones at once', () => {
  it('keeps one account per phone, every patient on it, no slot over capacity and no booking lost', async () => {
    const worker = fileURLToPath(new URL('./concurrency-worker.ts', import.meta.url));
    const results = await Promise.all(
      Array.from({ length: WORKERS }, (_, i) =>
        run(process.execPath, ['--import', 'tsx', worker, t.path, String(i + 1), MONDAY_MORNING, String(PHONES)], {
          maxBuffer: 10 * 1024 * 1024,
        }).then((r) => JSON.parse(r.stdout.trim().split('\n').at(-1)!) as { booked: number[]; outcomes: Record<string, number> }),
      ),
    );
    const sql = t.db.$client;
    const reported = results.flatMap((r) => r.booked);
    const outcomes: Record<string, number> = {};
    for (const r of results) for (const [k, v] of Object.entries(r.outcomes)) outcomes[k] = (outcomes[k] ?? 0) + v;

    const overCapacity = sql
      .prepare(
        `SELECT a.doctor_id, a.date, a.slot_time, count(*) n, max(s.capacity) cap
           FROM appointments a JOIN schedules s ON s.doctor_id = a.doctor_id
          WHERE a.status <> 'cancelled'
            AND s.weekday = CAST(strftime('%w', a.date) AS INTEGER) + (CASE strftime('%w', a.date) WHEN '0' THEN 7 ELSE 0 END)
            AND a.slot_time >= s.start_time AND a.slot_time < s.end_time
          GROUP BY 1, 2, 3 HAVING n > cap`,
      )
      .all();
    const accountsPerPhone = sql.prepare(`SELECT phone, count(*) n FROM accounts GROUP BY phone HAVING n > 1`).all();
    const strayPatients = sql
      .prepare(
        `SELECT p.id FROM patients p JOIN accounts a ON a.phone = p.phone
          WHERE p.account_id IS NULL OR p.account_id <> a.id`,
      )
      .all();
    const bookedRows = sql.prepare(`SELECT id FROM appointments WHERE status = 'booked'`).all() as { id: number }[];
    const missing = reported.filter((id) => !bookedRows.some((r) => r.id === id));
    const duplicateTokens = sql
      .prepare(`SELECT doctor_id, date, token_number, count(*) n FROM appointments WHERE status <> 'cancelled' GROUP BY 1,2,3 HAVING n > 1`)
      .all();
    const counts = {
      workers: WORKERS,
      phones: PHONES,
      accounts: (sql.prepare('SELECT count(*) n FROM accounts').get() as { n: number }).n,
      patients: (sql.prepare('SELECT count(*) n FROM patients').get() as { n: number }).n,
      bookingsReported: reported.length,
      bookingsInDb: bookedRows.length,
      slotsOverCapacity: overCapacity.length,
      phonesWithTwoAccounts: accountsPerPhone.length,
      patientsOffTheirAccount: strayPatients.length,
      lostBookings: missing.length,
      duplicateTokens: duplicateTokens.length,
      outcomes,
    };
    console.log('concurrency counts', JSON.stringify(counts, null, 1));

    expect(counts.bookingsReported).toBeGreaterThan(20);
    expect(outcomes['race:slot_taken'] ?? 0).toBeGreaterThan(0); // the race was real
    expect(overCapacity).toEqual([]);
    expect(accountsPerPhone).toEqual([]);
    expect(strayPatients).toEqual([]);
    expect(missing).toEqual([]);
    expect(duplicateTokens).toEqual([]);
    expect(bookedRows.length).toBe(reported.length);
    expect(counts.accounts).toBeLessThanOrEqual(PHONES);
  }, 120_000);
});
