// The reception desk's queue over real HTTP (SPEC §11): arrivals, call next, the public queue and
// its Server-Sent Events across two api processes (two Fastify apps on one SQLite file), and
// desk bookings landing on the phone's web account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.js';
import { openDatabase, type Db } from '../../src/db/client.js';
import { createLogger } from '../../src/shared/logger.js';
import { createSyncContext } from '../../src/sync/index.js';
import { ivrBook, registered, staffToken, startApi, type TestApi } from './helpers.js';

const TODAY = '2026-11-30';
let api: TestApi;
let staff: string;
let patient: string;
beforeAll(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  staff = await staffToken(api);
  patient = (await registered(api, '+919876543210', 'asha')).token;
});
afterAll(async () => api?.close());

/** A second api process on the same database file: its own connection, its own app and poller. */
async function secondApi(): Promise<{ base: string; app: FastifyInstance; db: Db; close(): Promise<void> }> {
  const db = openDatabase(api.t.path);
  const ctx = createSyncContext(db, api.t.config, () => api.t.clock.now);
  const app = buildApp({
    ctx,
    config: api.t.config,
    logger: createLogger('silent'),
    health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
    webRoot: '/nonexistent-medq-web',
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address();
  if (!addr || typeof addr === 'string') throw new Error('no address');
  return {
    base: `http://127.0.0.1:${addr.port}`,
    app,
    db,
    async close() {
      await app.close();
      db.$client.close();
    },
  };
}

interface SseEvent {
  event: string;
  data: string;
  at: number;
}

/** A minimal EventSource over fetch: collects the stream's events as they arrive. */
async function openStream(url: string) {
  const abort = new AbortController();
  const res = await fetch(url, { signal: abort.signal });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let ended = false;
  const reading = (async () => {
    const decoder = new TextDecoder();
    let buf = '';
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += decoder.decode(chunk, { stream: true });
        let cut: number;
        while ((cut = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, cut);
          buf = buf.slice(cut + 2);
          let event = 'message';
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line);
            else if (line.startsWith('event:')) event = line.slice(6).trim();
            else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
          }
          if (data.length) events.push({ event, data: data.join('\n'), at: Date.now() });
        }
      }
    } catch {
      // aborted
    }
    ended = true;
  })();
  return {
    res,
    events,
    comments,
    get ended() {
      return ended;
    },
    async next(count: number, timeoutMs = 3_000): Promise<SseEvent> {
      const end = Date.now() + timeoutMs;
      while (events.length < count) {
        if (Date.now() > end) throw new Error(`no event #${count} within ${timeoutMs} ms (got ${events.length})`);
        await new Promise((r) => setTimeout(r, 10));
      }
      return events[count - 1]!;
    },
    close() {
      abort.abort();
      return reading;
    },
  };
}

describe('call next and arrivals (staff)', () => {
  it('marks an arrival, calls tokens in order and by name, and says clearly when nobody waits', async () => {
    const a1 = await ivrBook(api, '+919811000001', '09:00');
    const a2 = await ivrBook(api, '+919811000002', '09:15');
    await ivrBook(api, '+919811000003', '09:30');

    const arrived = await api.call('POST', `/api/admin/appointments/${a2.appointmentId}/arrived`, { token: staff });
    expect(arrived.status).toBe(200);
    expect(arrived.body).toMatchObject({ id: a2.appointmentId, status: 'arrived', token: 'S-2', cancellable: true });
    const day = await api.call('GET', `/api/admin/appointments?date=${TODAY}&doctor_id=1`, { token: staff });
    expect(day.body.appointments.map((a: any) => [a.token, a.status])).toEqual([
      ['S-1', 'booked'],
      ['S-2', 'arrived'],
      ['S-3', 'booked'],
    ]);

    const first = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({ doctor_id: 1, date: TODAY, now_serving: 'S-1' });
    const skip = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, body: { token: 'S-3' } });
    expect(skip.body).toEqual({ doctor_id: 1, date: TODAY, now_serving: 'S-3' });
    const empty = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, body: {} });
    expect(empty.status).toBe(409);
    expect(empty.body).toEqual({
      error: 'queue_empty',
      message: 'No later token is waiting for Dr. Sharma. Skipped: S-2 (call one by its token).',
      skipped: ['S-2'],
    });
    // The day list shows staff which tokens were called and which were skipped.
    const list = await api.call('GET', `/api/admin/appointments?date=${TODAY}&doctor_id=1`, { token: staff });
    expect(list.body.appointments.map((a: any) => [a.token, a.called_at !== null, a.arrived_at !== null])).toEqual([
      ['S-1', true, false],
      ['S-2', false, true],
      ['S-3', true, false],
    ]);
    const back = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, body: { token: 's-2' } });
    expect(back.body.now_serving).toBe('S-2');

    // An arrived (and called) booking is completed before its slot's time; completed is never called again.
    const done = await api.call('POST', `/api/admin/appointments/${a2.appointmentId}/outcome`, { token: staff, body: { outcome: 'completed' } });
    expect(done.body.status).toBe('completed');
    const again = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, body: { token: 'S-2' } });
    expect(again.status).toBe(409);
    expect(again.body.error).toBe('not_callable');
    expect((await api.call('POST', `/api/admin/appointments/${a2.appointmentId}/arrived`, { token: staff })).body.error).toBe('not_callable');

    const bad = await api.call('POST', '/api/admin/doctors/1/queue/next', { token: staff, body: { token: 'next please' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_error');
    expect(bad.body.message).toMatch(/token/);
    expect((await api.call('POST', '/api/admin/doctors/999/queue/next', { token: staff })).status).toBe(404);
    expect((await api.call('POST', '/api/admin/appointments/99999/arrived', { token: staff })).status).toBe(404);
    const tomorrow = await ivrBook(api, '+919811000001', '09:00', 1, '2026-12-01');
    const notToday = await api.call('POST', `/api/admin/appointments/${tomorrow.appointmentId}/arrived`, { token: staff });
    expect([notToday.status, notToday.body.error]).toEqual([409, 'not_today']);

    // Patients and strangers may do neither.
    for (const [path, body] of [
      ['/api/admin/doctors/1/queue/next', {}],
      [`/api/admin/appointments/${a1.appointmentId}/arrived`, undefined],
    ] as const) {
      expect((await api.call('POST', path, { token: patient, ...(body ? { body } : {}) })).status).toBe(403);
      expect((await api.call('POST', path, body ? { body } : {})).status).toBe(401);
    }
  });
});

