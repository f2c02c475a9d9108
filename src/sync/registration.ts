// SPEC §3 "Web registration", "Linking" and password reset/claim.
import { and, eq } from 'drizzle-orm';
import { accounts, patients } from '../db/schema.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import {
  accountByPhone,
  accountByUsername,
  adoptUnlinkedPatients,
  bumpTokenVersion,
  patientsByPhone,
  type AccountRow,
} from './accounts-in-tx.js';
import { enqueueSms } from './outbox.js';
import { textsForPhone } from './sms-language.js';
import { fail, MESSAGES, ok, type Result } from './result.js';
import type { Db } from '../db/client.js';

export interface RegisterInput {
  phone: string; // E.164, already normalised
  name: string;
  age: number | null;
  username: string;
  passwordHash: string;
  /** The language of the page that asked (one of LANGUAGES): its code SMS, and a new account's language. */
  language?: string;
}

export type RegisterFailure = 'phone_already_registered' | 'ivr_account_exists' | 'username_taken';

/** The three outcomes of SPEC §3, in order. Read-only; registerInTx checks again before writing. */
export function registrationConflict(tx: Tx | Db, phone: string, username: string) {
  const account = accountByPhone(tx, phone);
  if (account?.status === 'active') return fail('phone_already_registered', MESSAGES.phoneAlreadyRegistered);
  if (account || patientsByPhone(tx, phone).length > 0) {
    return fail('ivr_account_exists', MESSAGES.ivrAccountExists, { phone_number: phone });
  }
  if (accountByUsername(tx, username)) return fail('username_taken', MESSAGES.usernameTaken);
  return null;
}

function insertActiveAccount(tx: Tx, input: RegisterInput, now: Date): AccountRow {
  return tx
    .insert(accounts)
    .values({
      phone: input.phone,
      username: input.username,
      passwordHash: input.passwordHash,
      displayName: input.name,
      status: 'active',
      role: 'patient',
      language: input.language ?? null,
      updatedAt: now.toISOString(),
    })
    .returning()
    .get();
}

export function registerInTx(tx: Tx, input: RegisterInput, now: Date): Result<AccountRow, RegisterFailure> {
  const conflict = registrationConflict(tx, input.phone, input.username);
  if (conflict) return conflict;
  const account = insertActiveAccount(tx, input, now);
  tx.insert(patients)
    .values({ name: input.name, age: input.age, phone: input.phone, accountId: account.id, source: 'web' })
    .run();
  return ok(account);
}

export function registerAccount(ctx: SyncContext, input: RegisterInput): Result<AccountRow, RegisterFailure> {
  return writeTx(ctx, (tx) => registerInTx(tx, input, ctx.now()));
}

export type LinkFailure = 'phone_already_registered' | 'no_phone_bookings' | 'username_taken';

export function linkConflict(tx: Tx | Db, phone: string, username: string) {
  const account = accountByPhone(tx, phone);
  if (account?.status === 'active') return fail('phone_already_registered', MESSAGES.phoneAlreadyRegistered);
  if (!account && patientsByPhone(tx, phone).length === 0) {
    return fail('no_phone_bookings', 'We found no phone bookings for this number.');
  }
  const byName = accountByUsername(tx, username);
  if (byName && byName.id !== account?.id) return fail('username_taken', MESSAGES.usernameTaken);
  return null;
}

/**
 * Every patient with the phone joins one account (the provisional one is claimed), every one of
 * them takes the web name and age, all bookings stay, and the linked SMS is queued.
 */
export function linkInTx(tx: Tx, ctx: Pick<SyncContext, 'languages'>, input: RegisterInput, now: Date): Result<AccountRow, LinkFailure> {
  const conflict = linkConflict(tx, input.phone, input.username);
  if (conflict) return conflict;
  let account = accountByPhone(tx, input.phone);
  if (account) {
    bumpTokenVersion(
      tx,
      account.id,
      {
        username: input.username,
        passwordHash: input.passwordHash,
        displayName: input.name,
        status: 'active',
        mustChangePassword: false,
        // A phone that never chose a language takes the page's.
        ...(account.language === null && input.language ? { language: input.language } : {}),
      },
      now,
    );
  } else {
    account = insertActiveAccount(tx, input, now);
  }
  // "Web registration name takes precedence" over IVR Patient NNNN and legacy names.
  tx.update(patients)
    .set({ accountId: account.id, name: input.name, age: input.age })
    .where(eq(patients.phone, input.phone))
    .run();
  const texts = textsForPhone(tx, ctx, input.phone, input.language);
  enqueueSms(tx, { kind: 'linked', phone: input.phone, body: texts.linked(), language: texts.language }, now);
  return ok(tx.select().from(accounts).where(eq(accounts.id, account.id)).get()!);
}

export function linkPhone(ctx: SyncContext, input: RegisterInput): Result<AccountRow, LinkFailure> {
  return writeTx(ctx, (tx) => linkInTx(tx, ctx, input, ctx.now()));
}

