// WAL checkpoints on a thread of their own (issue 10).
//
// In WAL mode SQLite copies the log back into the database file (a checkpoint) on the thread of
// whichever commit takes the log past 1,000 pages. A booking writes ~15 pages, so every ~70th
// booking paid for the copy and its fsync: 1.4–17 ms (p50 3–4 ms) measured here, on the event loop
// of the process that happened to commit: a caller's key press waited behind it, and it was a
// tenth of a busy writer's time. Here the process's own connection never checkpoints
// (wal_autocheckpoint = 0); a second connection on a worker thread copies the log back as soon as
// it grows, with PASSIVE checkpoints that never wait for (or block) readers and writers. Should
// that thread end, the connection goes back to checkpointing by itself, so the log never grows
// without bound.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';

export interface BackgroundCheckpoints {
  /** Ends the thread and gives the connection its own checkpoints back. */
  stop(): Promise<void>;
}

export interface CheckpointTiming {
  /** Pause after a pass that found new log frames (the log is growing): short, so it stays small. */
  busyMs?: number;
  /** Pause after a pass with nothing new. */
  idleMs?: number;
}

const DEFAULT_AUTOCHECKPOINT = 1000;

// Plain CommonJS given as text, so the thread loads the same way under tsx, vitest and dist/
// (as in src/sync/hash-thread.ts).
const betterSqlite3 = createRequire(import.meta.url).resolve('better-sqlite3');
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(${JSON.stringify(betterSqlite3)});
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('synchronous = FULL');
let stopping = false;
let lastLog = -1;
let timer = null;
parentPort.on('message', (m) => {
  if (m !== 'stop') return;
  stopping = true;
  if (timer) clearTimeout(timer);
  db.close();
  parentPort.postMessage('stopped');
  parentPort.close();
});
function pass() {
  timer = null;
  if (stopping) return;
  // PASSIVE: copies what no reader still needs, never waits, never invokes the busy handler.
  const [r] = db.pragma('wal_checkpoint(PASSIVE)');
  const grew = r.log !== lastLog;
  lastLog = r.log;
  timer = setTimeout(pass, grew ? workerData.busyMs : workerData.idleMs);
}
pass();
`;

/**
 * Moves the WAL checkpoints of `client` (a connection to a file in WAL mode) onto a thread of
 * their own. A connection to ':memory:' or not in WAL mode is left as it is.
 */
export function checkpointInBackground(client: Database.Database, timing: CheckpointTiming = {}): BackgroundCheckpoints {
  const mode = String(client.pragma('journal_mode', { simple: true })).toLowerCase();
  if (client.memory || mode !== 'wal') return { stop: async () => undefined };
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    name: 'sqlite-checkpoint',
    workerData: { path: client.name, busyMs: timing.busyMs ?? 20, idleMs: timing.idleMs ?? 250 },
  });
  worker.unref();
  client.pragma('wal_autocheckpoint = 0');
  let ended = false;
  const takeBack = () => {
    if (ended) return;
    ended = true;
    if (client.open) client.pragma(`wal_autocheckpoint = ${DEFAULT_AUTOCHECKPOINT}`);
  };
  // An error in the thread (the file gone, I/O) ends it: the connection checkpoints by itself again.
  worker.on('error', takeBack);
  worker.on('exit', takeBack);
  return {
    stop() {
      if (ended) return Promise.resolve();
      return new Promise<void>((resolve) => {
        worker.once('exit', () => resolve());
        worker.once('message', () => void worker.terminate());
        worker.postMessage('stop');
      }).then(takeBack);
    },
  };
}
