import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as schema from './schema.js';

export type Db = BetterSQLite3Database<typeof schema> & { $client: Database.Database };

/** db/ at the package root, whether running from src/ (tests) or dist/src/ (built). */
export function packageDbFolder(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(resolve(dir, 'db/migrations'))) return resolve(dir, 'db');
    dir = dirname(dir);
  }
  throw new Error('db/migrations not found above ' + fileURLToPath(import.meta.url));
}

export function migrationsFolder(): string {
  return resolve(packageDbFolder(), 'migrations');
}

export function openDatabase(path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(resolve(path)), { recursive: true });
  const sqlite = new Database(path);
  sqlite.pragma('journal_mode = WAL');
  // FULL: with WAL, NORMAL may lose the last commits on power loss. A caller who heard
  // "confirmed" must find the booking after a power cut, and ~2,500 commits/s is plenty here.
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  // Several processes (api, ivr, sms) share the file; writers wait instead of failing at once.
  sqlite.pragma('busy_timeout = 10000');
  reuseStatements(sqlite);
  return drizzle(sqlite, { schema }) as Db;
}

/**
 * drizzle asks better-sqlite3 to prepare (compile) the SQL of every query it runs, again for each
 * run; SQLite's compile was a large share of the API's and the IVR's CPU (issue 10). The
 * connection keeps its compiled statements by SQL text instead (least recently used go past
 * `max`). A statement handed out again is put back in its default mode (drizzle switches reads to
 * raw rows); one that is busy (an iterator still open) is not shared: a fresh one is compiled.
 */
function reuseStatements(sqlite: Database.Database, max = 256): void {
  const compile = sqlite.prepare.bind(sqlite);
  const cache = new Map<string, Database.Statement>();
  sqlite.prepare = ((source: string) => {
    const hit = cache.get(source);
    if (hit && !hit.busy) {
      cache.delete(source);
      cache.set(source, hit);
      if (hit.reader) hit.raw(false).pluck(false).expand(false);
      return hit;
    }
    const stmt = compile(source);
    if (hit) return stmt;
    cache.set(source, stmt);
    if (cache.size > max) cache.delete(cache.keys().next().value!);
    return stmt;
  }) as typeof sqlite.prepare;
}

export function migrateDatabase(db: Db): void {
  migrate(db, { migrationsFolder: migrationsFolder() });
}
