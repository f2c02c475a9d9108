// Slot availability, holds and the booking write, as seen from inside a transaction.
import { and, eq, gte, lte, lt, gt, inArray, ne, sql, isNull, or, type SQL } from 'drizzle-orm';
import { appointments, catalogVersion, clinics, closedDates, doctors, LIVE_APPOINTMENT_STATUSES, schedules, SEAT_HELD, slotHolds } from '../db/schema.js';
import {
  dateInDays,
  daySlots,
  doctorInitial,
  earliestLocalDate,
  isDate,
  isPastSlot,
  isTime,
  localNow,
  searchDates,
  tokenNumber,
  tokenSequence,
  withSequence,
  weekdayOf,
  type DaySlot,
  type ScheduleBlock,
} from '../booking/slots.js';
import { fail, ok, type Fail, type Result } from './result.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import type { Db } from '../db/client.js';
import { preparedStatements, sessionOf } from './prepared.js';

type Reader = Tx | Db;

export const HOLD_SECONDS = 60;
/** How far ahead the web and staff may book (the IVR offers within SEARCH_DAYS). */
export const BOOKING_HORIZON_DAYS = 90;

export interface DoctorInfo {
  id: number;
  name: string;
  specialty: string;
  clinicId: number;
  clinicName: string;
  timezone: string;
  active: boolean;
  blocks: ScheduleBlock[];
}

export interface SlotRef {
  date: string;
  time: string;
}

/** A doctor's row as DoctorInfo has it; shared with the prepared reads in queries.ts. */
export const DOCTOR_COLUMNS = {
  id: doctors.id,
  name: doctors.name,
  specialty: doctors.specialty,
  clinicId: doctors.clinicId,
  clinicName: clinics.name,
  timezone: clinics.timezone,
  active: doctors.active,
};

export const SCHEDULE_COLUMNS = {
  weekday: schedules.weekday,
  startTime: schedules.startTime,
  endTime: schedules.endTime,
  slotMinutes: schedules.slotMinutes,
  capacity: schedules.capacity,
};

/** What a connection has read of the catalog, valid while the catalog version is the one it was read under. */
const catalogCaches = new WeakMap<object, { version: number | null; reads: Map<string, unknown> }>();

/**
 * The connection's kept catalog reads. Any process's change to clinics, doctors or schedules gives
 * the catalog version a new random value, by trigger (a rolled-back change's value does not come
 * back for a later one). The version is read first, so data read after it is never older than it;
 * inside a transaction both come from one snapshot.
 */
function catalogCache(tx: Reader) {
  const version = statements(tx).catalogVersion.get()?.version ?? null;
  const key = sessionOf(tx);
  let cache = catalogCaches.get(key);
  if (!cache || cache.version !== version || version === null) {
    cache = { version, reads: new Map() };
    catalogCaches.set(key, cache);
  }
  return cache;
}

/**
 * What `read` answers, kept per connection and `key` while the catalog is unchanged
 * (catalogCache). `read` must read the catalog tables alone (clinics, doctors, schedules), and
 * answer something frozen: every caller shares it.
 */
export function keptCatalogRead<T>(tx: Reader, key: string, read: () => T): T {
  const { reads } = catalogCache(tx);
  if (!reads.has(key)) reads.set(key, read());
  return reads.get(key) as T;
}

/** Rows frozen, and the list too, for keptCatalogRead. */
export function frozenRows<T extends object>(rows: T[]): readonly Readonly<T>[] {
  return Object.freeze(rows.map((r) => Object.freeze(r)));
}

/**
 * A doctor with clinic and weekly schedule, as every offer, booking and slot list needs it, kept
 * per connection while the catalog is unchanged (catalogCache): the doctor and schedule reads were
 * about a tenth of a booking's statements (issue 10). The object is frozen: callers share it.
 */
export function loadDoctor(tx: Reader, doctorId: number): DoctorInfo | null {
  return keptCatalogRead(tx, `doctor ${doctorId}`, () => {
    const q = statements(tx);
    const row = q.doctor.get({ doctorId });
    return row ? Object.freeze({ ...row, blocks: frozenRows(q.schedules.all({ doctorId })) as ScheduleBlock[] }) : null;
  });
}

