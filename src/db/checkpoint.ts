// WAL checkpoints on a thread of their own, so no caller's commit waits for one.
//
// SQLite checkpoints by itself inside the COMMIT that takes the WAL past 1,000 frames
// (wal_autocheckpoint): that commit copies the WAL's pages into the database file and syncs it,
// on the event loop. A new caller's booking writes ~22 frames, so every ~44th booking took
// 2.5–5 ms instead of ~1 ms: at 100 calls, the two or three checkpoints of a level were key 3's
// p99 (issue 10, bench notes in the README). Here a worker thread with its own connection runs
// the same PASSIVE checkpoint at the same point (1,000 frames), while writers go on appending to
// the WAL. The process's own connection keeps a far higher threshold as a fallback: should the
// thread die, SQLite checkpoints there again (and the thread's death is reported).
//
// The thread sleeps until the process's commits nudge it (noteCommit, every NUDGE_WRITES
// writes) and otherwise looks only every LOOK_MS, for other processes' writes: a timer every
// 50 ms cost ~3.5 ms of CPU a second, busy or idle (each wake-up ~0.15 ms on a virtual machine),
// ~3 % of the ivr role's CPU at 200 calls (issue 10, thirteenth round).
import { closeSync, openSync, readSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { Db } from './client.js';

/** SQLite's own default: checkpoint once this many frames wait in the WAL. */
export const CHECKPOINT_FRAMES = 1000;
/** The process's own connection checkpoints only past this (the thread is gone or far behind). */
export const FALLBACK_CHECKPOINT_FRAMES = 4000;
/**
 * Writes of this process between two nudges of the thread (a commit is one write, a group commit
 * one per booking in it). A write adds 1–25 frames (a booking ~14), so the thread looks well
 * before the WAL reaches the fallback point.
 */
export const NUDGE_WRITES = 64;
/** How often the thread looks without a nudge: for commits of other processes on the same file. */
export const LOOK_MS = 1000;
/** After a checkpoint, the thread copies what writers added since at most this often, until the WAL starts again. */
const CHASE_MS = 50;

/**
 * Where the wal-index header in the -shm file keeps what the thread reads
 * (https://www.sqlite.org/walformat.html, native byte order): mxFrame (frames in the WAL), the
 * salt that changes when the WAL starts again from its beginning, and nBackfill (frames already
 * copied into the database). Read without SQLite's locks: a torn read only moves one checkpoint a look.
 */
const WAL_INDEX = { mxFrame: 16, salt: 32, nBackfill: 96, read: 100 } as const;

const sqliteModule = createRequire(import.meta.url).resolve('better-sqlite3');
// Plain CommonJS given as text, so it loads the same way under tsx, vitest and dist/ (as hash-thread.ts).
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const fs = require('node:fs');
const Database = require(${JSON.stringify(sqliteModule)});
const { path, frames, lookMs, chaseMs, signal: shared } = workerData;
// [0] counts the process's nudges, [1] is set to stop (src/db/checkpoint.ts noteCommit, stop()).
const signal = new Int32Array(shared);
const db = new Database(path);
// A checkpoint syncs the WAL before it copies and the database after, as the writers' commits would.
db.pragma('synchronous = FULL');
db.pragma('busy_timeout = 0');
const buf = Buffer.alloc(${WAL_INDEX.read});
let shm = null;
function walState() {
  if (shm === null) {
    try { shm = fs.openSync(path + '-shm', 'r'); } catch { return null; }
  }
  if (fs.readSync(shm, buf, 0, ${WAL_INDEX.read}, 0) < ${WAL_INDEX.read}) return null;
  const mx = buf.readUInt32LE(${WAL_INDEX.mxFrame}), done = buf.readUInt32LE(${WAL_INDEX.nBackfill});
  return { salt: buf.readUInt32LE(${WAL_INDEX.salt}), waiting: mx > done ? mx - done : 0 };
}
// Only a writer that begins while every frame is in the database starts the WAL again from its
// beginning; one that began during the copy appends after it. So after a checkpoint the thread
// keeps copying what such writers add, a pass every chaseMs, until nothing waits (the next writer
// then starts the WAL again, its salt changes): a WAL checkpointed behind the writers but never
// caught up would grow without end. Each pass syncs the WAL and the database file, so a chase
// passes at most every chaseMs however often commits nudge (a pass at every nudge cost sustained
// one-at-a-time writers a quarter of their commits).
let chasing = null;
let lastPass = -Infinity; // when the last pass ended (performance.now())
// Asleep in Atomics.wait until a nudge or the next look is due: no timer, no event loop turn.
let nudges = Atomics.load(signal, 0);
let next = lookMs;
while (Atomics.load(signal, 1) === 0) {
  Atomics.wait(signal, 0, nudges, next);
  if (Atomics.load(signal, 1) !== 0) break;
  nudges = Atomics.load(signal, 0);
  try {
    next = look();
  } catch (e) {
    // Another process's checkpoint or a writer holding a lock it needs: try again shortly.
    if (!(e && (e.code === 'SQLITE_BUSY' || e.code === 'SQLITE_LOCKED'))) throw e;
    next = chaseMs;
  }
}
if (shm !== null) fs.closeSync(shm);
db.close();
/** Checkpoints if it is time; answers in how many ms to look again, nudges aside. */
function look() {
  const before = walState();
  if (before === null) return lookMs;
  if (chasing !== null && before.salt !== chasing) chasing = null;
  if (before.waiting === 0 || (chasing === null && before.waiting < frames)) return lookMs;
  const started = performance.now();
  if (chasing !== null && started - lastPass < chaseMs) return chaseMs - (started - lastPass);
  let r, passes = 0, now = before;
  do {
    [r] = db.pragma('wal_checkpoint(PASSIVE)');
    passes++;
    now = walState() || now;
  } while (r.busy === 0 && now.waiting > 0 && passes < 50);
  lastPass = performance.now();
  if (chasing === null) {
    chasing = before.salt;
    parentPort.postMessage({ type: 'checkpoint', waiting: before.waiting, busy: r.busy, log: r.log, copied: r.checkpointed, passes, ms: lastPass - started });
  }
  return now.waiting > 0 ? chaseMs : lookMs;
}
`;

export interface CheckpointStats {
  /** Frames waiting when it started. */
  waiting: number;
  /** Frames in the WAL and frames now copied into the database (wal_checkpoint's log, checkpointed). */
  log: number;
  copied: number;
  /** 1 when a reader or writer kept it from copying everything (it copies the rest next time). */
  busy: number;
  /** Checkpoints it took to catch up with the writers. */
  passes: number;
  ms: number;
}

export interface Checkpointer {
  /** Whether a thread was started (not for an in-memory database). */
  readonly started: boolean;
  /** Ends the thread and gives the connection back SQLite's own checkpoints. */
  stop(): Promise<void>;
}

export interface CheckpointerOptions {
  frames?: number;
  /** How often the thread looks without a nudge (LOOK_MS). */
  lookMs?: number;
  onCheckpoint?: (stats: CheckpointStats) => void;
  /** The thread died: the connection checkpoints by itself again, at SQLite's default. */
  onError?: (error: Error) => void;
}

/**
 * Starts the checkpoint thread for `db`'s file and moves the connection's own checkpoints back to
 * FALLBACK_CHECKPOINT_FRAMES. An in-memory database has no WAL: nothing is started.
 */
export function startCheckpointer(db: Db, opts: CheckpointerOptions = {}): Checkpointer {
  const client = db.$client;
  if (client.memory || (client.pragma('journal_mode', { simple: true }) as string) !== 'wal') return { started: false, stop: async () => {} };
  const frames = opts.frames ?? CHECKPOINT_FRAMES;
  client.pragma(`wal_autocheckpoint = ${Math.max(FALLBACK_CHECKPOINT_FRAMES, frames * 4)}`);
  const signal = new Int32Array(new SharedArrayBuffer(8));
  const worker = new Worker(WORKER_SOURCE, { eval: true, name: 'medq-wal-checkpoint', workerData: { path: client.name, frames, lookMs: opts.lookMs ?? LOOK_MS, chaseMs: CHASE_MS, signal: signal.buffer } });
  nudgesOf.set(client, { signal, writes: 0 });
  let stopping = false;
  const fallBack = (error: Error) => {
    if (stopping) return;
    stopping = true;
    nudgesOf.delete(client);
    if (client.open) client.pragma(`wal_autocheckpoint = ${CHECKPOINT_FRAMES}`);
    opts.onError?.(error);
  };
  worker.on('message', (m: { type: string } & CheckpointStats) => {
    if (m.type === 'checkpoint') opts.onCheckpoint?.({ waiting: m.waiting, log: m.log, copied: m.copied, busy: m.busy, passes: m.passes, ms: m.ms });
  });
  worker.on('error', fallBack);
  worker.on('exit', (code) => fallBack(new Error(`the WAL checkpoint thread stopped (exit code ${code})`)));
  // The thread must not keep a finished command alive (after the listeners: adding one refs it again).
  worker.unref();
  return {
    started: true,
    stop: async () => {
      if (stopping) return;
      stopping = true;
      nudgesOf.delete(client);
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
      // Unreferenced, the thread did not keep the process alive while stop() waited for it: a
      // process with nothing else left ended there (exit code 13 under a top-level await),
      // before the code after stop() ran (src/main.ts closes the database after it).
      worker.ref();
      Atomics.store(signal, 1, 1);
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
      await exited;
      if (client.open) client.pragma(`wal_autocheckpoint = ${CHECKPOINT_FRAMES}`);
    },
  };
}

const nudgesOf = new WeakMap<Database.Database, { signal: Int32Array; writes: number }>();

/**
 * Called after each commit on a connection (src/sync's writeTx and group commit; `writes`: the
 * bookings a group commit carried): every NUDGE_WRITES writes, the connection's checkpoint
 * thread, if it has one, wakes to look at the WAL.
 */
export function noteCommit(client: Database.Database, writes = 1): void {
  const n = nudgesOf.get(client);
  if (!n || (n.writes += writes) < NUDGE_WRITES) return;
  n.writes = 0;
  Atomics.add(n.signal, 0, 1);
  Atomics.notify(n.signal, 0);
}

/** For tests and tools: frames waiting in the WAL of the database file at `path` (read as the thread reads them). */
export function pendingWalFramesAt(path: string): number {
  let fd: number;
  try {
    fd = openSync(`${path}-shm`, 'r');
  } catch {
    return 0;
  }
  try {
    const buf = Buffer.alloc(WAL_INDEX.read);
    if (readSync(fd, buf, 0, WAL_INDEX.read, 0) < WAL_INDEX.read) return 0;
    const mxFrame = buf.readUInt32LE(WAL_INDEX.mxFrame);
    const nBackfill = buf.readUInt32LE(WAL_INDEX.nBackfill);
    return mxFrame > nBackfill ? mxFrame - nBackfill : 0;
  } finally {
    closeSync(fd);
  }
}
