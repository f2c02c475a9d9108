// Read-only queries the API and the IVR need. Reads run outside write transactions (WAL snapshot).
//
// The ones every request makes (the token's account, a patient's list, a doctor's slots) are
// prepared once per database (drizzle `.prepare()` with placeholders): building the same drizzle
// query and compiling the same SQL again per request was most of the API's cost (issue 10).
import { and, asc, desc, eq, gte, inArray, sql } from 'drizzle-orm';
import type { Db } from '../db/client.js';
import { accounts, appointments, clinics, doctors, LIVE_APPOINTMENT_STATUSES, patients, schedules } from '../db/schema.js';
import { dateInDays, earliestLocalDate, isPastSlot, weekdayOf } from '../booking/slots.js';
import { normalizePhone } from '../phone/index.js';
import { BOOKING_HORIZON_DAYS, DOCTOR_COLUMNS, freeSlotsUntil, frozenRows, keptCatalogRead, SCHEDULE_COLUMNS, type FreeSlot } from './availability.js';
import { readTx, type SyncContext, type Tx } from './context.js';
import { dbVersion, KeptReads, sameVersion, type DbVersion } from './kept-reads.js';
import { accountByPhone, accountByUsername, type AccountRow } from './accounts-in-tx.js';
import { preparedStatements } from './prepared.js';

export type ClinicRow = typeof clinics.$inferSelect;
export type DoctorRow = typeof doctors.$inferSelect;

/** The health probe's question: does the database answer a statement at all? */
export function databaseAnswers(db: Db): boolean {
  try {
    db.get(sql`select 1`);
    return true;
  } catch {
    return false;
  }
}

// Both are read at the start of every call (src/ari/session.ts): prepared once per connection and
// kept while the catalog is unchanged. The rows are shared: frozen.
export function listClinics(ctx: SyncContext): readonly Readonly<ClinicRow>[] {
  return keptCatalogRead(ctx.db, 'clinics', () => frozenRows(statements(ctx.db).clinics.all()));
}

export function activeDoctors(ctx: SyncContext, clinicId: number): readonly Readonly<DoctorRow>[] {
  return keptCatalogRead(ctx.db, `active doctors of ${clinicId}`, () => frozenRows(statements(ctx.db).activeDoctors.all({ clinicId })));
}

/** The clinic whose DID the dialled number ends with (digits only); otherwise the first clinic. */
export function clinicForDialled(ctx: SyncContext, dialled: string): ClinicRow | undefined {
  const all = listClinics(ctx);
  const digits = dialled.replace(/\D/g, '');
  if (digits) {
    const matches = all
      .filter((c) => {
        const did = c.did.replace(/\D/g, '');
        return did !== '' && digits.endsWith(did);
      })
      .sort((a, b) => b.did.length - a.did.length);
    if (matches[0]) return matches[0];
  }
  return all[0];
}

/**
 * A doctor's free slots on one day, or null for an unknown or inactive doctor. The answer is kept
 * per connection and (doctor, day) and given again while nothing it was made from can have changed
 * (keptSlotsStill): the list was recomputed from the database on every request (issue 10).
 * The list is shared by the requests that get it: do not change it.
 */
export function freeSlots(ctx: SyncContext, doctorId: number, date: string): readonly FreeSlot[] | null {
  const client = ctx.db.$client;
  // Inside a write transaction the answer may include writes that will be rolled back, and
  // total_changes() already counts them: never kept from there, and nothing kept is given there.
  if (client.inTransaction) return computeFreeSlots(ctx, doctorId, date, ctx.now()).slots;
  return readTx(ctx, () => {
    const now = ctx.now();
    const nowMs = now.getTime();
    // The first statement of the read transaction: the version belongs to the snapshot read below.
    const version = dbVersion(client);
    const kept = keptSlotsOf(client);
    const key = `${doctorId} ${date}`;
    const k = kept.get(key);
    if (k && keptSlotsStill(k, version, nowMs)) return k.slots;
    const answer = computeFreeSlots(ctx, doctorId, date, now);
    if (kept.size >= KEPT_SLOTS_MAX && !kept.has(key)) kept.delete(kept.keys().next().value!);
    kept.set(key, { slots: answer.slots, version, atMs: nowMs, until: answer.until });
    return answer.slots;
  });
}

/** How many times freeSlots read a day's slots from the database (tests show the kept answer is used). */
export function freeSlotsComputed(): number {
  return computed;
}
let computed = 0;

interface KeptSlots {
  slots: readonly FreeSlot[] | null;
  /** PRAGMA data_version (commits by other connections) and total_changes() (this connection's writes). */
  version: DbVersion;
  /** The clock when computed: past slots, the horizon and cut-offs move with its minute. */
  atMs: number;
  /** The earliest expiry of the holds counted: their seats come free then without any write. */
  until: number;
}

