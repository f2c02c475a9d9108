// Appointment reminders (SPEC §7): one SMS per booked appointment REMINDER_HOURS before it.
// The sms role calls queueDueReminders every ~30 s. Each reminder row carries the dedupe key
// "reminder:<appointmentId>", so however many sms workers run, the unique index lets exactly one
// of them queue it, once. Not for a cancelled or past appointment, one booked less than
// REMINDER_HOURS before its time, or a phone that opted out (a later START lets a reminder that
// is still due go out).
import { and, between, eq, inArray, notExists, sql } from 'drizzle-orm';
import { appointments, clinics, doctors, smsOptOuts, smsOutbox, type SmsState } from '../db/schema.js';
import { slotInstant } from '../booking/slots.js';
import type { Db } from '../db/client.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import { enqueueSmsOnce } from './outbox.js';
import { textsForPhone } from './sms-language.js';

const HOUR_MS = 3_600_000;

export interface ReminderSettings {
  /** REMINDER_HOURS; 0 = no reminders. */
  reminderHours: number;
  /** SMS_REPLY_NUMBER is set: replies reach MedQ, so the text says "Reply C to cancel". */
  repliesReachUs: boolean;
}

export const reminderKey = (appointmentId: number) => `reminder:${appointmentId}`;

interface Candidate {
  id: number;
  date: string;
  time: string;
  token: string;
  phone: string;
  createdAt: string;
  doctorName: string;
  timezone: string;
  publicPhone: string | null;
}

/** UTC calendar date of an instant: the scan window is widened by a day on each side for zones. */
const utcDate = (ms: number) => new Date(ms).toISOString().slice(0, 10);

function candidates(db: Tx | Db, now: number, hours: number): Candidate[] {
  return db
    .select({
      id: appointments.id,
      date: appointments.date,
      time: appointments.slotTime,
      token: appointments.tokenNumber,
      phone: appointments.personPhone,
      createdAt: appointments.createdAt,
      doctorName: doctors.name,
      timezone: clinics.timezone,
      publicPhone: clinics.publicPhone,
    })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
    .where(
      and(
        // appointments_date_idx: only the days that can hold a due reminder are read.
        between(appointments.date, utcDate(now - 24 * HOUR_MS), utcDate(now + (hours + 24) * HOUR_MS)),
        eq(appointments.status, 'booked'),
        notExists(
          db.select({ one: sql`1` }).from(smsOutbox).where(eq(smsOutbox.dedupeKey, sql`'reminder:' || ${appointments.id}`)),
        ),
        notExists(db.select({ one: sql`1` }).from(smsOptOuts).where(eq(smsOptOuts.phone, appointments.personPhone))),
      ),
    )
    .all();
}

/** Due now: its reminder moment has come, the appointment has not, and it was booked in time for one. */
function isDue(c: Candidate, now: number, hours: number): boolean {
  const at = slotInstant(c.date, c.time, c.timezone).getTime();
  const remindAt = at - hours * HOUR_MS;
  if (now < remindAt || now >= at) return false;
  const bookedAt = Date.parse(c.createdAt);
  return Number.isNaN(bookedAt) || bookedAt <= remindAt;
}

export interface ReminderRun {
  /** Reminders this call queued (0 when another worker was first). */
  queued: number;
  appointmentIds: number[];
}

/**
 * Queues every reminder that is due now, in one write transaction. A cheap read first keeps idle
 * runs from taking the write lock; inside the transaction the scan is repeated, so what it saw is
 * what it writes.
 */
export function queueDueReminders(ctx: SyncContext, settings: ReminderSettings): ReminderRun {
  const hours = settings.reminderHours;
  if (hours <= 0) return { queued: 0, appointmentIds: [] };
  const now = ctx.now();
  const nowMs = now.getTime();
  if (!candidates(ctx.db, nowMs, hours).some((c) => isDue(c, nowMs, hours))) return { queued: 0, appointmentIds: [] };
  return writeTx(ctx, (tx) => {
    const ids: number[] = [];
    for (const c of candidates(tx, nowMs, hours)) {
      if (!isDue(c, nowMs, hours)) continue;
      const replyTo = settings.repliesReachUs
        ? ({ kind: 'reply' } as const)
        : c.publicPhone
          ? ({ kind: 'call', phone: c.publicPhone } as const)
          : null;
      const texts = textsForPhone(tx, ctx, c.phone);
      const body = texts.reminder(ctx.brand, { doctorName: c.doctorName, date: c.date, time: c.time, token: c.token }, replyTo);
      const id = enqueueSmsOnce(tx, { kind: 'reminder', phone: c.phone, body, appointmentId: c.id, language: texts.language }, reminderKey(c.id), now);
      if (id !== null) ids.push(c.id);
    }
    return { queued: ids.length, appointmentIds: ids };
  });
}

/** The reminder state of each appointment that has a reminder row (for the staff day list). */
export function reminderStates(ctx: SyncContext, appointmentIds: readonly number[]): Map<number, SmsState> {
  const out = new Map<number, SmsState>();
  if (appointmentIds.length === 0) return out;
  const keys = appointmentIds.map(reminderKey);
  for (let i = 0; i < keys.length; i += 500) {
    const rows = ctx.db
      .select({ key: smsOutbox.dedupeKey, state: smsOutbox.state })
      .from(smsOutbox)
      .where(inArray(smsOutbox.dedupeKey, keys.slice(i, i + 500)))
      .all();
    for (const r of rows) out.set(Number(r.key!.slice('reminder:'.length)), r.state);
  }
  return out;
}

/**
 * Reminders still waiting in the outbox whose reason has gone: the appointment was cancelled (or
 * is no longer booked), its time has passed, or the phone opted out meanwhile. They are marked
 * 'expired' and never sent. A reminder already being sent is left to go.
 */
export function dropStaleReminders(ctx: SyncContext): number {
  const nowDate = ctx.now();
  const stale = (db: Tx | Db) =>
    db
      .select({
        id: smsOutbox.id,
        status: appointments.status,
        date: appointments.date,
        time: appointments.slotTime,
        timezone: clinics.timezone,
        optedOut: smsOptOuts.phone,
      })
      .from(smsOutbox)
      .innerJoin(appointments, eq(appointments.id, smsOutbox.appointmentId))
      .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
      .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
      .leftJoin(smsOptOuts, eq(smsOptOuts.phone, smsOutbox.phone))
      .where(and(eq(smsOutbox.state, 'queued'), eq(smsOutbox.kind, 'reminder')))
      .all()
      .filter((r) => r.status !== 'booked' || r.optedOut !== null || slotInstant(r.date, r.time, r.timezone).getTime() <= nowDate.getTime())
      .map((r) => r.id);
  if (stale(ctx.db).length === 0) return 0;
  return writeTx(ctx, (tx) => {
    const ids = stale(tx);
    if (ids.length === 0) return 0;
    return tx
      .update(smsOutbox)
      .set({ state: 'expired', lastError: 'not sent: the appointment was cancelled or is past, or the phone opted out' })
      .where(and(inArray(smsOutbox.id, ids), eq(smsOutbox.state, 'queued')))
      .run().changes;
  });
}
