// Booking from the web: clinics, slots, booking rules and their error codes, cancelling.
// The clock is Monday 30 Nov 2026, 08:00 in Kolkata (tests/support/db.ts), before any slot.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { appointments } from '../../src/db/schema.js';
import { ivrBook, registered, startApi, type TestApi } from './helpers.js';

let api: TestApi;
let asha: string; // token
let ravi: string;
beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off', MAX_ACTIVE_APPOINTMENTS: '3' } });
  asha = (await registered(api, '+919876543210', 'asha')).token;
  ravi = (await registered(api, '+919812345678', 'ravi')).token;
});
afterAll(async () => api?.close());

const book = (token: string, doctor_id: number, date: string, time: string) =>
  api.call('POST', '/api/me/appointments', { token, body: { doctor_id, date, time } });

describe('clinics and slots (anyone)', () => {
  it('lists the clinic with its active doctors in display order', async () => {
    const r = await api.call('GET', '/api/clinics');
    expect(r.status).toBe(200);
    expect(r.body.clinics).toEqual([
      {
        id: 1,
        name: 'MedQ Demo Clinic',
        did: '7000',
        timezone: 'Asia/Kolkata',
        doctors: [
          { id: 1, name: 'Dr. Sharma', specialty: 'General Physician', display_order: 1 },
          { id: 2, name: 'Dr. Patel', specialty: 'Paediatrics', display_order: 2 },
          { id: 3, name: 'Dr. Iyer', specialty: 'Dermatology', display_order: 3 },
        ],
      },
    ]);
  });

  it("gives a doctor's free slots for a day, with tokens; none in the past; 404 for an unknown doctor", async () => {
    const r = await api.call('GET', '/api/doctors/1/slots?date=2026-11-30');
    expect(r.status).toBe(200);
    expect(r.body.doctor_id).toBe(1);
    expect(r.body.slots[0]).toEqual({ time: '09:00', token: 'S-1', seats_left: 1 });
    expect(r.body.slots).toHaveLength(28);
    const iyer = await api.call('GET', '/api/doctors/3/slots?date=2026-11-30');
    expect(iyer.body.slots[1]).toEqual({ time: '11:30', token: 'I-3', seats_left: 2 });
    expect((await api.call('GET', '/api/doctors/1/slots?date=2026-11-27')).body.slots).toEqual([]);
    expect((await api.call('GET', '/api/doctors/1/slots?date=2026-12-06')).body.slots).toEqual([]); // Sunday
    const unknown = await api.call('GET', '/api/doctors/99/slots?date=2026-11-30');
    expect(unknown.status).toBe(404);
    expect(unknown.body.error).toBe('not_found');
    for (const q of ['', '?date=', '?date=30-11-2026', '?date=2026-02-30', '?date[]=2026-11-30&date[]=2026-12-01']) {
      const bad = await api.call('GET', `/api/doctors/1/slots${q}`);
      expect(bad.status, q).toBe(400);
      expect(bad.body.error).toBe('validation_error');
    }
    expect((await api.call('GET', '/api/doctors/abc/slots?date=2026-11-30')).status).toBe(400);
  });
});

