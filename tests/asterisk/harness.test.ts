// Proves the real-Asterisk harness (tests/support/asterisk.ts) and the production configuration
// in asterisk-config/ with a tiny ARI app written here (not the project's IVR): calls placed as
// Local channels and as SIP calls over the trunk reach Stasis(medq) with caller ID and dialled
// number, prompts play, keys arrive in order, strangers are refused, and a restart is survived.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AriEventStream,
  AriRest,
  CallerHarness,
  requireRealAsterisk,
  requireSipp,
  runSippCall,
  startAsterisk,
  writeTonePrompt,
  type AriEvent,
  type AsteriskInstance,
} from '../support/asterisk.js';

const real = requireRealAsterisk();
const sipp = real.available ? requireSipp() : real;

/** What the tiny app plays, by dialled number. */
const MEDIA_BY_DID: Record<string, string> = {
  '7000': 'sound:hello-world',
  '7001': 'sound:medq/harness-tone',
  '7002': 'sound:medq/not-there',
  '7003': 'sound:beep,sound:hello-world',
};

/** The stand-in for the IVR: answers, plays one sound picked by the dialled number, listens. */
class TinyApp {
  readonly starts: AriEvent[] = [];
  readonly digits = new Map<string, string>();

  private constructor(
    readonly stream: AriEventStream,
    readonly ari: AriRest,
  ) {
    stream.on('event', (ev: AriEvent) => void this.#onEvent(ev));
  }

  static async start(ast: AsteriskInstance): Promise<TinyApp> {
    return new TinyApp(await AriEventStream.connect(ast, 'medq'), new AriRest(ast));
  }

  async #onEvent(ev: AriEvent): Promise<void> {
    const ch = ev.channel;
    if (!ch) return;
    if (ev.type === 'StasisStart') {
      this.starts.push(ev);
      const media = MEDIA_BY_DID[ev.args?.[0] ?? ''] ?? 'sound:hello-world';
      try {
        await this.ari.post(`/channels/${ch.id}/answer`);
        await this.ari.post(`/channels/${ch.id}/play`, { media });
      } catch {
        // the caller may already be gone
      }
    } else if (ev.type === 'ChannelDtmfReceived' && ev.digit) {
      this.digits.set(ch.id, (this.digits.get(ch.id) ?? '') + ev.digit);
    }
  }

  startOf(channelId: string): AriEvent | undefined {
    return this.starts.find((e) => e.channel?.id === channelId);
  }

  close(): void {
    this.stream.close();
  }
}

