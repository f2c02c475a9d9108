// Drizzle rows (camelCase) → the API's snake_case JSON.
import { isPastSlot } from '../booking/slots.js';
import type { AccountRow, AppointmentView, ClinicRow, DoctorRow, PatientRow } from '../sync/index.js';
import type { ClosedDateRow, ScheduleRow } from '../sync/admin.js';
import type { UserJson } from './schemas.js';

export function userView(a: AccountRow): UserJson {
  return { id: a.id, username: a.username, name: a.displayName, phone_number: a.phone, status: a.status, role: a.role };
}

export function patientView(p: PatientRow) {
  return { id: p.id, name: p.name, age: p.age ?? null, phone_number: p.phone, source: p.source };
}

export function appointmentView(a: AppointmentView, now: Date) {
  return {
    id: a.id,
    patient_id: a.patientId,
    patient_name: a.patientName,
    phone_number: a.phone,
    channel: a.channel,
    doctor_id: a.doctorId,
    doctor: a.doctorName,
    specialty: a.specialty,
    clinic_id: a.clinicId,
    clinic: a.clinicName,
    date: a.date,
    time: a.time,
    token: a.token,
    status: a.status,
    cancellable: (a.status === 'booked' || a.status === 'arrived') && !isPastSlot(a.date, a.time, a.timezone, now),
    created_at: a.createdAt,
    arrived_at: a.arrivedAt,
    called_at: a.calledAt,
  };
}

export function clinicView(c: ClinicRow) {
  return { id: c.id, name: c.name, did: c.did, timezone: c.timezone };
}

export function doctorView(d: DoctorRow) {
  return { id: d.id, clinic_id: d.clinicId, name: d.name, specialty: d.specialty, display_order: d.displayOrder, active: d.active };
}

export function scheduleView(s: ScheduleRow) {
  return { id: s.id, weekday: s.weekday, start: s.startTime, end: s.endTime, slot_minutes: s.slotMinutes, capacity: s.capacity };
}

export function closedDateView(c: ClosedDateRow) {
  return { id: c.id, clinic_id: c.clinicId, doctor_id: c.doctorId ?? null, date: c.date, reason: c.reason };
}
