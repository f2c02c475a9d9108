// The phone's language lives on its account: the IVR's choice and the pages' choice are one value.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bookByPhone, phoneLanguage, setPhoneLanguage } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

const PHONE = '+919876543210';
let t: TestDb;
beforeEach(() => {
  t = createTestDb({ env: { LANGUAGES: 'en,hi' } });
});
afterEach(() => t.close());

describe('phone language', () => {
  it('a phone without an account has nowhere to keep a choice; once it has one, the last choice wins', async () => {
    expect(setPhoneLanguage(t.ctx, PHONE, 'hi')).toBe('no_account');
    expect(phoneLanguage(t.ctx, PHONE)).toBeNull();
    const r = await bookByPhone(t.ctx, { phone: PHONE, doctorId: 1, date: '2026-11-30', time: '09:00' });
    expect(r.ok).toBe(true);
    expect(phoneLanguage(t.ctx, PHONE)).toBeNull(); // never chosen: the clinic default applies
    expect(setPhoneLanguage(t.ctx, PHONE, 'hi')).toBe('saved');
    expect(phoneLanguage(t.ctx, PHONE)).toBe('hi');
    expect(setPhoneLanguage(t.ctx, PHONE, 'en')).toBe('saved');
    expect(phoneLanguage(t.ctx, PHONE)).toBe('en');
  });
});

describe('the language of a first call', () => {
  it('a booking that creates the account keeps the language chosen in the call; an existing account keeps its own', async () => {
    const r = await bookByPhone(t.ctx, { phone: PHONE, doctorId: 1, date: '2026-11-30', time: '09:00', language: 'hi' });
    expect(r.ok && r.value.accountCreated).toBe(true);
    expect(phoneLanguage(t.ctx, PHONE)).toBe('hi');
    const again = await bookByPhone(t.ctx, { phone: PHONE, doctorId: 2, date: '2026-12-01', time: '10:00', language: 'en' });
    expect(phoneLanguage(t.ctx, PHONE)).toBe('hi');
    // Its SMS too: the account's language, not the one this call was in.
    const sms = t.ctx.db.$client
      .prepare('SELECT kind, language FROM sms_outbox WHERE appointment_id = ? ORDER BY id')
      .all(again.ok ? again.value.appointmentId : -1);
    expect(sms).toEqual([{ kind: 'confirmation', language: 'hi' }]);
  });
});
