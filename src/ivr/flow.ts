// The IVR call flow of SPEC §6 as a pure state machine: step(state, event) → {state, effects}.
//
// ── Contract with the ARI adapter (src/ari/) ───────────────────────────────────────────────────
//
// One CallState per call. `initialState(config)` when the channel enters Stasis, then feed
// `{type:'start', …}`. Feed events ONE AT A TIME per call, in arrival order, through a per-call
// queue: never call `step` re-entrantly from inside an effect, and never drop the returned state.
// `step` never throws for odd input (unknown keys, stale ids, late results): it ignores it.
//
// Effects come as an ordered array; start them in that order (a `stopPlayback` must be issued
// before the `play` that follows it). None of them is awaited by the flow:
//   play {playbackId, items, prompts, text, lang}
//        POST /channels/{ch}/play/{playbackId} with media = toMedia(items, {hasSound}) (media.ts),
//        all items in ONE playback, with lang (the sounds folder: DIR/<lang>/medq/). Log `text`
//        with `prompts` (the catalog ids) and the playbackId.
//        When it ends send `promptFinished {playbackId}` — also when it failed or could not
//        start (so the menu timer still runs and a goodbye still hangs up). After a stopPlayback,
//        a promptFinished for that id may or may not be sent: stale ids are ignored.
//   stopPlayback {playbackId}    DELETE /playbacks/{id}; a 404 (already finished) is fine.
//   startTimer {timerId, ms}     setTimeout → send `timeout {timerId}`. cancelTimer clears it.
//                                Stale timer ids are ignored, so a race cannot misfire.
//   offerSlot {doctorId, after?} sync offerNextSlot(ctx, doctorId, holder = this call's id, after)
//        → `slotOffered {slot:{date,time,token}}` or `slotOfferFailed {code}`
//          (code: 'no_slots' | 'not_found', or 'error' when it threw).
//   releaseHold                  sync releaseHolds(ctx, holder). Idempotent; may come when no
//                                hold exists (every hang-up sends one).
//   book {doctorId,date,time,phone,language?}  bookByPhone(ctx, {phone, doctorId, date, time, holder,
//        channel:'ivr', language}) → `bookingResult {ok:true, token}` after the commit, or
//        `bookingResult {ok:false, code}` (the sync failure code, or 'error' when it threw).
//        The flow says "confirmed" only on that ok event.
//   loadAppointments {phone}     upcomingForPhone(ctx, phone, clinic.timezone), plus the phone's
//        live bookings of today (todaysBookingsForPhone), each of today with `queue` from
//        queuePositions → `appointmentsLoaded {items}` (AppointmentView rows fit), or `appointmentsLoadFailed`.
//   cancel {appointmentId, phone} cancelAppointment(ctx, {appointmentId, phone})
//        → `cancelResult {ok:true}` or `cancelResult {ok:false, code}`.
//   toggleReminders {phone}      sync toggleSmsOptOut(ctx, phone): reminder and queue SMS off when
//        on, on when off → `remindersToggled {optedOut}` or `remindersToggleFailed`.
//   rememberLanguage {phone, language}  sync setPhoneLanguage(ctx, phone, language): the caller's
//        choice kept on the phone's account (none yet: the `book` that creates it carries it). No result.
//   transfer {endpoint}          hand the caller to RECEPTION_ENDPOINT (e.g. PJSIP/reception);
//                                the flow is finished: later events produce nothing.
//   hangup                       hang the channel up; the flow is finished.
//   log {event, detail?}         a structured log line for the call.
// At most one of offerSlot/book/loadAppointments/cancel is outstanding at a time. Keep feeding
// the results of those that complete after a hang-up: a `book` already issued stands (the
// adapter still commits it and the SMS goes out); a late `slotOffered` answers with releaseHold.
//
// Send DTMF as `dtmf {digit}` ('0'-'9', '*', '#'; anything else is ignored) as soon as it
// arrives, also while a prompt plays (barge-in: the flow answers with stopPlayback and acts on
// the key) and while a result is pending (type-ahead: queued and used in order by the next menu).
// Languages: `start.language` is the phone's remembered language (sync phoneLanguage, null when
// none), loaded before the first prompt. With more than one of `languages` and none remembered,
// the greeting is followed by the language offer; every play carries the call's language (`lang`).
//
// Send `hangup` on StasisEnd / ChannelHangupRequest: the answer is `releaseHold` and nothing
// else; the adapter then drops its timers and playbacks for the call.
import { confirmationPrompt, DOCTORS_PER_PAGE, menuPrompt, pageCount, pageOf } from './menu-prompts.js';
import {
  DEFAULT_LANGUAGE,
  promptIds,
  spokenText,
  type Language,
  type PromptId,
  type PromptItem,
} from './prompts.js';

