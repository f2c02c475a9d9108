// SPEC §3 "IVR booking": one transaction finds or creates the caller's account, books, queues SMS.
import { eq, sql } from 'drizzle-orm';
import { accounts, patients } from '../db/schema.js';
import { lastFour, normalizePhone, type E164 } from '../phone/index.js';
import { bookingWriteTx, bookInTx, loadDoctor, type BookFailure } from './availability.js';
import { abort, type SyncContext } from './context.js';
import { groupedWrite } from './group-commit.js';
import { generateTempPassword, tempPasswordHash } from './credentials.js';
import { accountByPhone, adoptUnlinkedPatients, ensureAccountPatient } from './accounts-in-tx.js';
import { enqueueSms } from './outbox.js';
import { textsForAccount } from './sms-language.js';
import { fail, ok, type Result } from './result.js';
import { preparedStatements } from './prepared.js';

export interface PhoneBookingRequest {
  /** Caller ID or a keyed number; normalised here. */
  phone: string;
  doctorId: number;
  date: string;
  time: string;
  /** The call holding the offered slot (IVR), so its own hold does not block it. */
  holder?: string;
  channel?: 'ivr' | 'desk';
  /** Staff booking on a caller's behalf may give the name for a new patient. */
  name?: string;
  /**
   * The language the caller chose in this call (one of LANGUAGES), kept on an account this booking
   * creates: a first-time caller's choice is remembered from the moment there is an account for it.
   */
  language?: string;
}

export interface PhoneBooking {
  appointmentId: number;
  patientId: number;
  accountId: number;
  accountCreated: boolean;
  phone: string;
  date: string;
  time: string;
  token: string;
  doctorName: string;
}

export async function bookByPhone(
  ctx: SyncContext,
  req: PhoneBookingRequest,
): Promise<Result<PhoneBooking, BookFailure | 'invalid_phone'>> {
  const phoneResult = normalizePhone(req.phone, ctx.region);
  if (!phoneResult.ok) return phoneResult;
  const phone = phoneResult.phone;
  // Bookings asked for together share one durable commit (src/sync/group-commit.ts).
  return groupedWrite(ctx, () => bookInWriteTx(ctx, req, phone));
}

function bookInWriteTx(
  ctx: SyncContext,
  req: PhoneBookingRequest,
  phone: E164,
): Result<PhoneBooking, BookFailure> {
  const now = ctx.now();
  const slot = { doctorId: req.doctorId, date: req.date, time: req.time };
  return bookingWriteTx(ctx, slot, (tx): Result<PhoneBooking, BookFailure> => {
    const doctor = loadDoctor(tx, req.doctorId);
    if (!doctor) return fail('not_found', 'No such doctor.');

    let account = accountByPhone(tx, phone);
    let accountCreated = false;
    let tempPassword: string | null = null;
    if (!account) {
      // A new caller: an account with a temporary password, sent in the welcome SMS below.
      tempPassword = generateTempPassword();
      account = statements(tx).insertProvisionalAccount.get({
        phone,
        username: phone,
        passwordHash: tempPasswordHash(ctx.tempPasswordKey, tempPassword),
        displayName: req.name?.trim() || `IVR Patient ${lastFour(phone)}`,
        language: req.language ?? null,
      })!;
      accountCreated = true;
      adoptUnlinkedPatients(tx, phone, account.id);
    }
    const patient = ensureAccountPatient(tx, account, req.channel ?? 'ivr');
    // The patient keeps the account holder's name.
    if (patient.name !== account.displayName) {
      statements(tx).renamePatient.run({ id: patient.id, name: account.displayName });
    }

    const booked = bookInTx(
      tx,
      {
        doctor,
        patientId: patient.id,
        personPhone: phone,
        date: req.date,
        time: req.time,
        channel: req.channel ?? 'ivr',
        holder: req.holder,
      },
      now,
      ctx.maxActiveAppointments,
    );
    // Rolls back the account too: a failed booking leaves no half-made state.
    if (!booked.ok) abort(booked);
    const b = booked.value;

    // The account's language; one never chosen falls back to this call's choice, then the default.
    const texts = textsForAccount(ctx, account, req.language);
    const language = texts.language;
    if (tempPassword !== null) {
      enqueueSms(tx, { kind: 'welcome', phone, body: texts.welcome(ctx.brand, phone, tempPassword), language }, now);
    } else if (account.status === 'active' && (req.channel ?? 'ivr') === 'ivr') {
      // "Your IVR booking has been synced…" is about a phone booking; a desk booking is just confirmed (SPEC §7).
      enqueueSms(tx, { kind: 'sync', phone, body: texts.sync(), appointmentId: b.id, language }, now);
    }
    enqueueSms(
      tx,
      {
        kind: 'confirmation',
        phone,
        body: texts.confirmation(ctx.brand, { doctorName: doctor.name, date: b.date, time: b.time, token: b.token }),
        appointmentId: b.id,
        language,
      },
      now,
    );
    return ok({
      appointmentId: b.id,
      patientId: patient.id,
      accountId: account.id,
      accountCreated,
      phone,
      date: b.date,
      time: b.time,
      token: b.token,
      doctorName: doctor.name,
    });
  });
}

// Built once per connection: drizzle building these again for every new caller was ~25 % of a
// first call's booking (issue 10, a --cpu-prof of new callers' bookings).
const p = sql.placeholder;
const statements = preparedStatements({
  insertProvisionalAccount: (r) =>
    r
      .insert(accounts)
      .values({
        phone: p('phone'),
        username: p('username'),
        passwordHash: p('passwordHash'),
        displayName: p('displayName'),
        status: 'provisional',
        mustChangePassword: true,
        role: 'patient',
        language: p('language'),
      })
      .returning()
      .prepare(),
  renamePatient: (r) => r.update(patients).set({ name: sql`${p('name')}` }).where(eq(patients.id, p('id'))).prepare(),
});
