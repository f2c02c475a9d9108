// SPEC §10 "Nothing kept longer than needed": a daily clean-up in one write transaction.
//
// What it removes, and why each line is safe for what is still needed:
// - verifications whose code expired 24 h ago or more (used, exhausted or abandoned): /verify
//   refuses them from the moment they expire, so nothing reads them afterwards; the per-phone code
//   limit counts the outbox, not this table.
// - secret SMS bodies (welcome, OTP) that never went out, once their validity has passed: an OTP
//   at its expires_at (its code no longer works), a welcome WELCOME_VALIDITY_MS after it was queued.
//   A queued one becomes `expired` (never sent late); one a worker is sending right now is left to
//   that worker (its lease ends it either way) and is caught by the next run.
// - confirmations and reminders still queued for an appointment whose time has passed, and queue
//   SMS ("your turn is near") still queued once the appointment's day is over (a clinic running
//   late may still call a token after its slot time, so those wait for the end of the day). They
//   become `expired` with the reason; their bodies hold no secret and stay as the record.
// - rate events older than the longest rate window, and offer holds past their expiry (neither
//   counts any more: every check filters by time; this only keeps the tables small).
//
// Several processes may run the job: the `retention` row of job_leases, read and written in the
// same BEGIN IMMEDIATE transaction as the work, makes a run at most once per RETENTION_EVERY_MS
// whichever process gets there first (the write lock serialises them, so no lease needs to be held).
import { and, eq, inArray, isNotNull, lt, lte, ne, sql } from 'drizzle-orm';
import { isPastSlot, localNow } from '../booking/slots.js';
import { appointments, clinics, doctors, jobLeases, rateEvents, slotHolds, smsOutbox, verifications, type SmsKind } from '../db/schema.js';
import type { Db } from '../db/client.js';
import { writeTx, type SyncContext } from './context.js';
import { RATE_EVENTS_KEPT_MS } from './rate-limit.js';
import { CODE_TTL_SECONDS } from './verification.js';

const HOUR = 60 * 60 * 1000;
export const RETENTION_JOB = 'retention';
export const RETENTION_EVERY_MS = 24 * HOUR;
/** Used and expired verifications are kept this long after their code expired (SPEC §10). */
export const VERIFICATION_KEPT_MS = 24 * HOUR;
/**
 * A welcome SMS (it carries the temporary password) not sent within 3 days is dropped and blanked:
 * SMSCs give up on a message after about that long too, and a password arriving days late is more
 * risk than help. The caller still gets in with a password reset by code, or at the desk.
 */
export const WELCOME_VALIDITY_MS = 72 * HOUR;

const SECRET_KINDS: SmsKind[] = ['welcome', 'otp'];
/** The WHERE of sms_outbox_secret_body_idx, word for word (src/db/schema.ts). */
const SECRET_UNBLANKED = sql`kind in ('welcome', 'otp') and body <> ''`;
/** Dropped once the appointment's time has passed. */
const UNTIL_SLOT_KINDS: SmsKind[] = ['confirmation', 'reminder'];
/** Dropped once the appointment's day is over (the queue may run late). */
const UNTIL_DAY_END_KINDS: SmsKind[] = ['queue_near'];

export interface RetentionCounts {
  verificationsDeleted: number;
  secretBodiesBlanked: number;
  secretSmsExpired: number;
  pastAppointmentSmsDropped: number;
  rateEventsDeleted: number;
  holdsDeleted: number;
}

export type RetentionRun = { ran: true; counts: RetentionCounts } | { ran: false; lastRunAt: number };

type RetentionContext = Pick<SyncContext, 'db' | 'now'>;

/**
 * Runs the clean-up if it is due (its last run, by any process, is RETENTION_EVERY_MS old, with a
 * little slack so an hourly check keeps a daily rhythm), or at once with `force`.
 */
