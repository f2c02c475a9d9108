// The seed's three scenarios over HTTP, with PHONE_VERIFICATION off (the seed's exact answers) and on
// (202 → code from the outbox → /verify).
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { patients } from '../../src/db/schema.js';
import { accountRow, ivrBook, person, startApi, tempPassword, type TestApi } from './helpers.js';

const PHONE = '+919876543210';
const IVR_MESSAGE =
  'We found that you have booked appointments via phone. Would you like to link your existing bookings to this web account?';
const LINKED_SMS = 'Great! Your web account has been linked to your existing appointments. You can now view all your bookings online.';

let api: TestApi;
afterEach(async () => api?.close());

describe('PHONE_VERIFICATION=off: the seed frontends see exactly the seed responses', () => {
  it('scenario 1: a new web user gets 201 {token, user}', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const r = await api.call('POST', '/api/auth/register', { body: person('98765 43210', 'Asha') });
    expect(r.status).toBe(201);
    expect(Object.keys(r.body).sort()).toEqual(['token', 'user']);
    expect(r.body.user).toEqual({
      id: expect.any(Number),
      username: 'asha',
      name: 'Asha Rao',
      phone_number: PHONE,
      status: 'active',
      role: 'patient',
    });
    const me = await api.call('GET', '/api/me', { token: r.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ user: { username: 'asha' }, must_change_password: false, patients: [{ name: 'Asha Rao', age: 34, phone_number: PHONE, source: 'web' }] });
    expect(api.sms(PHONE)).toEqual([]);
  });

  it('scenario 2: the phone is already registered (in any form), or the username is taken', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    expect((await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') })).status).toBe(201);
    for (const form of ['9876543210', '09876543210', '919876543210', '+91 98765 43210', ' 919876543210']) {
      const again = await api.call('POST', '/api/auth/register', { body: person(form, 'someone-else') });
      expect(again.status).toBe(409);
      expect(again.body).toEqual({ error: 'phone_already_registered', message: expect.any(String) });
    }
    const taken = await api.call('POST', '/api/auth/register', { body: person('+919876500000', 'asha') });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ error: 'username_taken', message: expect.any(String) });
  });

  it('scenario 3: IVR bookings, then web registration → ivr_account_exists → link → everything visible', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await ivrBook(api, '09876543210', '09:00', 1);
    await ivrBook(api, '+91 98765 43210', '10:00', 2);
    const temp = tempPassword(api, PHONE);

    // The temporary password works (for reading) before the link.
    const tempLogin = await api.call('POST', '/api/auth/login', { body: { username: PHONE, password: temp } });
    expect(tempLogin.status).toBe(200);
    expect(tempLogin.body).toMatchObject({ must_change_password: true, user: { status: 'provisional', name: 'IVR Patient 3210' } });

    const reg = await api.call('POST', '/api/auth/register', { body: person('9876543210', 'asha') });
    expect(reg.status).toBe(409);
    expect(reg.body).toEqual({ error: 'ivr_account_exists', message: IVR_MESSAGE, phone_number: PHONE });

    const link = await api.call('POST', '/api/auth/link-ivr', { body: person(reg.body.phone_number, 'asha', 'Asha Rao', 'web-pass-123') });
    expect(link.status).toBe(201);
    expect(link.body.user).toEqual({ id: tempLogin.body.user.id, username: 'asha', name: 'Asha Rao', phone_number: PHONE, status: 'active', role: 'patient' });

    const list = await api.call('GET', '/api/me/appointments', { token: link.body.token });
    expect(list.status).toBe(200);
    expect(list.body.appointments).toHaveLength(2);
    expect(list.body.appointments.map((a: any) => [a.channel, a.doctor, a.time, a.token, a.status, a.patient_name])).toEqual([
      ['ivr', 'Dr. Patel', '10:00', 'P-1', 'booked', 'Asha Rao'],
      ['ivr', 'Dr. Sharma', '09:00', 'S-1', 'booked', 'Asha Rao'],
    ]);
    // Web name wins over "IVR Patient 3210" on every patient with the phone.
    expect(api.t.db.select().from(patients).where(eq(patients.phone, PHONE)).all().map((p) => p.name)).toEqual(['Asha Rao']);
    // The temporary password stops working, and so does the token it gave.
    expect((await api.call('POST', '/api/auth/login', { body: { username: PHONE, password: temp } })).status).toBe(401);
    expect((await api.call('GET', '/api/me', { token: tempLogin.body.token })).status).toBe(401);
    expect((await api.call('POST', '/api/auth/login', { body: { phone_number: '9876543210', password: 'web-pass-123' } })).status).toBe(200);
    expect(api.sms(PHONE).map((s) => s.kind)).toEqual(['welcome', 'confirmation', 'confirmation', 'linked']);
    expect(api.sms(PHONE).at(-1)!.body).toBe(LINKED_SMS);

    // Linking again is the active-account answer; a phone with no bookings has nothing to link.
    const again = await api.call('POST', '/api/auth/link-ivr', { body: person(PHONE, 'asha2') });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('phone_already_registered');
    const none = await api.call('POST', '/api/auth/link-ivr', { body: person('+919811111111', 'nobody') });
    expect(none.status).toBe(404);
    expect(none.body.error).toBe('no_phone_bookings');
  });
});

