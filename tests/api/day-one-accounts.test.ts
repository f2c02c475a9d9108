// Issue 9 over real HTTP: PHONE_VERIFICATION=off is no account takeover; the caller who follows
// the welcome SMS names themselves at the forced password change; PATCH /api/me; tokens after a
// schedule edit and constraint violations (409 slot_taken, never 500); "upcoming" = later than now;
// the Content-Security-Policy header. The clock starts Monday 30 Nov 2026, 08:00 in Kolkata.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { fileURLToPath } from 'node:url';
import { appointments, patients } from '../../src/db/schema.js';
import { accountRow, ivrBook, person, registered, staffToken, startApi, tempPassword, type TestApi } from './helpers.js';

const PHONE = '+919876543210';
let api: TestApi;
afterEach(async () => api?.close());

const login = (body: Record<string, string>) => api.call('POST', '/api/auth/login', { body });

describe('PHONE_VERIFICATION=off: a reset by phone number alone never reaches a staff or claimed account', () => {
  it('an active (web) account: 403 verification_required, and its password still works', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, PHONE, 'asha', 'asha-own-pass-1');
    const r = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '9876543210', new_password: 'attacker-pass-1' } });
    expect(r.status).toBe(403);
    expect(r.body).toEqual({ error: 'verification_required', message: expect.stringMatching(/\w+ .*\./) });
    expect((await login({ username: 'asha', password: 'attacker-pass-1' })).status).toBe(401);
    expect((await login({ username: 'asha', password: 'asha-own-pass-1' })).status).toBe(200);
  });

  it('a staff account: 403 verification_required', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await staffToken(api, 'reception', '+919000000900');
    const r = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '+919000000900', new_password: 'attacker-pass-1' } });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('verification_required');
    expect((await login({ username: 'reception', password: 'staff-pass-123' })).status).toBe(200);
    expect((await login({ username: 'reception', password: 'attacker-pass-1' })).status).toBe(401);
  });

  it('an IVR account once claimed is out of reach too; before the claim the seed’s reset still works', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await ivrBook(api, PHONE, '09:00');
    // Provisional (phone-made): reset by phone alone claims it, as the seed intends.
    const first = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: PHONE, new_password: 'first-pass-123' } });
    expect(first.status).toBe(200);
    expect(first.body.user).toMatchObject({ phone_number: PHONE, status: 'active' });
    // Now it is claimed: a second reset by phone alone is refused.
    const second = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: PHONE, new_password: 'second-pass-123' } });
    expect(second.status).toBe(403);
    expect(second.body.error).toBe('verification_required');
    expect((await login({ phone_number: PHONE, password: 'first-pass-123' })).status).toBe(200);
  });

  it('linking never reaches an active account (409 phone_already_registered); a provisional one links at once', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, PHONE, 'asha', 'asha-own-pass-1');
    const taken = await api.call('POST', '/api/auth/link-ivr', { body: person(PHONE, 'mallory', 'Mallory', 'attacker-pass-1') });
    expect(taken.status).toBe(409);
    expect(taken.body.error).toBe('phone_already_registered');
    expect(accountRow(api, PHONE)).toMatchObject({ username: 'asha', displayName: 'Asha Rao' });

    await ivrBook(api, '+919812345678', '09:00');
    const linked = await api.call('POST', '/api/auth/link-ivr', { body: person('+919812345678', 'ravi', 'Ravi K', 'ravi-pass-123') });
    expect(linked.status).toBe(201);
    expect(linked.body.user).toMatchObject({ username: 'ravi', status: 'active' });
  });
});

