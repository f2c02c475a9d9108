// Staff use cases: clinics, doctors, schedules and closed dates, and the first staff account.
// Closing a date or deactivating a doctor that has upcoming bookings is refused (has_bookings)
// unless the caller asks to cancel them; then each is cancelled like cancelAppointment does it,
// with its cancellation SMS, in the same transaction as the change.
import { and, asc, eq, gte, inArray, isNull } from 'drizzle-orm';
import { accounts, appointments, clinics, closedDates, doctors, LIVE_APPOINTMENT_STATUSES, schedules } from '../db/schema.js';
import { isDate, isPastSlot, isTime, isValidTimezone, localNow } from '../booking/slots.js';
import { normalizePhone } from '../phone/index.js';
import { loadDoctor } from './availability.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import { checkUsername } from './credentials.js';
import { accountByPhone, accountByUsername, type AccountRow } from './accounts-in-tx.js';
import { cancelInTx } from './appointments.js';
import { fail, MESSAGES, ok, type Result } from './result.js';
import type { ClinicRow, DoctorRow } from './queries.js';

export type ScheduleRow = typeof schedules.$inferSelect;
export type ClosedDateRow = typeof closedDates.$inferSelect;

// ---------------------------------------------------------------- clinics

export interface ClinicInput {
  name: string;
  did?: string;
  timezone?: string;
}

function checkClinic(input: Partial<ClinicInput>) {
  if (input.name !== undefined && input.name.trim() === '') return fail('invalid_input', 'A clinic needs a name.');
  if (input.did !== undefined && !/^[\d+*#]*$/.test(input.did.trim())) return fail('invalid_input', 'A DID holds digits only.');
  if (input.timezone !== undefined && !isValidTimezone(input.timezone)) {
    return fail('invalid_input', `"${input.timezone}" is not a time zone (use a name like Asia/Kolkata).`);
  }
  return null;
}

export function createClinic(ctx: SyncContext, input: ClinicInput): Result<ClinicRow, 'invalid_input'> {
  const problem = checkClinic(input);
  if (problem) return problem;
  return writeTx(ctx, (tx) =>
    ok(
      tx.insert(clinics)
        .values({ name: input.name.trim(), did: input.did?.trim() ?? '', timezone: input.timezone ?? 'Asia/Kolkata' })
        .returning()
        .get(),
    ),
  );
}

export function updateClinic(ctx: SyncContext, id: number, patch: Partial<ClinicInput>): Result<ClinicRow, 'invalid_input' | 'not_found'> {
  const problem = checkClinic(patch);
  if (problem) return problem;
  return writeTx(ctx, (tx) => {
    const clinic = tx.select().from(clinics).where(eq(clinics.id, id)).get();
    if (!clinic) return fail('not_found', 'No such clinic.');
    const set: Partial<typeof clinics.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.did !== undefined) set.did = patch.did.trim();
    if (patch.timezone !== undefined) set.timezone = patch.timezone;
    if (Object.keys(set).length === 0) return ok(clinic);
    return ok(tx.update(clinics).set(set).where(eq(clinics.id, id)).returning().get()!);
  });
}

// ---------------------------------------------------------------- doctors

export function allDoctors(ctx: SyncContext, clinicId?: number): DoctorRow[] {
  return ctx.db
    .select()
    .from(doctors)
    .where(clinicId === undefined ? undefined : eq(doctors.clinicId, clinicId))
    .orderBy(asc(doctors.clinicId), asc(doctors.displayOrder), asc(doctors.id))
    .all();
}

export interface DoctorInput {
  clinicId: number;
  name: string;
  specialty?: string;
  displayOrder?: number;
}

export function createDoctor(ctx: SyncContext, input: DoctorInput): Result<DoctorRow, 'invalid_input' | 'not_found'> {
  if (input.name.trim() === '') return fail('invalid_input', 'A doctor needs a name.');
  return writeTx(ctx, (tx) => {
    if (!tx.select().from(clinics).where(eq(clinics.id, input.clinicId)).get()) return fail('not_found', 'No such clinic.');
    return ok(
      tx.insert(doctors)
        .values({
          clinicId: input.clinicId,
          name: input.name.trim(),
          specialty: input.specialty?.trim() ?? '',
          displayOrder: input.displayOrder ?? 0,
          active: true,
        })
        .returning()
        .get(),
    );
  });
}

export interface DoctorPatch {
  name?: string;
  specialty?: string;
  displayOrder?: number;
  active?: boolean;
}

export interface CancelOption {
  /** Cancel the bookings in the way (each gets its cancellation SMS) instead of answering has_bookings. */
  cancelBookings?: boolean;
}

export function updateDoctor(
  ctx: SyncContext,
  id: number,
  patch: DoctorPatch,
  opts: CancelOption = {},
): Result<{ doctor: DoctorRow; cancelled: number }, 'invalid_input' | 'not_found' | 'has_bookings'> {
  if (patch.name !== undefined && patch.name.trim() === '') return fail('invalid_input', 'A doctor needs a name.');
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const doctor = tx.select().from(doctors).where(eq(doctors.id, id)).get();
    if (!doctor) return fail('not_found', 'No such doctor.');
    let cancelled = 0;
    if (patch.active === false && doctor.active) {
      const upcoming = upcomingBookings(tx, [id], null, now);
      if (upcoming.length > 0 && !opts.cancelBookings) return hasBookings(upcoming.length);
      for (const a of upcoming) cancelInTx(tx, ctx, a, now);
      cancelled = upcoming.length;
    }
    const set: Partial<typeof doctors.$inferInsert> = {};
    if (patch.name !== undefined) set.name = patch.name.trim();
    if (patch.specialty !== undefined) set.specialty = patch.specialty.trim();
    if (patch.displayOrder !== undefined) set.displayOrder = patch.displayOrder;
    if (patch.active !== undefined) set.active = patch.active;
    const updated = Object.keys(set).length ? tx.update(doctors).set(set).where(eq(doctors.id, id)).returning().get()! : doctor;
    return ok({ doctor: updated, cancelled });
  });
}

