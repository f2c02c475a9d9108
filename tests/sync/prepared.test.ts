// The hot paths' prepared statements run without drizzle's per-call binding and row mapping
// (src/sync/prepared.ts, issue 10). What they hand back must be exactly what drizzle would have:
// the same values (a boolean column as true/false, not 1/0), the same shape (a join's nested
// objects), the same errors (a missing placeholder; a constraint's code, which booking turns into
// slot_taken). Each case runs the same query through drizzle's own path beside it.
import { eq, sql } from 'drizzle-orm';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { accounts, clinics, doctors, patients } from '../../src/db/schema.js';
import { isConstraintViolation } from '../../src/sync/availability.js';
import { preparedStatements } from '../../src/sync/prepared.js';
import { createTestDb, type TestDb } from '../support/db.js';

const p = sql.placeholder;
const made = preparedStatements({
  accountByPhone: (r) => r.select().from(accounts).where(eq(accounts.phone, p('phone'))).prepare(),
  doctorWithClinic: (r) =>
    r
      .select({ doctor: { id: doctors.id, name: doctors.name, active: doctors.active }, clinic: { name: clinics.name } })
      .from(doctors)
      .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
      .where(eq(doctors.id, p('id')))
      .prepare(),
  patientsOfAccount: (r) =>
    r
      .select({ name: patients.name, account: { username: accounts.username } })
      .from(patients)
      .leftJoin(accounts, eq(accounts.id, patients.accountId))
      .where(eq(patients.phone, p('phone')))
      .prepare(),
  countAccounts: (r) => r.select({ n: sql<number>`count(*)` }).from(accounts).prepare(),
  insertAccount: (r) =>
    r
      .insert(accounts)
      .values({
        phone: p('phone'),
        username: p('username'),
        passwordHash: 'x',
        displayName: p('name'),
        status: 'active',
        mustChangePassword: p('mustChange'),
      })
      .returning({ id: accounts.id, mustChangePassword: accounts.mustChangePassword, status: accounts.status })
      .prepare(),
  renameDoctor: (r) => r.update(doctors).set({ name: sql`${p('name')}` }).where(eq(doctors.id, p('id'))).prepare(),
});

let t: TestDb;
beforeEach(() => {
  t = createTestDb();
});
afterEach(() => t.close());

describe('lean prepared statements', () => {
  it('bind placeholders through the column (a boolean is stored as 1/0) and read it back as drizzle does', () => {
    const q = made(t.db);
    const inserted = q.insertAccount.get({ phone: '+919800000001', username: 'lean1', name: 'Lean One', mustChange: true });
    expect(inserted).toEqual({ id: expect.any(Number), mustChangePassword: true, status: 'active' });
    const stored = t.db.$client.prepare('SELECT must_change_password AS m FROM accounts WHERE id = ?').get(inserted!.id) as { m: number };
    expect(stored.m).toBe(1);

    const lean = q.accountByPhone.get({ phone: '+919800000001' });
    const drizzle = t.db.select().from(accounts).where(eq(accounts.phone, '+919800000001')).get();
    expect(lean).toEqual(drizzle);
    expect(lean!.mustChangePassword).toBe(true);
    expect(q.accountByPhone.get({ phone: '+919800000999' })).toBeUndefined();
    expect(q.accountByPhone.all({ phone: '+919800000001' })).toEqual([drizzle]);
  });

  it('nest a join\'s selected objects, and leave a left join\'s missing side to drizzle (null, not an object of nulls)', () => {
    const q = made(t.db);
    const doctorId = t.db.select({ id: doctors.id }).from(doctors).limit(1).get()!.id;
    const lean = q.doctorWithClinic.get({ id: doctorId });
    expect(lean).toEqual({ doctor: { id: doctorId, name: expect.any(String), active: true }, clinic: { name: expect.any(String) } });
    expect(lean).toEqual(
      t.db
        .select({ doctor: { id: doctors.id, name: doctors.name, active: doctors.active }, clinic: { name: clinics.name } })
        .from(doctors)
        .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
        .where(eq(doctors.id, doctorId))
        .get(),
    );

    t.db.insert(patients).values({ name: 'No Account', phone: '+919800000002', source: 'desk' }).run();
    expect(q.patientsOfAccount.all({ phone: '+919800000002' })).toEqual([{ name: 'No Account', account: null }]);
  });

  it('map computed columns and run updates with the values given', () => {
    const q = made(t.db);
    const before = q.countAccounts.get()!.n;
    q.insertAccount.get({ phone: '+919800000003', username: 'lean3', name: 'Lean Three', mustChange: false });
    expect(q.countAccounts.get()).toEqual({ n: before + 1 });

    const doctorId = t.db.select({ id: doctors.id }).from(doctors).limit(1).get()!.id;
    const result = q.renameDoctor.run({ id: doctorId, name: 'Dr Renamed' });
    expect(result.changes).toBe(1);
    expect(t.db.select({ name: doctors.name }).from(doctors).where(eq(doctors.id, doctorId)).get()).toEqual({ name: 'Dr Renamed' });
  });

  it('refuse a run with a placeholder missing, and pass SQLite\'s constraint errors through with their code', () => {
    const q = made(t.db);
    expect(() => q.accountByPhone.get({})).toThrow('No value for placeholder "phone" was provided');
    q.insertAccount.get({ phone: '+919800000004', username: 'lean4', name: 'Lean Four', mustChange: false });
    let error: unknown;
    try {
      q.insertAccount.get({ phone: '+919800000005', username: 'lean4', name: 'Same Username', mustChange: false });
    } catch (e) {
      error = e;
    }
    expect(isConstraintViolation(error)).toBe(true);
  });

  it('share a statement with drizzle\'s own queries of the same SQL without mixing up their row modes', () => {
    const q = made(t.db);
    q.insertAccount.get({ phone: '+919800000006', username: 'lean6', name: 'Lean Six', mustChange: true });
    for (let i = 0; i < 3; i++) {
      // drizzle's one-time query of the same text gets the same compiled statement from the connection's cache.
      const viaDrizzle = t.db.select().from(accounts).where(eq(accounts.phone, p('phone'))).all({ phone: '+919800000006' });
      const viaLean = q.accountByPhone.all({ phone: '+919800000006' });
      expect(viaLean).toEqual(viaDrizzle);
      expect(viaLean[0]!.mustChangePassword).toBe(true);
    }
  });
});
