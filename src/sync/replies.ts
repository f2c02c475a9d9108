// Replies (mobile-originated SMS, SPEC §7), each handled in ONE write transaction: recorded in
// sms_inbound (a hash of the text, the command and the outcome; never the text itself), then
// acted on, with the answer SMS queued in the same transaction. The same text from the same phone
// within 10 minutes is one reply (an SMSC redelivers what it thinks was not answered): it acts once.
//   C / CANCEL [token]  cancels the booking named by the last reminder sent to the phone if it is
//                       still upcoming, else the phone's next upcoming booking (or, with a token such
//                       as "C S-5", the upcoming one with that token); else "nothing to cancel".
//   STOP / START        opts the phone out of / back into reminder and queue SMS.
//   anything else       the help text, at most once a day per phone.
import { createHash } from 'node:crypto';
import { and, asc, desc, eq, gte, inArray, ne } from 'drizzle-orm';
import { appointments, clinics, doctors, smsInbound, smsOutbox, SMS_KINDS_BY_PHONE_SQL } from '../db/schema.js';
import { isPastSlot } from '../booking/slots.js';
import { writeTx, type SyncContext, type Tx } from './context.js';
import { cancelInTx } from './appointments.js';
import { countRecentSms, enqueueSms } from './outbox.js';
import { textsForPhone } from './sms-language.js';
import { setOptOutInTx } from './opt-out.js';

export const DUPLICATE_WINDOW_MS = 10 * 60_000;
const HELP_EVERY_MS = 24 * 3_600_000;

export type ReplyCommand = { name: 'cancel'; token: string | null } | { name: 'stop' } | { name: 'start' } | { name: 'other' };

export type ReplyOutcome = 'cancelled' | 'nothing_to_cancel' | 'opted_out' | 'opted_in' | 'help' | 'help_already_sent' | 'duplicate';

/** Upper-cased, inner spaces collapsed, trailing punctuation dropped: "  c  s-5. " → "C S-5". */
export function normaliseReplyText(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/g, ' ').replace(/[.!]+$/, '').toUpperCase();
}

/** What a reply asks for. Tokens are a letter, a dash, a number ("S-5"; "S5" and "S - 5" too). */
export function parseReply(text: string): ReplyCommand {
  const t = normaliseReplyText(text);
  const cancel = /^(?:C|CANCEL)(?: ([A-Z]) ?-? ?(\d{1,4}))?$/.exec(t);
  if (cancel) return { name: 'cancel', token: cancel[1] ? `${cancel[1]}-${Number(cancel[2])}` : null };
  if (t === 'STOP') return { name: 'stop' };
  if (t === 'START') return { name: 'start' };
  return { name: 'other' };
}

export interface InboundReply {
  /** The sender, already normalised to E.164. */
  phone: string;
  text: string;
}

export interface ReplyResult {
  command: ReplyCommand['name'];
  outcome: ReplyOutcome;
  appointmentId: number | null;
}

const textHash = (text: string) => createHash('sha256').update(normaliseReplyText(text)).digest('hex');

type AppointmentRow = typeof appointments.$inferSelect;

/** The phone's live bookings that have not started yet, soonest first. */
function upcomingOfPhone(tx: Tx, phone: string, now: Date, token?: string): AppointmentRow[] {
  const yesterday = new Date(now.getTime() - 24 * 3_600_000).toISOString().slice(0, 10);
  return tx
    .select({ a: appointments, timezone: clinics.timezone })
    .from(appointments)
    .innerJoin(doctors, eq(doctors.id, appointments.doctorId))
    .innerJoin(clinics, eq(clinics.id, doctors.clinicId))
    .where(
      and(
        eq(appointments.personPhone, phone),
        eq(appointments.status, 'booked'),
        gte(appointments.date, yesterday),
        token !== undefined ? eq(appointments.tokenNumber, token) : undefined,
      ),
    )
    .orderBy(asc(appointments.date), asc(appointments.slotTime), asc(appointments.id))
    .all()
    .filter((r) => !isPastSlot(r.a.date, r.a.slotTime, r.timezone, now))
    .map((r) => r.a);
}

/** The appointment a "C" reply names, or undefined when there is nothing to cancel. */
function cancelTarget(tx: Tx, phone: string, token: string | null, now: Date): AppointmentRow | undefined {
  if (token !== null) return upcomingOfPhone(tx, phone, now, token)[0];
  const upcoming = upcomingOfPhone(tx, phone, now);
  const lastReminder = tx
    .select({ appointmentId: smsOutbox.appointmentId })
    .from(smsOutbox)
    .where(and(eq(smsOutbox.phone, phone), eq(smsOutbox.kind, 'reminder'), SMS_KINDS_BY_PHONE_SQL, inArray(smsOutbox.state, ['sending', 'sent', 'delivered'])))
    .orderBy(desc(smsOutbox.id))
    .limit(1)
    .get();
  return upcoming.find((a) => a.id === lastReminder?.appointmentId) ?? upcoming[0];
}

export function handleReply(ctx: SyncContext, reply: InboundReply): ReplyResult {
  const command = parseReply(reply.text);
  const hash = textHash(reply.text);
  return writeTx(ctx, (tx) => {
    const now = ctx.now();
    const phone = reply.phone;
    const record = (outcome: ReplyOutcome, appointmentId: number | null = null): ReplyResult => {
      tx.insert(smsInbound)
        .values({ phone, textHash: hash, command: command.name, outcome, appointmentId, receivedAt: now.getTime() })
        .run();
      return { command: command.name, outcome, appointmentId };
    };

    const earlier = tx
      .select({ id: smsInbound.id, appointmentId: smsInbound.appointmentId })
      .from(smsInbound)
      .where(
        and(
          eq(smsInbound.phone, phone),
          eq(smsInbound.textHash, hash),
          gte(smsInbound.receivedAt, now.getTime() - DUPLICATE_WINDOW_MS),
          ne(smsInbound.outcome, 'duplicate'),
        ),
      )
      .limit(1)
      .get();
    if (earlier) return record('duplicate', earlier.appointmentId);
    // Answers in the phone's account language.
    const texts = textsForPhone(tx, ctx, phone);
    const language = texts.language;

    switch (command.name) {
      case 'cancel': {
        const target = cancelTarget(tx, phone, command.token, now);
        if (!target) {
          enqueueSms(tx, { kind: 'nothing_to_cancel', phone, body: texts.nothingToCancel(ctx.brand), language }, now);
          return record('nothing_to_cancel');
        }
        cancelInTx(tx, ctx, target, now); // the cancellation SMS, as every cancellation has
        return record('cancelled', target.id);
      }
      case 'stop':
        setOptOutInTx(tx, phone, true, now);
        enqueueSms(tx, { kind: 'opted_out', phone, body: texts.optedOut(ctx.brand), language }, now);
        return record('opted_out');
      case 'start':
        setOptOutInTx(tx, phone, false, now);
        enqueueSms(tx, { kind: 'opted_in', phone, body: texts.optedIn(ctx.brand), language }, now);
        return record('opted_in');
      case 'other':
        if (countRecentSms(tx, phone, 'help', now.getTime() - HELP_EVERY_MS) > 0) return record('help_already_sent');
        enqueueSms(tx, { kind: 'help', phone, body: texts.help(ctx.brand), language }, now);
        return record('help');
    }
  });
}