describe('the public queue', () => {
  it('GET /api/clinics/:id/queue: tokens and doctor names, never a patient', async () => {
    const r = await api.call('GET', '/api/clinics/1/queue');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      clinic_id: 1,
      date: TODAY,
      doctors: [
        { doctor_id: 1, name: 'Dr. Sharma', now_serving: 'S-2' },
        { doctor_id: 2, name: 'Dr. Patel', now_serving: null },
        { doctor_id: 3, name: 'Dr. Iyer', now_serving: null },
      ],
    });
    expect(r.text).not.toMatch(/98110000|IVR Patient|Asha/);
    expect((await api.call('GET', '/api/clinics/77/queue')).body).toMatchObject({ error: 'not_found' });
  });

  it('SSE: one event on connect; a call next on one api process reaches a screen on the other within a second', async () => {
    await ivrBook(api, '+919811000004', '10:00', 2); // Dr. Patel P-1
    await ivrBook(api, '+919811000005', '10:20', 2); // P-2
    const other = await secondApi();
    const stream = await openStream(`${other.base}/api/clinics/1/queue/events`);
    try {
      expect(stream.res.status).toBe(200);
      expect(stream.res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const hello = await stream.next(1);
      expect(hello.event).toBe('queue');
      expect(JSON.parse(hello.data)).toEqual((await api.call('GET', '/api/clinics/1/queue')).body);

      const latencies: number[] = [];
      for (const expected of ['P-1', 'P-2']) {
        const t0 = Date.now();
        const r = await api.call('POST', '/api/admin/doctors/2/queue/next', { token: staff });
        expect(r.body.now_serving).toBe(expected);
        const ev = await stream.next(stream.events.length + 1, 1_000);
        latencies.push(ev.at - t0);
        const patel = JSON.parse(ev.data).doctors.find((d: any) => d.doctor_id === 2);
        expect(patel).toEqual({ doctor_id: 2, name: 'Dr. Patel', now_serving: expected });
      }
      console.log('[queue] call next → SSE event on the other process (ms):', JSON.stringify(latencies));
      expect(Math.max(...latencies)).toBeLessThan(1_000);
      // Nothing changed: no repeated events.
      const seen = stream.events.length;
      await new Promise((r) => setTimeout(r, 600));
      expect(stream.events.length).toBe(seen);
      expect(stream.events.every((e) => !/98110000|IVR Patient/.test(e.data))).toBe(true);
      expect((await fetch(`${other.base}/api/clinics/77/queue/events`)).status).toBe(404);
      const bad = await fetch(`${other.base}/api/clinics/first/queue/events`);
      expect([bad.status, ((await bad.json()) as { error: string }).error]).toEqual([400, 'validation_error']);
    } finally {
      await stream.close();
    }
    // A closing server ends its open streams instead of leaving screens hanging on a dead process
    // (their EventSource then reconnects, to another process behind the proxy).
    const lingering = await openStream(`${other.base}/api/clinics/1/queue/events`);
    await lingering.next(1);
    const t0 = Date.now();
    const endedAfter = (async () => {
      while (!lingering.ended) await new Promise((r) => setTimeout(r, 5));
      return Date.now() - t0;
    })();
    await other.close();
    expect(await endedAfter).toBeLessThan(1_000);
    await lingering.close();
  });
});

describe('desk bookings', () => {
  it('a walk-in booked at the desk for a phone with a web account lands on that account, with the confirmation SMS', async () => {
    const phone = '+919833300001';
    const web = await registered(api, phone, 'ravi.k');
    const before = api.sms(phone).length;
    const r = await api.call('POST', '/api/admin/appointments', {
      token: staff,
      body: { phone_number: '098333 00001', doctor_id: 3, date: TODAY, time: '11:30', name: 'Someone Else' },
    });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ channel: 'desk', patient_name: 'Asha Rao', phone_number: phone, status: 'booked' });
    const mine = await api.call('GET', '/api/me/appointments', { token: web.token });
    expect(mine.body.appointments).toEqual([expect.objectContaining({ id: r.body.id, channel: 'desk', doctor: 'Dr. Iyer', time: '11:30' })]);
    const sent = api.sms(phone).slice(before);
    expect(sent.map((s) => s.kind)).toEqual(['confirmation']);
    expect(sent[0]!.body).toBe(`MedQ: appointment confirmed with Dr Iyer on Mon 30 Nov at 11:30. Token ${r.body.token}.`);
    const accounts = api.t.db.$client.prepare('select count(*) as n from accounts where phone = ?').get(phone);
    expect(accounts).toEqual({ n: 1 });
  });
});
