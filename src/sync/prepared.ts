// Prepared statements for the hot paths, made once per connection and shared by the database and
// every transaction on it (drizzle runs a transaction's queries on the database's own session).
// Building a drizzle query and its SQL again on every call was most of a booking's CPU (issue 10).
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
      for (const key of Object.keys(makers)) Object.defineProperty(lazy, key, { get: () => (ready[key] ??= makers[key]!(r)) });
      s = lazy as { readonly [K in keyof M]: ReturnType<M[K]> };
      made.set(session, s);
    }
    return s;
  };
}
