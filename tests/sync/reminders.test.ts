// The reminder and reply rules of the sync module on a real SQLite file, without an SMSC.
import { afterEach, describe, expect, it } from 'vitest';
import {
  bookByPhone,
  cancelAppointment,
  dropStaleReminders,
  parseReply,
  queueDueReminders,
  setSmsOptOut,
} from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

const dbs: TestDb[] = [];
afterEach(() => {
  for (const t of dbs.splice(0)) t.close();
});

describe('parseReply', () => {
  it.each([
    ['C', { name: 'cancel', token: null }],
    [' cancel ', { name: 'cancel', token: null }],
    ['Cancel.', { name: 'cancel', token: null }],
    ['C S-5', { name: 'cancel', token: 'S-5' }],
    ['c s5', { name: 'cancel', token: 'S-5' }],
    ['CANCEL  p - 12', { name: 'cancel', token: 'P-12' }],
    ['STOP', { name: 'stop' }],
    ['stop', { name: 'stop' }],
    ['Start', { name: 'start' }],
    ['C please', { name: 'other' }],
    ['CC', { name: 'other' }],
    ['stop it', { name: 'other' }],
    ['', { name: 'other' }],
  ])('%j → %j', (text, command) => {
    expect(parseReply(text)).toEqual(command);
  });
});

describe('reminders in the outbox', () => {
  it('a queued reminder whose appointment was cancelled, or whose phone opted out, is dropped unsent', async () => {
    const t = createTestDb();
    dbs.push(t);
    const settings = { reminderHours: 24, repliesReachUs: true };
    const a = await bookByPhone(t.ctx, { phone: '+919855500001', doctorId: 1, date: '2026-12-01', time: '09:00' });
    const b = await bookByPhone(t.ctx, { phone: '+919855500002', doctorId: 1, date: '2026-12-01', time: '09:15' });
    const c = await bookByPhone(t.ctx, { phone: '+919855500003', doctorId: 1, date: '2026-12-01', time: '09:30' });
    if (!a.ok || !b.ok || !c.ok) throw new Error('booking failed');
    expect(queueDueReminders(t.ctx, settings).queued).toBe(0); // 08:00 Monday: 25 h before
    t.clock.set('2026-11-30T09:30:00+05:30');
    expect(queueDueReminders(t.ctx, settings).queued).toBe(3);
    expect(queueDueReminders(t.ctx, settings).queued).toBe(0); // once

    expect(cancelAppointment(t.ctx, { appointmentId: a.value.appointmentId }).ok).toBe(true);
    setSmsOptOut(t.ctx, '+919855500002', true);
    expect(dropStaleReminders(t.ctx)).toBe(2);
    const rows = t.db.$client.prepare("select phone, state from sms_outbox where kind = 'reminder' order by phone").all();
    expect(rows).toEqual([
      { phone: '+919855500001', state: 'expired' },
      { phone: '+919855500002', state: 'expired' },
      { phone: '+919855500003', state: 'queued' },
    ]);
    // Past its time, the last one is dropped too.
    t.clock.set('2026-12-01T09:30:00+05:30');
    expect(dropStaleReminders(t.ctx)).toBe(1);
  });

  it('REMINDER_HOURS=0: no reminders at all', async () => {
    const t = createTestDb();
    dbs.push(t);
    await bookByPhone(t.ctx, { phone: '+919855500011', doctorId: 1, date: '2026-12-01', time: '09:00' });
    t.clock.set('2026-11-30T20:00:00+05:30');
    expect(queueDueReminders(t.ctx, { reminderHours: 0, repliesReachUs: true })).toEqual({ queued: 0, appointmentIds: [] });
    expect(queueDueReminders(t.ctx, { reminderHours: 2, repliesReachUs: true }).queued).toBe(0);
    t.clock.set('2026-12-01T07:00:00+05:30');
    expect(queueDueReminders(t.ctx, { reminderHours: 2, repliesReachUs: true }).queued).toBe(1);
  });
});

describe('opt-out from the IVR (runSyncEffect toggleReminders)', () => {
  it('flips the caller phone between off and on, and the answer says which', async () => {
    const t = createTestDb();
    dbs.push(t);
    const { runSyncEffect } = await import('../../src/ari/sync-effects.js');
    const call = { ctx: t.ctx, holder: 'chan-x', timezone: 'Asia/Kolkata' };
    const phone = '+919855500021';
    expect(await runSyncEffect(call, { type: 'toggleReminders', phone })).toEqual({ type: 'remindersToggled', optedOut: true });
    expect(t.db.$client.prepare('select phone from sms_opt_outs').all()).toEqual([{ phone }]);
    expect(await runSyncEffect(call, { type: 'toggleReminders', phone })).toEqual({ type: 'remindersToggled', optedOut: false });
    expect(t.db.$client.prepare('select phone from sms_opt_outs').all()).toEqual([]);
    // A database that cannot be written: the flow hears of it and says "something went wrong".
    t.db.$client.exec("create trigger broken before insert on sms_opt_outs begin select raise(fail, 'disk trouble'); end");
    const errors: unknown[] = [];
    expect(await runSyncEffect(call, { type: 'toggleReminders', phone }, (e) => errors.push(e))).toEqual({ type: 'remindersToggleFailed' });
    expect(errors).toHaveLength(1);
  });
});
