// The prompt catalog, the text of item sequences, and the media the adapter plays for them.
import { describe, expect, it } from 'vitest';
import {
  PROMPT_IDS,
  ivrLanguages,
  ivrLocale,
  languagePrompts,
  offerText,
  databasePrompts,
  listPrompts,
  promptIds,
  spokenText,
  type PromptItem,
} from '../../src/ivr/prompts.js';
import { toMedia } from '../../src/ivr/media.js';
import { loadIvrLocale, type ValueWords } from '../../src/ivr/catalog.js';
import { allValueWords, numberWords } from '../../src/ivr/values.js';

const allSounds = { hasSound: () => true };
const noSounds = { hasSound: () => false };

describe('catalog', () => {
  it('lists every prompt once, with a non-empty English text the generator can render', () => {
    const list = listPrompts();
    expect(list.map((p) => p.id)).toEqual([...PROMPT_IDS]);
    expect(new Set(list.map((p) => p.id)).size).toBe(list.length);
    for (const p of list) {
      expect(p.id).toMatch(/^[a-z0-9-]+$/); // a file name under medq/
      expect(p.id).not.toMatch(/^(doctor|clinic)-\d/); // cannot collide with database names
      expect(p.text.trim()).toBe(p.text);
      expect(p.text.length).toBeGreaterThan(1);
      expect(p.text).toMatch(/^[\x20-\x7e]+$/); // espeak-ng reads it as written
    }
  });

  it('is keyed by language', () => {
    expect(ivrLanguages()).toEqual(expect.arrayContaining(['en', 'hi']));
    expect(listPrompts('en').find((p) => p.id === 'main-menu')?.text).toContain('press 1');
  });

  it('says every key where a menu offers it', () => {
    const t = Object.fromEntries(listPrompts().map((p) => [p.id, p.text]));
    expect(t['main-menu']).toMatch(/press 1.*press 2.*press 9/);
    expect(t['reception-option']).toMatch(/press 0/);
    expect(t['slot-offer-keys']).toMatch(/press 1.*press 2.*press star/);
    expect(t['appointment-keys']).toMatch(/press 1.*press 2.*press star/);
    expect(t['confirm-phone-keys']).toMatch(/press 1.*press 2/);
    expect(t['enter-phone']).toMatch(/10-digit.*hash/);
    expect(t['more-doctors']).toMatch(/press 9/);
    expect(t['sms-will-follow']).toMatch(/SMS/);
  });

  it('database names to render: clinic, doctor and specialty per id', () => {
    expect(
      databasePrompts({
        clinics: [{ id: 1, name: 'MedQ Demo Clinic' }],
        doctors: [
          { id: 3, name: 'Dr. Sharma', specialty: 'General Physician' },
          { id: 4, name: 'Dr. Rao', specialty: ' ' },
        ],
      }),
    ).toEqual([
      { id: 'clinic-1', text: 'MedQ Demo Clinic' },
      { id: 'doctor-3', text: 'Dr. Sharma' },
      { id: 'doctor-3-specialty', text: 'General Physician' },
      { id: 'doctor-4', text: 'Dr. Rao' },
    ]);
  });
});

