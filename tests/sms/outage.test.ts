// An SMSC that drops every connection mid-stream and refuses binds for 10 s: nothing is lost, and
// the duplicates (messages whose submit_sm_resp was lost with the link) stay within the window.
import { afterEach, expect, it } from 'vitest';
import { startSmsRole } from '../../src/sms/index.js';
import { TestSmsc } from './smsc.js';
import { FAST, captureLogs, enqueue, outbox, smsConfig, tempDb, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const MESSAGES = 300;
const WINDOW = 10;
const OUTAGE_MS = 10_000;

it('survives a 10 s SMSC outage mid-stream: every message arrives, duplicates ≤ window', async () => {
  const t = tempDb();
  cleanups.push(() => t.close());
  let outageAt = 0;
  let smsc: TestSmsc | null = null;
  const states: string[] = [];
  smsc = await TestSmsc.start({
    responseDelayMs: 30, // a slow SMSC, so the window is full when the link drops
    respond: (_s, n) => {
      if (n === 100) {
        outageAt = Date.now();
        setImmediate(() => smsc!.outage(OUTAGE_MS)); // after this submit is recorded, unanswered
      }
      return 0;
    },
  });
  cleanups.push(() => smsc!.close());
  const logs = captureLogs();
  for (let i = 1; i <= MESSAGES; i++) {
    enqueue(t.db, { kind: 'confirmation', phone: `+9190000${String(i).padStart(5, '0')}`, body: `MedQ: message ${i} of ${MESSAGES}.` });
  }
  const role = startSmsRole({ db: t.db, config: smsConfig({ SMPP_URL: smsc.url() }), logger: logs.logger, tuning: { ...FAST, windowSize: WINDOW } });
  cleanups.push(() => role.stop());
  const started = Date.now();

  await waitFor(() => outageAt > 0, 10_000, 'the outage to start');
  await waitFor(() => role.state() === 'down', 2_000, 'the link to go down');
  states.push(`${role.state()} (${role.lastBindError()})`);
  await new Promise((r) => setTimeout(r, 3_000));
  states.push(`${role.state()} (${role.lastBindError()})`);
  expect(role.state()).toBe('down');
  expect(role.lastBindError()).toBe('bind refused: ESME_RBINDFAIL (0x0000000d)');
  const queuedDuringOutage = outbox(t.db).filter((r) => r.state === 'queued').length;

  try {
    await waitFor(() => outbox(t.db).every((r) => r.state === 'delivered'), 25_000, 'every message delivered');
  } catch (e) {
    // Say where it stuck: row states, what the SMSC saw, the role's counters.
    const by = new Map<string, number>();
    for (const r of outbox(t.db)) by.set(r.state, (by.get(r.state) ?? 0) + 1);
    console.log('stuck:', Object.fromEntries(by), 'submits', smsc.submits.length, role.state(), role.stats());
    throw e;
  }
  const backAfter = Date.now() - outageAt;

  const received = smsc.submits.length;
  const perText = new Map<string, number>();
  for (const s of smsc.submits) perText.set(s.text, (perText.get(s.text) ?? 0) + 1);
  const duplicates = received - perText.size;
  const refusedBinds = smsc.binds.filter((b) => !b.ok).length;
  console.log(
    `outage: ${MESSAGES} messages, ${received} submit_sm received, ${perText.size} distinct, ${duplicates} duplicates ` +
      `(window ${WINDOW}); ${refusedBinds} binds refused during the outage; queued while down: ${queuedDuringOutage}; ` +
      `all delivered ${backAfter} ms after the drop, ${Date.now() - started} ms in all; states while down: ${states.join(' → ')}`,
  );
  expect(perText.size).toBe(MESSAGES);
  expect([...perText.values()].every((n) => n <= 2)).toBe(true);
  expect(duplicates).toBeLessThanOrEqual(WINDOW);
  expect(refusedBinds).toBeGreaterThanOrEqual(2);
  expect(queuedDuringOutage).toBeGreaterThan(100);
  // Requeued for the outage without an attempt counted: the SMSC was at fault, not the message.
  expect(outbox(t.db).every((r) => r.attempts === 0)).toBe(true);
  expect(role.stats().requeued).toBeGreaterThanOrEqual(1);
}, 45_000);
