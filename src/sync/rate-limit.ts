// Rate-limit counters kept in SQLite (rate_events), so every api process sharing the database
// enforces one limit: an in-memory counter per process would multiply the limit by the process count.
// A bucket is a sliding window: an event counts for `windowMs` after it happened.
import { and, asc, eq, inArray, lt, lte, sql } from 'drizzle-orm';
import { rateEvents } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { writeTx, type SyncContext, type Tx } from './context.js';

export interface RateDecision {
  allowed: boolean;
  /** Events in the window, this one included when it was allowed (of the fullest bucket when several). */
  count: number;
  /** Until the oldest event in the window drops out (when a refused caller may try again). */
  retryAfterMs: number;
  /** The event this call recorded (allowed calls only), for returnRateToken. */
  eventId?: number;
  /** Every event recorded (one per bucket; allowed calls only), for returnRateTokens. */
  eventIds?: number[];
  /** The bucket that refused (refused calls only). */
  refusedBy?: string;
}

export interface RateBucket {
  bucket: string;
  max: number;
  windowMs: number;
}

/**
 * How long rate events are kept: no window here is longer (the retention job and the sweep below
 * delete older ones). A new limit with a longer window must raise this.
 */
export const RATE_EVENTS_KEPT_MS = 24 * 60 * 60 * 1000;
let callsSinceSweep = 0;

/** The bucket's state inside a transaction: events in the window and when the oldest leaves it. */
function bucketState(tx: Tx, b: RateBucket, now: number): { n: number; retryAfterMs: number } {
  tx.delete(rateEvents)
    .where(and(eq(rateEvents.bucket, b.bucket), lte(rateEvents.at, now - b.windowMs)))
    .run();
  const { n, oldest } = tx
    .select({ n: sql<number>`count(*)`, oldest: sql<number | null>`min(${rateEvents.at})` })
    .from(rateEvents)
    .where(eq(rateEvents.bucket, b.bucket))
    .get() ?? { n: 0, oldest: null };
  return { n, retryAfterMs: Math.max(1000, (oldest ?? now) + b.windowMs - now) };
}

/**
 * Takes one token from every bucket if each has one left, or none at all, inside the caller's
 * write transaction (so the check and the insert cannot be split by another process).
 */
export function takeRateTokensInTx(tx: Tx, buckets: readonly RateBucket[], now: number): RateDecision {
  if (++callsSinceSweep >= 500) {
    callsSinceSweep = 0;
    tx.delete(rateEvents).where(lt(rateEvents.at, now - RATE_EVENTS_KEPT_MS)).run();
  }
  let count = 0;
  let retryAfterMs = 1000;
  for (const b of buckets) {
    const s = bucketState(tx, b, now);
    if (s.n >= b.max) return { allowed: false, count: s.n + 1, retryAfterMs: s.retryAfterMs, refusedBy: b.bucket };
    count = Math.max(count, s.n + 1);
    retryAfterMs = Math.max(retryAfterMs, s.retryAfterMs);
  }
  const eventIds = buckets.map(
    (b) => tx.insert(rateEvents).values({ bucket: b.bucket, at: now }).returning({ id: rateEvents.id }).get().id,
  );
  return { allowed: true, count, retryAfterMs, eventId: eventIds[0], eventIds };
}

/**
 * Takes one token from a bucket if fewer than `max` were taken in the window, atomically (the
 * check and the insert share one write transaction). A refused call is not recorded, so a client
 * that keeps hammering is let in again as soon as its oldest allowed event leaves the window.
 */
export function takeRateToken(ctx: SyncContext, bucket: string, max: number, windowMs: number): RateDecision {
  return takeRateTokens(ctx, [{ bucket, max, windowMs }]);
}

/** Several buckets at once, all or nothing (a log-in counts per account and per address). */
export function takeRateTokens(ctx: SyncContext, buckets: readonly RateBucket[]): RateDecision {
  return writeTx(ctx, (tx) => takeRateTokensInTx(tx, buckets, ctx.now().getTime()));
}

/** The bucket's state without recording anything. */
export function peekRate(ctx: SyncContext, bucket: string, max: number, windowMs: number): RateDecision {
  return peekRateIn(ctx.db, bucket, max, windowMs, ctx.now().getTime());
}

/** peekRate inside a transaction (or on the database), at a given time. */
export function peekRateIn(tx: Tx | Db, bucket: string, max: number, windowMs: number, now: number): RateDecision {
  const rows = tx
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
  returnRateTokens(ctx, [eventId]);
}

export function returnRateTokens(ctx: SyncContext, eventIds: readonly number[]): void {
  if (eventIds.length === 0) return;
  writeTx(ctx, (tx) => {
    tx.delete(rateEvents).where(inArray(rateEvents.id, [...eventIds])).run();
  });
}
