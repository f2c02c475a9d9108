// Reminders and two-way SMS against a real SMPP peer (node-smpp's server sending real deliver_sm
// and data_sm PDUs) and a real SQLite file, under the sync module's injected clock.
import { afterEach, describe, expect, it } from 'vitest';
import { startSmsRole, type SmsRole } from '../../src/sms/index.js';
import { bookByPhone, cancelAppointment, freeSlots } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { TestSmsc } from './smsc.js';
import { FAST, captureLogs, smsConfig, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const SHARMA = 1;
const PATEL = 2;
const TUESDAY = '2026-12-01';
const WEDNESDAY = '2026-12-02';

interface Setup {
  t: TestDb;
  smsc: TestSmsc;
  role: SmsRole;
  logs: ReturnType<typeof captureLogs>;
  /** Texts the SMSC received for this phone (E.164), in order, without the booking's welcome and confirmation. */
  texts(phone: string): string[];
  q<T = Record<string, unknown>>(sql: string, ...params: unknown[]): T[];
  book(phone: string, doctorId: number, date: string, time: string): Promise<number>;
}

async function setup(env: Record<string, string> = {}): Promise<Setup> {
  const t = createTestDb(); // Monday 30 Nov 2026, 08:00 in Kolkata
  cleanups.push(() => t.close());
  const smsc = await TestSmsc.start();
  cleanups.push(() => smsc.close());
  const logs = captureLogs();
  const config = smsConfig({ SMPP_URL: smsc.url(), SMS_REPLY_NUMBER: '+919000000000', REMINDER_HOURS: '24', ...env });
  const role = startSmsRole({ db: t.db, ctx: t.ctx, config, logger: logs.logger, tuning: { ...FAST, reminderIntervalMs: 50 } });
  cleanups.push(() => role.stop());
  expect(await role.whenUp(5_000)).toBe(true);
  const q = <T,>(sql: string, ...params: unknown[]) => t.db.$client.prepare(sql).all(...params) as T[];
  return {
    t,
    smsc,
    role,
    logs,
    q,
    texts: (phone) =>
      smsc
        .messages()
        .filter((m) => `+${m.dest}` === phone && !m.text.startsWith('Welcome to') && !m.text.includes('appointment confirmed'))
        .map((m) => m.text),
    async book(phone, doctorId, date, time) {
      const r = await bookByPhone(t.ctx, { phone, doctorId, date, time, channel: 'desk' });
      if (!r.ok) throw new Error(`booking failed: ${r.code}`);
      return r.value.appointmentId;
    },
  };
}

const status = (s: Setup, id: number) => s.q<{ status: string }>('select status from appointments where id = ?', id)[0]!.status;
const reminderRows = (s: Setup, phone: string) => s.q<{ appointment_id: number; dedupe_key: string }>("select * from sms_outbox where kind = 'reminder' and phone = ?", phone);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Several scheduler runs (every 50 ms) and worker passes. */
const someRuns = () => sleep(400);
const fromField = (phone: string) => phone.slice(1); // TON 1: international, without the "+"

describe('reminders', () => {
  it('one reminder REMINDER_HOURS before, at that moment (injected clock), with the SPEC text; none for a booking made too late', async () => {
    const s = await setup();
    const early = '+919811100001';
    const late = '+919811100002';
    const apptId = await s.book(early, SHARMA, TUESDAY, '16:00'); // booked 32 h before
    s.t.clock.set('2026-11-30T12:00:00+05:30');
    const lateId = await s.book(late, SHARMA, TUESDAY, '11:00'); // booked 23 h before: no reminder

    s.t.clock.set('2026-11-30T15:59:00+05:30');
    await someRuns();
    expect(s.texts(early).filter((x) => x.includes('reminder'))).toEqual([]);

    s.t.clock.set('2026-11-30T16:00:00+05:30');
    await waitFor(() => s.texts(early).some((x) => x.includes('reminder')), 10_000, 'the reminder at the SMSC');
    expect(s.texts(early).filter((x) => x.includes('reminder'))).toEqual([
      'MedQ: reminder, Dr Sharma on Tue 1 Dec at 16:00, token S-17. Reply C to cancel.',
    ]);
    expect(reminderRows(s, early)).toMatchObject([{ appointment_id: apptId, dedupe_key: `reminder:${apptId}` }]);
    // Sent from SMS_REPLY_NUMBER (a number can be replied to, "MedQ" cannot); the confirmation from MedQ.
    const from = (word: string) => s.smsc.submits.filter((x) => `+${x.dest}` === early && x.text.includes(word)).map((x) => [x.sourceAddr, x.sourceTon]);
    expect(from('reminder')).toEqual([['919000000000', 1]]);
    expect(from('confirmed')).toEqual([['MEDQ', 5]]); // SMPP_SOURCE_ADDR's default

    // Later runs queue nothing more; the late booking never gets one, not even at 11:00 the day before.
    s.t.clock.set('2026-11-30T16:30:00+05:30');
    await someRuns();
    s.t.clock.set('2026-12-01T10:59:00+05:30');
    await someRuns();
    expect(reminderRows(s, early)).toHaveLength(1);
    expect(reminderRows(s, late)).toEqual([]);
    expect(status(s, lateId)).toBe('booked');
    // Past the appointment: none either.
    s.t.clock.set('2026-12-01T11:00:00+05:30');
    await someRuns();
    expect(reminderRows(s, late)).toEqual([]);
  }, 20_000);

  it('no reminder for a cancelled appointment; "To cancel call" the clinic without SMS_REPLY_NUMBER, nothing when the clinic has no number', async () => {
    const s = await setup({ SMS_REPLY_NUMBER: '' });
    const a = '+919811100011';
    const b = '+919811100012';
    const c = '+919811100013';
    await s.book(a, SHARMA, TUESDAY, '09:00');
    const bId = await s.book(b, PATEL, TUESDAY, '10:00');
    expect(cancelAppointment(s.t.ctx, { appointmentId: bId }).ok).toBe(true);
    s.t.clock.set('2026-11-30T09:00:00+05:30');
    await waitFor(() => s.texts(a).length > 0, 10_000, 'reminder without a clinic number');
    expect(s.texts(a)).toEqual(['MedQ: reminder, Dr Sharma on Tue 1 Dec at 09:00, token S-1.']);
    expect(s.smsc.submits.filter((x) => x.text.includes('reminder')).map((x) => x.sourceAddr)).toEqual(['MEDQ']); // no reply number

    s.t.db.$client.prepare('update clinics set public_phone = ?').run('+914012345678');
    await s.book(c, PATEL, TUESDAY, '11:00');
    s.t.clock.set('2026-11-30T11:00:00+05:30');
    await waitFor(() => s.texts(c).length > 0, 10_000, 'reminder with the clinic number');
    expect(s.texts(c)).toEqual(['MedQ: reminder, Dr Patel on Tue 1 Dec at 11:00, token P-4. To cancel call +914012345678.']);
    expect(reminderRows(s, b)).toEqual([]);
    expect(s.texts(b).filter((x) => x.includes('reminder'))).toEqual([]);
  }, 20_000);

  it('STOP: the reminder time passes and nothing is sent; START: reminders are on again and the due one goes out', async () => {
    const s = await setup();
    const phone = '+919811100021';
    await s.book(phone, SHARMA, TUESDAY, '11:00');
    expect(await s.smsc.sendMo(fromField(phone), 'stop')).toBe(0);
    await waitFor(() => s.texts(phone).length > 0, 10_000, 'the opted-out answer');
    expect(s.texts(phone)).toEqual(['MedQ: you will not get reminders any more. Reply START to get them again.']);
    expect(s.q('select phone from sms_opt_outs')).toEqual([{ phone }]);

    s.t.clock.set('2026-11-30T11:00:00+05:30');
    await someRuns();
    s.t.clock.set('2026-11-30T15:00:00+05:30');
    await someRuns();
    expect(reminderRows(s, phone)).toEqual([]);
    expect(s.texts(phone)).toHaveLength(1);

    expect(await s.smsc.sendMo(fromField(phone), 'START')).toBe(0);
    await waitFor(() => s.texts(phone).length >= 3, 10_000, 'opted-in answer and the reminder');
    expect(s.texts(phone).slice(1).sort()).toEqual(
      ['MedQ: reminders are on again. Reply STOP to stop them.', 'MedQ: reminder, Dr Sharma on Tue 1 Dec at 11:00, token S-9. Reply C to cancel.'].sort(),
    );
    expect(s.q('select phone from sms_opt_outs')).toEqual([]);
  }, 20_000);
});

describe('replies', () => {
  it('C cancels the appointment the last reminder named (not the soonest), answers with the cancellation SMS, and frees its slot', async () => {
    const s = await setup();
    const phone = '+919811100031';
    const soonest = await s.book(phone, PATEL, TUESDAY, '10:00');
    const reminded = await s.book(phone, SHARMA, TUESDAY, '12:00');
    // The 10:00 one's reminder goes out first, the 12:00 one's last.
    s.t.clock.set('2026-11-30T10:00:00+05:30');
    await waitFor(() => s.texts(phone).filter((x) => x.includes('reminder')).length === 1, 10_000, 'first reminder');
    s.t.clock.set('2026-11-30T12:00:00+05:30');
    await waitFor(() => s.texts(phone).filter((x) => x.includes('reminder')).length === 2, 10_000, 'both reminders');
    await waitFor(() => s.q("select 1 from sms_outbox where kind='reminder' and state <> 'delivered'").length === 0, 10_000, 'receipts');
    expect(freeSlots(s.t.ctx, SHARMA, TUESDAY)!.map((f) => f.time)).not.toContain('12:00');

    expect(await s.smsc.sendMo(fromField(phone), ' c ')).toBe(0);
    expect(status(s, reminded)).toBe('cancelled');
    expect(status(s, soonest)).toBe('booked');
    await waitFor(() => s.texts(phone).some((x) => x.includes('is cancelled')), 10_000, 'the cancellation SMS');
    expect(s.texts(phone).filter((x) => x.includes('is cancelled'))).toEqual(['MedQ: your appointment with Dr Sharma on Tue 1 Dec at 12:00 is cancelled.']);
    expect(freeSlots(s.t.ctx, SHARMA, TUESDAY)!.map((f) => f.time)).toContain('12:00');
    expect(s.q('select command, outcome, appointment_id from sms_inbound')).toEqual([{ command: 'cancel', outcome: 'cancelled', appointment_id: reminded }]);

    // The reminded one is gone: the next C takes the phone's next upcoming booking.
    s.t.clock.advance(11 * 60_000);
    expect(await s.smsc.sendMo(fromField(phone), 'CANCEL')).toBe(0);
    expect(status(s, soonest)).toBe('cancelled');
    // And then there is nothing left to cancel.
    s.t.clock.advance(11 * 60_000);
    expect(await s.smsc.sendMo(fromField(phone), 'Cancel.')).toBe(0);
    await waitFor(() => s.texts(phone).some((x) => x.includes('no upcoming')), 10_000, 'nothing to cancel');
    expect(s.texts(phone).filter((x) => x.includes('no upcoming'))).toEqual(['MedQ: you have no upcoming appointment to cancel.']);
  }, 20_000);

  it('C S-5 cancels the booking with that token, not the next one', async () => {
    const s = await setup();
    const phone = '+919811100041';
    const next = await s.book(phone, SHARMA, TUESDAY, '09:00'); // S-1
    const named = await s.book(phone, SHARMA, WEDNESDAY, '10:00'); // S-5
    expect(await s.smsc.sendMo(fromField(phone), 'C S-5')).toBe(0);
    expect(status(s, named)).toBe('cancelled');
    expect(status(s, next)).toBe('booked');
    await waitFor(() => s.texts(phone).some((x) => x.includes('is cancelled')), 10_000, 'the cancellation SMS');
    expect(s.texts(phone).filter((x) => x.includes('is cancelled'))).toEqual(['MedQ: your appointment with Dr Sharma on Wed 2 Dec at 10:00 is cancelled.']);
    // A token the phone has no booking with: nothing to cancel, nothing cancelled.
    expect(await s.smsc.sendMo(fromField(phone), 'c p-3')).toBe(0);
    expect(status(s, next)).toBe('booked');
    expect(s.q('select outcome from sms_inbound order by id')).toEqual([{ outcome: 'cancelled' }, { outcome: 'nothing_to_cancel' }]);
  }, 20_000);

  it('a deliver_sm delivered twice (the SMSC resends) cancels once; both are answered deliver_sm_resp OK', async () => {
    const s = await setup();
    const phone = '+919811100051';
    const first = await s.book(phone, SHARMA, TUESDAY, '09:00');
    const second = await s.book(phone, PATEL, TUESDAY, '10:00');
    expect(await s.smsc.sendMo(fromField(phone), 'C')).toBe(0);
    expect(await s.smsc.sendMo(fromField(phone), 'C')).toBe(0);
    expect(status(s, first)).toBe('cancelled');
    expect(status(s, second)).toBe('booked');
    expect(s.q('select outcome, appointment_id from sms_inbound order by id')).toEqual([
      { outcome: 'cancelled', appointment_id: first },
      { outcome: 'duplicate', appointment_id: first },
    ]);
    await waitFor(() => s.texts(phone).some((x) => x.includes('is cancelled')), 10_000, 'the cancellation SMS');
    await someRuns();
    expect(s.texts(phone).filter((x) => x.includes('is cancelled'))).toHaveLength(1);
    expect(s.smsc.moResponses).toEqual([
      { command: 'deliver_sm_resp', status: 0 },
      { command: 'deliver_sm_resp', status: 0 },
    ]);
    // Ten minutes later the same text is a new reply.
    s.t.clock.advance(10 * 60_000 + 1);
    expect(await s.smsc.sendMo(fromField(phone), 'C')).toBe(0);
    expect(status(s, second)).toBe('cancelled');
  }, 20_000);

  it('data_sm works too; anything else gets the help text once a day; the log never holds the text', async () => {
    const s = await setup();
    const phone = '+919811100061';
    expect(await s.smsc.sendMo(fromField(phone), 'hello is the doctor in today', { command: 'data_sm' })).toBe(0);
    expect(await s.smsc.sendMo(`0${phone.slice(3)}`, 'what are your hours please', { ton: 0 })).toBe(0); // national form
    await waitFor(() => s.texts(phone).length > 0, 10_000, 'the help text');
    await someRuns();
    expect(s.texts(phone)).toEqual(['MedQ: reply C to cancel your next appointment, STOP to stop reminders.']);
    expect(s.q('select phone, command, outcome from sms_inbound order by id')).toEqual([
      { phone, command: 'other', outcome: 'help' },
      { phone, command: 'other', outcome: 'help_already_sent' },
    ]);
    s.t.clock.advance(24 * 3_600_000 + 60_000);
    expect(await s.smsc.sendMo(fromField(phone), 'hi')).toBe(0);
    await waitFor(() => s.texts(phone).length === 2, 10_000, 'the next day help text');
    expect(s.smsc.moResponses.map((r) => r.command)).toEqual(['data_sm_resp', 'deliver_sm_resp', 'deliver_sm_resp']);
    const log = s.logs.all();
    expect(log).toContain('sms reply handled');
    expect(log).not.toContain('doctor in today');
    expect(log).not.toContain('hours please');
    expect(JSON.stringify(s.q('select * from sms_inbound'))).not.toContain('hours');
  }, 20_000);

  it('a reply the database cannot record is answered with a temporary error (the SMSC resends), and acted on when resent', async () => {
    const s = await setup();
    const phone = '+919811100071';
    const id = await s.book(phone, SHARMA, TUESDAY, '09:00');
    s.t.db.$client.exec("create trigger broken before insert on sms_inbound begin select raise(fail, 'disk trouble'); end");
    expect(await s.smsc.sendMo(fromField(phone), 'C')).toBe(0x64); // ESME_RX_T_APPN
    expect(status(s, id)).toBe('booked'); // rolled back with the record
    s.t.db.$client.exec('drop trigger broken');
    expect(await s.smsc.sendMo(fromField(phone), 'C')).toBe(0);
    expect(status(s, id)).toBe('cancelled');
  }, 20_000);
});
