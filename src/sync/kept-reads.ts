// Answers kept per connection while the database cannot have changed (issue 10). A web request's
// reads were each a statement with its own read lock; a patient's account and appointment list
// are the same between two page loads unless someone wrote. SQLite says whether anyone did:
// PRAGMA data_version moves when another connection (another process: the IVR, the SMS worker)
// commits, and total_changes() moves when this connection writes (or rolls a write back).
import type Database from 'better-sqlite3';
import type { SyncContext } from './context.js';

/** The database's state as far as kept answers go: equal versions, equal database. */
export interface DbVersion {
  dataVersion: number;
  changes: number;
}

interface VersionStatements {
  dataVersion: Database.Statement;
  changes: Database.Statement;
}
const versionStatements = new WeakMap<Database.Database, VersionStatements>();

/**
 * Two statements, not one: `PRAGMA data_version` (~5 µs, it takes the read lock) and
 * `SELECT total_changes()` (~0.1 µs, no table); reading both from pragma_data_version cost ~7.5 µs.
 * Inside a read transaction the first call belongs to its snapshot.
 */
export function dbVersion(client: Database.Database): DbVersion {
  const s = versionStatementsOf(client);
  return { dataVersion: s.dataVersion.get() as number, changes: s.changes.get() as number };
}

/** The rows this connection's statements changed since it opened (rolled-back ones too). */
export function totalChanges(client: Database.Database): number {
  return versionStatementsOf(client).changes.get() as number;
}

function versionStatementsOf(client: Database.Database): VersionStatements {
  let s = versionStatements.get(client);
  if (!s) {
    s = { dataVersion: client.prepare('PRAGMA data_version').pluck(), changes: client.prepare('SELECT total_changes()').pluck() };
    versionStatements.set(client, s);
  }
  return s;
}

export function sameVersion(a: DbVersion, b: DbVersion): boolean {
  return a.dataVersion === b.dataVersion && a.changes === b.changes;
}

/**
 * One kind of read (an account by id, an account's appointment list), kept per connection and key,
 * at most `max` keys per connection (the one kept longest goes first). An answer is given again only
 * while the database version is the one it was read at; inside a write transaction nothing is kept
 * or given (its writes may be rolled back, and total_changes() already counts them).
 * Kept answers are shared by every caller that gets them: they are frozen.
 */
export class KeptReads<K extends string | number, T> {
  private readonly perConnection = new WeakMap<Database.Database, Map<K, { value: T; version: DbVersion }>>();
  /** How many times the read ran on the database (tests show a kept answer was used). */
  computed = 0;

  constructor(private readonly max: number) {}

  read(ctx: Pick<SyncContext, 'db'>, key: K, compute: () => T): T {
    const client = ctx.db.$client;
    if (client.inTransaction) return compute();
    // Read before the answer: a commit landing between the two only makes the answer newer than
    // its version, and the next request then sees the version moved and reads again.
    const version = dbVersion(client);
    let kept = this.perConnection.get(client);
    if (!kept) {
      kept = new Map();
      this.perConnection.set(client, kept);
    }
    const k = kept.get(key);
    if (k && sameVersion(k.version, version)) return k.value;
    this.computed++;
    const value = deepFreeze(compute());
    if (k) kept.delete(key);
    else if (kept.size >= this.max) kept.delete(kept.keys().next().value!);
    kept.set(key, { value, version });
    return value;
  }
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
