// "Where am I in the queue?" by phone, on a real Asterisk 22 (SPEC §6, §11): a caller with a
// booking of today presses 2 and hears the token now served and how many patients are before
// theirs; after reception calls the next token, a second call hears one fewer. What the caller
// hears is read from Asterisk's playback events; the words from the app's prompt log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { numberSounds } from '../../src/ari/say-sounds.js';
import { bookByPhone, callNext } from '../../src/sync/index.js';
import { requireRealAsterisk, startAsterisk, type AsteriskInstance } from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { renderPromptsWithCli, startIvrStack, type IvrStack } from './support-ivr.js';

const real = requireRealAsterisk();
const CALLER = '+919876512345';

describe.skipIf(!real.available)('the queue position by phone, on a real Asterisk', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let stack: IvrStack;

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'queue-calls' });
    t = createTestDb(); // Monday 30 Nov 2026, 08:00 in Kolkata
    await renderPromptsWithCli(ast.soundsDir, t.path);
    stack = await startIvrStack(ast, t, { menuTimeoutMs: 3000 });
    // Dr. Sharma's day: S-1 … S-4 for others, S-5 (10:00) for our caller.
    for (let i = 1; i <= 5; i++) {
      const phone = i === 5 ? CALLER : `+91987650000${i}`;
      const r = await bookByPhone(t.ctx, { phone, doctorId: 1, date: '2026-11-30', time: `${i < 5 ? '09' : '10'}:${['00', '15', '30', '45', '00'][i - 1]}` });
      if (!r.ok) throw new Error(`booking ${i}: ${r.code}`);
      expect(r.value.token).toBe(`S-${i}`);
    }
  });

  afterAll(async () => {
    await stack?.close();
    await ast?.stop();
    t?.close();
  });

  /** Calls, presses 2 at the main menu, hears up to `lastPrompt`; returns the words logged and the media played. */
  async function hearMyAppointments(lastPrompt: string): Promise<{ text: string; uris: string[] }> {
    const c = await stack.call({ callerId: CALLER });
    const from = await c.pressAfter('main-menu', '2');
    await c.waitMedia(`medq:${lastPrompt}`, { from, timeoutMs: 30_000 });
    const uris = c.uris(from);
    await c.hangup();
    await c.ended();
    const line = stack.logs.filter((l) => l.msg === 'prompt' && l.call === c.appChannelId && l.prompt?.includes('appointment-item')).at(-1);
    return { text: String(line?.text), uris };
  }

  it('before the doctor starts: "The doctor has not started calling tokens yet. There are 4 patients before you."', async () => {
    const heard = await hearMyAppointments('queue-patients-before');
    expect(heard.text).toContain('Token number S-5. The doctor has not started calling tokens yet. There are 4 patients before you.');
    const at = heard.uris.indexOf('sound:medq/queue-not-started');
    expect(heard.uris.slice(at, at + 4)).toEqual(['sound:medq/queue-not-started', 'sound:medq/queue-there-are', ...numberSounds(4), 'sound:medq/queue-patients-before']);
  }, 90_000);

  it('"Now serving S-3. There are 2 patients before you.", then one fewer after call next', async () => {
    for (let i = 0; i < 3; i++) expect(callNext(t.ctx, 1).ok).toBe(true);
    const heard = await hearMyAppointments('queue-patients-before');
    expect(heard.text).toContain('Token number S-5. Now serving S-3. There are 2 patients before you.');
    const at = heard.uris.indexOf('sound:medq/queue-now-serving');
    // The token served said as letter and number, then the count.
    expect(heard.uris.slice(at, at + 6)).toEqual([
      'sound:medq/queue-now-serving',
      'sound:letters/s',
      ...numberSounds(3),
      'sound:medq/queue-there-are',
      ...numberSounds(2),
      'sound:medq/queue-patients-before',
    ]);

    expect(callNext(t.ctx, 1)).toMatchObject({ ok: true, value: { nowServing: 'S-4' } });
    const later = await hearMyAppointments('queue-one-before');
    expect(later.text).toContain('Now serving S-4. There is one patient before you.');
  }, 90_000);
});
