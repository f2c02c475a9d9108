// The phone's language (SPEC §6): one value per account, the last choice made on either channel
// (IVR key 8 / the greeting's offer, or the patient pages). NULL means "not chosen": the clinic's
// default (the first of LANGUAGES) applies.
import { eq } from 'drizzle-orm';
import { accounts } from '../db/schema.js';
import { accountByPhone } from './accounts-in-tx.js';
import { writeTx, type SyncContext } from './context.js';

/** The language chosen for this phone's account, or null (no account, or never chosen). */
export function phoneLanguage(ctx: SyncContext, phone: string): string | null {
  return accountByPhone(ctx.db, phone)?.language ?? null;
}

/**
 * Remembers a caller's choice on the phone's account. A phone without an account yet has nowhere
 * to keep it: 'no_account' (the IVR passes the language on to the booking that creates the account).
 * The caller checks the language is one of LANGUAGES.
 */
export function setPhoneLanguage(ctx: SyncContext, phone: string, language: string): 'saved' | 'no_account' {
  return writeTx(ctx, (tx) => {
    const account = accountByPhone(tx, phone);
    if (!account) return 'no_account';
    if (account.language !== language) {
      tx.update(accounts).set({ language, updatedAt: ctx.now().toISOString() }).where(eq(accounts.id, account.id)).run();
    }
    return 'saved';
  });
}