function closedSet(tx: Reader, doctor: DoctorInfo, from: string, to: string): Set<string> {
  const rows = statements(tx).closed.all({ clinicId: doctor.clinicId, doctorId: doctor.id, from, to });
  return new Set(rows.map((r) => r.date));
}

/**
 * One day's seats in use per slot time (live bookings plus unexpired holds of other holders), the
 * token numbers given out that day, and the earliest expiry among the holds counted (Infinity
 * without any): from two reads of that day alone.
 */
function dayUsage(tx: Reader, doctorId: number, date: string, nowMs: number, exceptHolder?: string) {
  const q = statements(tx);
  const used = new Map<string, number>();
  const inUse = new Set<number>();
  for (const r of q.dayBookings.all({ doctorId, date })) {
    used.set(r.time, (used.get(r.time) ?? 0) + 1);
    const n = tokenSequence(r.token);
    if (n !== null) inUse.add(n);
  }
  const until = countHolds(tx, doctorId, date, nowMs, exceptHolder, used);
  return { used, inUse, until };
}

/**
 * Adds the day's unexpired holds of other holders to `used` (seats per slot time); answers the
 * earliest expiry among them (Infinity without any).
 */
function countHolds(tx: Reader, doctorId: number, date: string, nowMs: number, exceptHolder: string | undefined, used: Map<string, number>): number {
  let until = Infinity;
  for (const h of statements(tx).holds.all({ doctorId, from: date, to: date, nowMs })) {
    if (h.holder === exceptHolder) continue;
    used.set(h.time, (used.get(h.time) ?? 0) + 1);
    if (h.expiresAt < until) until = h.expiresAt;
  }
  return until;
}

/** A slot has begun once the clinic's wall clock reaches its minute (string compare, no zone math per slot). */
function pastTest(timezone: string, now: Date): (date: string, time: string) => boolean {
  const local = localNow(timezone, now);
  return (date, time) => date < local.date || (date === local.date && time <= local.time);
}

/**
 * Token numbers already given out for the doctor's day: every booking that is not cancelled
 * (live ones and past ones: completed, no-show), whatever schedule made them. Numbers only, so a
 * renamed doctor (another initial) still never shows two patients the same number that day.
 */
export function tokenNumbersInUse(tx: Reader, doctorId: number, date: string): Set<number> {
  const rows = statements(tx).dayBookings.all({ doctorId, date });
  const out = new Set<number>();
  for (const r of rows) {
    const n = tokenSequence(r.token);
    if (n !== null) out.add(n);
  }
  return out;
}

/**
 * Whether token number `n` is given out for the doctor's day (as tokenNumbersInUse(…).has(n)),
 * without reading the whole day. Every token is `<initial>-<number>` (tokenNumber, withSequence),
 * so with this doctor's initial X the tokens that can carry n are: `X-n` itself, any token not
 * starting with `X-` (another initial: a renamed doctor), and `X-0…`; four index seeks, usually
 * finding one row or none. The caller's number test decides among them.
 */
function tokenNumberInUse(tx: Reader, doctorId: number, date: string, wanted: string, n: number): boolean {
  const initial = wanted.slice(0, wanted.lastIndexOf('-'));
  return statements(tx)
    .tokenCandidates.all({ doctorId, date, wanted, below: `${initial}-`, above: `${initial}.`, zeroFrom: `${initial}-0`, zeroTo: `${initial}-1` })
    .some((r) => tokenSequence(r.token) === n);
}

/** How many token numbers the day's schedule gives out: the formula never goes above this. */
export function daySeatCount(slots: readonly DaySlot[]): number {
  const last = slots.at(-1);
  return last ? last.seatsBefore + last.capacity : 0;
}

