// The staff's day list (GET /api/admin/appointments?date=…&doctor_id=…, appointmentsOnDay): one
// doctor's day is read through that doctor's rows, not by walking the whole clinic's day. Without
// statistics SQLite preferred appointments_date_idx (every doctor's bookings of the day, in slot
// order) to save a sort; in a clinic of twenty doctors that is twenty times the rows. The doctor's
// rows in every status are in appointments_seat_uq (cancelled ones keyed NULL). Real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appointmentsOnDay, bookByPhone, freeSlots } from '../../src/sync/index.js';
import { createTestDb, plan, statementsOf, type TestDb } from '../support/db.js';

const DAY = '2026-12-01';
let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

async function book(n: number, doctorId: number, time: string): Promise<void> {
  const r = await bookByPhone(t.ctx, { phone: `+91987650${String(n).padStart(4, '0')}`, doctorId, date: DAY, time });
  if (!r.ok) throw new Error(`${doctorId} ${time}: ${r.code}`);
}

describe("a doctor's day for the staff", () => {
  it('lists only that doctor’s bookings in every status, in slot order, found through the doctor-day prefix of the seat index', async () => {
    const [a1, a2, a3] = freeSlots(t.ctx, 1, DAY)!.map((s) => s.time);
    const [b1, b2] = freeSlots(t.ctx, 2, DAY)!.map((s) => s.time);
    await book(1, 1, a3!);
    await book(2, 2, b2!);
    await book(3, 1, a1!);
    await book(4, 2, b1!);
    await book(5, 1, a2!);
    // A cancelled booking is still on the staff's list (with its status).
    const cancelled = await bookByPhone(t.ctx, { phone: '+919876509999', doctorId: 1, date: DAY, time: freeSlots(t.ctx, 1, DAY)![0]!.time });
    if (!cancelled.ok) throw new Error(cancelled.code);
    t.db.$client.prepare(`UPDATE appointments SET status = 'cancelled' WHERE id = ?`).run(cancelled.value.appointmentId);
    const cancelledTime = cancelled.value.time;

    let rows: ReturnType<typeof appointmentsOnDay> = [];
    const sqls = statementsOf(t.db, () => (rows = appointmentsOnDay(t.ctx, DAY, 1)));
    expect(rows.map((a) => `${a.doctorId} ${a.time} ${a.status}`)).toEqual(
      [`1 ${a1} booked`, `1 ${a2} booked`, `1 ${a3} booked`, `1 ${cancelledTime} cancelled`].sort((x, y) => x.split(' ')[1]!.localeCompare(y.split(' ')[1]!)),
    );
    const query = sqls.find((s) => /from "appointments"/.test(s));
    expect(query).toBeDefined();
    const p = plan(t.db, query!);
    expect(p).toContain('SEARCH appointments USING INDEX appointments_seat_uq (doctor_id=? AND date=?)');
    expect(p).not.toContain('appointments_date_idx');

    // The whole clinic's day keeps the date index, doctor by doctor in display order, then by time.
    const all = appointmentsOnDay(t.ctx, DAY).map((a) => `${a.doctorId} ${a.time}`);
    expect(all).toEqual([...[a1, a2, a3, cancelledTime].sort().map((x) => `1 ${x}`), `2 ${b1}`, `2 ${b2}`]);
  });
});
