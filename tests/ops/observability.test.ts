// SPEC §12 observability, end to end on one MedQ process as `npm start` runs it (api, ivr and sms
// roles; src/main.ts in an OS process) against a real Asterisk 22, a real SMPP peer and a real
// SQLite file:
//  - /metrics, parsed by a Prometheus text-format parser, moves by exactly one real call that
//    books, one web booking and the SMS they send, delivered at the SMPP peer;
//  - at LOG_LEVEL=trace, no log line holds a password, a code or a JWT through registration,
//    verification, log-in, a password change, a phone booking's temporary password and a reset;
//    every line of a call names its channel, every line of a request its request id.
import { randomBytes } from 'node:crypto';
import { DateTime } from 'luxon';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword, registerAccount } from '../../src/sync/index.js';
import { CallerHarness, freeTcpPort, requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { MedqProcess, pollHttp } from '../support/medq-process.js';
import { counterDeltas, Scrape } from '../support/prometheus.js';
import { IvrCall, renderPromptsWithCli, sleep } from '../ari/support-ivr.js';
import { TestSmsc } from '../sms/smsc.js';

const real = requireRealAsterisk();

describe.skipIf(!real.available)('metrics and logs of a running MedQ (api, ivr, sms)', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let smsc: TestSmsc;
  let app: MedqProcess;
  let harness: CallerHarness;
  let base = '';
  const SMPP_PASSWORD = `smpp-${randomBytes(6).toString('hex')}`;
  const JWT_SECRET = randomBytes(32).toString('base64');
  const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] => t.db.$client.prepare(sql).all(...params) as T[];

  async function http<T = any>(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: T; requestId: string | null }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers['authorization'] = `Bearer ${token}`;
    const res = await fetch(base + path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T, requestId: res.headers.get('x-request-id') };
  }

  /** The newest SMS text the SMSC received for a phone, once it arrived. */
  async function smsTo(phone: string, match: RegExp, timeoutMs = 15_000): Promise<string> {
    const dest = phone.replace(/^\+/, '');
    let found: string | undefined;
    await expect
      .poll(() => (found = smsc.messages().filter((m) => m.dest === dest && match.test(m.text)).at(-1)?.text), { timeout: timeoutMs })
      .toBeDefined();
    return found!;
  }

  /** A caller on a new phone books doctor 1's first offer, following the menus. */
  async function bookByCall(phone: string): Promise<IvrCall> {
    const c = new IvrCall(await harness.call({ callerId: phone }), harness);
    await c.ready();
    let from = await c.pressAfter('main-menu', '1');
    from = await c.pressAfter('doctor-menu-intro', '1', from);
    from = await c.pressAfter('slot-offer-intro', '1', from);
    await c.waitMedia('medq:confirmed', { from, timeoutMs: 20_000 });
    await c.hangup();
    await c.ended();
    return c;
  }

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'observability' });
    t = createTestDb();
    await renderPromptsWithCli(ast.soundsDir, t.path);
    smsc = await TestSmsc.start({ password: SMPP_PASSWORD });
    const port = await freeTcpPort();
    base = `http://127.0.0.1:${port}`;
    app = await MedqProcess.start('medq', {
      MEDQ_DB: t.path,
      HTTP_PORT: String(port),
      JWT_SECRET,
      ARI_URL: ast.ariUrl,
      ARI_USERNAME: ast.ariUser,
      ARI_PASSWORD: ast.ariPassword,
      ASTERISK_SOUNDS_DIR: ast.soundsDir,
      MENU_TIMEOUT_MS: '1500',
      SMPP_URL: smsc.url('medq', SMPP_PASSWORD),
      LOG_LEVEL: 'trace',
    });
    const ready = await pollHttp(`${base}/readyz`, (r) => r.status === 200, 60_000);
    expect(ready.status, ready.body).toBe(200);
    harness = await CallerHarness.connect(ast);
  }, 300_000);

  afterAll(async () => {
    await harness?.close();
    await app?.stop();
    await smsc?.close();
    await ast?.stop();
    t?.close();
  });

  it('/metrics moves by exactly one booked call, one web booking and the three SMS they sent', async () => {
    // A web account (made before the first scrape, so its making is not counted) and its token.
    const webPhone = '+919876540001';
    const reg = registerAccount(t.ctx, { phone: webPhone, name: 'Meera Iyer', age: 41, username: 'meera', passwordHash: await hashPassword('meera-pass-123') });
    expect(reg.ok).toBe(true);
    const login = await http('POST', '/api/auth/login', { username: 'meera', password: 'meera-pass-123' });
    expect(login.status).toBe(200);
    // Dr. Patel's first free slot from today on, in the clinic's calendar.
    let slot: { date: string; time: string } | null = null;
    for (let d = 0; d < 8 && !slot; d++) {
      const date = DateTime.now().setZone('Asia/Kolkata').plus({ days: d }).toISODate()!;
      const r = await http<{ slots: Array<{ time: string }> }>('GET', `/api/doctors/2/slots?date=${date}`);
      if (r.body.slots.length > 0) slot = { date, time: r.body.slots[0]!.time };
    }
    expect(slot).not.toBeNull();

    const before = await Scrape.of(`${base}/metrics`);
    const callPhone = '+919876540002';
    await bookByCall(callPhone);
    const booked = await http('POST', '/api/me/appointments', { doctor_id: 2, ...slot! }, login.body.token);
    expect(booked.status).toBe(201);

    // The SMS both bookings queued, through the SMPP peer and back as receipts.
    const rows = () => q<{ phone: string; kind: string; state: string }>('select phone, kind, state from sms_outbox order by id');
    await expect.poll(() => rows().filter((r) => r.state === 'delivered').length, { timeout: 20_000 }).toBe(3);
    expect(rows().map((r) => `${r.phone} ${r.kind}`).sort()).toEqual([`${webPhone} confirmation`, `${callPhone} confirmation`, `${callPhone} welcome`].sort());
    expect(smsc.submits).toHaveLength(3);

    const expected = {
      'medq_calls_total{"outcome":"booked"}': 1,
      'medq_bookings_total{"channel":"ivr"}': 1,
      'medq_bookings_total{"channel":"web"}': 1,
      'medq_sms_total{"kind":"confirmation","state":"sent"}': 2,
      'medq_sms_total{"kind":"confirmation","state":"delivered"}': 2,
      'medq_sms_total{"kind":"welcome","state":"sent"}': 1,
      'medq_sms_total{"kind":"welcome","state":"delivered"}': 1,
    };
    const COUNTERS = ['medq_calls_total', 'medq_bookings_total', 'medq_cancellations_total', 'medq_sms_total', 'medq_reconnects_total'];
    await expect.poll(async () => counterDeltas(before, await Scrape.of(`${base}/metrics`), COUNTERS), { timeout: 10_000 }).toEqual(expected);
    await sleep(1_000); // nothing more trickles in afterwards
    const after = await Scrape.of(`${base}/metrics`);
    expect(counterDeltas(before, after, COUNTERS)).toEqual(expected);

    // Three keys, each answered by the next prompt; three submit_sm answered.
    expect(after.histogramCount('medq_key_to_prompt_seconds') - before.histogramCount('medq_key_to_prompt_seconds')).toBe(3);
    expect(after.histogramCount('medq_smpp_submit_seconds') - before.histogramCount('medq_smpp_submit_seconds')).toBe(3);
    // Two bookings, one after the other: two durable commits, each timed.
    expect(after.histogramCount('medq_db_write_group_size') - before.histogramCount('medq_db_write_group_size')).toBe(2);
    expect(after.histogramCount('medq_db_write_group_seconds') - before.histogramCount('medq_db_write_group_seconds')).toBe(2);
    // Neither booking failed after writing: no group had to run again.
    expect(after.value('medq_db_write_group_reruns_total') - before.value('medq_db_write_group_reruns_total')).toBe(0);
    expect(after.value('medq_calls_active')).toBe(0);
    expect(after.value('medq_outbox_depth')).toBe(0);
    expect(after.value('medq_outbox_oldest_seconds')).toBe(0);
    expect(after.value('medq_ari_up')).toBe(1);
    expect(after.value('medq_smpp_up')).toBe(1);
    expect(after.family('http_request_duration_seconds').type).toBe('HISTOGRAM');
    expect(after.text).toMatch(/^http_request_duration_seconds_count\{route="\/api\/me\/appointments",status="201"\} 1$/m);
  }, 120_000);

  it('at LOG_LEVEL=trace no log line holds a password, a code or a JWT; call lines name the channel, request lines the request id', async () => {
    const secrets: string[] = [JWT_SECRET, ast.ariPassword, SMPP_PASSWORD];
    const codes: string[] = [];
    const requestIds: string[] = [];
    const call = async <T = any>(method: string, path: string, body?: unknown, token?: string) => {
      const r = await http<T>(method, path, body, token);
      expect(r.requestId, `${method} ${path}`).toMatch(/\S/);
      requestIds.push(r.requestId!);
      return r;
    };
    const codeOf = async (phone: string, n: number) => {
      await expect.poll(() => smsc.messages().filter((m) => m.dest === phone.slice(1) && /verification code/.test(m.text)).length, { timeout: 15_000 }).toBe(n);
      const text = smsc.messages().filter((m) => m.dest === phone.slice(1) && /verification code/.test(m.text)).at(-1)!.text;
      const code = /code: (\d{6})\./.exec(text)![1]!;
      codes.push(code);
      return code;
    };

    // Registration with a code, verification, log-in, a password change and a log-in with it.
    const phone = '+919876540010';
    const p1 = `first-${randomBytes(5).toString('hex')}`;
    secrets.push(p1);
    const reg = await call('POST', '/api/auth/register', { name: 'Ravi Kumar', age: 29, phone_number: phone, username: 'ravi', password: p1 });
    expect(reg.status).toBe(202);
    const verified = await call('POST', '/api/auth/verify', { verification_id: reg.body.verification_id, code: await codeOf(phone, 1) });
    expect(verified.status).toBe(201);
    secrets.push(verified.body.token);
    const login = await call('POST', '/api/auth/login', { username: 'ravi', password: p1 });
    expect(login.status).toBe(200);
    secrets.push(login.body.token);
    const p2 = `second-${randomBytes(5).toString('hex')}`;
    secrets.push(p2);
    expect((await call('POST', '/api/me/password', { current_password: p1, new_password: p2 }, login.body.token)).status).toBe(204);
    const login2 = await call('POST', '/api/auth/login', { phone_number: phone, password: p2 });
    expect(login2.status).toBe(200);
    secrets.push(login2.body.token);
    expect((await call('GET', '/api/me', undefined, login2.body.token)).status).toBe(200);
    // Mistakes carry secrets too: a wrong password, a stale token, a body that is not JSON.
    const wrong = `wrong-${randomBytes(5).toString('hex')}`;
    secrets.push(wrong);
    expect((await call('POST', '/api/auth/login', { username: 'ravi', password: wrong })).status).toBe(401);
    expect((await call('GET', '/api/me', undefined, login.body.token)).status).toBe(401);
    const raw = await fetch(`${base}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: `{"username":"ravi","password":"${p2}"` });
    expect(raw.status).toBe(400);
    requestIds.push(raw.headers.get('x-request-id')!);

    // A waiting-room screen's event stream (a hijacked answer) names its request id too.
    const abort = new AbortController();
    const sse = await fetch(`${base}/api/clinics/1/queue/events`, { signal: abort.signal });
    expect(sse.headers.get('content-type')).toMatch(/text\/event-stream/);
    const sseId = sse.headers.get('x-request-id');
    expect(sseId).toMatch(/\S/);
    abort.abort();

    // A phone booking by a new caller: the welcome SMS carries a temporary password.
    const caller = '+919876540011';
    const c = await bookByCall(caller);
    const welcome = await smsTo(caller, /^Welcome to/);
    const temp = /\nPassword: (\S+)\n/.exec(welcome)![1]!;
    secrets.push(temp);
    const tempLogin = await call('POST', '/api/auth/login', { phone_number: caller, password: temp });
    expect(tempLogin.status).toBe(200);
    secrets.push(tempLogin.body.token);
    const p3 = `claimed-${randomBytes(5).toString('hex')}`;
    secrets.push(p3);
    expect((await call('POST', '/api/me/password', { current_password: temp, new_password: p3, name: 'Lata Menon', age: 52 }, tempLogin.body.token)).status).toBe(204);

    // A reset with a code.
    const p4 = `reset-${randomBytes(5).toString('hex')}`;
    secrets.push(p4);
    const reset = await call('POST', '/api/auth/password-reset', { phone_number: phone, new_password: p4 });
    expect(reset.status).toBe(202);
    const done = await call('POST', '/api/auth/verify', { verification_id: reset.body.verification_id, code: await codeOf(phone, 2) });
    expect(done.status).toBe(200);
    secrets.push(done.body.token);
    expect((await call('POST', '/api/auth/login', { username: 'ravi', password: p4 })).status).toBe(200);

    // Every SMS sent and receipted, so the sms role logged all it will about them.
    await expect.poll(() => q("select count(*) as n from sms_outbox where state != 'delivered'"), { timeout: 20_000 }).toEqual([{ n: 0 }]);
    await sleep(500);

    const lines = app.lines;
    const json = app.json();
    expect(lines.length).toBeGreaterThan(100);
    expect(json.some((l) => l['level'] === 10)).toBe(true); // trace lines were written
    // No secret anywhere; a JWT also not by its signature alone; a code not as a number of its own.
    const leaks: string[] = [];
    for (const l of lines) {
      for (const s of secrets) if (l.includes(s)) leaks.push(`${s.slice(0, 12)}… in ${l.slice(0, 300)}`);
      for (const s of secrets.filter((x) => x.split('.').length === 3)) if (l.includes(s.split('.')[2]!)) leaks.push(`JWT signature in ${l.slice(0, 300)}`);
      for (const code of codes) if (new RegExp(`(?<![0-9])${code}(?![0-9])`).test(l)) leaks.push(`code ${code} in ${l.slice(0, 300)}`);
    }
    expect(leaks).toEqual([]);
    expect(secrets.length).toBeGreaterThanOrEqual(14);

    // Every line that mentions the call names it as its call.
    const callLines = json.filter((l) => JSON.stringify(l).includes(c.appChannelId));
    expect(callLines.length).toBeGreaterThan(10);
    expect(callLines.filter((l) => l['call'] !== c.appChannelId)).toEqual([]);
    expect(callLines.map((l) => l['msg'])).toEqual(expect.arrayContaining(['ari event', 'prompt', 'ivr booked', 'call left the IVR']));
    // At trace the caller's keys are there, on the call's lines.
    expect(callLines.filter((l) => l['event'] === 'ChannelDtmfReceived').map((l) => l['digit'])).toEqual(['1', '1', '1']);

    // Every request's lines carry its id, and every line about a request has one.
    for (const id of requestIds) {
      const mine = json.filter((l) => l['reqId'] === id);
      expect(mine.map((l) => l['msg']), id).toEqual(expect.arrayContaining(['incoming request', 'request completed']));
    }
    expect(json.filter((l) => l['reqId'] === sseId).map((l) => l['msg'])).toContain('incoming request');
    const aboutRequests = json.filter((l) => 'req' in l || 'res' in l || 'responseTime' in l || /request/.test(String(l['msg'])));
    expect(aboutRequests.length).toBeGreaterThan(requestIds.length * 2);
    expect(aboutRequests.filter((l) => typeof l['reqId'] !== 'string')).toEqual([]);
    console.log('[logs]', JSON.stringify({ lines: lines.length, secretsChecked: secrets.length, codes: codes.length, callLines: callLines.length, requests: requestIds.length }));
  }, 150_000);
});
