import Database from 'better-sqlite3';
import { drizzle, type BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
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
  // A group commit runs each booking as a SAVEPOINT; SQLite journals the pages a savepoint may
  // restore, and past 64 KiB that went to a temp file on disk: a grouped booking's inserts were
  // 4–5× a lone one's (issue 10). In memory it is at most a group's pages (≤ 64 bookings, ~4 MB).
  sqlite.pragma('temp_store = MEMORY');
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

interface JournalEntry {
  idx: number;
  when: number;
  tag: string;
}

let journalCache: JournalEntry[] | null = null;
function journal(): JournalEntry[] {
  journalCache ??= (JSON.parse(readFileSync(resolve(migrationsFolder(), 'meta/_journal.json'), 'utf8')) as { entries: JournalEntry[] }).entries;
  return journalCache;
}

/** The schema version this code is written for: the number of migrations it ships. */
export function codeSchemaVersion(): number {
  return journal().length;
}

/** A database migrated by a newer MedQ: this code must not run on it (it would misread new columns). */
export class SchemaTooNewError extends Error {
  constructor(readonly databaseVersion: number, readonly codeVersion: number) {
    super(
      `the database schema (version ${databaseVersion}) is newer than this MedQ (schema version ${codeVersion}); ` +
        'run the MedQ release that migrated it, or restore a backup made for this one',
    );
    this.name = 'SchemaTooNewError';
  }
}

/**
 * The database's schema version: how many migrations it has applied (drizzle's own table). A
 * migration the code does not know (applied by a newer release) counts too.
 */
export function databaseSchemaVersion(db: Db): { version: number; unknownToCode: number } {
  const sqlite = db.$client;
  const hasTable = sqlite.prepare(`select 1 from sqlite_master where type = 'table' and name = '__drizzle_migrations'`).get();
  if (!hasTable) return { version: 0, unknownToCode: 0 };
  const rows = sqlite.prepare('select created_at as createdAt from __drizzle_migrations').all() as Array<{ createdAt: number | string }>;
  const lastKnown = journal().at(-1)?.when ?? 0;
  return { version: rows.length, unknownToCode: rows.filter((r) => Number(r.createdAt) > lastKnown).length };
}

/** Refuses (throws SchemaTooNewError) a database whose schema is newer than this code. */
export function assertSchemaNotNewer(db: Db): void {
  const { version, unknownToCode } = databaseSchemaVersion(db);
  if (unknownToCode > 0) throw new SchemaTooNewError(version, codeSchemaVersion());
}

/** Migrations this code ships that the database has not applied yet. */
export function pendingMigrations(db: Db): number {
  const { version, unknownToCode } = databaseSchemaVersion(db);
  return Math.max(0, codeSchemaVersion() - (version - unknownToCode));
}

/**
 * MEDQ_MIGRATE=on: several processes may start at once on one file. drizzle's migrator runs in
 * one (deferred) transaction and re-reads what is applied inside it, so a process that loses the
 * race for the write lock (SQLITE_BUSY) simply tries again and then finds nothing left to do.
 */
export async function migrateUnderLock(db: Db, attempts = 50): Promise<void> {
  for (let i = 1; ; i++) {
    try {
      migrateDatabase(db);
      return;
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (!code.startsWith('SQLITE_BUSY') || i >= attempts) throw e;
      await new Promise((r) => setTimeout(r, 50 + Math.random() * 150));
    }
  }
}

export function migrateDatabase(db: Db): void {
  // Migrating a newer schema with older code would be a silent no-op followed by misreads: refuse.
  assertSchemaNotNewer(db);
  migrate(db, { migrationsFolder: migrationsFolder() });
}
