// Key-by-key tables for the IVR flow (SPEC §6). Each row is a call: an input, then what the caller
// notices in answer (the prompts played, in order, and the effects issued). `start` is the answer.
// Inputs: a single key, `done` (the latest prompt finished), `silence` (the menu timer fired),
// `slot D T TOKEN`, `noslot [code]`, `booked TOKEN`, `bookfail CODE`, `appts N`, `cancelled`,
// `cancelfail`, `hangup`, `stale` (a stopped prompt reports its end late).
import { describe, expect, it } from 'vitest';
import { PROMPT_IDS } from '../../src/ivr/prompts.js';
import type { AppointmentSummary, QueueInfo } from '../../src/ivr/flow.js';
import { APPOINTMENTS } from './harness.js';
import {
  CALLER,
  CONFIRMATION,
  DOCTORS3,
  GREETING,
  ITEM1,
  ITEM2,
  MAIN,
  OFFER,
  PLAYED,
  TEN_DOCTORS,
  TestCall,
  effectLabel,
  type CallOptions,
} from './harness.js';

type Script = [input: string, answer: string[]][];

function runScript(opts: CallOptions, script: Script): void {
  const call = new TestCall(opts);
  script.forEach(([input, expected], i) => {
    const got = input === 'start' ? call.last.map(labelOf).filter(Boolean) : call.do(input);
    expect(got, `step ${i + 1}: "${input}"`).toEqual(expected);
  });
}

// `start` answers are read from the call's first step.
const labelOf = (e: Parameters<typeof effectLabel>[0]) => effectLabel(e) ?? '';

const D1 = '2026-12-02';
const MAIN_READY: Script = [
  ['start', [`play ${GREETING} ${MAIN}`]],
  ['done', ['timer']],
];
const OFFER_READY: Script = [
  ...MAIN_READY,
  ['1', ['cancelTimer', `play ${DOCTORS3}`]],
  ['done', ['timer']],
  ['1', ['cancelTimer', 'offerSlot 11']],
  [`slot ${D1} 10:30 S-3`, [`play ${OFFER(11, D1, '10:30')}`]],
  ['done', ['timer']],
];
const BOOK = `book 11 ${D1} 10:30 ${CALLER}`;

function table(rows: [name: string, opts: CallOptions, script: Script][]) {
  it.each(rows)('%s', (_name, opts, script) => runScript(opts, script));
}

describe('greeting and main menu', () => {
  table([
    ['greeting with the clinic name, then the main menu; its timer starts after the prompt', {}, MAIN_READY],
    [
      'no reception configured: the 0 option is not announced, and 0 is a wrong key',
      { reception: false },
      [
        ['start', [`play ${GREETING} main-menu`]],
        ['done', ['timer']],
        ['0', ['cancelTimer', 'play invalid main-menu']],
      ],
    ],
    [
      '9 repeats the main menu (not the greeting), also as barge-in',
      {},
      [...MAIN_READY, ['9', ['cancelTimer', `play ${MAIN}`]], ['9', ['stop', `play ${MAIN}`]]],
    ],
    [
      '0 transfers to reception after the "transferring" prompt',
      {},
      [
        ...MAIN_READY,
        ['0', ['cancelTimer', 'play transferring']],
        ['1', []],
        ['done', ['transfer PJSIP/reception']],
        ['hangup', []],
      ],
    ],
    [
      'a caller ID in national form is normalised and used',
      { callerId: '09876543210' },
      [
        ['start', [`play ${GREETING} ${MAIN}`]],
        ['done', ['timer']],
        ['2', ['cancelTimer', `loadAppointments ${CALLER}`]],
      ],
    ],
  ]);
});