describe('the caller who follows the welcome SMS', () => {
  it('IVR booking → temp password from the SMS → change it as John Doe, 40 → every booking shows John Doe → the phone is registered', async () => {
    api = await startApi(); // PHONE_VERIFICATION on (the default)
    await ivrBook(api, '09876543210', '09:00', 1);
    await ivrBook(api, '+91 98765 43210', '10:00', 2);
    // A second patient row with the same phone and no account (an import): the name must reach it too.
    api.t.db.insert(patients).values({ name: 'J. D. (import)', age: 39, phone: PHONE, source: 'desk' }).run();

    const welcome = api.sms(PHONE).find((s) => s.kind === 'welcome')!;
    const temp = tempPassword(api, PHONE);
    expect(welcome.body).toContain(temp);

    const first = await login({ phone_number: '9876543210', password: temp });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ must_change_password: true, user: { status: 'provisional', name: 'IVR Patient 3210' } });
    const before = await api.call('GET', '/api/me', { token: first.body.token });
    expect(before.body).toMatchObject({ name: 'IVR Patient 3210', must_change_password: true });

    // The forced change asks who they are: without name and age it is a 400 with a sentence.
    const bare = await api.call('POST', '/api/me/password', { token: first.body.token, body: { current_password: temp, new_password: 'john-doe-pass-1' } });
    expect(bare.status).toBe(400);
    expect(bare.body).toMatchObject({ error: 'validation_error', message: expect.stringMatching(/name and age/) });
    expect(bare.body.details.map((d: any) => d.field)).toEqual(['body.name', 'body.age']);
    // Booking still waits for the change.
    expect((await api.call('POST', '/api/me/appointments', { token: first.body.token, body: { doctor_id: 3, date: '2026-11-30', time: '11:00' } })).status).toBe(403);

    const changed = await api.call('POST', '/api/me/password', {
      token: first.body.token,
      body: { current_password: temp, new_password: 'john-doe-pass-1', name: '  John   Doe ', age: 40, username: 'JohnDoe' },
    });
    expect(changed.status).toBe(204);
    // The temporary password and the token it gave are over.
    expect((await api.call('GET', '/api/me', { token: first.body.token })).status).toBe(401);
    expect((await login({ phone_number: PHONE, password: temp })).status).toBe(401);

    const again = await login({ username: 'johndoe', password: 'john-doe-pass-1' });
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      must_change_password: false,
      user: { username: 'johndoe', name: 'John Doe', phone_number: PHONE, status: 'active', role: 'patient' },
    });
    const me = await api.call('GET', '/api/me', { token: again.body.token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ name: 'John Doe', age: 40, language: 'en', must_change_password: false });
    expect(me.body.patients.map((p: any) => [p.name, p.age])).toEqual([
      ['John Doe', 40],
      ['John Doe', 40],
    ]);
    const list = await api.call('GET', '/api/me/appointments', { token: again.body.token });
    expect(list.body.appointments.map((a: any) => [a.doctor, a.time, a.patient_name])).toEqual([
      ['Dr. Patel', '10:00', 'John Doe'],
      ['Dr. Sharma', '09:00', 'John Doe'],
    ]);
    expect(api.t.db.select().from(patients).where(eq(patients.phone, PHONE)).all().map((p) => p.name)).toEqual(['John Doe', 'John Doe']);

    // The web form with that phone now finds a registered account, before any code is sent.
    const codesBefore = api.sms(PHONE).filter((s) => s.kind === 'otp').length;
    const reg = await api.call('POST', '/api/auth/register', { body: person('9876543210', 'someone-new') });
    expect(reg.status).toBe(409);
    expect(reg.body).toEqual({ error: 'phone_already_registered', message: expect.any(String) });
    expect(api.sms(PHONE).filter((s) => s.kind === 'otp')).toHaveLength(codesBefore);

    // A later phone booking keeps John Doe (and sends the sync SMS of an active account).
    await ivrBook(api, PHONE, '11:00', 3);
    const later = await api.call('GET', '/api/me/appointments', { token: again.body.token });
    expect(later.body.appointments.map((a: any) => a.patient_name)).toEqual(['John Doe', 'John Doe', 'John Doe']);
    expect(api.sms(PHONE).some((s) => s.kind === 'sync')).toBe(true);
  });

  it('the username chosen at the change follows the registration rules: 409 username_taken, 400 invalid', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    await registered(api, '+919812345678', 'johndoe');
    await ivrBook(api, PHONE, '09:00');
    const temp = tempPassword(api, PHONE);
    const token = (await login({ phone_number: PHONE, password: temp })).body.token;
    const body = (username: string) => ({ current_password: temp, new_password: 'john-doe-pass-1', name: 'John Doe', age: 40, username });
    const taken = await api.call('POST', '/api/me/password', { token, body: body('johndoe') });
    expect(taken.status).toBe(409);
    expect(taken.body).toEqual({ error: 'username_taken', message: expect.any(String) });
    const digits = await api.call('POST', '/api/me/password', { token, body: body('12345') });
    expect(digits.status).toBe(400);
    expect(digits.body.error).toBe('validation_error');
    // Nothing changed: the temporary password still works.
    expect(accountRow(api, PHONE)).toMatchObject({ status: 'provisional', mustChangePassword: true, displayName: 'IVR Patient 3210' });
  });

  it('an active account changes its password without name or age', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const { token } = await registered(api, PHONE, 'asha');
    const r = await api.call('POST', '/api/me/password', { token, body: { current_password: 'correct-horse-1', new_password: 'new-horse-12' } });
    expect(r.status).toBe(204);
    expect(accountRow(api, PHONE)).toMatchObject({ displayName: 'Asha Rao' });
  });
});

