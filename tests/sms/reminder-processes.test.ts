// Reminders and replies with sms roles as separate OS processes on one SQLite file and one SMSC:
// two workers race to queue the same reminders and each is queued (and sent) once; a worker
// killed with SIGKILL while it handles replies and sends loses nothing, and a reply the SMSC
// redelivers (it was never answered) acts once.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { afterEach, expect, it } from 'vitest';
import { bookByPhone } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { TestSmsc } from './smsc.js';
import { waitFor } from './helpers.js';

const SCRIPT = fileURLToPath(new URL('./worker-process.ts', import.meta.url));
const WINDOW = 10;

interface Worker {
  child: ChildProcess;
  ready: Promise<string>;
  exited: Promise<number | null>;
}

const started: Worker[] = [];
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const w of started.splice(0)) {
    if (w.child.exitCode === null && w.child.signalCode === null) w.child.kill('SIGKILL');
    await w.exited;
  }
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spawnWorker(dbPath: string, url: string, reminderEveryMs: number): Worker {
  const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, dbPath, url, String(WINDOW), String(reminderEveryMs)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stderr: string[] = [];
  createInterface({ input: child.stderr! }).on('line', (l) => stderr.push(l));
  const ready = new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      if (l.startsWith('READY ')) resolve(l.slice(6));
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before READY: ${stderr.join('\n')}`)));
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const w = { child, ready, exited };
  started.push(w);
  return w;
}

/** A clinic on UTC whose two doctors see patients every quarter hour of every day. */
function roundTheClockDb(): TestDb {
  const schedules = [{ weekdays: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '23:59', slot_minutes: 15, capacity: 1 }];
  const t = createTestDb({
    at: new Date(Date.now() - 2 * 86_400_000).toISOString(), // bookings made two days ago
    seed: {
      clinics: [
        {
          name: 'Night Clinic',
          did: '7100',
          timezone: 'UTC',
          doctors: [
            { name: 'Dr. Alpha', specialty: '', display_order: 1, schedules },
            { name: 'Dr. Beta', specialty: '', display_order: 2, schedules },
          ],
        },
      ],
    },
  });
  cleanups.push(() => t.close());
  return t;
}

/**
 * Quarter hours from 30 minutes from now on: within REMINDER_HOURS (24) of now, so all are due.
 * 23:45 is skipped: a day's schedule ends by 23:59, so its last quarter-hour slot is 23:30 (the
 * test failed whenever it ran between 15:15 and 23:15 UTC, when 23:45 fell among its slots).
 */
function slotsAhead(n: number): { date: string; time: string }[] {
  const q = 15 * 60_000;
  const first = Math.ceil((Date.now() + 30 * 60_000) / q) * q;
  const out: { date: string; time: string }[] = [];
  for (let at = first; out.length < n; at += q) {
    const iso = new Date(at).toISOString();
    if (iso.slice(11, 16) !== '23:45') out.push({ date: iso.slice(0, 10), time: iso.slice(11, 16) });
  }
  return out;
}

const phoneNo = (i: number) => `+9198444${String(i).padStart(5, '0')}`;

it('two sms processes on one database queue each due reminder exactly once', async () => {
  const t = roundTheClockDb();
  const N = 24;
  const slots = slotsAhead(N);
  for (let i = 0; i < N; i++) {
    const r = await bookByPhone(t.ctx, { phone: phoneNo(i), doctorId: 1 + (i % 2), ...slots[i]!, channel: 'desk' });
    expect(r.ok, JSON.stringify(r)).toBe(true);
  }
  const smsc = await TestSmsc.start({ responseDelayMs: 2 });
  cleanups.push(() => smsc.close());
  // Both poll for due reminders every 20 ms: they race for the same appointments.
  const a = spawnWorker(t.path, smsc.url(), 20);
  const b = spawnWorker(t.path, smsc.url(), 20);
  await Promise.all([a.ready, b.ready]);

  const reminders = () => smsc.messages().filter((m) => m.text.includes(': reminder,'));
  await waitFor(() => reminders().length >= N, 20_000, `${N} reminders at the SMSC`);
  await new Promise((r) => setTimeout(r, 500)); // more runs of both schedulers: nothing more comes
  const rows = t.db.$client.prepare("select appointment_id, dedupe_key from sms_outbox where kind = 'reminder'").all() as { appointment_id: number; dedupe_key: string }[];
  const perPhone = new Map<string, number>();
  for (const m of reminders()) perPhone.set(m.dest, (perPhone.get(m.dest) ?? 0) + 1);
  console.log(`two sms processes: ${N} due reminders, ${rows.length} outbox rows, ${reminders().length} reminder submit_sm, ${perPhone.size} phones`);
  expect(rows).toHaveLength(N);
  expect(new Set(rows.map((r) => r.dedupe_key)).size).toBe(N);
  expect(reminders()).toHaveLength(N);
  expect([...perPhone.values()].every((n) => n === 1)).toBe(true);
}, 60_000);

it('SIGKILL of the sms role while it handles replies and sends: nothing lost, every reply acts once after the SMSC redelivers', async () => {
  const t = roundTheClockDb();
  const N = 16;
  const slots = slotsAhead(N * 2);
  const ids: number[][] = [];
  for (let i = 0; i < N; i++) {
    const first = await bookByPhone(t.ctx, { phone: phoneNo(i), doctorId: 1, ...slots[i]!, channel: 'desk' });
    const second = await bookByPhone(t.ctx, { phone: phoneNo(i), doctorId: 2, ...slots[N + i]!, channel: 'desk' });
    if (!first.ok || !second.ok) throw new Error(`booking failed: ${JSON.stringify([first, second, slots[i], slots[N + i]])}`);
    ids.push([first.value.appointmentId, second.value.appointmentId]);
  }
  const smsc = await TestSmsc.start({ responseDelayMs: 15 }); // sends are in flight when the kill comes
  cleanups.push(() => smsc.close());
  const a = spawnWorker(t.path, smsc.url(), 50);
  await a.ready;

  // Each phone replies "C". An SMSC delivers a message again until it is answered: so do we.
  let answered = 0;
  const deliverUntilAnswered = async (i: number) => {
    for (;;) {
      const status = await smsc.sendMo(phoneNo(i).slice(1), 'C', { timeoutMs: 5_000 });
      if (status === 0) {
        answered++;
        return;
      }
      await new Promise((r) => setTimeout(r, 100)); // not bound, or no answer: redeliver later
    }
  };
  const replies = Array.from({ length: N }, (_, i) => deliverUntilAnswered(i));
  await waitFor(() => answered >= N / 4, 10_000, 'a quarter of the replies answered');
  a.child.kill('SIGKILL');
  await a.exited;
  const answeredAtKill = answered;
  const inboundAtKill = (t.db.$client.prepare('select count(*) as n from sms_inbound').get() as { n: number }).n;

  const b = spawnWorker(t.path, smsc.url(), 50);
  await b.ready;
  await Promise.all(replies);
  // Every SMS reaches a final state: delivered, or (a reminder queued just before its appointment
  // was cancelled by the reply) dropped unsent — never lost in between.
  await waitFor(
    () => (t.db.$client.prepare("select count(*) as n from sms_outbox where state not in ('delivered', 'expired')").get() as { n: number }).n === 0,
    20_000,
    'every queued SMS delivered or dropped',
  );
  const dropped = t.db.$client
    .prepare("select o.kind, a.status from sms_outbox o left join appointments a on a.id = o.appointment_id where o.state = 'expired'")
    .all() as { kind: string; status: string | null }[];
  expect(dropped.every((d) => d.kind === 'reminder' && d.status === 'cancelled'), JSON.stringify(dropped)).toBe(true);

  const status = (id: number) => (t.db.$client.prepare('select status from appointments where id = ?').get(id) as { status: string }).status;
  const inbound = t.db.$client.prepare('select phone, outcome from sms_inbound').all() as { phone: string; outcome: string }[];
  const cancellationRows = t.db.$client.prepare("select appointment_id from sms_outbox where kind = 'cancellation'").all() as { appointment_id: number }[];
  const cancellationTexts = new Set(smsc.messages().filter((m) => m.text.includes('is cancelled')).map((m) => `${m.dest} ${m.text}`));
  console.log(
    `kill -9 mid-handling: ${N} replies, ${answeredAtKill} answered and ${inboundAtKill} recorded before the kill; ` +
      `${inbound.length} inbound rows in the end (${inbound.filter((r) => r.outcome === 'duplicate').length} redeliveries recognised), ` +
      `${cancellationRows.length} cancellation rows, ${cancellationTexts.size} distinct cancellation SMS at the SMSC`,
  );
  for (let i = 0; i < N; i++) {
    // Exactly one of the phone's two bookings is cancelled: a redelivered "C" did not take the second.
    expect([status(ids[i]![0]!), status(ids[i]![1]!)].sort()).toEqual(['booked', 'cancelled']);
    expect(inbound.filter((r) => r.phone === phoneNo(i) && r.outcome === 'cancelled')).toHaveLength(1);
  }
  expect(cancellationRows).toHaveLength(N);
  expect(cancellationTexts.size).toBe(N);
  expect(inboundAtKill).toBeGreaterThan(0);
  expect(inboundAtKill).toBeLessThan(N + 1);
}, 90_000);