describe('booking', () => {
  table([
    [
      '1 → doctor → offer → 1 confirm → book → ok → confirmed, token, SMS, goodbye, hang-up',
      {},
      [
        ...OFFER_READY,
        ['1', ['cancelTimer', BOOK]],
        ['booked S-3', [`play ${CONFIRMATION(11, D1, '10:30', 'S-3')}`]],
        ['1', []],
        ['done', ['hangup']],
        ['hangup', []],
      ],
    ],
    [
      '2 offers the next slot after the one offered (the hold moves with it)',
      {},
      [
        ...OFFER_READY,
        ['2', ['cancelTimer', `offerSlot 11 after ${D1} 10:30`]],
        [`slot ${D1} 10:45 S-4`, [`play ${OFFER(11, D1, '10:45')}`]],
        ['1', ['stop', `book 11 ${D1} 10:45 ${CALLER}`]],
        ['booked S-4', [`play ${CONFIRMATION(11, D1, '10:45', 'S-4')}`]],
      ],
    ],
    [
      'the second doctor of the menu',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['2', ['stop', 'offerSlot 12']],
        [`slot ${D1} 11:00 I-5`, [`play ${OFFER(12, D1, '11:00')}`]],
      ],
    ],
    [
      'slot taken meanwhile: said so, and the next slot after it is offered',
      {},
      [
        ...OFFER_READY,
        ['1', ['cancelTimer', BOOK]],
        ['bookfail slot_taken', [`offerSlot 11 after ${D1} 10:30`]],
        [`slot ${D1} 10:45 S-4`, [`play slot-taken ${OFFER(11, D1, '10:45')}`]],
        ['done', ['timer']],
        ['1', ['cancelTimer', `book 11 ${D1} 10:45 ${CALLER}`]],
        ['booked S-4', [`play ${CONFIRMATION(11, D1, '10:45', 'S-4')}`]],
      ],
    ],
    [
      'slot taken and no later slot: said so, back to the doctor menu',
      {},
      [
        ...OFFER_READY,
        ['1', ['cancelTimer', BOOK]],
        ['bookfail slot_taken', [`offerSlot 11 after ${D1} 10:30`]],
        ['noslot', ['releaseHold', `play slot-taken no-more-slots ${DOCTORS3}`]],
      ],
    ],
    [
      'slot passed while the caller listened: said so, the next one offered',
      {},
      [
        ...OFFER_READY,
        ['1', ['cancelTimer', BOOK]],
        ['bookfail slot_in_past', [`offerSlot 11 after ${D1} 10:30`]],
        [`slot ${D1} 10:45 S-4`, [`play slot-passed ${OFFER(11, D1, '10:45')}`]],
      ],
    ],
    [
      'no free slot in 30 days: said so, back to the doctor menu',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['3', ['stop', 'offerSlot 13']],
        ['noslot', [`play no-slots ${DOCTORS3}`]],
      ],
    ],
    [
      'no slot after the one offered: the hold is let go, back to the doctor menu',
      {},
      [
        ...OFFER_READY,
        ['2', ['cancelTimer', `offerSlot 11 after ${D1} 10:30`]],
        ['noslot', ['releaseHold', `play no-more-slots ${DOCTORS3}`]],
      ],
    ],
    [
      'a doctor gone meanwhile',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['noslot not_found', [`play doctor-unavailable ${DOCTORS3}`]],
      ],
    ],
    [
      'the offer failing for a technical reason',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['noslot error', [`play technical-problem ${DOCTORS3}`]],
      ],
    ],
    [
      'no doctors at all: said so, main menu again',
      { doctors: [] },
      [...MAIN_READY, ['1', ['cancelTimer', `play no-doctors ${MAIN}`]]],
    ],
  ]);

  const failures: [code: string, prompt: string][] = [
    ['already_booked_with_doctor', 'booking-failed-already-booked'],
    ['appointment_limit', 'booking-failed-limit'],
    ['clinic_closed', 'booking-failed-closed'],
    ['not_found', 'doctor-unavailable'],
    ['invalid_phone', 'booking-failed-invalid-phone'],
    ['error', 'technical-problem'],
    ['something_new', 'booking-failed'],
  ];
  it.each(failures)('booking failure %s: its own prompt, the hold let go, then the main menu', (code, prompt) =>
    runScript({}, [
      ...OFFER_READY,
      ['1', ['cancelTimer', BOOK]],
      [`bookfail ${code}`, ['releaseHold', `play ${prompt} ${MAIN}`]],
      ['done', ['timer']],
    ]),
  );
});

describe('* goes back at each level', () => {
  table([
    ['doctor menu → main menu', {}, [...MAIN_READY, ['1', ['cancelTimer', `play ${DOCTORS3}`]], ['*', ['stop', `play ${MAIN}`]]]],
    [
      'slot offer → the hold is let go, doctor menu',
      {},
      [...OFFER_READY, ['*', ['cancelTimer', 'releaseHold', `play ${DOCTORS3}`]]],
    ],
    [
      'appointment read-out → main menu',
      {},
      [
        ...MAIN_READY,
        ['2', ['cancelTimer', `loadAppointments ${CALLER}`]],
        ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]],
        ['*', ['stop', `play ${MAIN}`]],
      ],
    ],
    [
      'cancel confirmation → kept, the appointment again',
      {},
      [
        ...MAIN_READY,
        ['2', ['cancelTimer', `loadAppointments ${CALLER}`]],
        ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]],
        ['1', ['stop', 'play cancel-confirm']],
        ['*', ['stop', `play cancel-kept ${ITEM1} appointment-keys-last`]],
      ],
    ],
  ]);
});

