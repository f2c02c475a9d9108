// SPEC §3 "Verification": a one-time code by SMS proves the phone before register, link or reset.
import { eq } from 'drizzle-orm';
import { randomUUID } from 'node:crypto';
import { verifications } from '../db/schema.js';
import { countryOf } from '../phone/index.js';
import { abort, writeTx, type SyncContext, type Tx } from './context.js';
import { peekRate, peekRateIn, takeRateTokensInTx } from './rate-limit.js';
import { codeMatches, generateCode, hashCode } from './credentials.js';
import { countRecentSms, enqueueSms } from './outbox.js';
import { textsForPhone } from './sms-language.js';
import { fail, ok, type Fail, type Result } from './result.js';
import { linkInTx, registerInTx, resetInTx, type RegisterInput, type ResetInput } from './registration.js';
import type { AccountRow } from './accounts-in-tx.js';

export const CODE_TTL_SECONDS = 600;
export const CODE_TRIES = 5;
export const CODES_PER_WINDOW = 5;
export const CODE_WINDOW_MS = 15 * 60 * 1000;

export type PendingAction =
  | { purpose: 'register'; input: RegisterInput }
  | { purpose: 'link'; input: RegisterInput }
  | { purpose: 'reset'; input: ResetInput };

export interface VerificationStarted {
  verificationId: string;
  expiresIn: number;
}

/** SPEC §10: the clinic's hourly budget of code SMS, one bucket in rate_events shared by every process. */
export const OTP_BUDGET_BUCKET = 'otp-sms:clinic';
export const OTP_BUDGET_WINDOW_MS = 60 * 60 * 1000;

/** SPEC §10: codes go only to numbers in SMS_COUNTRIES (SMS pumping fraud sends codes abroad). */
function countryRefusal(ctx: SyncContext, phone: string): Fail<'sms_country_not_allowed'> | null {
  const country = countryOf(phone);
  if (country !== undefined && ctx.smsCountries.has(country)) return null;
  return fail(
    'sms_country_not_allowed',
    'We cannot send a code by SMS to a phone number of this country. Please use a local mobile number or ask the clinic.',
  );
}

function budgetExhausted(retryAfterMs: number): Fail<'rate_limited'> {
  const retryAfter = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return fail('rate_limited', `The clinic has sent too many codes this hour. Please try again in ${Math.ceil(retryAfter / 60)} minutes.`, {
    retry_after: retryAfter,
    limit: 'otp_sms_per_hour',
  });
}

/**
 * One unit of the clinic's hourly budget, taken in the same transaction as the SMS row (`take`),
 * or only looked at (a reset of an unknown phone must answer as a known one would, and costs nothing).
 */
function budgetRefusal(tx: Tx, ctx: SyncContext, now: Date, take: boolean): Fail<'rate_limited'> | null {
  const d = take
    ? takeRateTokensInTx(tx, [{ bucket: OTP_BUDGET_BUCKET, max: ctx.otpSmsPerHour, windowMs: OTP_BUDGET_WINDOW_MS }], now.getTime())
    : peekRateIn(tx, OTP_BUDGET_BUCKET, ctx.otpSmsPerHour, OTP_BUDGET_WINDOW_MS, now.getTime());
  return d.allowed ? null : budgetExhausted(d.retryAfterMs);
}

/** What a code that is not sent (unknown phone) answers: the same country and budget refusals. */
function unsentCodeRefusal(tx: Tx, ctx: SyncContext, phone: string, now: Date): Fail<'sms_country_not_allowed' | 'rate_limited'> | null {
  return countryRefusal(ctx, phone) ?? budgetRefusal(tx, ctx, now, false);
}

/** Code SMS the clinic may still send this hour (for metrics: medq_otp_sms_budget_remaining). */
export function otpBudgetRemaining(ctx: SyncContext): number {
  const d = peekRate(ctx, OTP_BUDGET_BUCKET, ctx.otpSmsPerHour, OTP_BUDGET_WINDOW_MS);
  return Math.max(0, ctx.otpSmsPerHour - d.count);
}

type SendRefusal = 'too_many_codes' | 'sms_country_not_allowed' | 'rate_limited';

function sendCode(
  tx: Tx,
  ctx: SyncContext,
  id: string,
  phone: string,
  language: string | undefined,
  now: Date,
): Result<{ expiresAt: number }, SendRefusal> {
  const refused = countryRefusal(ctx, phone);
  if (refused) return refused;
  if (countRecentSms(tx, phone, 'otp', now.getTime() - CODE_WINDOW_MS) >= CODES_PER_WINDOW) {
    return fail('too_many_codes', 'Too many codes were sent to this phone. Please wait 15 minutes and try again.');
  }
  const overBudget = budgetRefusal(tx, ctx, now, true);
  if (overBudget) return overBudget;
  const code = generateCode();
  const expiresAt = now.getTime() + CODE_TTL_SECONDS * 1000;
  tx.update(verifications)
    .set({ codeHash: hashCode(ctx.codeSecret, id, code), expiresAt, attemptsLeft: CODE_TRIES })
    .where(eq(verifications.id, id))
    .run();
  // Before there is an account the page's language; an account's own choice wins.
  const texts = textsForPhone(tx, ctx, phone, language);
  enqueueSms(tx, { kind: 'otp', phone, body: texts.otp(ctx.brand, code), verificationId: id, expiresAt, language: texts.language }, now);
  return ok({ expiresAt });
}

