// A scripted caller for the pure IVR flow: sends events the way the ARI adapter would and
// summarises the answer as what the caller would notice (prompts heard, effects issued).
import { normalizePhone } from '../../src/phone/index.js';
import {
  initialState,
  step,
  type AppointmentSummary,
  type CallEvent,
  type CallState,
  type DoctorInfo,
  type Effect,
  type FlowConfig,
} from '../../src/ivr/flow.js';
import type { PromptItem } from '../../src/ivr/prompts.js';

/** Every catalog prompt any scenario in this process has played (for the coverage check). */
export const PLAYED = new Set<string>();

export const CLINIC = { id: 1, name: 'MedQ Demo Clinic', timezone: 'Asia/Kolkata' };
export const CALLER = '+919876543210';
export const RECEPTION = 'PJSIP/reception';
export const TIMEOUT_MS = 5000;

export const THREE_DOCTORS: DoctorInfo[] = [
  { id: 11, name: 'Dr. Sharma', specialty: 'General Physician' },
  { id: 12, name: 'Dr. Iyer', specialty: 'Paediatrician' },
  { id: 13, name: 'Dr. Khan', specialty: 'Cardiologist' },
];

export const TEN_DOCTORS: DoctorInfo[] = Array.from({ length: 10 }, (_, i) => ({
  id: 101 + i,
  name: `Dr. Doctor${i + 1}`,
  specialty: i % 2 ? 'Dermatologist' : 'General Physician',
}));

export const APPOINTMENTS: AppointmentSummary[] = [
  { id: 501, doctorId: 11, doctorName: 'Dr. Sharma', date: '2026-12-02', time: '10:30', token: 'S-3' },
  { id: 502, doctorId: 13, doctorName: 'Dr. Khan', date: '2026-12-04', time: '09:00', token: 'K-1' },
];

export const normalize = (raw: string): string | null => {
  const r = normalizePhone(raw, 'IN');
  return r.ok ? r.phone : null;
};

export interface CallOptions {
  callerId?: string;
  doctors?: DoctorInfo[];
  reception?: boolean;
  /** The language remembered for the phone (start.language). */
  language?: string | null;
}

/** Compact form of one item: catalog ids as they are, values in braces. */
export function itemLabel(item: PromptItem): string {
  if ('prompt' in item) return item.prompt;
  if ('digits' in item) return `{digits ${item.digits}}`;
  if ('number' in item) return `{number ${item.number}}`;
  if ('date' in item) return `{date ${item.date}}`;
  if ('time' in item) return `{time ${item.time}}`;
  if ('token' in item) return `{token ${item.token}}`;
  if ('doctorName' in item) return `{doctor ${item.doctorName}}`;
  if ('specialty' in item) return `{specialty ${item.specialty}}`;
  if ('offer' in item) return `{offer ${item.offer} ${item.key}}`;
  return `{clinic ${item.clinicName}}`;
}

/** Compact form of one effect; log lines are left out (they are not what the caller notices). */
export function effectLabel(e: Effect): string | null {
  switch (e.type) {
    case 'play':
      return `play ${e.items.map(itemLabel).join(' ')}`;
    case 'stopPlayback':
      return 'stop';
    case 'startTimer':
      return 'timer';
    case 'cancelTimer':
      return 'cancelTimer';
    case 'offerSlot':
      return e.after ? `offerSlot ${e.doctorId} after ${e.after.date} ${e.after.time}` : `offerSlot ${e.doctorId}`;
    case 'releaseHold':
      return 'releaseHold';
    case 'book':
      return `book ${e.doctorId} ${e.date} ${e.time} ${e.phone}${e.language ? ` ${e.language}` : ''}`;
    case 'rememberLanguage':
      return `rememberLanguage ${e.phone} ${e.language}`;
    case 'loadAppointments':
      return `loadAppointments ${e.phone}`;
    case 'cancel':
      return `cancel ${e.appointmentId} ${e.phone}`;
    case 'toggleReminders':
      return `toggleReminders ${e.phone}`;
    case 'transfer':
      return `transfer ${e.endpoint}`;
    case 'hangup':
      return 'hangup';
    case 'log':
      return null;
  }
}

export class TestCall {
  state: CallState;
  /** Every effect issued so far, in order. */
  readonly history: Effect[] = [];
  /** Every event sent so far. */
  readonly events: CallEvent[] = [];
  last: Effect[] = [];
  private lastPlaybackId: string | null = null;
  private lastTimerId: string | null = null;
  readonly playbackIds: string[] = [];
  readonly timerIds: string[] = [];

  constructor(opts: CallOptions = {}, config: Partial<FlowConfig> = {}) {
    this.state = initialState({
      menuTimeoutMs: TIMEOUT_MS,
      receptionEndpoint: opts.reception === false ? null : RECEPTION,
      normalizePhone: normalize,
      ...config,
    });
    this.send({
      type: 'start',
      callId: 'chan-1',
      callerId: opts.callerId ?? CALLER,
      dialled: '7000',
      clinic: CLINIC,
      doctors: opts.doctors ?? THREE_DOCTORS,
      ...(opts.language !== undefined ? { language: opts.language } : {}),
    });
  }

