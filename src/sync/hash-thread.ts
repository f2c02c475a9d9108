// argon2id on threads of their own: one per core (at most 4).
//
// @node-rs/argon2's async hash() runs the passes on libuv's pool but sets each hash up on the
// calling thread: 0–5 ms of the event loop per hash, measured (its 19 MiB block). In the IVR that
// was every new caller's temporary password (an HMAC since, src/sync/credentials.ts), made while
// other callers were pressing keys, so it showed in their key→prompt times (issue 10). Log-ins and
// password changes are the same on the api's event loop. Here the whole hash and verify run on worker
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

// The worker is plain CommonJS given as text, so it loads the same way under tsx, vitest and the
// built dist/ (a .ts worker file would need a loader in each).
const argon2Module = createRequire(import.meta.url).resolve('@node-rs/argon2');
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const argon2 = require(${JSON.stringify(argon2Module)});
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

/** One thread per core, at most 4 (as libuv's pool had); started on first use, restarted after a failure. */
const threads: Array<Thread | null> = Array.from({ length: Math.max(1, Math.min(4, availableParallelism())) }, () => null);
let nextId = 0;

function start(slot: number): Thread {
  const worker = new Worker(WORKER_SOURCE, { eval: true, name: `medq-argon2-${slot}` });
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
    if (threads[slot] === t) threads[slot] = null; // the next job on this slot starts a new thread
    for (const p of t.pending.values()) p.reject(err);
    t.pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`an argon2 thread stopped (exit code ${code})`)));
  threads[slot] = t;
  return t;
}

/** An idle thread, else a new one while the pool is not full, else the least busy. */
function leastBusy(): Thread {
  let best: Thread | null = null;
  let free = -1;
  for (let i = 0; i < threads.length; i++) {
    const t = threads[i];
    if (!t) {
      if (free < 0) free = i;
    } else if (t.pending.size === 0) return t;
    else if (!best || t.pending.size < best.pending.size) best = t;
  }
  return free >= 0 ? start(free) : best!;
}

function run<T>(job: Job): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = leastBusy();
    const id = nextId++;
    t.pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    t.worker.ref(); // a hash still to come keeps the process alive
    t.worker.postMessage({ id, job });
  });
}

export function argon2Hash(password: string, options: Argon2Options): Promise<string> {
  return run<string>({ op: 'hash', password, options });
}

export function argon2Verify(hash: string, password: string): Promise<boolean> {
  return run<boolean>({ op: 'verify', hash, password });
}
