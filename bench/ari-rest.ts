// CPU per ARI REST request in the app's process: ari-client (swagger-client + shred) against the
// lean client of src/ari/rest.ts, the same requests to one real Asterisk, interleaved rounds.
// npx tsx bench/ari-rest.ts [requests per round, default 2000] [rounds, default 3]
import ariClient from 'ari-client';
import { createAriRest } from '../src/ari/rest.js';
import { startAsterisk } from '../tests/support/asterisk.js';

const perRound = Number(process.argv[2] ?? 2000);
const rounds = Number(process.argv[3] ?? 3);
const concurrency = 10;
const ast = await startAsterisk({ name: 'bench-rest' });
try {
  const client = await ariClient.connect(ast.ariUrl, ast.ariUser, ast.ariPassword);
  const rest = createAriRest({ url: ast.ariUrl, username: ast.ariUser, password: ast.ariPassword, timeoutMs: 5_000, maxSockets: 32 });
  // A call's mix: a play, a playback lookup, a list (the two missing ones answer 404).
  const viaClient = (i: number): Promise<unknown> =>
    i % 3 === 0
      ? client.channels.playWithId({ channelId: 'gone', playbackId: `p${i}`, media: ['sound:beep', 'sound:beep'], lang: 'en' })
      : i % 3 === 1
        ? client.playbacks.get({ playbackId: `p${i}` })
        : client.channels.list();
  const viaLean = (i: number): Promise<unknown> =>
    i % 3 === 0
      ? rest.request('play', 'POST', `/channels/gone/play/p${i}`, { media: 'sound:beep,sound:beep', lang: 'en' })
      : i % 3 === 1
        ? rest.request('get playback', 'GET', `/playbacks/p${i}`)
        : rest.request('list channels', 'GET', '/channels');
  const run = async (send: (i: number) => Promise<unknown>) => {
    let next = 0;
    let ok = 0;
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < perRound) {
          const i = next++;
          await send(i).then(
            () => ok++,
            (e: unknown) => /not found/i.test(String((e as Error)?.message ?? e)) && ok++,
          );
        }
      }),
    );
    const c = process.cpuUsage(c0);
    return { cpuUsPerReq: (c.user + c.system) / perRound, wallMs: performance.now() - t0, ok };
  };
  await run(viaClient); // warm-up
  await run(viaLean);
  const results: Record<'ari-client' | 'lean', number[]> = { 'ari-client': [], lean: [] };
  for (let r = 0; r < rounds; r++) {
    for (const [name, send] of [['ari-client', viaClient], ['lean', viaLean]] as const) {
      const x = await run(send);
      if (x.ok !== perRound) throw new Error(`${name}: ${perRound - x.ok} requests failed`);
      results[name].push(x.cpuUsPerReq);
      console.log(`${name.padEnd(10)} round ${r + 1}: ${x.cpuUsPerReq.toFixed(0)} µs CPU per request, ${((perRound / x.wallMs) * 1000).toFixed(0)} req/s`);
    }
  }
  const med = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
  const [a, b] = [med(results['ari-client']), med(results.lean)];
  console.log(`median CPU per request: ari-client ${a.toFixed(0)} µs, lean ${b.toFixed(0)} µs (${(a / b).toFixed(1)}× less)`);
  rest.close();
  client.removeAllListeners();
} finally {
  await ast.stop();
}
process.exit(0);
