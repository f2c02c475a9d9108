// SPEC §10: Asterisk loads codec_resample and codec_g722, so a wideband (G.722) desk phone and a
// Local channel hear every prompt, the 8 kHz MedQ prompts included. A real Asterisk with the
// production asterisk-config/; the caller's leg speaks only G.722.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AriEventStream,
  AriRest,
  CallerHarness,
  requireRealAsterisk,
  startAsterisk,
  writeTonePrompt,
  type AriEvent,
  type AsteriskInstance,
} from '../support/asterisk.js';

const real = requireRealAsterisk();

describe.skipIf(!real.available)('wideband codecs on the production configuration', () => {
  let ast: AsteriskInstance;
  let harness: CallerHarness;
  let stream: AriEventStream;

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'codecs' });
    harness = await CallerHarness.connect(ast);
    // The stand-in for the IVR: answers and plays an 8 kHz MedQ prompt.
    const ari = new AriRest(ast);
    stream = await AriEventStream.connect(ast, 'medq');
    stream.on('event', (ev: AriEvent) => {
      if (ev.type !== 'StasisStart' || !ev.channel) return;
      const id = ev.channel.id;
      void ari
        .post(`/channels/${id}/answer`)
        .then(() => ari.post(`/channels/${id}/play`, { media: 'sound:medq/codec-tone' }))
        .catch(() => undefined);
    });
    await writeTonePrompt(ast.soundsDir, 'codec-tone', { ms: 600 });
  });

  afterAll(async () => {
    stream?.close();
    await harness?.close();
    await ast?.stop();
  });

  it('loads codec_g722 and codec_resample', async () => {
    for (const m of ['codec_g722', 'codec_resample']) {
      const out = await ast.cli(`module show like ${m}`);
      expect(out).toMatch(new RegExp(`${m}\\.so\\s.*Running`));
      expect(out).toMatch(/1 modules loaded/);
    }
    const paths = await ast.cli('core show translation paths g722');
    expect(paths).toMatch(/slin\S* .*g722|g722/);
  });

  it('a G.722 caller on a Local channel hears an 8 kHz MedQ prompt to its end', async () => {
    const call = await harness.call({ did: '7000', callerId: '+919999999977', formats: 'g722' });
    await call.app.waitForStasis('medq');
    await call.answered();
    const played = await call.waitForPlayback('sound:medq/codec-tone', { state: 'finished', timeoutMs: 10_000 });
    expect(played.finalState).toBe('done');
    expect(played.finishedAt! - played.startedAt).toBeGreaterThan(400); // it really played
    await call.hangup();
    const log = await ast.readLog();
    expect(log).not.toMatch(/No translator path|Unable to find a codec translation path|Cannot find translator/i);
    expect(await ast.missingSounds()).toEqual([]);
  });
});
