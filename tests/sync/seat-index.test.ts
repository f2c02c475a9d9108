// appointments_seat_uq is the database's last word on capacity: whatever writes an appointment
// row (a second process, a bug past the sync module's checks), a seat has at most one holder that
// is not cancelled. Since issue 10 it holds cancelled rows too, keyed NULL in its last column so
// they never collide, and serves a doctor's day in every status (one index fewer per booking).
// These tests write rows straight into a real SQLite file, past every check the sync module makes.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookByPhone, freeSlots, offerNextSlot } from '../../src/sync/index.js';
import { isConstraintViolation } from '../../src/sync/availability.js';
import { createTestDb, plan, statementsOf, statementsOfAsync, type TestDb } from '../support/db.js';

const DAY = '2026-12-01';
let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

function insertRow(seat: number, status: string, phone: string, token: string): number {
  const r = t.db.$client
    .prepare(
      `INSERT INTO appointments (patient_id, doctor_id, date, slot_time, seat, token_number, person_phone, status, channel, created_at)
       VALUES (1, 1, ?, '10:00', ?, ?, ?, ?, 'desk', '2026-11-30T00:00:00Z')`,
    )
    .run(DAY, seat, token, phone, status);
  return Number(r.lastInsertRowid);
}

function refused(write: () => unknown): boolean {
  try {
    write();
    return false;
  } catch (e) {
    if (isConstraintViolation(e)) return true;
    throw e;
  }
}

describe('the seat index', () => {
  beforeEach(() => {
    t.db.$client.prepare(`INSERT INTO patients (id, name, phone, source, created_at) VALUES (1, 'P', '+919000000001', 'desk', '2026-11-30T00:00:00Z')`).run();
  });

  it('refuses a second holder of a seat in every status that holds one, and never counts a cancelled row', () => {
    for (const [i, status] of ['booked', 'arrived', 'completed', 'no_show'].entries()) {
      const id = insertRow(1, status, `+91900000010${i}`, `T-${i}a`);
      expect(refused(() => insertRow(1, 'booked', `+91900000020${i}`, `T-${i}b`)), status).toBe(true);
      t.db.$client.prepare('DELETE FROM appointments WHERE id = ?').run(id);
    }
    // Cancelled rows of the same seat pile up freely, and the seat can be booked again beside them.
    const first = insertRow(1, 'booked', '+919000000301', 'T-1');
    t.db.$client.prepare(`UPDATE appointments SET status = 'cancelled' WHERE id = ?`).run(first);
    insertRow(1, 'cancelled', '+919000000302', 'T-2');
    const again = insertRow(1, 'booked', '+919000000303', 'T-3');
    expect(again).toBeGreaterThan(first);
    // A cancelled booking cannot come back to a seat someone else now holds.
    expect(refused(() => t.db.$client.prepare(`UPDATE appointments SET status = 'booked' WHERE id = ?`).run(first))).toBe(true);
    expect(t.db.$client.prepare(`SELECT count(*) AS n FROM appointments WHERE seat = 1 AND status <> 'cancelled'`).get()).toEqual({ n: 1 });
  });

  it('answers the booking\'s and the offer\'s seat reads from the index alone', async () => {
    const [slot] = freeSlots(t.ctx, 1, DAY)!;
    const offerSql = statementsOf(t.db, () => offerNextSlot(t.ctx, 1, 'caller-1'));
    const bookSql = await statementsOfAsync(t.db, async () => {
      const r = await bookByPhone(t.ctx, { phone: '+919000000401', doctorId: 1, date: DAY, time: slot!.time });
      expect(r.ok).toBe(true);
    });
    const seatReads = [...offerSql, ...bookSql].filter((s) => /^select .*from "appointments"/.test(s) && /slot_time" (=|>=) \?/.test(s));
    expect(seatReads.length).toBeGreaterThanOrEqual(2);
    for (const s of seatReads) expect(plan(t.db, s), s).toMatch(/SEARCH appointments USING COVERING INDEX appointments_seat_uq \(doctor_id=\? AND date=\? AND slot_time[=>]\?\)/);
  });
});
