// npm run bench (part 2): the HTTP API under concurrent load on loopback — reads a patient's
// page makes, and web bookings racing for one doctor's slots. Real Fastify, real SQLite file.
import { performance } from 'node:perf_hooks';
import { startApi } from '../tests/api/helpers.js';
import { hashPassword, registerAccount } from '../src/sync/index.js';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const REQUESTS = Number(process.env['BENCH_REQUESTS'] ?? 2000);

const api = await startApi({ env: { MAX_ACTIVE_APPOINTMENTS: '100' } });
try {
  // Patients with tokens (registered through the sync module, logged in over HTTP).
  const passwordHash = await hashPassword('bench-password');
  const tokens: string[] = [];
  for (let i = 0; i < CONCURRENCY; i++) {
    const r = registerAccount(api.t.ctx, { phone: `+9197000${String(i).padStart(5, '0')}`, name: `Bench ${i}`, age: 30, username: `bench${i}`, passwordHash });
    if (!r.ok) throw new Error(r.code);
    const login = await api.call('POST', '/api/auth/login', { body: { username: `bench${i}`, password: 'bench-password' } });
    tokens.push(login.body.token);
  }

  async function load(name: string, total: number, request: (i: number) => Promise<number>) {
    const samples: number[] = [];
    const statuses = new Map<number, number>();
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        for (let i = next++; i < total; i = next++) {
          const t = performance.now();
          const status = await request(i);
          samples.push(performance.now() - t);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
    const wall = performance.now() - started;
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))]!.toFixed(1);
    console.log(
      `${name.padEnd(36)} n=${String(total).padStart(5)} c=${CONCURRENCY}  req/s=${((total / wall) * 1000).toFixed(0).padStart(5)}  p50=${q(0.5)}ms  p99=${q(0.99)}ms  ${JSON.stringify(Object.fromEntries(statuses))}`,
    );
  }

  await load('GET /api/doctors/:id/slots', REQUESTS, async (i) => (await api.call('GET', `/api/doctors/${1 + (i % 3)}/slots?date=2026-12-01`)).status);
  await load('GET /api/me/appointments', REQUESTS, async (i) => (await api.call('GET', '/api/me/appointments', { token: tokens[i % tokens.length] })).status);
  // Every patient tries every 20-minute slot of Dr. Patel's day: one 201 per slot, the rest 409.
  const times = ['10:00', '10:20', '10:40', '11:00', '11:20', '11:40', '12:00', '12:20', '12:40', '13:00', '13:20', '13:40'];
  await load('POST /api/me/appointments (races)', times.length * CONCURRENCY, async (i) =>
    (await api.call('POST', '/api/me/appointments', { token: tokens[i % CONCURRENCY], body: { doctor_id: 2, date: '2026-12-01', time: times[Math.floor(i / CONCURRENCY)] } })).status,
  );
  const booked = api.t.db.$client.prepare(`SELECT count(*) n FROM appointments WHERE doctor_id = 2 AND status = 'booked'`).get() as { n: number };
  console.log(`bookings for one doctor's day: ${booked.n} (slots: ${times.length}); rss=${(process.memoryUsage().rss / 1048576).toFixed(0)} MiB`);
  if (booked.n !== times.length) throw new Error('a slot was lost or double-booked');
} finally {
  await api.close();
}
