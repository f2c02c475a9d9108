// The flow's data effects, carried out through the sync module (the only code that writes the
// database), each turned into the result event the flow expects. Expected failures come back as
// codes; an exception (a bug, a broken database) becomes code 'error' so the caller hears
// "something went wrong" instead of silence.
import { metrics } from '../metrics/index.js';
import type { CallEvent, Effect } from '../ivr/flow.js';
import {
  bookByPhone,
  cancelAppointment,
  queuePositions,
  todaysBookingsForPhone,
  offerNextSlot,
  releaseHolds,
  setPhoneLanguage,
  toggleSmsOptOut,
  upcomingForPhone,
  type SyncContext,
} from '../sync/index.js';

export type SyncEffect = Extract<
  Effect,
  { type: 'offerSlot' | 'releaseHold' | 'book' | 'loadAppointments' | 'cancel' | 'toggleReminders' | 'rememberLanguage' }
>;

const SYNC_EFFECTS = new Set<Effect['type']>([
  'offerSlot',
  'releaseHold',
  'book',
  'loadAppointments',
  'cancel',
  'toggleReminders',
  'rememberLanguage',
]);

export function isSyncEffect(fx: Effect): fx is SyncEffect {
  return SYNC_EFFECTS.has(fx.type);
}

export interface SyncCall {
  ctx: SyncContext;
  /** The call id: holds are placed and released under it. */
  holder: string;
  /** The clinic's timezone ("upcoming" is judged on its calendar). */
  timezone: string;
}

/**
 * Runs one effect and returns the event to feed back (null for releaseHold). `onError` hears about
 * exceptions, which are answered with the flow's 'error' outcome.
 */
export async function runSyncEffect(
  call: SyncCall,
  fx: SyncEffect,
  onError: (err: unknown, fx: SyncEffect) => void = () => undefined,
): Promise<CallEvent | null> {
  const { ctx, holder } = call;
  try {
    switch (fx.type) {
      case 'offerSlot': {
        const r = offerNextSlot(ctx, fx.doctorId, holder, fx.after);
        if (r.ok) return { type: 'slotOffered', slot: { date: r.value.date, time: r.value.time, token: r.value.token } };
        return { type: 'slotOfferFailed', code: r.code };
      }
      case 'releaseHold':
        releaseHolds(ctx, holder);
        return null;
      case 'book': {
        const r = await bookByPhone(ctx, {
          phone: fx.phone,
          doctorId: fx.doctorId,
          date: fx.date,
          time: fx.time,
          holder,
          channel: 'ivr',
          ...(fx.language ? { language: fx.language } : {}),
        });
        if (r.ok) metrics.bookings.inc({ channel: 'ivr' });
        return r.ok ? { type: 'bookingResult', ok: true, token: r.value.token } : { type: 'bookingResult', ok: false, code: r.code };
      }
      case 'loadAppointments': {
        const upcoming = upcomingForPhone(ctx, fx.phone, call.timezone);
        // A booking of today stays in the list after its slot's time: the caller may still be
        // waiting for the doctor, and wants to hear the queue (SPEC §11).
        // "Upcoming" is later than now (SPEC §10), so this morning's missed visit is not read out;
        // but a booking of today whose time has passed stays listed while its person is still in
        // the queue: marked arrived, or the doctor is calling tokens and theirs is still to come.
        const listed = new Set(upcoming.map((a) => a.id));
        const earlierToday = todaysBookingsForPhone(ctx, fx.phone, call.timezone).filter((a) => !listed.has(a.id));
        const earlierQueue = queuePositions(ctx, earlierToday.map((a) => a.id), call.timezone);
        const stillWaiting = earlierToday.filter((a) => {
          const q = earlierQueue.get(a.id);
          return a.status === 'arrived' || q?.standing === 'waiting' || q?.standing === 'serving';
        });
        const rows = [...stillWaiting, ...upcoming].sort((a, b) => a.date.localeCompare(b.date) || a.time.localeCompare(b.time));
        // Today's earlier bookings already have their places; only the upcoming ones are asked for.
        const queue = new Map([...earlierQueue, ...queuePositions(ctx, upcoming.map((a) => a.id), call.timezone)]);
        return {
          type: 'appointmentsLoaded',
          items: rows.map((a) => {
            const q = queue.get(a.id);
            return { id: a.id, doctorId: a.doctorId, doctorName: a.doctorName, date: a.date, time: a.time, token: a.token, ...(q ? { queue: q } : {}) };
          }),
        };
      }
      case 'cancel': {
        const r = cancelAppointment(ctx, { appointmentId: fx.appointmentId, phone: fx.phone });
        if (r.ok) metrics.cancellations.inc({ channel: 'ivr' });
        return r.ok ? { type: 'cancelResult', ok: true } : { type: 'cancelResult', ok: false, code: r.code };
      }
      case 'toggleReminders':
        return { type: 'remindersToggled', optedOut: toggleSmsOptOut(ctx, fx.phone).optedOut };
      case 'rememberLanguage':
        // 'no_account': the first booking creates the account with the language (book carries it).
        setPhoneLanguage(ctx, fx.phone, fx.language);
        return null;
    }
  } catch (err) {
    onError(err, fx);
    switch (fx.type) {
      case 'offerSlot':
        return { type: 'slotOfferFailed', code: 'error' };
      case 'book':
        return { type: 'bookingResult', ok: false, code: 'error' };
      case 'loadAppointments':
        return { type: 'appointmentsLoadFailed' };
      case 'cancel':
        return { type: 'cancelResult', ok: false, code: 'error' };
      case 'toggleReminders':
        return { type: 'remindersToggleFailed' };
      case 'releaseHold':
      case 'rememberLanguage':
        return null;
    }
  }
}
