// SPEC §10 on a real Asterisk 22. "Upcoming" means later than now: a caller with a visit this
// morning (already past) and one this afternoon presses 2 and hears one upcoming appointment, the
// afternoon one, never the past one. And a schedule edited after bookings exist never hands a
// caller a token already given: callers book the new early slots and hear fresh numbers.
// Real SQLite; the test moves the clock.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberSounds } from '../../src/ari/say-sounds.js';
import { bookByPhone } from '../../src/sync/index.js';
import { replaceSchedules } from '../../src/sync/admin.js';
import { requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { renderPromptsWithCli, startIvrStack, type IvrStack } from './support-ivr.js';

const real = requireRealAsterisk();

describe.skipIf(!real.available)('day-one fixes on a real Asterisk', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let stack: IvrStack;

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'upcoming-call' });
    t = createTestDb(); // Monday 30 Nov 2026, 08:00 in Kolkata
    await renderPromptsWithCli(ast.soundsDir, t.path);
    stack = await startIvrStack(ast, t, { menuTimeoutMs: 1500 });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await ast?.stop();
    t?.close();
  });

  it("this morning's past visit is not read out; this afternoon's is", async () => {
    const phone = '+919876500042';
    for (const [doctorId, time] of [
      [1, '09:00'], // Dr. Sharma: past by 10:00
      [2, '12:00'], // Dr. Patel: still to come
    ] as const) {
      const r = await bookByPhone(t.ctx, { phone, doctorId, date: '2026-11-30', time });
      expect(r.ok).toBe(true);
    }
    t.clock.set('2026-11-30T10:00:00+05:30');

    const c = await stack.call({ callerId: phone });
    const from = await c.pressAfter('main-menu', '2');
    const one = await c.waitMedia('medq:appointments-one', { from });
    const last = await c.waitMedia('medq:appointment-keys-last', { from: one.index, timeoutMs: 40_000 });
    await c.hangup();
    await c.ended();
    const heard = c.uris(from);
    expect(heard).not.toContain('sound:medq/you-have');
    // The one item read out carries Dr. Patel's token (P-…), not Dr. Sharma's (S-…).
    const item = c.media(one.index).filter((m) => m.index <= last.index).map((m) => m.uri);
    expect(item).toContain('sound:letters/p');
    expect(item).not.toContain('sound:letters/s');
  }, 60_000);

  it('after the 09:00 start moves to 08:00, callers book 08:00 and 08:15 and hear tokens nobody else holds', async () => {
    t.clock.set('2026-12-01T07:00:00+05:30'); // Tuesday, before any slot
    const early = await bookByPhone(t.ctx, { phone: '+919876500051', doctorId: 1, date: '2026-12-01', time: '09:00' });
    expect(early).toMatchObject({ ok: true, value: { token: 'S-1' } });
    const moved = replaceSchedules(
      t.ctx,
      1,
      [1, 2, 3, 4, 5].map((weekday) => ({ weekday, startTime: '08:00', endTime: '13:00', slotMinutes: 15 })),
    );
    expect(moved.ok).toBe(true);

    const heardTokens: string[][] = [];
    for (const phone of ['+919876500052', '+919876500053']) {
      const c = await stack.call({ callerId: phone });
      // Type-ahead (SPEC §6): book, Dr. Sharma, confirm the first slot offered.
      const from = await c.pressAfter('main-menu', '111');
      await c.waitMedia('medq:goodbye', { from, timeoutMs: 40_000 });
      const heard = c.uris(from);
      heardTokens.push(heard.slice(heard.indexOf('sound:medq/your-token-is') + 1, heard.indexOf('sound:medq/sms-will-follow')));
      await c.ended(20_000);
    }
    const rows = t.db.$client
      .prepare("select slot_time, token_number from appointments where doctor_id = 1 and date = '2026-12-01' order by id")
      .all();
    expect(rows).toEqual([
      { slot_time: '09:00', token_number: 'S-1' },
      { slot_time: '08:00', token_number: 'S-21' },
      { slot_time: '08:15', token_number: 'S-2' }, // its formula number is free: kept
    ]);
    expect(heardTokens).toEqual([
      ['sound:letters/s', ...numberSounds(21)],
      ['sound:letters/s', ...numberSounds(2)],
    ]);
  }, 90_000);
});
