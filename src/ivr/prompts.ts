// The words of the phone menus (SPEC §6): one text catalog per language, the items a play is made
// of, and the text of any item sequence (what the caller hears, for logs and the terminal phone).
//
// Catalog texts are either whole sentences ("Press 1.") or fragments that a spoken value completes
// ("Welcome to" + clinic name). A fragment starts lower-case when it continues a sentence ("at",
// "is on") and upper-case when it starts one ("Token number"); `spokenText` relies on that to punctuate.

/** Every catalog prompt, in the order the prompts generator lists them. */
export const PROMPT_IDS = [
  'welcome',
  'our-clinic',
  'main-menu',
  'main-menu-no-appointments',
  'reception-option',
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

/** A language's catalog must say every prompt: a missing one is a compile error, not silence. */
export type Catalog = Readonly<Record<PromptId, string>>;

const en: Catalog = {
  welcome: 'Welcome to',
  'our-clinic': 'our clinic',
  'main-menu':
    'To book an appointment, press 1. To hear or cancel your appointments, press 2. To hear these options again, press 9.',
  'main-menu-no-appointments': 'To book an appointment, press 1. To hear these options again, press 9.',
  'reception-option': 'To speak to the reception, press 0.',
  invalid: 'Sorry, that is not a valid choice.',
  'no-input': 'Sorry, we did not hear your choice.',
  goodbye: 'Thank you for calling. Goodbye.',
  transferring: 'Please hold while we transfer you to the reception.',
  'technical-problem': 'Sorry, something went wrong on our side.',
  'caller-id-withheld': 'We cannot see your phone number.',
  'enter-phone': 'Please enter your 10-digit mobile number, then press the hash key.',
  'phone-invalid': 'Sorry, that is not a valid mobile number.',
  'you-entered': 'You entered',
  'confirm-phone-keys': 'If this is correct, press 1. To enter it again, press 2.',
  'doctor-menu-intro': 'Please choose a doctor.',
  'press-1': 'Press 1.',
  'press-2': 'Press 2.',
  'press-3': 'Press 3.',
  'press-4': 'Press 4.',
  'press-5': 'Press 5.',
  'press-6': 'Press 6.',
  'press-7': 'Press 7.',
  'press-8': 'Press 8.',
  'more-doctors': 'For more doctors, press 9.',
  'first-doctors': 'To hear the first doctors again, press 9.',
  back: 'To go back, press star.',
  'doctor-number': 'Doctor number',
  doctor: 'Doctor',
  'no-doctors': 'Sorry, no doctor is taking appointments by phone right now.',
  'doctor-unavailable': 'Sorry, this doctor is not taking appointments.',
  'slot-offer-intro': 'The next available appointment with',
  'is-on': 'is on',
  on: 'on',
  at: 'at',
  'slot-offer-keys': 'To book it, press 1. For the next available time, press 2. To go back, press star.',
  'slot-taken': 'Sorry, that time has just been taken.',
  'slot-passed': 'Sorry, that time has already passed.',
  'no-slots': 'Sorry, there are no free appointments with this doctor in the next 30 days.',
  'no-more-slots': 'Sorry, there are no later appointments with this doctor.',
  'your-appointment-with': 'Your appointment with',
  confirmed: 'is confirmed.',
  'your-token-is': 'Your token number is',
  'sms-will-follow': 'You will receive an SMS with the details.',
  'booking-failed': 'Sorry, we could not complete your booking.',
  'booking-failed-already-booked': 'You already have an appointment with this doctor on that day.',
  'booking-failed-limit': 'You already have the largest number of upcoming appointments we allow.',
  'booking-failed-closed': 'Sorry, the clinic is closed on that day.',
  'booking-failed-invalid-phone': 'Sorry, we cannot book with this phone number.',
  'appointments-none': 'You have no upcoming appointments.',
  'appointments-one': 'You have one upcoming appointment.',
  'you-have': 'You have',
  'upcoming-appointments': 'upcoming appointments.',
  'appointment-item': 'You are booked with',
  'token-label': 'Token number',
  'appointment-keys':
    'To cancel this appointment, press 1. For your next appointment, press 2. To turn SMS reminders off or on, press 3. To go back, press star.',
  'appointment-keys-last': 'To cancel this appointment, press 1. To turn SMS reminders off or on, press 3. To go back, press star.',
  'appointments-end': 'That was your last appointment.',
  'cancel-confirm': 'To cancel this appointment, press 1 again. To keep it, press star.',
  cancelled: 'Your appointment has been cancelled. You will receive an SMS.',
  'cancel-kept': 'Your appointment has not been cancelled.',
  'cancel-failed': 'Sorry, this appointment could not be cancelled.',
  'queue-now-serving': 'Now serving',
  'queue-not-started': 'The doctor has not started calling tokens yet.',
  'queue-you-are-next': 'You are next.',
  'queue-one-before': 'There is one patient before you.',
  'queue-there-are': 'There are',
  'queue-patients-before': 'patients before you.',
  'queue-your-turn': 'Your token is being called now.',
  'queue-passed': 'Your turn has passed. Please speak to the reception.',
  'reminders-off': 'Reminders are off. You will not get reminder or queue messages by SMS.',
  'reminders-on': 'Reminders are on. You will get reminder and queue messages by SMS.',
};

/** Add a language here (and its audio under DIR/<lang>/medq/); the type checks it is complete. */
export const catalogs = { en } as const satisfies Record<string, Catalog>;

export type Language = keyof typeof catalogs;

export const DEFAULT_LANGUAGE: Language = 'en';

export function promptText(id: PromptId, lang: Language = DEFAULT_LANGUAGE): string {
  return catalogs[lang][id];
}

/** Every catalog prompt with its text: the list the prompts generator renders to `medq/<id>`. */
export function listPrompts(lang: Language = DEFAULT_LANGUAGE): { id: PromptId; text: string }[] {
  return PROMPT_IDS.map((id) => ({ id, text: catalogs[lang][id] }));
}

// ---- Names that come from the database ----------------------------------------------------------

/** Sound names (under the language folder) of recordings made from database names. */
export const soundNames = {
  clinic: (clinicId: number) => `medq/clinic-${clinicId}`,
  doctor: (doctorId: number) => `medq/doctor-${doctorId}`,
  specialty: (doctorId: number) => `medq/doctor-${doctorId}-specialty`,
  prompt: (id: PromptId) => `medq/${id}`,
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
  | { clinicName: number; name: string };

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

function valueText(item: Exclude<PromptItem, { prompt: PromptId }>): string {
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

const ENDS_SENTENCE = /[.!?]$/;

/**
 * The text of a sequence as the caller hears it, e.g. "Dr. Sharma, General Physician. Press 1."
 * Values next to each other are separated by a comma; a value before a capitalised catalog text
 * ends a sentence; a trailing value gets a full stop.
 */
export function spokenText(items: readonly PromptItem[], lang: Language = DEFAULT_LANGUAGE): string {
  let out = '';
  let prevWasValue = false;
  for (const item of items) {
    const isValue = !('prompt' in item);
    const text = isValue ? valueText(item) : catalogs[lang][item.prompt];
    if (!text) continue;
    if (out) {
      if (prevWasValue && !ENDS_SENTENCE.test(out)) {
        if (isValue) out += ',';
        else if (/^[A-Z]/.test(text)) out += '.';
      }
      out += ' ';
    }
    out += text;
    prevWasValue = isValue;
  }
  if (prevWasValue && out && !ENDS_SENTENCE.test(out)) out += '.';
  return out;
}