describe('PATCH /api/me', () => {
  it('changes name, age and language; every patient of the account follows; answers the GET /api/me body', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off', LANGUAGES: 'en,hi' } });
    await ivrBook(api, PHONE, '09:00');
    const link = await api.call('POST', '/api/auth/link-ivr', { body: person(PHONE, 'asha', 'Asha Rao', 'asha-pass-123') });
    const token = link.body.token;

    const r = await api.call('PATCH', '/api/me', { token, body: { name: 'Asha R. Kumar', age: 35, language: 'hi' } });
    expect(r.status).toBe(200);
    const me = await api.call('GET', '/api/me', { token });
    expect(r.body).toEqual(me.body);
    expect(me.body).toMatchObject({ name: 'Asha R. Kumar', age: 35, language: 'hi', user: { name: 'Asha R. Kumar' } });
    expect(me.body.patients.map((p: any) => [p.name, p.age])).toEqual([['Asha R. Kumar', 35]]);
    expect(accountRow(api, PHONE)!.language).toBe('hi');
    const list = await api.call('GET', '/api/me/appointments', { token });
    expect(list.body.appointments[0].patient_name).toBe('Asha R. Kumar');

    // One field alone leaves the others.
    const ageOnly = await api.call('PATCH', '/api/me', { token, body: { age: 36 } });
    expect(ageOnly.body).toMatchObject({ name: 'Asha R. Kumar', age: 36, language: 'hi' });
  });

  it('refuses a language outside LANGUAGES, an empty name, an empty body; needs a claimed account', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const { token } = await registered(api, PHONE, 'asha');
    for (const body of [{ language: 'fr' }, { name: '   ' }, { age: -1 }, {}]) {
      const r = await api.call('PATCH', '/api/me', { token, body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body).toMatchObject({ error: 'validation_error', message: expect.any(String) });
    }
    expect((await api.call('PATCH', '/api/me', { body: { age: 3 } })).status).toBe(401);
    await ivrBook(api, '+919812345678', '09:00');
    const temp = tempPassword(api, '+919812345678');
    const provisional = (await login({ phone_number: '+919812345678', password: temp })).body.token;
    const r = await api.call('PATCH', '/api/me', { token: provisional, body: { name: 'Ravi' } });
    expect(r.status).toBe(403);
    expect(r.body.error).toBe('password_change_required');
  });
});

