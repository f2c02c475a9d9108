// The SMS texts (SPEC §7) are data: src/locales/<lang>/sms.json holds each kind's text with named
// placeholders, and the words of its dates. The English file is the SPEC's texts word for word.
import { doctorBareName, weekdayOf } from '../booking/slots.js';
import { SMS_KINDS, type SmsKind } from '../db/schema.js';
import { ConfigError } from '../config/index.js';
import { languagesWith, readLocale } from '../shared/locales.js';

export interface AppointmentText {
  doctorName: string;
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  token: string;
}

/** The reminder's last sentence: `reply` when SMS_REPLY_NUMBER is set, else the clinic's number to call, else nothing. */
export type ReplyTo = { kind: 'reply' } | { kind: 'call'; phone: string } | null;

/** The entries of a catalog: one per kind, plus the reminder's two tails (its `{cancel}`). */
export const SMS_TEXT_KEYS = [...SMS_KINDS, 'reminder_reply', 'reminder_call'] as const;
export type SmsTextKey = (typeof SMS_TEXT_KEYS)[number];

/** The placeholders each entry has (every language uses exactly these). */
export const SMS_PLACEHOLDERS: Record<SmsTextKey, readonly string[]> = {
  sync: [],
  welcome: ['brand', 'phone', 'password'],
  linked: [],
  confirmation: ['brand', 'doctor', 'date', 'time', 'token'],
  cancellation: ['brand', 'doctor', 'date', 'time'],
  otp: ['brand', 'code'],
  reminder: ['brand', 'doctor', 'date', 'time', 'token', 'cancel'],
  reminder_reply: [],
  reminder_call: ['clinic_phone'],
  queue_near: ['brand', 'clinic', 'now', 'token', 'doctor'],
  nothing_to_cancel: ['brand'],
  opted_out: ['brand'],
  opted_in: ['brand'],
  help: ['brand'],
};

export interface SmsCatalog {
  date: { format: string; weekdays: string[]; months: string[] };
  texts: Record<SmsTextKey, string>;
}

/** A language's sms.json is missing an entry or has a wrong placeholder. */
export class SmsCatalogError extends Error {
  constructor(
    readonly language: string,
    readonly key: string,
    message: string,
  ) {
    super(`src/locales/${language}/sms.json: ${key}: ${message}`);
    this.name = 'SmsCatalogError';
  }
}

const PLACEHOLDER = /\{([a-z_]+)\}/g;

export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Fills `{name}` placeholders; a name without a value is a bug in the caller. */
export function fillPlaceholders(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => {
    const v = values[name];
    if (v === undefined) throw new Error(`no value for {${name}}`);
    return v;
  });
}

/** Checks a parsed sms.json: every entry there, each with exactly its placeholders. */
export function validateSmsCatalog(language: string, raw: unknown): SmsCatalog {
  const c = raw as Partial<SmsCatalog> | null;
  const date = c?.date;
  if (!date || typeof date.format !== 'string' || !Array.isArray(date.weekdays) || date.weekdays.length !== 7) {
    throw new SmsCatalogError(language, 'date', 'needs format and 7 weekdays (Monday first)');
  }
  if (!Array.isArray(date.months) || date.months.length !== 12) throw new SmsCatalogError(language, 'date', 'needs 12 months');
  for (const key of SMS_TEXT_KEYS) {
    const text = c?.texts?.[key];
    if (typeof text !== 'string' || text.trim() === '') throw new SmsCatalogError(language, key, 'missing');
    const want = [...SMS_PLACEHOLDERS[key]].sort();
    const got = placeholdersOf(text).sort();
    if (want.join() !== got.join()) {
      throw new SmsCatalogError(language, key, `must have the placeholders ${want.map((p) => `{${p}}`).join(' ') || '(none)'} once each, has ${got.map((p) => `{${p}}`).join(' ') || 'none'}`);
    }
  }
  return c as SmsCatalog;
}

const catalogs = new Map<string, SmsCatalog>();

/** The checked catalog of one language (read once per process). Throws SmsCatalogError or when missing. */
export function smsCatalog(language: string): SmsCatalog {
  let c = catalogs.get(language);
  if (!c) {
    c = validateSmsCatalog(language, readLocale(language, 'sms'));
    catalogs.set(language, c);
  }
  return c;
}

