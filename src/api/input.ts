// Checks beyond the JSON schema: phone normalisation and the account rules of SPEC §3.
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone, type E164 } from '../phone/index.js';
import { checkNewPassword, checkUsername } from '../sync/index.js';
import { ApiError, validationError } from './errors.js';

/** Any accepted form (including a "+" a form encoding turned into a space) → E.164, else 400 invalid_phone. */
export function phoneOf(input: string, region: CountryCode): E164 {
  const p = normalizePhone(input, region);
  if (!p.ok) throw new ApiError(400, 'invalid_phone', p.message);
  return p.phone;
}

export function usernameOf(input: string): string {
  const username = input.trim().toLowerCase();
  const bad = checkUsername(username);
  if (bad) throw validationError(bad.message, [{ field: 'body.username', message: bad.message, reason: bad.code }]);
  return username;
}

export function newPasswordOf(password: string, username: string, phone: string, field: string): string {
  const weak = checkNewPassword(password, username, phone);
  if (weak) throw validationError(weak.message, [{ field: `body.${field}`, message: weak.message, reason: weak.code }]);
  return password;
}

export function nameOf(input: string): string {
  // eslint-disable-next-line no-control-regex
  const name = input.replace(/[\u0000-\u001f\u007f]/g, ' ').replace(/\s+/g, ' ').trim();
  if (name === '') throw validationError('Please give a name.', [{ field: 'body.name', message: 'must not be empty' }]);
  return name;
}
