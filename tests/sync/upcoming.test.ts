// SPEC §10: "upcoming" means later than now in the clinic's timezone, not "today or later": the
// IVR's "my appointments" (what the ARI adapter loads for the flow) does not read out this
// morning's visit, and it no longer counts toward MAX_ACTIVE_APPOINTMENTS. Real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runSyncEffect } from '../../src/ari/sync-effects.js';
import { bookByPhone, todaysBookingsForPhone, upcomingForPhone } from '../../src/sync/index.js';
import { activeBookingCount, atBookingLimit } from '../../src/sync/availability.js';
import { createTestDb, plan, statementsOf, type TestDb } from '../support/db.js';

const PHONE = '+919876543210';
let t: TestDb;
beforeEach(() => {
  t = createTestDb({ env: { MAX_ACTIVE_APPOINTMENTS: '3' } }); // Monday 30 Nov 2026, 08:00 Kolkata
});
afterEach(() => t.close());

async function book(doctorId: number, date: string, time: string) {
  const r = await bookByPhone(t.ctx, { phone: PHONE, doctorId, date, time });
  if (!r.ok) throw new Error(`${date} ${time}: ${r.code}`);
  return r.value;
}

describe("a caller's bookings of today (what the queue status reads out)", () => {
  it('in slot order, only their own live ones, found through the phone index (never by walking the clinic’s day)', async () => {
    await book(2, '2026-11-30', '12:00');
    await book(1, '2026-11-30', '09:00');
    await book(1, '2026-12-01', '09:00');
    const other = await bookByPhone(t.ctx, { phone: '+919876500001', doctorId: 3, date: '2026-11-30', time: '16:00' });
    expect(other.ok).toBe(true);
    let found: ReturnType<typeof todaysBookingsForPhone> = [];
    const sql = statementsOf(t.db, () => (found = todaysBookingsForPhone(t.ctx, PHONE, 'Asia/Kolkata')));
    expect(found.map((a) => `${a.date} ${a.time}`)).toEqual(['2026-11-30 09:00', '2026-11-30 12:00']);
    const lookup = sql.find((s) => /person_phone/.test(s) && /slot_time/.test(s));
    expect(lookup).toBeDefined();
    expect(plan(t.db, lookup!)).toContain('appointments_person_idx (person_phone=? AND status=? AND date=?)');
  });
});

describe('upcoming = later than now', () => {
  it("the IVR's my-appointments list leaves out today's visit once its time has passed", async () => {
    await book(1, '2026-11-30', '09:00');
    await book(2, '2026-11-30', '12:00');
    await book(1, '2026-12-01', '09:00');
    const call = { ctx: t.ctx, holder: 'call-1', timezone: 'Asia/Kolkata' };
    const times = async () => {
      const e = await runSyncEffect(call, { type: 'loadAppointments', phone: PHONE });
      if (e?.type !== 'appointmentsLoaded') throw new Error(JSON.stringify(e));
      return e.items.map((i) => `${i.date} ${i.time}`);
    };
    expect(await times()).toEqual(['2026-11-30 09:00', '2026-11-30 12:00', '2026-12-01 09:00']);
    t.clock.set('2026-11-30T09:00:00+05:30'); // the 09:00 visit begins: no longer upcoming
    expect(await times()).toEqual(['2026-11-30 12:00', '2026-12-01 09:00']);
    t.clock.set('2026-11-30T23:59:00+05:30');
    expect(await times()).toEqual(['2026-12-01 09:00']);
  });

  it('judges each booking in its clinic’s own zone, whatever zone the call passes', async () => {
    await book(1, '2026-11-30', '09:00');
    t.clock.set('2026-11-30T03:45:00Z'); // 09:15 in Kolkata, still 29 Nov in New York
    expect(upcomingForPhone(t.ctx, PHONE, 'America/New_York')).toEqual([]);
  });

  it('MAX_ACTIVE_APPOINTMENTS counts only bookings later than now', async () => {
    await book(1, '2026-11-30', '09:00');
    await book(2, '2026-11-30', '10:00');
    await book(1, '2026-12-01', '09:00');
    expect(activeBookingCount(t.db, PHONE, t.clock.now)).toBe(3);
    expect((await bookByPhone(t.ctx, { phone: PHONE, doctorId: 3, date: '2026-11-30', time: '16:00' })).ok).toBe(false);
    t.clock.set('2026-11-30T10:30:00+05:30');
    expect(activeBookingCount(t.db, PHONE, t.clock.now)).toBe(1);
    expect(await bookByPhone(t.ctx, { phone: PHONE, doctorId: 3, date: '2026-11-30', time: '16:00' })).toMatchObject({ ok: true });
  });

  it('below the limit a booking only counts the phone index; at it, each booking is judged in its own zone', async () => {
    // The zone-by-zone read (appointments joined to their clinic) is prepared on its first use.
    const zoneRead = (sqls: string[]) => sqls.some((s) => /from "appointments" inner join "doctors"/.test(s) && /"clinics"\."timezone"/.test(s));
    const first = statementsOf(t.db, () => atBookingLimit(t.db, PHONE, t.clock.now, 3));
    expect(zoneRead(first)).toBe(false);
    await book(1, '2026-11-30', '09:00');
    await book(2, '2026-11-30', '10:00');
    expect(atBookingLimit(t.db, PHONE, t.clock.now, 3)).toBe(false);
    await book(1, '2026-12-01', '09:00');
    let limited = false;
    const atLimit = statementsOf(t.db, () => (limited = atBookingLimit(t.db, PHONE, t.clock.now, 3)));
    expect(limited).toBe(true);
    expect(zoneRead(atLimit)).toBe(true);
    // Two of the three have begun: the count from the index says 3, the exact one 1.
    t.clock.set('2026-11-30T10:30:00+05:30');
    expect(atBookingLimit(t.db, PHONE, t.clock.now, 3)).toBe(false);
    expect(atBookingLimit(t.db, PHONE, t.clock.now, 2)).toBe(false);
    expect(atBookingLimit(t.db, PHONE, t.clock.now, 1)).toBe(true);
  });
});
