// A real SQLite file per test, migrated and seeded like production.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadConfig, type Config } from '../../src/config/index.js';
import { migrateDatabase, openDatabase, packageDbFolder, type Db } from '../../src/db/client.js';
import { createSyncContext, type SyncContext } from '../../src/sync/index.js';
import { loadSeed, type SeedFile } from '../../src/sync/seed.js';

export interface TestDb {
  dir: string;
  path: string;
  db: Db;
  config: Config;
  ctx: SyncContext;
  clock: { now: Date; set(iso: string): void; advance(ms: number): void };
  close(): void;
}

export function demoSeed(): SeedFile {
  return JSON.parse(readFileSync(resolve(packageDbFolder(), 'seed/demo.json'), 'utf8')) as SeedFile;
}

/** Monday 30 Nov 2026, 08:00 in Kolkata: the demo doctors' day has not begun. */
export const MONDAY_MORNING = '2026-11-30T08:00:00+05:30';

export function createTestDb(opts: { env?: Record<string, string>; seed?: SeedFile | null; at?: string } = {}): TestDb {
  const dir = mkdtempSync(join(tmpdir(), 'medq-test-'));
  const path = join(dir, 'medq.sqlite');
  const db = openDatabase(path);
  migrateDatabase(db);
  const config = loadConfig({ NODE_ENV: 'test', MEDQ_DB: path, LOG_LEVEL: 'silent', ...opts.env });
  const clock = {
    now: new Date(opts.at ?? MONDAY_MORNING),
    set(iso: string) {
      this.now = new Date(iso);
    },
    advance(ms: number) {
      this.now = new Date(this.now.getTime() + ms);
    },
  };
  const ctx = createSyncContext(db, config, () => clock.now);
  if (opts.seed !== null) loadSeed(ctx, opts.seed ?? demoSeed());
  return {
    dir,
    path,
    db,
    config,
    ctx,
    clock,
    close() {
      db.$client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** SQLite's plan for `sql` (parameters bound to NULL: the plan does not depend on them). */
export function plan(db: Db, sql: string): string {
  const n = (sql.match(/\?/g) ?? []).length;
  return (db.$client.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...Array(n).fill(null)) as { detail: string }[]).map((r) => r.detail).join(' | ');
}

/** Records the SQL the connection prepares until `stop()`. */
function watchPrepares(db: Db): { seen: string[]; stop: () => void } {
  const client = db.$client;
  const original = client.prepare;
  const seen: string[] = [];
  client.prepare = ((sql: string) => {
    seen.push(sql);
    return original.call(client, sql);
  }) as typeof client.prepare;
  return { seen, stop: () => void (client.prepare = original) };
}

/** The SQL the connection prepares while `run` runs. */
export function statementsOf(db: Db, run: () => unknown): string[] {
  const watch = watchPrepares(db);
  try {
    run();
  } finally {
    watch.stop();
  }
  return watch.seen;
}

/** statementsOf for work that goes on after a turn of the event loop (a group commit's booking). */
export async function statementsOfAsync(db: Db, run: () => Promise<unknown>): Promise<string[]> {
  const watch = watchPrepares(db);
  try {
    await run();
  } finally {
    watch.stop();
  }
  return watch.seen;
}
