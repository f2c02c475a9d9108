// API figures: GET /api/me/appointments and GET /api/doctors/:id/slots against a bare Fastify
// route (same server options, same client, same run). The server runs in its own process
// (bench/api-server.ts); `node --cpu-prof` can be passed to it with BENCH_API_NODE_FLAGS.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { mergeLoads, runLoad, type LoadResult } from './lib/load.js';
import type { Figures } from './lib/report.js';

export interface ApiBenchOptions {
  durationMs: number;
  connections: number;
  nodeFlags?: string[];
  /** A checkout of an older commit (with this api-server.ts copied into its bench/): its routes are measured in the same rounds. */
  baseline?: { dir: string; label: string };
  /** Interleaved rounds per target (default 3). */
  rounds?: number;
  log?: (line: string) => void;
}

export async function benchApi(opts: ApiBenchOptions): Promise<Figures> {
  const log = opts.log ?? console.log;
  const start = (script: string, cwd?: string) => {
    const child = spawn(process.execPath, [...(opts.nodeFlags ?? []), '--import', 'tsx', script], { stdio: ['pipe', 'pipe', 'inherit'], ...(cwd ? { cwd } : {}) });
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const next = async (): Promise<any> => {
      const r = await lines.next();
      if (r.done) throw new Error('an api bench server ended early');
      return JSON.parse(r.value);
    };
    const stats = async () => {
      child.stdin!.write('stats\n');
      return next();
    };
    return { child, next, stats };
  };
  const here = fileURLToPath(new URL('./api-server.ts', import.meta.url));
  const main = start(here);
  const base = opts.baseline ? start(`${opts.baseline.dir}/bench/api-server.ts`, opts.baseline.dir) : null;
  const server = main.child;
  const next = main.next;
  try {
    const { medq, bare, tokens } = (await next()) as { medq: string; bare: string; tokens: string[] };
    type M = { r: LoadResult; s: { eld_p99_ms: number } };
    type Target = { name: string; url: string; request: (i: number) => { path: string; headers?: Record<string, string> }; rounds: LoadResult[]; eld: number[]; stats: () => Promise<any> };
    const b = base ? ((await base.next()) as { medq: string; tokens: string[] }) : null;
    const targets: Target[] = [
      { name: 'bare Fastify route', url: bare, request: () => ({ path: '/bare' }), rounds: [], eld: [], stats: main.stats },
      { name: 'GET /api/doctors/:id/slots', url: medq, request: (i) => ({ path: `/api/doctors/${1 + (i % 3)}/slots?date=2026-12-01` }), rounds: [], eld: [], stats: main.stats },
      {
        name: 'GET /api/me/appointments',
        url: medq,
        request: (i) => ({ path: '/api/me/appointments', headers: { authorization: `Bearer ${tokens[i % tokens.length]}` } }),
        rounds: [],
        eld: [],
        stats: main.stats,
      },
    ];
    if (b && base) {
      targets.push(
        { name: `slots @${opts.baseline!.label}`, url: b.medq, request: (i) => ({ path: `/api/doctors/${1 + (i % 3)}/slots?date=2026-12-01` }), rounds: [], eld: [], stats: base.stats },
        { name: `me/appointments @${opts.baseline!.label}`, url: b.medq, request: (i) => ({ path: '/api/me/appointments', headers: { authorization: `Bearer ${b.tokens[i % b.tokens.length]}` } }), rounds: [], eld: [], stats: base.stats },
      );
    }
    const before = await main.stats();
    // Rounds interleaved (bare, slots, list, bare, …): the machine is shared, so each target sees
    // the same mix of quiet and busy moments, and the ratios to the bare route hold.
    const rounds = opts.rounds ?? 3;
    let last: any = before;
    for (let round = 0; round < rounds; round++) {
      for (const t of targets) {
        t.rounds.push(await runLoad({ url: t.url, connections: opts.connections, durationMs: opts.durationMs / rounds, warmupMs: round === 0 ? 1000 : 200, request: t.request }));
        const st = await t.stats();
        if (t.stats === main.stats) last = st;
        t.eld.push(st.eld_p99_ms);
      }
    }
    const [bareRun, slots, mine, slotsBefore, mineBefore] = targets.map((t) => {
      const r = mergeLoads(t.rounds);
      const s = { eld_p99_ms: Math.max(...t.eld) };
      log(`${t.name.padEnd(28)} ${r.rps.toFixed(0).padStart(6)} req/s  p50 ${r.p50.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ${JSON.stringify(r.statuses)} errors ${r.errors}  server event-loop delay p99 (worst round) ${s.eld_p99_ms.toFixed(1)} ms`);
      return { r, s };
    }) as Array<{ r: LoadResult; s: { eld_p99_ms: number } }> as [M, M, M, M?, M?];
    const ok = (r: LoadResult) => r.errors === 0 && Object.keys(r.statuses).every((k) => k === '200');
    const note = (r: LoadResult, s: { eld_p99_ms: number }) =>
      `${opts.connections} connections, ${opts.durationMs / 1000} s in ${opts.rounds ?? 3} interleaved rounds; p50 ${r.p50.toFixed(1)} ms, p99 ${r.p99.toFixed(1)} ms; server event-loop delay p99 ${s.eld_p99_ms.toFixed(1)} ms${ok(r) ? '' : `; NOT ALL 200: ${JSON.stringify(r.statuses)} errors ${r.errors}`}`;
    const ratio = (r: LoadResult) => r.rps / bareRun.r.rps;
    const was = (m?: M) => (m ? `; before (${opts.baseline!.label}, same rounds): ${Math.round(m.r.rps)} req/s = ${ratio(m.r).toFixed(2)}× bare, p99 ${m.r.p99.toFixed(1)} ms` : '');
    return {
      api_bare_fastify_rps: { value: Math.round(bareRun.r.rps), unit: 'req/s', note: note(bareRun.r, bareRun.s) },
      api_slots_rps: { value: Math.round(slots.r.rps), unit: 'req/s', note: `${ratio(slots.r).toFixed(2)}× bare; ${note(slots.r, slots.s)}${was(slotsBefore)}` },
      api_me_appointments_rps: { value: Math.round(mine.r.rps), unit: 'req/s', note: `${ratio(mine.r).toFixed(2)}× bare; ${note(mine.r, mine.s)}${was(mineBefore)}` },
      api_bookings_unchanged: { value: last.bookings === before.bookings ? 1 : 0, unit: 'bool', note: `bookings before ${before.bookings}, after ${last.bookings}` },
    };
  } finally {
    for (const c of [server, base?.child]) {
      if (!c || c.exitCode !== null) continue;
      c.stdin!.write('exit\n');
      await new Promise((r) => c.once('exit', r));
    }
  }
}
