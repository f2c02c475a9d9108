// The token queue of SPEC §11: per doctor and day (the clinic's calendar), the token now served.
// Reception moves it with *call next* (or calls a skipped token by name) and marks arrivals; the
// waiting-room screen, the IVR and the "queue near" SMS read it. Every change is one write
// transaction that also bumps queue_state.updated_at, the one column other api processes poll.
import { and, asc, eq, inArray, max, sql } from 'drizzle-orm';
import { appointments, clinics, LIVE_APPOINTMENT_STATUSES, queueState, smsOptOuts, smsOutbox } from '../db/schema.js';
import { localNow } from '../booking/slots.js';
import { loadDoctor } from './availability.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import type { Db } from '../db/client.js';
import { enqueueSms } from './outbox.js';
import { textsForPhone } from './sms-language.js';
import { activeDoctors, appointmentById, type AppointmentView } from './queries.js';
import { fail, ok, type Result } from './result.js';

type Reader = Tx | Db;
type AppointmentRow = typeof appointments.$inferSelect;

/** The "queue near" SMS goes out when this many patients or fewer are before a token. */
export const QUEUE_NEAR_BEFORE = 2;

/** The number in a token ("S-12" → 12); tokens are ordered by it. Unparseable tokens sort last. */
export function tokenOrdinal(token: string): number {
  const m = /(\d+)\s*$/.exec(token);
  return m ? Number(m[1]) : Number.MAX_SAFE_INTEGER;
}

const isLive = (a: AppointmentRow) => (LIVE_APPOINTMENT_STATUSES as readonly string[]).includes(a.status);

function byToken(a: AppointmentRow, b: AppointmentRow): number {
  return tokenOrdinal(a.tokenNumber) - tokenOrdinal(b.tokenNumber) || a.slotTime.localeCompare(b.slotTime) || a.seat - b.seat || a.id - b.id;
}

/** A doctor's appointments on one day, in token order (every status). */
function dayList(tx: Reader, doctorId: number, date: string): AppointmentRow[] {
  return tx
    .select()
    .from(appointments)
    .where(and(eq(appointments.doctorId, doctorId), eq(appointments.date, date)))
    .all()
    .sort(byToken);
}

function stateRow(tx: Reader, doctorId: number, date: string) {
  return tx
    .select()
    .from(queueState)
    .where(and(eq(queueState.doctorId, doctorId), eq(queueState.date, date)))
    .get();
}

/** Changes since a version: the highest queue_state.updated_at (0 when there is none). */
export function queueVersion(ctx: SyncContext): number {
  return ctx.db.select({ v: max(queueState.updatedAt) }).from(queueState).get()?.v ?? 0;
}

// ---------------------------------------------------------------- position in the queue

export type QueueStanding =
  /** The doctor has called no token today yet. */
  | 'not_started'
  /** Waiting; `before` patients are ahead (the one being seen included). */
  | 'waiting'
  /** This token is the one now served. */
  | 'serving'
  /** Called earlier, or passed over while the queue moved on: reception calls it by name. */
  | 'passed';

export interface QueuePosition {
  nowServing: string | null;
  standing: QueueStanding;
  /** Patients before this one: the one now being seen (until marked done) and the waiting tokens in between. */
  before: number;
}

function positionIn(day: readonly AppointmentRow[], servedId: number | null, mine: AppointmentRow): QueuePosition {
  const served = servedId === null ? undefined : day.find((a) => a.id === servedId);
  const nowServing = served?.tokenNumber ?? null;
  const mineOrd = tokenOrdinal(mine.tokenNumber);
  const servedOrd = served ? tokenOrdinal(served.tokenNumber) : -1;
  if (served && served.id === mine.id) return { nowServing, standing: 'serving', before: 0 };
  if (mine.calledAt !== null || (served && mineOrd < servedOrd)) return { nowServing, standing: 'passed', before: 0 };
  const waitingAhead = day.filter((a) => a.id !== mine.id && isLive(a) && a.calledAt === null && byToken(a, mine) < 0 && tokenOrdinal(a.tokenNumber) > servedOrd).length;
  if (!served) return { nowServing: null, standing: 'not_started', before: waitingAhead };
  return { nowServing, standing: 'waiting', before: waitingAhead + (isLive(served) ? 1 : 0) };
}

