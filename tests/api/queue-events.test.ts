// The per-process fan-out behind /api/clinics/:id/queue/events, on a real SQLite file: one event
// at once, one per change, heartbeats while idle, nothing after unsubscribing, all ended on close.
import { afterEach, beforeEach, expect, it } from 'vitest';
import { QueueEvents, type QueueSink } from '../../src/api/queue-events.js';
import { createLogger } from '../../src/shared/logger.js';
import { bookByPhone, callNext } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
let hub: QueueEvents;
beforeEach(() => {
  t = createTestDb();
  hub = new QueueEvents(t.ctx, createLogger('silent'), { pollMs: 20, heartbeatMs: 100, refreshMs: 60_000 });
});
afterEach(() => {
  hub.close();
  t.close();
});

function sink() {
  const s = { events: [] as string[], beats: 0, ended: false };
  const impl: QueueSink = {
    event: (d) => s.events.push(d),
    heartbeat: () => s.beats++,
    end: () => (s.ended = true),
  };
  return { s, impl };
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const servingOf = (data: string) => JSON.parse(data).doctors[0].now_serving as string | null;

it('sends the state at once, each change once, heartbeats while idle, and stops for a subscriber who left', async () => {
  await bookByPhone(t.ctx, { phone: '+919811000001', doctorId: 1, date: '2026-11-30', time: '09:00' });
  await bookByPhone(t.ctx, { phone: '+919811000002', doctorId: 1, date: '2026-11-30', time: '09:15' });
  const a = sink();
  const b = sink();
  const offA = hub.subscribe(1, a.impl);
  hub.subscribe(1, b.impl);
  expect(a.s.events.map(servingOf)).toEqual([null]);
  callNext(t.ctx, 1);
  await sleep(120);
  expect(a.s.events.map(servingOf)).toEqual([null, 'S-1']);
  expect(a.s.beats).toBeGreaterThanOrEqual(1);
  offA();
  callNext(t.ctx, 1);
  await sleep(120);
  expect(a.s.events.map(servingOf)).toEqual([null, 'S-1']);
  expect(b.s.events.map(servingOf)).toEqual([null, 'S-1', 'S-2']);
  expect(hub.subscribers).toBe(1);
  hub.close();
  expect(b.s.ended).toBe(true);
  expect(hub.subscribers).toBe(0);
  // A subscriber arriving after close is ended at once.
  const late = sink();
  hub.subscribe(1, late.impl);
  expect(late.s.ended).toBe(true);
});
