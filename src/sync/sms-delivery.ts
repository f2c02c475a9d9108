// Every database statement of the sms role's outbox worker (src/sms/worker.ts), here with every
// other query of MedQ so a second SQL dialect comes in one place. It writes sms_outbox delivery-state columns and
// sms_parts, nothing else. All functions are synchronous (better-sqlite3).
//
// Ownership of a row: a claim sets state='sending' and claimed_by=<claim token>. Every later
// write for that send is conditional on `state='sending' AND claimed_by=<token>`, so a worker that
// lost its claim (lease expired) cannot overwrite what the new owner does.
import { and, asc, desc, eq, gt, inArray, isNotNull, lte, notInArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { noteCommit } from '../db/checkpoint.js';
import { preparedStatements } from './prepared.js';
import type { Tx } from './context.js';
import { smsOutbox, smsParts, type SmsKind, type SmsState } from '../db/schema.js';
import { messageIdCandidates, canonicalMessageId, type Receipt } from '../sms/receipts.js';
import { SECRET_SMS_KINDS } from '../sms/texts.js';

export interface ClaimedRow {
  id: number;
  kind: SmsKind;
  phone: string;
  body: string;
  /** The language of the body (null: the clinic default). */
  language: string | null;
  attempts: number;
  expiresAt: number | null;
}

const secretKinds = [...SECRET_SMS_KINDS];
/** The body, or '' for welcome/OTP: used in every update that ends a send. */
const bodyUnlessSecret = sql`CASE WHEN ${smsOutbox.kind} IN (${sql.join(
  secretKinds.map((k) => sql`${k}`),
  sql`, `,
)}) THEN '' ELSE ${smsOutbox.body} END`;

const owned = (id: number, token: string) =>
  and(eq(smsOutbox.id, id), eq(smsOutbox.state, 'sending'), eq(smsOutbox.claimedBy, token));

/**
 * Claims up to `limit` due rows for `token` in ONE statement. SQLite runs it under the write lock
 * with a consistent snapshot, so two workers (processes) can never both move the same row from
 * 'queued' to 'sending'. A cheap read first keeps idle workers from taking the write lock.
 */
export function claimDue(db: Db, token: string, now: number, limit: number): ClaimedRow[] {
  if (limit <= 0) return [];
  const q = statements(db);
  if (!q.anyDue.get({ now })) return [];
  const claimed = q.claim.all({ token, now, limit }).sort((a, b) => a.id - b.id);
  // A pass of the worker is a commit (or part of one): the checkpoint thread counts them.
  if (claimed.length > 0) noteCommit(db.$client);
  return claimed;
}

/** Renews the lease of the rows this worker is sending right now (ids in flight, still its own). */
export function renewLeases(db: Db, workerId: string, ids: number[], now: number): number {
  if (ids.length === 0) return 0;
  const prefix = `${workerId}#`;
  return db
    .update(smsOutbox)
    .set({ claimedAt: now })
    .where(
      and(
        inArray(smsOutbox.id, ids),
        eq(smsOutbox.state, 'sending'),
        sql`substr(${smsOutbox.claimedBy}, 1, ${prefix.length}) = ${prefix}`,
      ),
    )
    .run().changes;
}

export interface Reclaimed {
  id: number;
  kind: SmsKind;
  phone: string;
  state: SmsState;
  lastError: string | null;
}

/**
 * Rows left 'sending' by a worker that stopped renewing its lease (crashed, killed, frozen) go back
 * to 'queued' — once per lapse, because the conditional UPDATE moves each row exactly once — with
 * an attempt counted, so a message that kills every worker that touches it ends 'failed'.
 */
export function reclaimExpiredLeases(
  db: Db,
  inFlight: number[],
  now: number,
  leaseMs: number,
  maxAttempts: number,
): Reclaimed[] {
  const stale = and(
    eq(smsOutbox.state, 'sending'),
    lte(smsOutbox.claimedAt, now - leaseMs),
    // Never our own rows in flight (their lease was renewed a moment ago anyway).
    inFlight.length > 0 ? notInArray(smsOutbox.id, inFlight) : undefined,
  );
  if (!db.select({ id: smsOutbox.id }).from(smsOutbox).where(stale).limit(1).get()) return [];
  return db
    .update(smsOutbox)
    .set({
      state: sql`CASE WHEN ${smsOutbox.attempts} + 1 >= ${maxAttempts} THEN 'failed' ELSE 'queued' END`,
      body: sql`CASE WHEN ${smsOutbox.attempts} + 1 >= ${maxAttempts} THEN ${bodyUnlessSecret} ELSE ${smsOutbox.body} END`,
      attempts: sql`${smsOutbox.attempts} + 1`,
      nextAttemptAt: now,
      lastError: sql`'lease expired: ' || coalesce(${smsOutbox.claimedBy}, '?') || ' stopped while sending'`,
      claimedBy: null,
      claimedAt: null,
    })
    .where(stale)
    .returning({
      id: smsOutbox.id,
      kind: smsOutbox.kind,
      phone: smsOutbox.phone,
      state: smsOutbox.state,
      lastError: smsOutbox.lastError,
    })
    .all();
}

export interface ExpiredRow {
  id: number;
  kind: SmsKind;
  phone: string;
}

/** Queued messages (OTP) whose code has expired: never sent late; the code is blanked. */
export function expireOverdue(db: Db, now: number): ExpiredRow[] {
  const overdue = and(eq(smsOutbox.state, 'queued'), isNotNull(smsOutbox.expiresAt), lte(smsOutbox.expiresAt, now));
  // Asked on every pass: the cheap read is prepared once.
  if (!statements(db).anyOverdue.get({ now })) return [];
  return db
    .update(smsOutbox)
    .set({ state: 'expired', body: bodyUnlessSecret, lastError: 'expired before it could be sent' })
    .where(overdue)
    .returning({ id: smsOutbox.id, kind: smsOutbox.kind, phone: smsOutbox.phone })
    .all();
}

/** A claimed row that expired while waiting for the link or the window. */
export function expireClaimed(db: Db, id: number, token: string): boolean {
  return (
    db
      .update(smsOutbox)
      .set({ state: 'expired', body: bodyUnlessSecret, lastError: 'expired before it could be sent' })
      .where(owned(id, token))
      .run().changes === 1
  );
}

/** Parts of this message the SMSC accepted in an earlier attempt (not sent again). */
export function acceptedParts(db: Db, outboxId: number): Map<number, string> {
  const rows = statements(db).acceptedParts.all({ outboxId });
  return new Map(rows.map((r) => [r.partNo, r.messageId]));
}

/** Stored at once when the SMSC accepts a part, so its receipt can be matched even mid-message. */
export function recordPart(db: Db, outboxId: number, partNo: number, messageId: string): void {
  db.insert(smsParts).values({ outboxId, partNo, messageId: canonicalMessageId(messageId) }).run();
}

type PartState = 'sent' | 'delivered' | 'failed';

/** A message is delivered when every part is, failed when any part failed. */
function messageStateFromParts(parts: { partNo: number; state: PartState }[]): PartState {
  const byPart = new Map<number, PartState[]>();
  for (const p of parts) byPart.set(p.partNo, [...(byPart.get(p.partNo) ?? []), p.state]);
  let allDelivered = byPart.size > 0;
  for (const states of byPart.values()) {
    if (states.includes('delivered')) continue;
    allDelivered = false;
    if (states.every((s) => s === 'failed')) return 'failed';
  }
  return allDelivered ? 'delivered' : 'sent';
}

function partsOf(db: Db | Tx, outboxId: number) {
  return statements(db).partsOf.all({ outboxId });
}

/**
 * The SMSC accepted every part: record the last part(s) and move the row to 'sent' (or straight to
 * delivered/failed if receipts came first), keeping the SMSC ids and blanking a welcome/OTP body,
 * in one transaction. false = this worker no longer owns the row (its lease lapsed).
 */
export function markSent(
  db: Db,
  id: number,
  token: string,
  newParts: { partNo: number; messageId: string }[],
  allMessageIds: string[],
  now: number,
): { owned: boolean; state: PartState } {
  return db.transaction(
    (tx) => {
      const q = statements(tx);
      const row = q.owned.get({ id, token });
      if (!row) return { owned: false, state: 'sent' as PartState };
      for (const p of newParts) q.insertPart.run({ outboxId: id, partNo: p.partNo, messageId: canonicalMessageId(p.messageId) });
      const state = messageStateFromParts(partsOf(tx, id));
      q.markSent.run({
        id,
        token,
        state,
        messageIds: JSON.stringify(allMessageIds),
        sentAt: now,
        deliveredAt: state === 'delivered' ? now : null,
        lastError: state === 'failed' ? 'delivery receipt: failed' : null,
      });
      return { owned: true, state };
    },
    { behavior: 'immediate' },
  );
}

/** Back to 'queued' for a later try. countAttempt=false for "not bound / link lost" (not the message's fault). */
export function requeue(
  db: Db,
  id: number,
  token: string,
  o: { countAttempt: boolean; nextAttemptAt: number; lastError: string },
): boolean {
  return (
    db
      .update(smsOutbox)
      .set({
        state: 'queued',
        attempts: o.countAttempt ? sql`${smsOutbox.attempts} + 1` : smsOutbox.attempts,
        nextAttemptAt: o.nextAttemptAt,
        lastError: o.lastError,
        claimedBy: null,
        claimedAt: null,
      })
      .where(owned(id, token))
      .run().changes === 1
  );
}

/** Permanent failure: the reason (an SMPP status name) in last_error; a secret body is blanked. */
export function markFailed(db: Db, id: number, token: string, lastError: string, countAttempt: boolean): boolean {
  return (
    db
      .update(smsOutbox)
      .set({
        state: 'failed',
        body: bodyUnlessSecret,
        attempts: countAttempt ? sql`${smsOutbox.attempts} + 1` : smsOutbox.attempts,
        lastError,
      })
      .where(owned(id, token))
      .run().changes === 1
  );
}

export interface ReceiptResult {
  matched: boolean;
  outboxId?: number;
  kind?: SmsKind;
  phone?: string;
  /** The message's state after the receipt. */
  state?: SmsState;
}

/**
 * Applies a delivery receipt: finds the part by its SMSC id (exact id first, then the hex/decimal
 * conversion), records the part's fate, and moves a 'sent' message to delivered/failed when its
 * parts say so. A receipt for a message still 'sending' only marks the part; markSent then decides.
 */
export function applyReceipt(db: Db, receipt: Receipt, now: number): ReceiptResult {
  if (receipt.outcome === 'pending') {
    return { matched: findPart(db, receipt.messageId) !== undefined };
  }
  return db.transaction(
    (tx) => {
      const part = findPart(tx, receipt.messageId);
      if (!part) return { matched: false };
      tx.update(smsParts).set({ state: receipt.outcome as PartState }).where(eq(smsParts.id, part.id)).run();
      const row = tx
        .select({ state: smsOutbox.state, kind: smsOutbox.kind, phone: smsOutbox.phone })
        .from(smsOutbox)
        .where(eq(smsOutbox.id, part.outboxId))
        .get();
      if (!row) return { matched: true, outboxId: part.outboxId };
      let state: SmsState = row.state;
      if (row.state === 'sent') {
        const next = messageStateFromParts(partsOf(tx, part.outboxId));
        if (next !== 'sent') {
          state = next;
          tx.update(smsOutbox)
            .set(
              next === 'delivered'
                ? { state: next, deliveredAt: now }
                : { state: next, lastError: `delivery receipt: ${receipt.stat}${receipt.err ? ` err:${receipt.err}` : ''}` },
            )
            .where(and(eq(smsOutbox.id, part.outboxId), eq(smsOutbox.state, 'sent')))
            .run();
        }
      }
      return { matched: true, outboxId: part.outboxId, kind: row.kind, phone: row.phone, state };
    },
    { behavior: 'immediate' },
  );
}

function findPart(db: Pick<Db, 'select'>, messageId: string): { id: number; outboxId: number } | undefined {
  for (const candidate of messageIdCandidates(messageId)) {
    const hit = db
      .select({ id: smsParts.id, outboxId: smsParts.outboxId })
      .from(smsParts)
      .where(eq(smsParts.messageId, candidate))
      .orderBy(desc(smsParts.id))
      .limit(1)
      .get();
    if (hit) return hit;
  }
  return undefined;
}

export interface QueuedNotice {
  id: number;
  kind: SmsKind;
  phone: string;
  body: string;
}

/** Queued rows newer than `afterId` (for logging when no SMPP_URL is set). */
export function queuedAfter(db: Db, afterId: number, limit = 500): QueuedNotice[] {
  return db
    .select({ id: smsOutbox.id, kind: smsOutbox.kind, phone: smsOutbox.phone, body: smsOutbox.body })
    .from(smsOutbox)
    .where(and(eq(smsOutbox.state, 'queued'), gt(smsOutbox.id, afterId)))
    .orderBy(asc(smsOutbox.id))
    .limit(limit)
    .all();
}

// The statements of every message's path (claim, record, parts), prepared once per connection:
// building them with drizzle on each call was a large share of the worker's CPU (issue 10).
const p = sql.placeholder;
const due = and(eq(smsOutbox.state, 'queued'), lte(smsOutbox.nextAttemptAt, p('now')), sql`(${smsOutbox.expiresAt} IS NULL OR ${smsOutbox.expiresAt} > ${p('now')})`);
const ownedBy = and(eq(smsOutbox.id, p('id')), eq(smsOutbox.state, 'sending'), eq(smsOutbox.claimedBy, p('token')));
const statements = preparedStatements({
  anyDue: (r) => r.select({ id: smsOutbox.id }).from(smsOutbox).where(due).limit(1).prepare(),
  claim: (r) =>
    r
      .update(smsOutbox)
      .set({ state: 'sending', claimedBy: sql`${p('token')}`, claimedAt: sql`${p('now')}` })
      .where(
        and(
          inArray(smsOutbox.id, r.select({ id: smsOutbox.id }).from(smsOutbox).where(due).orderBy(asc(smsOutbox.nextAttemptAt), asc(smsOutbox.id)).limit(p('limit'))),
          // Unary + keeps SQLite from answering this term with the state index: the rows are
          // found by id, not by a scan of every queued row for each claim (issue 10).
          sql`+${smsOutbox.state} = 'queued'`,
        ),
      )
      .returning({
        id: smsOutbox.id,
        kind: smsOutbox.kind,
        phone: smsOutbox.phone,
        body: smsOutbox.body,
        language: smsOutbox.language,
        attempts: smsOutbox.attempts,
        expiresAt: smsOutbox.expiresAt,
      })
      .prepare(),
  anyOverdue: (r) =>
    r
      .select({ id: smsOutbox.id })
      .from(smsOutbox)
      .where(and(eq(smsOutbox.state, 'queued'), isNotNull(smsOutbox.expiresAt), lte(smsOutbox.expiresAt, p('now'))))
      .limit(1)
      .prepare(),
  acceptedParts: (r) =>
    r.select({ partNo: smsParts.partNo, messageId: smsParts.messageId }).from(smsParts).where(eq(smsParts.outboxId, p('outboxId'))).orderBy(asc(smsParts.id)).prepare(),
  partsOf: (r) => r.select({ partNo: smsParts.partNo, state: smsParts.state }).from(smsParts).where(eq(smsParts.outboxId, p('outboxId'))).prepare(),
  owned: (r) => r.select({ id: smsOutbox.id }).from(smsOutbox).where(ownedBy).prepare(),
  insertPart: (r) => r.insert(smsParts).values({ outboxId: p('outboxId'), partNo: p('partNo'), messageId: p('messageId') }).prepare(),
  markSent: (r) =>
    r
      .update(smsOutbox)
      .set({
        state: sql`${p('state')}`,
        body: bodyUnlessSecret,
        messageIds: sql`${p('messageIds')}`,
        sentAt: sql`${p('sentAt')}`,
        deliveredAt: sql`${p('deliveredAt')}`,
        lastError: sql`${p('lastError')}`,
      })
      .where(ownedBy)
      .prepare(),
});
