// The prompt catalog, the text of item sequences, and the media the adapter plays for them.
import { describe, expect, it } from 'vitest';
import {
  PROMPT_IDS,
  catalogs,
  databasePrompts,
  listPrompts,
  promptIds,
  spokenText,
  type PromptItem,
} from '../../src/ivr/prompts.js';
import { toMedia } from '../../src/ivr/media.js';

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
    expect(Object.keys(catalogs)).toEqual(['en']);
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
