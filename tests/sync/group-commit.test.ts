// Bookings asked for together share one durable commit (src/sync/group-commit.ts), and each keeps
// its own outcome: a refused or failing booking in the group costs the others nothing, and a
// commit that fails confirms none of them. Real SQLite files; the crash test kills a real process.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/db/client.js';
import { bookByPhone, bookForAccount, freeSlots, registerAccount, groupedWrite, observeGroupCommits, writeTx } from '../../src/sync/index.js';
import { smsOutbox } from '../../src/db/schema.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb | undefined;
afterEach(() => {
  observeGroupCommits(null);
  t?.close();
  t = undefined;
});

const DATE = '2026-11-30';
const phone = (n: number) => `+9198765${String(n).padStart(5, '0')}`;

function countIn(path: string, sql: string): number {
  const other = openDatabase(path); // a second connection: sees only what was committed
  try {
    return (other.$client.prepare(sql).get() as { n: number }).n;
  } finally {
    other.$client.close();
  }
}

describe('group commit of bookings', () => {
  it('commits twelve callers booking at once in fewer commits, every booking and its SMS on disk', async () => {
    t = createTestDb();
    const groups: number[] = [];
    observeGroupCommits((n) => groups.push(n));
    const slots = freeSlots(t.ctx, 1, DATE)!.slice(0, 12);
    expect(slots).toHaveLength(12);
    const results = await Promise.all(slots.map((s, i) => bookByPhone(t!.ctx, { phone: phone(i), doctorId: 1, date: DATE, time: s.time })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(new Set(results.map((r) => (r.ok ? r.value.token : ''))).size).toBe(12);
    // Twelve bookings, fewer commits: they arrived in one turn of the event loop.
    expect(groups.reduce((a, b) => a + b, 0)).toBe(12);
    expect(groups.length).toBeLessThan(12);
    expect(Math.max(...groups)).toBeGreaterThan(1);
    expect(countIn(t.path, `SELECT count(*) n FROM appointments WHERE status = 'booked'`)).toBe(12);
    expect(countIn(t.path, `SELECT count(*) n FROM accounts WHERE status = 'provisional'`)).toBe(12);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE kind IN ('welcome', 'confirmation')`)).toBe(24);
  });

  it('refuses the second booking of a seat in the same group and keeps everyone else’s', async () => {
    t = createTestDb();
    const [a, b] = freeSlots(t.ctx, 1, DATE)!;
    const groups: number[] = [];
    const ranAgain: boolean[] = [];
    observeGroupCommits((n, _s, again) => (groups.push(n), ranAgain.push(again)));
    const results = await Promise.all([
      bookByPhone(t.ctx, { phone: phone(1), doctorId: 1, date: DATE, time: a!.time }),
      bookByPhone(t.ctx, { phone: phone(2), doctorId: 1, date: DATE, time: a!.time }), // same seat (capacity 1)
      bookByPhone(t.ctx, { phone: phone(3), doctorId: 1, date: DATE, time: b!.time }),
    ]);
    expect(groups).toEqual([3]);
    // The refused new caller's account was made before the refusal: only a savepoint undoes that,
    // so the group's first try (without savepoints) was rolled back and run again.
    expect(ranAgain).toEqual([true]);
    // Exactly one of the two gets the seat (in the order their passwords came from the stock).
    const codes = results.map((r) => (r.ok ? 'ok' : r.code));
    expect([...codes.slice(0, 2)].sort()).toEqual(['ok', 'slot_taken']);
    expect(codes[2]).toBe('ok');
    const refused = codes[0] === 'ok' ? phone(2) : phone(1);
    // The refused caller's new account went with its booking: no half-made state.
    expect(countIn(t.path, `SELECT count(*) n FROM accounts WHERE phone = '${refused}'`)).toBe(0);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE phone = '${refused}'`)).toBe(0);
    expect(countIn(t.path, `SELECT count(*) n FROM appointments`)).toBe(2);
  });

  it('a refusal that comes before any write needs no savepoint: returning callers\' group commits on its first try', async () => {
    t = createTestDb();
    const ctx = t.ctx;
    // Returning callers: each has an account and a patient, so a refused booking writes nothing.
    for (const n of [1, 2, 3]) {
      const reg = registerAccount(ctx, { phone: phone(200 + n), name: `Caller ${n}`, age: 40, username: `caller${n}`, passwordHash: 'x' });
      if (!reg.ok) throw new Error(reg.code);
    }
    const [a, b] = freeSlots(ctx, 1, DATE)!;
    const ranAgain: boolean[] = [];
    observeGroupCommits((_n, _s, again) => ranAgain.push(again));
    const results = await Promise.all([
      bookByPhone(ctx, { phone: phone(201), doctorId: 1, date: DATE, time: a!.time }),
      bookByPhone(ctx, { phone: phone(202), doctorId: 1, date: DATE, time: a!.time }), // the same seat
      bookByPhone(ctx, { phone: phone(203), doctorId: 1, date: DATE, time: b!.time }),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'slot_taken', 'ok']);
    expect(ranAgain).toEqual([false]);
    expect(countIn(t.path, `SELECT count(*) n FROM appointments`)).toBe(2);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE phone = '${phone(202)}'`)).toBe(0);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE kind = 'confirmation'`)).toBe(2);
  });

  it('web bookings join the same commits as phone bookings: one seat asked from both doors has one holder', async () => {
    t = createTestDb();
    const ctx = t.ctx;
    const accounts = [1, 2, 3].map((n) => {
      const reg = registerAccount(ctx, { phone: phone(100 + n), name: `Web ${n}`, age: 30, username: `web${n}`, passwordHash: 'x' });
      if (!reg.ok) throw new Error(reg.code);
      return reg.value.id;
    });
    const [a, b, c] = freeSlots(ctx, 1, DATE)!;
    const groups: number[] = [];
    observeGroupCommits((n) => groups.push(n));
    const results = await Promise.all([
      bookForAccount(ctx, { accountId: accounts[0]!, doctorId: 1, date: DATE, time: a!.time }),
      bookByPhone(ctx, { phone: phone(1), doctorId: 1, date: DATE, time: a!.time }), // the same seat, by phone
      bookForAccount(ctx, { accountId: accounts[1]!, doctorId: 1, date: DATE, time: b!.time }),
      bookForAccount(ctx, { accountId: accounts[2]!, doctorId: 1, date: DATE, time: c!.time }),
    ]);
    expect(groups).toEqual([4]);
    const codes = results.map((r) => (r.ok ? 'ok' : r.code));
    expect([...codes.slice(0, 2)].sort()).toEqual(['ok', 'slot_taken']);
    expect(codes.slice(2)).toEqual(['ok', 'ok']);
    // Committed, with one confirmation SMS per booking, as a second connection sees it.
    expect(countIn(t.path, `SELECT count(*) n FROM appointments WHERE status = 'booked'`)).toBe(3);
    expect(countIn(t.path, `SELECT count(*) n FROM appointments WHERE slot_time = '${a!.time}'`)).toBe(1);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE kind = 'confirmation'`)).toBe(3);
  });

  it('a write that throws fails alone: the rest of its group is committed', async () => {
    t = createTestDb();
    const ctx = t.ctx;
    const row = (n: number) => () =>
      writeTx(ctx, (tx) => tx.insert(smsOutbox).values({ kind: 'sync', phone: phone(n), body: `row ${n}`, createdAt: Date.now() }).run());
    const settled = await Promise.allSettled([
      groupedWrite(ctx, row(1)),
      groupedWrite(ctx, () =>
        writeTx(ctx, (tx) => {
          row(2)();
          void tx;
          throw new Error('a bug in one booking');
        }),
      ),
      groupedWrite(ctx, row(3)),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((settled[1] as PromiseRejectedResult).reason)).toContain('a bug in one booking');
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE body LIKE 'row %'`)).toBe(2);
    expect(countIn(t.path, `SELECT count(*) n FROM sms_outbox WHERE body = 'row 2'`)).toBe(0);
  });

  it('a write that throws after writing, in the middle of a group, leaves nothing of its own: the group runs again in savepoints', async () => {
    t = createTestDb();
    const ctx = t.ctx;
    const ranAgain: boolean[] = [];
    observeGroupCommits((_n, _s, again) => ranAgain.push(again));
    const insert = (tx: Parameters<Parameters<typeof writeTx>[1]>[0], n: number) =>
      tx.insert(smsOutbox).values({ kind: 'sync', phone: phone(n), body: `row ${n}`, createdAt: Date.now() }).run();
    let tries = 0;
    const settled = await Promise.allSettled([
      groupedWrite(ctx, () => writeTx(ctx, (tx) => insert(tx, 1))),
      groupedWrite(ctx, () => writeTx(ctx, (tx) => insert(tx, 2))),
      groupedWrite(ctx, () =>
        writeTx(ctx, (tx) => {
          tries++;
          insert(tx, 3);
          insert(tx, 33);
          throw new Error('a bug after two writes');
        }),
      ),
      groupedWrite(ctx, () => writeTx(ctx, (tx) => insert(tx, 4))),
    ]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    expect(tries).toBe(2);
    expect(ranAgain).toEqual([true]);
    const bodies = t.db.$client.prepare(`SELECT body FROM sms_outbox WHERE body LIKE 'row %' ORDER BY id`).pluck().all();
    expect(bodies).toEqual(['row 1', 'row 2', 'row 4']);
  });

  it('confirms none of a group whose transaction cannot begin, and writes nothing', async () => {
    t = createTestDb();
    t.db.$client.pragma('busy_timeout = 50');
    const blocker = openDatabase(t.path);
    blocker.$client.prepare('BEGIN IMMEDIATE').run(); // another process holds the write lock
    const groups: Array<{ writes: number; seconds: number }> = [];
    observeGroupCommits((writes, seconds) => groups.push({ writes, seconds }));
    try {
      const [a, b] = freeSlots(t.ctx, 1, DATE)!;
      const settled = await Promise.allSettled([
        bookByPhone(t.ctx, { phone: phone(1), doctorId: 1, date: DATE, time: a!.time }),
        bookByPhone(t.ctx, { phone: phone(2), doctorId: 1, date: DATE, time: b!.time }),
      ]);
      expect(settled.map((s) => s.status)).toEqual(['rejected', 'rejected']);
      expect(String((settled[0] as PromiseRejectedResult).reason)).toMatch(/locked|busy/i);
      // The failed group is still timed (medq_db_write_group_seconds), its wait for the lock included.
      expect(groups).toHaveLength(1);
      expect(groups[0]!.writes).toBe(2);
      expect(groups[0]!.seconds).toBeGreaterThanOrEqual(0.045);
    } finally {
      blocker.$client.prepare('ROLLBACK').run();
      blocker.$client.close();
    }
    expect(countIn(t.path, `SELECT count(*) n FROM appointments`)).toBe(0);
    // The connection is usable again for the next callers.
    const [c] = freeSlots(t.ctx, 1, DATE)!;
    expect(await bookByPhone(t.ctx, { phone: phone(3), doctorId: 1, date: DATE, time: c!.time })).toMatchObject({ ok: true });
  });

  it('every booking a killed process confirmed is in the file (kill -9 right after the confirmations)', () => {
    t = createTestDb();
    const child = spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./group-commit-crash.ts', import.meta.url)), t.path], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(child.signal).toBe('SIGKILL');
    const confirmed = child.stdout.trim().split('\n').filter(Boolean).map(Number);
    expect(confirmed.length).toBe(12);
    const other = openDatabase(t.path);
    try {
      const stored = new Set((other.$client.prepare(`SELECT id FROM appointments WHERE status = 'booked'`).all() as Array<{ id: number }>).map((r) => r.id));
      for (const id of confirmed) expect(stored.has(id)).toBe(true);
    } finally {
      other.$client.close();
    }
  });
});
