// A new IVR caller's temporary password is stored as a salted HMAC under a key derived from
// JWT_SECRET, not as argon2id (src/sync/credentials.ts): random and only good here, it needs no
// slow hash, and the argon2 hash had been half of the ivr role's CPU per new caller (issue 10).
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { accounts, smsOutbox } from '../../src/db/schema.js';
import { bookByPhone, createSyncContext, hashPassword, verifyPassword } from '../../src/sync/index.js';
import { tempPasswordHash } from '../../src/sync/credentials.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb | undefined;
afterEach(() => t?.close());

const PHONE = '+919876543210';

async function newCaller(db: TestDb) {
  const r = await bookByPhone(db.ctx, { phone: PHONE, doctorId: 1, date: '2026-11-30', time: '09:00' });
  expect(r.ok && r.value.accountCreated).toBe(true);
  const welcome = db.db.select().from(smsOutbox).where(eq(smsOutbox.kind, 'welcome')).get()!;
  const password = /Password: ([A-Z0-9]{8})\n/.exec(welcome.body)![1]!;
  const account = db.db.select().from(accounts).where(eq(accounts.phone, PHONE)).get()!;
  return { password, stored: account.passwordHash };
}

describe('temporary passwords', () => {
  it('are stored salted and keyed: the right key verifies them, a database without the key or with another JWT_SECRET does not', async () => {
    t = createTestDb();
    const { password, stored } = await newCaller(t);
    expect(stored).toMatch(/^\$medq-temp\$v=1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(stored).not.toContain(password);
    expect(await verifyPassword(stored, password, t.ctx.tempPasswordKey)).toBe(true);
    expect(await verifyPassword(stored, password.toLowerCase(), t.ctx.tempPasswordKey)).toBe(false);
    expect(await verifyPassword(stored, 'AAAAAAAA', t.ctx.tempPasswordKey)).toBe(false);
    // Without the key nothing verifies (a stolen database or backup cannot test a guess).
    expect(await verifyPassword(stored, password)).toBe(false);
    // JWT_SECRET rotated: the temporary passwords not yet changed end with it.
    const rotated = createSyncContext(t.db, { ...t.config, jwtSecret: 'another-secret-of-at-least-32-characters!' });
    expect(rotated.tempPasswordKey).not.toBe(t.ctx.tempPasswordKey);
    expect(await verifyPassword(stored, password, rotated.tempPasswordKey)).toBe(false);
    // Tampered or cut short: refused, not thrown.
    for (const bad of [stored.slice(0, -1), stored.replace(/\$[^$]+$/, '$'), '$medq-temp$v=1$', `${stored}$x`]) {
      expect(await verifyPassword(bad, password, t.ctx.tempPasswordKey)).toBe(false);
    }
  });

  it('the same password twice gets two different hashes (a salt each), both verify', async () => {
    t = createTestDb();
    const a = tempPasswordHash(t.ctx.tempPasswordKey, 'ABCD1234');
    const b = tempPasswordHash(t.ctx.tempPasswordKey, 'ABCD1234');
    expect(a).not.toBe(b);
    expect(await verifyPassword(a, 'ABCD1234', t.ctx.tempPasswordKey)).toBe(true);
    expect(await verifyPassword(b, 'ABCD1234', t.ctx.tempPasswordKey)).toBe(true);
  });

  it('a log-in with a temporary password takes as long as one with an argon2 password, right or wrong', async () => {
    t = createTestDb();
    const key = t.ctx.tempPasswordKey;
    const temp = tempPasswordHash(key, 'ABCD1234');
    const own = await hashPassword('my-own-pass-1');
    const time = async (f: () => Promise<boolean>) => {
      const ms: number[] = [];
      for (let i = 0; i < 5; i++) {
        const start = performance.now();
        await f();
        ms.push(performance.now() - start);
      }
      return ms.sort((x, y) => x - y)[2]!;
    };
    await verifyPassword(temp, 'ABCD1234', key); // the decoy's own hash is made once, first
    const argon = await time(() => verifyPassword(own, 'wrong-pass-1'));
    const tempRight = await time(() => verifyPassword(temp, 'ABCD1234', key));
    const tempWrong = await time(() => verifyPassword(temp, 'WRONG123', key));
    // The HMAC alone takes microseconds; with the argon2 check beside it, the same order as argon2's.
    expect(argon).toBeGreaterThan(2);
    expect(tempRight).toBeGreaterThan(argon * 0.4);
    expect(tempWrong).toBeGreaterThan(argon * 0.4);
  });
});
