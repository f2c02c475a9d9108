// Slot rules, pure: schedules → the day's slots, token numbers, time in the clinic's zone.
import { DateTime } from 'luxon';

export interface ScheduleBlock {
  weekday: number; // 1 = Monday … 7 = Sunday
  startTime: string; // "HH:MM"
  endTime: string;
  slotMinutes: number;
  capacity: number;
}

export interface DaySlot {
  time: string; // "HH:MM"
  capacity: number;
  /** Seats in the doctor's earlier slots that day: token = seatsBefore + seat. */
  seatsBefore: number;
  index: number; // 1-based
}

export const SEARCH_DAYS = 30;

/**
 * A bounded memo for the pure functions below: luxon's zone math and the day's slot list were a
 * large share of every booking's and every slots request's CPU (issue 10), yet they are asked the
 * same few questions again and again (the same zone this minute, the same dates, the same schedule).
 */
function memo<V>(max = 4096): (key: string, make: () => V) => V {
  const m = new Map<string, V>();
  return (key, make) => {
    let v = m.get(key);
    if (v === undefined && !m.has(key)) {
      v = make();
      if (m.size >= max) m.clear();
      m.set(key, v);
    }
    return v as V;
  };
}

/** Local results that hold for a whole UTC minute (every zone's offset today is whole minutes). */
const minuteKey = (timezone: string, now: Date) => `${timezone} ${Math.floor(now.getTime() / 60_000)}`;

