// Shared pieces of the sms tests: a migrated SQLite file, a log capture, fast timings.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { asc } from 'drizzle-orm';
import { pino } from 'pino';
import { loadConfig, type Config } from '../../src/config/index.js';
import { migrateDatabase, openDatabase, type Db } from '../../src/db/client.js';
import { smsOutbox, smsParts } from '../../src/db/schema.js';
import type { SmsTuning } from '../../src/sms/index.js';
import { enqueueSms, type OutgoingSms } from '../../src/sync/outbox.js';
import type { Logger } from '../../src/shared/logger.js';

export interface TempDb {
  dir: string;
  path: string;
  db: Db;
  close(): void;
}

export function tempDb(): TempDb {
  const dir = mkdtempSync(join(tmpdir(), 'medq-sms-'));
  const path = join(dir, 'medq.sqlite');
  const db = openDatabase(path);
  migrateDatabase(db);
  return {
    dir,
    path,
    db,
    close() {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function smsConfig(env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', CLINIC_BRAND: 'MedQ', ...env });
}

/** Every log line the role writes, as text (JSON lines), at trace level. */
export function captureLogs(): { logger: Logger; lines: string[]; all(): string } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  return { logger: pino({ level: 'trace' }, sink), lines, all: () => lines.join('\n') };
}

/** Timings small enough for a test suite; the logic is the production one. */
export const FAST: Partial<SmsTuning> = {
  pollIntervalMs: 50,
  leaseMs: 2_000,
  retryBaseMs: 100,
  retryMaxMs: 400,
  responseTimeoutMs: 2_000,
  receiptRetryMs: 100,
  receiptRetries: 20,
  enquireLinkMs: 1_000,
  connectTimeoutMs: 2_000,
  reconnectBaseMs: 100,
  reconnectMaxMs: 800,
  throttlePauseMs: 50,
};

/** Writes a row the way the sync module does: inside a (write) transaction. */
export function enqueue(db: Db, sms: OutgoingSms, now = new Date()): number {
  return db.transaction((tx) => enqueueSms(tx, sms, now), { behavior: 'immediate' });
}

export function outbox(db: Db) {
  return db.select().from(smsOutbox).orderBy(asc(smsOutbox.id)).all();
}

export function parts(db: Db) {
  return db.select().from(smsParts).orderBy(asc(smsParts.id)).all();
}

export async function waitFor(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
