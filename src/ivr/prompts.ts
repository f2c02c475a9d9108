// The words of the phone menus (SPEC §6): the prompt ids, the catalog of each language (data:
// src/locales/<lang>/ivr.json, see catalog.ts), the items a play is made of, and the text of any
// item sequence (what the caller hears, for logs and the terminal phone).
//
// Catalog texts are either whole sentences ("Press 1.") or fragments that a spoken value completes
// ("Welcome to" + clinic name). A fragment starts lower-case when it continues a sentence ("at",
// "is on") and upper-case when it starts one ("Token number"); `spokenText` relies on that to punctuate.

import { languagesWith } from '../shared/locales.js';
import { loadIvrLocale, type IvrLocale } from './catalog.js';
import { allValueWords, dateWords, digitWords, numberWords, timeWords, tokenWords, type Word } from './values.js';

/** Every catalog prompt, in the order the prompts generator lists them. */
export const PROMPT_IDS = [
  'welcome',
  'our-clinic',
  'main-menu',
  'main-menu-no-appointments',
  'reception-option',
  'language-option',
  'invalid',
  'no-input',
  'goodbye',
  'transferring',
  'technical-problem',
  'caller-id-withheld',
  'enter-phone',
  'phone-invalid',
  'you-entered',
  'confirm-phone-keys',
  'doctor-menu-intro',
  'press-1',
  'press-2',
  'press-3',
  'press-4',
  'press-5',
  'press-6',
  'press-7',
  'press-8',
  'more-doctors',
  'first-doctors',
  'back',
  'doctor-number',
  'doctor',
  'no-doctors',
  'doctor-unavailable',
  'slot-offer-intro',
  'is-on',
  'on',
  'at',
  'slot-offer-keys',
  'slot-taken',
  'slot-passed',
  'no-slots',
  'no-more-slots',
  'your-appointment-with',
  'confirmed',
  'your-token-is',
  'sms-will-follow',
  'booking-failed',
  'booking-failed-already-booked',
  'booking-failed-limit',
  'booking-failed-closed',
  'booking-failed-invalid-phone',
  'appointments-none',
  'appointments-one',
  'you-have',
  'upcoming-appointments',
  'appointment-item',
  'token-label',
  'appointment-keys',
  'appointment-keys-last',
  'appointments-end',
  'cancel-confirm',
  'cancelled',
  'cancel-kept',
  'cancel-failed',
  'queue-now-serving',
  'queue-not-started',
  'queue-you-are-next',
  'queue-one-before',
  'queue-there-are',
  'queue-patients-before',
  'queue-your-turn',
  'queue-passed',
  'reminders-off',
  'reminders-on',
] as const;

export type PromptId = (typeof PROMPT_IDS)[number];

/** A language's catalog: every prompt's text (src/locales/<lang>/ivr.json, checked complete on load). */
export type Catalog = Readonly<Record<PromptId, string>>;

/** A language code (src/locales/<lang>/); which ones a clinic offers is LANGUAGES. */
export type Language = string;

export const DEFAULT_LANGUAGE: Language = 'en';

/** The IVR locale of a language, checked complete (throws LocaleError naming language and id). */
export function ivrLocale(lang: Language): IvrLocale {
  return loadIvrLocale(lang, PROMPT_IDS);
}

export function catalog(lang: Language = DEFAULT_LANGUAGE): Catalog {
  return ivrLocale(lang).prompts as Catalog;
}

/** The languages with IVR texts (src/locales/<lang>/ivr.json). */
export function ivrLanguages(): Language[] {
  return languagesWith('ivr');
}

export function promptText(id: PromptId, lang: Language = DEFAULT_LANGUAGE): string {
  return catalog(lang)[id];
}

/** "For English, press 1." / "हिंदी के लिए 2 दबाएँ।": the language offer, said in `lang` itself. */
export function offerText(lang: Language, key: number): string {
  return ivrLocale(lang).offer.replace('{key}', String(key));
}

/** Every catalog prompt with its text: the list the prompts generator renders to `medq/<id>`. */
export function listPrompts(lang: Language = DEFAULT_LANGUAGE): { id: PromptId; text: string }[] {
  const c = catalog(lang);
  return PROMPT_IDS.map((id) => ({ id, text: c[id] }));
}

