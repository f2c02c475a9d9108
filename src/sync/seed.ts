// Loads clinics, doctors and schedules from a seed file. Idempotent: clinics match by name,
// doctors by name within their clinic, and a doctor's schedule is replaced by the file's.
import { and, eq } from 'drizzle-orm';
import { clinics, doctors, schedules } from '../db/schema.js';
import { isTime, isValidTimezone } from '../booking/slots.js';
import { writeTx, type SyncContext } from './context.js';

export interface SeedFile {
  clinics: Array<{
    name: string;
    did: string;
    timezone?: string;
    doctors: Array<{
      name: string;
      specialty: string;
      display_order: number;
      active?: boolean;
      schedules: Array<{ weekdays: number[]; start: string; end: string; slot_minutes: number; capacity?: number }>;
    }>;
  }>;
}

export function validateSeed(seed: SeedFile): string | null {
  for (const c of seed.clinics ?? []) {
    if (!c.name) return 'a clinic has no name';
    if (c.timezone && !isValidTimezone(c.timezone)) return `clinic ${c.name}: unknown timezone ${c.timezone}`;
    for (const d of c.doctors ?? []) {
      for (const s of d.schedules ?? []) {
        if (!isTime(s.start) || !isTime(s.end) || s.start >= s.end) return `${d.name}: bad schedule ${s.start}-${s.end}`;
        if (!s.weekdays.every((w) => Number.isInteger(w) && w >= 1 && w <= 7)) return `${d.name}: weekdays are 1 (Mon) to 7 (Sun)`;
      }
    }
  }
  return null;
}

export function loadSeed(ctx: SyncContext, seed: SeedFile): { clinics: number; doctors: number } {
  const problem = validateSeed(seed);
  if (problem) throw new Error(`seed: ${problem}`);
  return writeTx(ctx, (tx) => {
    let doctorCount = 0;
    for (const c of seed.clinics) {
      let clinic = tx.select().from(clinics).where(eq(clinics.name, c.name)).get();
      if (clinic) {
        tx.update(clinics)
          .set({ did: c.did, timezone: c.timezone ?? 'Asia/Kolkata' })
          .where(eq(clinics.id, clinic.id))
          .run();
      } else {
        clinic = tx
          .insert(clinics)
          .values({ name: c.name, did: c.did, timezone: c.timezone ?? 'Asia/Kolkata' })
          .returning()
          .get();
      }
      for (const d of c.doctors) {
        let doctor = tx
          .select()
          .from(doctors)
          .where(and(eq(doctors.clinicId, clinic.id), eq(doctors.name, d.name)))
          .get();
        const values = { specialty: d.specialty, displayOrder: d.display_order, active: d.active ?? true };
        if (doctor) tx.update(doctors).set(values).where(eq(doctors.id, doctor.id)).run();
        else doctor = tx.insert(doctors).values({ clinicId: clinic.id, name: d.name, ...values }).returning().get();
        tx.delete(schedules).where(eq(schedules.doctorId, doctor.id)).run();
        for (const s of d.schedules) {
          for (const weekday of s.weekdays) {
            tx.insert(schedules)
              .values({
                doctorId: doctor.id,
                weekday,
                startTime: s.start,
                endTime: s.end,
                slotMinutes: s.slot_minutes,
                capacity: s.capacity ?? 1,
              })
              .run();
          }
        }
        doctorCount++;
      }
    }
    return { clinics: seed.clinics.length, doctors: doctorCount };
  });
}
