// Prepared statements for the hot paths, made once per connection and shared by the database and
// every transaction on it (drizzle runs a transaction's queries on the database's own session).
// Building a drizzle query and its SQL again on every call was most of a booking's CPU (issue 10).
import type Database from 'better-sqlite3';
import { Column, is, Param, Placeholder, SQL } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import type { Tx } from './context.js';

type Reader = Tx | Db;

/** The session a database and its transactions share (drizzle keeps it internal): one per connection. */
export function sessionOf(r: Reader): object {
  return (r as unknown as { session: object }).session;
}

/**
 * `const q = preparedStatements({ a: (r) => r.select()….prepare() })`, then `q(tx).a.get({…})`:
 * each statement is prepared on its first use on a connection, then reused.
 */
export function preparedStatements<M extends Record<string, (r: Reader) => unknown>>(makers: M): (r: Reader) => { readonly [K in keyof M]: ReturnType<M[K]> } {
  const made = new WeakMap<object, { readonly [K in keyof M]: ReturnType<M[K]> }>();
  return (r) => {
    const session = sessionOf(r);
    let s = made.get(session);
    if (s === undefined) {
      const ready: Record<string, unknown> = {};
      const lazy = {};
      for (const key of Object.keys(makers)) Object.defineProperty(lazy, key, { get: () => (ready[key] ??= lean(makers[key]!(r))) });
      s = lazy as { readonly [K in keyof M]: ReturnType<M[K]> };
      made.set(session, s);
    }
    return s;
  };
}

/** What lean() reads of drizzle's better-sqlite3 PreparedQuery (drizzle-orm/better-sqlite3/session.js). */
interface DrizzlePrepared {
  stmt: Database.Statement;
  query: { sql: string; params: unknown[] };
  fields?: Array<{ path: string[]; field: unknown }>;
  joinsNotNullableMap?: Record<string, boolean>;
  customResultMapper?: unknown;
}

type Decode = (value: unknown) => unknown;

/**
 * The same statement, run without drizzle's per-call work: drizzle binds each run's parameters and
 * maps each row by asking every parameter and column what it is (`is()`, a prototype walk) again
 * each time, ~10 % of a booking's CPU (issue 10, a --cpu-prof of 16 callers booking). Here that is
 * worked out once: the parameters become a list of placeholder names (with the column's encoder
 * where drizzle would apply it) and constants, the columns a list of keys and decoders, so a run is
 * the statement itself, the same SQL, values and rows as drizzle's. Queries whose rows drizzle may
 * null out (a left join) or maps itself (relational queries) are left to drizzle.
 */
function lean<T>(prepared: T): T {
  const q = prepared as unknown as DrizzlePrepared;
  if (typeof q !== 'object' || q === null || !('stmt' in q) || !('query' in q) || q.customResultMapper) return prepared;
  if (q.joinsNotNullableMap && Object.values(q.joinsNotNullableMap).some((notNull) => !notNull)) return prepared;
  const { stmt } = q;
  const bind = binder(q.query.params);
  const fields = q.fields;
  const toRow = fields ? rowMapper(fields) : null;
  const fast = Object.create(prepared as object) as Record<string, unknown>;
  fast.run = (values?: Record<string, unknown>) => stmt.run(...bind(values));
  if (toRow === null) {
    // No field list (sql`…` run as is): drizzle runs these as better-sqlite3 hands them out, in
    // object mode; the connection's statement cache may share this one with a raw-mode user.
    const objects = () => (stmt.reader ? stmt.raw(false) : stmt);
    fast.get = (values?: Record<string, unknown>) => objects().get(...bind(values));
    fast.all = (values?: Record<string, unknown>) => objects().all(...bind(values));
  } else {
    fast.get = (values?: Record<string, unknown>) => {
      const row = stmt.raw(true).get(...bind(values)) as unknown[] | undefined;
      return row === undefined ? undefined : toRow(row);
    };
    fast.all = (values?: Record<string, unknown>) => (stmt.raw(true).all(...bind(values)) as unknown[][]).map(toRow);
  }
  fast.values = (values?: Record<string, unknown>) => stmt.raw(true).all(...bind(values));
  return fast as T;
}

/** drizzle's fillPlaceholders, decided once per statement instead of once per parameter and run. */
function binder(params: unknown[]): (values?: Record<string, unknown>) => unknown[] {
  const names: Array<string | null> = [];
  const encoders: Array<((v: unknown) => unknown) | null> = [];
  const constants: unknown[] = [];
  for (const p of params) {
    if (is(p, Placeholder)) {
      names.push(p.name);
      encoders.push(null);
      constants.push(undefined);
    } else if (is(p, Param) && is(p.value, Placeholder)) {
      const encoder = p.encoder as { mapToDriverValue(v: unknown): unknown };
      names.push(p.value.name);
      encoders.push((v) => encoder.mapToDriverValue(v));
      constants.push(undefined);
    } else {
      names.push(null);
      encoders.push(null);
      constants.push(p);
    }
  }
  const n = params.length;
  return (values = {}) => {
    const out = new Array<unknown>(n);
    for (let i = 0; i < n; i++) {
      const name = names[i]!;
      if (name === null) {
        out[i] = constants[i];
        continue;
      }
      if (!(name in values)) throw new Error(`No value for placeholder "${name}" was provided`);
      const encode = encoders[i]!;
      out[i] = encode === null ? values[name] : encode(values[name]);
    }
    return out;
  };
}

/** drizzle's mapResultRow for a query whose joined tables are never nulled out. */
function rowMapper(fields: Array<{ path: string[]; field: unknown }>): (row: unknown[]) => Record<string, unknown> {
  const decoders: Decode[] = fields.map(({ field }) => decoderOf(field));
  const n = fields.length;
  if (fields.every((f) => f.path.length === 1)) {
    const keys = fields.map((f) => f.path[0]!);
    return (row) => {
      const out: Record<string, unknown> = {};
      for (let i = 0; i < n; i++) {
        const raw = row[i];
        out[keys[i]!] = raw === null ? null : decoders[i]!(raw);
      }
      return out;
    };
  }
  const paths = fields.map((f) => f.path);
  return (row) => {
    const out: Record<string, unknown> = {};
    for (let i = 0; i < n; i++) {
      const path = paths[i]!;
      let node = out;
      for (let j = 0; j < path.length - 1; j++) node = (node[path[j]!] ??= {}) as Record<string, unknown>;
      const raw = row[i];
      node[path[path.length - 1]!] = raw === null ? null : decoders[i]!(raw);
    }
    return out;
  };
}

function decoderOf(field: unknown): Decode {
  type Decoder = { mapFromDriverValue(v: unknown): unknown };
  let decoder: Decoder;
  if (is(field, Column)) decoder = field;
  else if (is(field, SQL)) decoder = (field as unknown as { decoder: Decoder }).decoder;
  else if (is(field, SQL.Aliased)) decoder = (field.sql as unknown as { decoder: Decoder }).decoder;
  else decoder = (field as { _: { sql: { decoder: Decoder } } })._.sql.decoder; // a subquery
  return (v) => decoder.mapFromDriverValue(v);
}
