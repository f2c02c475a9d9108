// IVR figures over real SIP: SIPp (RFC 4733 keys from shifted pcaps) calls into a real Asterisk 22,
// new callers keying 1 1 1 (main menu → doctors, doctor → slot offer, confirm → confirmation),
// first against a minimal ari-client app (bench/minimal-app.ts), then against MedQ's ivr role
// (bench/ivr-app.ts), each in a process of its own, at the same levels of simultaneous calls.
// Latency is read from Asterisk's own event timestamps by an observer on an all-channels ARI
// connection: ChannelDtmfReceived → the next PlaybackStarted on that channel.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/client.js';
import { renderPromptsWithCli } from '../tests/ari/support-ivr.js';
import { AriEventStream, ariTime, freeSippPorts, realAsteriskStatus, startAsterisk, writeDtmfPcaps, type AriEvent, type AsteriskInstance } from '../tests/support/asterisk.js';
import { createTestDb } from '../tests/support/db.js';
import type { Figures } from './lib/report.js';
import { doubleBooked } from './sync.js';

export interface IvrBenchOptions {
  levels: number[];
  /** Node flags for both app processes (e.g. --cpu-prof). */
  nodeFlags?: string[];
  /** Also MedQ at an older commit (bench/lib/baseline.ts, with ivr-app.ts copied in), same levels, same run. */
  baseline?: { dir: string; label: string };
  log?: (line: string) => void;
}

interface LevelResult {
  calls: number;
  sippOk: boolean;
  completed: number;
  perKey: number[][];
  appCpuMs: number;
  astCpuMs: number;
  rssMb: number;
  loopBusy?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  /** The app's main thread: time runnable but without a CPU in the level, and its longest stall (bench/lib/loop-delay.ts). */
  cpuWaitMs?: number;
  worstStall?: { gapMs: number; onCpuMs: number; waitingMs: number };
  booked?: number;
  doubleBooked?: number;
  /** MedQ's booking commits in the level (count, p50/p99/max ms, fsync included): key 3 waits for one. */
  commits?: { n: number; p50Ms: number; p99Ms: number; maxMs: number };
}

const here = (f: string) => fileURLToPath(new URL(f, import.meta.url));
const TEMPLATE = fileURLToPath(new URL('../tests/support/sipp/uac-dtmf.xml', import.meta.url));

function procCpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in 1/100 s
}

