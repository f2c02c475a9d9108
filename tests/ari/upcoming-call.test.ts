// SPEC §10 on a real Asterisk 22: "upcoming" means later than now. A caller with a visit this
// morning (already past) and one this afternoon presses 2 and hears one upcoming appointment, the
// afternoon one, never the past one. Real SQLite; the clock is moved to 10:00 Kolkata.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookByPhone } from '../../src/sync/index.js';
import { requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { renderPromptsWithCli, startIvrStack, type IvrStack } from './support-ivr.js';

const real = requireRealAsterisk();

describe.skipIf(!real.available)('my appointments on a real Asterisk: only later than now', () => {
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
    const last = await c.waitMedia('medq:appointment-keys-last', { from: one.index });
    await c.hangup();
    await c.ended();
    const heard = c.uris(from);
    expect(heard).not.toContain('sound:medq/you-have');
    // The one item read out carries Dr. Patel's token (P-…), not Dr. Sharma's (S-…).
    const item = c.media(one.index).filter((m) => m.index <= last.index).map((m) => m.uri);
    expect(item).toContain('sound:letters/p');
    expect(item).not.toContain('sound:letters/s');
  }, 60_000);
});