// ── Types ───────────────────────────────────────────────────────────────────────────────────────

export interface FlowConfig {
  /** MENU_TIMEOUT_MS: how long a menu waits after its prompt finished. */
  menuTimeoutMs: number;
  /** RECEPTION_ENDPOINT (an Asterisk dial target), or null: no `0` option, no transfer. */
  receptionEndpoint: string | null;
  /** E.164 or null; give it normalizePhone with DEFAULT_REGION. Must be pure. */
  normalizePhone: (raw: string) => string | null;
  /** LANGUAGES: the languages offered, the first the clinic's default. Default ['en']. */
  languages?: readonly Language[];
  /** Consecutive failures in one menu before transfer or goodbye (SPEC: the third). */
  maxFailures?: number;
}

export interface ClinicInfo {
  id: number;
  name: string;
  timezone: string;
}

/** An active doctor of the clinic; the list is given in display order. */
export interface DoctorInfo {
  id: number;
  name: string;
  specialty: string;
}

export interface SlotRef {
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
}

export interface OfferedSlot extends SlotRef {
  token: string;
}

export interface AppointmentSummary {
  id: number;
  doctorId: number;
  doctorName: string;
  date: string;
  time: string;
  token: string;
  /** For a booking of today: where it stands in the doctor's token queue (SPEC §11), said after the token. */
  queue?: QueueInfo;
}

/** The token now served and how many patients are before the caller's (sync queuePositions). */
export interface QueueInfo {
  nowServing: string | null;
  standing: 'not_started' | 'waiting' | 'serving' | 'passed';
  before: number;
}

export type CallEvent =
  | {
      type: 'start';
      /** Unique per call (the channel id): prefixes playback ids, which ARI keeps globally. */
      callId: string;
      callerId: string;
      dialled: string;
      clinic: ClinicInfo;
      doctors: readonly DoctorInfo[];
      /** The language remembered for this phone (its account's), or null/absent. */
      language?: Language | null;
    }
  | { type: 'dtmf'; digit: string }
  | { type: 'promptFinished'; playbackId: string }
  | { type: 'timeout'; timerId: string }
  | { type: 'slotOffered'; slot: OfferedSlot }
  | { type: 'slotOfferFailed'; code: 'no_slots' | 'not_found' | 'error' }
  | { type: 'bookingResult'; ok: true; token: string }
  | { type: 'bookingResult'; ok: false; code: string }
  | { type: 'appointmentsLoaded'; items: readonly AppointmentSummary[] }
  | { type: 'appointmentsLoadFailed' }
  | { type: 'cancelResult'; ok: true }
  | { type: 'cancelResult'; ok: false; code: string }
  | { type: 'remindersToggled'; optedOut: boolean }
  | { type: 'remindersToggleFailed' }
  | { type: 'hangup' };

export type LogDetail = Record<string, string | number | boolean | null>;

export type Effect =
  | { type: 'play'; playbackId: string; items: PromptItem[]; prompts: PromptId[]; text: string; lang: Language }
  | { type: 'stopPlayback'; playbackId: string }
  | { type: 'startTimer'; timerId: string; ms: number }
  | { type: 'cancelTimer'; timerId: string }
  | { type: 'offerSlot'; doctorId: number; after?: SlotRef }
  | { type: 'releaseHold' }
  | { type: 'book'; doctorId: number; date: string; time: string; phone: string; language?: Language }
  | { type: 'rememberLanguage'; phone: string; language: Language }
  | { type: 'loadAppointments'; phone: string }
  | { type: 'cancel'; appointmentId: number; phone: string }
  | { type: 'toggleReminders'; phone: string }
  | { type: 'transfer'; endpoint: string }
  | { type: 'hangup' }
  | { type: 'log'; event: string; detail?: LogDetail };

