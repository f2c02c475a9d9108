// SPEC §4 booking rules against a real SQLite file.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { appointments, closedDates, smsOutbox } from '../../src/db/schema.js';
import {
  bookByPhone,
  bookForAccount,
  cancelAppointment,
  freeSlots,
  offerNextSlot,
  registerAccount,
  releaseHolds,
  clinicForDialled,
  upcomingForPhone,
} from '../../src/sync/index.js';
import { daySlots, doctorInitial, tokenNumber } from '../../src/booking/slots.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

const book = (phone: string, doctorId: number, date: string, time: string, holder?: string) =>
  bookByPhone(t.ctx, { phone, doctorId, date, time, holder });

describe('tokens', () => {
  it('uses the doctor initial without Dr and the slot index, seat-numbered with capacity', () => {
    expect(doctorInitial('Dr. Sharma')).toBe('S');
    expect(doctorInitial('Dr Iyer')).toBe('I');
    expect(doctorInitial('dr. patel')).toBe('P');
    expect(doctorInitial('Meera Nair')).toBe('M');
    const slots = daySlots([{ weekday: 1, startTime: '11:00', endTime: '12:00', slotMinutes: 30, capacity: 2 }], 1);
    expect(slots.map((s) => s.time)).toEqual(['11:00', '11:30']);
    expect(tokenNumber('Dr. Iyer', slots[1]!, 2)).toBe('I-4'); // (2 − 1) × 2 + 2
  });

  it('numbers capacity-1 bookings by slot index and capacity-2 bookings by seat', async () => {
    expect(await book('+919000000001', 1, '2026-11-30', '09:30')).toMatchObject({ ok: true, value: { token: 'S-3' } });
    expect(await book('+919000000002', 3, '2026-11-30', '11:30')).toMatchObject({ ok: true, value: { token: 'I-3' } });
    expect(await book('+919000000003', 3, '2026-11-30', '11:30')).toMatchObject({ ok: true, value: { token: 'I-4' } });
    expect(await book('+919000000004', 3, '2026-11-30', '11:30')).toMatchObject({ ok: false, code: 'slot_taken' });
  });
});

