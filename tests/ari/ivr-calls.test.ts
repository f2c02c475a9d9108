// The IVR end to end on a real Asterisk 22: calls placed into [medq-inbound] (Local channels, and
// one over the PJSIP trunk with SIPp and RFC 4733 keys) reach the ARI adapter running in this
// process (startIvrRole) on a real SQLite database, with prompts rendered by the prompts CLI.
// What the caller hears is read from Asterisk's own events; what was booked, from the database.
import { renderMetrics } from '../../src/metrics/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { numberSounds } from '../../src/ari/say-sounds.js';
import { hashPassword, registerAccount } from '../../src/sync/index.js';
import {
  REPO_ROOT,
  requireRealAsterisk,
  requireSipp,
  runSippCall,
  startAsterisk,
  type AriChannel,
  type AsteriskInstance,
} from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { IvrCall, percentile, renderPromptsWithCli, sleep, startIvrStack, type IvrStack } from './support-ivr.js';

const real = requireRealAsterisk();
const sipp = real.available ? requireSipp() : real;

/** A dial target the test dialplan answers, standing in for the reception phone. */
const RECEPTION = 'Local/100@medq-test-reception';
const TEST_DIALPLAN = `
[medq-test-reception]
exten => 100,1,Answer()
same => n,Wait(20)
same => n,Hangup()
`;

