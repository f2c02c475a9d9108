// GET /api/doctors/:id/slots gives a kept answer while nothing it was made from changed (issue 10).
// Each test first shows the answer IS kept (a second request recomputes nothing), then changes one
// input and shows the next answer has it: a kept answer that went stale fails here.
// The clock is Monday 30 Nov 2026, 08:00 in Kolkata (tests/support/db.ts); Dr. Sharma (1) has
// capacity-1 slots 09:00–12:45 and 16:00–18:45 on weekdays.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { addClosedDate, removeClosedDate, replaceSchedules } from '../../src/sync/admin.js';
import { placeHold } from '../../src/sync/availability.js';
import { abort } from '../../src/sync/context.js';
import { bookByPhone, createSyncContext, fail, freeSlots, freeSlotsComputed, offerNextSlot, writeTx } from '../../src/sync/index.js';
import { ivrBook, registered, startApi, type TestApi } from './helpers.js';

const MONDAY = '2026-11-30';
const TUESDAY = '2026-12-01';
const SHARMA = 1;

let api: TestApi;
let other: Db | null = null;
beforeEach(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
});
afterEach(async () => {
  other?.$client.close();
  other = null;
  await api?.close();
});

/** The times listed, and how many times the list was read from the database for them. */
async function slots(date = MONDAY, doctor = SHARMA): Promise<{ times: string[]; computed: number; body: any }> {
  const before = freeSlotsComputed();
  const r = await api.call('GET', `/api/doctors/${doctor}/slots?date=${date}`);
  expect(r.status).toBe(200);
  return { times: r.body.slots.map((s: { time: string }) => s.time), computed: freeSlotsComputed() - before, body: r.body };
}

/** Asks twice: the second answer must be the kept one (nothing recomputed) and the same. */
async function kept(date = MONDAY, doctor = SHARMA): Promise<string[]> {
  const first = await slots(date, doctor);
  const again = await slots(date, doctor);
  expect(again.computed, 'the second request recomputed: the answer was not kept').toBe(0);
  expect(again.body).toEqual(first.body);
  return again.times;
}

/** A second connection to the same file, as another process (the IVR, the SMS worker) has. */
function otherConnection() {
  other = openDatabase(api.t.path);
  return createSyncContext(other, api.t.config, () => api.t.clock.now);
}

