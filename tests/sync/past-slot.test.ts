// Whether a slot has begun (src/booking/slots.ts isPastSlot), judged by wall clock when the slot
// is hours away and by its instant when near: the same answer as the instant every time, in zones
// with and without summer time, across their changes. luxon is the reference.
import { DateTime } from 'luxon';
import { describe, expect, it } from 'vitest';
import { isPastSlot } from '../../src/booking/slots.js';

const ZONES = ['Asia/Kolkata', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago', 'Pacific/Chatham'];
// Around the 2026 summer-time changes of those zones, and an ordinary day.
const NOWS = ['2026-03-08T06:59:30Z', '2026-03-08T07:00:00Z', '2026-03-29T00:30:00Z', '2026-04-04T14:45:10Z', '2026-04-05T02:59:59Z', '2026-09-06T04:00:00Z', '2026-10-04T15:30:00Z', '2026-10-25T01:15:00Z', '2026-11-01T05:30:00Z', '2026-11-30T02:30:00Z'];

const reference = (date: string, time: string, zone: string, now: Date) => DateTime.fromISO(`${date}T${time}`, { zone }).toMillis() <= now.getTime();

describe('has a slot begun', () => {
  it('agrees with the slot’s instant for slots from two days before to two days after now, every 15 minutes, in six zones', () => {
    let checked = 0;
    let wallClock = 0;
    for (const zone of ZONES) {
      for (const iso of NOWS) {
        const now = new Date(iso);
        const local = DateTime.fromJSDate(now, { zone });
        for (let m = -2 * 1440; m <= 2 * 1440; m += 15) {
          const slot = local.startOf('minute').plus({ minutes: m });
          const date = slot.toFormat('yyyy-MM-dd');
          const time = slot.toFormat('HH:mm');
          expect(isPastSlot(date, time, zone, now), `${zone} ${iso} slot ${date} ${time}`).toBe(reference(date, time, zone, now));
          checked++;
          if (Math.abs(m) > 7 * 60) wallClock++;
        }
      }
    }
    expect(checked).toBeGreaterThan(20_000);
    expect(wallClock).toBeGreaterThan(checked / 2); // most of them took the wall-clock path
  });

  it('at the slot’s own minute it has begun; a minute before it has not', () => {
    const now = new Date('2026-11-30T03:30:00Z'); // 09:00 in Kolkata
    expect(isPastSlot('2026-11-30', '09:00', 'Asia/Kolkata', now)).toBe(true);
    expect(isPastSlot('2026-11-30', '09:01', 'Asia/Kolkata', now)).toBe(false);
    expect(isPastSlot('2026-12-30', '09:00', 'Asia/Kolkata', now)).toBe(false);
    expect(isPastSlot('2025-11-30', '23:59', 'Asia/Kolkata', now)).toBe(true);
  });
});
