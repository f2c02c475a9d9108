// Password and code hashing, and the rules for usernames and passwords.
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { argon2Hash, argon2Verify } from './hash-thread.js';
import { fail, type Fail } from './result.js';

/**
 * argon2id with OWASP's baseline (19 MiB, 2 passes, 1 lane): ~15–30 ms of a core per hash on these
 * machines, computed on a thread of its own (src/sync/hash-thread.ts) before any write transaction opens.
 */
const ARGON2 = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 } as const;

/** `ahead`: a hash made before anybody needs it (src/sync/temp-credentials.ts): lower priority. */
export function hashPassword(password: string, ahead = false): Promise<string> {
  return argon2Hash(password, ARGON2, ahead);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await argon2Verify(passwordHash, password);
  } catch {
    return false;
  }
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