describe('text of a sequence (terminal phone, logs)', () => {
  const cases: [PromptItem[], string][] = [
    [
      [{ doctorName: 3, name: 'Dr. Sharma', key: 1 }, { specialty: 3, name: 'General Physician' }, { prompt: 'press-1' }],
      'Dr. Sharma, General Physician. Press 1.',
    ],
    [[{ prompt: 'welcome' }, { clinicName: 1, name: 'MedQ Demo Clinic' }], 'Welcome to MedQ Demo Clinic.'],
    [[{ prompt: 'your-token-is' }, { token: 'S-3' }, { prompt: 'goodbye' }], 'Your token number is S-3. Thank you for calling. Goodbye.'],
    [[{ prompt: 'you-entered' }, { digits: '9876543210' }], 'You entered 98765 43210.'],
    [[{ prompt: 'you-have' }, { number: 2 }, { prompt: 'upcoming-appointments' }], 'You have 2 upcoming appointments.'],
    [[{ date: '2026-12-02' }, { prompt: 'at' }, { time: '09:00' }], 'Wednesday 2 December at 9:00 am.'],
    [[{ time: '14:05' }], '2:05 pm.'],
    [[{ time: '12:00' }], '12:00 pm.'],
    [[{ time: '00:30' }], '12:30 am.'],
    [[{ clinicName: 1, name: 'Sharma & Co.' }, { prompt: 'goodbye' }], 'Sharma & Co. Thank you for calling. Goodbye.'],
    [[], ''],
  ];
  it.each(cases)('%j → %s', (items, text) => expect(spokenText(items)).toBe(text));

  it('names the catalog prompts of a sequence in order', () => {
    expect(promptIds([{ prompt: 'welcome' }, { clinicName: 1, name: 'X' }, { prompt: 'main-menu' }])).toEqual(['welcome', 'main-menu']);
  });
});

describe('media the adapter plays', () => {
  it('catalog prompts are medq recordings', () => {
    expect(toMedia([{ prompt: 'main-menu' }], allSounds)).toEqual(['sound:medq/main-menu']);
  });

  it.each([
    ['2026-12-02', ['sound:digits/day-3', 'sound:digits/h-2', 'sound:digits/mon-11']], // Wednesday, second, December
    ['2026-01-20', ['sound:digits/day-2', 'sound:digits/h-20', 'sound:digits/mon-0']],
    ['2026-03-21', ['sound:digits/day-6', 'sound:digits/20', 'sound:digits/h-1', 'sound:digits/mon-2']],
    ['2026-05-30', ['sound:digits/day-6', 'sound:digits/h-30', 'sound:digits/mon-4']],
    ['2026-05-31', ['sound:digits/day-0', 'sound:digits/30', 'sound:digits/h-1', 'sound:digits/mon-4']],
  ])('date %s → weekday, ordinal day, month', (date, media) => {
    expect(toMedia([{ date }], allSounds)).toEqual(media);
  });

  it.each([
    ['10:30', ['number:10', 'number:30', 'sound:digits/a-m']], // ten thirty a m
    ['09:00', ['number:9', 'sound:digits/oclock', 'sound:digits/a-m']], // nine o'clock a m
    ['14:05', ['number:2', 'sound:digits/oh', 'number:5', 'sound:digits/p-m']], // two oh five p m
    ['12:00', ['number:12', 'sound:digits/oclock', 'sound:digits/p-m']],
    ['00:45', ['number:12', 'number:45', 'sound:digits/a-m']],
  ])('time %s → 12-hour clock', (time, media) => {
    expect(toMedia([{ time }], allSounds)).toEqual(media);
  });

  it('tokens: the letter, then the number', () => {
    expect(toMedia([{ token: 'S-3' }], allSounds)).toEqual(['sound:letters/s', 'number:3']);
    expect(toMedia([{ token: 'K-12' }], allSounds)).toEqual(['sound:letters/k', 'number:12']);
    expect(toMedia([{ token: 'odd' }], allSounds)).toEqual(['characters:odd']);
  });

  it('phone digits in two groups of five; numbers as numbers', () => {
    expect(toMedia([{ digits: '9876543210' }], allSounds)).toEqual(['digits:98765', 'digits:43210']);
    expect(toMedia([{ digits: '12345' }], allSounds)).toEqual(['digits:12345']);
    expect(toMedia([{ number: 2 }], allSounds)).toEqual(['number:2']);
  });

  it('a doctor name: its recording, else "doctor number N" by key, else "doctor" and the initial — never silence', () => {
    const has = (name: string) => name === 'medq/doctor-3';
    expect(toMedia([{ doctorName: 3, name: 'Dr. Sharma', key: 1 }], { hasSound: has })).toEqual(['sound:medq/doctor-3']);
    expect(toMedia([{ doctorName: 4, name: 'Dr. Rao', key: 2 }], { hasSound: has })).toEqual(['sound:medq/doctor-number', 'number:2']);
    expect(toMedia([{ doctorName: 4, name: 'Dr. Rao' }], { hasSound: has })).toEqual(['sound:medq/doctor', 'sound:letters/r']);
    expect(toMedia([{ doctorName: 4, name: '' }], { hasSound: has })).toEqual(['sound:medq/doctor']);
  });

  it('a clinic name falls back to "our clinic"; a missing specialty is skipped', () => {
    expect(toMedia([{ clinicName: 1, name: 'X' }], allSounds)).toEqual(['sound:medq/clinic-1']);
    expect(toMedia([{ clinicName: 1, name: 'X' }], noSounds)).toEqual(['sound:medq/our-clinic']);
    expect(toMedia([{ specialty: 3, name: 'Cardiologist' }], allSounds)).toEqual(['sound:medq/doctor-3-specialty']);
    expect(toMedia([{ specialty: 3, name: 'Cardiologist' }], noSounds)).toEqual([]);
  });

  it('a whole doctor-menu entry, in order', () => {
    const items: PromptItem[] = [
      { doctorName: 3, name: 'Dr. Sharma', key: 1 },
      { specialty: 3, name: 'General Physician' },
      { prompt: 'press-1' },
    ];
    expect(toMedia(items, allSounds)).toEqual(['sound:medq/doctor-3', 'sound:medq/doctor-3-specialty', 'sound:medq/press-1']);
  });
});

