// SMS in the recipient's language (issue 13): the account's language, or before there is an
// account the language of the page or call that asked. Real SQLite, real SMPP peer, real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accounts } from '../../src/db/schema.js';
import { startSmsRole } from '../../src/sms/index.js';
import { smsTextsIn } from '../../src/sms/texts.js';
import { bookByPhone, handleReply, offerNextSlot, setPhoneLanguage, verifyPassword } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { startApi } from '../api/helpers.js';
import { TestSmsc } from './smsc.js';
import { FAST, captureLogs, outbox, smsConfig, waitFor } from './helpers.js';

const HINDI_PHONE = '+919876543210';
const OTHER_PHONE = '+919812345678';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Sends what the outbox holds over a real SMPP bind to a fresh peer; returns the peer. */
async function sendAll(t: TestDb, env: Record<string, string> = {}): Promise<TestSmsc> {
  const smsc = await TestSmsc.start();
  cleanups.push(() => smsc.close());
  const config = smsConfig({ SMPP_URL: smsc.url(), LANGUAGES: t.config.languages.join(','), ...env });
  const role = startSmsRole({ db: t.db, config, logger: captureLogs().logger, tuning: FAST });
  cleanups.push(() => role.stop());
  expect(await role.whenUp(5_000)).toBe(true);
  await role.drainOnce();
  return smsc;
}

const bare = (doctorName: string) => doctorName.replace(/^Dr\.?\s*/, '');

/** The next free slot of doctor 1 from now (the sms role drops messages about past appointments). */
function nextSlot(t: TestDb, holder: string) {
  const s = offerNextSlot(t.ctx, 1, holder);
  if (!s.ok) throw new Error('no free slot');
  return { doctorId: 1, date: s.value.date, time: s.value.time, holder };
}

// How a Hindi reader writes a date: weekday, day, month (Monday first, January first).
const HI_DAYS = ['सोम', 'मंगल', 'बुध', 'गुरु', 'शुक्र', 'शनि', 'रवि'];
const HI_MONTHS = ['जनवरी', 'फ़रवरी', 'मार्च', 'अप्रैल', 'मई', 'जून', 'जुलाई', 'अगस्त', 'सितंबर', 'अक्टूबर', 'नवंबर', 'दिसंबर'];
const EN_DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
function spoken(date: string, days: string[], months: string[]): string {
  const d = new Date(`${date}T12:00:00Z`);
  return `${days[(d.getUTCDay() + 6) % 7]} ${d.getUTCDate()} ${months[d.getUTCMonth()]}`;
}