// ---------------------------------------------------------------- schedules

export interface ScheduleInput {
  weekday: number;
  startTime: string;
  endTime: string;
  slotMinutes: number;
  capacity?: number;
}

export function schedulesOf(ctx: SyncContext, doctorId: number): ScheduleRow[] | null {
  if (!ctx.db.select({ id: doctors.id }).from(doctors).where(eq(doctors.id, doctorId)).get()) return null;
  return ctx.db
    .select()
    .from(schedules)
    .where(eq(schedules.doctorId, doctorId))
    .orderBy(asc(schedules.weekday), asc(schedules.startTime))
    .all();
}

function checkBlock(b: ScheduleInput) {
  if (!Number.isInteger(b.weekday) || b.weekday < 1 || b.weekday > 7) return 'weekday is 1 (Monday) to 7 (Sunday)';
  if (!isTime(b.startTime) || !isTime(b.endTime)) return 'times are HH:MM';
  if (b.startTime >= b.endTime) return 'a block must end after it starts';
  if (!Number.isInteger(b.slotMinutes) || b.slotMinutes < 5 || b.slotMinutes > 480) return 'slot_minutes is 5 to 480';
  if (b.capacity !== undefined && (!Number.isInteger(b.capacity) || b.capacity < 1 || b.capacity > 50)) return 'capacity is 1 to 50';
  return null;
}

/**
 * Replaces the doctor's weekly schedule. Existing bookings stay as they are (a slot that no longer
 * exists keeps its booked patients; staff cancel them explicitly if they must).
 */
export function replaceSchedules(ctx: SyncContext, doctorId: number, blocks: ScheduleInput[]): Result<ScheduleRow[], 'invalid_input' | 'not_found'> {
  for (const [i, b] of blocks.entries()) {
    const problem = checkBlock(b);
    if (problem) return fail('invalid_input', `Schedule block ${i + 1}: ${problem}.`);
  }
  return writeTx(ctx, (tx) => {
    if (!tx.select({ id: doctors.id }).from(doctors).where(eq(doctors.id, doctorId)).get()) return fail('not_found', 'No such doctor.');
    tx.delete(schedules).where(eq(schedules.doctorId, doctorId)).run();
    for (const b of blocks) {
      tx.insert(schedules)
        .values({ doctorId, weekday: b.weekday, startTime: b.startTime, endTime: b.endTime, slotMinutes: b.slotMinutes, capacity: b.capacity ?? 1 })
        .run();
    }
    return ok(
      tx.select().from(schedules).where(eq(schedules.doctorId, doctorId)).orderBy(asc(schedules.weekday), asc(schedules.startTime)).all(),
    );
  });
}

// ---------------------------------------------------------------- closed dates

export function closedDatesOf(ctx: SyncContext, filter: { clinicId?: number; from?: string } = {}): ClosedDateRow[] {
  const conds = [];
  if (filter.clinicId !== undefined) conds.push(eq(closedDates.clinicId, filter.clinicId));
  if (filter.from !== undefined) conds.push(gte(closedDates.date, filter.from));
  return ctx.db
    .select()
    .from(closedDates)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(asc(closedDates.date), asc(closedDates.id))
    .all();
}

export interface ClosedDateInput {
  clinicId: number;
  /** A single doctor's day off; omitted closes the whole clinic. */
  doctorId?: number | null;
  date: string;
  reason?: string;
}