describe('booking rules', () => {
  it('one booked appointment per person per doctor per day, freed by cancellation', async () => {
    const a = await book('+919000000001', 1, '2026-11-30', '09:00');
    expect(await book('9000000001', 1, '2026-11-30', '10:00')).toMatchObject({ ok: false, code: 'already_booked_with_doctor' });
    expect(await book('9000000001', 2, '2026-11-30', '10:00')).toMatchObject({ ok: true });
    if (!a.ok) throw new Error();
    expect(cancelAppointment(t.ctx, { appointmentId: a.value.appointmentId })).toMatchObject({ ok: true });
    expect(await book('9000000001', 1, '2026-11-30', '10:00')).toMatchObject({ ok: true });
    // The cancelled seat is free again.
    expect(await book('+919000000009', 1, '2026-11-30', '09:00')).toMatchObject({ ok: true, value: { token: 'S-1' } });
  });

  it('holds at most MAX_ACTIVE_APPOINTMENTS upcoming bookings', async () => {
    for (const d of ['2026-11-30', '2026-12-01', '2026-12-02']) expect(await book('+919000000001', 1, d, '09:00')).toMatchObject({ ok: true });
    expect(await book('+919000000001', 1, '2026-12-03', '09:00')).toMatchObject({ ok: false, code: 'appointment_limit' });
  });

  it('refuses past slots, closed days and slots that do not exist', async () => {
    t.clock.set('2026-11-30T10:05:00+05:30');
    expect(await book('+919000000001', 1, '2026-11-30', '10:00')).toMatchObject({ ok: false, code: 'slot_in_past' });
    expect(await book('+919000000001', 1, '2026-11-30', '10:07')).toMatchObject({ ok: false, code: 'not_found' });
    expect(await book('+919000000001', 1, '2026-11-29', '09:00')).toMatchObject({ ok: false, code: 'slot_in_past' });
    expect(await book('+919000000001', 99, '2026-12-01', '09:00')).toMatchObject({ ok: false, code: 'not_found' });
    t.db.insert(closedDates).values({ clinicId: 1, date: '2026-12-01', reason: 'holiday' }).run();
    expect(await book('+919000000001', 1, '2026-12-01', '09:00')).toMatchObject({ ok: false, code: 'clinic_closed' });
  });

  it('web booking goes to the account holder and queues the confirmation', async () => {
    const reg = registerAccount(t.ctx, { phone: '+919876543210', name: 'Asha', age: 30, username: 'asha', passwordHash: 'x' });
    if (!reg.ok) throw new Error();
    const r = await bookForAccount(t.ctx, { accountId: reg.value.id, doctorId: 2, date: '2026-12-01', time: '10:20' });
    expect(r).toMatchObject({ ok: true, value: { token: 'P-2' } });
    const row = t.db.select().from(appointments).get()!;
    expect(row).toMatchObject({ channel: 'web', personPhone: '+919876543210' });
    expect(t.db.select().from(smsOutbox).all().map((s) => s.body)).toEqual([
      'MedQ: appointment confirmed with Dr Patel on Tue 1 Dec at 10:20. Token P-2.',
    ]);
    expect(cancelAppointment(t.ctx, { appointmentId: row.id, accountId: reg.value.id + 1 })).toMatchObject({ ok: false, code: 'not_found' });
    expect(cancelAppointment(t.ctx, { appointmentId: row.id, accountId: reg.value.id })).toMatchObject({ ok: true });
    expect(t.db.select().from(smsOutbox).all().at(-1)!.body).toBe('MedQ: your appointment with Dr Patel on Tue 1 Dec at 10:20 is cancelled.');
    expect(cancelAppointment(t.ctx, { appointmentId: row.id })).toMatchObject({ ok: false, code: 'not_cancellable' });
  });
});

