// Bounded waits. Every wait in the adapter ends: by its result, by its deadline, or by a cancel.

export class TimeoutError extends Error {
  constructor(what: string, ms: number) {
    super(`${what}: no answer within ${ms} ms`);
    this.name = 'TimeoutError';
  }
}

/** `p`, or a TimeoutError after `ms`. The underlying work is not stopped (it cannot be). */
export function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimeoutError(what, ms)), ms);
  });
  return Promise.race([p, deadline]).finally(() => clearTimeout(timer));
}

/** A sleep that `cancel()` ends early (resolving false). */
export function cancellableSleep(ms: number): { done: Promise<boolean>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let finish: (slept: boolean) => void = () => undefined;
  const done = new Promise<boolean>((resolve) => {
    finish = resolve;
    timer = setTimeout(() => resolve(true), ms);
  });
  return {
    done,
    cancel() {
      clearTimeout(timer);
      finish(false);
    },
  };
}

/** Capped exponential back-off: initial, 2×, 4×… up to max, with ±20 % jitter. */
export function backoffDelays(initialMs: number, maxMs: number): () => number {
  let next = initialMs;
  return () => {
    const base = next;
    next = Math.min(next * 2, maxMs);
    const jitter = base * 0.2 * (Math.random() * 2 - 1);
    return Math.max(1, Math.min(maxMs, Math.round(base + jitter)));
  };
}
