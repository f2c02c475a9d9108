// Random calls (seeded) against rules that must hold whatever the caller and the adapter do:
// "confirmed" only in answer to a successful booking, one outstanding effect at a time, nothing
// after the end, barge-in stops the prompt that is playing, timers and prompts never overlap.
import { describe, expect, it } from 'vitest';
import { PROMPT_IDS } from '../../src/ivr/prompts.js';
import type { CallEvent, Effect } from '../../src/ivr/flow.js';
import { APPOINTMENTS, TEN_DOCTORS, THREE_DOCTORS, TestCall } from './harness.js';

function rng(seed: number): () => number {
  // mulberry32: small, seeded, good enough to pick keys.
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type AsyncKind = 'offer' | 'book' | 'appointments' | 'cancel' | 'reminders';
const ASYNC_OF: Partial<Record<Effect['type'], AsyncKind>> = {
  offerSlot: 'offer',
  book: 'book',
  loadAppointments: 'appointments',
  cancel: 'cancel',
  toggleReminders: 'reminders',
};
function resultKind(e: CallEvent): AsyncKind | null {
  switch (e.type) {
    case 'slotOffered':
    case 'slotOfferFailed':
      return 'offer';
    case 'bookingResult':
      return 'book';
    case 'appointmentsLoaded':
    case 'appointmentsLoadFailed':
      return 'appointments';
    case 'cancelResult':
      return 'cancel';
    case 'remindersToggled':
    case 'remindersToggleFailed':
      return 'reminders';
    default:
      return null;
  }
}

const KEYS = '0123456789*#';
let slotMinute = 0;
function resultFor(kind: AsyncKind, r: () => number): CallEvent {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  switch (kind) {
    case 'offer':
      if (r() < 0.8) {
        slotMinute = (slotMinute + 15) % 600;
        const hh = String(9 + Math.floor(slotMinute / 60)).padStart(2, '0');
        const mm = String(slotMinute % 60).padStart(2, '0');
        return { type: 'slotOffered', slot: { date: '2026-12-02', time: `${hh}:${mm}`, token: 'S-1' } };
      }
      return { type: 'slotOfferFailed', code: pick(['no_slots', 'not_found', 'error'] as const) };
    case 'book':
      return r() < 0.5
        ? { type: 'bookingResult', ok: true, token: 'S-7' }
        : { type: 'bookingResult', ok: false, code: pick(['slot_taken', 'slot_in_past', 'appointment_limit', 'error']) };
    case 'appointments':
      return r() < 0.85 ? { type: 'appointmentsLoaded', items: APPOINTMENTS.slice(0, Math.floor(r() * 3)) } : { type: 'appointmentsLoadFailed' };
    case 'cancel':
      return r() < 0.7 ? { type: 'cancelResult', ok: true } : { type: 'cancelResult', ok: false, code: 'not_cancellable' };
    case 'reminders':
      return r() < 0.8 ? { type: 'remindersToggled', optedOut: r() < 0.5 } : { type: 'remindersToggleFailed' };
  }
}

interface Tracker {
  playing: string | null;
  liveTimers: Set<string>;
  outstanding: AsyncKind | null;
  ended: boolean;
  hungUp: boolean;
  bookIssued: boolean;
}

function simulate(seed: number): { confirmedHeard: number } {
  const r = rng(seed);
  const opts = {
    callerId: r() < 0.2 ? 'anonymous' : '+919876543210',
    doctors: r() < 0.3 ? TEN_DOCTORS : THREE_DOCTORS,
    reception: r() < 0.5,
    // Some phones already have a language (their account's), some of it no longer offered.
    language: r() < 0.3 ? (r() < 0.8 ? 'hi' : 'ta') : null,
  };
  const languages = r() < 0.4 ? ['en', 'hi'] : ['en'];
  const call = new TestCall(opts, { languages });
  const t: Tracker = { playing: null, liveTimers: new Set(), outstanding: null, ended: false, hungUp: false, bookIssued: false };
  let confirmedHeard = 0;
  let lastTimer: string | null = null;

  const check = (event: CallEvent | null, effects: Effect[]) => {
    const where = `seed ${seed}, event ${JSON.stringify(event)}`;
    if (event && t.outstanding && resultKind(event) === t.outstanding) t.outstanding = null;
    if (event?.type === 'promptFinished' && event.playbackId === t.playing) t.playing = null;
    if (event?.type === 'timeout') t.liveTimers.delete(event.timerId);

    if (t.ended || t.hungUp) {
      // After the end only a late hold is let go.
      const allowed = event?.type === 'slotOffered' || (event?.type === 'hangup' && !t.hungUp && !t.ended);
      if (!allowed) expect(effects, where).toEqual([]);
    }
    for (const e of effects) {
      if (e.type === 'play') {
        expect(t.playing, `${where}: play over a playing prompt`).toBeNull();
        expect(t.liveTimers.size, `${where}: play while a menu timer runs`).toBe(0);
        expect(e.text.length, where).toBeGreaterThan(0);
        expect(languages, `${where}: a play in a language not offered`).toContain(e.lang);
        for (const id of e.prompts) expect(PROMPT_IDS).toContain(id);
        if (e.prompts.includes('confirmed')) {
          // Only the answer to a successful booking result, for a book that was issued.
          expect(event?.type === 'bookingResult' && event.ok, `${where}: confirmed without bookingResult ok`).toBe(true);
          expect(t.bookIssued, where).toBe(true);
          confirmedHeard++;
        }
        t.playing = e.playbackId;
      } else if (e.type === 'stopPlayback') {
        expect(e.playbackId, `${where}: stops a prompt that is not playing`).toBe(t.playing);
        t.playing = null;
      } else if (e.type === 'startTimer') {
        expect(t.liveTimers.size, `${where}: two timers`).toBe(0);
        expect(t.playing, `${where}: timer while a prompt plays`).toBeNull();
        t.liveTimers.add(e.timerId);
        lastTimer = e.timerId;
      } else if (e.type === 'cancelTimer') {
        expect(t.liveTimers.has(e.timerId), `${where}: cancels a dead timer`).toBe(true);
        t.liveTimers.delete(e.timerId);
      } else if (e.type === 'hangup' || e.type === 'transfer') {
        t.ended = true;
      } else if (e.type === 'releaseHold' && event?.type === 'hangup') {
        t.hungUp = true;
      }
      const kind = ASYNC_OF[e.type];
      if (kind) {
        expect(t.outstanding, `${where}: ${e.type} while ${t.outstanding} is outstanding`).toBeNull();
        t.outstanding = kind;
        if (kind === 'book') t.bookIssued = true;
      }
    }
  };

  check(null, call.last);
  for (let i = 0; i < 80; i++) {
    const x = r();
    let event: CallEvent;
    if (x < 0.45) event = { type: 'dtmf', digit: r() < 0.5 ? '1' : KEYS[Math.floor(r() * KEYS.length)]! };
    else if (x < 0.65) event = { type: 'promptFinished', playbackId: t.playing ?? call.playbackIds[0] ?? 'x' };
    else if (x < 0.75) event = { type: 'timeout', timerId: lastTimer ?? 'x' };
    else if (x < 0.93 && t.outstanding) event = resultFor(t.outstanding, r);
    else if (x < 0.97) event = resultFor((['offer', 'book', 'appointments', 'cancel', 'reminders'] as const)[Math.floor(r() * 5)]!, r); // stale
    else event = { type: 'hangup' };
    if (event.type === 'promptFinished' && event.playbackId === t.playing) {
      // fine: the prompt that plays ends
    }
    check(event, call.send(event));
    if (event.type === 'hangup') t.hungUp = true;
    if (t.ended && r() < 0.3) {
      check({ type: 'hangup' }, call.send({ type: 'hangup' }));
      t.hungUp = true;
    }
  }
  return { confirmedHeard };
}

describe('IVR flow invariants over random calls', () => {
  it('hold for 400 seeded random calls, and the runs reach confirmations', () => {
    let confirmations = 0;
    for (let seed = 1; seed <= 400; seed++) confirmations += simulate(seed).confirmedHeard;
    // The random walk must actually get deep enough to book, or the rules above prove little.
    expect(confirmations).toBeGreaterThan(20);
  });
});
