// SPEC §3: "Lookups by phone use an index, never a scan." The queries the sync module runs for a
// phone are checked against SQLite's own query plan on the migrated schema.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
let captured: string[] = [];
beforeAll(() => {
  t = createTestDb();
});
afterAll(() => t.close());


describe('phone lookups', () => {
  it('every statement the sync module runs with a phone parameter searches an index', async () => {
    const { accountByPhone, patientsByPhone } = await import('../../src/sync/accounts-in-tx.js');
    const { activeBookingCount } = await import('../../src/sync/availability.js');
    const { countRecentSms } = await import('../../src/sync/outbox.js');
    const { upcomingForPhone } = await import('../../src/sync/index.js');
    // Record the SQL drizzle sends for each lookup, then ask SQLite how it would run it.
    const client = t.db.$client;
    const original = client.prepare.bind(client);
    client.prepare = ((sql: string) => {
      captured.push(sql);
      return original(sql);
    }) as typeof client.prepare;
    try {
      const phone = '+919876543210';
      const lookups: Array<[string, () => unknown]> = [
        ['account by phone', () => accountByPhone(t.db, phone)],
        ['patients by phone', () => patientsByPhone(t.db, phone)],
        ['active bookings of a phone', () => activeBookingCount(t.db, phone, new Date())],
        ['codes sent to a phone', () => countRecentSms(t.db, phone, 'otp', 0)],
        ['upcoming bookings of a caller', () => upcomingForPhone(t.ctx, phone)],
      ];
      for (const [name, run] of lookups) {
        captured = [];
        run();
        expect(captured, name).not.toEqual([]);
        for (const sql of [...captured]) {
          const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => phone);
          const steps = (original(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
          // The table the phone belongs to is searched by an index; joins follow primary keys.
          expect(steps.some((s) => /^SEARCH \S+ USING (COVERING )?INDEX .*phone/.test(s)), `${name}: ${steps.join(' | ')}`).toBe(true);
          expect(steps.filter((s) => /^SCAN /.test(s)), `${name}: ${steps.join(' | ')}`).toEqual([]);
        }
      }
    } finally {
      client.prepare = original;
    }
  });
});