/**
 * What `npm run prompts` renders into DIR/<lang>/medq/ besides the catalog: the value words of a
 * language that has its own (numbers, days, months, letters, periods of the day), and the offer of
 * every language the clinic has (each in its own language and voice, with its key): a call plays
 * only files of its own language folder.
 */
export function languagePrompts(lang: Language, languages: readonly Language[]): { id: string; text: string; voice?: string }[] {
  const out: { id: string; text: string; voice?: string }[] = [];
  const values = ivrLocale(lang).values;
  if (values !== 'asterisk') out.push(...allValueWords(values));
  if (languages.length > 1) {
    languages.forEach((l, i) => {
      const voice = ivrLocale(l).voice;
      out.push({ id: soundNames.offer(l, i + 1).slice('medq/'.length), text: offerText(l, i + 1), ...(l === lang ? {} : { voice }) });
    });
  }
  return out;
}

// ---- Names that come from the database ----------------------------------------------------------

/** Sound names (under the language folder) of recordings made from database names. */
export const soundNames = {
  clinic: (clinicId: number) => `medq/clinic-${clinicId}`,
  doctor: (doctorId: number) => `medq/doctor-${doctorId}`,
  specialty: (doctorId: number) => `medq/doctor-${doctorId}-specialty`,
  prompt: (id: PromptId) => `medq/${id}`,
  /** The offer of language `lang` on `key`, said in that language (rendered into every language's folder). */
  offer: (lang: Language, key: number) => `medq/offer-${lang}-${key}`,
} as const;

/**
 * The database names to render beside the catalog (`npm run prompts`): `clinic-<id>`,
 * `doctor-<id>` and `doctor-<id>-specialty`. Ids are relative to `medq/`.
 */
export function databasePrompts(data: {
  clinics: readonly { id: number; name: string }[];
  doctors: readonly { id: number; name: string; specialty: string }[];
}): { id: string; text: string }[] {
  const out: { id: string; text: string }[] = [];
  for (const c of data.clinics) out.push({ id: `clinic-${c.id}`, text: c.name.trim() });
  for (const d of data.doctors) {
    out.push({ id: `doctor-${d.id}`, text: d.name.trim() });
    if (d.specialty.trim()) out.push({ id: `doctor-${d.id}-specialty`, text: d.specialty.trim() });
  }
  return out;
}

// ---- What a play is made of ---------------------------------------------------------------------

/**
 * One piece of a play. Catalog prompts are `medq/<id>` recordings; the others are values spoken
 * with Asterisk's own sounds (see media.ts for the exact files) or with recordings of database names.
 */
export type PromptItem =
  | { prompt: PromptId }
  /** Said digit by digit (a phone number), in groups. */
  | { digits: string }
  | { number: number }
  /** YYYY-MM-DD: weekday, ordinal day, month ("Wednesday, second December"). */
  | { date: string }
  /** HH:MM on the 24-hour clock: said on the 12-hour clock ("ten thirty a m", "nine o'clock a m"). */
  | { time: string }
  /** An appointment token such as S-3: the letter, then the number ("S three"). */
  | { token: string }
  /** A doctor's name. `key` is the menu key it is offered on, for the "doctor number N" fallback. */
  | { doctorName: number; name: string; key?: number }
  /** A doctor's specialty (recorded per doctor); skipped when there is no recording. */
  | { specialty: number; name: string }
  | { clinicName: number; name: string }
  /** "For Hindi, press 2" said in that language (the language offer). */
  | { offer: Language; key: number };

/** The catalog ids in a sequence, in order (for "prompt <id>: <text>" log lines). */
export function promptIds(items: readonly PromptItem[]): PromptId[] {
  const ids: PromptId[] = [];
  for (const item of items) if ('prompt' in item) ids.push(item.prompt);
  return ids;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'] as const;
const MONTHS = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
] as const;

/** Splits "YYYY-MM-DD" into numbers and the weekday (0 = Sunday), or null when malformed. */
export function dateParts(date: string): { year: number; month: number; day: number; weekday: number } | null {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const d = new Date(Date.UTC(year, month - 1, day));
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day) return null;
  return { year, month, day, weekday: d.getUTCDay() };
}

