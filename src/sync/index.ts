// The sync module: the only code that decides how a phone maps to an account, and the only code
// that opens write transactions. The IVR, the API and the staff tools all come through here.
export * from './result.js';
export { writeTx, type SyncContext } from './context.js';
export { groupedWrite, observeGroupCommits } from './group-commit.js';
export { bookByPhone, type PhoneBooking, type PhoneBookingRequest } from './ivr-booking.js';
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
  updateProfile,
  type ProfileOnClaim,
  type ProfileUpdate,
  type RegisterInput,
} from './registration.js';
export {
  startVerification,
  resendCode,
  completeVerification,
  CODE_TTL_SECONDS,
  otpBudgetRemaining,
  type PendingAction,
} from './verification.js';
export * from './queries.js';
export {
  callNext,
  clinicQueue,
  markArrived,
  queuePositions,
  queueVersion,
  todaysBookingsForPhone,
  tokenOrdinal,
  type ClinicQueue,
  type QueueMove,
  type QueuePosition,
  type QueueStanding,
} from './queue.js';
export { hashPassword, verifyPassword, verifyNoAccount, checkUsername, checkNewPassword } from './credentials.js';
export type { AccountRow, PatientRow } from './accounts-in-tx.js';
export { resetStaffPassword, staffAccountByUsername, type StaffPasswordInput } from './staff.js';
export type { FreeSlot, SlotRef, BookFailure } from './availability.js';

import { createHash } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { SyncContext } from './context.js';

export function createSyncContext(
  db: Db,
  config: Pick<Config, 'defaultRegion' | 'clinicBrand' | 'maxActiveAppointments' | 'jwtSecret' | 'otpSmsPerHour' | 'smsCountries' | 'languages'>,
  now: () => Date = () => new Date()): SyncContext {
  return {
    db,
    region: config.defaultRegion,
    brand: config.clinicBrand,
    maxActiveAppointments: config.maxActiveAppointments,
    // A separate key from the JWT signing key, derived so there is one secret to manage.
    codeSecret: createHash('sha256').update(`medq-otp:${config.jwtSecret}`).digest('hex'),
    tempPasswordKey: createHash('sha256').update(`medq-temp-password:${config.jwtSecret}`).digest('hex'),
    otpSmsPerHour: config.otpSmsPerHour,
    smsCountries: config.smsCountries,
    languages: config.languages,
    now,
  };
}
export { isOptedOut, setSmsOptOut, toggleSmsOptOut } from './opt-out.js';
export { queueDueReminders, dropStaleReminders, reminderStates, reminderKey, type ReminderSettings, type ReminderRun } from './reminders.js';
export { handleReply, parseReply, type InboundReply, type ReplyResult, type ReplyOutcome } from './replies.js';
export { outboxGauges } from './outbox.js';
export { phoneLanguage, setPhoneLanguage } from './language.js';
// The sms role's outbox worker: claims, results, receipts (delivery state only).
export * as smsDelivery from './sms-delivery.js';
