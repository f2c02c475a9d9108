// /api/admin for staff: patients get 403, anonymous callers 401; the staff use cases end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ivrBook, registered, staffToken, startApi, type TestApi } from './helpers.js';

let api: TestApi;
let staff: string;
let patient: string;
beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  staff = await staffToken(api);
  patient = (await registered(api, '+919876543210', 'asha')).token;
});
afterAll(async () => api?.close());

describe('who may use /api/admin', () => {
  it('staff yes, patients 403 forbidden, no token 401, on every admin route', async () => {
    const routes: Array<[string, string, unknown?]> = [
      ['GET', '/api/admin/clinics'],
      ['POST', '/api/admin/clinics', { name: 'X' }],
      ['PATCH', '/api/admin/clinics/1', { name: 'X' }],
      ['GET', '/api/admin/doctors'],
      ['POST', '/api/admin/doctors', { clinic_id: 1, name: 'Dr. X' }],
      ['PATCH', '/api/admin/doctors/1', { active: false }],
      ['GET', '/api/admin/doctors/1/schedules'],
      ['PUT', '/api/admin/doctors/1/schedules', { schedules: [] }],
      ['GET', '/api/admin/closed-dates'],
      ['POST', '/api/admin/closed-dates', { clinic_id: 1, date: '2026-12-25' }],
      ['DELETE', '/api/admin/closed-dates/1'],
      ['GET', '/api/admin/appointments?date=2026-11-30'],
      ['POST', '/api/admin/appointments', { phone_number: '9811111111', doctor_id: 1, date: '2026-11-30', time: '09:00' }],
      ['POST', '/api/admin/appointments/1/cancel'],
      ['POST', '/api/admin/appointments/1/outcome', { outcome: 'completed' }],
    ];
    for (const [method, path, body] of routes) {
      const asPatient = await api.call(method, path, { token: patient, ...(body ? { body } : {}) });
      expect(asPatient.status, `${method} ${path}`).toBe(403);
      expect(asPatient.body.error).toBe('forbidden');
      const anonymous = await api.call(method, path, body ? { body } : {});
      expect(anonymous.status, `${method} ${path}`).toBe(401);
    }
    expect((await api.call('GET', '/api/admin/clinics', { token: staff })).status).toBe(200);
  });
});