export interface ResetInput {
  phone: string;
  passwordHash: string;
  /** The language of the page that asked: its code SMS when the account has none chosen. */
  language?: string;
}

export interface ResetOptions {
  /**
   * The phone was not proven (PHONE_VERIFICATION=off): only a provisional (phone-made) account may
   * be reset. A staff or active account would otherwise go to whoever types its number.
   */
  byPhoneAlone?: boolean;
}

export const VERIFICATION_REQUIRED_MESSAGE =
  'This account cannot be reset by phone number alone at this clinic. Please ask the clinic reception to reset your password.';

/** Replaces the password (claiming a provisional account) and ends every older token. */
export function resetInTx(
  tx: Tx,
  input: ResetInput,
  now: Date,
  opts: ResetOptions = {},
): Result<AccountRow, 'unknown_phone' | 'verification_required'> {
  const account = accountByPhone(tx, input.phone);
  if (!account) return fail('unknown_phone', 'No account has this phone number.');
  // Checked inside the write transaction: an account claimed a moment ago is not reset either.
  if (opts.byPhoneAlone && (account.role === 'staff' || account.status !== 'provisional')) {
    return fail('verification_required', VERIFICATION_REQUIRED_MESSAGE);
  }
  bumpTokenVersion(tx, account.id, { passwordHash: input.passwordHash, status: 'active', mustChangePassword: false }, now);
  return ok(tx.select().from(accounts).where(eq(accounts.id, account.id)).get()!);
}

export function resetPassword(
  ctx: SyncContext,
  input: ResetInput,
  opts: ResetOptions = {},
): Result<AccountRow, 'unknown_phone' | 'verification_required'> {
  return writeTx(ctx, (tx) => resetInTx(tx, input, ctx.now(), opts));
}

/** Name, age and username given with a password change (the forced change asks for them). */
export interface ProfileOnClaim {
  name?: string;
  age?: number;
  /** Already normalised and checked against the username rules. */
  username?: string;
}

/**
 * POST /api/me/password after the current password was checked: claims a provisional account.
 * A name given here wins for every patient of the account's phone, as in §3 linking (they all
 * join the account and take the name and age): the caller who follows the welcome SMS never uses
 * the register form, yet stops being "IVR Patient NNNN" everywhere.
 */
export function changePassword(
  ctx: SyncContext,
  accountId: number,
  passwordHash: string,
  profile: ProfileOnClaim = {},
): Result<AccountRow, 'not_found' | 'username_taken'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const account = tx.select().from(accounts).where(eq(accounts.id, accountId)).get();
    if (!account) return fail('not_found', 'No such account.');
    if (profile.username !== undefined && profile.username !== account.username) {
      if (accountByUsername(tx, profile.username)) return fail('username_taken', MESSAGES.usernameTaken);
    }
    bumpTokenVersion(
      tx,
      account.id,
      {
        passwordHash,
        status: 'active',
        mustChangePassword: false,
        ...(profile.username !== undefined ? { username: profile.username } : {}),
        ...(profile.name !== undefined ? { displayName: profile.name } : {}),
      },
      now,
    );
    if (profile.name !== undefined || profile.age !== undefined) {
      adoptUnlinkedPatients(tx, account.phone, account.id);
      tx.update(patients)
        .set({
          ...(profile.name !== undefined ? { name: profile.name } : {}),
          ...(profile.age !== undefined ? { age: profile.age } : {}),
        })
        .where(and(eq(patients.phone, account.phone), eq(patients.accountId, account.id)))
        .run();
    }
    return ok(tx.select().from(accounts).where(eq(accounts.id, account.id)).get()!);
  });
}

export interface ProfileUpdate {
  name?: string;
  age?: number;
  /** One of LANGUAGES (checked by the caller). */
  language?: string;
}

/** PATCH /api/me: the account's name, age and language; all the account's patients follow. */
export function updateProfile(ctx: SyncContext, accountId: number, update: ProfileUpdate): Result<AccountRow, 'not_found'> {
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const account = tx.select().from(accounts).where(eq(accounts.id, accountId)).get();
    if (!account) return fail('not_found', 'No such account.');
    if (update.name !== undefined || update.language !== undefined) {
      tx.update(accounts)
        .set({
          ...(update.name !== undefined ? { displayName: update.name } : {}),
          ...(update.language !== undefined ? { language: update.language } : {}),
          updatedAt: now.toISOString(),
        })
        .where(eq(accounts.id, account.id))
        .run();
    }
    if (update.name !== undefined || update.age !== undefined) {
      tx.update(patients)
        .set({
          ...(update.name !== undefined ? { name: update.name } : {}),
          ...(update.age !== undefined ? { age: update.age } : {}),
        })
        .where(eq(patients.accountId, account.id))
        .run();
    }
    return ok(tx.select().from(accounts).where(eq(accounts.id, account.id)).get()!);
  });
}
