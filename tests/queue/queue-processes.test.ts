// Several api processes press "call next" for one doctor at the same moment, on one SQLite file:
// every token is called exactly once, in order, and each "queue near" SMS is queued exactly once.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { bookByPhone } from '../../src/sync/index.js';
import { createTestDb, MONDAY_MORNING, type TestDb } from '../support/db.js';

const run = promisify(execFile);
const WORKERS = 3;
const TOKENS = 12;
let t: TestDb;
beforeAll(async () => {
  t = createTestDb();
  for (let i = 0; i < TOKENS; i++) {
    const mins = 9 * 60 + i * 15;
    const time = `${String(Math.floor(mins / 60)).padStart(2, '0')}:${String(mins % 60).padStart(2, '0')}`;
    const r = await bookByPhone(t.ctx, { phone: `+9198300000${String(i).padStart(2, '0')}`, doctorId: 1, date: '2026-11-30', time });
    if (!r.ok) throw new Error(r.code);
  }
});
afterAll(() => t?.close());

it(`${WORKERS} processes pressing call next together: each token called once, in order; each near SMS once`, async () => {
  const worker = fileURLToPath(new URL('./call-next-worker.ts', import.meta.url));
  const startAt = Date.now() + 3_000;
  const outs = await Promise.all(
    Array.from({ length: WORKERS }, () =>
      run(process.execPath, ['--import', 'tsx', worker, t.path, MONDAY_MORNING, String(TOKENS / 2), String(startAt)], { timeout: 60_000 }),
    ),
  );
  const moves = outs.map((o) => JSON.parse(o.stdout) as string[]);
  const called = moves.flat().filter((m) => m.startsWith('S-'));
  expect(called.sort((a, b) => Number(a.slice(2)) - Number(b.slice(2)))).toEqual(Array.from({ length: TOKENS }, (_, i) => `S-${i + 1}`));
  expect(moves.flat().filter((m) => m === 'queue_empty')).toHaveLength(WORKERS * (TOKENS / 2) - TOKENS);
  // Within each process the tokens it got rise: the moves were serialised by the write lock.
  for (const m of moves) {
    const ns = m.filter((x) => x.startsWith('S-')).map((x) => Number(x.slice(2)));
    expect(ns).toEqual([...ns].sort((a, b) => a - b));
  }
  const q = (sql: string) => t.db.$client.prepare(sql).all();
  expect(q('select now_serving from queue_state')).toEqual([{ now_serving: `S-${TOKENS}` }]);
  expect(q('select count(*) as n from appointments where called_at is null')).toEqual([{ n: 0 }]);
  // S-2 … S-12 were each two or fewer before the served token once: one row each, no more.
  const near = q("select dedupe_key from sms_outbox where kind = 'queue_near'") as { dedupe_key: string }[];
  expect(near).toHaveLength(TOKENS - 1);
  expect(new Set(near.map((r) => r.dedupe_key)).size).toBe(TOKENS - 1);
}, 90_000);
