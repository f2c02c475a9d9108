// Password and code hashing, and the rules for usernames and passwords.
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { argon2Hash, argon2Verify } from './hash-thread.js';
import { fail, type Fail } from './result.js';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): ~15–30 ms of a core per hash on these
 * machines, computed on a thread of its own (src/sync/hash-thread.ts) before any write transaction opens.
 */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2Hash(password, ARGON2);
}

/**
 * Checks a password against its stored hash: an argon2id hash, or a new caller's temporary
 * password's keyed hash (tempPasswordHash), which only matches with the context's `tempPasswordKey`.
 */
export async function verifyPassword(passwordHash: string, password: string, tempPasswordKey?: string): Promise<boolean> {
  if (passwordHash.startsWith(TEMP_PREFIX)) {
    const good = tempPasswordKey !== undefined && tempPasswordMatches(tempPasswordKey, passwordHash, password);
    // An argon2 check all the same, so a log-in does not tell by its time whether the account
    // still has its temporary password (or whether it exists: see verifyNoAccount).
    await verifyNoAccount(password);
    return good;
  }
  try {
    return await argon2Verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** A hash to verify against when no account matched, so a miss takes as long as a wrong password. */
let decoyHash: Promise<string> | null = null;

/** The time of an argon2 check, for a log-in whose name matched no account. Always false. */
export async function verifyNoAccount(password: string): Promise<false> {
  decoyHash ??= hashPassword('medq-decoy-password-never-matches');
  try {
    await argon2Verify(await decoyHash, password);
  } catch {
    // the decoy's only purpose is its time
  }
  return false;
}

/**
 * A new IVR caller's temporary password is stored as an HMAC-SHA256 keyed with a key derived from
 * JWT_SECRET (as one-time codes are), with a per-account random salt, not as argon2id (issue 10:
 * the argon2 hash was half of the ivr role's CPU per new caller). Unlike a person's own password
 * it is random (8 of [A-Z0-9], ~41 bits), never reused elsewhere, and only ever opens this
 * system: a stolen database or backup without the key cannot test a single guess, and whoever
 * holds the key (JWT_SECRET) can sign a log-in token for any account anyway. Rotating JWT_SECRET
 * ends the temporary passwords not yet changed (the caller resets by phone code, SPEC §3).
 */
const TEMP_PREFIX = '$medq-temp$v=1$';

export function tempPasswordHash(tempPasswordKey: string, password: string): string {
  const salt = randomBytes(16).toString('base64url');
  return `${TEMP_PREFIX}${salt}$${tempMac(tempPasswordKey, salt, password)}`;
}

function tempMac(key: string, salt: string, password: string): string {
  return createHmac('sha256', key).update(`${salt}:${password}`).digest('base64url');
}

function tempPasswordMatches(key: string, stored: string, password: string): boolean {
  const parts = stored.slice(TEMP_PREFIX.length).split('$');
  const [salt, mac] = parts;
  if (parts.length !== 2 || !salt || !mac) return false;
  const a = Buffer.from(tempMac(key, salt, password));
  const b = Buffer.from(mac);
  return a.length === b.length && timingSafeEqual(a, b);
}

const TEMP_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** The IVR's temporary password: 8 upper-case letters and digits from a cryptographic RNG. */
export function generateTempPassword(): string {
  let out = '';
  for (let i = 0; i < 8; i++) out += TEMP_ALPHABET[randomInt(TEMP_ALPHABET.length)];
  return out;
}

export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Codes are six digits: a keyed HMAC (not a plain hash) keeps a stolen database from revealing them. */
export function hashCode(secret: string, verificationId: string, code: string): string {
  return createHmac('sha256', secret).update(`${verificationId}:${code}`).digest('hex');
}

export function codeMatches(secret: string, verificationId: string, code: string, codeHash: string): boolean {
  const a = Buffer.from(hashCode(secret, verificationId, code), 'hex');
  const b = Buffer.from(codeHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export const USERNAME_RULE = '3–32 characters of a-z, 0-9, ".", "_" or "-", not all digits';

export function checkUsername(username: string): Fail<'invalid_username'> | null {
  if (!/^[a-z0-9._-]{3,32}$/.test(username) || /^\d+$/.test(username)) {
    return fail('invalid_username', `A username must be ${USERNAME_RULE}.`);
  }
  return null;
}

export function checkNewPassword(password: string, username: string, phone: string): Fail<'weak_password'> | null {
  if (password.length < 8) return fail('weak_password', 'A password must be at least 8 characters.');
  if (password.length > 200) return fail('weak_password', 'A password must be at most 200 characters.');
  const lower = password.toLowerCase();
  const digits = phone.replace(/\D/g, '');
  if (lower === username.toLowerCase() || password === phone || password === digits || password === digits.slice(-10)) {
    return fail('weak_password', 'A password must not be your username or phone number.');
  }
  return null;
}
