// argon2id on threads of their own: one per core (at most 4), and one of low priority for hashes made ahead of need.
//
// @node-rs/argon2's async hash() runs the passes on libuv's pool but sets each hash up on the
// calling thread: 0–5 ms of the event loop per hash, measured (its 19 MiB block). In the IVR that
// is every new caller's temporary password, refilled while other callers are pressing keys, so it
// showed in their key→prompt times (issue 10). Here the whole hash and verify run on worker
// threads, one per core (at most 4, as libuv's pool had); the event loop only posts a message.
// One thread was tried: at 200 new callers at once their hashes queued behind each other and
// the confirmation came 0.4 s late (p50), against 15 ms with the pool.
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';

export interface Argon2Options {
  algorithm: number;
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

type Job = { op: 'hash'; password: string; options: Argon2Options } | { op: 'verify'; hash: string; password: string };

/**
 * Hashes made ahead of need (the stock of temporary passwords, src/sync/temp-credentials.ts) can
 * wait; callers' key presses cannot. On a busy node those refills competed with the event loop and
 * Asterisk for the cores (issue 10), so they run on one thread of lower priority that takes the
 * CPU the calls leave. A hash somebody is waiting for (a login, a caller when the stock is empty)
 * runs at normal priority: at nice 10 for all, a saturated node starved them (key 3 p99 371 ms
 * at 150 calls against 31 ms).
 */
const BACKGROUND_NICE = 10;

// The worker is plain CommonJS given as text, so it loads the same way under tsx, vitest and the
// built dist/ (a .ts worker file would need a loader in each).
const argon2Module = createRequire(import.meta.url).resolve('@node-rs/argon2');
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const argon2 = require(${JSON.stringify(argon2Module)});
// On Linux a thread has a priority of its own.
if (workerData.nice) {
  try {
    const tid = Number(require('node:fs').readlinkSync('/proc/thread-self').split('/').pop());
    require('node:os').setPriority(tid, workerData.nice);
  } catch {
    // not Linux: the thread keeps the process's priority
  }
}
parentPort.on('message', ({ id, job }) => {
  try {
    const value = job.op === 'hash' ? argon2.hashSync(job.password, job.options) : argon2.verifySync(job.hash, job.password);
    parentPort.postMessage({ id, value });
  } catch (e) {
    parentPort.postMessage({ id, error: String((e && e.message) || e) });
  }
});
`;

interface Thread {
  worker: Worker;
  pending: Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>;
}

interface Pool {
  name: string;
  nice: number;
  threads: Array<Thread | null>;
}

/** One thread per core, at most 4 (as libuv's pool had), for hashes somebody waits for. */
const foreground: Pool = { name: 'argon2', nice: 0, threads: Array.from({ length: Math.max(1, Math.min(4, availableParallelism())) }, () => null) };
/** One thread, low priority, for hashes made ahead of need. */
const background: Pool = { name: 'argon2-bg', nice: BACKGROUND_NICE, threads: [null] };
let nextId = 0;

function start(pool: Pool, slot: number): Thread {
  const worker = new Worker(WORKER_SOURCE, { eval: true, name: `medq-${pool.name}-${slot}`, workerData: { nice: pool.nice } });
  const t: Thread = { worker, pending: new Map() };
  worker.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
    const p = t.pending.get(id);
    if (!p) return;
    t.pending.delete(id);
    // Idle, a thread must not keep a finished command (staff:create, db tools) alive.
    if (t.pending.size === 0) worker.unref();
    if (error !== undefined) p.reject(new Error(`argon2: ${error}`));
    else p.resolve(value);
  });
  const fail = (err: Error) => {
    if (pool.threads[slot] === t) pool.threads[slot] = null; // the next job on this slot starts a new thread
    for (const p of t.pending.values()) p.reject(err);
    t.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`an argon2 thread stopped (exit code ${code})`)));
  pool.threads[slot] = t;
  return t;
}

/** An idle thread, else a new one while the pool is not full, else the least busy. */
function leastBusy(pool: Pool): Thread {
  let best: Thread | null = null;
  let free = -1;
  for (let i = 0; i < pool.threads.length; i++) {
    const t = pool.threads[i];
    if (!t) {
      if (free < 0) free = i;
    } else if (t.pending.size === 0) return t;
    else if (!best || t.pending.size < best.pending.size) best = t;
  }
  return free >= 0 ? start(pool, free) : best!;
}

function run<T>(pool: Pool, job: Job): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = leastBusy(pool);
    const id = nextId++;
    t.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    t.worker.ref(); // a hash still to come keeps the process alive
    t.worker.postMessage({ id, job });
  });
}

/** `ahead`: made ahead of need (nobody waits for it): on the low-priority thread. */
export function argon2Hash(password: string, options: Argon2Options, ahead = false): Promise<string> {
  return run<string>(ahead ? background : foreground, { op: 'hash', password, options });
}

export function argon2Verify(hash: string, password: string): Promise<boolean> {
  return run<boolean>(foreground, { op: 'verify', hash, password });
}
