// SPEC §10 retention: the daily job on a real SQLite file, with the clock moved by the test.
import { eq } from 'drizzle-orm';
import { afterEach, describe, expect, it } from 'vitest';
import { appointments, jobLeases, rateEvents, slotHolds, smsOutbox, verifications } from '../../src/db/schema.js';
import { openDatabase } from '../../src/db/client.js';
import { startSmsRole } from '../../src/sms/index.js';
import { bookByPhone, completeVerification, createSyncContext, offerNextSlot, startVerification, writeTx } from '../../src/sync/index.js';
import { enqueueSms, type OutgoingSms } from '../../src/sync/outbox.js';
import { takeRateToken } from '../../src/sync/rate-limit.js';
import { runRetention, startRetentionSchedule } from '../../src/sync/retention.js';
import { captureLogs, smsConfig } from '../sms/helpers.js';
import { createTestDb, plan, statementsOf, type TestDb } from '../support/db.js';

let t: TestDb;
afterEach(() => t?.close());

const HOUR = 3600_000;
const T0 = '2026-11-30T08:00:00+05:30'; // Monday morning in Kolkata

async function book(phone: string, date: string, time: string) {
  const r = await bookByPhone(t.ctx, { phone, doctorId: 1, date, time });
  if (!r.ok) throw new Error(`booking failed: ${r.code}`);
  return r.value.appointmentId;
}

function queue(sms: OutgoingSms): number {
  return writeTx(t.ctx, (tx) => enqueueSms(tx, sms, t.ctx.now()));
}

const row = (id: number) => t.db.select().from(smsOutbox).where(eq(smsOutbox.id, id)).get()!;
const smsOf = (appointmentId: number, kind: string) =>
  t.db.select().from(smsOutbox).where(eq(smsOutbox.appointmentId, appointmentId)).all().find((s) => s.kind === kind)!;
const verificationIds = () => t.db.select({ id: verifications.id }).from(verifications).all().map((v) => v.id).sort();
const register = (phone: string, username: string) =>
  startVerification(t.ctx, { purpose: 'register', input: { phone, name: 'Asha', age: 30, username, passwordHash: 'x' } });