/**
 * The token for a seat: SPEC §4's `(slot index − 1) × capacity + seat`, unless a booking made under
 * an older schedule already holds that number that day (a 09:00 start moved to 08:00 makes the new
 * 08:00 slot's formula number that of the old 09:00 one). Then the next number after the day's
 * highest, where the highest is the larger of any number in use and the last number today's
 * schedule can give. Such a number was never handed out and no slot of the current schedule will
 * ever ask for it, so one collision does not push the next slot's number off too; the queue and
 * the waiting room never show a number twice. Unique per doctor and day whatever the schedule did
 * (and the token index stays the last word: a race ends in slot_taken, not a duplicate).
 */
export function assignToken(doctorName: string, slot: DaySlot, seat: number, inUse: ReadonlySet<number>, daySeats: number): string {
  const wanted = tokenNumber(doctorName, slot, seat);
  const n = tokenSequence(wanted)!;
  if (!inUse.has(n)) return wanted;
  let highest = daySeats;
  for (const used of inUse) if (used > highest) highest = used;
  return withSequence(wanted, highest + 1);
}

/**
 * assignToken for one seat, the day's numbers read only when the seat's own number is taken (a
 * schedule change): otherwise four index seeks (tokenNumberInUse), not the whole day.
 */
function seatToken(tx: Reader, doctor: DoctorInfo, date: string, slot: DaySlot, seat: number, daySeats: number): string {
  const wanted = tokenNumber(doctor.name, slot, seat);
  const inUse = tokenNumberInUse(tx, doctor.id, date, wanted, tokenSequence(wanted)!) ? tokenNumbersInUse(tx, doctor.id, date) : NONE_IN_USE;
  return assignToken(doctor.name, slot, seat, inUse, daySeats);
}

export interface FreeSlot extends SlotRef {
  token: string;
  seatsLeft: number;
}

/**
 * Free slots of one day (not past, not closed, under capacity), with `until`: the earliest expiry
 * (ms) among the holds counted against them (Infinity without any). At or after `until` a seat may
 * come free with no write to the database at all, so the answer no longer holds then.
 */
export function freeSlotsUntil(tx: Reader, doctor: DoctorInfo, date: string, now: Date, exceptHolder?: string): { slots: FreeSlot[]; until: number } {
  if (closedSet(tx, doctor, date, date).has(date)) return { slots: [], until: Infinity };
  // The day's bookings read once: seats in use per slot and the token numbers given out.
  // Each collision number shown is counted as given too, so two listed slots never show the same one.
  const { used, inUse, until } = dayUsage(tx, doctor.id, date, now.getTime(), exceptHolder);
  const isPast = pastTest(doctor.timezone, now);
  const slots = daySlots(doctor.blocks, weekdayOf(date));
  const daySeats = daySeatCount(slots);
  // tokenNumber's `<initial>-<number>`, with the initial worked out once per list, not per slot.
  const initial = doctorInitial(doctor.name);
  const out: FreeSlot[] = [];
  for (const slot of slots) {
    if (isPast(date, slot.time)) continue;
    const n = used.get(slot.time) ?? 0;
    if (n < slot.capacity) {
      const seq = slot.seatsBefore + n + 1;
      let token = `${initial}-${seq}`;
      if (inUse.has(seq)) {
        // The formula's number is taken (an older schedule): assignToken's next free number.
        token = assignToken(doctor.name, slot, n + 1, inUse, daySeats);
        inUse.add(tokenSequence(token)!);
      }
      out.push({ date, time: slot.time, token, seatsLeft: slot.capacity - n });
    }
  }
  return { slots: out, until };
}

/**
 * The first free slot strictly after `after` (or from now), within the 30-day search window. Day
 * by day, no further than the first day with a free seat; each day read as seats taken per slot
 * time from its first open slot on (one row per booked time, counted by SQLite in the seat index),
 * and the token's number checked alone (tokenNumberInUse): a popular doctor's day read booking by
 * booking, every booking's token parsed, was the offer's cost and grew with the day (issue 10).
 */
