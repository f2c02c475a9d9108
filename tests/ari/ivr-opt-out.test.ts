// Opting out of reminder and queue SMS by phone (SPEC §6/§7), end to end on a real Asterisk 22:
// a caller with a booking keys 2 (my appointments), then 3; the app says "Reminders are off", the
// phone is in sms_opt_outs, and the reminder scheduler queues nothing for it; 3 again turns them on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookByPhone, queueDueReminders } from '../../src/sync/index.js';
import { requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { renderPromptsWithCli, startIvrStack, type IvrStack } from './support-ivr.js';

const real = requireRealAsterisk();

describe.skipIf(!real.available)('IVR opt-out on a real Asterisk', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let stack: IvrStack;
  const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] => t.db.$client.prepare(sql).all(...params) as T[];

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'ivr-opt-out' });
    t = createTestDb();
    await renderPromptsWithCli(ast.soundsDir, t.path);
    stack = await startIvrStack(ast, t, { menuTimeoutMs: 1500 });
  });

  afterAll(async () => {
    await stack?.close();
    await ast?.stop();
    t?.close();
  });

  it('2 then 3: "Reminders are off", the phone is opted out and gets no reminder; 3 again: "Reminders are on"', async () => {
    const phone = '+919876512345';
    const booked = await bookByPhone(t.ctx, { phone, doctorId: 1, date: '2026-12-01', time: '16:00' });
    expect(booked.ok).toBe(true);

    const c = await stack.call({ callerId: phone });
    let from = await c.pressAfter('main-menu', '2');
    from = await c.pressAfter('appointment-item', '3', from);
    await c.waitMedia('medq:reminders-off', { from, timeoutMs: 15_000 });
    expect(q('select phone from sms_opt_outs')).toEqual([{ phone }]);
    // The appointment is read again after the news, so the caller can go on.
    await c.waitMedia('medq:appointment-item', { from, timeoutMs: 15_000 });

    // The reminder moment comes: nothing is queued for an opted-out phone.
    t.clock.set('2026-11-30T16:00:00+05:30');
    const settings = { reminderHours: 24, repliesReachUs: true };
    expect(queueDueReminders(t.ctx, settings).queued).toBe(0);
    expect(q("select id from sms_outbox where kind = 'reminder'")).toEqual([]);

    from = await c.pressAfter('appointment-item', '3', from);
    await c.waitMedia('medq:reminders-on', { from, timeoutMs: 15_000 });
    expect(q('select phone from sms_opt_outs')).toEqual([]);
    await c.hangup();
    await c.ended();
    // On again: the reminder that is still due is queued now.
    expect(queueDueReminders(t.ctx, settings).queued).toBe(1);
    // The prompt log says what the caller heard.
    expect(stack.logs.some((l) => l.msg === 'prompt' && l.text?.startsWith('Reminders are off.'))).toBe(true);
  }, 90_000);

  it('Asterisk never logged a missing sound (the new prompts were rendered)', async () => {
    expect(await ast.missingSounds()).toEqual([]);
  });
});