let withTexts: ReadonlySet<string> | null = null;
/** The languages that have an sms.json (looked up once: every SMS written asks). */
function languagesWithTexts(): ReadonlySet<string> {
  return (withTexts ??= new Set(languagesWith('sms')));
}

/**
 * The language an SMS goes out in: the wanted one when it is one of LANGUAGES with SMS texts, else
 * the clinic default (the first of LANGUAGES that has them), else English.
 */
export function smsLanguage(wanted: string | null | undefined, languages: readonly string[]): string {
  const available = languagesWithTexts();
  if (wanted && languages.includes(wanted) && available.has(wanted)) return wanted;
  return languages.find((l) => available.has(l)) ?? 'en';
}

/** The languages SMS can go out in under these LANGUAGES (those with SMS texts; English when none has). */
export function smsLanguages(languages: readonly string[]): string[] {
  const available = languagesWithTexts();
  const out = languages.filter((l) => available.has(l));
  return out.length > 0 ? out : ['en'];
}

/** Every language SMS can go out in has a complete catalog; else a ConfigError naming the file and entry. */
export function checkSmsCatalogs(languages: readonly string[]): void {
  for (const language of smsLanguages(languages)) {
    try {
      smsCatalog(language);
    } catch (e) {
      throw new ConfigError('LANGUAGES', e instanceof Error ? e.message : String(e));
    }
  }
}

/** `{date}` in this language: "Wed 2 Dec", "बुध 2 दिसंबर". */
export function smsDateIn(language: string, date: string): string {
  // "YYYY-MM-DD" read by position (a luxon parse per SMS was ~5 % of a booking's CPU, issue 10).
  const words = smsCatalog(language).date;
  return fillPlaceholders(words.format, {
    weekday: words.weekdays[weekdayOf(date) - 1]!,
    day: String(Number(date.slice(8, 10))),
    month: words.months[Number(date.slice(5, 7)) - 1]!,
  });
}

/** The texts of one language, as functions of what they say. */
export function smsTextsIn(language: string) {
  const t = (key: SmsTextKey, values: Record<string, string> = {}) => fillPlaceholders(smsCatalog(language).texts[key], values);
  const appt = (brand: string, a: AppointmentText) => ({
    brand,
    doctor: doctorBareName(a.doctorName),
    date: smsDateIn(language, a.date),
    time: a.time,
    token: a.token,
  });
  return {
    language,
    sync: () => t('sync'),
    welcome: (brand: string, phone: string, password: string) => t('welcome', { brand, phone, password }),
    linked: () => t('linked'),
    confirmation: (brand: string, a: AppointmentText) => t('confirmation', appt(brand, a)),
    cancellation: (brand: string, a: AppointmentText) => t('cancellation', appt(brand, a)),
    otp: (brand: string, code: string) => t('otp', { brand, code }),
    reminder: (brand: string, a: AppointmentText, replyTo: ReplyTo) =>
      t('reminder', {
        ...appt(brand, a),
        cancel: replyTo === null ? '' : replyTo.kind === 'reply' ? t('reminder_reply') : t('reminder_call', { clinic_phone: replyTo.phone }),
      }),
    queueNear: (brand: string, clinic: string, nowServing: string, a: AppointmentText) =>
      t('queue_near', { brand, clinic, now: nowServing, token: a.token, doctor: doctorBareName(a.doctorName) }),
    nothingToCancel: (brand: string) => t('nothing_to_cancel', { brand }),
    optedOut: (brand: string) => t('opted_out', { brand }),
    optedIn: (brand: string) => t('opted_in', { brand }),
    help: (brand: string) => t('help', { brand }),
  } as const;
}
export type SmsTexts = ReturnType<typeof smsTextsIn>;

const byLanguage = new Map<string, SmsTexts>();

/** The texts an SMS to this recipient is written in (see smsLanguage). */
export function smsTextsFor(wanted: string | null | undefined, languages: readonly string[]): SmsTexts {
  const language = smsLanguage(wanted, languages);
  let texts = byLanguage.get(language);
  if (!texts) byLanguage.set(language, (texts = smsTextsIn(language)));
  return texts;
}

/** The English texts of SPEC §7. */
export const smsText: SmsTexts = smsTextsIn('en');

/** Kinds whose text holds a secret: blanked once the SMSC accepts them, never logged. */
export const SECRET_SMS_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['welcome', 'otp']);