/**
 * Where a caller's bookings of today stand in their doctors' queues (IVR "my appointments").
 * Keys are appointment ids; only live bookings dated today (clinic calendar) are answered.
 */
export function queuePositions(ctx: SyncContext, appointmentIds: readonly number[], timezone: string): Map<number, QueuePosition> {
  const out = new Map<number, QueuePosition>();
  if (appointmentIds.length === 0) return out;
  const today = localNow(timezone, ctx.now()).date;
  const mine = ctx.db
    .select()
    .from(appointments)
    .where(and(inArray(appointments.id, [...appointmentIds]), eq(appointments.date, today)))
    .all()
    .filter(isLive);
  for (const a of mine) {
    const state = stateRow(ctx.db, a.doctorId, today);
    out.set(a.id, positionIn(dayList(ctx.db, a.doctorId, today), state?.appointmentId ?? null, a));
  }
  return out;
}

/** A phone's live bookings dated today (clinic calendar), in time order, whatever the hour. */
export function todaysBookingsForPhone(ctx: SyncContext, phone: string, timezone: string): AppointmentView[] {
  const today = localNow(timezone, ctx.now()).date;
  return ctx.db
    .select({ id: appointments.id })
    .from(appointments)
    .where(and(eq(appointments.personPhone, phone), eq(appointments.date, today), inArray(appointments.status, [...LIVE_APPOINTMENT_STATUSES])))
    // `+`: sort the phone's few rows rather than walk the clinic's whole day in slot order
    // (appointments_date_idx); the unary plus leaves SQLite the person index (phone, status, date).
    .orderBy(sql`+${appointments.slotTime}`)
    .all()
    .map((r) => appointmentById(ctx, r.id))
    .filter((v): v is AppointmentView => v !== undefined);
}

// ---------------------------------------------------------------- the public view

export interface ClinicQueue {
  clinicId: number;
  date: string;
  /** Active doctors in display order: tokens and doctor names only, never a patient. */
  doctors: { doctorId: number; name: string; nowServing: string | null }[];
}

export function clinicQueue(ctx: SyncContext, clinicId: number): ClinicQueue | null {
  const clinic = ctx.db.select().from(clinics).where(eq(clinics.id, clinicId)).get();
  if (!clinic) return null;
  const date = localNow(clinic.timezone, ctx.now()).date;
  const docs = activeDoctors(ctx, clinicId);
  const serving = new Map(
    docs.length === 0
      ? []
      : ctx.db
          .select({ doctorId: queueState.doctorId, nowServing: queueState.nowServing })
          .from(queueState)
          .where(and(eq(queueState.date, date), inArray(queueState.doctorId, docs.map((d) => d.id))))
          .all()
          .map((r) => [r.doctorId, r.nowServing] as const),
  );
  return { clinicId, date, doctors: docs.map((d) => ({ doctorId: d.id, name: d.name, nowServing: serving.get(d.id) ?? null })) };
}

// ---------------------------------------------------------------- changes

export interface QueueMove {
  doctorId: number;
  date: string;
  nowServing: string;
  appointmentId: number;
  /** "Queue near" SMS queued by this move. */
  nearSms: number;
}

/**
 * Call next: the doctor's next token today, in token order, that is booked or arrived and not yet
 * called, after the one now served. With `token`, that token instead (a skipped one, or one
 * called again). Completed, no-show and cancelled bookings are never called. Queues the "queue
 * near" SMS for the bookings this move brings within QUEUE_NEAR_BEFORE, in the same transaction.
 */
