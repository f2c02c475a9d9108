// SPEC §4/§10: token numbers are unique per doctor and day whatever the schedule did, and a
// constraint violation inside a booking is the typed outcome slot_taken, never an exception.
// Real SQLite file; the clock is Monday 30 Nov 2026, 08:00 in Kolkata.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, eq } from 'drizzle-orm';
import { accounts, appointments, smsOutbox } from '../../src/db/schema.js';
import { bookByPhone, bookForAccount, freeSlots, offerNextSlot, registerAccount } from '../../src/sync/index.js';
import { replaceSchedules } from '../../src/sync/admin.js';
import { doctorBareName, doctorInitial } from '../../src/booking/slots.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

const TUESDAY = '2026-12-01';
const book = (phone: string, time: string, doctorId = 1, date = TUESDAY, holder?: string) =>
  bookByPhone(t.ctx, { phone, doctorId, date, time, ...(holder ? { holder } : {}) });
const tokensOfDay = (doctorId = 1, date = TUESDAY) =>
  t.db
    .select({ time: appointments.slotTime, token: appointments.tokenNumber })
    .from(appointments)
    .where(and(eq(appointments.doctorId, doctorId), eq(appointments.date, date)))
    .orderBy(appointments.id)
    .all();

/** Dr. Sharma's weekday mornings now start at `start` (the seed says 09:00). */
function moveMorningStart(start: string) {
  const r = replaceSchedules(
    t.ctx,
    1,
    [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: start, endTime: '13:00', slotMinutes: 15 })),
  );
  expect(r.ok).toBe(true);
}

