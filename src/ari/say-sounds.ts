// Asterisk cannot stop a playback while it is on a `number:`, `digits:` or `characters:` medium:
// DELETE /playbacks/{id} answers 500 "Could not stop playback" (res_stasis_playback only controls
// `sound:`, `recording:` and `tone:` media), so a key pressed while a date, time, token or phone
// number is read out would not cut the prompt short. The adapter therefore plays those values as
// the same files Asterisk's English say.c would pick (digits/…, letters/…), as `sound:` media,
// which stop at once. Other languages keep the `number:`/`digits:` URIs (Asterisk's own grammar).

const DIGIT_SOUND: Record<string, string> = { '*': 'digits/star', '#': 'digits/pound' };
const CHARACTER_SOUND: Record<string, string> = {
  '-': 'letters/dash',
  '.': 'letters/dot',
  '+': 'letters/plus',
  '/': 'letters/slash',
  ' ': 'letters/space',
  '@': 'letters/at',
  '=': 'letters/equals',
};

const sound = (name: string) => `sound:${name}`;

/** English number words as Asterisk's say.c (ast_say_number_full_en) builds them from files. */
export function numberSounds(n: number): string[] {
  if (!Number.isSafeInteger(n)) return [];
  if (n < 0) return [sound('digits/minus'), ...numberSounds(-n)];
  if (n === 0) return [sound('digits/0')];
  const out: string[] = [];
  let rest = n;
  for (const [unit, word] of [
    [1_000_000_000, 'billion'],
    [1_000_000, 'million'],
    [1_000, 'thousand'],
  ] as const) {
    if (rest >= unit) {
      out.push(...numberSounds(Math.floor(rest / unit)), sound(`digits/${word}`));
      rest %= unit;
    }
  }
  if (rest >= 100) {
    out.push(sound(`digits/${Math.floor(rest / 100)}`), sound('digits/hundred'));
    rest %= 100;
  }
  if (rest >= 20) {
    out.push(sound(`digits/${Math.floor(rest / 10) * 10}`));
    rest %= 10;
  }
  if (rest > 0) out.push(sound(`digits/${rest}`));
  return out;
}

function digitSounds(s: string): string[] {
  return [...s].flatMap((c) => (/\d/.test(c) ? [sound(`digits/${c}`)] : DIGIT_SOUND[c] ? [sound(DIGIT_SOUND[c])] : []));
}

function characterSounds(s: string): string[] {
  return [...s.toLowerCase()].flatMap((c) => {
    if (/[a-z]/.test(c)) return [sound(`letters/${c}`)];
    if (/\d/.test(c)) return [sound(`digits/${c}`)];
    const name = CHARACTER_SOUND[c] ?? DIGIT_SOUND[c];
    return name ? [sound(name)] : [];
  });
}

/** The media list with every say-type URI replaced by stoppable `sound:` files (English only). */
export function stoppableMedia(media: readonly string[], lang: string): string[] {
  if (lang !== 'en' && !lang.startsWith('en_') && !lang.startsWith('en-')) return [...media];
  return media.flatMap((uri) => {
    if (uri.startsWith('number:')) {
      const n = Number(uri.slice('number:'.length));
      const sounds = numberSounds(n);
      return sounds.length ? sounds : [uri];
    }
    if (uri.startsWith('digits:')) return digitSounds(uri.slice('digits:'.length));
    if (uri.startsWith('characters:')) return characterSounds(uri.slice('characters:'.length));
    return [uri];
  });
}
