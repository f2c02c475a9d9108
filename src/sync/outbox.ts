// Writing an SMS is part of the business transaction that causes it; the sms role sends it later.
import { and, eq, gte, inArray, sql } from 'drizzle-orm';
import { smsOutbox, SMS_KINDS_BY_PHONE_SQL, type SmsKind, type SmsKindByPhone } from '../db/schema.js';
import type { Tx } from './context.js';
import type { Db } from '../db/client.js';
import { preparedStatements } from './prepared.js';

export interface OutgoingSms {
  kind: SmsKind;
  phone: string;
  body: string;
  /** The language `body` is written in (smsTextsFor(...).language); omitted: the clinic default. */
  language?: string;
  appointmentId?: number;
  verificationId?: string;
  /** Epoch ms after which the message must not be sent (OTP). */
  expiresAt?: number;
  /** At most one row per key (UNIQUE), e.g. "queue_near:<apptId>": check for it first in the same transaction. */
  dedupeKey?: string;
}

function outboxRow(sms: OutgoingSms, now: Date) {
  return {
    kind: sms.kind,
    phone: sms.phone,
    body: sms.body,
    language: sms.language ?? null,
    appointmentId: sms.appointmentId ?? null,
    verificationId: sms.verificationId ?? null,
    expiresAt: sms.expiresAt ?? null,
    dedupeKey: sms.dedupeKey ?? null,
    createdAt: now.getTime(),
    nextAttemptAt: now.getTime(),
  };
}

export function enqueueSms(tx: Tx, sms: OutgoingSms, now: Date): number {
  return statements(tx).insert.get(outboxRow(sms, now))!.id;
}

// The same insert as `tx.insert(smsOutbox).values(outboxRow(…))`, built once per connection: one
// placeholder per column outboxRow fills, so a column added there cannot be left out here.
const ROW_COLUMNS = Object.keys(outboxRow({ kind: 'sync', phone: '', body: '' }, new Date(0))) as (keyof ReturnType<typeof outboxRow>)[];
const statements = preparedStatements({
  insert: (r) =>
    r
      .insert(smsOutbox)
      .values(Object.fromEntries(ROW_COLUMNS.map((c) => [c, sql.placeholder(c)])) as unknown as typeof smsOutbox.$inferInsert)
      .returning({ id: smsOutbox.id })
      .prepare(),
});

export function countRecentSms(tx: Tx | Db, phone: string, kind: SmsKindByPhone, sinceMs: number): number {
  return (
    tx
      .select({ n: sql<number>`count(*)` })
      .from(smsOutbox)
      // The partial index's own condition, repeated so SQLite uses it (schema.ts).
      .where(and(eq(smsOutbox.phone, phone), eq(smsOutbox.kind, kind), SMS_KINDS_BY_PHONE_SQL, gte(smsOutbox.createdAt, sinceMs)))
      .get()?.n ?? 0
  );
}

/**
 * Queues a message at most once per `dedupeKey` (e.g. "reminder:42"), whoever tries: the unique
 * index on sms_outbox.dedupe_key lets exactly one of several processes insert it. Returns the new
 * row's id, or null when a row with that key already exists.
 */
export function enqueueSmsOnce(tx: Tx, sms: OutgoingSms, dedupeKey: string, now: Date): number | null {
  const row = tx
    .insert(smsOutbox)
    .values(outboxRow({ ...sms, dedupeKey }, now))
    // No conflict target: the dedupe index is partial (keyed rows only), and a target would need
    // its WHERE before DO NOTHING, which drizzle writes after it. The id is the only other unique
    // key, and a new row's id is always free.
    .onConflictDoNothing()
    .returning({ id: smsOutbox.id })
    .get();
  return row?.id ?? null;
}

/** medq_outbox_depth and medq_outbox_oldest_seconds: messages still waiting to go out. */
export function outboxGauges(db: Db, nowMs: number): { depth: number; oldestSeconds: number } {
  const row = db
    .select({ n: sql<number>`count(*)`, oldest: sql<number | null>`min(${smsOutbox.createdAt})` })
    .from(smsOutbox)
    .where(inArray(smsOutbox.state, ['queued', 'sending']))
    .get();
  const oldest = row?.oldest ?? null;
  return { depth: row?.n ?? 0, oldestSeconds: oldest === null ? 0 : Math.max(0, (nowMs - oldest) / 1000) };
}
