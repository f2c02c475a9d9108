// A group commit runs each booking as a SAVEPOINT inside one transaction, and SQLite keeps the
// pages a savepoint may have to restore in a sub-journal. Past 64 KiB that journal went to a temp
// file on disk (temp_store's default), which made a grouped booking's inserts 4–5× slower than a
// lone booking's (issue 10). openDatabase keeps temporary storage in memory: no temp file is ever
// opened while a group of bookings is in flight.
import { readdirSync, readlinkSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { bookByPhone } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { observeGroupCommits } from '../../src/sync/group-commit.js';

let t: TestDb | undefined;
afterEach(() => {
  observeGroupCommits(null);
  t?.close();
});

/** SQLite's temporary files (etilqs_…, unlinked as soon as opened) this process holds open. */
function sqliteTempFiles(): string[] {
  const open: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (/etilqs_/.test(target)) open.push(target);
    } catch {
      // closed between the listing and the read
    }
  }
  return open;
}

describe('temporary storage', () => {
  it('a group commit of 16 bookings opens no temporary file (its savepoints are journalled in memory)', async () => {
    t = createTestDb();
    expect(t.db.$client.pragma('temp_store', { simple: true })).toBe(2); // MEMORY
    const seen: string[][] = [];
    const groups: number[] = [];
    observeGroupCommits((n) => groups.push(n));
    // Look while the group's transaction is open: after each booking's savepoint, before the COMMIT.
    // Dr. Sharma (1): sixteen morning slots, 09:00–12:45 every 15 minutes.
    const times = Array.from({ length: 16 }, (_, k) => 9 * 60 + 15 * k).map((m) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
    const bookings = Array.from({ length: 16 }, (_, i) =>
      bookByPhone(t!.ctx, { phone: `+9198555${String(i).padStart(5, '0')}`, doctorId: 1, date: '2026-12-01', time: times[i]! }).then((r) => {
        seen.push(sqliteTempFiles());
        return r;
      }),
    );
    const client = t.db.$client;
    const run = client.prepare.bind(client);
    let peeked = 0;
    client.prepare = ((sql: string) => {
      if (client.inTransaction) {
        seen.push(sqliteTempFiles());
        peeked++;
      }
      return run(sql);
    }) as typeof client.prepare;
    const results = await Promise.all(bookings);
    client.prepare = run;
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(Math.max(...groups)).toBeGreaterThanOrEqual(4);
    expect(peeked).toBeGreaterThan(0);
    expect(seen.flat()).toEqual([]);
  });
});