export function nextFreeSlot(tx: Reader, doctor: DoctorInfo, now: Date, after?: SlotRef, exceptHolder?: string): FreeSlot | null {
  const dates = searchDates(doctor.timezone, now);
  const closed = closedSet(tx, doctor, dates[0]!, dates[dates.length - 1]!);
  const isPast = pastTest(doctor.timezone, now);
  const q = statements(tx);
  const nowMs = now.getTime();
  for (const date of dates) {
    if (closed.has(date)) continue;
    if (after && date < after.date) continue;
    const slots = daySlots(doctor.blocks, weekdayOf(date));
    const open = slots.filter((slot) => !(after && date === after.date && slot.time <= after.time) && !isPast(date, slot.time));
    if (open.length === 0) continue;
    const used = new Map<string, number>();
    for (const [time, n] of q.seatsTakenFrom.values({ doctorId: doctor.id, date, from: open[0]!.time }) as [string, number][]) used.set(time, n);
    countHolds(tx, doctor.id, date, nowMs, exceptHolder, used);
    for (const slot of open) {
      const n = used.get(slot.time) ?? 0;
      if (n < slot.capacity) {
        return { date, time: slot.time, token: seatToken(tx, doctor, date, slot, n + 1, daySeatCount(slots)), seatsLeft: slot.capacity - n };
      }
    }
  }
  return null;
}

export function releaseHolds(tx: Tx, holder: string): void {
  statements(tx).releaseHolds.run({ holder });
}

export function placeHold(tx: Tx, doctorId: number, slot: SlotRef, holder: string, now: Date): void {
  const q = statements(tx);
  q.expireHolds.run({ nowMs: now.getTime() });
  releaseHolds(tx, holder);
  q.insertHold.run({ doctorId, date: slot.date, slotTime: slot.time, holder, expiresAt: now.getTime() + HOLD_SECONDS * 1000 });
}

export interface BookRequest {
  doctor: DoctorInfo;
  patientId: number;
  personPhone: string;
  date: string;
  time: string;
  channel: 'ivr' | 'web' | 'desk';
  /** The caller whose offer hold this booking consumes (its own hold does not count against it). */
  holder?: string;
}

export type BookFailure =
  | 'not_found'
  | 'slot_taken'
  | 'slot_in_past'
  | 'clinic_closed'
  | 'already_booked_with_doctor'
  | 'appointment_limit';

export interface Booked {
  id: number;
  date: string;
  time: string;
  token: string;
  seat: number;
}

/** Checks a slot for a booking without writing: shared by booking and by the API's pre-checks. */
export function checkSlot(
  tx: Reader,
  doctor: DoctorInfo,
  date: string,
  time: string,
  now: Date,
): Result<DaySlot, 'not_found' | 'slot_in_past' | 'clinic_closed'> {
  if (!doctor.active) return fail('not_found', 'This doctor is not taking appointments.');
  if (!isDate(date) || !isTime(time)) return fail('not_found', 'There is no such slot.');
  if (isPastSlot(date, time, doctor.timezone, now)) return fail('slot_in_past', 'That slot has already passed.');
  const slot = daySlots(doctor.blocks, weekdayOf(date)).find((s) => s.time === time);
  if (!slot) return fail('not_found', `${doctor.name} has no slot at ${time} on ${date}.`);
  const horizon = dateInDays(doctor.timezone, now, BOOKING_HORIZON_DAYS);
  if (date > horizon) return fail('not_found', `Bookings open ${BOOKING_HORIZON_DAYS} days ahead.`);
  if (closedSet(tx, doctor, date, date).has(date)) return fail('clinic_closed', 'The clinic is closed on that day.');
  return ok(slot);
}

/**
 * Upcoming live bookings of a person (by phone), for MAX_ACTIVE_APPOINTMENTS. "Upcoming" means
 * later than now in each booking's clinic timezone (SPEC §10): this morning's visit, already past,
 * no longer counts against a booking for this afternoon.
 */
export function activeBookingCount(tx: Reader, phone: string, now: Date): number {
  return liveFromEarliestDate(tx, phone, now) - nearButBegun(tx, phone, now);
}