describe('SMS in the account language', () => {
  it('a first call in Hindi: the welcome SMS arrives as UCS-2 parts that reassemble to the exact Hindi text, the confirmation too', async () => {
    const t = createTestDb({ env: { LANGUAGES: 'en,hi' }, at: new Date().toISOString() });
    cleanups.push(() => t.close());
    const hiSlot = nextSlot(t, 'call-1');
    const hi = await bookByPhone(t.ctx, { phone: HINDI_PHONE, ...hiSlot, language: 'hi' });
    const enSlot = nextSlot(t, 'call-2');
    const en = await bookByPhone(t.ctx, { phone: OTHER_PHONE, ...enSlot });
    expect(hi.ok && en.ok).toBe(true);
    if (!hi.ok || !en.ok) return;
    // The password goes out once, in the SMS; read it as the phone would.
    const welcomeRow = outbox(t.db).find((r) => r.kind === 'welcome' && r.phone === HINDI_PHONE)!;
    expect(welcomeRow.language).toBe('hi');
    const password = /पासवर्ड: (\S+)/.exec(welcomeRow.body)![1]!;

    const smsc = await sendAll(t);
    // Whole messages as the phone shows them (parts put together by their UDH), welcome first.
    const to = (phone: string) =>
      smsc
        .messages()
        .filter((m) => m.dest === phone.slice(1))
        .sort((a, b) => Number(b.text.includes('\n')) - Number(a.text.includes('\n')));
    const hindi = to(HINDI_PHONE);
    expect(hindi.map((m) => m.text)).toEqual([
      `MedQ में आपका स्वागत है! आपके लिए एक वेब खाता बनाया गया है।\nयूज़रनेम: ${HINDI_PHONE}\nपासवर्ड: ${password}\nअब आप अपनी अपॉइंटमेंट ऑनलाइन देख सकते हैं!`,
      `MedQ: डॉ ${bare(hi.value.doctorName)} के साथ ${spoken(hiSlot.date, HI_DAYS, HI_MONTHS)} को ${hiSlot.time} बजे आपकी अपॉइंटमेंट पक्की हो गई है। टोकन ${hi.value.token}।`,
    ]);
    // Every part of both: UCS-2 (data_coding 8), each with a concatenation UDH.
    expect(hindi[0]!.parts).toBeGreaterThan(1);
    const hindiParts = smsc.submits.filter((s) => s.dest === HINDI_PHONE.slice(1));
    expect(hindiParts).toHaveLength(hindi[0]!.parts + hindi[1]!.parts);
    for (const p of hindiParts) {
      expect(p).toMatchObject({ dataCoding: 8, esmClass: 0x40 });
      expect(p.udh).not.toBeNull();
    }
    // The password in the Hindi SMS is the account's.
    const account = t.db.select().from(accounts).where(eq(accounts.phone, HINDI_PHONE)).get()!;
    expect(await verifyPassword(account.passwordHash, password, t.ctx.tempPasswordKey)).toBe(true);

    // A phone that never chose gets the clinic default, English, exactly as SPEC §7 says.
    expect(to(OTHER_PHONE).map((m) => [m.dataCoding, m.text.split('\n')[0]])).toEqual([
      [0, 'Welcome to MedQ! A web account has been created for you.'],
      [0, `MedQ: appointment confirmed with Dr ${bare(en.value.doctorName)} on ${spoken(enSlot.date, EN_DAYS, EN_MONTHS)} at ${enSlot.time}. Token ${en.value.token}.`],
    ]);
  });

  it('replies, cancellations and reminders follow the language the phone chose last; a language not in LANGUAGES falls back to the default', async () => {
    const t = createTestDb({ env: { LANGUAGES: 'en,hi' } });
    cleanups.push(() => t.close());
    const b = await bookByPhone(t.ctx, { phone: HINDI_PHONE, doctorId: 1, date: '2026-12-02', time: '10:00' });
    expect(b.ok).toBe(true);
    expect(setPhoneLanguage(t.ctx, HINDI_PHONE, 'hi')).toBe('saved');
    handleReply(t.ctx, { phone: HINDI_PHONE, text: 'STOP' });
    handleReply(t.ctx, { phone: HINDI_PHONE, text: 'C' });
    const hiTexts = smsTextsIn('hi');
    const rows = outbox(t.db).filter((r) => r.phone === HINDI_PHONE);
    expect(rows.find((r) => r.kind === 'opted_out')).toMatchObject({ language: 'hi', body: hiTexts.optedOut('MedQ') });
    const cancellation = rows.find((r) => r.kind === 'cancellation')!;
    expect(cancellation.language).toBe('hi');
    expect(cancellation.body).toMatch(/^MedQ: डॉ .+ के साथ बुध 2 दिसंबर को 10:00 बजे की आपकी अपॉइंटमेंट रद्द कर दी गई है।$/);

    // LANGUAGES later narrowed to English: the stored "hi" is not offered any more, English it is.
    const narrowed = createTestDb({ env: { LANGUAGES: 'en' } });
    cleanups.push(() => narrowed.close());
    await bookByPhone(narrowed.ctx, { phone: HINDI_PHONE, doctorId: 1, date: '2026-12-02', time: '10:00', language: 'hi' });
    expect(outbox(narrowed.db).map((r) => [r.kind, r.language])).toEqual([
      ['welcome', 'en'],
      ['confirmation', 'en'],
    ]);
  });
});

describe('a code SMS before there is an account', () => {
  it('arrives in the language of the page that asked; the new account keeps it; resend may switch it', async () => {
    // The clock is now: the code must not have expired by the time the sms role sees it.
    const api = await startApi({ env: { LANGUAGES: 'en,hi' }, at: new Date().toISOString() });
    cleanups.push(() => api.close());
    const body = { name: 'Asha Verma', age: 34, phone_number: '9876543210', username: 'asha.v', password: 'correct horse 42' };

    const bad = await api.call('POST', '/api/auth/register', { body: { ...body, language: 'fr' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('validation_error');

    const started = await api.call('POST', '/api/auth/register', { body: { ...body, language: 'hi' } });
    expect(started.status).toBe(202);
    const smsc = await sendAll(api.t);
    await waitFor(() => smsc.messages().length === 1, 5_000, 'the code SMS');
    const [otp] = smsc.messages();
    expect(otp!.dataCoding).toBe(8);
    const m = /^MedQ सत्यापन कोड: (\d{6})। यह 10 मिनट में समाप्त हो जाएगा। इसे किसी को न बताएं।$/.exec(otp!.text);
    expect(m, otp!.text).not.toBeNull();

    // The page switches to English and asks again: this code in English.
    const resent = await api.call('POST', '/api/auth/verify/resend', { body: { verification_id: started.body.verification_id, language: 'en' } });
    expect(resent.status).toBe(202);
    expect(api.sms(HINDI_PHONE).filter((r) => r.kind === 'otp').map((r) => r.language)).toEqual(['hi', 'en']);
    await waitFor(() => smsc.messages().length === 2, 5_000, 'the second code SMS');
    const english = smsc.messages().find((x) => x.text !== otp!.text)!;
    expect(english.dataCoding).toBe(0);
    const code = /^MedQ verification code: (\d{6})\. It expires in 10 minutes\. Do not share it\.$/.exec(english.text)![1]!;

    const done = await api.call('POST', '/api/auth/verify', { body: { verification_id: started.body.verification_id, code } });
    expect(done.status).toBe(201);
    const me = await api.call('GET', '/api/me', { token: done.body.token });
    expect(me.body.language).toBe('hi'); // the page it registered from
  });
});