describe.skipIf(!real.available)('real Asterisk harness', () => {
  let ast: AsteriskInstance;
  let harness: CallerHarness;
  let app: TinyApp;

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'harness' });
    harness = await CallerHarness.connect(ast);
    app = await TinyApp.start(ast);
  });

  afterAll(async () => {
    app?.close();
    await harness?.close();
    await ast?.stop();
  });

  it('loads the production configuration cleanly: ARI, PJSIP trunk, dialplan, no load errors', async () => {
    const info = await ast.ari.get<{ system: { version: string } }>('/asterisk/info');
    expect(info.system.version).toMatch(/^22\./);
    const modules = await ast.cli('module show');
    for (const m of ['res_ari.so', 'app_stasis.so', 'chan_pjsip.so', 'res_pjsip_pubsub.so', 'res_websocket_client.so', 'res_rtp_asterisk.so', 'pbx_config.so']) {
      expect(modules).toContain(m);
    }
    expect(modules).not.toContain('res_pjsip_endpoint_identifier_anonymous');
    expect(await ast.cli('pjsip show identify provider')).toContain('127.0.0.2/32');
    expect(await ast.cli('dialplan show medq-inbound')).toContain('Stasis(${MEDQ_APP},${EXTEN})');
    expect(await ast.logProblems()).toEqual([]);
  });

  it('a Local call reaches Stasis(medq) with caller ID and dialled number, hears hello-world, and 1 2 # arrive in order', async () => {
    const call = await harness.call({ did: '7000', callerId: '+919999999999' });
    await call.app.waitForStasis('medq');
    const appChannelId = await call.app.channelId();
    await call.answered();

    const start = app.startOf(appChannelId);
    expect(start?.channel?.caller.number).toBe('+919999999999');
    expect(start?.channel?.dialplan.exten).toBe('7000');
    expect(start?.channel?.dialplan.context).toBe('medq-inbound');
    expect(start?.args).toEqual(['7000']);

    const played = await call.waitForPlayback('sound:hello-world', { state: 'finished', timeoutMs: 10_000 });
    expect(played.finalState).toBe('done');
    expect(played.finishedAt! - played.startedAt).toBeGreaterThan(500); // it really played

    await call.press('12#');
    expect(await call.app.waitForDtmf(3)).toBe('12#');
    // The app's own WebSocket may deliver a moment after the harness's.
    await expect.poll(() => app.digits.get(appChannelId), { timeout: 5_000 }).toBe('12#');

    await call.hangup();
    await call.app.waitForHangup();
    expect(call.heard()).toEqual(['sound:hello-world']);
  });

  it('passes a withheld caller ID through as withheld', async () => {
    const call = await harness.call({ did: '7000', withheld: true });
    await call.app.waitForStasis('medq');
    await call.answered();
    const start = app.startOf(await call.app.channelId());
    expect(start?.channel?.caller.number).toBe('');
    await call.hangup();
  });

  it('plays prompts written into soundsDir as sound:medq/<id>, and reports missing ones', async () => {
    await writeTonePrompt(ast.soundsDir, 'harness-tone', { ms: 400 });
    const ok = await harness.call({ did: '7001', callerId: '+919999999991' });
    const tone = await ok.waitForPlayback('sound:medq/harness-tone', { state: 'finished' });
    expect(tone.finalState).toBe('done');
    await ok.hangup();
    expect(await ast.missingSounds()).toEqual([]);

    const missing = await harness.call({ did: '7002', callerId: '+919999999992' });
    const p = await missing.waitForPlayback('sound:medq/not-there', { state: 'finished' });
    expect(p.finalState).toBe('failed');
    await missing.hangup();
    await expect.poll(() => ast.missingSounds(), { timeout: 5_000 }).toEqual(['medq/not-there']);
  });

  it('follows a play of several media one medium at a time', async () => {
    const call = await harness.call({ did: '7003', callerId: '+919999999995' });
    const second = await call.waitForPlayback('sound:hello-world', { state: 'finished' });
    expect(second.medium).toBe(1);
    expect(second.finalState).toBe('done');
    const [first] = call.app.playbacks();
    expect(first).toMatchObject({ mediaUri: 'sound:beep', medium: 0, finalState: 'continuing', id: second.id });
    expect(first!.finishedAt).toBeLessThanOrEqual(second.startedAt);
    expect(call.heard()).toEqual(['sound:beep', 'sound:hello-world']);
    await call.hangup();
  });

  it.skipIf(!sipp.available)(
    'an SIPp call over the trunk from 127.0.0.2 reaches Stasis(medq) with its caller ID, and RFC 4733 keys 1 2 2 # arrive',
    async () => {
      const from = harness.events.events.length;
      const result = await runSippCall({
        port: ast.sipPort,
        from: '127.0.0.2',
        did: '7000',
        callerId: '+919876543210',
        digits: '122#',
        firstKeyAfterMs: 800,
        keyGapMs: 500,
        holdMs: 800,
      });
      expect(result.ok, `sipp failed (${result.exitCode}):\n${result.stderr}\n${result.errorLog}\n${result.messageLog.slice(-3000)}`).toBe(true);
      expect(result.responses).toContain(200);

      const ch = await harness.waitForChannel((c) => c.name.startsWith('PJSIP/provider-'), { from });
      const observer = harness.observe({ id: ch.id });
      await observer.waitForStasis('medq');
      const start = app.startOf(ch.id);
      expect(start?.channel?.caller.number).toBe('+919876543210');
      expect(start?.args).toEqual(['7000']);
      expect(observer.heard()).toContain('sound:hello-world');
      expect(observer.dtmf().map((d) => d.digit).join('')).toBe('122#');
      await expect.poll(() => app.digits.get(ch.id), { timeout: 5_000 }).toBe('122#');
      await observer.waitForHangup();
    },
    60_000,
  );

  it.skipIf(!sipp.available)(
    'refuses a call from an unidentified address, even one claiming to be the provider',
    async () => {
      const from = harness.events.events.length;
      const result = await runSippCall({
        port: ast.sipPort,
        from: '127.0.0.3',
        did: '7000',
        callerId: 'provider',
        expect: 'reject',
        timeoutMs: 20_000,
      });
      expect(result.ok, `sipp (${result.exitCode}):\n${result.stderr}\n${result.messageLog.slice(-3000)}`).toBe(true);
      expect(result.responses.some((c) => c >= 400)).toBe(true);
      expect(result.responses).not.toContain(200);
      // Nothing reached the dialplan.
      expect(harness.events.events.slice(from).filter((e) => e.type === 'ChannelCreated')).toEqual([]);
      expect(await ast.readLog()).toMatch(/No matching endpoint found/);
    },
    40_000,
  );

  it('a call while the app is not connected hears "all circuits are busy" and is hung up', async () => {
    app.close();
    await expect.poll(async () => (await ast.ari.get<{ name: string }[]>('/applications')).map((a) => a.name)).not.toContain('medq');
    try {
      const call = await harness.call({ did: '7000', callerId: '+919999999994' });
      await harness.events.waitFor(
        (e) =>
          e.type === 'ChannelDialplan' &&
          e.channel?.name === call.callerChannelName.replace(/;1$/, ';2') &&
          e.dialplan_app === 'Playback' &&
          e.dialplan_app_data === 'all-circuits-busy-now',
        { description: 'Playback(all-circuits-busy-now)' },
      );
      await call.app.waitForHangup(15_000);
      expect(await ast.readLog()).toMatch(/MedQ application 'medq' is not connected: call from '\+919999999994'/);
    } finally {
      app = await TinyApp.start(ast);
    }
  });

  it('restart(): Asterisk comes back on the same ports, ARI answers and calls are served again', async () => {
    for (const kill of [false, true]) {
      const opensBefore = app.stream.opens;
      await ast.restart({ kill, downMs: 200 });
      const info = await ast.ari.get<{ system: { version: string } }>('/asterisk/info');
      expect(info.system.version).toMatch(/^22\./);
      // Both WebSockets reconnect by themselves and re-register their apps.
      await harness.events.waitConnected(10_000);
      await expect.poll(() => app.stream.opens, { timeout: 10_000 }).toBeGreaterThan(opensBefore);

      const call = await harness.call({ did: '7000', callerId: '+919999999993' });
      await call.app.waitForStasis('medq');
      await call.waitForPlayback('sound:hello-world');
      await call.hangup();
      await call.ended();
    }
  }, 60_000);

  it('played sounds never logged "does not exist" apart from the deliberate one', async () => {
    expect(await ast.missingSounds()).toEqual(['medq/not-there']);
  });
});
