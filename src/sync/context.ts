import type { CountryCode } from 'libphonenumber-js';
import type Database from 'better-sqlite3';
import { noteCommit } from '../db/checkpoint.js';
import type { Db } from '../db/client.js';
import { totalChanges } from './kept-reads.js';
import type { Fail } from './result.js';

/** What every sync use case needs: the database, the clinic-wide settings and a clock. */
export interface SyncContext {
  db: Db;
  region: CountryCode;
  brand: string;
  maxActiveAppointments: number;
  /** Key for the HMAC of one-time codes (derived from JWT_SECRET). */
  codeSecret: string;
  /** Key for the HMAC of new callers' temporary passwords (derived from JWT_SECRET; credentials.ts). */
  tempPasswordKey: string;
  /** OTP_SMS_PER_HOUR: code SMS the whole clinic may queue per hour (SMS pumping costs money). */
  otpSmsPerHour: number;
  /** SMS_COUNTRIES: countries a code SMS may go to. */
  smsCountries: ReadonlySet<CountryCode>;
  /** LANGUAGES: the IVR and SMS languages, the first the clinic default. */
  languages: readonly string[];
  now: () => Date;
}

export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

class Abort {
  constructor(readonly result: Fail) {}
}

/** Ends the transaction with nothing written and makes writeTx return this failure. */
export function abort(result: Fail): never {
  throw new Abort(result);
}

export interface WriteOptions {
  /**
   * false: the commit does not wait for the disk (synchronous=NORMAL for this transaction only).
   * Only for rows whose loss in a power cut harms no one: offer holds, which expire by themselves
   * within a minute. The next durable commit carries them to disk anyway (same WAL). Its fsync
   * would otherwise stall the IVR's event loop for every call's slot offer (issue 10).
   */
  durable?: boolean;
}

/**
 * The one way to write. BEGIN IMMEDIATE takes the write lock up front, so the checks a use case
 * makes inside the transaction still hold when it writes (no read-then-write race between processes).
 * The body must be synchronous: better-sqlite3 transactions cannot span an await.
 * A body that calls abort(failure) is rolled back, and the failure is returned as a value.
 */
export function writeTx<T>(ctx: Pick<SyncContext, 'db'>, body: (tx: Tx) => T, opts: WriteOptions = {}): T {
  const client = ctx.db.$client;
  const outermost = !client.inTransaction;
  if (!outermost) {
    const group = unguardedGroups.get(client);
    if (group) return unguardedWrite(ctx.db, group, body);
  }
  const light = opts.durable === false && outermost;
  const sync = light ? synchronousPragmas(client) : null;
  sync?.normal.run();
  try {
    return writeRunner(ctx.db).run.immediate(body) as T;
  } catch (e) {
    if (e instanceof Abort) return e.result as T;
    throw e;
  } finally {
    sync?.full.run();
    // The WAL grew (or an aborted write left it as it was): the checkpoint thread counts commits.
    if (outermost) noteCommit(client);
  }
}

const syncPragmas = new WeakMap<Database.Database, { normal: Database.Statement; full: Database.Statement }>();

/** Prepared once per connection: `db.pragma()` compiled the statement again for each slot offer (issue 10). */
function synchronousPragmas(client: Database.Database) {
  let p = syncPragmas.get(client);
  if (!p) {
    p = { normal: client.prepare('PRAGMA synchronous = NORMAL'), full: client.prepare('PRAGMA synchronous = FULL') };
    syncPragmas.set(client, p);
  }
  return p;
}

/** A group commit's first try at its writes, without a savepoint each (src/sync/group-commit.ts). */
export interface UnguardedGroup {
  /** A write failed after changing something, which only its savepoint could have undone. */
  spoilt: boolean;
}

const unguardedGroups = new WeakMap<Database.Database, UnguardedGroup>();

/**
 * Runs `run` with the connection's nested writes (a group commit's bodies) made without a
 * SAVEPOINT each. SQLite copies every page a savepoint's write touches into its journal first,
 * ~4 % of a grouped booking's CPU (issue 10), and nearly every booking either succeeds or is
 * refused before it writes: then there is nothing a savepoint would undo. One that fails after
 * writing marks the group spoilt; the group commit then rolls everything back and runs its
 * writes again, each in its own savepoint, before anyone hears an outcome.
 */
export function withoutSavepoints<T>(client: Database.Database, run: (group: UnguardedGroup) => T): T {
  const group: UnguardedGroup = { spoilt: false };
  unguardedGroups.set(client, group);
  try {
    return run(group);
  } finally {
    unguardedGroups.delete(client);
  }
}

function unguardedWrite<T>(db: Db, group: UnguardedGroup, body: (tx: Tx) => T): T {
  const before = totalChanges(db.$client);
  try {
    return body(writeRunner(db).tx);
  } catch (e) {
    // SQLite undid the failing statement itself; what the body wrote before it stays.
    if (totalChanges(db.$client) !== before) group.spoilt = true;
    if (e instanceof Abort) return e.result as T;
    throw e;
  }
}

/** A connection's write runner and the drizzle transaction object its bodies get. */
interface WriteRunner {
  run: Database.Transaction<(body: (tx: Tx) => unknown) => unknown>;
  tx: Tx;
}
const writeRunners = new WeakMap<Database.Database, WriteRunner>();

/**
 * What `db.transaction(body, { behavior: 'immediate' })` does, made once per connection: drizzle
 * made a transaction object (a whole query builder for the schema) and better-sqlite3 its wrapper
 * functions again for every write, ~5 % of a booking's CPU (issue 10). drizzle's object holds only
 * the connection's session, dialect and schema, so one serves every write on the connection; inside
 * another transaction (a group commit) better-sqlite3 runs the body as a SAVEPOINT, as before.
 */
function writeRunner(db: Db): WriteRunner {
  const client = db.$client;
  let runner = writeRunners.get(client);
  if (!runner) {
    let made: Tx | undefined;
    db.transaction((t) => {
      made = t;
    });
    const tx = made!;
    runner = { run: client.transaction((body: (tx: Tx) => unknown) => body(tx)), tx };
    writeRunners.set(client, runner);
  }
  return runner;
}

/**
 * Several reads as ONE read transaction (one WAL snapshot, one read lock) instead of one per
 * statement: the lock round trips were a large share of a slots request (issue 10), and the
 * answer is read from one consistent state. Inside a write transaction the body simply joins it.
 */
export function readTx<T>(ctx: Pick<SyncContext, 'db'>, body: () => T): T {
  const client = ctx.db.$client;
  if (client.inTransaction) return body();
  const s = readTxStatements(client);
  s.begin.run();
  try {
    const result = body();
    s.commit.run();
    return result;
  } catch (e) {
    if (client.inTransaction) s.rollback.run();
    throw e;
  }
}

type ReadTxStatements = Record<'begin' | 'commit' | 'rollback', Database.Statement>;
const readTxCache = new WeakMap<Database.Database, ReadTxStatements>();

/** Prepared once per connection: better-sqlite3 compiles a statement on every prepare() (a third of a slot list's time). */
function readTxStatements(client: Database.Database): ReadTxStatements {
  let s = readTxCache.get(client);
  if (!s) {
    s = { begin: client.prepare('BEGIN DEFERRED'), commit: client.prepare('COMMIT'), rollback: client.prepare('ROLLBACK') };
    readTxCache.set(client, s);
  }
  return s;
}