describe('languages as data: src/locales/<lang>/ivr.json', () => {
  const hi = ivrLocale('hi');
  const hiTexts = (): string[] => {
    const v = hi.values;
    if (v === 'asterisk') throw new Error('Hindi must have value words');
    return [hi.name, offerText('hi', 2), ...Object.values(hi.prompts), ...allValueWords(v).map((w) => w.text)];
  };

  it('English keeps its catalog and Asterisk sounds for values; Hindi has every prompt, its own voice and value words', () => {
    expect(ivrLocale('en').values).toBe('asterisk');
    expect(ivrLocale('en').voice).toBe('en-gb');
    expect(hi.voice).toBe('hi');
    expect(Object.keys(hi.prompts).sort()).toEqual([...PROMPT_IDS].sort());
    for (const id of PROMPT_IDS) expect(listPrompts('hi').find((p) => p.id === id)?.text.length, id).toBeGreaterThan(1);
  });

  it('no Latin letter in any Hindi text (SMS is एसएमएस)', () => {
    for (const text of hiTexts()) expect(text, text).not.toMatch(/[A-Za-z]/);
    expect(hi.prompts['sms-will-follow']).toContain('एसएमएस');
  });

  it('the Hindi menus still name their keys', () => {
    expect(hi.prompts['main-menu']).toMatch(/1 दबाएँ.*2 दबाएँ.*9 दबाएँ/);
    expect(hi.prompts['language-option']).toMatch(/8 दबाएँ/);
    expect(hi.prompts['slot-offer-keys']).toMatch(/1 दबाएँ.*2 दबाएँ.*स्टार दबाएँ/);
    expect(offerText('hi', 2)).toBe('हिंदी के लिए 2 दबाएँ।');
    expect(offerText('en', 1)).toBe('For English, press 1.');
  });

  it('a missing prompt or language is a clear error naming the language and the id', () => {
    expect(() => loadIvrLocale('hi', [...PROMPT_IDS, 'not-in-the-file'])).toThrow(/src\/locales\/hi\/ivr\.json: prompt "not-in-the-file" is missing/);
    expect(() => ivrLocale('xx')).toThrow(/no IVR texts for language "xx"/);
  });

  it('Hindi values from its own words: irregular 0-99, hundreds and thousands composed', () => {
    const v = hi.values as ValueWords;
    const say = (n: number) => numberWords(v, n).map((w) => w.text).join(' ');
    expect(say(0)).toBe('शून्य');
    expect(say(7)).toBe('सात');
    expect(say(42)).toBe('बयालीस');
    expect(say(99)).toBe('निन्यानबे');
    expect(say(100)).toBe('एक सौ');
    expect(say(305)).toBe('तीन सौ पाँच');
    expect(say(1234)).toBe('एक हज़ार दो सौ चौंतीस');
    expect(say(250000)).toBe('दो लाख पचास हज़ार');
  });

  it.each([
    [[{ date: '2026-12-02' }], 'बुधवार दो दिसंबर।'],
    [[{ time: '10:30' }], 'सुबह दस बजकर तीस मिनट।'],
    [[{ time: '09:00' }], 'सुबह नौ बजे।'],
    [[{ time: '12:15' }], 'दोपहर बारह बजकर पंद्रह मिनट।'],
    [[{ time: '17:00' }], 'शाम पाँच बजे।'],
    [[{ time: '21:45' }], 'रात नौ बजकर पैंतालीस मिनट।'],
    [[{ time: '00:00' }], 'रात बारह बजे।'],
    [[{ token: 'S-3' }], 'एस तीन।'],
    [[{ prompt: 'you-entered' }, { digits: '98765' }], 'आपने यह नंबर डाला है: नौ आठ सात छह पाँच।'],
  ] as [PromptItem[], string][])('Hindi text %j → %s', (items, text) => expect(spokenText(items, 'hi')).toBe(text));

  it('a Hindi play is made only of medq recordings (its own folder): no Asterisk English sounds, no say-type media', () => {
    const items: PromptItem[] = [
      { prompt: 'your-appointment-with' },
      { doctorName: 4, name: 'Dr. Rao', key: 2 },
      { prompt: 'on' },
      { date: '2026-12-02' },
      { prompt: 'at' },
      { time: '16:05' },
      { prompt: 'your-token-is' },
      { token: 'R-12' },
      { digits: '9876543210' },
      { number: 3 },
      { doctorName: 5, name: 'Dr. Iyer' },
      { offer: 'en', key: 1 },
    ];
    const media = toMedia(items, { hasSound: () => false, lang: 'hi' });
    expect(media.every((m) => m.startsWith('sound:medq/'))).toBe(true);
    expect(media.slice(0, 8)).toEqual([
      'sound:medq/your-appointment-with',
      'sound:medq/doctor-number', // the name was never rendered: by key, in Hindi words
      'sound:medq/v-n-2',
      'sound:medq/on',
      'sound:medq/v-day-3',
      'sound:medq/v-n-2',
      'sound:medq/v-mon-11',
      'sound:medq/at',
    ]);
    expect(media).toContain('sound:medq/v-letter-i'); // "doctor" and the initial
    expect(media.at(-1)).toBe('sound:medq/offer-en-1');
    // Every value word played is one the prompts generator renders for Hindi.
    const rendered = new Set(languagePrompts('hi', ['en', 'hi']).map((p) => `sound:medq/${p.id}`));
    for (const m of media.filter((m) => m.startsWith('sound:medq/v-') || m.startsWith('sound:medq/offer-'))) expect(rendered, m).toContain(m);
  });

  it('the generator renders every language\'s offer into each folder, in that language\'s voice', () => {
    const list = languagePrompts('en', ['en', 'hi']);
    expect(list).toEqual([
      { id: 'offer-en-1', text: 'For English, press 1.' },
      { id: 'offer-hi-2', text: 'हिंदी के लिए 2 दबाएँ।', voice: 'hi' },
    ]);
    expect(languagePrompts('en', ['en'])).toEqual([]); // one language: no offer, English values are Asterisk's
  });
});