function minutes(hhmm: string): number {
  const [h, m] = hhmm.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

function hhmm(total: number): string {
  return `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;
}

export function isTime(s: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

const validDates = memo<boolean>();
export function isDate(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}$/.test(s) && validDates(s, () => DateTime.fromISO(s).isValid);
}

const weekdays = memo<number>();
/** ISO weekday (1 = Monday) of a "YYYY-MM-DD" date. */
export function weekdayOf(date: string): number {
  return weekdays(date, () => DateTime.fromISO(date, { zone: 'utc' }).weekday);
}

const slotLists = memo<readonly DaySlot[]>(1024);
/**
 * The doctor's slots on one weekday, in time order, with the seat numbering the tokens use.
 * The same list (do not change it) for the same schedule and weekday.
 */
export function daySlots(blocks: readonly ScheduleBlock[], weekday: number): readonly DaySlot[] {
  let key = String(weekday);
  for (const b of blocks) if (b.weekday === weekday) key += `|${b.startTime} ${b.endTime} ${b.slotMinutes} ${b.capacity}`;
  return slotLists(key, () => Object.freeze(makeDaySlots(blocks, weekday)));
}

function makeDaySlots(blocks: readonly ScheduleBlock[], weekday: number): DaySlot[] {
  const byTime = new Map<string, number>();
  for (const b of blocks) {
    if (b.weekday !== weekday) continue;
    for (let t = minutes(b.startTime); t + b.slotMinutes <= minutes(b.endTime); t += b.slotMinutes) {
      const time = hhmm(t);
      if (!byTime.has(time)) byTime.set(time, b.capacity);
    }
  }
  const out: DaySlot[] = [];
  let seatsBefore = 0;
  for (const time of [...byTime.keys()].sort()) {
    const capacity = byTime.get(time)!;
    out.push({ time, capacity, seatsBefore, index: out.length + 1 });
    seatsBefore += capacity;
  }
  return out;
}

/**
 * The doctor's name without a leading "Dr" / "Dr." title: "Dr. Sharma", "Dr Sharma" and
 * "Dr.Sharma" are all "Sharma"; "Drew" and "Dravid" keep their letters (after a bare "Dr" the
 * title needs a space, after "Dr." it does not).
 */
export function doctorBareName(name: string): string {
  return name.trim().replace(/^dr(?:\.\s*|\s+)/i, '').trim();
}

export function doctorInitial(name: string): string {
  return (doctorBareName(name).charAt(0) || 'D').toUpperCase();
}

/** With capacity 1 the token is the slot's index (S-3); otherwise (index − 1) × capacity + seat. */
export function tokenNumber(doctorName: string, slot: DaySlot, seat: number): string {
  return `${doctorInitial(doctorName)}-${slot.seatsBefore + seat}`;
}

/** The number of a token ("S-12" → 12); null for a token not made by tokenNumber. */
export function tokenSequence(token: string): number | null {
  const m = /-(\d+)$/.exec(token);
  return m ? Number(m[1]) : null;
}

/** The same doctor's initial with another number ("S-3", 7 → "S-7"). */
export function withSequence(token: string, n: number): string {
  return token.replace(/-\d+$/, `-${n}`);
}

const localNows = memo<{ readonly date: string; readonly time: string }>(256);
export function localNow(timezone: string, now: Date): { readonly date: string; readonly time: string } {
  return localNows(minuteKey(timezone, now), () => {
    const dt = DateTime.fromJSDate(now, { zone: timezone });
    return Object.freeze({ date: dt.toFormat('yyyy-MM-dd'), time: dt.toFormat('HH:mm') });
  });
}

/**
 * A date no clinic anywhere has passed yet (UTC−12 is the last zone to leave a day): a coarse,
 * index-friendly lower bound for "upcoming", refined per booking with isPastSlot in its own zone.
 */
export function earliestLocalDate(now: Date): string {
  return localDates(`earliest ${Math.floor(now.getTime() / 60_000)}`, () => DateTime.fromJSDate(now, { zone: 'utc' }).minus({ hours: 14 }).toFormat('yyyy-MM-dd'));
}

const slotInstants = memo<number>(16384);
/** The instant a slot starts. */
export function slotInstant(date: string, time: string, timezone: string): Date {
  return new Date(slotMs(date, time, timezone));
}

function slotMs(date: string, time: string, timezone: string): number {
  return slotInstants(`${timezone} ${date}T${time}`, () => DateTime.fromISO(`${date}T${time}`, { zone: timezone }).toMillis());
}

const dayNumbers = memo<number>(4096);
/** Days since 1970-01-01 of a "yyyy-mm-dd" date (NaN for anything else). */
function dayNumber(date: string): number {
  return dayNumbers(date, () => Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / 86_400_000);
}

const minutesOfDay = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));

/**
 * Wall-clock distance beyond which no offset change can put two local times of one zone in the
 * other order: summer-time changes move clocks by at most two hours. (Only a zone moving across
 * the date line, as Samoa did in 2011, jumps further.)
 */
const WALL_CLOCK_MARGIN_MINUTES = 6 * 60;

/**
 * Whether a slot has begun. A slot more than six hours of wall clock away from the clinic's now is
 * judged by its date and time alone; nearer ones by their instant in the zone. Each booking is a
 * slot never asked about before, and working out its instant (luxon) was 2–3 % of a booking's
 * CPU (issue 10).
 */
export function isPastSlot(date: string, time: string, timezone: string, now: Date): boolean {
  const local = localNow(timezone, now);
  const gap = (dayNumber(date) - dayNumber(local.date)) * 1440 + minutesOfDay(time) - minutesOfDay(local.time);
  if (gap > WALL_CLOCK_MARGIN_MINUTES) return false;
  if (gap < -WALL_CLOCK_MARGIN_MINUTES) return true;
  return slotMs(date, time, timezone) <= now.getTime();
}

const dateLists = memo<readonly string[]>(256);
/** Today and the next SEARCH_DAYS − 1 days, in the clinic's zone (the same list, do not change it, for the same minute). */
export function searchDates(timezone: string, now: Date, days = SEARCH_DAYS): readonly string[] {
  return dateLists(`${minuteKey(timezone, now)} ${days}`, () => {
    const start = DateTime.fromJSDate(now, { zone: timezone }).startOf('day');
    return Object.freeze(Array.from({ length: days }, (_, i) => start.plus({ days: i }).toFormat('yyyy-MM-dd')));
  });
}

const localDates = memo<string>(1024);
/** The clinic's date `days` days from now (0 = today). */
export function dateInDays(timezone: string, now: Date, days: number): string {
  return localDates(`${minuteKey(timezone, now)} +${days}`, () => DateTime.fromJSDate(now, { zone: timezone }).plus({ days }).toFormat('yyyy-MM-dd'));
}

const smsDates = memo<string>();
/** "Wed 2 Dec" and "10:30", as the SMS texts say them. */
export function smsDate(date: string): string {
  return smsDates(date, () => DateTime.fromISO(date, { locale: 'en' }).toFormat('ccc d LLL'));
}

export function isValidTimezone(tz: string): boolean {
  return DateTime.local().setZone(tz).isValid;
}
