// SPEC §3: "Lookups by phone use an index, never a scan." The queries the sync module runs for a
// phone are checked against SQLite's own query plan on the migrated schema.
import { describe, expect, it } from 'vitest';
import { createTestDb, statementsOf, type TestDb } from '../support/db.js';

describe('phone lookups', () => {
  it('every statement the sync module runs with a phone parameter searches an index', async () => {
    const { accountByPhone, patientsByPhone } = await import('../../src/sync/accounts-in-tx.js');
    const { activeBookingCount } = await import('../../src/sync/availability.js');
    const { countRecentSms } = await import('../../src/sync/outbox.js');
    const { accountForLogin, upcomingForPhone } = await import('../../src/sync/index.js');
    const phone = '+919876543210';
    const lookups: Array<[string, (t: TestDb) => unknown]> = [
      ['account by phone', (t) => accountByPhone(t.db, phone)],
      ['patients by phone', (t) => patientsByPhone(t.db, phone)],
      ['active bookings of a phone', (t) => activeBookingCount(t.db, phone, new Date())],
      ['codes sent to a phone', (t) => countRecentSms(t.db, phone, 'otp', 0)],
      ['upcoming bookings of a caller', (t) => upcomingForPhone(t.ctx, phone)],
      ['log-in by phone', (t) => accountForLogin(t.ctx, { phone })],
    ];
    for (const [name, run] of lookups) {
      // A database of its own: statements are prepared once per connection, on first use.
      const t = createTestDb();
      try {
        // The SQL drizzle prepares for the lookup, then SQLite's plan for it.
        const captured = statementsOf(t.db, () => run(t));
        // Those with a phone parameter (a lookup may also read by id, e.g. its rows' details).
        const withPhone = captured.filter((sql) => /"(person_)?phone" (=|in) \(?\?/.test(sql));
        expect(withPhone, name).not.toEqual([]);
        for (const sql of withPhone) {
          const params = Array.from({ length: (sql.match(/\?/g) ?? []).length }, () => phone);
          const steps = (t.db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { detail: string }[]).map((r) => r.detail);
          // The table the phone belongs to is searched by an index; joins follow primary keys.
          expect(steps.some((s) => /^SEARCH \S+ USING (COVERING )?INDEX .*phone/.test(s)), `${name}: ${steps.join(' | ')}`).toBe(true);
          expect(steps.filter((s) => /^SCAN /.test(s)), `${name}: ${steps.join(' | ')}`).toEqual([]);
        }
      } finally {
        t.close();
      }
    }
  });
});
