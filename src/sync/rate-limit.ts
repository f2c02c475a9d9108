// Rate-limit counters kept in SQLite (rate_events), so every api process sharing the database
// enforces one limit: an in-memory counter per process would multiply the limit by the process count.
// A bucket is a sliding window: an event counts for `windowMs` after it happened.
import { and, asc, eq, lt, lte, sql } from 'drizzle-orm';
import { rateEvents } from '../db/schema.js';
import { writeTx, type SyncContext } from './context.js';

export interface RateDecision {
  allowed: boolean;
  /** Events in the window, this one included when it was allowed. */
  count: number;
  /** Until the oldest event in the window drops out (when a refused caller may try again). */
  retryAfterMs: number;
  /** The event this call recorded (allowed calls only), for returnRateToken. */
  eventId?: number;
}

/** Events older than this are swept from every bucket now and then; no window here is longer. */
const SWEEP_AFTER_MS = 24 * 60 * 60 * 1000;
let callsSinceSweep = 0;

/**
 * Takes one token from a bucket if fewer than `max` were taken in the window, atomically (the
 * check and the insert share one write transaction). A refused call is not recorded, so a client
 * that keeps hammering is let in again as soon as its oldest allowed event leaves the window.
 */
export function takeRateToken(ctx: SyncContext, bucket: string, max: number, windowMs: number): RateDecision {
  return writeTx(ctx, (tx) => {
    const now = ctx.now().getTime();
    const since = now - windowMs;
    tx.delete(rateEvents)
      .where(and(eq(rateEvents.bucket, bucket), lte(rateEvents.at, since)))
      .run();
    if (++callsSinceSweep >= 500) {
      callsSinceSweep = 0;
      tx.delete(rateEvents).where(lt(rateEvents.at, now - SWEEP_AFTER_MS)).run();
    }
    const { n, oldest } = tx
      .select({ n: sql<number>`count(*)`, oldest: sql<number | null>`min(${rateEvents.at})` })
      .from(rateEvents)
      .where(eq(rateEvents.bucket, bucket))
      .get() ?? { n: 0, oldest: null };
    const retryAfterMs = Math.max(1000, (oldest ?? now) + windowMs - now);
    if (n >= max) return { allowed: false, count: n + 1, retryAfterMs };
    const { id } = tx.insert(rateEvents).values({ bucket, at: now }).returning({ id: rateEvents.id }).get();
    return { allowed: true, count: n + 1, retryAfterMs, eventId: id };
  });
}

/** The bucket's state without recording anything. */
export function peekRate(ctx: SyncContext, bucket: string, max: number, windowMs: number): RateDecision {
  const now = ctx.now().getTime();
  const rows = ctx.db
    .select({ at: rateEvents.at })
    .from(rateEvents)
    .where(and(eq(rateEvents.bucket, bucket), sql`${rateEvents.at} > ${now - windowMs}`))
    .orderBy(asc(rateEvents.at))
    .all();
  const oldest = rows[0]?.at ?? now;
  return { allowed: rows.length < max, count: rows.length, retryAfterMs: Math.max(1000, oldest + windowMs - now) };
}

/** Gives a token back: a login that turned out to succeed does not count as a failed one. */
export function returnRateToken(ctx: SyncContext, eventId: number): void {
  writeTx(ctx, (tx) => {
    tx.delete(rateEvents).where(eq(rateEvents.id, eventId)).run();
  });
}
