// The server side of the API benchmark, in a process of its own (so the load client does not share
// its event loop): MedQ's Fastify app on a real SQLite file (demo clinic, patients with one booking
// each), and beside it a bare Fastify app with the same server options and one route. Prints one
// JSON line with both addresses and the patients' tokens; then answers "stats" lines on stdin with
// its event-loop delay and CPU since the last "stats" (and exits on "exit" or end of input).
import Fastify, { type FastifyBaseLogger } from 'fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { buildApp } from '../src/api/app.js';
import { createLogger } from '../src/shared/logger.js';
import { hashPassword, registerAccount } from '../src/sync/index.js';
import { createTestDb } from '../tests/support/db.js';

const PATIENTS = Number(process.env['BENCH_PATIENTS'] ?? 50);

const t = createTestDb({ env: { TRUST_PROXY: '1', MAX_ACTIVE_APPOINTMENTS: '100' } });
const logger = createLogger('silent');
const app = buildApp({
  ctx: t.ctx,
  config: t.config,
  logger,
  health: { db: () => 'up', ari: () => 'disabled', smpp: () => 'disabled' },
  webRoot: '/nonexistent-medq-web',
});
// The same server options as buildApp (src/api/app.ts), one route, nothing else.
const bare = Fastify({
  loggerInstance: logger as FastifyBaseLogger,
  trustProxy: (_addr: string, hop: number) => hop < 1,
  bodyLimit: 64 * 1024,
  ajv: { customOptions: { coerceTypes: 'array', removeAdditional: true, useDefaults: true, allErrors: false } },
});
bare.get('/bare', async () => ({ ok: true }));

await app.ready();
const passwordHash = await hashPassword('bench-password');
const tokens: string[] = [];
for (let i = 0; i < PATIENTS; i++) {
  const r = registerAccount(t.ctx, { phone: `+9197000${String(i).padStart(5, '0')}`, name: `Bench ${i}`, age: 30, username: `bench${i}`, passwordHash });
  if (!r.ok) throw new Error(r.code);
  const login = await app.inject({ method: 'POST', url: '/api/auth/login', payload: { username: `bench${i}`, password: 'bench-password' } });
  const token = (login.json() as { token: string }).token;
  tokens.push(token);
  // One booking each (the first free slot of Dr. Sharma's or Dr. Patel's day), so the list is not empty.
  const doctorId = 1 + (i % 2);
  const date = `2026-12-0${1 + (Math.floor(i / 2) % 4)}`;
  const free = (await app.inject({ method: 'GET', url: `/api/doctors/${doctorId}/slots?date=${date}` })).json() as { slots: Array<{ time: string }> };
  const booked = await app.inject({
    method: 'POST',
    url: '/api/me/appointments',
    headers: { authorization: `Bearer ${token}` },
    payload: { doctor_id: doctorId, date, time: free.slots[0]!.time },
  });
  if (booked.statusCode !== 201) throw new Error(`setup booking: ${booked.statusCode} ${booked.body}`);
}
await app.listen({ port: 0, host: '127.0.0.1' });
await bare.listen({ port: 0, host: '127.0.0.1' });
const port = (a: { server: { address(): unknown } }) => (a.server.address() as { port: number }).port;

const eld = monitorEventLoopDelay({ resolution: 10 });
eld.enable();
let cpu = process.cpuUsage();
let since = performance.now();
console.log(JSON.stringify({ medq: `http://127.0.0.1:${port(app)}`, bare: `http://127.0.0.1:${port(bare)}`, tokens }));

const bookings = () => t.db.$client.prepare(`SELECT count(*) n FROM appointments WHERE status = 'booked'`).get() as { n: number };
for await (const line of createInterface({ input: process.stdin })) {
  if (line === 'stats') {
    const c = process.cpuUsage(cpu);
    const wall = performance.now() - since;
    console.log(
      JSON.stringify({
        eld_p50_ms: eld.percentile(50) / 1e6,
        eld_p99_ms: eld.percentile(99) / 1e6,
        cpu_ratio: (c.user + c.system) / 1000 / wall,
        rss_mb: process.memoryUsage().rss / 1048576,
        bookings: bookings().n,
      }),
    );
    eld.reset();
    cpu = process.cpuUsage();
    since = performance.now();
  } else if (line === 'exit') break;
}
await app.close();
await bare.close();
t.close();
process.exit(0);
