// Expected outcomes are values with codes; exceptions are for bugs and broken infrastructure.

export type ErrorCode =
  | 'invalid_phone'
  | 'not_found'
  | 'slot_taken'
  | 'slot_in_past'
  | 'clinic_closed'
  | 'already_booked_with_doctor'
  | 'appointment_limit'
  | 'no_slots'
  | 'not_cancellable'
  | 'phone_already_registered'
  | 'ivr_account_exists'
  | 'username_taken'
  | 'invalid_username'
  | 'weak_password'
  | 'no_phone_bookings'
  | 'unknown_phone'
  | 'invalid_code'
  | 'verification_expired'
  | 'too_many_codes'
  | 'rate_limited'
  | 'sms_country_not_allowed'
  | 'verification_required'
  | 'has_bookings'
  | 'queue_empty'
  | 'not_callable'
  | 'not_today'
  | 'invalid_input';

export interface Fail<C extends ErrorCode = ErrorCode> {
  ok: false;
  code: C;
  message: string;
  /** Extra fields the API returns beside error and message (phone_number, attempts_left…). */
  extra?: Record<string, unknown>;
}

export interface Ok<T> {
  ok: true;
  value: T;
}

export type Result<T, C extends ErrorCode = ErrorCode> = Ok<T> | Fail<C>;

export const ok = <T>(value: T): Ok<T> => ({ ok: true, value });

export function fail<C extends ErrorCode>(code: C, message: string, extra?: Record<string, unknown>): Fail<C> {
  return extra ? { ok: false, code, message, extra } : { ok: false, code, message };
}

export const MESSAGES = {
  ivrAccountExists:
    'We found that you have booked appointments via phone. Would you like to link your existing bookings to this web account?',
  phoneAlreadyRegistered: 'This phone number already has a web account. Please log in instead.',
  usernameTaken: 'This username is already taken. Please choose another.',
} as const;
