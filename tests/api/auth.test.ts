// Tokens, log-in, password change and reset, and the one-time codes.
import { afterEach, describe, expect, it } from 'vitest';
import jwt from 'jsonwebtoken';
import { ivrBook, person, registered, startApi, tempPassword, type TestApi } from './helpers.js';

const PHONE = '+919876543210';
let api: TestApi;
afterEach(async () => api?.close());

function b64url(o: object) {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}

describe('tokens', () => {
  it('refuses alg:none, a wrong key, another algorithm, an expired token and garbage', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const { token, user } = await registered(api, PHONE, 'asha');
    const good = jwt.decode(token) as Record<string, unknown>;
    expect(good).toMatchObject({ sub: String(user.id), ver: 0, iss: 'medq', aud: 'medq-api' });
    expect((good['exp'] as number) - (good['iat'] as number)).toBe(12 * 3600);
    expect(jwt.decode(token, { complete: true })!.header.alg).toBe('HS256');

    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url(good)}.`;
    const wrongKey = jwt.sign({ ver: 0 }, 'x'.repeat(40), { algorithm: 'HS256', subject: String(user.id), issuer: 'medq', audience: 'medq-api' });
    const hs512 = jwt.sign({ ver: 0 }, api.t.config.jwtSecret, { algorithm: 'HS512', subject: String(user.id), issuer: 'medq', audience: 'medq-api' });
    for (const bad of [none, `${b64url({ alg: 'none' })}.${b64url(good)}`, wrongKey, hs512, 'abc', 'a.b.c', '']) {
      const r = await api.call('GET', '/api/me', { headers: { authorization: `Bearer ${bad}` } });
      expect(r.status).toBe(401);
      expect(r.body.error).toBe('unauthorized');
    }
    expect((await api.call('GET', '/api/me')).status).toBe(401);
    expect((await api.call('GET', '/api/me', { headers: { authorization: `Basic ${token}` } })).status).toBe(401);
    expect((await api.call('GET', '/api/me', { token })).status).toBe(200);

    // Expiry follows the (controllable) clock: 12 hours later the token is over.
    api.t.clock.advance(12 * 3600 * 1000 + 1000);
    const expired = await api.call('GET', '/api/me', { token });
    expect(expired.status).toBe(401);
    expect(expired.body.message).toMatch(/expired/);
  });

  it('a password change ends every token issued before it', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const { token } = await registered(api, PHONE, 'asha');
    const second = (await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } })).body.token;
    const wrong = await api.call('POST', '/api/me/password', { token, body: { current_password: 'nope-nope', new_password: 'brand-new-pass' } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_credentials');
    const weak = await api.call('POST', '/api/me/password', { token, body: { current_password: 'correct-horse-1', new_password: 'short' } });
    expect(weak.status).toBe(400);
    expect(weak.body).toMatchObject({ error: 'validation_error', details: [{ field: 'body.new_password', reason: 'weak_password' }] });
    const changed = await api.call('POST', '/api/me/password', { token, body: { current_password: 'correct-horse-1', new_password: 'brand-new-pass' } });
    expect(changed.status).toBe(204);
    expect(changed.text).toBe('');
    for (const old of [token, second]) expect((await api.call('GET', '/api/me', { token: old })).status).toBe(401);
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' } })).status).toBe(401);
    const fresh = await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'brand-new-pass' } });
    expect(fresh.status).toBe(200);
    expect((await api.call('GET', '/api/me', { token: fresh.body.token })).status).toBe(200);
  });
});

describe('log-in and the provisional account', () => {
  it('logs in by username or any form of the phone; must_change_password only for IVR-made accounts', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, PHONE, 'asha');
    for (const body of [{ username: 'asha' }, { username: 'ASHA ' }, { phone_number: '09876543210' }, { phone_number: ' 919876543210' }, { username: '9876543210' }]) {
      const r = await api.call('POST', '/api/auth/login', { body: { ...body, password: 'correct-horse-1' } });
      expect(r.status, JSON.stringify(body)).toBe(200);
      expect(r.body).toMatchObject({ token: expect.any(String), user: { username: 'asha' }, must_change_password: false });
    }
    const bad = await api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'wrong-password' } });
    expect(bad.status).toBe(401);
    expect(bad.body.error).toBe('invalid_credentials');
    const unknown = await api.call('POST', '/api/auth/login', { body: { username: 'nobody', password: 'wrong-password' } });
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(bad.body);
    expect((await api.call('POST', '/api/auth/login', { body: { password: 'x' } })).body.error).toBe('validation_error');
    expect((await api.call('POST', '/api/auth/login', { body: { username: 'a', phone_number: PHONE, password: 'x' } })).body.error).toBe('validation_error');
    expect((await api.call('POST', '/api/auth/login', { body: { phone_number: '12', password: 'x' } })).body.error).toBe('invalid_phone');
  });

  it('a provisional account reads, must change its password before booking, and the change claims it', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const first = await ivrBook(api, PHONE, '09:00');
    const temp = tempPassword(api, PHONE);
    const login = await api.call('POST', '/api/auth/login', { body: { phone_number: PHONE, password: temp } });
    expect(login.body).toMatchObject({ must_change_password: true, user: { status: 'provisional', username: PHONE } });
    const token = login.body.token;
    expect((await api.call('GET', '/api/me', { token })).body).toMatchObject({ must_change_password: true });
    expect((await api.call('GET', '/api/me/appointments', { token })).body.appointments).toHaveLength(1);
    const book = await api.call('POST', '/api/me/appointments', { token, body: { doctor_id: 2, date: '2026-11-30', time: '10:00' } });
    expect(book.status).toBe(403);
    expect(book.body.error).toBe('password_change_required');
    const cancel = await api.call('POST', `/api/me/appointments/${first.appointmentId}/cancel`, { token });
    expect(cancel.status).toBe(403);

    // The forced change also asks for name and age (issue 9 item 4).
    const change = { current_password: temp, new_password: 'my-own-pass-1', name: 'Asha Rao', age: 34 };
    expect((await api.call('POST', '/api/me/password', { token, body: change })).status).toBe(204);
    const again = await api.call('POST', '/api/auth/login', { body: { username: PHONE, password: 'my-own-pass-1' } });
    expect(again.body).toMatchObject({ must_change_password: false, user: { status: 'active' } });
    expect((await api.call('POST', '/api/auth/login', { body: { username: PHONE, password: temp } })).status).toBe(401);
    const booked = await api.call('POST', '/api/me/appointments', { token: again.body.token, body: { doctor_id: 2, date: '2026-11-30', time: '10:00' } });
    expect(booked.status).toBe(201);
  });
});

describe('password reset', () => {
  it('known phone: 202 + OTP, verify → 200 {token, user}; unknown phone: the same 202 and no SMS', async () => {
    api = await startApi();
    await ivrBook(api, PHONE, '09:00');
    const temp = tempPassword(api, PHONE);
    const known = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '9876543210', new_password: 'after-reset-1' } });
    const unknown = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '9811111111', new_password: 'after-reset-1' } });
    expect(known.status).toBe(202);
    expect(unknown.status).toBe(202);
    expect(Object.keys(unknown.body).sort()).toEqual(Object.keys(known.body).sort());
    expect(unknown.body.expires_in).toBe(known.body.expires_in);
    expect(api.sms('+919811111111')).toEqual([]);
    // The unknown one can never be completed; resend says nothing either.
    expect((await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: unknown.body.verification_id } })).status).toBe(202);
    expect(api.sms('+919811111111')).toEqual([]);
    expect((await api.call('POST', '/api/auth/verify', { body: { verification_id: unknown.body.verification_id, code: '000000' } })).body.error).toBe('invalid_code');

    const done = await api.call('POST', '/api/auth/verify', { body: { verification_id: known.body.verification_id, code: api.otp(PHONE) } });
    expect(done.status).toBe(200);
    expect(done.body.user).toMatchObject({ phone_number: PHONE, status: 'active' });
    expect((await api.call('POST', '/api/auth/login', { body: { phone_number: PHONE, password: temp } })).status).toBe(401);
    const login = await api.call('POST', '/api/auth/login', { body: { phone_number: PHONE, password: 'after-reset-1' } });
    expect(login.body.must_change_password).toBe(false);
  });

  it('with verification off the reset of a phone-made account is immediate (200), and an unknown phone is 404', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await ivrBook(api, PHONE, '09:00');
    const r = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: PHONE, new_password: 'after-reset-1' } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ token: expect.any(String), user: { username: PHONE, status: 'active' } });
    // An active or staff account is out of reach by phone alone: tests/api/day-one-accounts.test.ts.
    expect((await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '9811111111', new_password: 'after-reset-1' } })).status).toBe(404);
  });
});

describe('one-time codes', () => {
  it('a wrong code says attempts_left; the fifth wrong code ends the verification (410)', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    const id = r.body.verification_id;
    const right = api.otp(PHONE);
    const wrong = right === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      const v = await api.call('POST', '/api/auth/verify', { body: { verification_id: id, code: wrong } });
      expect(v.status).toBe(400);
      expect(v.body).toEqual({ error: 'invalid_code', message: expect.any(String), attempts_left: left });
    }
    const fifth = await api.call('POST', '/api/auth/verify', { body: { verification_id: id, code: wrong } });
    expect(fifth.status).toBe(410);
    expect(fifth.body.error).toBe('verification_expired');
    // Even the right code is too late now.
    expect((await api.call('POST', '/api/auth/verify', { body: { verification_id: id, code: right } })).status).toBe(410);
    expect((await api.call('POST', '/api/auth/verify', { body: { verification_id: 'no-such-id', code: right } })).status).toBe(410);
    expect((await api.call('POST', '/api/auth/verify', { body: { verification_id: id, code: '12345' } })).body.error).toBe('validation_error');
  });

  it('a code expires after 10 minutes; resend gives a new one for the same verification', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    const id = r.body.verification_id;
    const first = api.otp(PHONE);
    api.t.clock.advance(601_000);
    expect((await api.call('POST', '/api/auth/verify', { body: { verification_id: id, code: first } })).status).toBe(410);

    const r2 = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    const resent = await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: r2.body.verification_id } });
    expect(resent.status).toBe(202);
    expect(resent.body).toEqual({ status: 'verification_required', verification_id: r2.body.verification_id, expires_in: 600 });
    const v = await api.call('POST', '/api/auth/verify', { body: { verification_id: r2.body.verification_id, code: api.otp(PHONE) } });
    expect(v.status).toBe(201);
    const gone = await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: r2.body.verification_id } });
    expect(gone.status).toBe(410);
  });

  it('at most 5 codes per phone per 15 minutes: the sixth is 429 too_many_codes', async () => {
    api = await startApi();
    const r = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    for (let i = 0; i < 4; i++) {
      expect((await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: r.body.verification_id } })).status).toBe(202);
    }
    const sixth = await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: r.body.verification_id } });
    expect(sixth.status).toBe(429);
    expect(sixth.body.error).toBe('too_many_codes');
    const viaRegister = await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') });
    expect(viaRegister.status).toBe(429);
    expect(viaRegister.body.error).toBe('too_many_codes');
    expect(api.sms(PHONE).filter((s) => s.kind === 'otp')).toHaveLength(5);
    // A reset for this (unregistered) phone still looks like any other.
    expect((await api.call('POST', '/api/auth/password-reset', { body: { phone_number: PHONE, new_password: 'after-reset-1' } })).status).toBe(202);
    api.t.clock.advance(15 * 60_000 + 1000);
    expect((await api.call('POST', '/api/auth/register', { body: person(PHONE, 'asha') })).status).toBe(202);
  });
});

describe('registration input', () => {
  it('normalises phones (a "+" turned into a space included) and refuses invalid ones with invalid_phone', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const r = await api.call('POST', '/api/auth/register', { body: person(' 919876543210', 'asha') });
    expect(r.body.user.phone_number).toBe(PHONE);
    for (const bad of ['12345', 'abcdefghij', '+1 555', '99999', '+91 12345 67890 12345', '0000000000']) {
      const b = await api.call('POST', '/api/auth/register', { body: person(bad, 'other') });
      expect(b.status, bad).toBe(400);
      expect(b.body).toEqual({ error: 'invalid_phone', message: expect.any(String) });
    }
  });

  it('usernames and passwords follow SPEC §3, as validation_error with a reason', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ username: 'ab' }, 'invalid_username'],
      [{ username: '1234567' }, 'invalid_username'],
      [{ username: 'has space' }, 'invalid_username'],
      [{ username: 'a'.repeat(33) }, 'invalid_username'],
      [{ password: 'short' }, 'weak_password'],
      [{ username: 'asha.rao', password: 'asha.rao' }, 'weak_password'],
      [{ password: '9876543210' }, 'weak_password'],
      [{ password: '+919876543210' }, 'weak_password'],
    ];
    for (const [override, reason] of cases) {
      const r = await api.call('POST', '/api/auth/register', { body: { ...person(PHONE, 'asha'), ...override } });
      expect(r.status, JSON.stringify(override)).toBe(400);
      expect(r.body.error).toBe('validation_error');
      expect(r.body.details[0].reason).toBe(reason);
    }
    const missing = await api.call('POST', '/api/auth/register', { body: { name: 'x', phone_number: PHONE } });
    expect(missing.status).toBe(400);
    expect(missing.body).toMatchObject({ error: 'validation_error', message: expect.any(String), details: [{ field: expect.stringMatching(/^body/) }] });
    const blankName = await api.call('POST', '/api/auth/register', { body: { ...person(PHONE, 'asha'), name: '   ' } });
    expect(blankName.body.error).toBe('validation_error');
  });
});
