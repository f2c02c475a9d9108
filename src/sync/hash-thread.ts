// argon2id on a thread of its own.
//
// @node-rs/argon2's async hash() runs the passes on libuv's pool but sets each hash up on the
// calling thread: 0–5 ms of the event loop per hash, measured (its 19 MiB block). In the IVR that
// is every new caller's temporary password, refilled while other callers are pressing keys, so it
// showed in their key→prompt times (issue 10). Here the whole hash and verify run on one worker
// thread; the event loop only posts a message. One thread also bounds argon2 to one core, so a
// burst of log-ins cannot take the CPU the calls and Asterisk need.
import { createRequire } from 'node:module';
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

let worker: Worker | null = null;
let nextId = 0;
const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true, name: 'medq-argon2' });
  w.on('message', ({ id, value, error }: { id: number; value?: unknown; error?: string }) => {
    const p = pending.get(id);
    if (!p) return;
    pending.delete(id);
    // Idle, the thread must not keep a finished command (staff:create, db tools) alive.
    if (pending.size === 0) w.unref();
    if (error !== undefined) p.reject(new Error(`argon2: ${error}`));
    else p.resolve(value);
  });
  const fail = (err: Error) => {
    if (worker === w) worker = null; // the next hash starts a new thread
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  w.on('error', fail);
  w.on('exit', (code) => fail(new Error(`the argon2 thread stopped (exit code ${code})`)));
  worker = w;
  return w;
}

function run<T>(job: Job): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const w = thread();
    const id = nextId++;
    pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
    w.ref(); // a hash still to come keeps the process alive
    w.postMessage({ id, job });
  });
}

export function argon2Hash(password: string, options: Argon2Options): Promise<string> {
  return run<string>({ op: 'hash', password, options });
}

export function argon2Verify(hash: string, password: string): Promise<boolean> {
  return run<boolean>({ op: 'verify', hash, password });
}