describe('next available and offer holds', () => {
  it('never offers a past slot and searches in the clinic timezone', () => {
    t.clock.set('2026-11-30T12:50:00+05:30'); // Sharma's last morning slot 12:45 has begun
    expect(offerNextSlot(t.ctx, 1, 'call-a')).toMatchObject({ ok: true, value: { date: '2026-11-30', time: '16:00', token: 'S-17' } });
    t.clock.set('2026-11-30T18:50:00+05:30'); // the day is over: tomorrow 09:00
    expect(offerNextSlot(t.ctx, 1, 'call-a')).toMatchObject({ ok: true, value: { date: '2026-12-01', time: '09:00' } });
  });

  it('offers callers at the same moment different slots, and a hold expires after 60 s', () => {
    const a = offerNextSlot(t.ctx, 1, 'call-a');
    const b = offerNextSlot(t.ctx, 1, 'call-b');
    expect(a).toMatchObject({ ok: true, value: { time: '09:00' } });
    expect(b).toMatchObject({ ok: true, value: { time: '09:15' } });
    expect(freeSlots(t.ctx, 1, '2026-11-30')!.slice(0, 1)).toMatchObject([{ time: '09:30' }]);
    t.clock.advance(61_000);
    expect(offerNextSlot(t.ctx, 1, 'call-c')).toMatchObject({ ok: true, value: { time: '09:00' } });
  });

  it('"next slot" moves the hold, and the holder can book its held slot while others cannot', async () => {
    offerNextSlot(t.ctx, 1, 'call-a');
    const next = offerNextSlot(t.ctx, 1, 'call-a', { date: '2026-11-30', time: '09:00' });
    expect(next).toMatchObject({ ok: true, value: { time: '09:15' } });
    expect(offerNextSlot(t.ctx, 1, 'call-b')).toMatchObject({ ok: true, value: { time: '09:00' } }); // released
    expect(await book('+919000000003', 1, '2026-11-30', '09:15')).toMatchObject({ ok: false, code: 'slot_taken' });
    expect(await book('+919000000001', 1, '2026-11-30', '09:15', 'call-a')).toMatchObject({ ok: true, value: { token: 'S-2' } });
    releaseHolds(t.ctx, 'call-b');
    expect(await book('+919000000003', 1, '2026-11-30', '09:00')).toMatchObject({ ok: true });
  });

  it('counts holds against capacity for capacity-2 slots', () => {
    t.clock.set('2026-11-30T10:00:00+05:30');
    expect(offerNextSlot(t.ctx, 3, 'x')).toMatchObject({ ok: true, value: { time: '11:00', token: 'I-1' } });
    expect(offerNextSlot(t.ctx, 3, 'y')).toMatchObject({ ok: true, value: { time: '11:00', token: 'I-2' } });
    expect(offerNextSlot(t.ctx, 3, 'z')).toMatchObject({ ok: true, value: { time: '11:30' } });
  });

  it('skips a day whose every seat is booked or held, and counts only that next day’s seats and numbers', async () => {
    t.clock.set('2026-11-30T18:50:00+05:30'); // today is over: the search starts tomorrow
    const tomorrow = [...freeSlots(t.ctx, 1, '2026-12-01')!];
    const last = tomorrow.pop()!;
    const booked = await Promise.all(tomorrow.map((s, i) => book(`+9190001${String(i).padStart(5, '0')}`, 1, '2026-12-01', s.time)));
    expect(booked.every((r) => r.ok)).toBe(true);
    // The last free seat of tomorrow is held by another caller, so tomorrow is full for this one.
    expect(offerNextSlot(t.ctx, 1, 'call-a')).toMatchObject({ ok: true, value: { date: '2026-12-01', time: last.time } });
    // Bookings further ahead (3 December) do not move the day after's first seat or its number.
    expect(await book('+919000200001', 1, '2026-12-03', '09:00')).toMatchObject({ ok: true });
    expect(offerNextSlot(t.ctx, 1, 'call-b')).toMatchObject({ ok: true, value: { date: '2026-12-02', time: '09:00', token: 'S-1' } });
    // The holder's own hold does not count against it: "next" after it goes on to the 2nd.
    expect(offerNextSlot(t.ctx, 1, 'call-a', { date: '2026-12-01', time: last.time })).toMatchObject({ ok: true, value: { date: '2026-12-02', time: '09:15' } });
  });

  it('answers no_slots when nothing is free within 30 days', () => {
    for (let i = 0; i < 31; i++) {
      const d = new Date(Date.UTC(2026, 10, 30 + i)).toISOString().slice(0, 10);
      t.db.insert(closedDates).values({ clinicId: 1, date: d }).run();
    }
    expect(offerNextSlot(t.ctx, 1, 'a')).toMatchObject({ ok: false, code: 'no_slots' });
  });
});

describe('lookups', () => {
  it('picks the clinic by DID suffix, else the first clinic', () => {
    expect(clinicForDialled(t.ctx, '+91 80 4000 7000')?.name).toBe('MedQ Demo Clinic');
    expect(clinicForDialled(t.ctx, '1234')?.name).toBe('MedQ Demo Clinic');
  });

  it('lists a caller’s upcoming bookings soonest first', async () => {
    await book('+919000000001', 2, '2026-12-01', '10:00');
    await book('+919000000001', 1, '2026-11-30', '09:00');
    const cancelled = await book('+919000000001', 3, '2026-11-30', '11:00');
    if (cancelled.ok) cancelAppointment(t.ctx, { appointmentId: cancelled.value.appointmentId });
    expect(upcomingForPhone(t.ctx, '+919000000001').map((a) => [a.date, a.time, a.token])).toEqual([
      ['2026-11-30', '09:00', 'S-1'],
      ['2026-12-01', '10:00', 'P-1'],
    ]);
    expect(t.db.select().from(appointments).where(eq(appointments.status, 'cancelled')).all()).toHaveLength(1);
  });
});