describe('staff use cases', () => {
  it('books on a caller’s behalf like the IVR (provisional account, welcome + confirmation), lists the day, marks outcomes', async () => {
    const r = await api.call('POST', '/api/admin/appointments', {
      token: staff,
      body: { phone_number: '98111 11111', doctor_id: 1, date: '2026-11-30', time: '09:00', name: 'Meena K' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ channel: 'desk', token: 'S-1', patient_name: 'Meena K', phone_number: '+919811111111' });
    expect(api.sms('+919811111111').map((s) => s.kind)).toEqual(['welcome', 'confirmation']);
    const dup = await api.call('POST', '/api/admin/appointments', {
      token: staff,
      body: { phone_number: '9811111111', doctor_id: 1, date: '2026-11-30', time: '09:15' },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.error).toBe('already_booked_with_doctor');
    const bad = await api.call('POST', '/api/admin/appointments', { token: staff, body: { phone_number: '12', doctor_id: 1, date: '2026-11-30', time: '09:15' } });
    expect(bad.body.error).toBe('invalid_phone');

    const day = await api.call('GET', '/api/admin/appointments?date=2026-11-30&doctor_id=1', { token: staff });
    expect(day.body.appointments.map((a: any) => [a.time, a.patient_name])).toEqual([['09:00', 'Meena K']]);
    const early = await api.call('POST', `/api/admin/appointments/${r.body.id}/outcome`, { token: staff, body: { outcome: 'no_show' } });
    expect(early.status).toBe(400); // 08:00: the 09:00 patient cannot have failed to come yet
    api.t.clock.set('2026-11-30T09:20:00+05:30');
    const done = await api.call('POST', `/api/admin/appointments/${r.body.id}/outcome`, { token: staff, body: { outcome: 'no_show' } });
    expect(done.body.status).toBe('no_show');
    api.t.clock.set('2026-11-30T08:00:00+05:30');
    expect((await api.call('POST', `/api/admin/appointments/${r.body.id}/outcome`, { token: staff, body: { outcome: 'lost' } })).status).toBe(400);
    expect((await api.call('POST', '/api/admin/appointments/99999/outcome', { token: staff, body: { outcome: 'completed' } })).status).toBe(404);
  });

  it('cancels on a caller’s behalf with the cancellation SMS', async () => {
    const b = await ivrBook(api, '+919822222222', '10:00', 2);
    const r = await api.call('POST', `/api/admin/appointments/${b.appointmentId}/cancel`, { token: staff });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('cancelled');
    expect(api.sms('+919822222222').at(-1)!.kind).toBe('cancellation');
  });

  it('clinics, doctors and schedules', async () => {
    const c = await api.call('POST', '/api/admin/clinics', { token: staff, body: { name: 'Second Clinic', did: '7001', timezone: 'Asia/Kolkata' } });
    expect(c.status).toBe(201);
    expect((await api.call('POST', '/api/admin/clinics', { token: staff, body: { name: 'Bad', timezone: 'Mars/Base' } })).body.error).toBe('validation_error');
    expect((await api.call('PATCH', `/api/admin/clinics/${c.body.id}`, { token: staff, body: { did: '7002' } })).body.did).toBe('7002');
    expect((await api.call('PATCH', '/api/admin/clinics/999', { token: staff, body: { did: '1' } })).status).toBe(404);

    const d = await api.call('POST', '/api/admin/doctors', { token: staff, body: { clinic_id: c.body.id, name: 'Dr. Rao', specialty: 'ENT', display_order: 1 } });
    expect(d.status).toBe(201);
    expect(d.body).toMatchObject({ name: 'Dr. Rao', active: true, clinic_id: c.body.id });
    expect((await api.call('POST', '/api/admin/doctors', { token: staff, body: { clinic_id: 999, name: 'Dr. Who' } })).status).toBe(404);

    const s = await api.call('PUT', `/api/admin/doctors/${d.body.id}/schedules`, {
      token: staff,
      body: { schedules: [{ weekday: 1, start: '09:00', end: '10:00', slot_minutes: 30 }] },
    });
    expect(s.status).toBe(200);
    expect(s.body.schedules).toEqual([{ id: expect.any(Number), weekday: 1, start: '09:00', end: '10:00', slot_minutes: 30, capacity: 1 }]);
    const backwards = await api.call('PUT', `/api/admin/doctors/${d.body.id}/schedules`, {
      token: staff,
      body: { schedules: [{ weekday: 1, start: '10:00', end: '09:00', slot_minutes: 30 }] },
    });
    expect(backwards.body.error).toBe('validation_error');
    const slots = await api.call('GET', `/api/doctors/${d.body.id}/slots?date=2026-11-30`);
    expect(slots.body.slots).toEqual([
      { time: '09:00', token: 'R-1', seats_left: 1 },
      { time: '09:30', token: 'R-2', seats_left: 1 },
    ]);
    expect((await api.call('GET', `/api/admin/doctors/${d.body.id}/schedules`, { token: staff })).body.schedules).toHaveLength(1);
    expect((await api.call('GET', '/api/admin/doctors/999/schedules', { token: staff })).status).toBe(404);
    const list = await api.call('GET', `/api/admin/doctors?clinic_id=${c.body.id}`, { token: staff });
    expect(list.body.doctors.map((x: any) => x.name)).toEqual(['Dr. Rao']);
  });

  it('deactivating a doctor with bookings is 409 has_bookings unless cancel_bookings (each gets the SMS)', async () => {
    await ivrBook(api, '+919833333333', '11:00', 3);
    await ivrBook(api, '+919844444444', '11:00', 3, '2026-12-02');
    const refused = await api.call('PATCH', '/api/admin/doctors/3', { token: staff, body: { active: false } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: 'has_bookings', bookings: 2 });
    expect((await api.call('GET', '/api/clinics')).body.clinics[0].doctors).toHaveLength(3);

    const done = await api.call('PATCH', '/api/admin/doctors/3', { token: staff, body: { active: false, cancel_bookings: true } });
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ doctor: { id: 3, active: false }, cancelled: 2 });
    for (const p of ['+919833333333', '+919844444444']) expect(api.sms(p).at(-1)!.kind).toBe('cancellation');
    expect((await api.call('GET', '/api/clinics')).body.clinics[0].doctors.map((x: any) => x.id)).toEqual([1, 2]);
    expect((await api.call('GET', '/api/doctors/3/slots?date=2026-12-02')).status).toBe(404);
    expect((await api.call('PATCH', '/api/admin/doctors/3', { token: staff, body: { active: true } })).body.doctor.active).toBe(true);
  });

  it('closing a date with bookings is 409 has_bookings unless cancel_bookings; booking a closed day is 409 clinic_closed', async () => {
    await ivrBook(api, '+919855555555', '09:00', 1, '2026-12-03');
    const refused = await api.call('POST', '/api/admin/closed-dates', { token: staff, body: { clinic_id: 1, date: '2026-12-03', reason: 'Holiday' } });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toBe('has_bookings');
    const closed = await api.call('POST', '/api/admin/closed-dates', {
      token: staff,
      body: { clinic_id: 1, date: '2026-12-03', reason: 'Holiday', cancel_bookings: true },
    });
    expect(closed.status).toBe(201);
    expect(closed.body).toMatchObject({ closed_date: { clinic_id: 1, doctor_id: null, date: '2026-12-03', reason: 'Holiday' }, cancelled: 1 });
    expect(api.sms('+919855555555').at(-1)).toMatchObject({ kind: 'cancellation', body: 'MedQ: your appointment with Dr Sharma on Thu 3 Dec at 09:00 is cancelled.' });

    const b = await api.call('POST', '/api/me/appointments', { token: patient, body: { doctor_id: 2, date: '2026-12-03', time: '10:00' } });
    expect(b.status).toBe(409);
    expect(b.body.error).toBe('clinic_closed');
    expect((await api.call('GET', '/api/doctors/2/slots?date=2026-12-03')).body.slots).toEqual([]);

    const list = await api.call('GET', '/api/admin/closed-dates?clinic_id=1', { token: staff });
    expect(list.body.closed_dates).toHaveLength(1);
    expect((await api.call('DELETE', `/api/admin/closed-dates/${closed.body.closed_date.id}`, { token: staff })).status).toBe(204);
    expect((await api.call('DELETE', `/api/admin/closed-dates/${closed.body.closed_date.id}`, { token: staff })).status).toBe(404);
    expect((await api.call('POST', '/api/admin/closed-dates', { token: staff, body: { clinic_id: 1, date: '2026-02-30' } })).status).toBe(400);
    expect((await api.call('POST', '/api/admin/closed-dates', { token: staff, body: { clinic_id: 1, doctor_id: 99, date: '2026-12-10' } })).status).toBe(404);
    // A single doctor's day off.
    const off = await api.call('POST', '/api/admin/closed-dates', { token: staff, body: { clinic_id: 1, doctor_id: 2, date: '2026-12-10' } });
    expect(off.body.closed_date.doctor_id).toBe(2);
    expect((await api.call('GET', '/api/doctors/2/slots?date=2026-12-10')).body.slots).toEqual([]);
    expect((await api.call('GET', '/api/doctors/1/slots?date=2026-12-10')).body.slots.length).toBeGreaterThan(0);
  });
});