export function addClosedDate(
  ctx: SyncContext,
  input: ClosedDateInput,
  opts: CancelOption = {},
): Result<{ closedDate: ClosedDateRow; cancelled: number }, 'invalid_input' | 'not_found' | 'has_bookings'> {
  if (!isDate(input.date)) return fail('invalid_input', 'date is YYYY-MM-DD.');
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const clinic = tx.select().from(clinics).where(eq(clinics.id, input.clinicId)).get();
    if (!clinic) return fail('not_found', 'No such clinic.');
    const doctorId = input.doctorId ?? null;
    let doctorIds: number[];
    if (doctorId !== null) {
      const doctor = tx.select().from(doctors).where(eq(doctors.id, doctorId)).get();
      if (!doctor || doctor.clinicId !== clinic.id) return fail('not_found', 'No such doctor in this clinic.');
      doctorIds = [doctorId];
    } else {
      doctorIds = tx.select({ id: doctors.id }).from(doctors).where(eq(doctors.clinicId, clinic.id)).all().map((d) => d.id);
    }
    const existing = tx
      .select()
      .from(closedDates)
      .where(
        and(
          eq(closedDates.clinicId, clinic.id),
          eq(closedDates.date, input.date),
          doctorId === null ? isNull(closedDates.doctorId) : eq(closedDates.doctorId, doctorId),
        ),
      )
      .get();
    if (existing) return ok({ closedDate: existing, cancelled: 0 });

    const upcoming = upcomingBookings(tx, doctorIds, input.date, now);
    if (upcoming.length > 0 && !opts.cancelBookings) return hasBookings(upcoming.length);
    for (const a of upcoming) cancelInTx(tx, ctx, a, now);
    const closedDate = tx
      .insert(closedDates)
      .values({ clinicId: clinic.id, doctorId, date: input.date, reason: input.reason?.trim() ?? '' })
      .returning()
      .get();
    return ok({ closedDate, cancelled: upcoming.length });
  });
}

export function removeClosedDate(ctx: SyncContext, id: number): Result<{ id: number }, 'not_found'> {
  return writeTx(ctx, (tx) => {
    const row = tx.delete(closedDates).where(eq(closedDates.id, id)).returning({ id: closedDates.id }).get();
    return row ? ok(row) : fail('not_found', 'No such closed date.');
  });
}

// ---------------------------------------------------------------- cancelling what is in the way

type AppointmentRow = typeof appointments.$inferSelect;

function hasBookings(n: number) {
  return fail('has_bookings', `There ${n === 1 ? 'is 1 upcoming booking' : `are ${n} upcoming bookings`} in the way. Cancel them (cancel_bookings: true) or choose another change.`, {
    bookings: n,
  });
}

/** Booked appointments not yet started, for these doctors (on one date, or from today on). */
function upcomingBookings(tx: Tx, doctorIds: number[], date: string | null, now: Date): AppointmentRow[] {
  if (doctorIds.length === 0) return [];
  const rows = tx
    .select()
    .from(appointments)
    .where(
      and(
        inArray(appointments.doctorId, doctorIds),
        inArray(appointments.status, [...LIVE_APPOINTMENT_STATUSES]),
        // A day in any zone is at most 14 h from UTC: yesterday's UTC date bounds "today" everywhere.
        date === null ? gte(appointments.date, localNow('UTC', new Date(now.getTime() - 86_400_000)).date) : eq(appointments.date, date),
      ),
    )
    .orderBy(asc(appointments.date), asc(appointments.slotTime))
    .all();
  const zones = new Map<number, string>();
  return rows.filter((a) => {
    let tz = zones.get(a.doctorId);
    if (tz === undefined) {
      tz = loadDoctor(tx, a.doctorId)?.timezone ?? 'Asia/Kolkata';
      zones.set(a.doctorId, tz);
    }
    return !isPastSlot(a.date, a.slotTime, tz, now);
  });
}


// ---------------------------------------------------------------- staff accounts

export interface StaffInput {
  username: string;
  phone: string;
  name: string;
  passwordHash: string;
  /** True when the password was generated and shown once: the first log-in must replace it. */
  mustChangePassword?: boolean;
}

/** A staff login. Its phone must not belong to another account (one account per phone). */
export function createStaffAccount(
  ctx: SyncContext,
  input: StaffInput,
): Result<AccountRow, 'invalid_username' | 'invalid_phone' | 'invalid_input' | 'username_taken' | 'phone_already_registered'> {
  const username = input.username.trim().toLowerCase();
  const badName = checkUsername(username);
  if (badName) return badName;
  const phone = normalizePhone(input.phone, ctx.region);
  if (!phone.ok) return phone;
  if (input.name.trim() === '') return fail('invalid_input', 'A staff account needs a display name.');
  return writeTx(ctx, (tx) => {
    if (accountByPhone(tx, phone.phone)) return fail('phone_already_registered', MESSAGES.phoneAlreadyRegistered);
    if (accountByUsername(tx, username)) return fail('username_taken', MESSAGES.usernameTaken);
    const account = tx
      .insert(accounts)
      .values({
        phone: phone.phone,
        username,
        passwordHash: input.passwordHash,
        displayName: input.name.trim(),
        role: 'staff',
        status: 'active',
        mustChangePassword: input.mustChangePassword ?? false,
        updatedAt: ctx.now().toISOString(),
      })
      .returning()
      .get();
    return ok(account);
  });
}
