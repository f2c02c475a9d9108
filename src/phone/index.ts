// Every phone number that enters MedQ passes through here before it is stored or compared.
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

export type E164 = string & { readonly __brand: 'E164' };

export type PhoneResult = { ok: true; phone: E164 } | { ok: false; code: 'invalid_phone'; message: string };

const INVALID = (input: string): PhoneResult => ({
  ok: false,
  code: 'invalid_phone',
  message: `"${input.trim().slice(0, 40)}" is not a valid phone number.`,
});

/**
 * Normalise to E.164. Accepts the national form (9999999999), a trunk prefix (09999999999),
 * the country code without "+" (919999999999), the international form, and a "+" that form
 * encoding turned into a space (" 919999999999").
 */
export function normalizePhone(input: unknown, region: CountryCode): PhoneResult {
  if (typeof input !== 'string' && typeof input !== 'number') return INVALID(String(input ?? ''));
  const raw = String(input);
  // libphonenumber's parse and validation were a visible share of every booking (issue 10); the
  // same callers' numbers come back again and again.
  const key = `${region} ${raw}`;
  let result = normalized.get(key);
  if (result === undefined) {
    result = Object.freeze(normalizeUncached(raw, region));
    if (normalized.size >= 4096) normalized.clear();
    normalized.set(key, result);
  }
  return result;
}

const normalized = new Map<string, PhoneResult>();

function normalizeUncached(raw: string, region: CountryCode): PhoneResult {
  if (raw.length > 40) return INVALID(raw);
  const trimmed = raw.trim();
  if (!/^[+\d][\d\s().-]*$/.test(trimmed)) return INVALID(raw);
  const digits = trimmed.replace(/\D/g, '');
  if (digits.length < 6 || digits.length > 15) return INVALID(raw);

  const candidates: string[] = [];
  if (trimmed.startsWith('+')) candidates.push(`+${digits}`);
  else if (trimmed.startsWith('00')) candidates.push(`+${digits.slice(2)}`);
  else {
    // National first (the caller's own country is most likely), then as if the "+" was lost.
    candidates.push(digits, `+${digits}`);
  }
  for (const candidate of candidates) {
    const parsed = parsePhoneNumberFromString(candidate, region);
    if (parsed?.isValid()) return { ok: true, phone: parsed.number as E164 };
  }
  return INVALID(raw);
}

/** The last four digits, used in "IVR Patient NNNN". */
export function lastFour(phone: E164): string {
  return phone.slice(-4);
}

/** The country an E.164 number belongs to (undefined for a non-geographic or unknown number). */
export function countryOf(phone: string): CountryCode | undefined {
  return parsePhoneNumberFromString(phone)?.country;
}
