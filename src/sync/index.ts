// The sync module: the only code that decides how a phone maps to an account, and the only code
// that opens write transactions. The IVR, the API and the staff tools all come through here.
export * from './result.js';
export { writeTx, type SyncContext } from './context.js';
export { bookByPhone, type PhoneBooking, type PhoneBookingRequest } from './ivr-booking.js';
export { tempCredentials, createTempCredentialStock, type TempCredentials } from './temp-credentials.js';
export {
  bookForAccount,
  cancelAppointment,
  offerNextSlot,
  releaseHolds,
  setAppointmentOutcome,
  type BookedAppointment,
  type WebBookingRequest,
} from './appointments.js';
export {
  registrationConflict,
  linkConflict,
  registerAccount,
  linkPhone,
  resetPassword,
  changePassword,
  type RegisterInput,
} from './registration.js';
export {
  startVerification,
  resendCode,
  completeVerification,
  CODE_TTL_SECONDS,
  type PendingAction,
} from './verification.js';
export * from './queries.js';
export { hashPassword, verifyPassword, checkUsername, checkNewPassword } from './credentials.js';
export type { AccountRow, PatientRow } from './accounts-in-tx.js';
export type { FreeSlot, SlotRef, BookFailure } from './availability.js';

import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { SyncContext } from './context.js';

export function createSyncContext(db: Db, config: Config, now: () => Date = () => new Date()): SyncContext {
  return {
    db,
    region: config.defaultRegion,
    brand: config.clinicBrand,
    maxActiveAppointments: config.maxActiveAppointments,
    // A separate key from the JWT signing key, derived so there is one secret to manage.
    codeSecret: createHash('sha256').update(`medq-otp:${config.jwtSecret}`).digest('hex'),
    now,
  };
}
