// A signed-in request's account row and GET /api/me/appointments' list are kept per connection
// while the database is unchanged (issue 10). Each test first shows the answer IS kept (a repeat
// request reads nothing), then changes the data, from this process or from another connection to
// the same file (as the IVR, the SMS worker or the `medq` command are), and shows the next answer
// has the change: a kept answer that went stale fails here.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { abort } from '../../src/sync/context.js';
import { KeptReads } from '../../src/sync/kept-reads.js';
import {
  accountById,
  appointmentsOfAccount,
  bookByPhone,
  cancelAppointment,
  createSyncContext,
  fail,
  hashPassword,
  keptReadsComputed,
  writeTx,
} from '../../src/sync/index.js';
import { resetStaffPassword } from '../../src/sync/staff.js';
import { registered, startApi, staffToken, type TestApi } from './helpers.js';

const PHONE = '+919812345001';
let api: TestApi;
let other: Db | null = null;
let token: string;
let accountId: number;

beforeEach(async () => {
  api = await startApi({ env: { PHONE_VERIFICATION: 'off' } });
  const r = await registered(api, PHONE, 'kept.reader');
  token = r.token;
  accountId = r.user.id;
});
afterEach(async () => {
  other?.$client.close();
  other = null;
  await api?.close();
});

/** A second connection to the same file, as another process has. */
function otherConnection() {
  other = openDatabase(api.t.path);
  return createSyncContext(other, api.t.config, () => api.t.clock.now);
}

/** The list as the patient sees it, and how many reads of the database it took. */
async function list(auth = token) {
  const before = keptReadsComputed();
  const r = await api.call('GET', '/api/me/appointments', { token: auth });
  const after = keptReadsComputed();
  return {
    status: r.status,
    body: r.body,
    read: { accounts: after.accounts - before.accounts, lists: after.appointmentLists - before.appointmentLists },
  };
}

/** Asks twice: the second answer must be the kept one (nothing read) and the same. */
async function kept(auth = token) {
  const first = await list(auth);
  const again = await list(auth);
  expect(again.read, 'the repeat request read the database: the answer was not kept').toEqual({ accounts: 0, lists: 0 });
  expect(again.body).toEqual(first.body);
  return again.body.appointments as Array<{ id: number; time: string; status: string }>;
}

/** One booking per doctor and day each: Dr. Sharma (1) on Monday 30 Nov, otherwise the doctor given. */
async function bookOnWeb(time: string, doctorId = 1) {
  const r = await api.call('POST', '/api/me/appointments', { token, body: { doctor_id: doctorId, date: '2026-11-30', time } });
  expect(r.status).toBe(201);
  return r.body.id as number;
}

describe("the account and its appointment list are kept, and given only while they still hold", () => {
  it('a repeat request reads nothing; another account is an answer of its own', async () => {
    const second = await registered(api, '+919812345002', 'kept.second');
    await bookOnWeb('09:00');
    const first = await list();
    expect(first.read).toEqual({ accounts: 1, lists: 1 });
    expect(first.body.appointments.map((a: { time: string }) => a.time)).toEqual(['09:00']);
    expect((await kept()).map((a) => a.time)).toEqual(['09:00']);
    expect((await list(second.token)).read).toEqual({ accounts: 1, lists: 1 });
    expect((await list(second.token)).body.appointments).toEqual([]);
    expect((await list()).read).toEqual({ accounts: 0, lists: 0 });
  });

  it("a booking on this server (this connection's write) is in the next list", async () => {
    await bookOnWeb('09:00');
    await kept();
    await bookOnWeb('10:00', 2);
    const after = await list();
    expect(after.read.lists).toBe(1);
    expect(after.body.appointments.map((a: { time: string }) => a.time)).toEqual(['10:00', '09:00']);
  });

  it("a phone booking committed by another process is in the next list", async () => {
    await bookOnWeb('09:00');
    await kept();
    const ivr = otherConnection();
    const r = await bookByPhone(ivr, { phone: PHONE, doctorId: 2, date: '2026-11-30', time: '10:00' });
    expect(r.ok).toBe(true);
    const after = await list();
    expect(after.read.lists).toBe(1);
    expect(after.body.appointments.map((a: { time: string; channel: string }) => [a.time, a.channel])).toEqual([
      ['10:00', 'ivr'],
      ['09:00', 'web'],
    ]);
  });

  it('a cancellation by another process shows as cancelled at once', async () => {
    const id = await bookOnWeb('09:00');
    expect((await kept())[0]!.status).toBe('booked');
    const r = cancelAppointment(otherConnection(), { appointmentId: id, accountId });
    expect(r.ok).toBe(true);
    expect((await list()).body.appointments[0].status).toBe('cancelled');
  });

  it("a password reset by the `medq` command in another process ends the old token at its next request", async () => {
    const staff = await staffToken(api);
    const me = () => api.call('GET', '/api/me', { token: staff });
    expect((await me()).status).toBe(200);
    const before = keptReadsComputed().accounts;
    expect((await me()).status).toBe(200);
    expect(keptReadsComputed().accounts - before, 'the staff account row was not kept').toBe(0);
    const reset = resetStaffPassword(otherConnection(), { username: 'reception', passwordHash: await hashPassword('new-staff-pass-1'), mustChangePassword: false });
    expect(reset.ok).toBe(true);
    const after = await me();
    expect(after.status).toBe(401);
    expect(after.body.error).toBe('unauthorized');
  });

  it('inside a write transaction nothing kept is given and nothing read there is kept', () => {
    const ctx = api.t.ctx;
    const outside = accountById(ctx, accountId)!;
    expect(accountById(ctx, accountId)).toBe(outside); // kept
    const r = writeTx(ctx, () => {
      ctx.db.$client.prepare("UPDATE accounts SET display_name = 'Rolled Back' WHERE id = ?").run(accountId);
      const inside = accountById(ctx, accountId)!;
      expect(inside.displayName).toBe('Rolled Back');
      abort(fail('not_found', 'roll back'));
    });
    expect(r).toMatchObject({ ok: false });
    const before = keptReadsComputed().accounts;
    expect(accountById(ctx, accountId)!.displayName).toBe(outside.displayName);
    expect(keptReadsComputed().accounts - before, 'the row read after the rollback must be read again').toBe(1);
  });

  it('kept answers are frozen: a caller cannot change what the next request gets', () => {
    const ctx = api.t.ctx;
    const account = accountById(ctx, accountId)!;
    expect(() => {
      (account as { role: string }).role = 'staff';
    }).toThrow(TypeError);
    const rows = appointmentsOfAccount(ctx, accountId);
    expect(() => (rows as unknown[]).push({})).toThrow(TypeError);
    expect(accountById(ctx, accountId)!.role).toBe('patient');
  });
});

describe('KeptReads', () => {
  it('keeps at most `max` keys per connection: the one kept longest goes first', () => {
    const ctx = api.t.ctx;
    const reads = new KeptReads<number, number>(3);
    let runs = 0;
    const read = (k: number) => reads.read(ctx, k, () => (runs++, k * 10));
    for (const k of [1, 2, 3]) expect(read(k)).toBe(k * 10);
    expect(runs).toBe(3);
    read(1);
    expect(runs).toBe(3); // all three kept
    read(4); // the fourth pushes out the oldest (1)
    expect(runs).toBe(4);
    read(2);
    read(3);
    read(4);
    expect(runs).toBe(4);
    read(1);
    expect(runs).toBe(5);
  });
});