export function runRetention(ctx: RetentionContext, owner: string, opts: { force?: boolean } = {}): RetentionRun {
  return writeTx(ctx, (tx): RetentionRun => {
    const now = ctx.now().getTime();
    const lease = tx.select().from(jobLeases).where(eq(jobLeases.name, RETENTION_JOB)).get();
    const last = lease?.lastRunAt ?? null;
    if (!opts.force && last !== null && now - last < RETENTION_EVERY_MS - 5 * 60 * 1000) return { ran: false, lastRunAt: last };

    const verificationsDeleted = tx.delete(verifications).where(lte(verifications.expiresAt, now - VERIFICATION_KEPT_MS)).run().changes;

    // When a secret message stops being valid: an OTP with its code, a welcome after WELCOME_VALIDITY_MS.
    const validityOver = sql`(CASE ${smsOutbox.kind}
      WHEN 'otp' THEN coalesce(${smsOutbox.expiresAt}, ${smsOutbox.createdAt} + ${CODE_TTL_SECONDS * 1000})
      ELSE ${smsOutbox.createdAt} + ${WELCOME_VALIDITY_MS} END) <= ${now}`;
    const secretSmsExpired = tx
      .update(smsOutbox)
      .set({ state: 'expired', body: '', lastError: 'dropped unsent: its validity passed' })
      .where(and(eq(smsOutbox.state, 'queued'), inArray(smsOutbox.kind, SECRET_KINDS), validityOver))
      .run().changes;
    // Sent, failed or expired ones the worker did not blank (older versions, a crash between steps).
    // The kinds and the empty body are written out, not bound: only then can SQLite prove the
    // partial index sms_outbox_secret_body_idx, which holds just these rows.
    const secretBodiesBlanked =
      secretSmsExpired +
      tx
        .update(smsOutbox)
        .set({ body: '' })
        .where(and(SECRET_UNBLANKED, ne(smsOutbox.state, 'queued'), ne(smsOutbox.state, 'sending'), validityOver))
        .run().changes;

    // Queued messages about an appointment: few rows (the outbox drains), each checked in its clinic's time.
    const queued = tx
      .select({ id: smsOutbox.id, kind: smsOutbox.kind, date: appointments.date, time: appointments.slotTime, tz: clinics.timezone })
      .from(smsOutbox)
      .innerJoin(appointments, eq(appointments.id, smsOutbox.appointmentId))
      .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
      .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
      .where(and(eq(smsOutbox.state, 'queued'), isNotNull(smsOutbox.appointmentId), inArray(smsOutbox.kind, [...UNTIL_SLOT_KINDS, ...UNTIL_DAY_END_KINDS])))
      .all();
    const nowDate = new Date(now);
    const past = queued
      .filter((r) =>
        UNTIL_SLOT_KINDS.includes(r.kind) ? isPastSlot(r.date, r.time, r.tz, nowDate) : r.date < localNow(r.tz, nowDate).date,
      )
      .map((r) => r.id);
    let pastAppointmentSmsDropped = 0;
    for (let i = 0; i < past.length; i += 500) {
      pastAppointmentSmsDropped += tx
        .update(smsOutbox)
        .set({ state: 'expired', lastError: 'dropped unsent: the appointment is already past' })
        .where(and(inArray(smsOutbox.id, past.slice(i, i + 500)), eq(smsOutbox.state, 'queued')))
        .run().changes;
    }

    const rateEventsDeleted = tx.delete(rateEvents).where(lt(rateEvents.at, now - RATE_EVENTS_KEPT_MS)).run().changes;
    const holdsDeleted = tx.delete(slotHolds).where(lte(slotHolds.expiresAt, now)).run().changes;

    tx.insert(jobLeases)
      .values({ name: RETENTION_JOB, owner, leasedUntil: now, lastRunAt: now })
      .onConflictDoUpdate({ target: jobLeases.name, set: { owner, leasedUntil: now, lastRunAt: now } })
      .run();
    return {
      ran: true,
      counts: { verificationsDeleted, secretBodiesBlanked, secretSmsExpired, pastAppointmentSmsDropped, rateEventsDeleted, holdsDeleted },
    };
  });
}

export interface RetentionSchedule {
  stop(): void;
}

interface RetentionLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

/**
 * Checks on start and then every `checkEveryMs` (default hourly) whether the daily run is due, and
 * runs it; one summary line per run, counts only. Started by the sms role: every working
 * installation runs one (it is what sends the SMS), and job_leases keeps several from repeating it.
 */
export function startRetentionSchedule(
  db: Db,
  log: RetentionLog,
  owner: string,
  opts: { checkEveryMs?: number; now?: () => Date } = {},
): RetentionSchedule {
  const ctx: RetentionContext = { db, now: opts.now ?? (() => new Date()) };
  const check = () => {
    try {
      const r = runRetention(ctx, owner);
      if (r.ran) log.info({ job: RETENTION_JOB, ...r.counts }, 'retention run');
    } catch (e) {
      // A busy or broken database: the next check tries again.
      log.error({ err: e, job: RETENTION_JOB }, 'retention run failed');
    }
  };
  const first = setTimeout(check, 0);
  const timer = setInterval(check, opts.checkEveryMs ?? HOUR);
  first.unref();
  timer.unref();
  return {
    stop() {
      clearTimeout(first);
      clearInterval(timer);
    },
  };
}
