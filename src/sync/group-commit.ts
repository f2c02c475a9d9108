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
// before the shared COMMIT has returned; if the COMMIT itself fails, every booking of the group
// fails with it, as a single one would have.
//
// The savepoints cost ~4 % of a booking's CPU, and are needed only by a write that fails after
// writing something (a new caller's account made, then the slot refused). So a group first runs
// its writes without them (withoutSavepoints, context.ts); if one of them did fail after writing,
// the whole transaction is rolled back and the group runs again, each write in its savepoint.
import type Database from 'better-sqlite3';
import { noteCommit } from '../db/checkpoint.js';
import { withoutSavepoints, type SyncContext } from './context.js';

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
}

const queues = new WeakMap<Database.Database, Queue>();

type GroupObserver = (writes: number, seconds: number, ranAgain: boolean) => void;
let observer: GroupObserver | null = null;

/**
 * Called after each group commit with its number of writes, how long it held the event loop (the
 * bodies and the durable COMMIT: what the group's callers wait for before they hear the outcome),
 * and whether it had to run its writes again in savepoints. The process wires it to its metrics.
 */
export function observeGroupCommits(fn: GroupObserver | null): void {
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
    queue = { pending: [], scheduled: false };
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

function flush(client: Database.Database, q: Queue): void {
  const group = q.pending.splice(0, MAX_GROUP);
  q.scheduled = q.pending.length > 0;
  if (q.scheduled) setImmediate(() => flush(client, q));
  const started = performance.now();
  let ranAgain = false;
  try {
    ranAgain = commitGroup(client, group);
  } finally {
    observer?.(group.length, (performance.now() - started) / 1000, ranAgain);
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Thrown out of the first try's transaction to roll it back: a write failed after writing. */
class Spoilt extends Error {}

/** Commits the group; answers whether its writes had to run again in savepoints. */
function commitGroup(client: Database.Database, group: Pending[]): boolean {
  if (group.length === 1 || client.inTransaction) {
    // Alone (or, in a test, inside someone's transaction): the body's own writeTx is the commit.
    for (const p of group) settle(p);
    return false;
  }
  let outcomes: Outcome[];
  let ranAgain = false;
  try {
    try {
      outcomes = withoutSavepoints(client, (unguarded) =>
        runInOneTransaction(client, group, () => {
          if (unguarded.spoilt) throw new Spoilt();
        }),
      );
    } catch (error) {
      if (!(error instanceof Spoilt)) throw error;
      // Rolled back: nothing of the first try is written, and nobody has heard of it.
      ranAgain = true;
      outcomes = runInOneTransaction(client, group, () => {});
    }
  } catch (error) {
    // BEGIN or COMMIT failed (disk full, I/O error, busy past the timeout): nothing of the group is written.
    for (const p of group) p.reject(error);
    return ranAgain;
  }
  noteCommit(client, group.length);
  group.forEach((p, i) => {
    const o = outcomes[i]!;
    if (o.ok) p.resolve(o.value);
    else p.reject(o.error);
  });
  return ranAgain;
}

/** One BEGIN IMMEDIATE … COMMIT around every body; `afterEach` may throw to roll all of it back. */
function runInOneTransaction(client: Database.Database, group: Pending[], afterEach: () => void): Outcome[] {
  const outcomes: Outcome[] = [];
  client
    .transaction(() => {
      for (const p of group) {
        // SQLite ends a transaction by itself on some errors (I/O, disk full): then nothing of the
        // group is written, and no later body may run outside it and commit alone.
        if (!client.inTransaction) throw new Error('the group commit\'s transaction ended early');
        try {
          outcomes.push({ ok: true, value: p.body() });
        } catch (error) {
          // In a savepoint, it is already rolled back; without one, afterEach decides.
          outcomes.push({ ok: false, error });
        }
        afterEach();
      }
    })
    .immediate();
  return outcomes;
}

function settle(p: Pending): void {
  try {
    p.resolve(p.body());
  } catch (error) {
    p.reject(error);
  }
}
