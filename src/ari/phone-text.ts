// What a caller hears, as text, from the media URIs Asterisk reports playing (PlaybackStarted):
// the terminal phone (`npm run call`) prints it. `sound:medq/<id>` is a catalog prompt or a
// database name; the rest are Asterisk's own sounds for numbers, dates, times and letters
// (see src/ivr/media.ts for how they are chosen). In a language with value words of its own
// (Hindi), `medq/v-…` are those words, and `medq/offer-<lang>-<key>` is a language's offer.
import { offerText, ivrLocale, PROMPT_IDS, promptText, type Language, type PromptId } from '../ivr/prompts.js';
import { allValueWords } from '../ivr/values.js';

export interface NameBook {
  clinics: ReadonlyMap<number, string>;
  doctors: ReadonlyMap<number, { name: string; specialty: string }>;
}

export const NO_NAMES: NameBook = { clinics: new Map(), doctors: new Map() };

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const CATALOG = new Set<string>(PROMPT_IDS);

function ordinal(n: number): string {
  const mod100 = n % 100;
  const suffix = mod100 >= 11 && mod100 <= 13 ? 'th' : ({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th';
  return `${n}${suffix}`;
}

/** One media URI as words. */
export function mediaText(uri: string, names: NameBook = NO_NAMES, lang: Language = 'en'): string {
  const colon = uri.indexOf(':');
  const scheme = colon < 0 ? 'sound' : uri.slice(0, colon);
  const rest = colon < 0 ? uri : uri.slice(colon + 1);
  if (scheme === 'number') return rest;
  if (scheme === 'digits') return rest.split('').join(' ');
  if (scheme === 'characters') return rest.toUpperCase().split('').join(' ');
  if (scheme !== 'sound') return `[${uri}]`;

  const medq = /^medq\/(.+)$/.exec(rest);
  if (medq) {
    const id = medq[1]!;
    if (CATALOG.has(id)) return promptText(id as PromptId, lang);
    let m = /^offer-([a-z]{2,3})-(\d)$/.exec(id);
    if (m) return offerText(m[1]!, Number(m[2]));
    if (id.startsWith('v-')) {
      const values = ivrLocale(lang).values;
      const word = values === 'asterisk' ? undefined : allValueWords(values).find((w) => w.id === id);
      return word?.text ?? `[${id}]`;
    }
    m = /^clinic-(\d+)$/.exec(id);
    if (m) return names.clinics.get(Number(m[1])) ?? `[clinic ${m[1]}]`;
    m = /^doctor-(\d+)-specialty$/.exec(id);
    if (m) return names.doctors.get(Number(m[1]))?.specialty ?? `[specialty of doctor ${m[1]}]`;
    m = /^doctor-(\d+)$/.exec(id);
    if (m) return names.doctors.get(Number(m[1]))?.name ?? `[doctor ${m[1]}]`;
    return `[${id}]`;
  }
  let m = /^digits\/day-(\d)$/.exec(rest);
  if (m) return WEEKDAYS[Number(m[1])] ?? `[${rest}]`;
  m = /^digits\/mon-(\d+)$/.exec(rest);
  if (m) return MONTHS[Number(m[1])] ?? `[${rest}]`;
  m = /^digits\/h-(\d+)$/.exec(rest);
  if (m) return ordinal(Number(m[1]));
  m = /^digits\/(\d+)$/.exec(rest);
  if (m) return m[1]!;
  m = /^letters\/([a-z])$/.exec(rest);
  if (m) return m[1]!.toUpperCase();
  const words: Record<string, string> = {
    'digits/hundred': 'hundred',
    'digits/thousand': 'thousand',
    'digits/million': 'million',
    'digits/billion': 'billion',
    'digits/minus': 'minus',
    'digits/star': '*',
    'digits/pound': '#',
    'letters/dash': '-',
    'letters/dot': '.',
    'digits/oclock': "o'clock",
    'digits/oh': 'oh',
    'digits/a-m': 'a.m.',
    'digits/p-m': 'p.m.',
  };
  return words[rest] ?? `[${rest}]`;
}

/**
 * Joins the words of consecutive media: "20" + "1st" (Asterisk says twenty, first) reads "21st",
 * "40" + "5" reads "45", "10" + "oh" + "5" reads "10:05", "10" + "30" reads "10:30".
 */
export function joinSpoken(parts: readonly string[]): string {
  const out: string[] = [];
  for (const part of parts) {
    const prev = out[out.length - 1];
    const tens = prev === undefined ? null : /^(.*?)([2-9]0)$/.exec(prev);
    if (tens && (tens[1] === '' || tens[1]!.endsWith(':')) && /^[1-9]$/.test(part)) {
      out[out.length - 1] = `${tens[1]}${Number(tens[2]) + Number(part)}`;
      continue;
    }
    const ord = /^(\d)(st|nd|rd|th)$/.exec(part);
    if (prev && ord && /^[23]0$/.test(prev)) {
      out[out.length - 1] = ordinal(Number(prev) + Number(ord[1]));
      continue;
    }
    if (prev === 'oh' && /^\d$/.test(part) && /^\d{1,2}$/.test(out[out.length - 2] ?? '')) {
      out.pop();
      out[out.length - 1] = `${out[out.length - 1]}:0${part}`;
      continue;
    }
    if (prev && /^\d{1,2}$/.test(prev) && /^\d{2}$/.test(part) && Number(part) >= 10 && Number(part) < 60 && Number(prev) <= 12) {
      out[out.length - 1] = `${prev}:${part}`;
      continue;
    }
    out.push(part);
  }
  return out.join(' ');
}

/**
 * Prints one playback's words as each medium starts, holding back a trailing number that the
 * next medium may still complete ("10" before "30" is "10:30").
 */
export class SpokenLine {
  readonly #parts: string[] = [];
  #printed = '';

  constructor(private readonly write: (s: string) => void) {}

  add(words: string): void {
    this.#parts.push(words);
    this.#flush(false);
  }

  /** The playback ended: print what was held back. */
  end(): void {
    this.#flush(true);
  }

  get text(): string {
    return joinSpoken(this.#parts);
  }

  #flush(final: boolean): void {
    const text = joinSpoken(this.#parts);
    const hold = !final && /(?:^|\s)(\d{1,2}|\d{1,2}:\d0|oh)$/.test(text);
    const upto = hold ? text.replace(/\s*\S+$/, '') : text;
    if (upto.length <= this.#printed.length) return;
    if (upto.startsWith(this.#printed)) this.write(upto.slice(this.#printed.length));
    else this.write(' ' + upto.slice(upto.lastIndexOf(' ') + 1));
    this.#printed = upto;
  }
}
