// The JSON shapes of the API (snake_case), as TypeBox schemas: Fastify validates requests and
// serialises responses with them, and @fastify/swagger turns them into the OpenAPI document.
import { Type, type Static, type TSchema } from '@fastify/type-provider-typebox';

// ---------------------------------------------------------------- errors

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'snake_case code' }),
    message: Type.String({ description: 'a human sentence' }),
    details: Type.Optional(
      Type.Array(Type.Object({ field: Type.String(), message: Type.String(), reason: Type.Optional(Type.String()) })),
    ),
    attempts_left: Type.Optional(Type.Integer()),
    phone_number: Type.Optional(Type.String()),
    retry_after: Type.Optional(Type.Integer({ description: 'seconds' })),
    bookings: Type.Optional(Type.Integer({ description: 'upcoming bookings in the way (has_bookings)' })),
  },
  { additionalProperties: true },
);

const ERROR_TEXT: Record<number, string> = {
  400: 'validation_error, invalid_phone, sms_country_not_allowed (a code SMS to a country not in SMS_COUNTRIES), or a rule of the request (slot_in_past, invalid_code…)',
  401: 'unauthorized: no token, a bad or expired token, or one from before a password change',
  403: 'forbidden (not staff), password_change_required, or verification_required (a reset by phone number alone with PHONE_VERIFICATION=off)',
  404: 'not_found',
  409: 'a conflict with the current state',
  410: 'verification_expired',
  429: "rate_limited (with retry_after: too many requests or failed log-ins from this address or for this account, or the clinic's hourly code SMS budget, OTP_SMS_PER_HOUR, is used up) or too_many_codes",
  500: 'internal_error',
};

/** The error responses a route declares, each with the shared error shape. */
export function errors(...codes: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const c of [...codes, 500]) out[c] = Type.Object(ErrorBody.properties, { additionalProperties: true, description: ERROR_TEXT[c] ?? 'error' });
  return out;
}

// ---------------------------------------------------------------- building blocks

export const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });
export const IdParams = Type.Object({ id: Id });
export const DateString = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', format: 'date', description: 'YYYY-MM-DD' });
export const TimeString = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', description: 'HH:MM, 24-hour' });
export const PhoneInput = Type.String({
  minLength: 1,
  maxLength: 40,
  description: 'any form that normalises to E.164 with DEFAULT_REGION (9999999999, +91 99999 99999…)',
});
export const NameInput = Type.String({ minLength: 1, maxLength: 100 });
export const AgeInput = Type.Integer({ minimum: 0, maximum: 130 });
export const UsernameInput = Type.String({ minLength: 1, maxLength: 64, description: '3–32 of a-z 0-9 . _ -, not all digits' });
export const PasswordInput = Type.String({ minLength: 1, maxLength: 200, description: 'at least 8 characters, not the username or phone' });

// ---------------------------------------------------------------- accounts

export const User = Type.Object({
  id: Type.Integer(),
  username: Type.String(),
  name: Type.String(),
  phone_number: Type.String({ description: 'E.164' }),
  status: Type.Union([Type.Literal('provisional'), Type.Literal('active')]),
  role: Type.Union([Type.Literal('patient'), Type.Literal('staff')]),
});
export type UserJson = Static<typeof User>;

export const AuthResult = Type.Object({ token: Type.String(), user: User });
export const LoginResult = Type.Object({ token: Type.String(), user: User, must_change_password: Type.Boolean() });
export const VerificationRequired = Type.Object({
  status: Type.Literal('verification_required'),
  verification_id: Type.String(),
  expires_in: Type.Integer({ description: 'seconds' }),
});

export const Patient = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  age: Type.Union([Type.Integer(), Type.Null()]),
  phone_number: Type.String(),
  source: Type.String(),
});

export const Me = Type.Object({
  user: User,
  name: Type.String({ description: "the account's display name" }),
  age: Type.Union([Type.Integer(), Type.Null()], { description: "the age of the account's own patient" }),
  language: Type.String({ description: 'the IVR and SMS language (one of LANGUAGES)' }),
  must_change_password: Type.Boolean(),
  patients: Type.Array(Patient),
});

// ---------------------------------------------------------------- booking

export const Appointment = Type.Object({
  id: Type.Integer(),
  patient_id: Type.Integer(),
  patient_name: Type.String(),
  phone_number: Type.String(),
  channel: Type.String({ description: 'ivr, web or desk' }),
  doctor_id: Type.Integer(),
  doctor: Type.String(),
  specialty: Type.String(),
  clinic_id: Type.Integer(),
  clinic: Type.String(),
  date: Type.String(),
  time: Type.String(),
  token: Type.String(),
  status: Type.String({ description: 'booked, arrived, cancelled, completed or no_show' }),
  cancellable: Type.Boolean({ description: 'booked or arrived, and not yet started' }),
  created_at: Type.String(),
  arrived_at: Type.Union([Type.String(), Type.Null()], { description: 'when reception marked the patient arrived' }),
  called_at: Type.Union([Type.String(), Type.Null()], { description: 'when the token was last called (a booked token before the one now served with no called_at was skipped)' }),
});
export const AppointmentList = Type.Object({ appointments: Type.Array(Appointment) });

export const DoctorSummary = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  specialty: Type.String(),
  display_order: Type.Integer(),
});
export const ClinicWithDoctors = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  did: Type.String(),
  timezone: Type.String(),
  doctors: Type.Array(DoctorSummary),
});
export const ClinicList = Type.Object({ clinics: Type.Array(ClinicWithDoctors) });

export const Slot = Type.Object({ time: Type.String(), token: Type.String(), seats_left: Type.Integer() });
export const SlotList = Type.Object({ doctor_id: Type.Integer(), date: Type.String(), slots: Type.Array(Slot) });

// ---------------------------------------------------------------- staff

export const Clinic = Type.Object({ id: Type.Integer(), name: Type.String(), did: Type.String(), timezone: Type.String() });
export const Doctor = Type.Object({
  id: Type.Integer(),
  clinic_id: Type.Integer(),
  name: Type.String(),
  specialty: Type.String(),
  display_order: Type.Integer(),
  active: Type.Boolean(),
});
export const ScheduleBlock = Type.Object({
  weekday: Type.Integer({ minimum: 1, maximum: 7, description: '1 = Monday … 7 = Sunday' }),
  start: TimeString,
  end: TimeString,
  slot_minutes: Type.Integer({ minimum: 5, maximum: 480 }),
  capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 50, default: 1 })),
});
export const ScheduleBlockOut = Type.Object({
  id: Type.Integer(),
  weekday: Type.Integer(),
  start: Type.String(),
  end: Type.String(),
  slot_minutes: Type.Integer(),
  capacity: Type.Integer(),
});
export const ClosedDate = Type.Object({
  id: Type.Integer(),
  clinic_id: Type.Integer(),
  doctor_id: Type.Union([Type.Integer(), Type.Null()]),
  date: Type.String(),
  reason: Type.String(),
});

// ---------------------------------------------------------------- languages

export const LanguageList = Type.Object({
  default: Type.String({ description: 'the first of LANGUAGES' }),
  languages: Type.Array(Type.Object({ code: Type.String(), name: Type.String({ description: 'in its own language' }) })),
});
export const WebTextsBody = Type.Object({
  language: Type.String(),
  texts: Type.Record(Type.String(), Type.String(), { description: 'key → text; {name} marks a value the page fills in' }),
});