export type Menu =
  | { name: 'main' }
  /** The language offer; then the main menu, or the number entry of a caller without caller ID. */
  | { name: 'language'; then: 'main' | 'phoneEntry' }
  | { name: 'phoneEntry'; digits: string }
  | { name: 'phoneConfirm'; digits: string; phone: string }
  | { name: 'doctors'; page: number }
  | { name: 'slot'; doctorId: number; page: number; slot: OfferedSlot }
  | { name: 'appointment'; items: readonly AppointmentSummary[]; index: number }
  | { name: 'cancelConfirm'; items: readonly AppointmentSummary[]; index: number };

type Pending =
  | { name: 'offer'; doctorId: number; page: number; after?: SlotRef; preamble: PromptItem[] }
  | { name: 'book'; doctorId: number; page: number; slot: OfferedSlot }
  | { name: 'appointments' }
  | { name: 'cancel'; items: readonly AppointmentSummary[]; index: number }
  | { name: 'reminders'; items: readonly AppointmentSummary[]; index: number };

type Node =
  | { at: 'idle' }
  /** A menu: its prompt plays (playbackId), then it waits for a key (timerId). */
  | { at: 'menu'; menu: Menu; playbackId: string | null; timerId: string | null; failures: number }
  /** An effect's result is awaited; keys go to the type-ahead queue. */
  | { at: 'waiting'; pending: Pending }
  /** A last prompt (goodbye, transferring, confirmation) plays; then hang up or transfer. */
  | { at: 'closing'; playbackId: string; then: { type: 'hangup' } | { type: 'transfer'; endpoint: string } }
  | { at: 'ended'; reason: 'hangup' | 'transferred' | 'caller_hangup' };

interface CallInfo {
  callId: string;
  clinic: ClinicInfo;
  doctors: readonly DoctorInfo[];
  /** E.164 to book with; null until a withheld caller has keyed and confirmed a number. */
  phone: string | null;
  /** Only a network caller ID may hear or cancel bookings. */
  phoneSource: 'callerId' | 'keyed' | null;
}

export interface CallState {
  readonly config: Required<FlowConfig>;
  readonly call: CallInfo | null;
  readonly node: Node;
  /** Type-ahead keys, used in order by the next menu. */
  readonly queue: readonly string[];
  /** Whether an offered slot may be held for this call. */
  readonly holding: boolean;
  /** Counter for playback and timer ids. */
  readonly seq: number;
  /** The call's language: every prompt is played in it. */
  readonly lang: Language;
  /** Whether the caller picked the language in this call (then it is remembered for the phone). */
  readonly langChosen: boolean;
}

export interface StepResult {
  state: CallState;
  effects: Effect[];
}

const MAX_QUEUED_KEYS = 32;
const WITHHELD = /^(anonymous|unknown|restricted|private|withheld|unavailable)$/i;

export function initialState(config: FlowConfig): CallState {
  return {
    config: { maxFailures: 3, ...config, languages: config.languages?.length ? config.languages : [DEFAULT_LANGUAGE] },
    call: null,
    node: { at: 'idle' },
    queue: [],
    holding: false,
    seq: 0,
    lang: config.languages?.[0] ?? DEFAULT_LANGUAGE,
    langChosen: false,
  };
}

/** The menu the caller is in (for the adapter's logs and the terminal phone), or null. */
export function currentMenu(state: CallState): Menu['name'] | null {
  return state.node.at === 'menu' ? state.node.menu.name : null;
}

export function isFinished(state: CallState): boolean {
  return state.node.at === 'ended';
}

// ── The step function ─────────────────────────────────────────────────────────────────────────

/** One step: a local builder collects effects while the state is replaced, never mutated. */
interface Turn {
  s: CallState;
  fx: Effect[];
}

export function step(state: CallState, event: CallEvent): StepResult {
  const t: Turn = { s: state, fx: [] };
  switch (event.type) {
    case 'start':
      onStart(t, event);
      break;
    case 'dtmf':
      onDigit(t, event.digit);
      break;
    case 'promptFinished':
      onPromptFinished(t, event.playbackId);
      break;
    case 'timeout':
      onTimeout(t, event.timerId);
      break;
    case 'hangup':
      onHangup(t);
      break;
    default:
      onResult(t, event);
  }
  return { state: t.s, effects: t.fx };
}

