// Which language an SMS is written in (SPEC §7, issue 13): the recipient account's language; for a
// phone without an account (or one that never chose), the language of the page or call that asked;
// else the clinic default (the first of LANGUAGES).
import { smsTextsFor, type SmsTexts } from '../sms/texts.js';
import { accountByPhone, type AccountRow } from './accounts-in-tx.js';
import type { SyncContext, Tx } from './context.js';
import type { Db } from '../db/client.js';

/** The texts for an SMS to `phone`, inside the caller's transaction. `asked`: the page's or call's language. */
export function textsForPhone(tx: Tx | Db, ctx: Pick<SyncContext, 'languages'>, phone: string, asked?: string | null): SmsTexts {
  return textsForAccount(ctx, accountByPhone(tx, phone), asked);
}

/** The same, for the phone's account the caller already holds (undefined: the phone has none). */
export function textsForAccount(ctx: Pick<SyncContext, 'languages'>, account: Pick<AccountRow, 'language'> | undefined, asked?: string | null): SmsTexts {
  return smsTextsFor(account?.language ?? asked ?? null, ctx.languages);
}