describe.skipIf(!real.available)('IVR calls on a real Asterisk', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let stack: IvrStack;

  const q = <T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[] => t.db.$client.prepare(sql).all(...params) as T[];
  const holds = () => q('select * from slot_holds');
  const smsKinds = (phone: string) => q<{ kind: string }>('select kind from sms_outbox where phone = ? order by id', phone).map((r) => r.kind).sort();
  const booked = (phone: string) =>
    q<{ doctor_id: number; date: string; slot_time: string; token_number: string; status: string; channel: string }>(
      'select doctor_id, date, slot_time, token_number, status, channel from appointments where person_phone = ? order by id',
      phone,
    );
  const account = (phone: string) => q<{ id: number; status: string; username: string; display_name: string }>('select * from accounts where phone = ?', phone)[0];

  /** These callers at once, each keying 1 1 1 as its menus play, until "confirmed", then hanging up. */
  async function bookAtOnce(phones: string[]) {
    const calls = await Promise.all(phones.map((callerId) => stack.call({ callerId })));
    await Promise.all(
      calls.map(async (c) => {
        try {
          let from = await c.pressAfter('main-menu', '1');
          from = await c.pressAfter('doctor-menu-intro', '1', from);
          from = await c.pressAfter('slot-offer-intro', '1', from);
          await c.waitMedia('medq:confirmed', { from, timeoutMs: 20_000 });
          await c.hangup();
        } catch (err) {
          // What the IVR did with this call, for a failure that says more than "heard nothing".
          const own = stack.logs.filter((l) => l.call === c.appChannelId).map((l) => `${l.msg}${l.err ? ` (${String(l.err)})` : ''}`);
          throw new Error(`${(err as Error).message}\nIVR log of ${c.appChannelId || 'the call'}: ${own.join(' | ') || 'nothing (no session for it)'}`);
        }
      }),
    );
    return calls;
  }

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'ivr-calls', appendConfig: { 'extensions.conf': TEST_DIALPLAN } });
    t = createTestDb();
    await renderPromptsWithCli(ast.soundsDir, t.path);
    stack = await startIvrStack(ast, t, { receptionEndpoint: RECEPTION, menuTimeoutMs: 1500 });
  });

  afterAll(async () => {
    await stack?.close();
    await ast?.stop();
    t?.close();
  });

  it('20 simultaneous callers for one doctor are all booked, with distinct slots and tokens', async () => {
    const phones = Array.from({ length: 20 }, (_, i) => `+9198765${String(10_000 + i).padStart(5, '0')}`);
    // REST goes over the event WebSocket (Asterisk 22 answers it there): no HTTP connection at all.
    expect(stack.role.ariRest()).toBe('websocket');
    // The connect-time listing of channels runs while the REST probe is still out, so over HTTP
    // (by design: an older Asterisk never answers the probe). On a busy machine its answer can
    // still be arriving here; the calls' own requests are what must not use HTTP.
    for (let waited = 0; stack.role.ariSocketsInUse() > 0 && waited < 5_000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    expect(stack.role.ariSocketsInUse()).toBe(0);
    const ignoredBefore = stack.role.ariFramesIgnored();
    let peakSockets = 0;
    let peakSocketRequests = 0;
    const sampler = setInterval(() => {
      peakSockets = Math.max(peakSockets, stack.role.ariSocketsInUse());
      peakSocketRequests = Math.max(peakSocketRequests, stack.role.ariSocketRequestsInFlight());
    }, 5);
    const t0 = Date.now();
    const calls = await bookAtOnce(phones);
    clearInterval(sampler);
    const wall = Date.now() - t0;

    const rows = phones.flatMap((p) => booked(p));
    expect(rows).toHaveLength(20);
    expect(rows.every((r) => r.doctor_id === 1 && r.status === 'booked' && r.channel === 'ivr')).toBe(true);
    const slots = new Set(rows.map((r) => `${r.date} ${r.slot_time}`));
    const tokens = new Set(rows.map((r) => `${r.date} ${r.token_number}`));
    expect(slots.size).toBe(20);
    expect(tokens.size).toBe(20);
    await Promise.all(calls.map((c) => c.ended()));
    expect(holds()).toEqual([]);
    for (const p of phones) expect(smsKinds(p)).toEqual(['confirmation', 'welcome']);

    const latencies = calls.flatMap((c) => c.keyLatencies());
    expect(latencies.length).toBe(60);
    const figures = {
      calls: calls.length,
      distinctSlots: slots.size,
      distinctTokens: tokens.size,
      keyToPromptP50Ms: percentile(latencies, 50),
      keyToPromptP99Ms: percentile(latencies, 99),
      keyToPromptMaxMs: Math.max(...latencies),
      wallMs: wall,
      peakAriSockets: peakSockets,
      peakRequestsOnWebSocket: peakSocketRequests,
    };
    console.log('[ivr] 20 simultaneous callers:', JSON.stringify(figures));
    // Should it fail: whether the link went down and came back (HTTP until its next probe) says why.
    const linkLines = stack.logs.filter((l) => /^ARI /.test(String(l.msg))).map((l) => `${l.msg} ${JSON.stringify({ rest: l.rest, reason: l.reason })}`);
    expect(peakSockets, `HTTP used during the calls; the link's log: ${linkLines.join(' | ')}`).toBe(0);
    expect(peakSocketRequests).toBeGreaterThan(0);
    // Asterisk writes each event's type first: the events no session reads (each call's playbacks
    // starting, its variables set, its state changing) were dropped unparsed, and every call was
    // served all the same.
    expect(stack.role.ariFramesIgnored() - ignoredBefore).toBeGreaterThanOrEqual(20 * 4);
    // A bound on stalls (a caller left in silence), not a speed figure: speed is measured by
    // `npm run bench` side by side with a minimal app. 1.5 s failed here only on a machine with a
    // load of 9 on 2 cores (3.7 s seen), which says nothing about the code.
    expect(figures.keyToPromptP99Ms).toBeLessThan(5000);
  }, 90_000);

  it('a new caller keys 1 1 1 right after the answer (type-ahead): booked, provisional account, welcome SMS, hears confirmed and the token', async () => {
    const phone = '+919876500001';
    const c = await stack.call({ callerId: phone });
    const from = await c.press('111');
    await c.waitMedia('medq:your-appointment-with', { from, timeoutMs: 15_000 });
    const [row] = booked(phone);
    expect(row).toMatchObject({ doctor_id: 1, status: 'booked', channel: 'ivr' });
    const token = row!.token_number;
    const [, letter, n] = /^([A-Z])-(\d+)$/.exec(token)!;
    // confirmed, then the token said as letter and number, then the SMS notice and goodbye.
    await c.waitMedia('medq:goodbye', { from, timeoutMs: 30_000 });
    const heard = c.uris(from);
    const at = heard.indexOf('sound:medq/your-token-is');
    expect(heard.indexOf('sound:medq/confirmed')).toBeGreaterThan(0);
    const tokenSounds = ['sound:medq/your-token-is', `sound:letters/${letter!.toLowerCase()}`, ...numberSounds(Number(n))];
    expect(heard.slice(at, at + tokenSounds.length)).toEqual(tokenSounds);
    // The app hangs up after goodbye.
    await c.ended(20_000);

    expect(account(phone)).toMatchObject({ status: 'provisional', username: phone, display_name: 'IVR Patient 0001' });
    expect(smsKinds(phone)).toEqual(['confirmation', 'welcome']);
    expect(holds()).toEqual([]);
    // Type-ahead: the keys were acted on as they came, not after the menus had been heard out.
    const firstKey = stack.harness.observe({ id: c.appChannelId }).dtmf()[0]!.at;
    const confirmation = c.media(from).find((m) => m.uri === 'sound:medq/your-appointment-with')!;
    expect(confirmation.at - firstKey).toBeLessThan(2_000);
    // The prompt log names ids and text, the token included.
    const line = stack.logs.find((l) => l.msg === 'prompt' && l.call === c.appChannelId && l.prompt?.includes('confirmed'));
    expect(line?.text).toContain(`Your token number is ${token}.`);
    expect(line?.playback).toMatch(new RegExp(`^${c.appChannelId.replace(/\./g, '\\.')}-p\\d+$`));
    // SPEC §12: the same call in the metrics (this process runs the ivr role in-process).
    const m = (await renderMetrics()).body;
    expect(m).toMatch(/^medq_calls_total\{outcome="booked"\} [1-9]/m);
    expect(m).toMatch(/^medq_bookings_total\{channel="ivr"\} [1-9]/m);
    expect(m).toMatch(/^medq_key_to_prompt_seconds_count [1-9]/m);
    expect(m).toMatch(/^medq_ari_up 1$/m);
  }, 60_000);

  it('a second call from the same phone books on the same account (no second welcome), then hears and cancels a booking', async () => {
    const phone = '+919876500001';
    const before = account(phone)!;
    const c = await stack.call({ callerId: phone });
    let from = await c.pressAfter('main-menu', '1');
    from = await c.pressAfter('doctor-menu-intro', '2', from);
    from = await c.pressAfter('slot-offer-intro', '1', from);
    await c.waitMedia('medq:confirmed', { from });
    await c.hangup();
    await c.ended();
    expect(booked(phone)).toHaveLength(2);
    expect(booked(phone)[1]).toMatchObject({ doctor_id: 2, status: 'booked' });
    expect(account(phone)!.id).toBe(before.id);
    expect(q('select count(*) as n from accounts where phone = ?', phone)).toEqual([{ n: 1 }]);
    expect(smsKinds(phone)).toEqual(['confirmation', 'confirmation', 'welcome']);

    // My appointments: two upcoming; cancel the first (1, then 1 to confirm).
    const m = await stack.call({ callerId: phone });
    from = await m.pressAfter('main-menu', '2');
    await m.waitMedia('medq:you-have', { from });
    from = await m.pressAfter('appointment-item', '1', from);
    from = await m.pressAfter('cancel-confirm', '1', from);
    await m.waitMedia('medq:cancelled', { from });
    await m.hangup();
    await m.ended();
    // The soonest booking is read out first, so that is the one cancelled.
    const rows = booked(phone);
    const soonest = [...rows].sort((a, b) => `${a.date} ${a.slot_time}`.localeCompare(`${b.date} ${b.slot_time}`))[0]!;
    expect(rows.filter((r) => r.status === 'cancelled')).toEqual([{ ...soonest, status: 'cancelled' }]);
    expect(rows.filter((r) => r.status === 'booked')).toHaveLength(1);
    expect(smsKinds(phone)).toEqual(['cancellation', 'confirmation', 'confirmation', 'welcome']);
    expect(holds()).toEqual([]);
  }, 60_000);

  it('a caller registered on the web books by phone: the booking joins the active account and the sync SMS goes out', async () => {
    const phone = '+919876500003';
    const reg = registerAccount(t.ctx, { phone, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: await hashPassword('web-pass-123') });
    expect(reg.ok).toBe(true);
    const c = await stack.call({ callerId: '09876500003' }); // the network's national form
    let from = await c.pressAfter('main-menu', '1');
    from = await c.pressAfter('doctor-menu-intro', '3', from);
    from = await c.pressAfter('slot-offer-intro', '1', from);
    await c.waitMedia('medq:confirmed', { from });
    await c.hangup();
    await c.ended();
    expect(booked(phone)).toMatchObject([{ doctor_id: 3, status: 'booked' }]);
    expect(account(phone)).toMatchObject({ status: 'active', username: 'asha', display_name: 'Asha Rao' });
    expect(q('select name, account_id from patients where phone = ?', phone)).toEqual([{ name: 'Asha Rao', account_id: account(phone)!.id }]);
    expect(smsKinds(phone)).toEqual(['confirmation', 'sync']);
  }, 60_000);

  it('a withheld caller ID keys a number and #, confirms with 1, books, and the SMS go to that number', async () => {
    const phone = '+919876500004';
    const c = await stack.call({ withheld: true });
    let from = await c.pressAfter('caller-id-withheld', '9876500004#');
    await c.waitMedia('medq:you-entered', { from });
    // The number is read back digit by digit; a key cuts the read-back short (barge-in).
    const readBack = ['9', '8', '7', '6', '5'].map((d) => `sound:digits/${d}`);
    await c.waitMedia('sound:digits/5', { from });
    expect(c.uris(from).slice(1, 6)).toEqual(readBack);
    from = await c.press('1');
    const menu = await c.waitMedia('medq:main-menu-no-appointments', { from });
    const key = stack.harness.observe({ id: c.appChannelId }).dtmf().at(-1)!;
    expect(menu.at - key.at).toBeLessThan(500);
    expect(c.uris()).not.toContain('sound:medq/confirm-phone-keys');
    from = await c.press('1');
    from = await c.pressAfter('doctor-menu-intro', '1', from);
    from = await c.pressAfter('slot-offer-intro', '1', from);
    await c.waitMedia('medq:confirmed', { from });
    await c.hangup();
    await c.ended();
    expect(booked(phone)).toMatchObject([{ doctor_id: 1, status: 'booked' }]);
    expect(account(phone)).toMatchObject({ status: 'provisional' });
    expect(smsKinds(phone)).toEqual(['confirmation', 'welcome']);
  }, 60_000);

  it('a hang-up in every menu leaves no partial state; one right after confirming leaves a booking that stands', async () => {
    const existing = '+919876500001'; // has one upcoming booking left
    const bookedBefore = booked(existing);
    const fresh = (i: number) => `+91987650010${i}`;
    type Script = (c: IvrCall) => Promise<void>;
    const scripts: Record<string, { callerId?: string; withheld?: boolean; run: Script }> = {
      main: { callerId: fresh(0), run: (c) => c.waitMedia('medq:main-menu').then(() => undefined) },
      phoneEntry: { withheld: true, run: async (c) => void (await c.pressAfter('enter-phone', '98765')) },
      phoneConfirm: { withheld: true, run: async (c) => void (await c.waitMedia('medq:you-entered', { from: await c.pressAfter('enter-phone', '9876500102#') })) },
      doctors: { callerId: fresh(3), run: async (c) => void (await c.waitMedia('medq:doctor-menu-intro', { from: await c.pressAfter('main-menu', '1') })) },
      offerPending: { callerId: fresh(4), run: async (c) => void (await c.pressAfter('doctor-menu-intro', '1', await c.pressAfter('main-menu', '1'))) },
      slot: {
        callerId: fresh(5),
        run: async (c) => {
          const from = await c.pressAfter('doctor-menu-intro', '2', await c.pressAfter('main-menu', '1'));
          await c.waitMedia('medq:slot-offer-intro', { from });
          expect(holds().length).toBeGreaterThan(0); // the offered slot is held for this call
        },
      },
      appointment: { callerId: existing, run: async (c) => void (await c.waitMedia('medq:appointment-item', { from: await c.pressAfter('main-menu', '2') })) },
      cancelConfirm: {
        callerId: existing,
        run: async (c) => {
          const from = await c.pressAfter('appointment-item', '1', await c.pressAfter('main-menu', '2'));
          await c.waitMedia('medq:cancel-confirm', { from });
        },
      },
      afterConfirm: {
        callerId: fresh(8),
        run: async (c) => {
          const from = await c.pressAfter('doctor-menu-intro', '3', await c.pressAfter('main-menu', '1'));
          // Hang up the moment the app has the key (not before it reached it).
          await c.keyReceived(await c.pressAfter('slot-offer-intro', '1', from));
        },
      },
    };
    await Promise.all(
      Object.values(scripts).map(async (s) => {
        const c = await stack.call(s.withheld ? { withheld: true } : { callerId: s.callerId });
        await s.run(c);
        await c.hangup();
        await c.ended();
      }),
    );
    // Give a booking issued just before its hang-up the moment it needs to commit.
    await expect.poll(() => booked(fresh(8)).length, { timeout: 5_000 }).toBe(1);
    await expect.poll(() => stack.role.activeCalls(), { timeout: 5_000 }).toBe(0);

    expect(holds()).toEqual([]);
    for (const i of [0, 3, 4, 5]) {
      expect(account(fresh(i))).toBeUndefined();
      expect(booked(fresh(i))).toEqual([]);
      expect(smsKinds(fresh(i))).toEqual([]);
    }
    expect(account('+919876500102')).toBeUndefined();
    expect(booked(existing)).toEqual(bookedBefore); // nothing cancelled
    // The booking confirmed just before the hang-up stands, and its SMS go out.
    expect(booked(fresh(8))).toMatchObject([{ doctor_id: 3, status: 'booked' }]);
    expect(smsKinds(fresh(8))).toEqual(['confirmation', 'welcome']);
  }, 60_000);

  it('0 in the main menu hands the caller to RECEPTION_ENDPOINT through [medq-reception]', async () => {
    const c = await stack.call({ callerId: '+919876500005' });
    const from = await c.pressAfter('main-menu', '0');
    await c.waitMedia('medq:transferring', { from });
    const dial = await stack.harness.events.waitFor(
      (e) => e.type === 'ChannelDialplan' && e.channel?.id === c.appChannelId && e.dialplan_app === 'Dial',
      { from, timeoutMs: 15_000, description: 'Dial() on the transferred call' },
    );
    expect(dial.dialplan_app_data).toContain(RECEPTION);
    expect(dial.channel?.dialplan.context).toBe('medq-reception');
    await c.hangup();
    await c.ended();
  }, 30_000);

  it.skipIf(!sipp.available)(
    'a full booking over real SIP: the PJSIP trunk, RFC 4733 keys 1 1 1, confirmation heard, the app hangs up',
    async () => {
      const phone = '+919876500006';
      const from = stack.harness.events.events.length;
      const result = await runSippCall({
        port: ast.sipPort,
        did: '7000',
        callerId: phone,
        digits: '111',
        firstKeyAfterMs: 1500,
        keyGapMs: 700,
        hangup: 'remote',
        remoteHangupTimeoutMs: 40_000,
        timeoutMs: 60_000,
      });
      expect(result.ok, `sipp failed (${result.exitCode}):\n${result.stderr}\n${result.errorLog}\n${result.messageLog.slice(-3000)}`).toBe(true);
      const ch = await stack.harness.waitForChannel((c) => c.name.startsWith('PJSIP/provider-'), { from });
      const c = IvrCall.forChannel(stack.harness, ch.id);
      expect(stack.harness.observe({ id: ch.id }).dtmf().map((d) => d.digit).join('')).toBe('111');
      const heard = c.uris(from);
      expect(heard).toContain('sound:medq/confirmed');
      expect(heard).toContain('sound:medq/goodbye');
      expect(booked(phone)).toMatchObject([{ doctor_id: 1, status: 'booked', channel: 'ivr' }]);
      expect(smsKinds(phone)).toEqual(['confirmation', 'welcome']);
      expect(holds()).toEqual([]);
    },
    90_000,
  );

  /** `npm run call` as a person runs it: a child process, keys on its stdin, its output collected. */
  function terminalPhone(phone: string) {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli/call.ts', '--from', phone, '--did', '7000', '--ari', ast.ariUrl, '--user', ast.ariUser, '--password', ast.ariPassword],
      { cwd: REPO_ROOT, env: { ...process.env, MEDQ_DB: t.path, LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    const phoneOut = { text: '' };
    child.stdout.on('data', (d: Buffer) => (phoneOut.text += d.toString()));
    child.stderr.on('data', (d: Buffer) => (phoneOut.text += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    return { child, out: () => phoneOut.text, exited };
  }

  it('npm run call: the terminal phone prints each prompt as it plays and sends the keys typed', async () => {
    const phone = '+919876500007';
    const { child, out, exited } = terminalPhone(phone);
    try {
      // Keys as soon as each prompt starts (barge-in), as a caller who knows the menu would.
      await expect.poll(out, { timeout: 40_000 }).toMatch(/🔊 Welcome to MedQ Demo Clinic/);
      // Its app watches channels, never device states: an app subscribed to all device states
      // (subscribeAll) could deadlock Asterisk's ARI when it disconnects (src/cli/call.ts).
      const apps = await ast.ari.get<Array<{ name: string; channel_ids: string[]; device_names: string[] }>>('/applications');
      const phoneApp = apps.find((a) => a.name.startsWith('medq-phone-'));
      expect(phoneApp).toMatchObject({ device_names: [] });
      expect(phoneApp!.channel_ids.length).toBeGreaterThan(0);
      child.stdin.write('1');
      await expect.poll(out, { timeout: 15_000 }).toContain('🔊 Please choose a doctor.');
      child.stdin.write('1');
      await expect.poll(out, { timeout: 15_000 }).toContain('🔊 The next available appointment with');
      child.stdin.write('1');
      // The app says goodbye and hangs up; the terminal phone ends with the call.
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    // The whole confirmation, with the date, the time and the token read as words.
    expect(out()).toMatch(
      /🔊 Your appointment with Dr\. Sharma on Monday 30th November at \d{1,2}(:\d\d| o'clock) [ap]\.m\. is confirmed\. Your token number is S \d+ You will receive an SMS/,
    );
    expect(out()).toContain('[call ended');
    expect(booked(phone)).toMatchObject([{ doctor_id: 1, status: 'booked' }]);
  }, 60_000);

  it('npm run call: Ctrl-C hangs the call up, and both halves of it are gone', async () => {
    const phone = '+919876500008';
    const { child, out, exited } = terminalPhone(phone);
    try {
      await expect.poll(out, { timeout: 40_000 }).toMatch(/🔊 Welcome to MedQ Demo Clinic/);
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    } finally {
      child.kill('SIGKILL');
    }
    expect(out()).toContain('[hung up]');
    expect(booked(phone)).toEqual([]);
    await expect
      .poll(async () => (await ast.ari.get<AriChannel[]>('/channels')).filter((c) => c.caller.number === phone), { timeout: 5_000 })
      .toEqual([]);
  }, 60_000);

  it('REST over HTTP, as with an Asterisk that does not answer REST on the WebSocket: five callers at once are booked the same way', async () => {
    await stack.close();
    stack = await startIvrStack(ast, t, { receptionEndpoint: RECEPTION, menuTimeoutMs: 1500, tuning: { restOverSocket: false } });
    expect(stack.role.ariRest()).toBe('http');
    const phones = Array.from({ length: 5 }, (_, i) => `+9198765${String(20_000 + i).padStart(5, '0')}`);
    let peakSockets = 0;
    const sampler = setInterval(() => (peakSockets = Math.max(peakSockets, stack.role.ariSocketsInUse())), 5);
    const calls = await bookAtOnce(phones);
    clearInterval(sampler);
    expect(phones.flatMap((p) => booked(p))).toHaveLength(5);
    expect(peakSockets).toBeGreaterThan(0);
    expect(peakSockets).toBeLessThanOrEqual(32);
    expect(stack.role.ariSocketRequestsInFlight()).toBe(0);
  }, 60_000);

  it('Asterisk never logged a missing sound, and the ARI HTTP server never ran out of sessions', async () => {
    await sleep(200);
    expect(await ast.missingSounds()).toEqual([]);
    const log = await ast.readLog();
    expect(log).not.toMatch(/session count exceeded/i);
    // A caller hanging up mid-prompt makes that playback fail; that is the caller's doing.
    const problems = (await ast.logProblems()).filter((l) => !/res_stasis_playback\.c: \S+: Playback failed for /.test(l));
    expect(problems).toEqual([]);
    // Every barge-in stopped its prompt (ARI refuses to stop say-type media; none were sent).
    expect(stack.logs.filter((l) => /stop playback failed|playback could not start/.test(l.msg))).toEqual([]);
  });
});