// ── Helpers ───────────────────────────────────────────────────────────────────────────────────

function set(t: Turn, patch: Partial<CallState>): void {
  t.s = { ...t.s, ...patch };
}

function call(t: Turn): CallInfo {
  if (!t.s.call) throw new Error('IVR flow used before start'); // a bug in the caller, not input
  return t.s.call;
}

function nextId(t: Turn, prefix: string): string {
  const seq = t.s.seq + 1;
  set(t, { seq });
  return `${prefix}${seq}`;
}

function play(t: Turn, items: PromptItem[]): string {
  const playbackId = nextId(t, `${call(t).callId}-p`);
  const lang = t.s.lang;
  t.fx.push({ type: 'play', playbackId, items, prompts: promptIds(items), text: spokenText(items, lang), lang });
  return playbackId;
}

function startTimer(t: Turn): string {
  const timerId = nextId(t, 't');
  t.fx.push({ type: 'startTimer', timerId, ms: t.s.config.menuTimeoutMs });
  return timerId;
}

function log(t: Turn, event: string, detail?: LogDetail): void {
  t.fx.push(detail ? { type: 'log', event, detail } : { type: 'log', event });
}

function releaseHold(t: Turn): void {
  if (!t.s.holding) return;
  t.fx.push({ type: 'releaseHold' });
  set(t, { holding: false });
}

const P = (id: PromptId): PromptItem => ({ prompt: id });

// ── Moving between menus ──────────────────────────────────────────────────────────────────────

interface EnterOptions {
  /** Said before the menu's own prompt, in the same playback (news, errors, the greeting). */
  preamble?: PromptItem[];
  /** Consecutive failures so far: kept when a menu is re-prompted, else 0. */
  failures?: number;
}

/**
 * Makes `menu` current. Type-ahead keys are used at once, without playing the prompt; otherwise
 * the preamble and the menu prompt play and the timer starts when they finish.
 */
function enterMenu(t: Turn, menu: Menu, opts: EnterOptions = {}): void {
  const failures = opts.failures ?? 0;
  if (t.s.queue.length > 0) {
    set(t, { node: { at: 'menu', menu, playbackId: null, timerId: null, failures } });
    takeQueuedKey(t);
    return;
  }
  const c = call(t);
  const view = {
    doctors: c.doctors,
    phoneSource: c.phoneSource,
    receptionConfigured: t.s.config.receptionEndpoint !== null,
    languages: t.s.config.languages,
  };
  const playbackId = play(t, [...(opts.preamble ?? []), ...menuPrompt(menu, view)]);
  set(t, { node: { at: 'menu', menu, playbackId, timerId: null, failures } });
}

function takeQueuedKey(t: Turn): void {
  const [key, ...rest] = t.s.queue;
  if (key === undefined) return;
  set(t, { queue: rest });
  menuKey(t, key);
}

/** Waits for the next key of a multi-key entry: a queued key at once, else the inter-key timer. */
function awaitMoreKeys(t: Turn): void {
  if (t.s.queue.length > 0) {
    takeQueuedKey(t);
    return;
  }
  const node = t.s.node;
  if (node.at !== 'menu') return;
  set(t, { node: { ...node, timerId: startTimer(t) } });
}

function wait(t: Turn, pending: Pending): void {
  set(t, { node: { at: 'waiting', pending } });
}

/** The last prompt, then hang up or transfer. Keys are ignored from here on. */
function close(t: Turn, items: PromptItem[], then: { type: 'hangup' } | { type: 'transfer'; endpoint: string }): void {
  releaseHold(t);
  set(t, { queue: [] });
  const playbackId = play(t, items);
  set(t, { node: { at: 'closing', playbackId, then } });
}

function goodbye(t: Turn, preamble: PromptItem[] = []): void {
  close(t, [...preamble, P('goodbye')], { type: 'hangup' });
}

function toReception(t: Turn, preamble: PromptItem[] = []): void {
  const endpoint = t.s.config.receptionEndpoint;
  if (!endpoint) return goodbye(t, preamble);
  log(t, 'transfer', { endpoint });
  close(t, [...preamble, P('transferring')], { type: 'transfer', endpoint });
}

/**
 * A wrong key, silence, or a refused entry: say why and re-prompt; the last allowed failure
 * transfers to reception (or says goodbye). Queued keys are dropped: they followed a wrong path.
 */