export function callNext(
  ctx: SyncContext,
  doctorId: number,
  opts: { token?: string } = {},
): Result<QueueMove, 'not_found' | 'queue_empty' | 'not_callable'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const doctor = loadDoctor(tx, doctorId);
    if (!doctor) return fail('not_found', 'No such doctor.');
    const date = localNow(doctor.timezone, now).date;
    const day = dayList(tx, doctorId, date);
    const state = stateRow(tx, doctorId, date);
    const served = state?.appointmentId == null ? undefined : day.find((a) => a.id === state.appointmentId);

    let next: AppointmentRow | undefined;
    if (opts.token !== undefined) {
      const wanted = opts.token.trim().toUpperCase();
      const matches = day.filter((a) => a.tokenNumber.toUpperCase() === wanted);
      next = matches.find(isLive);
      if (!next) {
        if (matches.length === 0) return fail('not_found', `There is no token ${wanted} for ${doctor.name} today.`);
        return fail('not_callable', `Token ${wanted} is ${matches[0]!.status.replace('_', '-')}: it cannot be called.`);
      }
    } else {
      const after = served ? tokenOrdinal(served.tokenNumber) : -1;
      next = day.find((a) => isLive(a) && a.calledAt === null && tokenOrdinal(a.tokenNumber) > after && a.id !== served?.id);
      if (!next) {
        const skipped = day.filter((a) => isLive(a) && a.calledAt === null && a.id !== served?.id).map((a) => a.tokenNumber);
        return fail(
          'queue_empty',
          skipped.length
            ? `No later token is waiting for ${doctor.name}. Skipped: ${skipped.join(', ')} (call one by its token).`
            : `No token is waiting for ${doctor.name} today.`,
          { skipped },
        );
      }
    }

    tx.update(appointments).set({ calledAt: now.toISOString() }).where(eq(appointments.id, next.id)).run();
    // Strictly increasing, also when two changes share a millisecond: pollers compare the maximum.
    const version = Math.max(now.getTime(), (tx.select({ v: max(queueState.updatedAt) }).from(queueState).get()?.v ?? 0) + 1);
    tx.insert(queueState)
      .values({ doctorId, date, nowServing: next.tokenNumber, appointmentId: next.id, updatedAt: version })
      .onConflictDoUpdate({
        target: [queueState.doctorId, queueState.date],
        set: { nowServing: next.tokenNumber, appointmentId: next.id, updatedAt: version },
      })
      .run();

    const called = { ...next, calledAt: now.toISOString() };
    const dayNow = day.map((a) => (a.id === called.id ? called : a));
    let nearSms = 0;
    for (const a of dayNow) {
      if (!isLive(a) || a.calledAt !== null) continue;
      const pos = positionIn(dayNow, called.id, a);
      if (pos.standing !== 'waiting' || pos.before > QUEUE_NEAR_BEFORE) continue;
      if (queueNearInTx(tx, ctx, a, doctor.name, doctor.clinicName, called.tokenNumber, now)) nearSms++;
    }
    return ok({ doctorId, date, nowServing: called.tokenNumber, appointmentId: called.id, nearSms });
  });
}

/** Queues one "queue near" SMS: at most once per appointment, never to an opted-out phone. */
function queueNearInTx(tx: Tx, ctx: SyncContext, a: AppointmentRow, doctorName: string, clinicName: string, nowServing: string, now: Date): boolean {
  const dedupeKey = `queue_near:${a.id}`;
  if (tx.select({ id: smsOutbox.id }).from(smsOutbox).where(eq(smsOutbox.dedupeKey, dedupeKey)).get()) return false;
  if (tx.select({ phone: smsOptOuts.phone }).from(smsOptOuts).where(eq(smsOptOuts.phone, a.personPhone)).get()) return false;
  const texts = textsForPhone(tx, ctx, a.personPhone);
  enqueueSms(
    tx,
    {
      kind: 'queue_near',
      phone: a.personPhone,
      body: texts.queueNear(ctx.brand, clinicName, nowServing, { doctorName, date: a.date, time: a.slotTime, token: a.tokenNumber }),
      appointmentId: a.id,
      language: texts.language,
      dedupeKey,
    },
    now,
  );
  return true;
}

/** Reception marks a patient of today as arrived (checked in). Marking twice is harmless. */
export function markArrived(ctx: SyncContext, appointmentId: number): Result<{ appointmentId: number }, 'not_found' | 'not_callable' | 'not_today'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const a = tx.select().from(appointments).where(eq(appointments.id, appointmentId)).get();
    if (!a) return fail('not_found', 'No such appointment.');
    if (a.status === 'arrived') return ok({ appointmentId });
    if (a.status !== 'booked') return fail('not_callable', `This appointment is ${a.status.replace('_', '-')}: it cannot be marked arrived.`);
    const doctor = loadDoctor(tx, a.doctorId)!;
    if (a.date !== localNow(doctor.timezone, now).date) return fail('not_today', 'Only an appointment of today can be marked arrived.');
    tx.update(appointments).set({ status: 'arrived', arrivedAt: now.toISOString() }).where(eq(appointments.id, appointmentId)).run();
    return ok({ appointmentId });
  });
}