describe('tokens after a schedule edit', () => {
  it('a 09:00 start moved to 08:00 never hands out a token twice: a colliding slot gets the next number after the day’s highest', async () => {
    expect(await book('+919000000001', '09:00')).toMatchObject({ ok: true, value: { token: 'S-1' } });
    expect(await book('+919000000002', '09:15')).toMatchObject({ ok: true, value: { token: 'S-2' } });

    moveMorningStart('08:00'); // 08:00–13:00 in 15 minutes: 20 slots, numbers 1–20
    // 08:00 is slot 1 now: S-1 belongs to the 09:00 patient, so the new one gets 21 (after the
    // schedule's last number), and 08:15 (formula S-2, taken) gets 22.
    expect(await book('+919000000003', '08:00')).toMatchObject({ ok: true, value: { token: 'S-21' } });
    expect(await book('+919000000004', '08:15')).toMatchObject({ ok: true, value: { token: 'S-22' } });
    // Slots whose formula number is free keep it: one collision does not shift the rest of the day.
    expect(await book('+919000000005', '08:30')).toMatchObject({ ok: true, value: { token: 'S-3' } });
    expect(await book('+919000000006', '09:30')).toMatchObject({ ok: true, value: { token: 'S-7' } });

    const tokens = tokensOfDay().map((r) => r.token);
    expect(new Set(tokens).size).toBe(tokens.length);
    expect(tokens).toEqual(['S-1', 'S-2', 'S-21', 'S-22', 'S-3', 'S-7']);
  });

  it('the IVR offer names the token its booking will get when the slot’s own number is taken', async () => {
    const MONDAY = '2026-11-30';
    t.clock.set('2026-11-30T07:00:00+05:30');
    expect(await book('+919000000001', '09:00', 1, MONDAY)).toMatchObject({ ok: true, value: { token: 'S-1' } });
    expect(await book('+919000000002', '09:15', 1, MONDAY)).toMatchObject({ ok: true, value: { token: 'S-2' } });
    moveMorningStart('08:00');
    const offer = offerNextSlot(t.ctx, 1, 'call-a');
    expect(offer).toMatchObject({ ok: true, value: { date: MONDAY, time: '08:00', token: 'S-21' } });
    expect(await book('+919000000003', '08:00', 1, MONDAY, 'call-a')).toMatchObject({ ok: true, value: { token: 'S-21' } });
    // 08:15's own number (S-2) is the 09:15 patient's: the next after the day's highest (21).
    expect(offerNextSlot(t.ctx, 1, 'call-b')).toMatchObject({ ok: true, value: { time: '08:15', token: 'S-22' } });
    // 08:30's own number is free: it keeps it.
    expect(offerNextSlot(t.ctx, 1, 'call-c')).toMatchObject({ ok: true, value: { time: '08:30', token: 'S-3' } });
  });

  it('the free-slot list shows each number once, and a booking gets the token its slot showed', async () => {
    await book('+919000000001', '09:00');
    await book('+919000000002', '09:15');
    moveMorningStart('08:00');
    const slots = freeSlots(t.ctx, 1, TUESDAY)!;
    expect(slots.slice(0, 4).map((s) => [s.time, s.token])).toEqual([
      ['08:00', 'S-21'],
      ['08:15', 'S-22'],
      ['08:30', 'S-3'],
      ['08:45', 'S-4'],
    ]);
    const shown = slots.map((s) => s.token);
    expect(new Set(shown).size).toBe(shown.length);
    expect(await book('+919000000003', '08:30')).toMatchObject({ ok: true, value: { token: 'S-3' } });
    expect(await book('+919000000004', '08:00')).toMatchObject({ ok: true, value: { token: 'S-21' } });
  });

  it('past bookings of the day (completed, no-show) keep their numbers too; cancelled ones free theirs', async () => {
    const a = await book('+919000000001', '09:00');
    const b = await book('+919000000002', '09:15');
    if (!a.ok || !b.ok) throw new Error('setup');
    t.db.update(appointments).set({ status: 'completed' }).where(eq(appointments.id, a.value.appointmentId)).run();
    t.db.update(appointments).set({ status: 'cancelled' }).where(eq(appointments.id, b.value.appointmentId)).run();
    moveMorningStart('08:45'); // 08:45–13:00: 17 slots
    // 08:45 is slot 1: S-1 is the completed 09:00 visit's (kept) → S-18.
    expect(await book('+919000000003', '08:45')).toMatchObject({ ok: true, value: { token: 'S-18' } });
    // 09:15 is slot 3: S-3 was never given (the cancelled 09:15 booking had S-2).
    expect(await book('+919000000004', '09:15')).toMatchObject({ ok: true, value: { token: 'S-3' } });
    // 09:00 is slot 2: S-2 belonged only to a cancelled booking, so it is free again.
    expect(await book('+919000000005', '09:30')).toMatchObject({ ok: true, value: { token: 'S-4' } });
    expect(await book('+919000000006', '09:00')).toMatchObject({ ok: false, code: 'slot_taken' }); // the completed visit holds its seat
  });

  it('callers are not offered the same slot again once it is booked, and each gets a distinct token', async () => {
    await book('+919000000001', '09:00');
    moveMorningStart('08:00');
    const first = offerNextSlot(t.ctx, 1, 'call-a');
    const second = offerNextSlot(t.ctx, 1, 'call-b');
    if (!first.ok || !second.ok) throw new Error('no offer');
    expect(second.value.time).not.toBe(first.value.time);
    const r1 = await book('+919000000002', first.value.time, 1, first.value.date, 'call-a');
    const r2 = await book('+919000000003', second.value.time, 1, second.value.date, 'call-b');
    if (!r1.ok || !r2.ok) throw new Error(`booking failed: ${JSON.stringify([r1, r2])}`);
    expect(r1.value.token).toBe(first.value.token);
    expect(r2.value.token).toBe(second.value.token);
    expect(r1.value.token).not.toBe(r2.value.token);
    // A third caller is offered neither booked slot.
    const third = offerNextSlot(t.ctx, 1, 'call-c');
    if (!third.ok) throw new Error('no offer');
    expect([first.value.time, second.value.time]).not.toContain(third.value.time);
  });
});