/**
 * Whether the person already holds `max` upcoming live bookings (MAX_ACTIVE_APPOINTMENTS). Their
 * live bookings from a date no clinic has passed yet are counted first, from the phone index
 * alone: that count is never below the exact one, so under `max` it answers; only a person at the
 * limit has their nearest bookings read and judged in each one's clinic zone. That read was a
 * booking's dearest (issue 10).
 */
export function atBookingLimit(tx: Reader, phone: string, now: Date, max: number): boolean {
  const atMost = liveFromEarliestDate(tx, phone, now);
  return atMost >= max && atMost - nearButBegun(tx, phone, now) >= max;
}

/** Live bookings on or after a date no clinic anywhere has left yet: the upcoming ones and a few begun. */
function liveFromEarliestDate(tx: Reader, phone: string, now: Date): number {
  return statements(tx).activeFrom.get({ phone, from: earliestLocalDate(now) })?.n ?? 0;
}

/**
 * Of those, the ones already begun in their clinic's zone. A booking on or after `far` is
 * upcoming in every zone (offsets stay within ±14 h): only the few nearer ones are read.
 */
function nearButBegun(tx: Reader, phone: string, now: Date): number {
  const far = new Date(now.getTime() + 3 * 86_400_000).toISOString().slice(0, 10);
  const near = statements(tx).activeBetween.all({ phone, from: earliestLocalDate(now), to: far });
  return near.filter((r) => isPastSlot(r.date, r.time, r.timezone, now)).length;
}

/** SQLite's constraint failures (UNIQUE, CHECK, NOT NULL, FOREIGN KEY, a trigger's RAISE). */
export function isConstraintViolation(e: unknown): boolean {
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string' && (e as { code: string }).code.startsWith('SQLITE_CONSTRAINT');
}

export const SLOT_TAKEN_MESSAGE = 'That slot has just been taken.';

/** slot_taken answers that came from a constraint violation (not from a full slot). */
const FROM_CONSTRAINT = new WeakSet<object>();

function constraintSlotTaken(): Fail<'slot_taken'> {
  const f = fail('slot_taken', SLOT_TAKEN_MESSAGE);
  FROM_CONSTRAINT.add(f);
  return f;
}

/**
 * writeTx for a booking: a constraint violation anywhere in it (the booking row, a patient, an
 * outbox row) rolls the whole transaction back and answers `slot_taken`, never an exception:
 * the web answers 409 and the IVR offers the slot after it. The slot is then held for
 * HOLD_SECONDS under a quarantine holder, so a violation nobody foresaw does not make every next
 * caller hear the same dead slot offered and refused.
 */
export function bookingWriteTx<T>(ctx: SyncContext, slot: { doctorId: number } & SlotRef, body: (tx: Tx) => T): T | Fail<'slot_taken'> {
  let result: T | Fail<'slot_taken'>;
  try {
    result = writeTx(ctx, body);
  } catch (e) {
    if (!isConstraintViolation(e)) throw e;
    result = constraintSlotTaken();
  }
  if (typeof result === 'object' && result !== null && FROM_CONSTRAINT.has(result)) {
    try {
      writeTx(ctx, (tx) => placeHold(tx, slot.doctorId, slot, `quarantine:${slot.doctorId}:${slot.date}:${slot.time}`, ctx.now()));
    } catch (e) {
      // Best effort: the answer is slot_taken either way.
      if (!isConstraintViolation(e)) throw e;
    }
  }
  return result;
}

