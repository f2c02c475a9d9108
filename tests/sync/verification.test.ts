// SPEC §3 verification at the module level: codes by SMS, tries, expiry, resend limits, re-checks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accounts, smsOutbox, verifications } from '../../src/db/schema.js';
import { bookByPhone, completeVerification, resendCode, startVerification } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

const PHONE = '+919876543210';
const input = { phone: PHONE, name: 'Asha', age: 30, username: 'asha', passwordHash: 'hash' };
const lastCode = () => /code: (\d{6})\./.exec(t.db.select().from(smsOutbox).orderBy(smsOutbox.id).all().at(-1)!.body)![1]!;

function start() {
  const r = startVerification(t.ctx, { purpose: 'register', input });
  if (!r.ok) throw new Error(r.code);
  return r.value.verificationId;
}

describe('verification', () => {
  it('sends a 6-digit code by SMS, stores only its HMAC, and completes the registration', () => {
    const id = start();
    const otp = t.db.select().from(smsOutbox).get()!;
    expect(otp).toMatchObject({ kind: 'otp', phone: PHONE });
    expect(otp.body).toMatch(/^MedQ verification code: \d{6}\. It expires in 10 minutes\. Do not share it\.$/);
    expect(otp.expiresAt).toBe(t.clock.now.getTime() + 600_000);
    const code = lastCode();
    expect(t.db.select().from(verifications).get()!.codeHash).not.toContain(code);
    const done = completeVerification(t.ctx, id, code);
    expect(done).toMatchObject({ ok: true, value: { purpose: 'register', result: { ok: true, value: { username: 'asha', status: 'active' } } } });
    expect(completeVerification(t.ctx, id, code)).toMatchObject({ ok: false, code: 'verification_expired' });
  });

  it('allows 5 tries, then the verification is spent', () => {
    const id = start();
    const wrong = lastCode() === '000000' ? '111111' : '000000';
    for (let left = 4; left >= 1; left--) {
      expect(completeVerification(t.ctx, id, wrong)).toMatchObject({ ok: false, code: 'invalid_code', extra: { attempts_left: left } });
    }
    expect(completeVerification(t.ctx, id, wrong)).toMatchObject({ ok: false, code: 'verification_expired' });
    expect(completeVerification(t.ctx, id, lastCode())).toMatchObject({ ok: false, code: 'verification_expired' });
    expect(t.db.select().from(accounts).all()).toHaveLength(0);
  });

  it('expires after 10 minutes', () => {
    const id = start();
    t.clock.advance(600_001);
    expect(completeVerification(t.ctx, id, lastCode())).toMatchObject({ ok: false, code: 'verification_expired' });
  });

  it('resends a new code for the same verification, at most 5 codes per phone per 15 minutes', () => {
    const id = start();
    const first = lastCode();
    for (let i = 0; i < 4; i++) expect(resendCode(t.ctx, id)).toMatchObject({ ok: true });
    expect(resendCode(t.ctx, id)).toMatchObject({ ok: false, code: 'too_many_codes' });
    expect(startVerification(t.ctx, { purpose: 'register', input })).toMatchObject({ ok: false, code: 'too_many_codes' });
    const latest = lastCode();
    if (latest !== first) expect(completeVerification(t.ctx, id, first)).toMatchObject({ ok: false, code: 'invalid_code' });
    expect(completeVerification(t.ctx, id, latest)).toMatchObject({ ok: true });
    t.clock.advance(15 * 60_000 + 1);
    expect(startVerification(t.ctx, { purpose: 'register', input: { ...input, phone: PHONE } })).toMatchObject({ ok: true });
  });

  it('re-checks at verify time: a phone booking made meanwhile turns registration into ivr_account_exists', async () => {
    const id = start();
    const b = await bookByPhone(t.ctx, { phone: PHONE, doctorId: 1, date: '2026-11-30', time: '09:00' });
    expect(b.ok).toBe(true);
    const code = /code: (\d{6})\./.exec(t.db.select().from(smsOutbox).where(eq(smsOutbox.kind, 'otp')).get()!.body)![1]!;
    expect(completeVerification(t.ctx, id, code)).toMatchObject({
      ok: true,
      value: { result: { ok: false, code: 'ivr_account_exists', extra: { phone_number: PHONE } } },
    });
    expect(t.db.select().from(accounts).all()).toMatchObject([{ status: 'provisional' }]);
  });

  it('a reset for an unknown phone sends nothing and can never complete', () => {
    const r = startVerification(t.ctx, { purpose: 'reset', input: { phone: PHONE, passwordHash: 'h' } }, { sendSms: false });
    expect(r).toMatchObject({ ok: true, value: { expiresIn: 600 } });
    expect(t.db.select().from(smsOutbox).all()).toHaveLength(0);
    if (r.ok) expect(completeVerification(t.ctx, r.value.verificationId, '123456')).toMatchObject({ ok: false, code: 'invalid_code' });
  });
});
