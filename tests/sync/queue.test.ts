// The token queue (SPEC §11) on a real SQLite file: call next in token order, skipped tokens
// called by name, arrivals, the public view, positions for the IVR and the "queue near" SMS.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookByPhone, cancelAppointment, setAppointmentOutcome } from '../../src/sync/index.js';
import { callNext, clinicQueue, markArrived, queuePositions, queueVersion } from '../../src/sync/queue.js';
import { createTestDb, type TestDb } from '../support/db.js';

const TODAY = '2026-11-30'; // the test clock's Monday (08:00 in Kolkata)
let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

const phone = (n: number) => `+91987650${String(1000 + n)}`;
const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] => t.db.$client.prepare(sql).all(...params) as T[];

/** Books Dr. Sharma (doctor 1, 15-minute slots from 09:00: S-1 = 09:00) for person n at a slot index. */
async function book(n: number, token: number, date = TODAY, channel: 'ivr' | 'desk' = 'ivr') {
  const mins = 9 * 60 + (token - 1) * 15;
  const time = `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
  const r = await bookByPhone(t.ctx, { phone: phone(n), doctorId: 1, date, time, channel });
  if (!r.ok) throw new Error(`booking ${n}: ${r.code}`);
  expect(r.value.token).toBe(`S-${token}`);
  return r.value.appointmentId;
}

const serving = () => clinicQueue(t.ctx, 1)!.doctors.find((d) => d.doctorId === 1)!.nowServing;
const nearSms = () => q<{ phone: string; body: string; dedupe_key: string; appointment_id: number }>(
  "select phone, body, dedupe_key, appointment_id from sms_outbox where kind = 'queue_near' order by id",
);

describe('call next', () => {
  it('moves through booked and arrived tokens in token order; cancelled ones are never called; skipped ones stay callable by name', async () => {
    await book(1, 1);
    const b2 = await book(2, 2);
    const a3 = await book(3, 3);
    await book(5, 5);
    await book(6, 6);
    expect(cancelAppointment(t.ctx, { appointmentId: b2 }).ok).toBe(true);
    expect(markArrived(t.ctx, a3)).toEqual({ ok: true, value: { appointmentId: a3 } });
    expect(serving()).toBeNull();

    const moves: (string | null)[] = [];
    const next = (token?: string) => {
      const r = callNext(t.ctx, 1, token === undefined ? {} : { token });
      moves.push(r.ok ? r.value.nowServing : r.code);
      return r;
    };
    next(); // S-1
    next(); // S-3 (S-2 cancelled)
    next('s-6'); // reception skips S-5
    const empty = next();
    next('S-5');
    next('S-2');
    next('S-9');
    expect(moves).toEqual(['S-1', 'S-3', 'S-6', 'queue_empty', 'S-5', 'not_callable', 'not_found']);
    expect(empty.ok ? null : empty.message).toBe('No later token is waiting for Dr. Sharma. Skipped: S-5 (call one by its token).');
    expect(serving()).toBe('S-5');
    expect(q('select now_serving, date from queue_state')).toEqual([{ now_serving: 'S-5', date: TODAY }]);
    // Called tokens carry the moment; the arrived one stays arrived; the cancelled one was never called.
    expect(q('select token_number, status, called_at is not null as called from appointments order by id')).toEqual([
      { token_number: 'S-1', status: 'booked', called: 1 },
      { token_number: 'S-2', status: 'cancelled', called: 0 },
      { token_number: 'S-3', status: 'arrived', called: 1 },
      { token_number: 'S-5', status: 'booked', called: 1 },
      { token_number: 'S-6', status: 'booked', called: 1 },
    ]);
    expect(next().ok).toBe(false);
  });

  it('completed and no-show bookings are never called; an empty day says so', async () => {
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: false, code: 'queue_empty', message: 'No token is waiting for Dr. Sharma today.' });
    const a1 = await book(1, 1);
    const a2 = await book(2, 2);
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-1', date: TODAY } });
    // A called token can be completed before its slot's time; S-2's slot has come by 09:20.
    expect(setAppointmentOutcome(t.ctx, a1, 'completed').ok).toBe(true);
    t.clock.set('2026-11-30T09:20:00+05:30');
    expect(setAppointmentOutcome(t.ctx, a2, 'no_show').ok).toBe(true);
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: false, code: 'queue_empty' });
    expect(callNext(t.ctx, 1, { token: 'S-2' })).toMatchObject({ ok: false, code: 'not_callable', message: 'Token S-2 is no-show: it cannot be called.' });
    expect(callNext(t.ctx, 99)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it("follows the clinic's calendar: tomorrow's bookings are not in today's queue", async () => {
    await book(1, 1, '2026-12-01');
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: false, code: 'queue_empty' });
    t.clock.set('2026-12-01T00:30:00+05:30'); // still 30 Nov in UTC
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-1', date: '2026-12-01' } });
  });

  it('every change bumps the version other processes poll, also within one millisecond', async () => {
    await book(1, 1);
    await book(2, 2);
    const v0 = queueVersion(t.ctx);
    callNext(t.ctx, 1);
    const v1 = queueVersion(t.ctx);
    callNext(t.ctx, 1); // the test clock stands still
    const v2 = queueVersion(t.ctx);
    expect(v0).toBe(0);
    expect(v1).toBeGreaterThan(v0);
    expect(v2).toBeGreaterThan(v1);
  });
});

describe('arrivals', () => {
  it('marks a booking of today arrived, once; refuses other days and finished bookings', async () => {
    const a = await book(1, 1);
    const later = await book(2, 1, '2026-12-01');
    const gone = await book(3, 2);
    expect(cancelAppointment(t.ctx, { appointmentId: gone }).ok).toBe(true);
    expect(markArrived(t.ctx, a).ok).toBe(true);
    expect(markArrived(t.ctx, a).ok).toBe(true);
    expect(q('select status, arrived_at from appointments where id = ?', a)).toEqual([{ status: 'arrived', arrived_at: t.clock.now.toISOString() }]);
    expect(markArrived(t.ctx, later)).toMatchObject({ ok: false, code: 'not_today' });
    expect(markArrived(t.ctx, gone)).toMatchObject({ ok: false, code: 'not_callable' });
    expect(markArrived(t.ctx, 999)).toMatchObject({ ok: false, code: 'not_found' });
  });

  it('an arrived booking is still live: no second booking with the doctor that day, it counts to the limit, it can be cancelled', async () => {
    const a = await book(1, 1);
    expect(markArrived(t.ctx, a).ok).toBe(true);
    const again = await bookByPhone(t.ctx, { phone: phone(1), doctorId: 1, date: TODAY, time: '11:00' });
    expect(again).toMatchObject({ ok: false, code: 'already_booked_with_doctor' });
    await bookByPhone(t.ctx, { phone: phone(1), doctorId: 2, date: TODAY, time: '10:00' });
    await bookByPhone(t.ctx, { phone: phone(1), doctorId: 2, date: '2026-12-01', time: '10:00' });
    const fourth = await bookByPhone(t.ctx, { phone: phone(1), doctorId: 3, date: TODAY, time: '11:00' });
    expect(fourth).toMatchObject({ ok: false, code: 'appointment_limit' });
    expect(cancelAppointment(t.ctx, { appointmentId: a }).ok).toBe(true);
  });
});

describe('the public view and positions', () => {
  it('lists the active doctors with the token now served, and nothing about patients', async () => {
    await book(1, 1);
    callNext(t.ctx, 1);
    const view = clinicQueue(t.ctx, 1);
    expect(view).toEqual({
      clinicId: 1,
      date: TODAY,
      doctors: [
        { doctorId: 1, name: 'Dr. Sharma', nowServing: 'S-1' },
        { doctorId: 2, name: 'Dr. Patel', nowServing: null },
        { doctorId: 3, name: 'Dr. Iyer', nowServing: null },
      ],
    });
    expect(JSON.stringify(view)).not.toContain(phone(1));
    expect(clinicQueue(t.ctx, 42)).toBeNull();
  });

  it("tells a booking of today how many patients are before it", async () => {
    const ids = [await book(1, 1), await book(2, 2), await book(3, 3), await book(4, 4), await book(5, 5)];
    const tomorrow = await book(6, 1, '2026-12-01');
    const at = (id: number) => queuePositions(t.ctx, [id], 'Asia/Kolkata').get(id);
    expect(at(ids[4]!)).toEqual({ nowServing: null, standing: 'not_started', before: 4 });
    callNext(t.ctx, 1);
    callNext(t.ctx, 1);
    callNext(t.ctx, 1); // S-3 now served: S-3 and S-4 before S-5
    expect(at(ids[4]!)).toEqual({ nowServing: 'S-3', standing: 'waiting', before: 2 });
    expect(at(ids[2]!)).toEqual({ nowServing: 'S-3', standing: 'serving', before: 0 });
    expect(at(ids[0]!)).toEqual({ nowServing: 'S-3', standing: 'passed', before: 0 });
    expect(setAppointmentOutcome(t.ctx, ids[2]!, 'completed').ok).toBe(true);
    expect(at(ids[4]!)).toEqual({ nowServing: 'S-3', standing: 'waiting', before: 1 });
    expect(at(tomorrow)).toBeUndefined();
  });
});

describe('"queue near" SMS', () => {
  it('goes once per booking when the served token is two before it; never to an opted-out phone, a cancelled or a served booking', async () => {
    const ids: number[] = [];
    for (let n = 1; n <= 7; n++) ids.push(await book(n, n));
    t.db.$client.prepare('insert into sms_opt_outs (phone) values (?)').run(phone(4));
    expect(cancelAppointment(t.ctx, { appointmentId: ids[5]! }).ok).toBe(true); // S-6

    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-1', nearSms: 2 } }); // S-2, S-3
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-2', nearSms: 0 } }); // S-4 opted out
    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-3', nearSms: 1 } }); // S-5
    expect(callNext(t.ctx, 1, { token: 'S-2' }).ok).toBe(true); // called again: nothing new
    expect(callNext(t.ctx, 1, { token: 'S-5' })).toMatchObject({ ok: true, value: { nearSms: 1 } }); // S-7 (S-6 cancelled)
    expect(nearSms().map((s) => [s.phone, s.dedupe_key])).toEqual([
      [phone(2), `queue_near:${ids[1]}`],
      [phone(3), `queue_near:${ids[2]}`],
      [phone(5), `queue_near:${ids[4]}`],
      [phone(7), `queue_near:${ids[6]}`],
    ]);
    expect(nearSms()[2]!.body).toBe('MedQ: your turn at MedQ Demo Clinic is near. Now serving S-3; your token S-5 with Dr Sharma.');
    expect(nearSms().every((s, i) => s.appointment_id === [ids[1], ids[2], ids[4], ids[6]][i])).toBe(true);
  });
});