/** Kept answers per connection; the oldest goes when a connection has this many (one per doctor-day). */
const KEPT_SLOTS_MAX = 4096;
const keptSlots = new WeakMap<object, Map<string, KeptSlots>>();

function keptSlotsOf(client: object): Map<string, KeptSlots> {
  let m = keptSlots.get(client);
  if (!m) {
    m = new Map();
    keptSlots.set(client, m);
  }
  return m;
}

/**
 * A kept answer holds when the database is the same (no commit by another connection or process,
 * no write by this one), the clock is in the same minute and has not gone back, and no hold counted
 * in it has expired. Everything else it was made from (doctor, clinic zone, schedules, closed
 * dates, bookings, holds) is in the database.
 */
function keptSlotsStill(k: KeptSlots, version: DbVersion, nowMs: number): boolean {
  return sameVersion(k.version, version) && nowMs >= k.atMs && Math.floor(nowMs / 60_000) === Math.floor(k.atMs / 60_000) && nowMs < k.until;
}

function computeFreeSlots(ctx: SyncContext, doctorId: number, date: string, now: Date): { slots: readonly FreeSlot[] | null; until: number } {
  computed++;
  const p = statements(ctx.db);
  const doctor = p.doctor.get({ doctorId });
  if (!doctor || !doctor.active) return { slots: null, until: Infinity };
  // The same horizon booking enforces (checkSlot): never list a slot that cannot be booked.
  if (date > horizonDate(doctor.timezone, now)) return { slots: Object.freeze([]), until: Infinity };
  // Only that weekday's schedule blocks: the list of one day needs no others (reading the
  // whole week's rows was a tenth of this call).
  const blocks = p.schedulesOn.all({ doctorId, weekday: weekdayOf(date) });
  const r = freeSlotsUntil(ctx.db, { ...doctor, blocks }, date, now);
  for (const s of r.slots) Object.freeze(s);
  return { slots: Object.freeze(r.slots), until: r.until };
}

/** Login by username or by phone (any form that normalises). */
export function accountForLogin(ctx: SyncContext, login: { username?: string; phone?: string }): AccountRow | undefined {
  if (login.username !== undefined) {
    const byName = accountByUsername(ctx.db, login.username.trim().toLowerCase());
    if (byName) return byName;
    // IVR usernames are E.164 phones: "9999999999" typed as a username finds that account.
    const asPhone = normalizePhone(login.username, ctx.region);
    return asPhone.ok ? accountByPhone(ctx.db, asPhone.phone) : undefined;
  }
  if (login.phone !== undefined) {
    const p = normalizePhone(login.phone, ctx.region);
    return p.ok ? accountByPhone(ctx.db, p.phone) : undefined;
  }
  return undefined;
}

/**
 * Every signed-in request reads its account (the token's version, the role); the row is kept per
 * connection while the database is unchanged (kept-reads.ts). The row is frozen: do not change it.
 */
export function accountById(ctx: SyncContext, id: number): Readonly<AccountRow> | undefined {
  return keptAccounts.read(ctx, id, () => statements(ctx.db).accountById.get({ id }));
}
const keptAccounts = new KeptReads<number, AccountRow | undefined>(4096);

export function patientsOfAccount(ctx: SyncContext, accountId: number) {
  return ctx.db.select().from(patients).where(eq(patients.accountId, accountId)).orderBy(asc(patients.id)).all();
}

const appointmentView = {
  id: appointments.id,
  patientId: appointments.patientId,
  patientName: patients.name,
  phone: appointments.personPhone,
  doctorId: doctors.id,
  doctorName: doctors.name,
  specialty: doctors.specialty,
  clinicId: clinics.id,
  clinicName: clinics.name,
  timezone: clinics.timezone,
  date: appointments.date,
  time: appointments.slotTime,
  token: appointments.tokenNumber,
  status: appointments.status,
  channel: appointments.channel,
  createdAt: appointments.createdAt,
  arrivedAt: appointments.arrivedAt,
  calledAt: appointments.calledAt,
};

export type AppointmentView = {
  id: number;
  patientId: number;
  patientName: string;
  phone: string;
  doctorId: number;
  doctorName: string;
  specialty: string;
  clinicId: number;
  clinicName: string;
  timezone: string;
  date: string;
  time: string;
  token: string;
  status: string;
  channel: string;
  createdAt: string;
  /** Reception desk (SPEC §11): when the patient checked in, and when the token was last called. */
  arrivedAt: string | null;
  calledAt: string | null;
};

function appointmentQuery(ctx: SyncContext) {
  return appointmentQueryOn(ctx.db);
}

function appointmentQueryOn(db: Db | Tx) {
  return db
    .select(appointmentView)
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(clinics, eq(clinics.id, doctors.clinicId));
}