/**
 * Records the pending action (its password already hashed) and queues the code. `unknown` phones
 * for reset get an id too but no SMS, so the answer does not reveal who has an account.
 */
export function startVerification(
  ctx: SyncContext,
  action: PendingAction,
  opts: { sendSms?: boolean } = {},
): Result<VerificationStarted, SendRefusal> {
  return writeTx(ctx, (tx): Result<VerificationStarted, SendRefusal> => {
    const now = ctx.now();
    const id = randomUUID();
    tx.insert(verifications)
      .values({
        id,
        phone: action.input.phone,
        purpose: action.purpose,
        payload: JSON.stringify(action.input),
        codeHash: '',
        expiresAt: now.getTime() + CODE_TTL_SECONDS * 1000,
        attemptsLeft: CODE_TRIES,
      })
      .run();
    if (opts.sendSms === false) {
      // Nothing is sent, but the answer is the one a sent code would get (country, budget).
      const refused = unsentCodeRefusal(tx, ctx, action.input.phone, now);
      if (refused) abort(refused);
      return ok({ verificationId: id, expiresIn: CODE_TTL_SECONDS });
    }
    const sent = sendCode(tx, ctx, id, action.input.phone, action.input.language, now);
    if (!sent.ok) abort(sent);
    return ok({ verificationId: id, expiresIn: CODE_TTL_SECONDS });
  });
}

const EXPIRED = () => fail('verification_expired', 'This code has expired or was already used. Please start again.');

/** `language`: the page asking now (its code SMS in that language); else the one that started it. */
export function resendCode(
  ctx: SyncContext,
  verificationId: string,
  language?: string,
): Result<VerificationStarted, SendRefusal | 'verification_expired'> {
  return writeTx(ctx, (tx): Result<VerificationStarted, SendRefusal | 'verification_expired'> => {
    const now = ctx.now();
    const v = tx.select().from(verifications).where(eq(verifications.id, verificationId)).get();
    if (!v || v.status !== 'pending') return EXPIRED();
    if (v.codeHash === '') {
      // A reset for an unknown phone: behave like a sent code, send nothing.
      return unsentCodeRefusal(tx, ctx, v.phone, now) ?? ok({ verificationId, expiresIn: CODE_TTL_SECONDS });
    }
    const asked = language ?? (JSON.parse(v.payload) as { language?: string }).language;
    const sent = sendCode(tx, ctx, v.id, v.phone, asked, now);
    if (!sent.ok) return sent;
    return ok({ verificationId, expiresIn: CODE_TTL_SECONDS });
  });
}

/** The pending action's own outcome: the account, or the SPEC error it would answer now. */
export interface Completed {
  purpose: 'register' | 'link' | 'reset';
  result: Result<AccountRow>;
}

/**
 * Checks the code and, in the same transaction, re-checks the state and completes the pending
 * action: a phone booking that made an account meanwhile turns a registration into ivr_account_exists.
 */
export function completeVerification(
  ctx: SyncContext,
  verificationId: string,
  code: string,
): Result<Completed, 'invalid_code' | 'verification_expired'> {
  return writeTx(ctx, (tx): Result<Completed, 'invalid_code' | 'verification_expired'> => {
    const now = ctx.now();
    const v = tx.select().from(verifications).where(eq(verifications.id, verificationId)).get();
    if (!v || v.status !== 'pending' || v.expiresAt <= now.getTime() || v.attemptsLeft <= 0) return EXPIRED();
    if (v.codeHash === '' || !codeMatches(ctx.codeSecret, v.id, code, v.codeHash)) {
      const left = v.attemptsLeft - 1;
      tx.update(verifications)
        .set({ attemptsLeft: left, status: left <= 0 ? 'exhausted' : 'pending' })
        .where(eq(verifications.id, v.id))
        .run();
      if (left <= 0) return EXPIRED();
      return fail('invalid_code', 'That code is not right. Please check the SMS and try again.', { attempts_left: left });
    }
    tx.update(verifications).set({ status: 'used' }).where(eq(verifications.id, v.id)).run();
    const input = JSON.parse(v.payload) as RegisterInput & ResetInput;
    let result: Result<AccountRow> | Fail;
    if (v.purpose === 'register') result = registerInTx(tx, input, now);
    else if (v.purpose === 'link') result = linkInTx(tx, ctx, input, now);
    else result = resetInTx(tx, input, now);
    return ok({ purpose: v.purpose, result });
  });
}