describe('a constraint violation in a booking is slot_taken, with nothing written', () => {
  // A unique index the booking code knows nothing about stands in for any constraint it did not
  // foresee: at most one live booking per doctor and day.
  beforeEach(() => {
    t.db.$client.exec(
      "CREATE UNIQUE INDEX test_one_per_doctor_day ON appointments(doctor_id, date) WHERE status <> 'cancelled'",
    );
  });

  it('IVR booking: slot_taken, and the new caller’s account and SMS are rolled back', async () => {
    expect(await book('+919000000001', '09:00')).toMatchObject({ ok: true });
    const outboxBefore = t.db.select().from(smsOutbox).all().length;
    expect(await book('+919000000002', '10:00')).toEqual({ ok: false, code: 'slot_taken', message: expect.any(String) });
    expect(t.db.select().from(accounts).where(eq(accounts.phone, '+919000000002')).get()).toBeUndefined();
    expect(t.db.select().from(smsOutbox).all()).toHaveLength(outboxBefore);
    expect(tokensOfDay()).toHaveLength(1);
  });

  it('web booking: slot_taken', async () => {
    await book('+919000000001', '09:00');
    const reg = registerAccount(t.ctx, { phone: '+919000000002', name: 'Asha', age: 30, username: 'asha', passwordHash: 'x' });
    if (!reg.ok) throw new Error(reg.code);
    const r = await bookForAccount(t.ctx, { accountId: reg.value.id, doctorId: 1, date: TUESDAY, time: '10:00' });
    expect(r).toMatchObject({ ok: false, code: 'slot_taken' });
    expect(tokensOfDay()).toHaveLength(1);
  });
});

describe('a slot that cannot be booked is not offered to every next caller', () => {
  it('after a constraint violation the IVR offers the next slot, and other callers skip the dead one for a while', async () => {
    // A violation nobody foresaw, on Monday's 09:00 only (a trigger's RAISE is a constraint failure).
    t.db.$client.exec(
      "CREATE TRIGGER test_dead_slot BEFORE INSERT ON appointments WHEN NEW.date = '2026-11-30' AND NEW.slot_time = '09:00' " +
        "BEGIN SELECT RAISE(ABORT, 'constraint failed: test_dead_slot'); END",
    );
    const a = offerNextSlot(t.ctx, 1, 'call-a');
    expect(a).toMatchObject({ ok: true, value: { date: '2026-11-30', time: '09:00' } });
    expect(await book('+919000000001', '09:00', 1, '2026-11-30', 'call-a')).toMatchObject({ ok: false, code: 'slot_taken' });
    // The flow then asks for the slot after it (SPEC §6: "a slot taken meanwhile is said so, and the next one is offered").
    expect(offerNextSlot(t.ctx, 1, 'call-a', { date: '2026-11-30', time: '09:00' })).toMatchObject({ ok: true, value: { time: '09:15' } });
    // The next caller is not offered 09:00 again.
    const b = offerNextSlot(t.ctx, 1, 'call-b');
    expect(b.ok && b.value.time).toBe('09:30');
    // The quarantine is a hold: it ends by itself.
    t.clock.advance(61_000);
    expect(offerNextSlot(t.ctx, 1, 'call-c')).toMatchObject({ ok: true, value: { time: '09:00' } });
  });
});

describe('"Dr." without a space', () => {
  it('loses its title like "Dr. " and "Dr " do, and names beginning with Dr keep their letters', () => {
    expect(doctorBareName('Dr.Sharma')).toBe('Sharma');
    expect(doctorBareName('DR.SHARMA')).toBe('SHARMA');
    expect(doctorBareName('Dr. Sharma')).toBe('Sharma');
    expect(doctorBareName('Dr Sharma')).toBe('Sharma');
    expect(doctorBareName('Drew Barry')).toBe('Drew Barry');
    expect(doctorBareName('Dravid')).toBe('Dravid');
    expect(doctorInitial('Dr.Sharma')).toBe('S');
    expect(doctorInitial('Drew Barry')).toBe('D');
  });
});
