// The seed's three scenarios ("smart patient merging") at the module level, and name precedence.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accounts, appointments, patients, smsOutbox } from '../../src/db/schema.js';
import {
  bookByPhone,
  hashPassword,
  linkPhone,
  registerAccount,
  registrationConflict,
  verifyPassword,
  changePassword,
  accountById,
} from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

const PHONE = '+919876543210';
const sms = () => t.db.select().from(smsOutbox).orderBy(smsOutbox.id).all();

async function ivrBook(phone: string, time: string, doctorId = 1, date = '2026-11-30') {
  const r = await bookByPhone(t.ctx, { phone, doctorId, date, time });
  if (!r.ok) throw new Error(`booking failed: ${r.code}`);
  return r.value;
}

describe('scenario 1: a new web user', () => {
  it('registers with no phone history and gets an active account with a web patient', async () => {
    expect(registrationConflict(t.db, PHONE, 'asha')).toBeNull();
    const r = registerAccount(t.ctx, { phone: PHONE, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: await hashPassword('s3cret-pass') });
    expect(r.ok).toBe(true);
    const acc = t.db.select().from(accounts).where(eq(accounts.phone, PHONE)).get()!;
    expect(acc).toMatchObject({ username: 'asha', status: 'active', displayName: 'Asha Rao', mustChangePassword: false });
    expect(t.db.select().from(patients).all()).toMatchObject([{ name: 'Asha Rao', age: 34, phone: PHONE, accountId: acc.id, source: 'web' }]);
    // The same phone again, in any form, is already registered.
    expect(registrationConflict(t.db, PHONE, 'other')?.code).toBe('phone_already_registered');
    expect(registrationConflict(t.db, '+919000000001', 'asha')?.code).toBe('username_taken');
  });
});

describe('scenario 2: a caller books by phone first, then registers on the web', () => {
  it('creates a provisional account with the welcome SMS, then linking claims it and the web name wins', async () => {
    const first = await ivrBook('09876543210', '09:00');
    expect(first).toMatchObject({ accountCreated: true, phone: PHONE, token: 'S-1' });
    const acc = t.db.select().from(accounts).where(eq(accounts.phone, PHONE)).get()!;
    expect(acc).toMatchObject({ username: PHONE, status: 'provisional', displayName: 'IVR Patient 3210', mustChangePassword: true });
    const [welcome, confirmation] = sms();
    expect(welcome!.kind).toBe('welcome');
    const temp = /Password: ([A-Z0-9]{8})\n/.exec(welcome!.body)![1]!;
    expect(welcome!.body).toBe(
      `Welcome to MedQ! A web account has been created for you.\nUsername: ${PHONE}\nPassword: ${temp}\nYou can now view your appointments online!`,
    );
    expect(acc.passwordHash).not.toContain(temp);
    expect(await verifyPassword(acc.passwordHash, temp, t.ctx.tempPasswordKey)).toBe(true);
    expect(confirmation!.body).toBe('MedQ: appointment confirmed with Dr Sharma on Mon 30 Nov at 09:00. Token S-1.');

    // A second call from the same phone: same account, no second welcome, only the confirmation.
    const second = await ivrBook('+91 98765 43210', '10:00', 2);
    expect(second).toMatchObject({ accountCreated: false, accountId: acc.id, patientId: first.patientId });
    expect(sms().map((s) => s.kind)).toEqual(['welcome', 'confirmation', 'confirmation']);

    expect(registrationConflict(t.db, PHONE, 'asha')).toMatchObject({
      code: 'ivr_account_exists',
      message: 'We found that you have booked appointments via phone. Would you like to link your existing bookings to this web account?',
      extra: { phone_number: PHONE },
    });

    const linked = linkPhone(t.ctx, { phone: PHONE, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: await hashPassword('web-pass-1') });
    expect(linked.ok && linked.value).toMatchObject({ id: acc.id, username: 'asha', status: 'active', displayName: 'Asha Rao', mustChangePassword: false });
    const after = t.db.select().from(accounts).where(eq(accounts.id, acc.id)).get()!;
    expect(after.tokenVersion).toBeGreaterThan(acc.tokenVersion);
    expect(await verifyPassword(after.passwordHash, temp, t.ctx.tempPasswordKey)).toBe(false);
    expect(t.db.select().from(patients).all()).toMatchObject([{ name: 'Asha Rao', age: 34, accountId: acc.id }]);
    expect(t.db.select().from(appointments).all()).toHaveLength(2);
    expect(sms().at(-1)!.body).toBe(
      'Great! Your web account has been linked to your existing appointments. You can now view all your bookings online.',
    );
    expect(t.db.select().from(accounts).all()).toHaveLength(1);
  });

  it('links every legacy patient row with the phone to one account and keeps every booking', async () => {
    // Legacy imports: two patients with one phone and no account, one with a booking.
    t.db.insert(patients).values([
      { name: 'Old Import', phone: PHONE, source: 'ivr' },
      { name: 'Another Import', age: 70, phone: PHONE, source: 'ivr' },
      { name: 'Someone Else', phone: '+919000000002', source: 'ivr' },
    ]).run();
    t.db.insert(appointments).values({ patientId: 2, doctorId: 3, date: '2026-11-30', slotTime: '11:00', seat: 1, tokenNumber: 'I-1', personPhone: PHONE, channel: 'ivr' }).run();
    expect(registrationConflict(t.db, PHONE, 'asha')?.code).toBe('ivr_account_exists');
    const r = linkPhone(t.ctx, { phone: PHONE, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: 'x' });
    expect(r.ok).toBe(true);
    const rows = t.db.select().from(patients).where(eq(patients.phone, PHONE)).all();
    expect(rows).toHaveLength(2);
    for (const p of rows) expect(p).toMatchObject({ name: 'Asha Rao', age: 34, accountId: r.ok ? r.value.id : -1 });
    expect(t.db.select().from(patients).where(eq(patients.phone, '+919000000002')).get()!.accountId).toBeNull();
    expect(t.db.select().from(appointments).all()).toHaveLength(1);
  });

  it('a first call from a legacy patient\'s phone makes the account, adopts that patient under the account\'s name and books on it', async () => {
    t.db.insert(patients).values([
      { name: 'Old Import', age: 61, phone: PHONE, source: 'desk' },
      { name: 'Someone Else', phone: '+919000000002', source: 'desk' },
    ]).run();
    const b = await ivrBook('9876543210', '09:15');
    expect(b).toMatchObject({ accountCreated: true, patientId: 1 });
    expect(t.db.select().from(accounts).all()).toMatchObject([{ phone: PHONE, status: 'provisional', mustChangePassword: true, displayName: 'IVR Patient 3210' }]);
    expect(t.db.select().from(patients).orderBy(patients.id).all()).toMatchObject([
      { id: 1, name: 'IVR Patient 3210', age: 61, accountId: b.accountId },
      { id: 2, name: 'Someone Else', accountId: null },
    ]);
    expect(t.db.select().from(appointments).all()).toMatchObject([{ patientId: 1, personPhone: PHONE }]);
  });

  it('refuses to link a phone with no bookings or an active account', async () => {
    expect(linkPhone(t.ctx, { phone: PHONE, name: 'A', age: null, username: 'asha', passwordHash: 'x' })).toMatchObject({ ok: false, code: 'no_phone_bookings' });
    registerAccount(t.ctx, { phone: PHONE, name: 'A', age: null, username: 'asha', passwordHash: 'x' });
    expect(linkPhone(t.ctx, { phone: PHONE, name: 'A', age: null, username: 'asha2', passwordHash: 'x' })).toMatchObject({ ok: false, code: 'phone_already_registered' });
  });

  it('a password change claims the provisional account', async () => {
    const b = await ivrBook(PHONE, '09:00');
    const r = changePassword(t.ctx, b.accountId, await hashPassword('new-password'));
    expect(r.ok).toBe(true);
    expect(accountById(t.ctx, b.accountId)).toMatchObject({ status: 'active', mustChangePassword: false, tokenVersion: 1, username: PHONE });
    expect(registrationConflict(t.db, PHONE, 'asha')?.code).toBe('phone_already_registered');
  });
});