describe('PHONE_VERIFICATION=on: register, link and reset are proven by a code sent by SMS', () => {
  it('scenario 1: 202 verification_required, the OTP SMS, then /verify → 201 {token, user}', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ status: 'verification_required', verification_id: expect.any(String), expires_in: 600 });
    expect(accountRow(api, PHONE)).toBeUndefined();
    const otp = api.sms(PHONE);
    expect(otp.map((s) => s.kind)).toEqual(['otp']);
    expect(otp[0]!.body).toMatch(/^MedQ verification code: \d{6}\. It expires in 10 minutes\. Do not share it\.$/);

    const v = await api.call('POST', '/api/auth/verify', { body: { verification_id: r.body.verification_id, code: api.otp(PHONE) } });
    expect(v.status).toBe(201);
    expect(v.body.user).toMatchObject({ username: 'asha', phone_number: PHONE, status: 'active' });
    expect((await api.call('GET', '/api/me', { token: v.body.token })).status).toBe(200);
    // A used verification is over.
    const reuse = await api.call('POST', '/api/auth/verify', { body: { verification_id: r.body.verification_id, code: api.otp(PHONE) } });
    expect(reuse.status).toBe(410);
    expect(reuse.body.error).toBe('verification_expired');
  });

  it('scenario 2: an already registered phone answers 409 at once, and sends no code', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    await api.call('POST', '/api/auth/verify', { body: { verification_id: r.body.verification_id, code: api.otp(PHONE) } });
    const again = await api.call('POST', '/api/auth/register', { body: person('09876543210', 'other') });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('phone_already_registered');
    expect(api.sms(PHONE).filter((s) => s.kind === 'otp')).toHaveLength(1);
  });

  it('scenario 3: IVR bookings → 409 ivr_account_exists → link (202, code) → 201 and all bookings', async () => {
    api = await startApi();
    await ivrBook(api, PHONE, '09:00', 1);
    await ivrBook(api, PHONE, '11:00', 3);
    const temp = tempPassword(api, PHONE);
    const reg = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    expect(reg.body).toEqual({ error: 'ivr_account_exists', message: IVR_MESSAGE, phone_number: PHONE });
    const link = await api.call('POST', '/api/auth/link-ivr', { body: person(PHONE, 'asha', 'Asha Rao', 'web-pass-123') });
    expect(link.status).toBe(202);
    // Nothing is linked before the code.
    expect(accountRow(api, PHONE)!.status).toBe('provisional');
    const v = await api.call('POST', '/api/auth/verify', { body: { verification_id: link.body.verification_id, code: api.otp(PHONE) } });
    expect(v.status).toBe(201);
    expect(v.body.user).toMatchObject({ username: 'asha', name: 'Asha Rao', status: 'active' });
    const list = await api.call('GET', '/api/me/appointments', { token: v.body.token });
    expect(list.body.appointments.map((a: any) => a.token)).toEqual(['I-1', 'S-1']);
    expect((await api.call('POST', '/api/auth/login', { body: { username: PHONE, password: temp } })).status).toBe(401);
    expect(api.sms(PHONE).map((s) => s.kind)).toEqual(['welcome', 'confirmation', 'confirmation', 'otp', 'linked']);
  });

  it('verify re-checks the state: a phone booking made meanwhile turns the registration into 409 ivr_account_exists', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    expect(r.status).toBe(202);
    await ivrBook(api, PHONE, '09:15');
    const v = await api.call('POST', '/api/auth/verify', { body: { verification_id: r.body.verification_id, code: api.otp(PHONE) } });
    expect(v.status).toBe(409);
    expect(v.body).toEqual({ error: 'ivr_account_exists', message: IVR_MESSAGE, phone_number: PHONE });
    expect(accountRow(api, PHONE)!.status).toBe('provisional');
  });
});
