// The reference for the IVR figures: a minimal ari-client Stasis app with no database. It answers,
// plays a prompt that a key interrupts (barge-in), and for each of three keys stops what plays and
// starts the next prompt, the third a beep; the caller hangs up. Same IPC as bench/ivr-app.ts.
import { loopDelaySinceLast } from './lib/loop-delay.js';
import ari from 'ari-client';

const [ariUrl, ariUser, ariPassword] = process.argv.slice(2) as [string, string, string];
const PROMPTS = ['sound:hello-world', 'sound:hello-world', 'sound:hello-world', 'sound:beep'];

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the project's ari-client typings cover only what src/ari uses
const client: any = await ari.connect(ariUrl, ariUser, ariPassword);
let n = 0;
client.on('StasisStart', (_event: unknown, channel: any) => {
  let keys = 0;
  let current: any = null;
  const play = (media: string) => {
    const playback = client.Playback(`min-${process.pid}-${++n}`);
    current = playback;
    channel.play({ media }, playback).catch(() => undefined);
  };
  channel.on('ChannelDtmfReceived', () => {
    keys++;
    if (keys > 3) return;
    current?.stop().catch(() => undefined);
    play(PROMPTS[keys]!);
  });
  channel
    .answer()
    .then(() => play(PROMPTS[0]!))
    .catch(() => undefined);
});
await client.start('medq');
process.send!({ type: 'up' });
process.on('message', (m: { type: string }) => {
  if (m.type === 'usage') {
    const c = process.cpuUsage();
    process.send!({ type: 'usage', cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1048576, ...loopDelaySinceLast() });
  } else if (m.type === 'stop') process.exit(0);
});