describe('scenario 3: a web user calls the IVR', () => {
  it('books onto the existing account, keeps the account name and queues the sync SMS', async () => {
    const reg = registerAccount(t.ctx, { phone: PHONE, name: 'Asha Rao', age: 34, username: 'asha', passwordHash: 'x' });
    if (!reg.ok) throw new Error(reg.code);
    const b = await ivrBook('9876543210', '09:15');
    expect(b).toMatchObject({ accountCreated: false, accountId: reg.value.id, token: 'S-2' });
    expect(t.db.select().from(patients).all()).toMatchObject([{ name: 'Asha Rao', accountId: reg.value.id }]);
    expect(sms().map((s) => [s.kind, s.body])).toEqual([
      ['sync', 'Your IVR booking has been synced with your web account. You can now view this appointment online.'],
      ['confirmation', 'MedQ: appointment confirmed with Dr Sharma on Mon 30 Nov at 09:15. Token S-2.'],
    ]);
    expect(t.db.select().from(accounts).all()).toHaveLength(1);
  });
});

describe('a failed phone booking leaves nothing behind', () => {
  it('rolls back the new account, patient and SMS when the slot is taken', async () => {
    await ivrBook('+919000000001', '09:00');
    const before = { a: t.db.select().from(accounts).all().length, p: t.db.select().from(patients).all().length, s: sms().length };
    const r = await bookByPhone(t.ctx, { phone: PHONE, doctorId: 1, date: '2026-11-30', time: '09:00' });
    expect(r).toMatchObject({ ok: false, code: 'slot_taken' });
    expect({ a: t.db.select().from(accounts).all().length, p: t.db.select().from(patients).all().length, s: sms().length }).toEqual(before);
  });

  it('refuses an invalid caller number without writing', async () => {
    const r = await bookByPhone(t.ctx, { phone: 'anonymous', doctorId: 1, date: '2026-11-30', time: '09:00' });
    expect(r).toMatchObject({ ok: false, code: 'invalid_phone' });
    expect(t.db.select().from(accounts).all()).toHaveLength(0);
  });
});
