// Web and staff booking, cancellation, status changes, and the offer holds the IVR uses.
import { and, eq } from 'drizzle-orm';
import { accounts, appointments, LIVE_APPOINTMENT_STATUSES, patients } from '../db/schema.js';
import { isPastSlot } from '../booking/slots.js';
import {
  bookingWriteTx,
  bookInTx,
  loadDoctor,
  nextFreeSlot,
  placeHold,
  releaseHolds as releaseHoldsInTx,
  type BookFailure,
  type FreeSlot,
  type SlotRef,
} from './availability.js';
import { abort, writeTx, type SyncContext, type Tx } from './context.js';
import { ensureAccountPatient } from './accounts-in-tx.js';
import { groupedWrite } from './group-commit.js';
import { enqueueSms } from './outbox.js';
import { textsForPhone } from './sms-language.js';
import { fail, ok, type Result } from './result.js';

export interface WebBookingRequest {
  accountId: number;
  doctorId: number;
  date: string;
  time: string;
  /** One of the account's patients; default: the account holder's own patient row. */
  patientId?: number;
}

export interface BookedAppointment {
  appointmentId: number;
  patientId: number;
  date: string;
  time: string;
  token: string;
  doctorName: string;
}

/**
 * Books for a web account. Bookings asked for together share one durable commit, as phone
 * bookings do (src/sync/group-commit.ts); it resolves once the booking is on disk.
 */
export function bookForAccount(ctx: SyncContext, req: WebBookingRequest): Promise<Result<BookedAppointment, BookFailure>> {
  return groupedWrite(ctx, () => bookForAccountInWriteTx(ctx, req));
}

function bookForAccountInWriteTx(ctx: SyncContext, req: WebBookingRequest): Result<BookedAppointment, BookFailure> {
  return bookingWriteTx(ctx, { doctorId: req.doctorId, date: req.date, time: req.time }, (tx): Result<BookedAppointment, BookFailure> => {
    const now = ctx.now();
    const account = tx.select().from(accounts).where(eq(accounts.id, req.accountId)).get();
    if (!account) return fail('not_found', 'No such account.');
    const doctor = loadDoctor(tx, req.doctorId);
    if (!doctor) return fail('not_found', 'No such doctor.');
    let patient;
    if (req.patientId !== undefined) {
      patient = tx
        .select()
        .from(patients)
        .where(and(eq(patients.id, req.patientId), eq(patients.accountId, account.id)))
        .get();
      if (!patient) return fail('not_found', 'No such patient on this account.');
    } else {
      patient = ensureAccountPatient(tx, account, 'web');
    }
    const booked = bookInTx(
      tx,
      { doctor, patientId: patient.id, personPhone: patient.phone, date: req.date, time: req.time, channel: 'web' },
      now,
      ctx.maxActiveAppointments,
    );
    if (!booked.ok) abort(booked);
    const b = booked.value;
    // A family member's phone without an account of its own reads the booking account's language.
    const texts = textsForPhone(tx, ctx, patient.phone, account.language);
    enqueueSms(
      tx,
      {
        kind: 'confirmation',
        phone: patient.phone,
        body: texts.confirmation(ctx.brand, { doctorName: doctor.name, date: b.date, time: b.time, token: b.token }),
        appointmentId: b.id,
        language: texts.language,
      },
      now,
    );
    return ok({ appointmentId: b.id, patientId: patient.id, date: b.date, time: b.time, token: b.token, doctorName: doctor.name });
  });
}

export interface CancelRequest {
  appointmentId: number;
  /** The account asking; omitted for staff (and the IVR, which passes the caller's phone). */
  accountId?: number;
  phone?: string;
}

