// Numbers, dates, times, tokens and phone digits said from a language's own recorded words
// (locale `values`, see catalog.ts), for languages Asterisk has no sounds of. Each word is a
// recording `medq/v-…` that `npm run prompts` renders into DIR/<lang>/medq/ beside the prompts.
import type { ValueWords } from './catalog.js';

export interface Word {
  /** Name under `medq/`, e.g. `v-n-23`. */
  id: string;
  text: string;
}

/** Every value word of a language: what `npm run prompts` renders. */
export function allValueWords(v: ValueWords): Word[] {
  return [
    ...v.numbers.map((text, n) => ({ id: `v-n-${n}`, text })),
    ...Object.entries(v.words).map(([k, text]) => ({ id: `v-${k}`, text })),
    ...v.weekdays.map((text, i) => ({ id: `v-day-${i}`, text })),
    ...v.months.map((text, i) => ({ id: `v-mon-${i}`, text })),
    ...Object.entries(v.letters).map(([c, text]) => ({ id: `v-letter-${c}`, text })),
    ...v.periods.map((p, i) => ({ id: `v-period-${i}`, text: p.word })),
  ];
}

const word = (v: ValueWords, key: string): Word => ({ id: `v-${key}`, text: v.words[key] ?? key });

/** A whole number in the Indian system: lakh, thousand, hundred, then the irregular 1-99 word. */
export function numberWords(v: ValueWords, n: number): Word[] {
  if (!Number.isSafeInteger(n) || n < 0) return [];
  if (n < 100) return [{ id: `v-n-${n}`, text: v.numbers[n]! }];
  const out: Word[] = [];
  let rest = n;
  for (const [unit, key] of [
    [100_000, 'lakh'],
    [1_000, 'thousand'],
    [100, 'hundred'],
  ] as const) {
    if (rest >= unit) {
      out.push(...numberWords(v, Math.floor(rest / unit)), word(v, key));
      rest %= unit;
    }
  }
  if (rest > 0) out.push(...numberWords(v, rest));
  return out;
}

/** Digit by digit (a phone number). */
export function digitWords(v: ValueWords, digits: string): Word[] {
  return [...digits].filter((c) => /\d/.test(c)).flatMap((c) => numberWords(v, Number(c)));
}

export function letterWords(v: ValueWords, s: string): Word[] {
  return [...s.toLowerCase()].flatMap((c) => {
    if (/[a-z]/.test(c)) return [{ id: `v-letter-${c}`, text: v.letters[c]! }];
    if (/\d/.test(c)) return numberWords(v, Number(c));
    return [];
  });
}

function fill(v: ValueWords, template: readonly string[], slots: Record<string, Word[]>): Word[] {
  return template.flatMap((part) => slots[part] ?? [word(v, part)]);
}

/** weekday 0 = Sunday, month 1-12. */
export function dateWords(v: ValueWords, p: { weekday: number; day: number; month: number }): Word[] {
  return fill(v, v.date, {
    weekday: [{ id: `v-day-${p.weekday}`, text: v.weekdays[p.weekday]! }],
    day: numberWords(v, p.day),
    month: [{ id: `v-mon-${p.month - 1}`, text: v.months[p.month - 1]! }],
  });
}

/** hour 0-23: the period of the day by the hour ("सुबह"), then the hour on the 12-hour clock. */
export function timeWords(v: ValueWords, hour: number, minute: number): Word[] {
  let period = 0;
  v.periods.forEach((p, i) => {
    if (hour >= p.from) period = i;
  });
  return fill(v, minute === 0 ? v.time : v.timeWithMinutes, {
    period: [{ id: `v-period-${period}`, text: v.periods[period]!.word }],
    hour: numberWords(v, hour % 12 === 0 ? 12 : hour % 12),
    minute: numberWords(v, minute),
  });
}

/** A token such as S-3: its letter, then its number. */
export function tokenWords(v: ValueWords, token: string): Word[] {
  const m = /^([A-Za-z])-?(\d+)$/.exec(token.trim());
  if (m) return [...letterWords(v, m[1]!), ...numberWords(v, Number(m[2]))];
  return letterWords(v, token);
}