describe('booking rules and their codes', () => {
  it('books (201, confirmation SMS) and lists newest first with channel, doctor, clinic, date, time, token, status', async () => {
    const r = await book(asha, 1, '2026-11-30', '09:15');
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({
      channel: 'web',
      doctor: 'Dr. Sharma',
      clinic: 'MedQ Demo Clinic',
      date: '2026-11-30',
      time: '09:15',
      token: 'S-2',
      status: 'booked',
      cancellable: true,
      phone_number: '+919876543210',
    });
    expect(api.sms('+919876543210').at(-1)!.body).toBe('MedQ: appointment confirmed with Dr Sharma on Mon 30 Nov at 09:15. Token S-2.');
    const slots = await api.call('GET', '/api/doctors/1/slots?date=2026-11-30');
    expect(slots.body.slots.map((s: any) => s.time)).not.toContain('09:15');
  });

  it('409 slot_taken: a capacity-1 slot someone else holds', async () => {
    await ivrBook(api, '+919800000001', '09:30');
    const r = await book(ravi, 1, '2026-11-30', '09:30');
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ error: 'slot_taken', message: expect.any(String) });
  });

  it('409 already_booked_with_doctor: a second booking with the same doctor that day', async () => {
    const r = await book(asha, 1, '2026-11-30', '10:00');
    expect(r.status).toBe(409);
    expect(r.body.error).toBe('already_booked_with_doctor');
  });

  it('400 slot_in_past, 404 not_found for no such doctor or slot, 409 appointment_limit after 3', async () => {
    const past = await book(asha, 2, '2026-11-27', '10:00');
    expect(past.status).toBe(400);
    expect(past.body.error).toBe('slot_in_past');
    for (const [doctor, date, time] of [
      [99, '2026-11-30', '10:00'],
      [2, '2026-11-30', '10:05'],
      [2, '2026-12-06', '10:00'],
    ] as const) {
      const r = await book(asha, doctor, date, time);
      expect(r.status).toBe(404);
      expect(r.body.error).toBe('not_found');
    }
    expect((await book(asha, 2, '2026-11-30', '10:00')).status).toBe(201);
    expect((await book(asha, 3, '2026-11-30', '11:00')).status).toBe(201);
    const fourth = await book(asha, 1, '2026-12-01', '09:00');
    expect(fourth.status).toBe(409);
    expect(fourth.body.error).toBe('appointment_limit');
  });

  it('400 validation_error for malformed booking input', async () => {
    for (const body of [{}, { doctor_id: 1, date: '2026-11-30' }, { doctor_id: 'x', date: '2026-11-30', time: '09:00' }, { doctor_id: 1, date: '2026-11-30', time: '9:00' }, { doctor_id: 1, date: 'tomorrow', time: '09:00' }]) {
      const r = await api.call('POST', '/api/me/appointments', { token: ravi, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error).toBe('validation_error');
    }
    expect((await api.call('POST', '/api/me/appointments', { body: { doctor_id: 1, date: '2026-11-30', time: '09:00' } })).status).toBe(401);
  });
});

describe('cancelling', () => {
  it("cancels one's own booking with the SMS; another account's id is 404; twice is 409 not_cancellable", async () => {
    const mine = await book(ravi, 2, '2026-12-01', '10:20');
    expect(mine.status).toBe(201);
    const id = mine.body.id;
    const other = await api.call('POST', `/api/me/appointments/${id}/cancel`, { token: asha });
    expect(other.status).toBe(404);
    expect(other.body.error).toBe('not_found');
    expect((await api.call('POST', '/api/me/appointments/999999/cancel', { token: asha })).status).toBe(404);

    const ok = await api.call('POST', `/api/me/appointments/${id}/cancel`, { token: ravi });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ id, status: 'cancelled', cancellable: false });
    expect(api.sms('+919812345678').at(-1)).toMatchObject({
      kind: 'cancellation',
      body: 'MedQ: your appointment with Dr Patel on Tue 1 Dec at 10:20 is cancelled.',
    });
    const twice = await api.call('POST', `/api/me/appointments/${id}/cancel`, { token: ravi });
    expect(twice.status).toBe(409);
    expect(twice.body.error).toBe('not_cancellable');
    // The slot is free again.
    const slots = await api.call('GET', '/api/doctors/2/slots?date=2026-12-01');
    expect(slots.body.slots.map((s: any) => s.time)).toContain('10:20');
  });

  it('a past appointment cannot be cancelled', async () => {
    const r = await book(ravi, 2, '2026-11-30', '10:40');
    expect(r.status).toBe(201);
    api.t.clock.set('2026-11-30T11:00:00+05:30');
    try {
      const late = await api.call('POST', `/api/me/appointments/${r.body.id}/cancel`, { token: ravi });
      expect(late.status).toBe(409);
      const list = await api.call('GET', '/api/me/appointments', { token: ravi });
      expect(list.body.appointments.find((a: any) => a.id === r.body.id).cancellable).toBe(false);
    } finally {
      api.t.clock.set('2026-11-30T08:00:00+05:30');
    }
    expect(api.t.db.select().from(appointments).where(eq(appointments.id, r.body.id)).get()!.status).toBe('booked');
  });
});
