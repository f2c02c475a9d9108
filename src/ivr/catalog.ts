// The IVR's words per language, as data: src/locales/<lang>/ivr.json (SPEC §6, issue 13).
//
//   name     the language in its own words ("हिंदी"), for logs
//   voice    the espeak-ng voice `npm run prompts` renders it with
//   offer    the language offer in that language, `{key}` standing for its key ("For English, press {key}.")
//   values   "asterisk": numbers, dates, times and letters are Asterisk's core sounds (English);
//            or the words to compose them from (rendered like prompts into DIR/<lang>/medq/v-…)
//   prompts  every PromptId's text
//   fullStop, continuing  (optional, for the logged text) the sentence mark ("।"), and in a script
//            without capitals the prompts that continue a sentence although they end with one
//
// A file that lacks a prompt or a value word is refused with an error naming language and id.
import { readLocale } from '../shared/locales.js';

/** How a language says numbers, dates and times from words of its own (see values.ts). */
export interface ValueWords {
  /** The words for 0…99 (index = number): irregular in Hindi, so all of them. */
  numbers: readonly string[];
  /** hundred, thousand, lakh (numbers), and any other word the time and date templates name. */
  words: Readonly<Record<string, string>>;
  /** Sunday first. */
  weekdays: readonly string[];
  /** January first. */
  months: readonly string[];
  /** a…z: how a token's letter is said. */
  letters: Readonly<Record<string, string>>;
  /** The period of the day said before the hour, each from an hour (0-23) on; sorted by `from`. */
  periods: readonly { from: number; word: string }[];
  /** Order of a date: `weekday`, `day`, `month`, or a key of `words`. */
  date: readonly string[];
  /** Order of a time on the hour, and with minutes: `period`, `hour`, `minute`, or a key of `words`. */
  time: readonly string[];
  timeWithMinutes: readonly string[];
}

export interface IvrLocale {
  lang: string;
  name: string;
  voice: string;
  offer: string;
  values: 'asterisk' | ValueWords;
  prompts: Readonly<Record<string, string>>;
  fullStop: string;
  continuing: ReadonlySet<string>;
}

export class LocaleError extends Error {
  constructor(lang: string, what: string) {
    super(`src/locales/${lang}/ivr.json: ${what}`);
    this.name = 'LocaleError';
  }
}

const NUMBER_WORDS = ['hundred', 'thousand', 'lakh'];
/** Per list of prompt ids (the app has one), per language. */
const loaded = new WeakMap<readonly string[], Map<string, IvrLocale>>();

/** The IVR texts of a language, checked complete against `promptIds` (cached). Throws LocaleError. */
export function loadIvrLocale(lang: string, promptIds: readonly string[]): IvrLocale {
  let cache = loaded.get(promptIds);
  if (!cache) loaded.set(promptIds, (cache = new Map()));
  const hit = cache.get(lang);
  if (hit) return hit;
  let raw: Record<string, unknown>;
  try {
    raw = readLocale<Record<string, unknown>>(lang, 'ivr');
  } catch (e) {
    throw new LocaleError(lang, `no IVR texts for language "${lang}" (${e instanceof Error ? e.message : String(e)})`);
  }
  const str = (v: unknown, what: string): string => {
    if (typeof v !== 'string' || !v.trim()) throw new LocaleError(lang, `${what} is missing or empty`);
    return v.trim();
  };
  const prompts: Record<string, string> = {};
  const given = (raw['prompts'] ?? {}) as Record<string, unknown>;
  for (const id of promptIds) prompts[id] = str(given[id], `prompt "${id}"`);
  const offer = str(raw['offer'], '"offer"');
  if (!offer.includes('{key}')) throw new LocaleError(lang, '"offer" must contain {key}');
  const locale: IvrLocale = {
    lang,
    name: str(raw['name'], '"name"'),
    voice: str(raw['voice'], '"voice"'),
    offer,
    values: raw['values'] === 'asterisk' ? 'asterisk' : valueWords(lang, raw['values'], str),
    prompts,
    fullStop: typeof raw['fullStop'] === 'string' && raw['fullStop'] ? raw['fullStop'] : '.',
    continuing: new Set(Array.isArray(raw['continuing']) ? raw['continuing'].map(String) : []),
  };
  cache.set(lang, locale);
  return locale;
}

function valueWords(lang: string, raw: unknown, str: (v: unknown, what: string) => string): ValueWords {
  if (!raw || typeof raw !== 'object') throw new LocaleError(lang, '"values" must be "asterisk" or the words of numbers, dates and times');
  const v = raw as Record<string, unknown>;
  const list = (key: string, n: number): string[] => {
    const a = v[key];
    if (!Array.isArray(a) || a.length !== n) throw new LocaleError(lang, `values.${key} must list ${n} words`);
    return a.map((w, i) => str(w, `values.${key}[${i}]`));
  };
  const words: Record<string, string> = {};
  for (const [k, w] of Object.entries((v['words'] ?? {}) as Record<string, unknown>)) words[k] = str(w, `values.words.${k}`);
  for (const k of NUMBER_WORDS) str(words[k], `values.words.${k}`);
  const letters: Record<string, string> = {};
  const givenLetters = (v['letters'] ?? {}) as Record<string, unknown>;
  for (const c of 'abcdefghijklmnopqrstuvwxyz') letters[c] = str(givenLetters[c], `values.letters.${c}`);
  const periodsRaw = v['periods'];
  if (!Array.isArray(periodsRaw) || periodsRaw.length === 0) throw new LocaleError(lang, 'values.periods must list the periods of the day');
  const periods = periodsRaw.map((p: { from?: unknown; word?: unknown }, i) => {
    if (typeof p.from !== 'number' || p.from < 0 || p.from > 23) throw new LocaleError(lang, `values.periods[${i}].from must be an hour 0-23`);
    return { from: p.from, word: str(p.word, `values.periods[${i}].word`) };
  });
  if (periods[0]!.from !== 0 || periods.some((p, i) => i > 0 && p.from <= periods[i - 1]!.from)) {
    throw new LocaleError(lang, 'values.periods must start at hour 0 and go up');
  }
  const template = (key: string, slots: string[]): string[] => {
    const t = v[key];
    if (!Array.isArray(t) || t.length === 0) throw new LocaleError(lang, `values.${key} must list its parts in order`);
    return t.map((part, i) => {
      const s = str(part, `values.${key}[${i}]`);
      if (!slots.includes(s) && !(s in words)) throw new LocaleError(lang, `values.${key}: "${s}" is neither ${slots.join(', ')} nor a key of values.words`);
      return s;
    });
  };
  return {
    numbers: list('numbers', 100),
    words,
    weekdays: list('weekdays', 7),
    months: list('months', 12),
    letters,
    periods,
    date: template('date', ['weekday', 'day', 'month']),
    time: template('time', ['period', 'hour']),
    timeWithMinutes: template('timeWithMinutes', ['period', 'hour', 'minute']),
  };
}