describe('the slots answer is kept, and given only while it still holds', () => {
  it('keeps the answer per doctor and day: a repeat request reads nothing', async () => {
    const first = await slots();
    expect(first.computed).toBe(1);
    expect(first.times).toHaveLength(28);
    for (let i = 0; i < 5; i++) expect((await slots()).computed).toBe(0);
    // Another day and another doctor are answers of their own.
    expect((await slots(TUESDAY)).computed).toBe(1);
    expect((await slots(MONDAY, 2)).computed).toBe(1);
    expect((await slots()).computed).toBe(0);
    // A clock later in the same minute keeps it too.
    api.t.clock.advance(59_000);
    expect((await slots()).computed).toBe(0);
  });

  it('keeps at most 4,096 answers per connection: the one kept longest goes first', () => {
    const ask = (doctorId: number) => {
      const before = freeSlotsComputed();
      freeSlots(api.t.ctx, doctorId, MONDAY);
      return freeSlotsComputed() - before;
    };
    expect(ask(1)).toBe(1);
    for (let id = 1000; id < 1000 + 4095; id++) ask(id); // unknown doctors: answers (null) too
    expect(ask(1)).toBe(0); // 4,096 kept, the first among them
    expect(ask(9999)).toBe(1); // the 4,097th pushes out the oldest kept (doctor 1)…
    expect(ask(1000)).toBe(0);
    expect(ask(9999)).toBe(0);
    expect(ask(1)).toBe(1); // …which is read again (and pushes out doctor 1000)
    expect(ask(1000)).toBe(1);
  });

  it('a booking committed by another connection (another process) takes its seat out of the next answer', async () => {
    expect(await kept()).toContain('09:00');
    const ctx2 = otherConnection();
    const r = await bookByPhone(ctx2, { phone: '+919800000001', doctorId: SHARMA, date: MONDAY, time: '09:00' });
    expect(r.ok).toBe(true);
    const after = await slots();
    expect(after.times).not.toContain('09:00');
    expect(after.times).toHaveLength(27);
    expect(await kept()).not.toContain('09:00');
  });

  it('a booking through the same connection (IVR and web) takes its seat out of the next answer', async () => {
    expect(await kept()).toContain('09:15');
    await ivrBook(api, '+919800000002', '09:15', SHARMA, MONDAY);
    expect((await slots()).times).not.toContain('09:15');

    expect(await kept()).toContain('09:30');
    const { token } = await registered(api, '+919876543210', 'asha');
    const booked = await api.call('POST', '/api/me/appointments', { token, body: { doctor_id: SHARMA, date: MONDAY, time: '09:30' } });
    expect(booked.status).toBe(201);
    expect((await slots()).times).not.toContain('09:30');
    // And a cancellation gives the seat back.
    expect(await kept()).not.toContain('09:30');
    expect((await api.call('POST', `/api/me/appointments/${booked.body.id}/cancel`, { token })).status).toBeLessThan(300);
    expect((await slots()).times).toContain('09:30');
  });

  it('a hold that expires frees its seat with no write at all; a clock set back counts it again', async () => {
    api.t.clock.set('2026-11-30T08:00:10+05:30');
    const offer = offerNextSlot(api.t.ctx, SHARMA, 'call-1');
    expect(offer.ok && offer.value.time).toBe('09:00');
    expect(await kept()).not.toContain('09:00');
    // The hold runs to 08:01:10. In the next minute, still held (recomputed once for the new minute)…
    api.t.clock.set('2026-11-30T08:01:05+05:30');
    expect(await kept()).not.toContain('09:00');
    // …and at 08:01:10, the same minute and no write since, the seat is free again.
    api.t.clock.set('2026-11-30T08:01:10+05:30');
    const freed = await slots();
    expect(freed.computed).toBe(1);
    expect(freed.times).toContain('09:00');
    expect(await kept()).toContain('09:00');
    // The hold's row is still there: a clock set back before its expiry (same minute) counts it again.
    api.t.clock.set('2026-11-30T08:01:09+05:30');
    expect((await slots()).times).not.toContain('09:00');
  });

  it('a hold placed by another connection takes its seat at once', async () => {
    expect(await kept()).toContain('09:00');
    const r = offerNextSlot(otherConnection(), SHARMA, 'call-2');
    expect(r.ok && r.value.time).toBe('09:00');
    expect((await slots()).times).not.toContain('09:00');
  });

  it('the minute turning drops a slot whose time has come', async () => {
    api.t.clock.set('2026-11-30T08:59:30+05:30');
    expect((await kept())[0]).toBe('09:00');
    api.t.clock.set('2026-11-30T09:00:00+05:30');
    const now = await slots();
    expect(now.times[0]).toBe('09:15');
    expect(now.times).toHaveLength(27);
    // Back to 08:59 (a clock set back): the slot is listed again.
    api.t.clock.set('2026-11-30T08:59:59+05:30');
    expect((await slots()).times[0]).toBe('09:00');
  });

  it('the horizon moves with the clock: a day that opens for booking lists its slots', async () => {
    // 90 days after Monday 30 Nov 2026 is Sunday 28 Feb 2027; Monday 1 Mar 2027 opens a day later.
    const far = '2027-03-01';
    expect(await kept(far)).toEqual([]);
    api.t.clock.set('2026-12-01T08:00:00+05:30');
    expect((await slots(far)).times).toHaveLength(28);
  });

  it('a closed date and a schedule change show in the next answer (same connection and another one)', async () => {
    expect(await kept(TUESDAY)).toHaveLength(28);
    const closed = addClosedDate(api.t.ctx, { clinicId: 1, doctorId: SHARMA, date: TUESDAY, reason: 'leave' });
    expect(closed.ok).toBe(true);
    expect(await kept(TUESDAY)).toEqual([]);
    expect(removeClosedDate(api.t.ctx, closed.ok ? closed.value.closedDate.id : -1).ok).toBe(true);
    expect(await kept(TUESDAY)).toHaveLength(28);

    // The whole clinic closed, by another connection.
    const ctx2 = otherConnection();
    expect(addClosedDate(ctx2, { clinicId: 1, date: TUESDAY }).ok).toBe(true);
    expect(await kept(TUESDAY)).toEqual([]);
    expect(await kept(TUESDAY, 2)).toEqual([]);
    expect(await kept(MONDAY)).toHaveLength(28);

    // A new schedule, by another connection: Mondays 10:00–11:00 in 30-minute slots of 2 seats.
    const r = replaceSchedules(ctx2, SHARMA, [{ weekday: 1, startTime: '10:00', endTime: '11:00', slotMinutes: 30, capacity: 2 }]);
    expect(r.ok).toBe(true);
    const after = await slots(MONDAY);
    expect(after.body.slots).toEqual([
      { time: '10:00', token: 'S-1', seats_left: 2 },
      { time: '10:30', token: 'S-3', seats_left: 2 },
    ]);
  });

  it('a doctor made inactive is a 404 at once', async () => {
    await kept();
    otherConnection();
    other!.$client.prepare('UPDATE doctors SET active = 0 WHERE id = ?').run(SHARMA);
    expect((await api.call('GET', `/api/doctors/${SHARMA}/slots?date=${MONDAY}`)).status).toBe(404);
  });

  it('inside a write transaction nothing kept is given and nothing is kept (a rolled-back write leaves no trace)', async () => {
    expect(await kept()).toContain('09:00');
    let inside: readonly string[] = [];
    const r = writeTx(api.t.ctx, (tx) => {
      placeHold(tx, SHARMA, { date: MONDAY, time: '09:00' }, 'rolled-back', api.t.clock.now);
      inside = freeSlots(api.t.ctx, SHARMA, MONDAY)!.map((s) => s.time);
      abort(fail('not_found', 'roll it back'));
    });
    expect(r).toMatchObject({ ok: false });
    // The transaction saw its own hold, not the answer kept from before it.
    expect(inside).not.toContain('09:00');
    // After the rollback the seat is free: no answer was kept from inside the transaction.
    expect(await kept()).toContain('09:00');
  });
});