/** The booking write. Runs inside the caller's immediate transaction. */
export function bookInTx(tx: Tx, req: BookRequest, now: Date, maxActive: number): Result<Booked, BookFailure> {
  const { doctor, date, time } = req;
  const checked = checkSlot(tx, doctor, date, time, now);
  if (!checked.ok) return checked;
  const slot = checked.value;

  const q = statements(tx);
  const sameDay = q.sameDay.get({ doctorId: doctor.id, date, phone: req.personPhone });
  if (sameDay) return fail('already_booked_with_doctor', `You already have an appointment with Dr ${doctor.name} that day.`);

  if (atBookingLimit(tx, req.personPhone, now, maxActive)) {
    return fail('appointment_limit', `You can hold at most ${maxActive} upcoming appointments.`);
  }

  const seatsTaken = new Set(q.seatsTaken.all({ doctorId: doctor.id, date, time }).map((r) => r.seat));
  const otherHolds = q.slotHolders
    .all({ doctorId: doctor.id, date, time, nowMs: now.getTime() })
    .filter((h) => h.holder !== req.holder).length;
  if (seatsTaken.size + otherHolds >= slot.capacity) return fail('slot_taken', SLOT_TAKEN_MESSAGE);

  let seat = 1;
  while (seatsTaken.has(seat)) seat++;
  const token = seatToken(tx, doctor, date, slot, seat, daySeatCount(daySlots(doctor.blocks, weekdayOf(date))));
  let row: { id: number };
  try {
    row = q.insertAppointment.get({
      patientId: req.patientId,
      doctorId: doctor.id,
      date,
      slotTime: time,
      seat,
      tokenNumber: token,
      personPhone: req.personPhone,
      channel: req.channel,
      // The sync clock, not SQLite's: "booked less than REMINDER_HOURS before" is judged on it.
      createdAt: now.toISOString(),
    })!;
  } catch (e) {
    // The partial unique indexes are the last word on seats, tokens and one-per-doctor-day: a
    // violation the checks above did not foresee is still an expected outcome, not a 500. Only
    // this statement failed; the caller rolls the whole transaction back (abort).
    if (isConstraintViolation(e)) return constraintSlotTaken();
    throw e;
  }
  if (req.holder) releaseHolds(tx, req.holder);
  return ok({ id: row.id, date, time, token, seat });
}

const NONE_IN_USE: ReadonlySet<number> = new Set();
const p = sql.placeholder;
const LIVE = [...LIVE_APPOINTMENT_STATUSES];

// The status conditions are written out (not parameters) so that SQLite may use the partial
// unique indexes (token, person-doctor-day): a parameter cannot prove a partial index's WHERE,
// and the planner then reads the doctor's whole day instead.
const notCancelled = sql`${appointments.status} <> 'cancelled'`;
// Seats held, as appointments_seat_uq keys them (schema.ts): the seat reads come from the index alone.
const seatHeld = sql`${SEAT_HELD} = 0`;
const live = sql`${appointments.status} in ('booked', 'arrived')`;