  send(event: CallEvent): Effect[] {
    const { state, effects } = step(this.state, event);
    this.state = state;
    this.events.push(event);
    this.history.push(...effects);
    this.last = effects;
    for (const e of effects) {
      if (e.type === 'play') {
        this.lastPlaybackId = e.playbackId;
        this.playbackIds.push(e.playbackId);
      }
      if (e.type === 'startTimer') {
        this.lastTimerId = e.timerId;
        this.timerIds.push(e.timerId);
      }
      if (e.type === 'play') for (const id of e.prompts) PLAYED.add(id);
    }
    return effects;
  }

  /** Runs one scripted input and returns the compact labels of what came back. */
  do(input: string): string[] {
    return this.send(this.event(input)).map(effectLabel).filter((l): l is string => l !== null);
  }

  /** Runs inputs in order, returning the labels of the last one. */
  run(...inputs: string[]): string[] {
    let out: string[] = [];
    for (const i of inputs) out = this.do(i);
    return out;
  }

  /** The script language of the tables. */
  event(input: string): CallEvent {
    const [word, ...args] = input.split(' ');
    switch (word) {
      case 'done': // the latest prompt finished playing
        return { type: 'promptFinished', playbackId: this.lastPlaybackId ?? 'none' };
      case 'silence': // the latest menu timer fired
        return { type: 'timeout', timerId: this.lastTimerId ?? 'none' };
      case 'stale': // the very first prompt reports its end late (it was stopped by barge-in)
        return { type: 'promptFinished', playbackId: this.playbackIds[0] ?? 'none' };
      case 'stale-timer': // the first timer fires although it was cancelled
        return { type: 'timeout', timerId: this.timerIds[0] ?? 'none' };
      case 'slot':
        return { type: 'slotOffered', slot: { date: args[0]!, time: args[1]!, token: args[2]! } };
      case 'noslot':
        return { type: 'slotOfferFailed', code: (args[0] ?? 'no_slots') as 'no_slots' | 'not_found' | 'error' };
      case 'booked':
        return { type: 'bookingResult', ok: true, token: args[0]! };
      case 'bookfail':
        return { type: 'bookingResult', ok: false, code: args[0]! };
      case 'appts':
        return { type: 'appointmentsLoaded', items: APPOINTMENTS.slice(0, Number(args[0])) };
      case 'apptsfail':
        return { type: 'appointmentsLoadFailed' };
      case 'cancelled':
        return { type: 'cancelResult', ok: true };
      case 'cancelfail':
        return { type: 'cancelResult', ok: false, code: args[0] ?? 'not_cancellable' };
      case 'reminders': // "reminders off", "reminders on", "reminders fail"
        return args[0] === 'fail' ? { type: 'remindersToggleFailed' } : { type: 'remindersToggled', optedOut: args[0] === 'off' };
      case 'hangup':
        return { type: 'hangup' };
      default:
        if (input.length === 1) return { type: 'dtmf', digit: input };
        throw new Error(`unknown script input "${input}"`);
    }
  }

  /** Keys one string of digits, one dtmf event each. */
  keys(digits: string): string[] {
    let out: string[] = [];
    for (const d of digits) out = this.do(d);
    return out;
  }

  /** Every play effect so far. */
  plays(): Extract<Effect, { type: 'play' }>[] {
    return this.history.filter((e): e is Extract<Effect, { type: 'play' }> => e.type === 'play');
  }

  lastPlay(): Extract<Effect, { type: 'play' }> | undefined {
    return this.plays().at(-1);
  }
}

// Prompt sequences used across the tables.
export const GREETING = 'welcome {clinic 1}';
export const MAIN = 'main-menu reception-option';
export const DOCTORS3 =
  'doctor-menu-intro {doctor 11} {specialty 11} press-1 {doctor 12} {specialty 12} press-2 {doctor 13} {specialty 13} press-3 back';
export const OFFER = (doctor: number, date: string, time: string) =>
  `slot-offer-intro {doctor ${doctor}} is-on {date ${date}} at {time ${time}} slot-offer-keys`;
export const CONFIRMATION = (doctor: number, date: string, time: string, token: string) =>
  `your-appointment-with {doctor ${doctor}} on {date ${date}} at {time ${time}} confirmed your-token-is {token ${token}} sms-will-follow goodbye`;
export const ITEM1 = 'appointment-item {doctor 11} on {date 2026-12-02} at {time 10:30} token-label {token S-3}';
export const ITEM2 = 'appointment-item {doctor 13} on {date 2026-12-04} at {time 09:00} token-label {token K-1}';
