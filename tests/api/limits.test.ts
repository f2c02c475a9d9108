// Issue 9 item 6: abuse limits that hold behind a proxy. Over real HTTP on 127.0.0.1 (the test is
// the "proxy": the socket peer), with X-Forwarded-For chains as a client or a proxy would send them.
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/api/app.js';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { createSyncContext, hashPassword, registerAccount, startVerification } from '../../src/sync/index.js';
import { createTestDb } from '../support/db.js';
import { ivrBook, person, registered, startApi, type TestApi } from './helpers.js';

let api: TestApi;
afterEach(async () => api?.close());

/** An active account made directly through the sync module (no code needed to set up the test). */
async function accountFor(phone: string) {
  const r = registerAccount(api.t.ctx, { phone, name: 'Asha Rao', age: 34, username: `user${phone.slice(-6)}`, passwordHash: await hashPassword('correct-horse-1') });
  if (!r.ok) throw new Error(r.code);
}

/** POST /api/auth/verify/resend (20 per address per 10 minutes) with an unknown id: cheap, 410, counted. */
function resend(xff?: string) {
  const headers: Record<string, string> = xff === undefined ? {} : { 'x-forwarded-for': xff };
  return api.call('POST', '/api/auth/verify/resend', { body: { verification_id: 'no-such-id' }, headers }).then((r) => r.status);
}

/** Uses up an address's 20 resends, each with a different forged leftmost entry, then asks once more. */
async function exhaustWithForgedEntries(tail: string): Promise<number> {
  for (let i = 0; i < 20; i++) expect(await resend(`198.18.${i}.${i + 1}, ${tail}`)).toBe(410);
  return resend(`203.0.113.250, ${tail}`);
}

describe('TRUST_PROXY over real HTTP', () => {
  it('a hop count of 1 believes only the entry the proxy added: a forged leftmost address buys no fresh limit', async () => {
    api = await startApi({ env: { TRUST_PROXY: '1' } });
    expect(await exhaustWithForgedEntries('192.0.2.10')).toBe(429);
    // A client forging a whole chain still ends at the proxy's entry; with no forged entry too.
    expect(await resend('192.0.2.99, 192.0.2.10')).toBe(429);
    expect(await resend('192.0.2.10')).toBe(429);
    // Another real client behind the same proxy has its own limit.
    expect(await resend('198.18.0.1, 192.0.2.11')).toBe(410);
  });

  it('a hop count of 2 believes the two nearest proxies and nothing further left', async () => {
    api = await startApi({ env: { TRUST_PROXY: '2' } });
    // client → CDN (appends the client) → local proxy (appends the CDN) → MedQ
    expect(await exhaustWithForgedEntries('192.0.2.20, 10.0.0.5')).toBe(429);
    expect(await resend('192.0.2.21, 10.0.0.5')).toBe(410);
  });

  it('an address list believes only those proxies: a chain through them is followed, forged entries beyond are not', async () => {
    api = await startApi({ env: { TRUST_PROXY: '127.0.0.1,10.0.0.0/8' } });
    // 127.0.0.1 (socket) and 10.1.2.3 are trusted proxies; 192.0.2.30 is the first untrusted hop: the client.
    expect(await exhaustWithForgedEntries('192.0.2.30, 10.1.2.3')).toBe(429);
    expect(await resend('192.0.2.31, 10.1.2.3')).toBe(410);
    // A client that claims to be a trusted proxy gains nothing: the next entry left of it is used,
    // and that is whatever it forged — so it keeps the address the real proxy wrote.
    expect(await resend('10.9.9.9, 192.0.2.30, 10.1.2.3')).toBe(429);
  });

  it('an address list that does not name the peer ignores X-Forwarded-For entirely', async () => {
    api = await startApi({ env: { TRUST_PROXY: '192.0.2.254' } });
    for (let i = 0; i < 20; i++) expect(await resend(`198.18.0.${i + 1}`)).toBe(410);
    // Every "client" was really 127.0.0.1, the socket peer.
    expect(await resend('198.18.1.1')).toBe(429);
    expect(await resend()).toBe(429);
  });

  it('off: X-Forwarded-For is ignored, whatever it says', async () => {
    api = await startApi({ env: { TRUST_PROXY: 'off' } });
    for (let i = 0; i < 20; i++) expect(await resend(`198.18.0.${i + 1}, 192.0.2.${i + 1}`)).toBe(410);
    expect(await resend('192.0.2.200')).toBe(429);
    expect(await resend()).toBe(429);
  });
});

