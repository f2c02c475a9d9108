// PromptItem → ARI media URIs (POST /channels/{id}/play?media=…, several in one playback).
// Catalog prompts and database names are our recordings under `medq/`. Dates, times, numbers and
// letters use Asterisk's core English sounds (the same files its say.c uses) in English, and the
// language's own value words `medq/v-…` in a language that has them (Hindi): a call in such a
// language plays only files of its own folder, never an English one.
import { doctorBareName } from '../booking/slots.js';
import { dateParts, digitGroups, soundNames, timeParts, valueItemWords, type Language, type PromptItem } from './prompts.js';

export interface MediaOptions {
  /**
   * Whether a sound exists in the channel's language, given its name without extension
   * (`medq/doctor-7`). The adapter answers from the sounds folder or ARI `GET /sounds`. A missing
   * doctor name is announced by key number (or "doctor" and the name's initial), never silence.
   */
  hasSound: (name: string) => boolean;
  /** The call's language (default en). */
  lang?: Language;
}

const sound = (name: string) => `sound:${name}`;

/** "second" … "thirty-first" as Asterisk's say.c builds it (digits/h-1 … h-20, h-30). */
function ordinalDay(day: number): string[] {
  if (day <= 20 || day === 30) return [sound(`digits/h-${day}`)];
  if (day === 31) return [sound('digits/30'), sound('digits/h-1')];
  return [sound('digits/20'), sound(`digits/h-${day - 20}`)];
}

function initialOf(name: string): string | null {
  const bare = doctorBareName(name);
  const c = bare.charAt(0).toLowerCase();
  return /[a-z]/.test(c) ? c : null;
}

export function itemMedia(item: PromptItem, opts: MediaOptions): string[] {
  if ('prompt' in item) return [sound(soundNames.prompt(item.prompt))];
  if ('offer' in item) return [sound(soundNames.offer(item.offer, item.key))];
  const lang = opts.lang ?? 'en';
  const words = valueItemWords(item, lang);
  if (words) return words.map((w) => sound(`medq/${w.id}`));
  // A name's fallbacks, said with the language's own words where it has them.
  const num = (n: number): string[] => valueItemWords({ number: n }, lang)?.map((w) => sound(`medq/${w.id}`)) ?? [`number:${n}`];
  const letter = (c: string): string => {
    const w = valueItemWords({ token: c }, lang);
    return w?.[0] ? sound(`medq/${w[0].id}`) : sound(`letters/${c}`);
  };
  if ('digits' in item) return digitGroups(item.digits).map((g) => `digits:${g}`);
  if ('number' in item) return [`number:${item.number}`];
  if ('date' in item) {
    const p = dateParts(item.date);
    if (!p) return [`digits:${item.date.replace(/\D/g, '')}`];
    // Wednesday, second, December: digits/day-0 is Sunday, digits/mon-0 is January.
    return [sound(`digits/day-${p.weekday}`), ...ordinalDay(p.day), sound(`digits/mon-${p.month - 1}`)];
  }
  if ('time' in item) {
    const p = timeParts(item.time);
    if (!p) return [`digits:${item.time.replace(/\D/g, '')}`];
    // "ten thirty", "nine o'clock", "two oh five", then "a m" / "p m".
    const minutes =
      p.minute === 0
        ? [sound('digits/oclock')]
        : p.minute < 10
          ? [sound('digits/oh'), `number:${p.minute}`]
          : [`number:${p.minute}`];
    return [`number:${p.hour12}`, ...minutes, sound(p.pm ? 'digits/p-m' : 'digits/a-m')];
  }
  if ('token' in item) {
    // "S three": the SMS shows S-3; saying "dash" adds nothing a caller needs.
    const m = /^([A-Za-z])-?(\d+)$/.exec(item.token.trim());
    if (m) return [sound(`letters/${m[1]!.toLowerCase()}`), `number:${Number(m[2])}`];
    return [`characters:${item.token}`];
  }
  if ('doctorName' in item) {
    const name = soundNames.doctor(item.doctorName);
    if (opts.hasSound(name)) return [sound(name)];
    if (item.key !== undefined) return [sound(soundNames.prompt('doctor-number')), ...num(item.key)];
    const initial = initialOf(item.name);
    return initial
      ? [sound(soundNames.prompt('doctor')), letter(initial)]
      : [sound(soundNames.prompt('doctor'))];
  }
  if ('specialty' in item) {
    const name = soundNames.specialty(item.specialty);
    return opts.hasSound(name) ? [sound(name)] : [];
  }
  if (!('clinicName' in item)) return [];
  const name = soundNames.clinic(item.clinicName);
  return opts.hasSound(name) ? [sound(name)] : [sound(soundNames.prompt('our-clinic'))];
}

/** The media list of a whole play, in order. */
export function toMedia(items: readonly PromptItem[], opts: MediaOptions): string[] {
  return items.flatMap((item) => itemMedia(item, opts));
}
