// A staff password set from the server's command line (`npm run staff:password`): the way back in
// for staff when no SMS code can prove their phone (PHONE_VERIFICATION=off, SPEC §10).
import { eq, sql } from 'drizzle-orm';
import { accounts } from '../db/schema.js';
import { accountByUsername, type AccountRow } from './accounts-in-tx.js';
import { writeTx, type SyncContext } from './context.js';
import { fail, ok, type Result } from './result.js';

export interface StaffPasswordInput {
  username: string;
  passwordHash: string;
  /** A generated password must be changed at the next log-in. */
  mustChangePassword: boolean;
}

/** The staff account with this username (case-insensitive), if there is one. */
export function staffAccountByUsername(ctx: SyncContext, username: string): AccountRow | undefined {
  const account = accountByUsername(ctx.db, username.trim().toLowerCase());
  return account?.role === 'staff' ? account : undefined;
}

/** Replaces a staff account's password and ends every token issued before (token version bumped). */
export function resetStaffPassword(ctx: SyncContext, input: StaffPasswordInput): Result<AccountRow, 'not_found'> {
  const username = input.username.trim().toLowerCase();
  return writeTx(ctx, (tx) => {
    const account = accountByUsername(tx, username);
    // Patients reset their own password with a code on the pages; this command is for staff only.
    if (!account || account.role !== 'staff') return fail('not_found', `No staff account is named "${username}".`);
    const updated = tx
      .update(accounts)
      .set({
        passwordHash: input.passwordHash,
        mustChangePassword: input.mustChangePassword,
        tokenVersion: sql`${accounts.tokenVersion} + 1`,
        updatedAt: ctx.now().toISOString(),
      })
      .where(eq(accounts.id, account.id))
      .returning()
      .get()!;
    return ok(updated);
  });
}