/** Splits "HH:MM" (24-hour) into the 12-hour clock, or null when malformed. */
export function timeParts(time: string): { hour12: number; minute: number; pm: boolean } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!m) return null;
  const hour = Number(m[1]);
  return { hour12: hour % 12 === 0 ? 12 : hour % 12, minute: Number(m[2]), pm: hour >= 12 };
}

/** A ten-digit number is read as two groups of five, the way Indian mobile numbers are said. */
export function digitGroups(digits: string): string[] {
  if (digits.length === 10) return [digits.slice(0, 5), digits.slice(5)];
  return digits ? [digits] : [];
}

/** Hour and minute of "HH:MM" (24-hour), or null when malformed. */
function clockParts(time: string): { hour: number; minute: number } | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  return m ? { hour: Number(m[1]), minute: Number(m[2]) } : null;
}

type ValueItem = Exclude<PromptItem, { prompt: PromptId } | { offer: Language }>;

/**
 * A value said with the words of a language that has its own (locale `values`): the recordings
 * `medq/v-…` and their text. Null for a language that uses Asterisk's sounds, and for names.
 */
export function valueItemWords(item: PromptItem, lang: Language): Word[] | null {
  const v = ivrLocale(lang).values;
  if (v === 'asterisk' || 'prompt' in item || 'offer' in item) return null;
  if ('digits' in item) return digitWords(v, item.digits);
  if ('number' in item) return numberWords(v, item.number);
  if ('date' in item) {
    const p = dateParts(item.date);
    return p ? dateWords(v, p) : digitWords(v, item.date);
  }
  if ('time' in item) {
    const p = clockParts(item.time);
    return p ? timeWords(v, p.hour, p.minute) : digitWords(v, item.time);
  }
  if ('token' in item) return tokenWords(v, item.token);
  return null;
}

function valueText(item: ValueItem, lang: Language): string {
  const words = valueItemWords(item, lang);
  if (words) return words.map((w) => w.text).join(' ');
  if ('digits' in item) return digitGroups(item.digits).join(' ');
  if ('number' in item) return String(item.number);
  if ('date' in item) {
    const p = dateParts(item.date);
    return p ? `${WEEKDAYS[p.weekday]} ${p.day} ${MONTHS[p.month - 1]}` : item.date;
  }
  if ('time' in item) {
    const p = timeParts(item.time);
    return p ? `${p.hour12}:${String(p.minute).padStart(2, '0')} ${p.pm ? 'pm' : 'am'}` : item.time;
  }
  if ('token' in item) return item.token;
  return item.name.trim();
}

const ENDS_SENTENCE = /[.!?।:]$/;

/**
 * The text of a sequence as the caller hears it, e.g. "Dr. Sharma, General Physician. Press 1."
 * Values next to each other are separated by a comma; a value before a capitalised catalog text
 * ends a sentence; a trailing value gets a full stop.
 */
export function spokenText(items: readonly PromptItem[], lang: Language = DEFAULT_LANGUAGE): string {
  const locale = ivrLocale(lang);
  // A catalog text starts a sentence when capitalised; in a script without capitals, when it is a
  // whole sentence (ends with the full stop) not listed as continuing one ("के लिए 1 दबाएँ।").
  const startsSentence = (item: PromptItem, text: string): boolean =>
    /^[A-Z]/.test(text) ||
    (!/^[a-z]/.test(text) && 'prompt' in item && !locale.continuing.has(item.prompt) && ENDS_SENTENCE.test(text));
  let out = '';
  let prevWasValue = false;
  for (const item of items) {
    const isValue = !('prompt' in item) && !('offer' in item);
    const text =
      'prompt' in item ? catalog(lang)[item.prompt] : 'offer' in item ? offerText(item.offer, item.key) : valueText(item, lang);
    if (!text) continue;
    if (out) {
      if (prevWasValue && !ENDS_SENTENCE.test(out)) {
        if (isValue) out += ',';
        else if (startsSentence(item, text)) out += locale.fullStop;
      }
      out += ' ';
    }
    out += text;
    prevWasValue = isValue;
  }
  if (prevWasValue && out && !ENDS_SENTENCE.test(out)) out += locale.fullStop;
  return out;
}
