// Read-only queries the API and the IVR need. Reads run outside write transactions (WAL snapshot).
import { and, asc, desc, eq, gte, inArray } from 'drizzle-orm';
import { accounts, appointments, clinics, doctors, LIVE_APPOINTMENT_STATUSES, patients } from '../db/schema.js';
import { dateInDays, localNow } from '../booking/slots.js';
import { normalizePhone } from '../phone/index.js';
import { BOOKING_HORIZON_DAYS, freeSlotsOn, loadDoctor, type FreeSlot } from './availability.js';
import type { SyncContext } from './context.js';
import type { AccountRow } from './accounts-in-tx.js';

export type ClinicRow = typeof clinics.$inferSelect;
export type DoctorRow = typeof doctors.$inferSelect;

export function listClinics(ctx: SyncContext): ClinicRow[] {
  return ctx.db.select().from(clinics).orderBy(asc(clinics.id)).all();
}

export function activeDoctors(ctx: SyncContext, clinicId: number): DoctorRow[] {
  return ctx.db
    .select()
    .from(doctors)
    .where(and(eq(doctors.clinicId, clinicId), eq(doctors.active, true)))
    .orderBy(asc(doctors.displayOrder), asc(doctors.id))
    .all();
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

export function freeSlots(ctx: SyncContext, doctorId: number, date: string): FreeSlot[] | null {
  const doctor = loadDoctor(ctx.db, doctorId);
  if (!doctor || !doctor.active) return null;
  // The same horizon booking enforces (checkSlot): never list a slot that cannot be booked.
  if (date > dateInDays(doctor.timezone, ctx.now(), BOOKING_HORIZON_DAYS)) return [];
  return freeSlotsOn(ctx.db, doctor, date, ctx.now());
}

/** Login by username or by phone (any form that normalises). */
export function accountForLogin(ctx: SyncContext, login: { username?: string; phone?: string }): AccountRow | undefined {
  if (login.username !== undefined) {
    const byName = ctx.db.select().from(accounts).where(eq(accounts.username, login.username.trim().toLowerCase())).get();
    if (byName) return byName;
    // IVR usernames are E.164 phones: "9999999999" typed as a username finds that account.
    const asPhone = normalizePhone(login.username, ctx.region);
    if (asPhone.ok) return ctx.db.select().from(accounts).where(eq(accounts.phone, asPhone.phone)).get();
    return undefined;
  }
  if (login.phone !== undefined) {
    const p = normalizePhone(login.phone, ctx.region);
    if (!p.ok) return undefined;
    return ctx.db.select().from(accounts).where(eq(accounts.phone, p.phone)).get();
  }
  return undefined;
}

export function accountById(ctx: SyncContext, id: number): AccountRow | undefined {
  return ctx.db.select().from(accounts).where(eq(accounts.id, id)).get();
}

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
  return ctx.db
    .select(appointmentView)
    .from(appointments)
    .innerJoin(patients, eq(patients.id, appointments.patientId))
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(clinics, eq(clinics.id, doctors.clinicId));
}

/** All appointments of all the account's patients, newest first. */
export function appointmentsOfAccount(ctx: SyncContext, accountId: number): AppointmentView[] {
  return appointmentQuery(ctx)
    .where(eq(patients.accountId, accountId))
    .orderBy(desc(appointments.date), desc(appointments.slotTime), desc(appointments.id))
    .all();
}

export function appointmentById(ctx: SyncContext, id: number): AppointmentView | undefined {
  return appointmentQuery(ctx).where(eq(appointments.id, id)).get();
}

/** A caller's upcoming booked appointments, soonest first (IVR "my appointments"). */
export function upcomingForPhone(ctx: SyncContext, phone: string, timezone = 'Asia/Kolkata'): AppointmentView[] {
  const today = localNow(timezone, ctx.now()).date;
  return appointmentQuery(ctx)
    .where(
      and(
        eq(appointments.personPhone, phone),
        inArray(appointments.status, [...LIVE_APPOINTMENT_STATUSES]),
        gte(appointments.date, today),
      ),
    )
    .orderBy(asc(appointments.date), asc(appointments.slotTime))
    .all();
}

/** Staff view: one day's appointments, optionally for one doctor. */
export function appointmentsOnDay(ctx: SyncContext, date: string, doctorId?: number): AppointmentView[] {
  return appointmentQuery(ctx)
    .where(doctorId === undefined ? eq(appointments.date, date) : and(eq(appointments.date, date), eq(appointments.doctorId, doctorId)))
    .orderBy(asc(doctors.displayOrder), asc(appointments.slotTime), asc(appointments.seat))
    .all();
}