function q(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

/** An app process's CPU and RSS, and its event loop since the last ask (an older baseline may not report it; the delay only with BENCH_LOOP_DELAY=1). */
interface Usage {
  cpuMs: number;
  rssMb: number;
  loopBusy?: number;
  loopP99Ms?: number;
  loopMaxMs?: number;
  cpuWaitMs?: number;
  worstStall?: { gapMs: number; onCpuMs: number; waitingMs: number };
  /** MedQ's booking commits since the last ask, each in ms (an older baseline may not report them). */
  commitMs?: number[];
}

class App {
  constructor(readonly child: ChildProcess) {}
  static async start(script: string, args: string[], logFile: string, nodeFlags: string[] = []): Promise<App> {
    const out = await fs.open(logFile, 'a');
    const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', script, ...args], { stdio: ['ignore', out.fd, 'inherit', 'ipc'] });
    await out.close();
    await new Promise<void>((resolve, reject) => {
      child.once('exit', (c) => reject(new Error(`${path.basename(script)} exited (${c}) before it was up`)));
      child.on('message', (m: { type: string }) => m.type === 'up' && resolve());
    });
    return new App(child);
  }
  usage(): Promise<Usage> {
    return new Promise((resolve) => {
      const on = (m: Usage & { type: string }) => {
        if (m.type !== 'usage') return;
        this.child.off('message', on);
        resolve(m);
      };
      this.child.on('message', on);
      this.child.send({ type: 'usage' });
    });
  }
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' });
    const t = setTimeout(() => this.child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(t);
  }
}

/** N calls of new callers keying 1 1 1, started at `rate` per second; resolves with SIPp's verdict. */
async function sippCalls(ast: AsteriskInstance, dir: string, phones: string[], rate: number): Promise<{ ok: boolean; stderr: string }> {
  await fs.mkdir(dir, { recursive: true });
  const pcaps = await writeDtmfPcaps('111', path.join(dir, 'pcap'));
  const keys = pcaps.map((f, i) => `  <nop><action><exec play_pcap_audio="${f}"/></action></nop>\n  <pause milliseconds="${i === pcaps.length - 1 ? 200 : 1800}"/>`).join('\n');
  const bye = `  <send retrans="500" start_txn="bye">\n    <![CDATA[\nBYE [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\nFrom: "[$callername]" <sip:[$caller]@[$callerhost]>;tag=[pid]SIPpTag00[call_number]\nTo: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n[routes]\nCall-ID: [call_id]\nCSeq: 2 BYE\nContact: <sip:[$caller]@[local_ip]:[local_port]>\nMax-Forwards: 70\nContent-Length: 0\n\n    ]]>\n  </send>\n  <recv response="200" response_txn="bye" crlf="true"/>`;
  const scenario = readFileSync(TEMPLATE, 'utf8')
    .replace('<!-- @FIRST_KEY_PAUSE@ -->', '<pause milliseconds="2200"/>')
    .replace('<!-- @KEYPRESSES@ -->', keys)
    .replace('<!-- @HOLD@ -->', '<pause milliseconds="3000"/>')
    .replace('<!-- @HANGUP@ -->', bye)
    .replace('<Global variables="caller,callername,callerhost"/>', '<Global variables="callername,callerhost"/>')
    .replaceAll('[$caller]', '[field0]');
  const scenarioFile = path.join(dir, 'uac-bench.xml');
  await fs.writeFile(scenarioFile, scenario);
  const csv = path.join(dir, 'callers.csv');
  await fs.writeFile(csv, `SEQUENTIAL\n${phones.map((p) => `${p};`).join('\n')}\n`);
  const from = ast.trunkAddress;
  const { sipPort, mediaPort } = await freeSippPorts(from);
  const args = [
    `127.0.0.1:${ast.sipPort}`, '-sf', scenarioFile, '-inf', csv, '-i', from, '-p', String(sipPort), '-mi', from, '-mp', String(mediaPort),
    '-s', '7000', '-set', 'callername', 'Bench Caller', '-set', 'callerhost', from,
    '-m', String(phones.length), '-l', String(phones.length), '-r', String(rate), '-rp', '1000',
    '-nostdin', '-timeout', '120s', '-timeout_error', '-recv_timeout', '30000', '-trace_err', '-error_file', path.join(dir, 'errors.log'),
  ];
  return new Promise((resolve) => {
    const child = spawn('sipp', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('close', (code) => resolve({ ok: code === 0, stderr }));
  });
}

/** Per key (0, 1, 2): DTMF → next PlaybackStarted on the same channel, in ms of Asterisk's clock. */
function keyLatencies(events: AriEvent[], from: number): { perKey: number[][]; completed: number } {
  const perChannel = new Map<string, { keys: number; pendingAt: number | null; pendingKey: number }>();
  const perKey: number[][] = [[], [], []];
  let completed = 0;
  for (const ev of events.slice(from)) {
    if (ev.type === 'ChannelDtmfReceived' && ev.channel?.name.startsWith('PJSIP/')) {
      const c = perChannel.get(ev.channel.id) ?? { keys: 0, pendingAt: null, pendingKey: 0 };
      perChannel.set(ev.channel.id, c);
      c.pendingKey = c.keys++;
      c.pendingAt = ariTime(ev.timestamp);
    } else if (ev.type === 'PlaybackStarted') {
      const target = ev.playback?.target_uri ?? '';
      const c = target.startsWith('channel:') ? perChannel.get(target.slice(8)) : undefined;
      if (!c || c.pendingAt === null) continue;
      if (c.pendingKey < 3) perKey[c.pendingKey]!.push(ariTime(ev.timestamp) - c.pendingAt);
      if (c.pendingKey === 2) completed++;
      c.pendingAt = null;
    }
  }
  for (const k of perKey) k.sort((a, b) => a - b);
  return { perKey, completed };
}

export async function benchIvr(opts: IvrBenchOptions): Promise<{ figures: Figures; integrity: { lost: number; doubleBooked: number } }> {
  const log = opts.log ?? console.log;
  const status = realAsteriskStatus();
  if (!status.available) throw new Error(`no real Asterisk here: ${status.reason}`);
  const work = await fs.mkdtemp(path.join(os.tmpdir(), 'medq-bench-ivr-'));
  const ast = await startAsterisk({ name: 'bench' });
  const t = createTestDb();
  const observer = await AriEventStream.connect(ast, 'bench-observer', { allChannels: true });
  const results: Record<'minimal' | 'medq' | 'baseline', LevelResult[]> = { minimal: [], medq: [], baseline: [] };
  const tb = opts.baseline ? createTestDb() : null;
  let runNo = Math.floor(Math.random() * 90);
  // Callers +91 99 RR NNNNNN: RR (10–99) differs per SIPp run, so every run's callers are new.
  const runTag = () => String(10 + (runNo % 90));
  try {
    await renderPromptsWithCli(ast.soundsDir, t.path);
    t.db.$client.close(); // the ivr-app process owns the file now
    tb?.db.$client.close();
    for (const which of opts.baseline ? (['minimal', 'baseline', 'medq'] as const) : (['minimal', 'medq'] as const)) {
      const app =
        which === 'minimal'
          ? await App.start(here('./minimal-app.ts'), [ast.ariUrl, ast.ariUser, ast.ariPassword], path.join(work, 'minimal.log'), opts.nodeFlags)
          : which === 'baseline'
            ? await App.start(`${opts.baseline!.dir}/bench/ivr-app.ts`, [tb!.path, ast.ariUrl, ast.ariUser, ast.ariPassword, ast.soundsDir], path.join(work, 'baseline.log'), opts.nodeFlags)
            : await App.start(here('./ivr-app.ts'), [t.path, ast.ariUrl, ast.ariUser, ast.ariPassword, ast.soundsDir], path.join(work, 'medq.log'), opts.nodeFlags);
      try {
        if (which !== 'minimal') await new Promise((r) => setTimeout(r, 3000)); // its stock of temporary passwords fills
        // Two warm-up calls, not counted (a fresh process compiles its code on the first calls).
        runNo++;
        await sippCalls(ast, path.join(work, `${which}-warm-up`), [0, 1].map((i) => `+9199${runTag()}${String(i).padStart(6, '0')}`), 2);
        for (const calls of opts.levels) {
          runNo++;
          const phones = Array.from({ length: calls }, (_, i) => `+9199${runTag()}${String(i).padStart(6, '0')}`);
          const from = observer.events.length;
          const u0 = await app.usage();
          const a0 = procCpuMs(ast.pid!);
          const sipp = await sippCalls(ast, path.join(work, `${which}-${calls}`), phones, Math.min(25, calls));
          await new Promise((r) => setTimeout(r, 1500)); // last events and commits
          const u1 = await app.usage();
          const a1 = procCpuMs(ast.pid!);
          const { perKey, completed } = keyLatencies(observer.events, from);
          const r: LevelResult = { calls, sippOk: sipp.ok, completed, perKey, appCpuMs: u1.cpuMs - u0.cpuMs, astCpuMs: a1 - a0, rssMb: u1.rssMb, loopBusy: u1.loopBusy, loopP99Ms: u1.loopP99Ms, loopMaxMs: u1.loopMaxMs };
          if (u1.cpuWaitMs !== undefined) r.cpuWaitMs = u1.cpuWaitMs;
          if (u1.worstStall) r.worstStall = u1.worstStall;
          const commits = [...(u1.commitMs ?? [])].sort((a, b) => a - b);
          if (commits.length) r.commits = { n: commits.length, p50Ms: q(commits, 0.5)!, p99Ms: q(commits, 0.99)!, maxMs: commits.at(-1)! };
          if (which !== 'minimal') {
            const db = openDatabase(which === 'medq' ? t.path : tb!.path);
            const ph = JSON.stringify(phones);
            r.booked = (db.$client.prepare(`SELECT count(*) n FROM appointments WHERE status = 'booked' AND person_phone IN (SELECT value FROM json_each(?))`).get(ph) as { n: number }).n;
            r.doubleBooked = doubleBooked(db);
            db.$client.close();
          }
          results[which].push(r);
          const fmt = (k: number[]) => `${q(k, 0.5)?.toFixed(0) ?? '—'}/${q(k, 0.99)?.toFixed(0) ?? '—'}`;
          log(
            `${(which === 'baseline' ? `@${opts.baseline!.label}` : which).padEnd(8)} ${String(calls).padStart(3)} calls: sipp ${sipp.ok ? 'ok' : 'FAILED'}, ${completed} completed; key→prompt p50/p99 ms: ${perKey.map(fmt).join('  ')}; app cpu ${r.appCpuMs.toFixed(0)} ms ÷ asterisk ${r.astCpuMs.toFixed(0)} ms = ${(r.appCpuMs / r.astCpuMs).toFixed(2)}; rss ${r.rssMb.toFixed(0)} MiB${r.loopBusy !== undefined ? `; event loop busy ${(r.loopBusy * 100).toFixed(0)} %` : ''}${r.loopP99Ms !== undefined ? `; event-loop delay p99/max ${r.loopP99Ms.toFixed(1)}/${r.loopMaxMs!.toFixed(1)} ms` : ''}${r.worstStall ? `; main thread waited for a CPU ${r.cpuWaitMs!.toFixed(0)} ms, longest stall ${r.worstStall.gapMs.toFixed(0)} ms (${r.worstStall.onCpuMs.toFixed(0)} on a CPU, ${r.worstStall.waitingMs.toFixed(0)} waiting for one)` : ''}${r.booked !== undefined ? `; booked ${r.booked}/${calls}, double-booked ${r.doubleBooked}` : ''}${r.commits ? `; ${r.commits.n} booking commits p50/p99/max ${r.commits.p50Ms.toFixed(1)}/${r.commits.p99Ms.toFixed(1)}/${r.commits.maxMs.toFixed(1)} ms` : ''}${sipp.ok ? '' : `\n${sipp.stderr.slice(-500)}`}`,
          );
        }
      } finally {
        await app.stop();
      }
    }
  } finally {
    observer.close();
    await ast.stop();
    await fs.rm(t.dir, { recursive: true, force: true });
    if (tb) await fs.rm(tb.dir, { recursive: true, force: true });
    if (process.env['MEDQ_KEEP_BENCH'] !== '1') await fs.rm(work, { recursive: true, force: true });
    else log(`ivr bench files kept in ${work}`);
  }
  const out = summarise(results, opts.levels);
  if (opts.baseline) {
    for (const r of results.baseline) {
      const fmt = (k: number[]) => `${q(k, 0.5)?.toFixed(0) ?? '—'}/${q(k, 0.99)?.toFixed(0) ?? '—'}`;
      out.figures[`ivr_baseline_${r.calls}`] = {
        value: null,
        unit: 'text',
        note: `MedQ at ${opts.baseline.label}, same run, ${r.calls} calls: key→prompt p50/p99 ms per key ${r.perKey.map(fmt).join(', ')}; app CPU ÷ Asterisk ${(r.appCpuMs / r.astCpuMs).toFixed(2)} (${(r.appCpuMs / r.calls).toFixed(1)} ms per call); booked ${r.booked}/${r.calls}, double-booked ${r.doubleBooked}`,
      };
      out.integrity.doubleBooked += r.doubleBooked ?? 0;
      out.integrity.lost += Math.max(0, r.completed - (r.booked ?? 0));
    }
  }
  return out;
}

function summarise(results: Record<'minimal' | 'medq' | 'baseline', LevelResult[]>, levels: number[]) {
  const figures: Figures = {};
  const KEYS = ['main menu → doctors', 'doctor → slot offer', 'confirm → confirmation'];
  const good = (r: LevelResult, p99Limit: number) => r.sippOk && r.completed === r.calls && (r.doubleBooked ?? 0) === 0 && (r.booked === undefined || r.booked === r.calls) && r.perKey.every((k) => (q(k, 0.99) ?? Infinity) < p99Limit);
  const medqAt = new Map(results.medq.map((r) => [r.calls, r]));
  const minAt = new Map(results.minimal.map((r) => [r.calls, r]));
  for (const calls of levels) {
    const m = medqAt.get(calls);
    const ref = minAt.get(calls);
    const refP99 = ref ? q(ref.perKey.flat().sort((a, b) => a - b), 0.99) : null;
    for (const [k, label] of KEYS.entries()) {
      const s = m?.perKey[k] ?? [];
      const base = `key ${k + 1} (${label}) at ${calls} simultaneous calls, ${s.length} samples; minimal app p99 ${refP99?.toFixed(0) ?? '—'} ms (all keys)`;
      figures[`ivr_key_to_prompt_ms_p50_key${k + 1}_${calls}`] = { value: q(s, 0.5), unit: 'ms', note: m ? base : 'not measured' };
      figures[`ivr_key_to_prompt_ms_p99_key${k + 1}_${calls}`] = { value: q(s, 0.99), unit: 'ms', note: m ? `${base}${m.sippOk ? '' : '; SIPp reported failed calls'}` : 'not measured' };
    }
    figures[`ivr_booking_commit_ms_p99_${calls}`] = {
      value: m?.commits ? Math.round(m.commits.p99Ms * 10) / 10 : null,
      unit: 'ms',
      note: m?.commits
        ? `MedQ's booking commits at ${calls} calls (write and fsync, on the event loop; key 3's prompt waits for one): ${m.commits.n} commits, p50 ${m.commits.p50Ms.toFixed(1)}, max ${m.commits.maxMs.toFixed(1)} ms`
        : 'not measured',
    };
    figures[`ivr_key_to_prompt_ms_minimal_p50_${calls}`] = { value: ref ? q(ref.perKey.flat().sort((a, b) => a - b), 0.5) : null, unit: 'ms', note: ref ? `minimal ari-client app, all 3 keys, ${calls} calls${ref.sippOk ? '' : '; SIPp reported failed calls'}` : 'not measured' };
    figures[`ivr_key_to_prompt_ms_minimal_p99_${calls}`] = { value: refP99, unit: 'ms', note: ref ? `minimal ari-client app, all 3 keys, ${calls} calls, ${ref.completed}/${calls} completed` : 'not measured' };
  }
  // The headline figures: at 100 calls (or the highest level run below it), worst key for MedQ.
  const headline = Math.max(...levels.filter((l) => l <= 100));
  const hm = medqAt.get(headline);
  const hn = minAt.get(headline);
  const worst = (p: number) => (hm ? Math.max(...hm.perKey.map((k) => q(k, p) ?? NaN)) : null);
  figures['ivr_key_to_prompt_ms_p50'] = { value: worst(0.5), unit: 'ms', note: `MedQ, slowest of the three keys at ${headline} calls (per key: ivr_key_to_prompt_ms_p50_key<k>_<calls>)` };
  figures['ivr_key_to_prompt_ms_p99'] = { value: worst(0.99), unit: 'ms', note: `MedQ, slowest of the three keys at ${headline} calls; target: within 5 ms of the minimal app's p99` };
  figures['ivr_key_to_prompt_ms_minimal_p99'] = { value: hn ? q(hn.perKey.flat().sort((a, b) => a - b), 0.99) : null, unit: 'ms', note: `minimal ari-client app, all keys, ${headline} calls, same SIPp scenario, same run` };
  const bestMedq = Math.max(0, ...results.medq.filter((r) => good(r, 100)).map((r) => r.calls));
  const bestMin = Math.max(0, ...results.minimal.filter((r) => good(r, 100)).map((r) => r.calls));
  const tried = `levels tried: ${levels.join(', ')}`;
  figures['ivr_concurrent_booking_calls'] = { value: bestMedq, unit: 'calls', note: `most simultaneous new-caller booking calls with none failed, all booked once, key→prompt p99 < 100 ms (${tried}); ${(bestMedq / Math.max(1, bestMin)).toFixed(2)}× the minimal app` };
  figures['ivr_concurrent_calls_minimal'] = { value: bestMin, unit: 'calls', note: `minimal ari-client app, same scenario, none failed and p99 < 100 ms (${tried})` };
  const top = (rs: LevelResult[]) => rs[rs.length - 1];
  const mt = top(results.medq);
  const nt = top(results.minimal);
  figures['ivr_app_cpu_ratio'] = {
    value: mt ? Math.round((mt.appCpuMs / mt.astCpuMs) * 100) / 100 : null,
    unit: 'app CPU ÷ Asterisk CPU',
    note: mt && nt ? `at ${mt.calls} calls: MedQ ${mt.appCpuMs.toFixed(0)} ms ÷ Asterisk ${mt.astCpuMs.toFixed(0)} ms (${(mt.appCpuMs / mt.calls).toFixed(1)} ms per call, RSS ${mt.rssMb.toFixed(0)} MiB); minimal app ${(nt.appCpuMs / nt.astCpuMs).toFixed(2)} (${(nt.appCpuMs / nt.calls).toFixed(1)} ms per call, RSS ${nt.rssMb.toFixed(0)} MiB)` : 'not measured',
  };
  const lost = results.medq.reduce((a, r) => a + Math.max(0, r.completed - (r.booked ?? 0)), 0);
  const twice = results.medq.reduce((a, r) => a + (r.doubleBooked ?? 0), 0);
  return { figures, integrity: { lost, doubleBooked: twice } };
}