describe('TRUST_PROXY configuration forms', () => {
  it.each([
    [undefined, false],
    ['', false],
    ['off', false],
    ['OFF', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['3', 3],
    ['10.0.0.1', ['10.0.0.1']],
    [' 10.0.0.1 , 10.0.0.0/8,::1, fd00::/8 ', ['10.0.0.1', '10.0.0.0/8', '::1', 'fd00::/8']],
  ])('TRUST_PROXY=%j → %j', (raw, expected) => {
    expect(loadConfig(raw === undefined ? { NODE_ENV: 'test' } : { NODE_ENV: 'test', TRUST_PROXY: raw }).trustProxy).toEqual(expected);
  });

  it.each(['on', 'true', 'yes', 'all', '*', 'proxy.internal', '10.0.0.1,loadbalancer', '-1', '999.1.1.1', '10.0.0.0/33', 'fd00::/129', '10.0.0.1/8/8'])('TRUST_PROXY=%j is refused naming the variable', (raw) => {
    expect(() => loadConfig({ NODE_ENV: 'test', TRUST_PROXY: raw })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'test', TRUST_PROXY: raw })).toThrow(/^TRUST_PROXY: /);
  });

  it('OTP_SMS_PER_HOUR defaults to 100; SMS_COUNTRIES to DEFAULT_REGION, or a list', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).otpSmsPerHour).toBe(100);
    expect(loadConfig({ NODE_ENV: 'test', OTP_SMS_PER_HOUR: '5' }).otpSmsPerHour).toBe(5);
    expect(() => loadConfig({ NODE_ENV: 'test', OTP_SMS_PER_HOUR: 'lots' })).toThrow(/^OTP_SMS_PER_HOUR: /);
    expect([...loadConfig({ NODE_ENV: 'test' }).smsCountries]).toEqual(['IN']);
    expect([...loadConfig({ NODE_ENV: 'test', DEFAULT_REGION: 'US' }).smsCountries]).toEqual(['US']);
    expect([...loadConfig({ NODE_ENV: 'test', SMS_COUNTRIES: 'in, np' }).smsCountries]).toEqual(['IN', 'NP']);
    expect(() => loadConfig({ NODE_ENV: 'test', SMS_COUNTRIES: 'IN,XX' })).toThrow(/^SMS_COUNTRIES: /);
  });
});

describe('failed logins per address', () => {
  const wrong = (i: number, xff = '192.0.2.40') =>
    api.call('POST', '/api/auth/login', { body: { username: `nobody-${i}`, password: 'wrong-pass' }, headers: { 'x-forwarded-for': xff } });

  it('30 failures per address per 10 minutes whatever the usernames; successes do not count; others unaffected', async () => {
    api = await startApi({ env: { PHONE_VERIFICATION: 'off', TRUST_PROXY: '1' } });
    await registered(api, '+919876543210', 'asha');
    const good = () =>
      api.call('POST', '/api/auth/login', { body: { username: 'asha', password: 'correct-horse-1' }, headers: { 'x-forwarded-for': '192.0.2.40' } });

    // Spread over usernames, so the per-username limit (10) never trips.
    for (let i = 0; i < 29; i++) expect((await wrong(i)).status).toBe(401);
    // A patient logging in from the same address meanwhile is not counted as a failure.
    for (let i = 0; i < 3; i++) expect((await good()).status).toBe(200);
    expect((await wrong(29)).status).toBe(401);

    const limited = await wrong(30);
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: 'rate_limited', message: expect.any(String), retry_after: expect.any(Number) });
    expect(limited.body.retry_after).toBeGreaterThan(500);
    expect(limited.body.retry_after).toBeLessThanOrEqual(600);
    expect(limited.headers.get('retry-after')).toBe(String(limited.body.retry_after));
    // While it holds, that address cannot log in even with the right password…
    expect((await good()).status).toBe(429);
    // …but another address can, and a forged leftmost entry does not make a new address.
    expect((await wrong(31, '192.0.2.41')).status).toBe(401);
    expect((await wrong(32, '198.18.7.7, 192.0.2.40')).status).toBe(429);
    // The refused attempts did not count against asha's own (per-username) limit.
    api.t.clock.advance(10 * 60_000 + 1000);
    expect((await good()).status).toBe(200);
    expect((await wrong(33)).status).toBe(401);
  });
});

