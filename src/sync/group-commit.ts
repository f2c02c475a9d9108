// Group commit: the bookings that arrive together share ONE durable commit.
//
// Each booking commits at synchronous=FULL (the caller hears "confirmed" only once it is on disk),
// and better-sqlite3 commits on the event loop: with many callers on one IVR node every booking's
// fsync stalled every other call, and a booking's commit (≈15 WAL pages: the row, its indexes, the
// outbox rows) costs several one-row commits (issue 10). So a booking asked for while others are
// waiting joins them: the next turn of the event loop opens one BEGIN IMMEDIATE, runs each
// booking's own writeTx inside it as a SAVEPOINT (better-sqlite3 nests transactions that way), and
// commits once. Every booking keeps its own outcome: one that aborts (slot taken, limit reached) or
// throws is rolled back to its savepoint alone and the others go on. Nobody hears about a booking
// before the shared COMMIT is on disk; if the COMMIT itself fails, every booking of the group
// fails with it, as a single one would have.
//
// The disk wait itself is off the event loop. Under 200 calls an fsync took 16–74 ms, and at
// synchronous=FULL SQLite waits for it inside COMMIT, so every other call's keys waited too (the
// 200-call runs' 100–250 ms stalls, issue 10). A group on a WAL file at FULL or EXTRA therefore
// commits at NORMAL (SQLite appends the frames and returns without syncing), and its outcomes are
// handed out only after an fdatasync of the -wal file on libuv's pool has returned: the same
// frames on disk before anyone hears of them, as FULL would have made. Others may read those rows
// in the moment between (another caller's slot offer, a web page); any write made from them is
// committed later in the same WAL, so it cannot reach the disk without them.
import { open } from 'node:fs/promises';
import type Database from 'better-sqlite3';
import type { SyncContext } from './context.js';

/** Most writes one commit takes; the rest wait for the next (a bound on the stall of one commit). */
const MAX_GROUP = 64;

interface Pending {
  body: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

interface Queue {
  pending: Pending[];
  scheduled: boolean;
  /** The -wal file to sync after a group's commit; null when the database is not a WAL file. */
  wal: WalSync | null;
}

/**
 * fdatasync of one -wal file, shared: groups that committed while a sync was already running wait
 * for the next one (which covers them all), so at most one sync runs and one waits.
 */
class WalSync {
  private running = false;
  private waiting: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];

  constructor(readonly path: string) {}

  /** Resolves once everything written to the file before this call is on disk. */
  sync(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      if (!this.running) void this.next();
    });
  }

  private async next(): Promise<void> {
    const batch = this.waiting;
    this.waiting = [];
    this.running = true;
    try {
      // A descriptor of our own: fdatasync flushes the file, whichever descriptor wrote it.
      const file = await open(this.path, 'r');
      try {
        await file.datasync();
      } finally {
        await file.close();
      }
      for (const w of batch) w.resolve();
    } catch (error) {
      for (const w of batch) w.reject(error);
    } finally {
      this.running = false;
      if (this.waiting.length > 0) void this.next();
    }
  }
}

const SYNCHRONOUS_NORMAL = 1;
const SYNCHRONOUS_FULL = 2;

function walOf(client: Database.Database): WalSync | null {
  if (client.memory || client.name === '') return null;
  return client.pragma('journal_mode', { simple: true }) === 'wal' ? new WalSync(`${client.name}-wal`) : null;
}

const queues = new WeakMap<Database.Database, Queue>();

let observer: ((writes: number) => void) | null = null;

/** Called with the number of writes of each group commit (the process wires it to its metrics). */
export function observeGroupCommits(fn: ((writes: number) => void) | null): void {
  observer = fn;
}

/**
 * Runs `body` (a synchronous write that opens its own writeTx) in the next group commit of this
 * connection and resolves with its result once that commit is durable. A body alone in its turn
 * simply runs as it would have; it is never delayed for company beyond one turn of the event loop.
 */
export function groupedWrite<T>(ctx: Pick<SyncContext, 'db'>, body: () => T): Promise<T> {
  const client = ctx.db.$client;
  let queue = queues.get(client);
  if (!queue) {
    queue = { pending: [], scheduled: false, wal: walOf(client) };
    queues.set(client, queue);
  }
  const q = queue;
  return new Promise<T>((resolve, reject) => {
    q.pending.push({ body, resolve: resolve as (v: unknown) => void, reject });
    if (!q.scheduled) {
      q.scheduled = true;
      setImmediate(() => flush(client, q));
    }
  });
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

function flush(client: Database.Database, q: Queue): void {
  const group = q.pending.splice(0, MAX_GROUP);
  q.scheduled = q.pending.length > 0;
  if (q.scheduled) setImmediate(() => flush(client, q));
  observer?.(group.length);

  if (client.inTransaction) {
    // In a test, inside someone's transaction: each body joins it, and that transaction commits.
    handOut(group, group.map(run));
    return;
  }
  const synchronous = q.wal ? (client.pragma('synchronous', { simple: true }) as number) : 0;
  const syncAfter = q.wal !== null && synchronous >= SYNCHRONOUS_FULL;
  if (syncAfter) client.pragma(`synchronous = ${SYNCHRONOUS_NORMAL}`);
  let outcomes: Outcome[];
  try {
    // Alone, the body's own writeTx is the commit.
    outcomes = group.length === 1 ? [run(group[0]!)] : together(client, group);
  } catch (error) {
    // BEGIN or COMMIT failed (disk full, I/O error, busy past the timeout): nothing of the group is written.
    for (const p of group) p.reject(error);
    return;
  } finally {
    if (syncAfter) client.pragma(`synchronous = ${synchronous}`);
  }
  if (!syncAfter) return handOut(group, outcomes);
  q.wal!.sync().then(
    () => handOut(group, outcomes),
    // Committed but not known to be on disk: nobody is told it is (the disk is failing).
    (error: unknown) => {
      for (const p of group) p.reject(error);
    },
  );
}

/** The group's bodies in one transaction, each in its own savepoint; throws if BEGIN or COMMIT fails. */
function together(client: Database.Database, group: Pending[]): Outcome[] {
  const outcomes: Outcome[] = [];
  client
    .transaction(() => {
      for (const p of group) {
        // SQLite ends a transaction by itself on some errors (I/O, disk full): then nothing of the
        // group is written, and no later body may run outside it and commit alone.
        if (!client.inTransaction) throw new Error('the group commit\'s transaction ended early');
        // A body that throws has its savepoint rolled back already; the rest of the group goes on.
        outcomes.push(run(p));
      }
    })
    .immediate();
  return outcomes;
}

function run(p: Pending): Outcome {
  try {
    return { ok: true, value: p.body() };
  } catch (error) {
    return { ok: false, error };
  }
}

function handOut(group: Pending[], outcomes: Outcome[]): void {
  group.forEach((p, i) => {
    const o = outcomes[i]!;
    if (o.ok) p.resolve(o.value);
    else p.reject(o.error);
  });
}