/** Cancels an upcoming booking and queues the cancellation SMS. Another person's id is not_found. */
export function cancelAppointment(ctx: SyncContext, req: CancelRequest): Result<{ appointmentId: number }, 'not_found' | 'not_cancellable'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const row = tx
      .select({ a: appointments, accountId: patients.accountId })
      .from(appointments)
      .innerJoin(patients, eq(patients.id, appointments.patientId))
      .where(eq(appointments.id, req.appointmentId))
      .get();
    if (!row) return fail('not_found', 'No such appointment.');
    if (req.accountId !== undefined && row.accountId !== req.accountId) return fail('not_found', 'No such appointment.');
    if (req.phone !== undefined && row.a.personPhone !== req.phone) return fail('not_found', 'No such appointment.');
    const doctor = loadDoctor(tx, row.a.doctorId)!;
    if (!isLiveStatus(row.a.status) || isPastSlot(row.a.date, row.a.slotTime, doctor.timezone, now)) {
      return fail('not_cancellable', 'Only an upcoming booked appointment can be cancelled.');
    }
    cancelInTx(tx, ctx, row.a, now);
    return ok({ appointmentId: row.a.id });
  });
}

const isLiveStatus = (s: string) => (LIVE_APPOINTMENT_STATUSES as readonly string[]).includes(s);

/** Cancels one appointment and queues its cancellation SMS, inside the caller's transaction. */
export function cancelInTx(tx: Tx, ctx: SyncContext, a: typeof appointments.$inferSelect, now: Date): void {
  const doctor = loadDoctor(tx, a.doctorId)!;
  tx.update(appointments).set({ status: 'cancelled', cancelledAt: now.toISOString() }).where(eq(appointments.id, a.id)).run();
  const texts = textsForPhone(tx, ctx, a.personPhone);
  enqueueSms(
    tx,
    {
      kind: 'cancellation',
      phone: a.personPhone,
      body: texts.cancellation(ctx.brand, { doctorName: doctor.name, date: a.date, time: a.slotTime, token: a.tokenNumber }),
      appointmentId: a.id,
      language: texts.language,
    },
    now,
  );
}

/** Staff marks what happened: completed or no_show (only for a booked appointment). */
export function setAppointmentOutcome(
  ctx: SyncContext,
  appointmentId: number,
  status: 'completed' | 'no_show',
): Result<{ appointmentId: number }, 'not_found' | 'invalid_input'> {
  return writeTx(ctx, (tx) => {
    const a = tx.select().from(appointments).where(eq(appointments.id, appointmentId)).get();
    if (!a) return fail('not_found', 'No such appointment.');
    if (a.status === 'cancelled') return fail('invalid_input', 'A cancelled appointment cannot be marked.');
    const doctor = loadDoctor(tx, a.doctorId)!;
    // A token called at the desk (SPEC §11) may be seen before its slot's time.
    if (a.calledAt === null && !isPastSlot(a.date, a.slotTime, doctor.timezone, ctx.now())) {
      return fail('invalid_input', 'An appointment can be marked completed or no-show once its time has come.');
    }
    tx.update(appointments).set({ status }).where(eq(appointments.id, appointmentId)).run();
    return ok({ appointmentId });
  });
}

/**
 * Offers a caller the doctor's next free slot after `after` and holds it for HOLD_SECONDS, so
 * callers at the same moment are offered different slots. Replaces the caller's previous hold.
 */
export function offerNextSlot(
  ctx: SyncContext,
  doctorId: number,
  holder: string,
  after?: SlotRef,
): Result<FreeSlot, 'not_found' | 'no_slots'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const doctor = loadDoctor(tx, doctorId);
    if (!doctor || !doctor.active) return fail('not_found', 'No such doctor.');
    const slot = nextFreeSlot(tx, doctor, now, after, holder);
    if (!slot) {
      releaseHoldsInTx(tx, holder);
      return fail('no_slots', 'No free slot in the next 30 days.');
    }
    placeHold(tx, doctor.id, slot, holder, now);
    return ok(slot);
  }, { durable: false }); // a hold only: see WriteOptions
}

export function releaseHolds(ctx: SyncContext, holder: string): void {
  writeTx(ctx, (tx) => releaseHoldsInTx(tx, holder), { durable: false });
}