describe('doctor paging (more than eight doctors)', () => {
  const page1 =
    'doctor-menu-intro ' +
    TEN_DOCTORS.slice(0, 8)
      .map((d, i) => `{doctor ${d.id}} {specialty ${d.id}} press-${i + 1}`)
      .join(' ') +
    ' more-doctors back';
  const page2 = 'doctor-menu-intro {doctor 109} {specialty 109} press-1 {doctor 110} {specialty 110} press-2 first-doctors back';
  table([
    [
      '9 pages on, keys 1… pick on the page heard, 9 on the last page wraps, * goes back',
      { doctors: TEN_DOCTORS },
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${page1}`]],
        ['9', ['stop', `play ${page2}`]],
        ['done', ['timer']],
        ['3', ['cancelTimer', `play invalid ${page2}`]],
        ['9', ['stop', `play ${page1}`]],
        ['9', ['stop', `play ${page2}`]],
        ['2', ['stop', 'offerSlot 110']],
        [`slot ${D1} 10:00 D-1`, [`play ${OFFER(110, D1, '10:00')}`]],
        ['*', ['stop', 'releaseHold', `play ${page2}`]],
        ['*', ['stop', `play ${MAIN}`]],
      ],
    ],
    [
      'the eighth doctor of the first page',
      { doctors: TEN_DOCTORS },
      [...MAIN_READY, ['1', ['cancelTimer', `play ${page1}`]], ['8', ['stop', 'offerSlot 108']]],
    ],
    [
      'with eight doctors or fewer, 9 is a wrong key',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['9', ['stop', `play invalid ${DOCTORS3}`]],
        ['4', ['stop', `play invalid ${DOCTORS3}`]],
      ],
    ],
  ]);
});

describe('wrong keys, silence and the third failure', () => {
  table([
    [
      'wrong key, silence, wrong key → transfer to reception',
      {},
      [
        ...MAIN_READY,
        ['5', ['cancelTimer', `play invalid ${MAIN}`]],
        ['done', ['timer']],
        ['silence', [`play no-input ${MAIN}`]],
        ['done', ['timer']],
        ['#', ['cancelTimer', 'play invalid transferring']],
        ['done', ['transfer PJSIP/reception']],
      ],
    ],
    [
      'three silences with no reception → goodbye and hang up',
      { reception: false },
      [
        ['start', [`play ${GREETING} main-menu`]],
        ['done', ['timer']],
        ['silence', ['play no-input main-menu']],
        ['done', ['timer']],
        ['silence', ['play no-input main-menu']],
        ['done', ['timer']],
        ['silence', ['play no-input goodbye']],
        ['1', []],
        ['done', ['hangup']],
      ],
    ],
    [
      'a wrong key during the prompt stops it and re-prompts',
      {},
      [['start', [`play ${GREETING} ${MAIN}`]], ['7', ['stop', `play invalid ${MAIN}`]]],
    ],
    [
      'failures count per menu visit: a valid key in between starts again',
      {},
      [
        ...MAIN_READY,
        ['5', ['cancelTimer', `play invalid ${MAIN}`]],
        ['5', ['stop', `play invalid ${MAIN}`]],
        ['1', ['stop', `play ${DOCTORS3}`]],
        ['*', ['stop', `play ${MAIN}`]],
        ['5', ['stop', `play invalid ${MAIN}`]],
      ],
    ],
    [
      'third failure in the slot offer lets the hold go before transferring',
      {},
      [
        ...OFFER_READY,
        ['silence', [`play no-input ${OFFER(11, D1, '10:30')}`]],
        ['done', ['timer']],
        ['silence', [`play no-input ${OFFER(11, D1, '10:30')}`]],
        ['done', ['timer']],
        ['silence', ['releaseHold', 'play no-input transferring']],
        ['done', ['transfer PJSIP/reception']],
      ],
    ],
    [
      'a stale timer or a stale prompt end changes nothing',
      {},
      [
        ['start', [`play ${GREETING} ${MAIN}`]],
        ['1', ['stop', `play ${DOCTORS3}`]],
        ['stale', []],
        ['done', ['timer']],
        ['*', ['cancelTimer', `play ${MAIN}`]],
        ['stale-timer', []],
      ],
    ],
    ['keys outside 0-9 * # are ignored', {}, [...MAIN_READY, ['A', []], ['done', []]]],
  ]);
});

describe('barge-in and type-ahead', () => {
  table([
    [
      'a key during the greeting stops it and is acted on',
      {},
      [['start', [`play ${GREETING} ${MAIN}`]], ['1', ['stop', `play ${DOCTORS3}`]], ['stale', []], ['done', ['timer']]],
    ],
    [
      '1 1 1 right after answer books the first doctor’s next slot without hearing the offer',
      {},
      [
        ['start', [`play ${GREETING} ${MAIN}`]],
        ['1', ['stop', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['1', []],
        [`slot ${D1} 10:30 S-3`, [BOOK]],
        ['booked S-3', [`play ${CONFIRMATION(11, D1, '10:30', 'S-3')}`]],
        ['done', ['hangup']],
      ],
    ],
    [
      'keys typed while the offer is pending are used in order (2 = next, then 1 = book)',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['2', []],
        ['1', []],
        [`slot ${D1} 10:30 S-3`, [`offerSlot 11 after ${D1} 10:30`]],
        [`slot ${D1} 10:45 S-4`, [`book 11 ${D1} 10:45 ${CALLER}`]],
      ],
    ],
    [
      'a wrong key typed ahead: "invalid" and the menu, the keys after it dropped',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['5', []],
        ['1', []],
        [`slot ${D1} 10:30 S-3`, [`play invalid ${OFFER(11, D1, '10:30')}`]],
        ['done', ['timer']],
      ],
    ],
    [
      'keys typed ahead before bad news are dropped: the news and the menu are heard',
      {},
      [
        ...MAIN_READY,
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        ['1', []],
        ['noslot', [`play no-slots ${DOCTORS3}`]],
      ],
    ],
    [
      'keys typed while the appointments load: 2 skips to the next, 1 asks to cancel it',
      {},
      [
        ...MAIN_READY,
        ['2', ['cancelTimer', `loadAppointments ${CALLER}`]],
        ['2', []],
        ['1', []],
        ['appts 2', ['play cancel-confirm']],
        ['1', ['stop', `cancel 502 ${CALLER}`]],
      ],
    ],
    [
      'keys during the booking are not taken as anything',
      {},
      [
        ...OFFER_READY,
        ['1', ['cancelTimer', BOOK]],
        ['9', []],
        ['booked S-3', [`play ${CONFIRMATION(11, D1, '10:30', 'S-3')}`]],
        ['done', ['hangup']],
      ],
    ],
  ]);
});

describe('my appointments', () => {
  const TO_LIST: Script = [...MAIN_READY, ['2', ['cancelTimer', `loadAppointments ${CALLER}`]]];
  const LIST2 = `play you-have {number 2} upcoming-appointments ${ITEM1} appointment-keys`;
  table([
    [
      'each booking read out; 2 next; 2 on the last one ends the list',
      {},
      [
        ...TO_LIST,
        ['appts 2', [LIST2]],
        ['done', ['timer']],
        ['2', ['cancelTimer', `play ${ITEM2} appointment-keys-last`]],
        ['2', ['stop', `play appointments-end ${MAIN}`]],
      ],
    ],
    [
      '1 then 1 cancels; "cancelled", then the main menu',
      {},
      [
        ...TO_LIST,
        ['appts 2', [LIST2]],
        ['1', ['stop', 'play cancel-confirm']],
        ['done', ['timer']],
        ['1', ['cancelTimer', `cancel 501 ${CALLER}`]],
        ['cancelled', [`play cancelled ${MAIN}`]],
      ],
    ],
    [
      'the second booking cancelled',
      {},
      [
        ...TO_LIST,
        ['appts 2', [LIST2]],
        ['2', ['stop', `play ${ITEM2} appointment-keys-last`]],
        ['1', ['stop', 'play cancel-confirm']],
        ['1', ['stop', `cancel 502 ${CALLER}`]],
        ['cancelled', [`play cancelled ${MAIN}`]],
      ],
    ],
    [
      'cancel aborted by any other key: kept, the same appointment again',
      {},
      [
        ...TO_LIST,
        ['appts 2', [LIST2]],
        ['1', ['stop', 'play cancel-confirm']],
        ['done', ['timer']],
        ['2', ['cancelTimer', `play cancel-kept ${ITEM1} appointment-keys`]],
      ],
    ],
    [
      'silence in the cancel confirmation asks again (it does not cancel)',
      {},
      [
        ...TO_LIST,
        ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]],
        ['1', ['stop', 'play cancel-confirm']],
        ['done', ['timer']],
        ['silence', ['play no-input cancel-confirm']],
      ],
    ],
    [
      'a cancellation that fails is said so',
      {},
      [
        ...TO_LIST,
        ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]],
        ['1', ['stop', 'play cancel-confirm']],
        ['1', ['stop', `cancel 501 ${CALLER}`]],
        ['cancelfail', [`play cancel-failed ${MAIN}`]],
      ],
    ],
    [
      'none: "no upcoming appointments", then the main menu',
      {},
      [...TO_LIST, ['appts 0', [`play appointments-none ${MAIN}`]], ['done', ['timer']]],
    ],
    ['loading fails: said so, then the main menu', {}, [...TO_LIST, ['apptsfail', [`play technical-problem ${MAIN}`]]]],
    [
      'a wrong key in the read-out re-prompts the same appointment',
      {},
      [...TO_LIST, ['appts 2', [LIST2]], ['7', ['stop', `play invalid ${ITEM1} appointment-keys`]]],
    ],
    [
      '3 turns reminder SMS off for the caller ID, says so, and the same appointment again; 3 again turns them on',
      {},
      [
        ...TO_LIST,
        ['appts 2', [LIST2]],
        ['2', ['stop', `play ${ITEM2} appointment-keys-last`]],
        ['3', ['stop', `toggleReminders ${CALLER}`]],
        ['1', []], // typed while the change is written: kept for the menu that follows
        ['reminders off', ['play cancel-confirm']],
        ['*', ['stop', `play cancel-kept ${ITEM2} appointment-keys-last`]],
        ['3', ['stop', `toggleReminders ${CALLER}`]],
        ['reminders on', [`play reminders-on ${ITEM2} appointment-keys-last`]],
      ],
    ],
    [
      '3: "Reminders are off" is said before the appointment is read again',
      {},
      [...TO_LIST, ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]], ['3', ['stop', `toggleReminders ${CALLER}`]], ['reminders off', [`play reminders-off ${ITEM1} appointment-keys-last`]]],
    ],
    [
      '3 when the change cannot be written: said so, nothing else changes',
      {},
      [...TO_LIST, ['appts 1', [`play appointments-one ${ITEM1} appointment-keys-last`]], ['3', ['stop', `toggleReminders ${CALLER}`]], ['reminders fail', [`play technical-problem ${ITEM1} appointment-keys-last`]]],
    ],
  ]);

  it('a keyed number (no caller ID) can never reach the 3 key: "my appointments" is not offered', () => {
    const c = new TestCall({ callerId: 'anonymous' });
    c.run('done', '9', '8', '1', '2', '3', '4', '5', '6', '7', '8', '#', '1', '2', '3');
    expect(c.history.some((e) => e.type === 'toggleReminders')).toBe(false);
  });
});

describe('my appointments: the queue on the day (SPEC §11)', () => {
  const TODAY_ITEM = { id: 601, doctorId: 11, doctorName: 'Dr. Sharma', date: D1, time: '10:00', token: 'S-5' };
  const ITEM_TODAY = `appointment-item {doctor 11} on {date ${D1}} at {time 10:00} token-label {token S-5}`;
  const withQueue = (queue: QueueInfo, more: AppointmentSummary[] = []) => {
    const call = new TestCall();
    call.run('done', '2');
    call.send({ type: 'appointmentsLoaded', items: [{ ...TODAY_ITEM, queue }, ...more] });
    return call;
  };
  const heard = (call: TestCall) => call.last.map(labelOf).filter(Boolean);

  it.each<[string, QueueInfo, string]>([
    ['two before: now serving and the count', { nowServing: 'S-3', standing: 'waiting', before: 2 }, 'queue-now-serving {token S-3} queue-there-are {number 2} queue-patients-before'],
    ['one before', { nowServing: 'S-4', standing: 'waiting', before: 1 }, 'queue-now-serving {token S-4} queue-one-before'],
    ['nobody before: next', { nowServing: 'S-4', standing: 'waiting', before: 0 }, 'queue-now-serving {token S-4} queue-you-are-next'],
    ['nothing served yet, four before', { nowServing: null, standing: 'not_started', before: 4 }, 'queue-not-started queue-there-are {number 4} queue-patients-before'],
    ['nothing served yet, first in line', { nowServing: null, standing: 'not_started', before: 0 }, 'queue-not-started queue-you-are-next'],
    ['being called now', { nowServing: 'S-5', standing: 'serving', before: 0 }, 'queue-your-turn'],
    ['passed over or called earlier', { nowServing: 'S-7', standing: 'passed', before: 0 }, 'queue-now-serving {token S-7} queue-passed'],
  ])('%s', (_name, queue, said) => {
    const call = withQueue(queue);
    expect(heard(call)).toEqual([`play appointments-one ${ITEM_TODAY} ${said} appointment-keys-last`]);
  });

  it('the words a caller hears: "Now serving S-3. There are 2 patients before you."', () => {
    const call = withQueue({ nowServing: 'S-3', standing: 'waiting', before: 2 });
    expect(call.lastPlay()!.text).toContain('Token number S-5. Now serving S-3. There are 2 patients before you. To cancel this appointment, press 1.');
  });

  it('only the booking of today carries the queue; keys work as before (2 next, 1 then 1 cancels)', () => {
    const call = withQueue({ nowServing: 'S-3', standing: 'waiting', before: 2 }, [APPOINTMENTS[1]!]);
    expect(heard(call)).toEqual([
      `play you-have {number 2} upcoming-appointments ${ITEM_TODAY} queue-now-serving {token S-3} queue-there-are {number 2} queue-patients-before appointment-keys`,
    ]);
    expect(call.do('2')).toEqual(['stop', `play ${ITEM2} appointment-keys-last`]);
    expect(call.do('*')).toEqual(['stop', `play ${MAIN}`]);
    call.do('2');
    call.send({ type: 'appointmentsLoaded', items: [{ ...TODAY_ITEM, queue: { nowServing: 'S-3', standing: 'waiting', before: 2 } }] });
    expect(call.do('1')).toEqual(['stop', 'play cancel-confirm']);
    expect(call.do('1')).toEqual(['stop', `cancel 601 ${CALLER}`]);
  });
});

describe('withheld caller ID', () => {
  const ASK = `play ${GREETING} caller-id-withheld enter-phone`;
  it.each(['', '  ', 'anonymous', 'Anonymous', 'unknown', 'Restricted', 'not-a-number', '12345'])(
    'caller ID "%s": asked for a number right after the greeting',
    (callerId) => runScript({ callerId }, [['start', [ASK]], ['done', ['timer']]]),
  );

  const KEYED = '+919812345678';
  const ENTER_NUMBER: Script = [
    ['start', [ASK]],
    ['done', ['timer']],
    ...[...'981234567'].map((d): [string, string[]] => [d, ['cancelTimer', 'timer']]),
    ['8', ['cancelTimer', 'timer']],
  ];
  table([
    [
      'number keyed with #, read back, 2 re-enters, 1 confirms; then it books with that number',
      { callerId: 'anonymous' },
      [
        ...ENTER_NUMBER,
        ['#', ['cancelTimer', 'play you-entered {digits 9812345678} confirm-phone-keys']],
        ['2', ['stop', 'play enter-phone']],
        ['9', ['stop', 'timer']],
        ...[...'81234567'].map((d): [string, string[]] => [d, ['cancelTimer', 'timer']]),
        ['8', ['cancelTimer', 'timer']],
        ['#', ['cancelTimer', 'play you-entered {digits 9812345678} confirm-phone-keys']],
        ['done', ['timer']],
        ['1', ['cancelTimer', 'play main-menu-no-appointments reception-option']],
        ['done', ['timer']],
        ['1', ['cancelTimer', `play ${DOCTORS3}`]],
        ['1', ['stop', 'offerSlot 11']],
        [`slot ${D1} 10:30 S-3`, [`play ${OFFER(11, D1, '10:30')}`]],
        ['1', ['stop', `book 11 ${D1} 10:30 ${KEYED}`]],
        ['booked S-3', [`play ${CONFIRMATION(11, D1, '10:30', 'S-3')}`]],
      ],
    ],
    [
      '"my appointments" is not offered on a keyed number: 2 is a wrong key',
      { callerId: '' },
      [
        ...ENTER_NUMBER,
        ['#', ['cancelTimer', 'play you-entered {digits 9812345678} confirm-phone-keys']],
        ['1', ['stop', 'play main-menu-no-appointments reception-option']],
        ['2', ['stop', 'play invalid main-menu-no-appointments reception-option']],
      ],
    ],
    [
      'an invalid number is refused and asked again; the third refusal transfers',
      { callerId: 'unknown' },
      [
        ['start', [ASK]],
        ['1', ['stop', 'timer']],
        ['2', ['cancelTimer', 'timer']],
        ['3', ['cancelTimer', 'timer']],
        ['#', ['cancelTimer', 'play phone-invalid enter-phone']],
        ['#', ['stop', 'play no-input enter-phone']],
        ['5', ['stop', 'timer']],
        ['#', ['cancelTimer', 'play phone-invalid transferring']],
        ['done', ['transfer PJSIP/reception']],
      ],
    ],
    [
      'a number without # is taken when the caller stops keying',
      { callerId: 'anonymous' },
      [...ENTER_NUMBER, ['silence', ['play you-entered {digits 9812345678} confirm-phone-keys']]],
    ],
    [
      'silence before any digit re-asks',
      { callerId: 'anonymous' },
      [['start', [ASK]], ['done', ['timer']], ['silence', ['play no-input enter-phone']]],
    ],
    [
      '* starts the number again',
      { callerId: 'anonymous' },
      [['start', [ASK]], ['9', ['stop', 'timer']], ['*', ['cancelTimer', 'play enter-phone']]],
    ],
    [
      'a wrong key at the read-back re-prompts it',
      { callerId: 'anonymous' },
      [
        ...ENTER_NUMBER,
        ['#', ['cancelTimer', 'play you-entered {digits 9812345678} confirm-phone-keys']],
        ['5', ['stop', 'play invalid you-entered {digits 9812345678} confirm-phone-keys']],
      ],
    ],
    [
      'a whole number typed during the greeting is taken as type-ahead',
      { callerId: 'anonymous' },
      [
        ['start', [ASK]],
        ['9', ['stop', 'timer']],
        ...[...'81234567'].map((d): [string, string[]] => [d, ['cancelTimer', 'timer']]),
        ['8', ['cancelTimer', 'timer']],
        ['#', ['cancelTimer', 'play you-entered {digits 9812345678} confirm-phone-keys']],
      ],
    ],
  ]);
});

describe('hang-up at any point', () => {
  // Prefix scripts that leave the call in each state, then the caller hangs up.
  const states: [name: string, opts: CallOptions, prefix: string[]][] = [
    ['greeting playing', {}, []],
    ['main menu waiting', {}, ['done']],
    ['phone entry', { callerId: 'anonymous' }, ['done', '9', '8']],
    ['phone read-back', { callerId: 'anonymous' }, [...'9812345678#']],
    ['doctor menu', {}, ['1']],
    ['offer pending', {}, ['1', '1']],
    ['slot offered (held)', {}, ['1', '1', `slot ${D1} 10:30 S-3`]],
    ['booking pending', {}, ['1', '1', `slot ${D1} 10:30 S-3`, '1']],
    ['confirmation playing', {}, ['1', '1', `slot ${D1} 10:30 S-3`, '1', 'booked S-3']],
    ['appointments loading', {}, ['2']],
    ['appointment read-out', {}, ['2', 'appts 2']],
    ['cancel confirmation', {}, ['2', 'appts 2', '1']],
    ['cancel pending', {}, ['2', 'appts 2', '1', '1']],
    ['transferring prompt', {}, ['0']],
    ['goodbye after failures', { reception: false }, ['5', '5', '5']],
  ];
  const afterwards = ['1', '#', 'done', 'silence', 'booked S-9', 'bookfail slot_taken', 'noslot', 'appts 2', 'cancelled', 'hangup'];

  it.each(states)('hang-up in "%s" → releaseHold and nothing else, then silence', (_name, opts, prefix) => {
    const call = new TestCall(opts);
    call.run(...prefix);
    expect(call.do('hangup')).toEqual(['releaseHold']);
    for (const input of afterwards) expect(call.do(input), input).toEqual([]);
  });

  it('a booking issued before the hang-up stands, and its success is not announced to nobody', () => {
    const call = new TestCall();
    expect(call.run('1', '1', `slot ${D1} 10:30 S-3`, '1')).toEqual(['stop', BOOK]);
    expect(call.do('hangup')).toEqual(['releaseHold']);
    expect(call.do('booked S-3')).toEqual([]);
    expect(call.plays().some((p) => p.prompts.includes('confirmed'))).toBe(false);
  });

  it('"confirmed" is heard only in answer to bookingResult ok, never on the book key or a failure', () => {
    const call = new TestCall();
    const heardConfirmed = () => call.last.some((e) => e.type === 'play' && e.prompts.includes('confirmed'));
    const script = ['1', '1', `slot ${D1} 10:30 S-3`, '1', 'bookfail slot_taken', `slot ${D1} 10:45 S-4`, '1'];
    for (const input of [...script, 'bookfail appointment_limit']) {
      call.do(input);
      expect(heardConfirmed(), input).toBe(false);
    }
    call.run('1', '1', `slot ${D1} 11:00 S-5`, '1');
    expect(heardConfirmed()).toBe(false);
    call.do('booked S-5');
    expect(heardConfirmed()).toBe(true);
  });

  it('a slot offered after the hang-up is let go at once', () => {
    const call = new TestCall();
    call.run('1', '1');
    expect(call.do('hangup')).toEqual(['releaseHold']);
    expect(call.do(`slot ${D1} 10:30 S-3`)).toEqual(['releaseHold']);
  });
});

describe('languages (LANGUAGES=en,hi)', () => {
  const EN_HI = { languages: ['en', 'hi'] };
  const OFFER_LANGS = '{offer en 1} {offer hi 2}';
  const MAIN_HI = 'main-menu language-option reception-option';
  const langOf = (call: TestCall) => call.lastPlay()?.lang;

  it('one language (the default LANGUAGES=en): no offer, no key 8, everything in English', () => {
    const call = new TestCall({}, { languages: ['en'] });
    expect(call.last.map(labelOf).filter(Boolean)).toEqual([`play ${GREETING} ${MAIN}`]);
    expect(langOf(call)).toBe('en');
    call.do('done');
    expect(call.do('8')).toEqual(['cancelTimer', `play invalid ${MAIN}`]);
  });

  it('a phone with no remembered language hears the greeting, then each language in its own words with its key', () => {
    const call = new TestCall({}, EN_HI);
    expect(call.last.map(labelOf).filter(Boolean)).toEqual([`play ${GREETING} ${OFFER_LANGS}`]);
    expect(langOf(call)).toBe('en'); // the clinic's default until the caller picks
    expect(call.lastPlay()!.text).toBe('Welcome to MedQ Demo Clinic. For English, press 1. हिंदी के लिए 2 दबाएँ।');
  });

  it('key 2 picks Hindi: the main menu (with key 8) and every prompt after it are Hindi, and the phone keeps it', () => {
    const call = new TestCall({}, EN_HI);
    call.do('done');
    expect(call.do('2')).toEqual(['cancelTimer', `rememberLanguage ${CALLER} hi`, `play ${MAIN_HI}`]);
    expect(langOf(call)).toBe('hi');
    expect(call.lastPlay()!.text).toContain('अपॉइंटमेंट लेने के लिए 1 दबाएँ।');
    expect(call.lastPlay()!.text).toContain('भाषा बदलने के लिए 8 दबाएँ।');
    call.run('done', '1');
    expect(langOf(call)).toBe('hi');
    call.run('done', '1', `slot ${D1} 10:30 S-3`);
    expect(langOf(call)).toBe('hi');
    // The values are said in Hindi words: "बुधवार दो दिसंबर", "सुबह दस बजकर तीस मिनट".
    expect(call.lastPlay()!.text).toContain('बुधवार दो दिसंबर');
    expect(call.lastPlay()!.text).toContain('सुबह दस बजकर तीस मिनट');
    expect(call.lastPlay()!.text.replace('Dr. Sharma', '')).not.toMatch(/[A-Za-z]/); // no English but the name
    expect(call.run('done', '1')).toEqual(['cancelTimer', `${BOOK} hi`]);
    call.do('booked S-3');
    expect(langOf(call)).toBe('hi');
    expect(call.lastPlay()!.text).toContain('आपका टोकन नंबर है एस तीन');
  });

  it('barge-in and type-ahead: 2 1 1 1 keyed at once picks Hindi and books the first doctor\'s next slot', () => {
    const call = new TestCall({}, EN_HI);
    expect(call.do('2')).toEqual(['stop', `rememberLanguage ${CALLER} hi`, `play ${MAIN_HI}`]);
    expect(call.do('1')).toEqual(['stop', `play ${DOCTORS3}`]);
    expect(call.do('1')).toEqual(['stop', 'offerSlot 11']);
    expect(call.do('1')).toEqual([]); // queued while the offer is fetched
    expect(call.do(`slot ${D1} 10:30 S-3`)).toEqual([`${BOOK} hi`]);
    call.do('booked S-3');
    expect(call.plays().slice(1).every((p) => p.lang === 'hi')).toBe(true);
  });

  it('keys typed ahead before the offer starts are used in order by it (2 then the main menu)', () => {
    const call = new TestCall({}, EN_HI);
    // The offer is playing; a key typed during the slot fetch goes to the next menu.
    call.run('2', '1', '1');
    expect(call.history.map(effectLabel)).toContain('offerSlot 11');
  });

  it('silence at the offer picks the default language and goes on to the main menu (not a failure, not remembered)', () => {
    const call = new TestCall({}, EN_HI);
    call.do('done');
    expect(call.do('silence')).toEqual([`play ${MAIN_HI}`]);
    expect(langOf(call)).toBe('en');
    expect(call.history.map(effectLabel).some((l) => l?.startsWith('rememberLanguage'))).toBe(false);
    call.run('done', '1', 'done', '1', `slot ${D1} 10:30 S-3`, 'done');
    expect(call.do('1')).toEqual(['cancelTimer', BOOK]); // no language chosen: none given to the account
  });

  it('a wrong key at the offer re-prompts it, as in any menu', () => {
    const call = new TestCall({}, EN_HI);
    call.do('done');
    expect(call.do('7')).toEqual(['cancelTimer', `play invalid ${OFFER_LANGS}`]);
    expect(call.do('1')).toEqual(['stop', `rememberLanguage ${CALLER} en`, `play ${MAIN_HI}`]);
  });

  it('key 8 in the main menu goes to the offer; the new choice switches the call at once and is remembered', () => {
    const call = new TestCall({ language: 'hi' }, EN_HI);
    call.do('done');
    expect(call.do('8')).toEqual(['cancelTimer', `play ${OFFER_LANGS}`]);
    expect(call.do('1')).toEqual(['stop', `rememberLanguage ${CALLER} en`, `play ${MAIN_HI}`]);
    expect(langOf(call)).toBe('en');
  });

  it('a phone whose account has a language: no offer, the call is in that language from the greeting on', () => {
    const call = new TestCall({ language: 'hi' }, EN_HI);
    expect(call.last.map(labelOf).filter(Boolean)).toEqual([`play ${GREETING} ${MAIN_HI}`]);
    expect(langOf(call)).toBe('hi');
    expect(call.lastPlay()!.text).toMatch(/^नमस्कार! आपका स्वागत है MedQ Demo Clinic/);
  });

  it('a remembered language the clinic no longer offers is ignored: the offer comes again', () => {
    const call = new TestCall({ language: 'ta' }, EN_HI);
    expect(call.last.map(labelOf).filter(Boolean)).toEqual([`play ${GREETING} ${OFFER_LANGS}`]);
  });

  it('no caller ID: the offer comes before the number entry, and the keyed number keeps the choice', () => {
    const call = new TestCall({ callerId: 'anonymous' }, EN_HI);
    expect(call.last.map(labelOf).filter(Boolean)).toEqual([`play ${GREETING} ${OFFER_LANGS}`]);
    expect(call.do('2')).toEqual(['stop', 'play caller-id-withheld enter-phone']);
    expect(langOf(call)).toBe('hi');
    call.keys('9876543210');
    call.do('#');
    expect(call.do('1')).toEqual(['stop', `rememberLanguage ${CALLER} hi`, 'play main-menu-no-appointments language-option reception-option']);
  });
});

describe('what the caller hears', () => {
  it('plays carry the catalog ids and the text, for the "prompt <id>: <text>" log', () => {
    const call = new TestCall();
    const greeting = call.lastPlay()!;
    expect(greeting.prompts).toEqual(['welcome', 'main-menu', 'reception-option']);
    expect(greeting.text).toBe(
      'Welcome to MedQ Demo Clinic. To book an appointment, press 1. To hear or cancel your appointments, press 2. ' +
        'To hear these options again, press 9. To speak to the reception, press 0.',
    );
    call.run('1');
    expect(call.lastPlay()!.text).toBe(
      'Please choose a doctor. Dr. Sharma, General Physician. Press 1. Dr. Iyer, Paediatrician. Press 2. ' +
        'Dr. Khan, Cardiologist. Press 3. To go back, press star.',
    );
    call.run('1', `slot ${D1} 10:30 S-3`);
    expect(call.lastPlay()!.text).toBe(
      'The next available appointment with Dr. Sharma is on Wednesday 2 December at 10:30 am. ' +
        'To book it, press 1. For the next available time, press 2. To go back, press star.',
    );
    call.run('1', 'booked S-3');
    expect(call.lastPlay()!.text).toBe(
      'Your appointment with Dr. Sharma on Wednesday 2 December at 10:30 am is confirmed. Your token number is S-3. ' +
        'You will receive an SMS with the details. Thank you for calling. Goodbye.',
    );
  });

  it('playback ids are unique and carry the call id (ARI keeps them globally)', () => {
    const call = new TestCall();
    call.run('5', '5', '1', '*', '9', '1', '1');
    expect(new Set(call.playbackIds).size).toBe(call.playbackIds.length);
    for (const id of call.playbackIds) expect(id.startsWith('chan-1-')).toBe(true);
  });

  it('the menu timer uses MENU_TIMEOUT_MS', () => {
    const call = new TestCall({}, { menuTimeoutMs: 7000 });
    call.do('done');
    expect(call.last).toContainEqual(expect.objectContaining({ type: 'startTimer', ms: 7000 }));
  });

  it('every catalog prompt is played by some scenario above, except the media-only fallbacks', () => {
    const fallbacks = new Set(['our-clinic', 'doctor-number', 'doctor']);
    const unplayed = PROMPT_IDS.filter((id) => !PLAYED.has(id) && !fallbacks.has(id));
    expect(unplayed).toEqual([]);
  });
});