describe('retention job (SPEC §10)', () => {
  it('removes what is no longer needed, day by day, and touches nothing still needed', async () => {
    t = createTestDb({ at: T0 });

    // Monday 08:00: bookings today 10:00 (A), tomorrow 10:00 (B), Thursday 10:00 (D).
    const a = await book('+919800000001', '2026-11-30', '10:00');
    const b = await book('+919800000002', '2026-12-01', '10:00');
    const d = await book('+919800000004', '2026-12-03', '10:00');
    const queueNearA = queue({ kind: 'queue_near', phone: '+919800000001', body: 'MedQ: your turn is near.', appointmentId: a });
    const reminderB = queue({ kind: 'reminder', phone: '+919800000002', body: 'MedQ: reminder.', appointmentId: b });
    const reminderD = queue({ kind: 'reminder', phone: '+919800000004', body: 'MedQ: reminder.', appointmentId: d });
    // A cancellation is not dropped by the job, whenever its appointment was.
    const cancellationA = queue({ kind: 'cancellation', phone: '+919800000001', body: 'MedQ: cancelled.', appointmentId: a });
    // A code sent (and accepted by the SMSC) whose body an older worker did not blank.
    const c = register('+919800000003', 'user-c');
    if (!c.ok) throw new Error(c.code);
    const otpC = t.db.select().from(smsOutbox).where(eq(smsOutbox.verificationId, c.value.verificationId)).get()!;
    t.db.update(smsOutbox).set({ state: 'sent' }).where(eq(smsOutbox.id, otpC.id)).run();
    // A code still queued (the SMSC was down), for another phone.
    const e = register('+919800000005', 'user-e');
    if (!e.ok) throw new Error(e.code);
    const otpE = t.db.select().from(smsOutbox).where(eq(smsOutbox.verificationId, e.value.verificationId)).get()!;
    takeRateToken(t.ctx, 'test:old', 10, HOUR);

    // Monday 11:00: A's time has passed.
    t.clock.set('2026-11-30T11:00:00+05:30');
    const liveHold = offerNextSlot(t.ctx, 2, 'call-1');
    if (!liveHold.ok) throw new Error(liveHold.code);
    t.db.insert(slotHolds).values({ doctorId: 2, date: '2026-12-01', slotTime: '10:00', holder: 'crashed-call', expiresAt: t.clock.now.getTime() - 1000 }).run();
    const before = new Map(t.db.select().from(smsOutbox).all().map((s) => [s.id, s]));

    const run1 = runRetention(t.ctx, 'test-1');
    expect(run1).toEqual({
      ran: true,
      counts: {
        verificationsDeleted: 0,
        secretBodiesBlanked: 2,
        secretSmsExpired: 1,
        pastAppointmentSmsDropped: 1,
        rateEventsDeleted: 0,
        holdsDeleted: 1,
      },
    });
    // A's confirmation (its time passed) is dropped unsent; its queue SMS waits for the day's end.
    expect(smsOf(a, 'confirmation')).toMatchObject({ state: 'expired', lastError: expect.stringMatching(/already past/) });
    expect(smsOf(a, 'confirmation').body).toBe(before.get(smsOf(a, 'confirmation').id)!.body);
    expect(row(queueNearA)).toEqual(before.get(queueNearA));
    // The codes: the queued one never goes out late and loses its code; the sent one loses it too.
    expect(row(otpE.id)).toMatchObject({ state: 'expired', body: '' });
    expect(row(otpC.id)).toMatchObject({ state: 'sent', body: '' });
    // Welcome SMS (3 h old) keep their passwords for now; B's and D's messages are untouched.
    for (const s of t.db.select().from(smsOutbox).all()) {
      if ([smsOf(a, 'confirmation').id, otpE.id, otpC.id].includes(s.id)) continue;
      expect(s, `${s.kind} ${s.id}`).toEqual(before.get(s.id));
    }
    // Verifications expired under 24 h ago stay; the live hold stays, the dead one goes.
    expect(verificationIds()).toEqual([c.value.verificationId, e.value.verificationId].sort());
    expect(t.db.select({ holder: slotHolds.holder }).from(slotHolds).all()).toEqual([{ holder: 'call-1' }]);
    // test:old and the two codes' budget events are 3 hours old: kept.
    expect(t.db.select().from(rateEvents).all()).toHaveLength(3);

    // Run again an hour later (another process): not due, nothing changes.
    t.clock.advance(HOUR);
    const snapshot = t.db.select().from(smsOutbox).all();
    expect(runRetention(t.ctx, 'test-2')).toEqual({ ran: false, lastRunAt: new Date('2026-11-30T11:00:00+05:30').getTime() });
    expect(t.db.select().from(smsOutbox).all()).toEqual(snapshot);

    // Tuesday: C's verification is used (at 10:30); F starts at 10:50.
    t.clock.set('2026-12-01T10:30:00+05:30');
    const c2 = register('+919800000003', 'user-c');
    if (!c2.ok) throw new Error(c2.code);
    const code = /code: (\d{6})/.exec(t.db.select().from(smsOutbox).where(eq(smsOutbox.verificationId, c2.value.verificationId)).get()!.body)![1]!;
    expect(completeVerification(t.ctx, c2.value.verificationId, code).ok).toBe(true);
    t.clock.set('2026-12-01T10:50:00+05:30');
    const f = register('+919800000006', 'user-f');
    if (!f.ok) throw new Error(f.code);
    takeRateToken(t.ctx, 'test:new', 10, HOUR);

    // Tuesday 11:00, a day after the first run.
    t.clock.set('2026-12-01T11:00:00+05:30');
    const run2 = runRetention(t.ctx, 'test-2');
    expect(run2.ran).toBe(true);
    if (!run2.ran) return;
    // (Monday's code-budget events left with today's first code: a bucket sheds its own old events.)
    expect(run2.counts).toMatchObject({ verificationsDeleted: 2, pastAppointmentSmsDropped: 3, rateEventsDeleted: 1 });
    // Monday's day is over: A's queue SMS goes; B's confirmation and reminder (10:00 today) go.
    expect(row(queueNearA).state).toBe('expired');
    expect(smsOf(b, 'confirmation').state).toBe('expired');
    expect(row(reminderB).state).toBe('expired');
    // D (Thursday) keeps everything; the cancellation is not the job's to drop.
    expect(smsOf(d, 'confirmation')).toMatchObject({ state: 'queued' });
    expect(row(reminderD)).toMatchObject({ state: 'queued', body: 'MedQ: reminder.' });
    expect(row(cancellationA)).toMatchObject({ state: 'queued', body: 'MedQ: cancelled.' });
    // Monday's verifications (expired 24 h+ ago) are gone; today's used one and the pending one stay.
    expect(verificationIds()).toEqual([c2.value.verificationId, f.value.verificationId].sort());
    // Monday's rate events are over 24 h old; today's (two codes, test:new) stay.
    expect(t.db.select({ bucket: rateEvents.bucket }).from(rateEvents).all().map((r) => r.bucket).sort()).toEqual(['otp-sms:clinic', 'otp-sms:clinic', 'test:new']);
    // The welcome SMS are a day old: their passwords are still valid to send.
    for (const id of [a, b, d]) {
      const welcome = t.db.select().from(smsOutbox).all().find((s) => s.kind === 'welcome' && s.phone === row(smsOf(id, 'confirmation').id).phone)!;
      expect(welcome.state).toBe('queued');
      expect(welcome.body).toMatch(/Password: [A-Z0-9]{8}/);
    }

    // Friday 11:00: the welcome SMS never went out in 72 h: dropped and blanked.
    t.clock.set('2026-12-04T11:00:00+05:30');
    const run3 = runRetention(t.ctx, 'test-1');
    expect(run3.ran && run3.counts.secretSmsExpired).toBe(3);
    const welcomes = t.db.select().from(smsOutbox).all().filter((s) => s.kind === 'welcome');
    expect(welcomes).toHaveLength(3);
    for (const w of welcomes) expect(w).toMatchObject({ state: 'expired', body: '' });
    expect(t.db.select().from(jobLeases).all()).toEqual([
      { name: 'retention', owner: 'test-1', leasedUntil: t.clock.now.getTime(), lastRunAt: t.clock.now.getTime() },
    ]);
  });

  it('reads the outbox through its indexes, never the whole table: a year of sent messages costs the daily run nothing', async () => {
    t = createTestDb({ at: T0 });
    // An unblanked secret body left by an older worker, among many sent confirmations.
    const otp = queue({ kind: 'otp', phone: '+919855500090', body: 'Your code is 123456', expiresAt: t.ctx.now().getTime() + 600_000 });
    t.db.update(smsOutbox).set({ state: 'sent' }).where(eq(smsOutbox.id, otp)).run();
    const insert = t.db.$client.prepare(`insert into sms_outbox (kind, phone, body, state, created_at) values ('confirmation', ?, 'Confirmed', 'sent', ?)`);
    t.db.$client.transaction(() => {
      for (let i = 0; i < 20_000; i++) insert.run(`+9198555${String(i).padStart(5, '0')}`, t.ctx.now().getTime() - i * 1000);
    })();
    t.db.$client.exec('ANALYZE');
    t.clock.advance(26 * HOUR);

    const seen = statementsOf(t.db, () => expect(runRetention(t.ctx, 'test', { force: true })).toMatchObject({ ran: true, counts: { secretBodiesBlanked: 1 } }));
    expect(row(otp).body).toBe('');
    const outboxStatements = seen.filter((q) => /sms_outbox/.test(q));
    expect(outboxStatements.length).toBeGreaterThanOrEqual(3);
    for (const q of outboxStatements) expect(plan(t.db, q), q).not.toMatch(/SCAN sms_outbox(?! USING)/);
    const blanking = outboxStatements.find((q) => /set "body" = \? where/.test(q))!;
    expect(plan(t.db, blanking)).toMatch(/USING INDEX sms_outbox_secret_body_idx/);
  });

  it('several processes on one database run it once a day between them', async () => {
    t = createTestDb({ at: T0 });
    const dbs = [openDatabase(t.path), openDatabase(t.path)];
    try {
      const ctxs = [t.ctx, ...dbs.map((db) => createSyncContext(db, t.config, () => t.clock.now))];
      const ran = ctxs.map((ctx, i) => runRetention(ctx, `p${i}`).ran);
      expect(ran).toEqual([true, false, false]);
      t.clock.advance(23 * HOUR);
      expect(ctxs.map((ctx, i) => runRetention(ctx, `p${i}`).ran)).toEqual([false, false, false]);
      t.clock.advance(HOUR);
      expect(ctxs.map((ctx, i) => runRetention(ctx, `p${(i + 1) % 3}`).ran)).toEqual([true, false, false]);
    } finally {
      for (const db of dbs) db.$client.close();
    }
  });

  it('the sms role runs it on start and logs one summary line with counts only', async () => {
    t = createTestDb({ at: T0 });
    // A confirmation still queued for a booking long past, as an outage could leave it.
    const a = await book('+919800000001', '2026-11-30', '10:00');
    // The role runs on the machine's clock: move the booking into the machine's past, whatever the date.
    t.db.update(appointments).set({ date: '2000-01-03' }).where(eq(appointments.id, a)).run();
    const logs = captureLogs();
    const role = startSmsRole({ db: t.db, config: smsConfig(), logger: logs.logger, tuning: { pollIntervalMs: 60_000 } });
    try {
      await expect.poll(() => logs.lines.filter((l) => l.includes('"retention run"')).length, { timeout: 5000 }).toBe(1);
      const line = JSON.parse(logs.lines.find((l) => l.includes('"retention run"'))!) as Record<string, unknown>;
      expect(line).toMatchObject({ level: 30, job: 'retention', pastAppointmentSmsDropped: 1 });
      expect(Object.keys(line).sort()).toEqual(
        [
          'hostname', 'job', 'level', 'msg', 'pid', 'role', 'time',
          'holdsDeleted', 'pastAppointmentSmsDropped', 'rateEventsDeleted', 'secretBodiesBlanked', 'secretSmsExpired', 'verificationsDeleted',
        ].sort(),
      );
      // The confirmation was dropped, not sent.
      expect(smsOf(a, 'confirmation').state).toBe('expired');
      expect(logs.all()).not.toMatch(/Password: /);
    } finally {
      await role.stop();
    }
  });

  it('a failing run is logged and retried at the next check, not thrown', async () => {
    t = createTestDb({ at: T0 });
    const errors: string[] = [];
    const infos: string[] = [];
    const broken = openDatabase(t.path);
    broken.$client.close();
    const s = startRetentionSchedule(broken, { info: (_o, m) => infos.push(m), error: (_o, m) => errors.push(m) }, 'p', { checkEveryMs: 20 });
    await expect.poll(() => errors.length).toBeGreaterThan(1);
    s.stop();
    expect(infos).toEqual([]);
    const good = startRetentionSchedule(t.db, { info: (_o, m) => infos.push(m), error: (_o, m) => errors.push(m) }, 'p', { now: () => t.clock.now });
    await expect.poll(() => infos).toEqual(['retention run']);
    good.stop();
  });
});