function failure(t: Turn, reason: 'invalid' | 'no-input' | 'phone-invalid'): void {
  const node = t.s.node;
  if (node.at !== 'menu') return;
  const failures = node.failures + 1;
  set(t, { queue: [] });
  if (failures >= t.s.config.maxFailures) {
    log(t, 'menu_failure_limit', { menu: node.menu.name, reason });
    return toReception(t, [P(reason)]);
  }
  const menu: Menu = node.menu.name === 'phoneEntry' ? { name: 'phoneEntry', digits: '' } : node.menu;
  enterMenu(t, menu, { preamble: [P(reason)], failures });
}

/** News that changes the caller's path (no slots, a failed booking…): keys typed ahead are void. */
function afterNews(t: Turn, menu: Menu, preamble: PromptItem[]): void {
  set(t, { queue: [] });
  enterMenu(t, menu, { preamble });
}

// ── Events ────────────────────────────────────────────────────────────────────────────────────

function onStart(t: Turn, e: Extract<CallEvent, { type: 'start' }>): void {
  if (t.s.node.at !== 'idle') return;
  const raw = e.callerId.trim();
  const phone = raw === '' || WITHHELD.test(raw) ? null : t.s.config.normalizePhone(raw);
  set(t, {
    call: {
      callId: e.callId,
      clinic: e.clinic,
      doctors: e.doctors,
      phone,
      phoneSource: phone ? 'callerId' : null,
    },
  });
  const languages = t.s.config.languages;
  const remembered = e.language && languages.includes(e.language) ? e.language : null;
  set(t, { lang: remembered ?? languages[0]! });
  log(t, 'call_started', { clinicId: e.clinic.id, dialled: e.dialled, callerIdUsable: phone !== null, language: t.s.lang });
  const greeting: PromptItem[] = [P('welcome'), { clinicName: e.clinic.id, name: e.clinic.name }];
  // The offer comes once per phone: a remembered language is used from the greeting on.
  if (languages.length > 1 && !remembered) {
    return enterMenu(t, { name: 'language', then: phone ? 'main' : 'phoneEntry' }, { preamble: greeting });
  }
  afterLanguage(t, phone ? 'main' : 'phoneEntry', greeting);
}

/** On from the greeting or the language offer: the main menu, or the withheld caller's number entry. */
function afterLanguage(t: Turn, then: 'main' | 'phoneEntry', preamble: PromptItem[] = []): void {
  if (then === 'main') enterMenu(t, { name: 'main' }, { preamble });
  else enterMenu(t, { name: 'phoneEntry', digits: '' }, { preamble: [...preamble, P('caller-id-withheld')] });
}