describe('tokens after a schedule edit, and constraint violations, over HTTP', () => {
  it('book at 09:00, staff move the start to 08:00, book 08:00: distinct tokens, no 500', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    const staff = await staffToken(api);
    const asha = (await registered(api, PHONE, 'asha')).token;
    const ravi = (await registered(api, '+919812345678', 'ravi')).token;
    const first = await api.call('POST', '/api/me/appointments', { token: asha, body: { doctor_id: 1, date: '2026-12-01', time: '09:00' } });
    expect(first.status).toBe(201);
    expect(first.body.token).toBe('S-1');

    const blocks = [1, 2, 3, 4, 5].map((weekday) => ({ weekday, start: '08:00', end: '13:00', slot_minutes: 15 }));
    expect((await api.call('PUT', '/api/admin/doctors/1/schedules', { token: staff, body: { schedules: blocks } })).status).toBe(200);

    const slots = await api.call('GET', '/api/doctors/1/slots?date=2026-12-01');
    const shown = slots.body.slots.find((s: any) => s.time === '08:00').token;
    const second = await api.call('POST', '/api/me/appointments', { token: ravi, body: { doctor_id: 1, date: '2026-12-01', time: '08:00' } });
    expect(second.status).toBe(201);
    expect(second.body.token).not.toBe('S-1');
    expect(second.body.token).toBe(shown);
    const day = await api.call('GET', '/api/admin/appointments?date=2026-12-01&doctor_id=1', { token: staff });
    const tokens = day.body.appointments.map((a: any) => a.token);
    expect(new Set(tokens).size).toBe(2);
  });

  it('a unique-index violation the checks did not foresee is 409 slot_taken, not 500', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
    api.t.db.$client.exec("CREATE UNIQUE INDEX test_one_per_doctor_day ON appointments(doctor_id, date) WHERE status <> 'cancelled'");
    const asha = (await registered(api, PHONE, 'asha')).token;
    const ravi = (await registered(api, '+919812345678', 'ravi')).token;
    expect((await api.call('POST', '/api/me/appointments', { token: asha, body: { doctor_id: 1, date: '2026-12-01', time: '09:00' } })).status).toBe(201);
    const r = await api.call('POST', '/api/me/appointments', { token: ravi, body: { doctor_id: 1, date: '2026-12-01', time: '10:00' } });
    expect(r.status).toBe(409);
    expect(r.body).toEqual({ error: 'slot_taken', message: expect.any(String) });
    expect(api.t.db.select().from(appointments).all()).toHaveLength(1);
  });
});

describe('"upcoming" is later than now', () => {
  it('a visit earlier today no longer counts toward MAX_ACTIVE_APPOINTMENTS', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off', MAX_ACTIVE_APPOINTMENTS: '2' } });
    const asha = (await registered(api, PHONE, 'asha')).token;
    const book = (doctor_id: number, date: string, time: string) =>
      api.call('POST', '/api/me/appointments', { token: asha, body: { doctor_id, date, time } });
    expect((await book(1, '2026-11-30', '09:00')).status).toBe(201);
    expect((await book(1, '2026-12-01', '09:00')).status).toBe(201);
    expect((await book(2, '2026-11-30', '12:00')).body.error).toBe('appointment_limit');
    api.t.clock.set('2026-11-30T10:30:00+05:30'); // today's 09:00 visit is over
    const r = await book(2, '2026-11-30', '12:00');
    expect(r.status).toBe(201);
    // The list still shows the morning visit, no longer cancellable.
    const list = await api.call('GET', '/api/me/appointments', { token: asha });
    expect(list.body.appointments.find((a: any) => a.time === '09:00' && a.date === '2026-11-30')).toMatchObject({ cancellable: false });
  });
});

describe('Content-Security-Policy', () => {
  const webRoot = fileURLToPath(new URL('../../web', import.meta.url));

  it("pages, the API and /docs send a policy with frame-ancestors 'none'", async () => {
    api = await startApi({ webRoot });
    const page = await api.call('GET', '/');
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    for (const path of ['/app.js', '/api/clinics', '/docs', '/healthz']) {
      const r = await api.call('GET', path);
      expect(r.headers.get('content-security-policy'), path).toContain("frame-ancestors 'none'");
    }
  });

  it('the pages have no inline script, style or handler the policy would block', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    for (const file of readdirSync(webRoot).filter((f) => f.endsWith('.html'))) {
      const html = readFileSync(`${webRoot}/${file}`, 'utf8');
      expect(html.match(/<script(?![^>]*\ssrc=)[^>]*>/gi) ?? [], file).toEqual([]);
      expect(html.match(/<style[\s>]/gi) ?? [], file).toEqual([]);
      expect(html.match(/\s(style|on[a-z]+)=/gi) ?? [], file).toEqual([]);
    }
  });
});