describe('OTP_SMS_PER_HOUR: the clinic-wide budget of code SMS', () => {
  it('beyond the budget register, link, reset and resend answer 429 rate_limited and send nothing; an hour later codes flow again', async () => {
    api = await startApi({ env: { OTP_SMS_PER_HOUR: '3' } });
    const phones = ['+919876500001', '+919876500002', '+919876500003'];
    const first = await api.call('POST', '/api/auth/register', { body: person(phones[0]!, 'user-a') });
    expect(first.status).toBe(202);
    expect((await api.call('POST', '/api/auth/register', { body: person(phones[1]!, 'user-b') })).status).toBe(202);
    api.t.clock.advance(20 * 60_000);
    expect((await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: first.body.verification_id } })).status).toBe(202);
    expect(api.sms().filter((s) => s.kind === 'otp')).toHaveLength(3);

    const over = await api.call('POST', '/api/auth/register', { body: person(phones[2]!, 'user-c') });
    expect(over.status).toBe(429);
    expect(over.body).toEqual({ error: 'rate_limited', message: expect.stringMatching(/codes/), retry_after: expect.any(Number) });
    // The oldest code of the window was sent 20 minutes ago: it leaves the window in 40 minutes.
    expect(over.body.retry_after).toBeGreaterThan(39 * 60);
    expect(over.body.retry_after).toBeLessThanOrEqual(40 * 60);
    // A caller with phone bookings who links them needs a code too: refused the same way.
    await ivrBook(api, '+919876500009', '10:00');
    const link = await api.call('POST', '/api/auth/link-ivr', { body: person('+919876500009', 'caller-x') });
    expect(link.status).toBe(429);
    expect(link.body.error).toBe('rate_limited');
    expect((await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: first.body.verification_id } })).status).toBe(429);
    // A reset answers the same for a phone with an account (would send) and without (would not).
    await api.call('POST', '/api/auth/register', { body: person(phones[2]!, 'user-c') });
    const unknownReset = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: '9811111111', new_password: 'after-reset-1' } });
    expect(unknownReset.status).toBe(429);
    expect(unknownReset.body.error).toBe('rate_limited');
    expect(api.sms().filter((s) => s.kind === 'otp')).toHaveLength(3);

    api.t.clock.advance(40 * 60_000 + 1000);
    expect((await api.call('POST', '/api/auth/register', { body: person(phones[2]!, 'user-c') })).status).toBe(202);
    expect(api.sms().filter((s) => s.kind === 'otp')).toHaveLength(4);
  });

  it('a password reset over the budget is 429 for a phone with an account and for one without', async () => {
    api = await startApi({ env: { OTP_SMS_PER_HOUR: '0' } });
    await accountFor('+919876543210');
    for (const phone of ['9876543210', '9811111112']) {
      const r = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: phone, new_password: 'after-reset-1' } });
      expect(r.status, phone).toBe(429);
      expect(r.body.error).toBe('rate_limited');
    }
    expect(api.sms().filter((s) => s.kind === 'otp')).toHaveLength(0);
  });

  it('is counted in the database: two processes share one budget', async () => {
    const t = createTestDb({ env: { OTP_SMS_PER_HOUR: '4' } });
    const db2 = openDatabase(t.path);
    try {
      const ctx2 = createSyncContext(db2, t.config, () => t.clock.now);
      const start = (ctx: typeof t.ctx, n: number) =>
        startVerification(ctx, { purpose: 'register', input: { phone: `+91987650010${n}`, name: 'A', age: 30, username: `u${n}`, passwordHash: 'x' } });
      const results = [start(t.ctx, 1), start(ctx2, 2), start(t.ctx, 3), start(ctx2, 4), start(t.ctx, 5), start(ctx2, 6)];
      expect(results.map((r) => (r.ok ? 'sent' : r.code))).toEqual(['sent', 'sent', 'sent', 'sent', 'rate_limited', 'rate_limited']);
    } finally {
      db2.$client.close();
      t.close();
    }
  });

  it('writes one warn line per refusal, naming the limit and without the code or phone number', async () => {
    const t = createTestDb({ env: { OTP_SMS_PER_HOUR: '1', TRUST_PROXY: '1' } });
    const lines: Array<Record<string, unknown>> = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l) as Record<string, unknown>);
        done();
      },
    });
    const app = buildApp({
      ctx: t.ctx,
      config: t.config,
      logger: pino({ level: 'info' }, sink),
      health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
      webRoot: '/nonexistent-medq-web',
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    try {
      const { port } = app.server.address() as { port: number };
      const post = (phone: string, username: string) =>
        fetch(`http://127.0.0.1:${port}/api/auth/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.50' },
          body: JSON.stringify(person(phone, username)),
        }).then((r) => r.status);
      expect(await post('+919876500011', 'first-one')).toBe(202);
      expect(await post('+919876500012', 'second-one')).toBe(429);
      const warn = lines.filter((l) => l['msg'] === 'rate limited');
      expect(warn).toHaveLength(1);
      expect(warn[0]).toMatchObject({ level: 40, limit: 'otp_sms_per_hour', route: '/api/auth/register', ip: '192.0.2.50' });
      const all = JSON.stringify(lines);
      expect(all).not.toContain('9876500012');
      expect(all).not.toMatch(/code: \d{6}/);
    } finally {
      await app.close();
      t.close();
    }
  });
});

describe('SMS_COUNTRIES: codes only to numbers of those countries', () => {
  it('a code to another country is 400 sms_country_not_allowed and nothing is sent or kept', async () => {
    api = await startApi();
    const us = '+12025550123';
    const r = await api.call('POST', '/api/auth/register', { body: person(us, 'visitor') });
    expect(r.status).toBe(400);
    expect(r.body).toEqual({ error: 'sms_country_not_allowed', message: expect.stringMatching(/country/) });
    expect(api.sms(us)).toHaveLength(0);
    expect(api.t.db.$client.prepare('select count(*) n from verifications').get()).toEqual({ n: 0 });
    // A reset answers the same for every foreign number, with or without an account.
    const reset = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: us, new_password: 'after-reset-1' } });
    expect(reset.status).toBe(400);
    expect(reset.body.error).toBe('sms_country_not_allowed');
    // A local number goes through, and the foreign one did not use up the budget.
    expect((await api.call('POST', '/api/auth/register', { body: person('+919876543210', 'asha') })).status).toBe(202);
  });

  it('a password reset to a foreign number is refused the same with an account and without', async () => {
    api = await startApi();
    await accountFor('+12025550123');
    for (const phone of ['+12025550123', '+12025550199']) {
      const r = await api.call('POST', '/api/auth/password-reset', { body: { phone_number: phone, new_password: 'after-reset-1' } });
      expect(r.status, phone).toBe(400);
      expect(r.body.error).toBe('sms_country_not_allowed');
    }
    expect(api.sms()).toHaveLength(0);
  });

  it('SMS_COUNTRIES=IN,US lets US numbers get codes too', async () => {
    api = await startApi({ env: { SMS_COUNTRIES: 'IN,US' } });
    expect((await api.call('POST', '/api/auth/register', { body: person('+12025550123', 'visitor') })).status).toBe(202);
    expect(api.sms('+12025550123').map((s) => s.kind)).toEqual(['otp']);
    expect((await api.call('POST', '/api/auth/register', { body: person('+447911123456', 'londoner') })).status).toBe(400);
  });
});
