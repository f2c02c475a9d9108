// The SMS texts of SPEC §7, word for word. {brand} comes from CLINIC_BRAND.
import { doctorBareName, smsDate } from '../booking/slots.js';
import type { SmsKind } from '../db/schema.js';

export interface AppointmentText {
  doctorName: string;
  date: string; // YYYY-MM-DD
  time: string; // HH:MM
  token: string;
}

export const smsText = {
  sync: () => 'Your IVR booking has been synced with your web account. You can now view this appointment online.',
  welcome: (brand: string, phone: string, password: string) =>
    `Welcome to ${brand}! A web account has been created for you.\nUsername: ${phone}\nPassword: ${password}\nYou can now view your appointments online!`,
  linked: () =>
    'Great! Your web account has been linked to your existing appointments. You can now view all your bookings online.',
  confirmation: (brand: string, a: AppointmentText) =>
    `${brand}: appointment confirmed with Dr ${doctorBareName(a.doctorName)} on ${smsDate(a.date)} at ${a.time}. Token ${a.token}.`,
  cancellation: (brand: string, a: AppointmentText) =>
    `${brand}: your appointment with Dr ${doctorBareName(a.doctorName)} on ${smsDate(a.date)} at ${a.time} is cancelled.`,
  otp: (brand: string, code: string) => `${brand} verification code: ${code}. It expires in 10 minutes. Do not share it.`,
  /**
   * replyTo: how the patient cancels: `{kind:'reply'}` when SMS_REPLY_NUMBER is set, else the
   * clinic's public number to call, else nothing.
   */
  reminder: (brand: string, a: AppointmentText, replyTo: { kind: 'reply' } | { kind: 'call'; phone: string } | null) =>
    `${brand}: reminder, Dr ${doctorBareName(a.doctorName)} on ${smsDate(a.date)} at ${a.time}, token ${a.token}.` +
    (replyTo === null ? '' : replyTo.kind === 'reply' ? ' Reply C to cancel.' : ` To cancel call ${replyTo.phone}.`),
  queueNear: (brand: string, clinic: string, nowServing: string, a: AppointmentText) =>
    `${brand}: your turn at ${clinic} is near. Now serving ${nowServing}; your token ${a.token} with Dr ${doctorBareName(a.doctorName)}.`,
  nothingToCancel: (brand: string) => `${brand}: you have no upcoming appointment to cancel.`,
  optedOut: (brand: string) => `${brand}: you will not get reminders any more. Reply START to get them again.`,
  optedIn: (brand: string) => `${brand}: reminders are on again. Reply STOP to stop them.`,
  help: (brand: string) => `${brand}: reply C to cancel your next appointment, STOP to stop reminders.`,
} as const;

/** Kinds whose text holds a secret: blanked once the SMSC accepts them, never logged. */
export const SECRET_SMS_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['welcome', 'otp']);
