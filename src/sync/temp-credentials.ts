// Temporary passwords for new IVR callers, hashed ahead of need.
//
// A new caller's booking needs an argon2id hash of the temporary password sent to them by SMS
// (~15–75 ms of a core, longer under load). Hashed when the caller presses "confirm", it sat on the
// critical path of the key→prompt time at key 3 (issue 10). So a stock of fresh
// {password, hash} pairs is kept ready: made on the low-priority argon2 thread
// (src/sync/hash-thread.ts), refilled shortly after each use (one hash at a time), and handed out
// once each. The ivr role sizes it (IVR_PASSWORD_STOCK). A caller arriving when the stock is empty
// gets a pair hashed for them there and then, as before. The pairs only ever live in this
// process's memory and are random and unassigned until taken.
import { generateTempPassword, hashPassword } from './credentials.js';

export interface TempCredentials {
  password: string;
  hash: string;
}

export interface TempCredentialStock {
  /** A fresh pair, ready now when the stock has one (then refilled in the background). */
  take(): Promise<TempCredentials>;
  /** Starts filling the stock up (idempotent); resolves when it is full. */
  prime(): Promise<void>;
  /** Pairs ready now. */
  ready(): number;
  /** How many pairs the stock keeps ready (filled up by the next take or prime). */
  resize(size: number): void;
}

async function makePair(ahead: boolean): Promise<TempCredentials> {
  const password = generateTempPassword();
  return { password, hash: await hashPassword(password, ahead) };
}

export function createTempCredentialStock(initialSize = 16, parallel = 1, refillDelayMs = 500): TempCredentialStock {
  let size = initialSize;
  const stock: TempCredentials[] = [];
  let filling = 0;
  let full: Promise<void> | null = null;
  let notifyFull: (() => void) | null = null;
  // After a failed hash, no background retries until the next take (no busy loop).
  let failed = false;
  const settle = () => {
    notifyFull?.();
    notifyFull = null;
    full = null;
  };

  function refill(): void {
    while (!failed && filling < parallel && stock.length + filling < size) {
      filling++;
      makePair(true)
        .then((pair) => stock.push(pair))
        .catch(() => {
          failed = true; // a caller then hashes on demand, where a failure is reported
        })
        .finally(() => {
          filling--;
          if (stock.length >= size || (failed && filling === 0)) settle();
          refill();
        });
    }
  }

  return {
    take() {
      failed = false;
      const pair = stock.shift();
      // Refilled a moment later, one hash at a time: the caller who took this pair is about to
      // commit and hear the confirmation, and argon2 on every core would be felt there.
      setTimeout(refill, refillDelayMs).unref();
      return pair ? Promise.resolve(pair) : makePair(false);
    },
    prime() {
      if (stock.length >= size) return Promise.resolve();
      full ??= new Promise<void>((resolve) => (notifyFull = resolve));
      refill();
      return full;
    },
    ready: () => stock.length,
    resize(n) {
      size = n;
      stock.splice(n);
    },
  };
}

/** The process's stock (the IVR role primes it when it starts). */
export const tempCredentials: TempCredentialStock = createTempCredentialStock();
