// A small HTTP load client (autocannon-like): `connections` keep-alive connections, each sending
// its next request as soon as the previous answer arrives, for `durationMs`. The same client
// measures MedQ's routes and the bare Fastify route, so only the server side differs.
import http from 'node:http';
import { performance } from 'node:perf_hooks';

export interface LoadOptions {
  url: string;
  connections: number;
  durationMs: number;
  /** Per request: path and headers (e.g. a different token per connection). */
  request: (i: number) => { path: string; headers?: Record<string, string> };
  /** Requests sent first and not counted (JIT warm-up). */
  warmupMs?: number;
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<number, number>;
  errors: number;
  /** Sorted latencies (ms) and the measured wall time, for merging rounds. */
  samples: number[];
  wallMs: number;
}

/** Several rounds of one target (interleaved with other targets under a shared, noisy machine) as one result. */
export function mergeLoads(rounds: LoadResult[]): LoadResult {
  const samples = rounds.flatMap((r) => r.samples).sort((a, b) => a - b);
  const wallMs = rounds.reduce((a, r) => a + r.wallMs, 0);
  const statuses: Record<number, number> = {};
  for (const r of rounds) for (const [k, v] of Object.entries(r.statuses)) statuses[Number(k)] = (statuses[Number(k)] ?? 0) + v;
  return {
    requests: samples.length,
    rps: (samples.length / wallMs) * 1000,
    p50: quantile(samples, 0.5),
    p99: quantile(samples, 0.99),
    statuses,
    errors: rounds.reduce((a, r) => a + r.errors, 0),
    samples,
    wallMs,
  };
}

function quantile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export async function runLoad(opts: LoadOptions): Promise<LoadResult> {
  const u = new URL(opts.url);
  const agent = new http.Agent({ keepAlive: true, maxSockets: opts.connections });
  const one = (i: number): Promise<number> =>
    new Promise((resolve, reject) => {
      const { path, headers } = opts.request(i);
      const req = http.request({ host: u.hostname, port: u.port, path, method: 'GET', agent, headers }, (res) => {
        res.on('data', () => undefined);
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  const phase = async (ms: number, record: boolean) => {
    const samples: number[] = [];
    const statuses: Record<number, number> = {};
    let errors = 0;
    let seq = 0;
    const started = performance.now();
    const until = started + ms;
    await Promise.all(
      Array.from({ length: opts.connections }, async () => {
        while (performance.now() < until) {
          const t = performance.now();
          try {
            const status = await one(seq++);
            if (record) {
              samples.push(performance.now() - t);
              statuses[status] = (statuses[status] ?? 0) + 1;
            }
          } catch {
            errors++;
          }
        }
      }),
    );
    const wall = performance.now() - started;
    samples.sort((a, b) => a - b);
    return { requests: samples.length, rps: (samples.length / wall) * 1000, p50: quantile(samples, 0.5), p99: quantile(samples, 0.99), statuses, errors, samples, wallMs: wall };
  };
  try {
    if (opts.warmupMs) await phase(opts.warmupMs, false);
    return await phase(opts.durationMs, true);
  } finally {
    agent.destroy();
  }
}