/** All appointments of all the account's patients, newest first; kept like accountById (frozen). */
export function appointmentsOfAccount(ctx: SyncContext, accountId: number): readonly Readonly<AppointmentView>[] {
  return keptAppointmentLists.read(ctx, accountId, () => statements(ctx.db).appointmentsOfAccount.all({ accountId }));
}
const keptAppointmentLists = new KeptReads<number, AppointmentView[]>(4096);

/** How many times accountById and appointmentsOfAccount read the database (tests show kept answers are used). */
export function keptReadsComputed(): { accounts: number; appointmentLists: number } {
  return { accounts: keptAccounts.computed, appointmentLists: keptAppointmentLists.computed };
}

export function appointmentById(ctx: SyncContext, id: number): AppointmentView | undefined {
  return statements(ctx.db).appointmentById.get({ id });
}

/**
 * A caller's upcoming booked appointments, soonest first (IVR "my appointments"). Upcoming means
 * later than now in the appointment's clinic timezone (SPEC §10): this morning's visit, already
 * past, is not read out. `_timezone` is kept for callers that pass the call's clinic zone; each
 * row's own clinic zone decides.
 */
export function upcomingForPhone(ctx: SyncContext, phone: string, _timezone?: string): AppointmentView[] {
  const now = ctx.now();
  return statements(ctx.db)
    .upcomingForPhone.all({ phone, earliest: earliestLocalDate(now) })
    .filter((a) => !isPastSlot(a.date, a.time, a.timezone, now));
}

/** Staff view: one day's appointments, optionally for one doctor. */
export function appointmentsOnDay(ctx: SyncContext, date: string, doctorId?: number): AppointmentView[] {
  if (doctorId === undefined) {
    return appointmentQuery(ctx)
      .where(eq(appointments.date, date))
      .orderBy(asc(doctors.displayOrder), asc(appointments.slotTime), asc(appointments.seat))
      .all();
  }
  return appointmentQuery(ctx)
    .where(and(eq(appointments.date, date), eq(appointments.doctorId, doctorId)))
    // `+`: sort the doctor's day (read through appointments_seat_uq's doctor-day prefix) rather than
    // walk the whole clinic's day in slot order (appointments_date_idx), which SQLite prefers
    // without statistics.
    .orderBy(asc(doctors.displayOrder), sql`+${appointments.slotTime}`, asc(appointments.seat))
    .all();
}

/** The last bookable date (BOOKING_HORIZON_DAYS ahead): the same for every request of the same minute. */
const horizons = new Map<string, string>();
function horizonDate(timezone: string, now: Date): string {
  const key = `${timezone} ${Math.floor(now.getTime() / 60_000)}`;
  let date = horizons.get(key);
  if (date === undefined) {
    date = dateInDays(timezone, now, BOOKING_HORIZON_DAYS);
    if (horizons.size > 64) horizons.clear();
    horizons.set(key, date);
  }
  return date;
}

// ── Prepared statements ─────────────────────────────────────────────────────────────────────

// This module's reads, each prepared on its first use per connection (src/sync/prepared.ts).
const placeholder = sql.placeholder;
const statements = preparedStatements({
  clinics: (r) => r.select().from(clinics).orderBy(asc(clinics.id)).prepare(),
  activeDoctors: (r) =>
    r
      .select()
      .from(doctors)
      .where(and(eq(doctors.clinicId, placeholder('clinicId')), eq(doctors.active, true)))
      .orderBy(asc(doctors.displayOrder), asc(doctors.id))
      .prepare(),
  accountById: (r) => r.select().from(accounts).where(eq(accounts.id, placeholder('id'))).prepare(),
  appointmentById: (r) => appointmentQueryOn(r).where(eq(appointments.id, placeholder('id'))).prepare(),
  upcomingForPhone: (r) =>
    appointmentQueryOn(r)
      .where(
        and(
          eq(appointments.personPhone, placeholder('phone')),
          inArray(appointments.status, [...LIVE_APPOINTMENT_STATUSES]),
          gte(appointments.date, placeholder('earliest')),
        ),
      )
      .orderBy(asc(appointments.date), asc(appointments.slotTime))
      .prepare(),
  appointmentsOfAccount: (r) =>
    appointmentQueryOn(r)
      .where(eq(patients.accountId, placeholder('accountId')))
      .orderBy(desc(appointments.date), desc(appointments.slotTime), desc(appointments.id))
      .prepare(),
  doctor: (r) =>
    r
      .select(DOCTOR_COLUMNS)
      .from(doctors)
      .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
      .where(eq(doctors.id, placeholder('doctorId')))
      .prepare(),
  schedulesOn: (r) =>
    r
      .select(SCHEDULE_COLUMNS)
      .from(schedules)
      .where(and(eq(schedules.doctorId, placeholder('doctorId')), eq(schedules.weekday, placeholder('weekday'))))
      .prepare(),
});