const statements = preparedStatements({
  catalogVersion: (r) => r.select({ version: catalogVersion.version }).from(catalogVersion).where(eq(catalogVersion.id, 1)).prepare(),
  doctor: (r) =>
    r.select(DOCTOR_COLUMNS).from(doctors).innerJoin(clinics, eq(clinics.id, doctors.clinicId)).where(eq(doctors.id, p('doctorId'))).prepare(),
  schedules: (r) =>
    r.select(SCHEDULE_COLUMNS).from(schedules).where(eq(schedules.doctorId, p('doctorId'))).prepare(),
  closed: (r) =>
    r
      .select({ date: closedDates.date })
      .from(closedDates)
      .where(
        and(
          eq(closedDates.clinicId, p('clinicId')),
          or(isNull(closedDates.doctorId), eq(closedDates.doctorId, p('doctorId'))),
          gte(closedDates.date, p('from')),
          lte(closedDates.date, p('to')),
        ),
      )
      .prepare(),
  holds: (r) =>
    r
      .select({ date: slotHolds.date, time: slotHolds.slotTime, holder: slotHolds.holder, expiresAt: slotHolds.expiresAt })
      .from(slotHolds)
      .where(and(eq(slotHolds.doctorId, p('doctorId')), gte(slotHolds.date, p('from')), lte(slotHolds.date, p('to')), gt(slotHolds.expiresAt, p('nowMs'))))
      .prepare(),
  // Seats taken per slot time from `from` on: counted in appointments_seat_uq alone, one row per
  // booked time.
  seatsTakenFrom: (r) =>
    r
      .select({ time: appointments.slotTime, n: sql<number>`count(*)` })
      .from(appointments)
      .where(and(eq(appointments.doctorId, p('doctorId')), eq(appointments.date, p('date')), seatHeld, gte(appointments.slotTime, p('from'))))
      .groupBy(appointments.slotTime)
      .prepare(),
  dayBookings: (r) =>
    r
      .select({ time: appointments.slotTime, token: appointments.tokenNumber })
      .from(appointments)
      .where(and(eq(appointments.doctorId, p('doctorId')), eq(appointments.date, p('date')), notCancelled))
      .prepare(),
  // The four seeks of tokenNumberInUse (the token index is ordered by doctor, day, token).
  tokenCandidates: (r) => {
    const day = (cond: SQL) =>
      r
        .select({ token: appointments.tokenNumber })
        .from(appointments)
        .where(and(eq(appointments.doctorId, p('doctorId')), eq(appointments.date, p('date')), notCancelled, cond));
    return day(eq(appointments.tokenNumber, p('wanted')))
      .unionAll(day(lt(appointments.tokenNumber, p('below'))))
      .unionAll(day(gte(appointments.tokenNumber, p('above'))))
      .unionAll(day(and(gte(appointments.tokenNumber, p('zeroFrom')), lt(appointments.tokenNumber, p('zeroTo')))!))
      .prepare();
  },
  releaseHolds: (r) =>
    r.delete(slotHolds).where(eq(slotHolds.holder, p('holder'))).prepare(),
  expireHolds: (r) =>
    r.delete(slotHolds).where(lte(slotHolds.expiresAt, p('nowMs'))).prepare(),
  insertHold: (r) =>
    r
      .insert(slotHolds)
      .values({ doctorId: p('doctorId'), date: p('date'), slotTime: p('slotTime'), holder: p('holder'), expiresAt: p('expiresAt') })
      .prepare(),
  activeFrom: (r) =>
    r
      .select({ n: sql<number>`count(*)` })
      .from(appointments)
      .where(and(eq(appointments.personPhone, p('phone')), inArray(appointments.status, LIVE), gte(appointments.date, p('from'))))
      .prepare(),
  activeBetween: (r) =>
    r
      .select({ date: appointments.date, time: appointments.slotTime, timezone: clinics.timezone })
      .from(appointments)
      .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
      .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
      .where(and(eq(appointments.personPhone, p('phone')), inArray(appointments.status, LIVE), gte(appointments.date, p('from')), lt(appointments.date, p('to'))))
      .prepare(),
  sameDay: (r) =>
    r
      .select({ id: appointments.id })
      .from(appointments)
      .where(and(eq(appointments.doctorId, p('doctorId')), eq(appointments.date, p('date')), eq(appointments.personPhone, p('phone')), live))
      .prepare(),
  seatsTaken: (r) =>
    r
      .select({ seat: appointments.seat })
      .from(appointments)
      .where(and(eq(appointments.doctorId, p('doctorId')), eq(appointments.date, p('date')), eq(appointments.slotTime, p('time')), seatHeld))
      .prepare(),
  slotHolders: (r) =>
    r
      .select({ holder: slotHolds.holder })
      .from(slotHolds)
      .where(and(eq(slotHolds.doctorId, p('doctorId')), eq(slotHolds.date, p('date')), eq(slotHolds.slotTime, p('time')), gt(slotHolds.expiresAt, p('nowMs'))))
      .prepare(),
  insertAppointment: (r) =>
    r
      .insert(appointments)
      .values({
        patientId: p('patientId'),
        doctorId: p('doctorId'),
        date: p('date'),
        slotTime: p('slotTime'),
        seat: p('seat'),
        tokenNumber: p('tokenNumber'),
        personPhone: p('personPhone'),
        channel: p('channel'),
        status: 'booked',
        createdAt: p('createdAt'),
      })
      .returning({ id: appointments.id })
      .prepare(),
});
