// SMS figures: the sms role draining the outbox into a real SMPP peer (node-smpp's server,
// tests/sms/smsc.ts) with a window of 1 and of 10 outstanding submit_sm. Each message is checked
// to have reached the peer once. Beside them, Debian's Kannel (bearerbox + smsbox, bench/lib/kannel.ts)
// fed the same messages over HTTP sendsms into the same kind of peer, its rate read at the peer.
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TestSmsc } from '../tests/sms/smsc.js';
import { kannelVersion, startKannel } from './lib/kannel.js';
import type { Figures } from './lib/report.js';

const text = (i: number) => `MedQ: appointment confirmed with Dr Bench on Wed 2 Dec at 10:30. Token B-${i}.`;
const phone = (i: number) => `+9198${String(20000000 + i)}`;

/** performance.now() of each submit_sm as the peer received it (TestSmsc's list, timed from outside). */
function timeSubmits(smsc: TestSmsc): number[] {
  const at: number[] = [];
  const push = smsc.submits.push.bind(smsc.submits);
  smsc.submits.push = (...items) => {
    for (let k = 0; k < items.length; k++) at.push(performance.now());
    return push(...items);
  };
  return at;
}

/** Submits/s at the peer, first submit_sm to the Nth: (N − 1) intervals over that span. */
function peerRate(at: number[]): number | null {
  if (at.length < 2) return null;
  return ((at.length - 1) * 1000) / (at[at.length - 1]! - at[0]!);
}

interface Drain {
  accepted: number;
  seconds: number;
  received: number;
  distinct: number;
  peerRate: number | null;
}

/** One drain by bench/sms-drain.ts of this checkout or of `benchDir`'s (an older commit's). */
async function drain(messages: number, windowSize: number, benchDir?: string): Promise<Drain> {
  const script = benchDir ? join(benchDir, 'sms-drain.ts') : fileURLToPath(new URL('./sms-drain.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(messages), String(windowSize)], { cwd: benchDir ? dirname(benchDir) : undefined, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  const line = out.trim().split('\n').at(-1) ?? '';
  if (code !== 0 || !line.startsWith('{')) throw new Error(`sms drain (window ${windowSize}) ended with ${code}: ${out.slice(-300)}`);
  return JSON.parse(line) as Drain;
}

export async function benchSms(opts: { messages: number; log?: (line: string) => void; baseline?: { dir: string; label: string }; kannel?: boolean }): Promise<Figures> {
  const log = opts.log ?? console.log;
  const figures: Figures = {};
  for (const windowSize of [1, 10]) {
    // With --baseline, the older code drains the same outbox right after, in the same conditions.
    for (const who of opts.baseline ? (['medq', 'baseline'] as const) : (['medq'] as const)) {
      const d = await drain(opts.messages, windowSize, who === 'baseline' ? join(opts.baseline!.dir, 'bench') : undefined);
      const rate = d.accepted / d.seconds;
      const name = `sms_submit_per_s_window${windowSize}${who === 'baseline' ? '_baseline' : ''}`;
      figures[name] = {
        value: Math.round(rate),
        unit: 'submits/s',
        note: `${who === 'baseline' ? `${opts.baseline!.label}'s code, same run: ` : ''}${d.accepted} one-part messages from the outbox to the SMPP peer (node-smpp server on loopback, no added latency), window ${windowSize}; the peer got ${d.received} submit_sm for ${d.distinct} distinct numbers; at the peer, first submit_sm to the last: ${d.peerRate?.toFixed(0) ?? '?'}/s`,
      };
      log(`sms window ${windowSize}${who === 'baseline' ? ` (${opts.baseline!.label})` : ''}: ${rate.toFixed(0)} submits/s (${d.accepted} accepted, ${d.received} received by the peer)`);
    }
  }
  if (opts.kannel === false) return figures;
  // Kannel failing (not installable, no bind, ...) leaves its figure null with the reason and keeps MedQ's.
  figures['sms_submit_per_s_kannel'] = await benchKannel({ messages: opts.messages, concurrency: 10, maxPendingSubmits: 10, log }).catch((err: unknown) => {
    log(`sms kannel failed: ${String((err as Error)?.message ?? err)}`);
    return { value: null, unit: 'submits/s', note: `Kannel benchmark failed: ${String((err as Error)?.message ?? err).slice(0, 300)}` };
  });
  return figures;
}

/**
 * Kannel's figure: bearerbox with one smpp SMSC group (transceiver, max-pending-submits = window)
 * into a TestSmsc, smsbox taking `GET /cgi-bin/sendsms` from `concurrency` request loops over
 * loopback. The rate is read at the peer, first submit_sm to the Nth.
 */
async function benchKannel(opts: { messages: number; concurrency: number; maxPendingSubmits: number; log: (line: string) => void }) {
  const smsc = await TestSmsc.start({ receipt: () => null });
  const at = timeSubmits(smsc);
  try {
    const kannel = await startKannel({ smscHost: '127.0.0.1', smscPort: smsc.port, systemId: 'medq', password: 'secret', maxPendingSubmits: opts.maxPendingSubmits, log: opts.log });
    try {
      const started = performance.now();
      let next = 0;
      const refused: string[] = [];
      const sender = async () => {
        for (let i = next++; i < opts.messages; i = next++) {
          const res = await fetch(kannel.sendsmsUrl({ from: 'MedQ', to: phone(i), text: text(i) }));
          const body = await res.text();
          if (res.status !== 202) refused.push(`${res.status} ${body.trim()}`);
        }
      };
      await Promise.all(Array.from({ length: opts.concurrency }, sender));
      const httpSeconds = (performance.now() - started) / 1000;
      if (refused.length) throw new Error(`sendsms refused ${refused.length} of ${opts.messages}: ${refused[0]}`);
      const deadline = Date.now() + 30_000 + opts.messages * 20;
      while (smsc.submits.length < opts.messages && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      if (smsc.submits.length < opts.messages) throw new Error(`the peer got ${smsc.submits.length} of ${opts.messages} submit_sm from Kannel — ${kannel.logTail()}`);
      const rate = peerRate(at.slice(0, opts.messages))!;
      const distinct = new Set(smsc.submits.map((s) => s.dest)).size;
      const sameText = smsc.submits.filter((s) => s.text === text(Number(s.dest.slice(4)) - 20000000)).length;
      opts.log(`sms kannel: ${rate.toFixed(0)} submits/s at the peer (${smsc.submits.length} received, ${distinct} distinct numbers, sendsms done in ${httpSeconds.toFixed(2)} s)`);
      return {
        value: Math.round(rate),
        unit: 'submits/s',
        note:
          `Debian kannel (bearerbox + smsbox, ${kannelVersion()}), ${opts.messages} one-part messages by HTTP GET /cgi-bin/sendsms from ${opts.concurrency} concurrent request loops, ` +
          `into the same kind of SMPP peer (node-smpp server on loopback); SMSC group: ${kannel.smscSettings} (no throughput limit; no bearerbox store, so not durable like MedQ's outbox; log-level 4); ` +
          `rate at the peer, first submit_sm to the ${opts.messages}th; the peer got ${smsc.submits.length} submit_sm for ${distinct} distinct numbers, ${sameText} with the exact text; ` +
          `first HTTP request to the last submit_sm: ${((opts.messages * 1000) / (at[opts.messages - 1]! - started)).toFixed(0)}/s`,
      };
    } finally {
      await kannel.stop();
    }
  } finally {
    await smsc.close();
  }
}
