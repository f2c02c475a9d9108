// Account and patient steps shared by the use cases; each runs inside the caller's transaction.
import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { accounts, patients } from '../db/schema.js';
import type { Tx } from './context.js';
import type { Db } from '../db/client.js';
import { preparedStatements } from './prepared.js';

export type AccountRow = typeof accounts.$inferSelect;
export type PatientRow = typeof patients.$inferSelect;

export function accountByPhone(tx: Tx | Db, phone: string): AccountRow | undefined {
  return statements(tx).accountByPhone.get({ phone });
}

export function accountByUsername(tx: Tx | Db, username: string): AccountRow | undefined {
  return statements(tx).accountByUsername.get({ username });
}

export function accountById(tx: Tx | Db, id: number): AccountRow | undefined {
  return tx.select().from(accounts).where(eq(accounts.id, id)).get();
}

export function patientsByPhone(tx: Tx | Db, phone: string): PatientRow[] {
  return tx.select().from(patients).where(eq(patients.phone, phone)).orderBy(asc(patients.id)).all();
}

/** Consolidation: every patient with the phone that has no account joins this one. */
export function adoptUnlinkedPatients(tx: Tx, phone: string, accountId: number): void {
  statements(tx).adoptUnlinked.run({ phone, accountId });
}

/** The account's patient row for its own phone, created if it has none. */
export function ensureAccountPatient(tx: Tx, account: AccountRow, source: 'ivr' | 'web' | 'desk'): PatientRow {
  const existing = statements(tx).ownPatient.get({ accountId: account.id, phone: account.phone });
  if (existing) return existing;
  return statements(tx).insertPatient.get({ name: account.displayName, phone: account.phone, accountId: account.id, source })!;
}

export function bumpTokenVersion(tx: Tx, accountId: number, set: Partial<typeof accounts.$inferInsert>, now: Date): void {
  const current = accountById(tx, accountId);
  if (!current) return;
  tx.update(accounts)
    .set({ ...set, tokenVersion: current.tokenVersion + 1, updatedAt: now.toISOString() })
    .where(eq(accounts.id, accountId))
    .run();
}

const statements = preparedStatements({
  accountByPhone: (r) =>
    r.select().from(accounts).where(eq(accounts.phone, sql.placeholder('phone'))).prepare(),
  accountByUsername: (r) =>
    r.select().from(accounts).where(eq(accounts.username, sql.placeholder('username'))).prepare(),
  adoptUnlinked: (r) =>
    r
      .update(patients)
      .set({ accountId: sql`${sql.placeholder('accountId')}` })
      .where(and(eq(patients.phone, sql.placeholder('phone')), isNull(patients.accountId)))
      .prepare(),
  insertPatient: (r) =>
    r
      .insert(patients)
      .values({ name: sql.placeholder('name'), phone: sql.placeholder('phone'), accountId: sql.placeholder('accountId'), source: sql.placeholder('source') })
      .returning()
      .prepare(),
  ownPatient: (r) =>
    r
      .select()
      .from(patients)
      .where(and(eq(patients.accountId, sql.placeholder('accountId')), eq(patients.phone, sql.placeholder('phone'))))
      .orderBy(asc(patients.id))
      .prepare(),
});
