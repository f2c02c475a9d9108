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
} as const;

/** Kinds whose text holds a secret: blanked once the SMSC accepts them, never logged. */
export const SECRET_SMS_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['welcome', 'otp']);