function onDigit(t: Turn, raw: string): void {
  const digit = raw.trim();
  if (!/^[0-9*#]$/.test(digit)) return;
  const node = t.s.node;
  if (node.at === 'waiting') {
    if (t.s.queue.length < MAX_QUEUED_KEYS) set(t, { queue: [...t.s.queue, digit] });
    return;
  }
  if (node.at !== 'menu') return; // before start, during a last prompt, after the end
  if (node.playbackId) t.fx.push({ type: 'stopPlayback', playbackId: node.playbackId });
  if (node.timerId) t.fx.push({ type: 'cancelTimer', timerId: node.timerId });
  set(t, { node: { ...node, playbackId: null, timerId: null } });
  menuKey(t, digit);
}

function onPromptFinished(t: Turn, playbackId: string): void {
  const node = t.s.node;
  if (node.at === 'menu' && node.playbackId === playbackId) {
    set(t, { node: { ...node, playbackId: null, timerId: startTimer(t) } });
  } else if (node.at === 'closing' && node.playbackId === playbackId) {
    t.fx.push(node.then);
    set(t, { node: { at: 'ended', reason: node.then.type === 'hangup' ? 'hangup' : 'transferred' } });
  }
}

function onTimeout(t: Turn, timerId: string): void {
  const node = t.s.node;
  if (node.at !== 'menu' || node.timerId !== timerId) return;
  set(t, { node: { ...node, timerId: null } });
  // A caller who keyed a number but forgot the hash key is not made to start again.
  if (node.menu.name === 'phoneEntry' && node.menu.digits) return submitPhone(t, node.menu.digits);
  // Silence at the language offer keeps the call's language (the default): not a failure.
  if (node.menu.name === 'language') return afterLanguage(t, node.menu.then);
  failure(t, 'no-input');
}

function onHangup(t: Turn): void {
  if (t.s.node.at === 'ended' || t.s.node.at === 'idle') {
    if (t.s.node.at === 'idle') set(t, { node: { at: 'ended', reason: 'caller_hangup' } });
    return;
  }
  // Whatever was offered is let go; a `book` already issued stands (the adapter commits it).
  t.fx.push({ type: 'releaseHold' });
  set(t, { node: { at: 'ended', reason: 'caller_hangup' }, holding: false, queue: [] });
}

// ── Keys, menu by menu ────────────────────────────────────────────────────────────────────────

function menuKey(t: Turn, key: string): void {
  const node = t.s.node;
  if (node.at !== 'menu') return;
  const menu = node.menu;
  switch (menu.name) {
    case 'main':
      return mainKey(t, key);
    case 'language':
      return languageKey(t, menu, key);
    case 'phoneEntry':
      return phoneEntryKey(t, menu.digits, key);
    case 'phoneConfirm':
      return phoneConfirmKey(t, menu, key);
    case 'doctors':
      return doctorKey(t, menu.page, key);
    case 'slot':
      return slotKey(t, menu, key);
    case 'appointment':
      return appointmentKey(t, menu, key);
    case 'cancelConfirm':
      return cancelConfirmKey(t, menu, key);
  }
}

function mainKey(t: Turn, key: string): void {
  const c = call(t);
  switch (key) {
    case '1':
      if (c.doctors.length === 0) return afterNews(t, { name: 'main' }, [P('no-doctors')]);
      return enterMenu(t, { name: 'doctors', page: 0 });
    case '2':
      // Hearing or cancelling bookings needs the network's caller ID, not a keyed number.
      if (c.phoneSource !== 'callerId' || !c.phone) return failure(t, 'invalid');
      t.fx.push({ type: 'loadAppointments', phone: c.phone });
      return wait(t, { name: 'appointments' });
    case '9':
      return enterMenu(t, { name: 'main' });
    case '8':
      if (t.s.config.languages.length < 2) return failure(t, 'invalid');
      return enterMenu(t, { name: 'language', then: 'main' });
    case '0':
      if (!t.s.config.receptionEndpoint) return failure(t, 'invalid');
      return toReception(t);
    default:
      return failure(t, 'invalid');
  }
}

/** Key N picks the N-th language of LANGUAGES: the call switches at once and the phone keeps it. */
function languageKey(t: Turn, menu: Extract<Menu, { name: 'language' }>, key: string): void {
  const languages = t.s.config.languages;
  const lang = /^[1-9]$/.test(key) ? languages[Number(key) - 1] : undefined;
  if (!lang) return failure(t, 'invalid');
  set(t, { lang, langChosen: true });
  log(t, 'language_chosen', { language: lang });
  const c = call(t);
  if (c.phone) t.fx.push({ type: 'rememberLanguage', phone: c.phone, language: lang });
  afterLanguage(t, menu.then);
}

function setEntry(t: Turn, digits: string): void {
  const node = t.s.node;
  if (node.at !== 'menu') return;
  set(t, { node: { ...node, menu: { name: 'phoneEntry', digits } } });
}

function phoneEntryKey(t: Turn, digits: string, key: string): void {
  if (key === '#') return submitPhone(t, digits);
  if (key === '*') {
    // Start the number again; not a failure.
    const node = t.s.node;
    return enterMenu(t, { name: 'phoneEntry', digits: '' }, { failures: node.at === 'menu' ? node.failures : 0 });
  }
  const next = digits + key;
  if (next.length > 15) return submitPhone(t, next); // longer than any phone number
  setEntry(t, next);
  awaitMoreKeys(t);
}

function submitPhone(t: Turn, digits: string): void {
  if (!digits) return failure(t, 'no-input');
  const phone = digits.length >= 7 && digits.length <= 15 ? t.s.config.normalizePhone(digits) : null;
  if (!phone) return failure(t, 'phone-invalid');
  enterMenu(t, { name: 'phoneConfirm', digits, phone });
}

function phoneConfirmKey(t: Turn, menu: Extract<Menu, { name: 'phoneConfirm' }>, key: string): void {
  if (key === '1') {
    set(t, { call: { ...call(t), phone: menu.phone, phoneSource: 'keyed' } });
    log(t, 'phone_keyed');
    if (t.s.langChosen) t.fx.push({ type: 'rememberLanguage', phone: menu.phone, language: t.s.lang });
    return enterMenu(t, { name: 'main' });
  }
  if (key === '2') return enterMenu(t, { name: 'phoneEntry', digits: '' });
  failure(t, 'invalid');
}

function doctorKey(t: Turn, page: number, key: string): void {
  const all = call(t).doctors;
  if (key === '*') return enterMenu(t, { name: 'main' });
  if (key === '9' && all.length > DOCTORS_PER_PAGE) {
    return enterMenu(t, { name: 'doctors', page: (page + 1) % pageCount(all) });
  }
  const n = Number(key);
  const doctor = key >= '1' && key <= '8' ? pageOf(all, page)[n - 1] : undefined;
  if (!doctor) return failure(t, 'invalid');
  offer(t, doctor.id, page);
}

function offer(t: Turn, doctorId: number, page: number, after?: SlotRef, preamble: PromptItem[] = []): void {
  t.fx.push(after ? { type: 'offerSlot', doctorId, after } : { type: 'offerSlot', doctorId });
  wait(t, after ? { name: 'offer', doctorId, page, after, preamble } : { name: 'offer', doctorId, page, preamble });
}

function slotKey(t: Turn, menu: Extract<Menu, { name: 'slot' }>, key: string): void {
  const c = call(t);
  switch (key) {
    case '1':
      t.fx.push({
        type: 'book',
        doctorId: menu.doctorId,
        date: menu.slot.date,
        time: menu.slot.time,
        phone: c.phone ?? '',
        // A first booking creates the account: the language picked in this call goes with it.
        ...(t.s.langChosen ? { language: t.s.lang } : {}),
      });
      return wait(t, { name: 'book', doctorId: menu.doctorId, page: menu.page, slot: menu.slot });
    case '2':
      // offerNextSlot moves this call's hold to the next slot.
      return offer(t, menu.doctorId, menu.page, { date: menu.slot.date, time: menu.slot.time });
    case '*':
      releaseHold(t);
      return enterMenu(t, { name: 'doctors', page: menu.page });
    default:
      return failure(t, 'invalid');
  }
}

function appointmentKey(t: Turn, menu: Extract<Menu, { name: 'appointment' }>, key: string): void {
  switch (key) {
    case '1':
      return enterMenu(t, { name: 'cancelConfirm', items: menu.items, index: menu.index });
    case '2':
      if (menu.index + 1 < menu.items.length) {
        return enterMenu(t, { name: 'appointment', items: menu.items, index: menu.index + 1 });
      }
      return enterMenu(t, { name: 'main' }, { preamble: [P('appointments-end')] });
    case '3': {
      // Reminder and queue SMS off/on for the caller's phone (this menu is only reached with caller ID).
      const phone = call(t).phone;
      if (call(t).phoneSource !== 'callerId' || !phone) return failure(t, 'invalid');
      t.fx.push({ type: 'toggleReminders', phone });
      return wait(t, { name: 'reminders', items: menu.items, index: menu.index });
    }
    case '*':
      return enterMenu(t, { name: 'main' });
    default:
      return failure(t, 'invalid');
  }
}

function cancelConfirmKey(t: Turn, menu: Extract<Menu, { name: 'cancelConfirm' }>, key: string): void {
  if (key !== '1') {
    // Anything but 1 keeps the appointment: a cancellation needs a deliberate second 1.
    return enterMenu(t, { name: 'appointment', items: menu.items, index: menu.index }, { preamble: [P('cancel-kept')] });
  }
  const item = menu.items[menu.index]!;
  t.fx.push({ type: 'cancel', appointmentId: item.id, phone: call(t).phone ?? '' });
  wait(t, { name: 'cancel', items: menu.items, index: menu.index });
}

// ── Results of effects ────────────────────────────────────────────────────────────────────────

type ResultEvent = Exclude<CallEvent, { type: 'start' | 'dtmf' | 'promptFinished' | 'timeout' | 'hangup' }>;

const BOOKING_FAILURE_PROMPTS: Record<string, PromptId> = {
  already_booked_with_doctor: 'booking-failed-already-booked',
  appointment_limit: 'booking-failed-limit',
  clinic_closed: 'booking-failed-closed',
  not_found: 'doctor-unavailable',
  invalid_phone: 'booking-failed-invalid-phone',
  error: 'technical-problem',
};

function onResult(t: Turn, e: ResultEvent): void {
  const node = t.s.node;
  if (node.at === 'ended') {
    // The caller is gone; a hold placed after the hang-up is let go at once.
    if (e.type === 'slotOffered') t.fx.push({ type: 'releaseHold' });
    return;
  }
  if (node.at !== 'waiting') return; // stale or duplicate result
  const p = node.pending;

  if (p.name === 'offer' && e.type === 'slotOffered') {
    set(t, { holding: true });
    return enterMenu(t, { name: 'slot', doctorId: p.doctorId, page: p.page, slot: e.slot }, { preamble: p.preamble });
  }
  if (p.name === 'offer' && e.type === 'slotOfferFailed') {
    releaseHold(t);
    log(t, 'slot_offer_failed', { doctorId: p.doctorId, code: e.code });
    const why: PromptId =
      e.code === 'no_slots'
        ? p.after
          ? 'no-more-slots'
          : 'no-slots'
        : e.code === 'not_found'
          ? 'doctor-unavailable'
          : 'technical-problem';
    return afterNews(t, { name: 'doctors', page: p.page }, [...p.preamble, P(why)]);
  }
  if (p.name === 'book' && e.type === 'bookingResult') {
    if (e.ok) {
      set(t, { holding: false }); // the booking consumed the hold
      log(t, 'booked', { doctorId: p.doctorId, date: p.slot.date, time: p.slot.time, token: e.token });
      // Date and time are said again: a caller who keyed ahead never heard the offer.
      return goodbye(t, confirmationPrompt(call(t).doctors, p.doctorId, p.slot, e.token));
    }
    log(t, 'booking_failed', { doctorId: p.doctorId, code: e.code });
    if (e.code === 'slot_taken' || e.code === 'slot_in_past') {
      // Offer the next slot after the lost one: the caller had already passed over earlier ones.
      set(t, { queue: [] });
      return offer(t, p.doctorId, p.page, { date: p.slot.date, time: p.slot.time }, [
        P(e.code === 'slot_taken' ? 'slot-taken' : 'slot-passed'),
      ]);
    }
    releaseHold(t);
    return afterNews(t, { name: 'main' }, [P(BOOKING_FAILURE_PROMPTS[e.code] ?? 'booking-failed')]);
  }
  if (p.name === 'appointments' && e.type === 'appointmentsLoaded') {
    const items = [...e.items];
    if (items.length === 0) return afterNews(t, { name: 'main' }, [P('appointments-none')]);
    const count: PromptItem[] =
      items.length === 1 ? [P('appointments-one')] : [P('you-have'), { number: items.length }, P('upcoming-appointments')];
    return enterMenu(t, { name: 'appointment', items, index: 0 }, { preamble: count });
  }
  if (p.name === 'appointments' && e.type === 'appointmentsLoadFailed') {
    return afterNews(t, { name: 'main' }, [P('technical-problem')]);
  }
  if (p.name === 'cancel' && e.type === 'cancelResult') {
    const item = p.items[p.index]!;
    if (e.ok) {
      log(t, 'cancelled', { appointmentId: item.id });
      return afterNews(t, { name: 'main' }, [P('cancelled')]);
    }
    log(t, 'cancel_failed', { appointmentId: item.id, code: e.code });
    return afterNews(t, { name: 'main' }, [P('cancel-failed')]);
  }
  if (p.name === 'reminders' && e.type === 'remindersToggled') {
    log(t, e.optedOut ? 'reminders_off' : 'reminders_on');
    return enterMenu(t, { name: 'appointment', items: p.items, index: p.index }, { preamble: [P(e.optedOut ? 'reminders-off' : 'reminders-on')] });
  }
  if (p.name === 'reminders' && e.type === 'remindersToggleFailed') {
    return afterNews(t, { name: 'appointment', items: p.items, index: p.index }, [P('technical-problem')]);
  }
  // A result that does not answer the pending effect: ignored.
}
