// The one SQLite schema. Migrations under db/migrations are generated from this file by drizzle-kit.
import { sql } from 'drizzle-orm';
import { sqliteTable, integer, text, index, uniqueIndex, check, primaryKey } from 'drizzle-orm/sqlite-core';

const createdAt = () =>
  text('created_at')
    .notNull()
    .default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export const clinics = sqliteTable('clinics', {
  id: integer('id').primaryKey({ autoIncrement: true }),
  name: text('name').notNull(),
  did: text('did').notNull().default(''),
  timezone: text('timezone').notNull().default('Asia/Kolkata'),
  // The clinic's public number, said in reminders when SMS replies cannot reach MedQ (SPEC §7).
  publicPhone: text('public_phone'),
  createdAt: createdAt(),
});

export const doctors = sqliteTable(
  'doctors',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clinicId: integer('clinic_id')
      .notNull()
      .references(() => clinics.id),
    name: text('name').notNull(),
    specialty: text('specialty').notNull().default(''),
    displayOrder: integer('display_order').notNull().default(0),
    active: integer('active', { mode: 'boolean' }).notNull().default(true),
    createdAt: createdAt(),
  },
  (t) => [index('doctors_clinic_idx').on(t.clinicId, t.displayOrder)],
);

/** Weekly schedule blocks. weekday: 1 = Monday … 7 = Sunday (ISO). Times are "HH:MM" in the clinic's timezone. */
export const schedules = sqliteTable(
  'schedules',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    doctorId: integer('doctor_id')
      .notNull()
      .references(() => doctors.id, { onDelete: 'cascade' }),
    weekday: integer('weekday').notNull(),
    startTime: text('start_time').notNull(),
    endTime: text('end_time').notNull(),
    slotMinutes: integer('slot_minutes').notNull(),
    capacity: integer('capacity').notNull().default(1),
  },
  (t) => [
    index('schedules_doctor_idx').on(t.doctorId, t.weekday),
    check('schedules_weekday_check', sql`${t.weekday} BETWEEN 1 AND 7`),
    check('schedules_capacity_check', sql`${t.capacity} >= 1`),
    check('schedules_slot_check', sql`${t.slotMinutes} >= 5`),
  ],
);

/**
 * One row: a number that every change to clinics, doctors or schedules replaces with a random one
 * (triggers in db/migrations/0007). A process keeps the doctors it has read for as long as the
 * number is the one it read them under, whichever process made the change (src/sync/availability.ts loadDoctor).
 */
export const catalogVersion = sqliteTable(
  'catalog_version',
  {
    id: integer('id').primaryKey(),
    version: integer('version').notNull().default(0),
  },
  (t) => [check('catalog_version_one_row', sql`${t.id} = 1`)],
);

/** A day the whole clinic (doctor_id NULL) or one doctor does not see patients. */
export const closedDates = sqliteTable(
  'closed_dates',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    clinicId: integer('clinic_id')
      .notNull()
      .references(() => clinics.id, { onDelete: 'cascade' }),
    doctorId: integer('doctor_id').references(() => doctors.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    reason: text('reason').notNull().default(''),
  },
  (t) => [index('closed_dates_clinic_date_idx').on(t.clinicId, t.date)],
);

export const accounts = sqliteTable(
  'accounts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    phone: text('phone').notNull(),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    displayName: text('display_name').notNull(),
    role: text('role', { enum: ['patient', 'staff'] }).notNull().default('patient'),
    status: text('status', { enum: ['provisional', 'active'] }).notNull(),
    mustChangePassword: integer('must_change_password', { mode: 'boolean' }).notNull().default(false),
    // Bumped on every password change or claim; tokens carry it, so older tokens stop working.
    tokenVersion: integer('token_version').notNull().default(0),
    // The phone's IVR and SMS language (one of LANGUAGES); NULL = not chosen yet (the default).
    language: text('language'),
    createdAt: createdAt(),
    updatedAt: text('updated_at'),
  },
  (t) => [uniqueIndex('accounts_phone_uq').on(t.phone), uniqueIndex('accounts_username_uq').on(t.username)],
);

export const patients = sqliteTable(
  'patients',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    name: text('name').notNull(),
    age: integer('age'),
    phone: text('phone').notNull(),
    accountId: integer('account_id').references(() => accounts.id),
    source: text('source', { enum: ['ivr', 'web', 'desk'] }).notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('patients_phone_idx').on(t.phone), index('patients_account_idx').on(t.accountId)],
);

export const APPOINTMENT_STATUSES = ['booked', 'arrived', 'cancelled', 'completed', 'no_show'] as const;
/** Statuses of a booking that still holds its seat and its person's one-per-doctor-day place. */
export const LIVE_APPOINTMENT_STATUSES = ['booked', 'arrived'] as const;
export const APPOINTMENT_CHANNELS = ['ivr', 'web', 'desk'] as const;
export type AppointmentChannel = (typeof APPOINTMENT_CHANNELS)[number];
export type AppointmentStatus = (typeof APPOINTMENT_STATUSES)[number];

/**
 * appointments_seat_uq's last column: 0 while the booking holds its seat, NULL once cancelled. A
 * read of held seats says `${SEAT_HELD} = 0`, written exactly so, and SQLite answers it from the
 * index alone. `status` is unqualified, as an index expression must be: use it in reads of
 * appointments alone (joined to accounts, `status` would be ambiguous).
 */
export const SEAT_HELD = sql`(CASE WHEN status <> 'cancelled' THEN 0 END)`;

export const appointments = sqliteTable(
  'appointments',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    patientId: integer('patient_id')
      .notNull()
      .references(() => patients.id),
    doctorId: integer('doctor_id')
      .notNull()
      .references(() => doctors.id),
    date: text('date').notNull(),
    slotTime: text('slot_time').notNull(),
    seat: integer('seat').notNull(),
    tokenNumber: text('token_number').notNull(),
    // The booking person's phone: the key of the one-booking-per-doctor-per-day rule.
    personPhone: text('person_phone').notNull(),
    status: text('status', { enum: APPOINTMENT_STATUSES }).notNull().default('booked'),
    channel: text('channel', { enum: APPOINTMENT_CHANNELS }).notNull(),
    createdAt: createdAt(),
    cancelledAt: text('cancelled_at'),
    // Reception desk (SPEC §11): when the patient checked in, and when their token was called.
    arrivedAt: text('arrived_at'),
    calledAt: text('called_at'),
  },
  (t) => [
    // Capacity: a seat in a slot is held by at most one live booking. The sync module picks
    // seat <= capacity inside a write transaction; this index makes a second holder impossible.
    // Cancelled rows are in it too, keyed NULL in the last column (NULLs never collide), so it is
    // also a doctor's day in every status: a booking writes one index page fewer (issue 10).
    uniqueIndex('appointments_seat_uq').on(t.doctorId, t.date, t.slotTime, t.seat, SEAT_HELD),
    uniqueIndex('appointments_token_uq')
      .on(t.doctorId, t.date, t.tokenNumber)
      .where(sql`status <> 'cancelled'`),
    uniqueIndex('appointments_person_doctor_day_uq')
      .on(t.doctorId, t.date, t.personPhone)
      .where(sql`status in ('booked', 'arrived')`),
    // A person's bookings by phone (IVR "my appointments", MAX_ACTIVE_APPOINTMENTS) without a scan.
    index('appointments_person_idx').on(t.personPhone, t.status, t.date),
    index('appointments_patient_idx').on(t.patientId, t.date),
    // The reminder scheduler's scan: booked appointments in the next hours.
    index('appointments_date_idx').on(t.date, t.slotTime),
  ],
);

/** A slot offered to a caller, counting against capacity until confirmed, released or expired. */
export const slotHolds = sqliteTable(
  'slot_holds',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    doctorId: integer('doctor_id')
      .notNull()
      .references(() => doctors.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    slotTime: text('slot_time').notNull(),
    holder: text('holder').notNull(),
    expiresAt: integer('expires_at').notNull(),
  },
  (t) => [index('slot_holds_slot_idx').on(t.doctorId, t.date, t.slotTime), index('slot_holds_holder_idx').on(t.holder)],
);

export const verifications = sqliteTable(
  'verifications',
  {
    id: text('id').primaryKey(),
    phone: text('phone').notNull(),
    purpose: text('purpose', { enum: ['register', 'link', 'reset'] }).notNull(),
    // The pending action, with the password already hashed: never a plain password.
    payload: text('payload').notNull(),
    codeHash: text('code_hash').notNull(),
    expiresAt: integer('expires_at').notNull(),
    attemptsLeft: integer('attempts_left').notNull(),
    status: text('status', { enum: ['pending', 'used', 'exhausted'] }).notNull().default('pending'),
    createdAt: createdAt(),
  },
  (t) => [index('verifications_phone_idx').on(t.phone)],
);

export const SMS_KINDS = [
  'welcome',
  'sync',
  'confirmation',
  'cancellation',
  'linked',
  'otp',
  'reminder',
  'queue_near',
  'nothing_to_cancel',
  'opted_out',
  'opted_in',
  'help',
] as const;
export type SmsKind = (typeof SMS_KINDS)[number];
/**
 * The kinds ever looked up by phone (the code limit, HELP once a day, the reminder a reply answers):
 * only these rows are in sms_outbox_phone_kind_idx. SQLite uses a partial index only for a query
 * that repeats its condition word for word, so those queries add this same SQL.
 */
export const SMS_KINDS_BY_PHONE = ['otp', 'help', 'reminder'] as const satisfies readonly SmsKind[];
export type SmsKindByPhone = (typeof SMS_KINDS_BY_PHONE)[number];
export const SMS_KINDS_BY_PHONE_SQL = sql.raw(`kind in (${SMS_KINDS_BY_PHONE.map((k) => `'${k}'`).join(', ')})`);
export const SMS_STATES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'expired'] as const;
export type SmsState = (typeof SMS_STATES)[number];

/** Written in the same transaction as the event that causes the message; drained by the sms role. */
export const smsOutbox = sqliteTable(
  'sms_outbox',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    kind: text('kind', { enum: SMS_KINDS }).notNull(),
    phone: text('phone').notNull(),
    // Blanked for welcome and OTP once the SMSC has accepted the message.
    body: text('body').notNull(),
    state: text('state', { enum: SMS_STATES }).notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    // Epoch milliseconds; the worker takes rows whose time has come.
    nextAttemptAt: integer('next_attempt_at').notNull().default(0),
    // An OTP not sent before its code expires is dropped, not sent late.
    expiresAt: integer('expires_at'),
    claimedBy: text('claimed_by'),
    claimedAt: integer('claimed_at'),
    messageIds: text('message_ids'),
    lastError: text('last_error'),
    appointmentId: integer('appointment_id'),
    verificationId: text('verification_id'),
    // At most one row per key (e.g. "reminder:42", "queue_near:42"): several sms workers or api
    // processes may try to queue the same message; the unique index lets exactly one succeed.
    dedupeKey: text('dedupe_key'),
    // The language the text is written in (DLT: its template id is per kind and language); NULL on
    // rows from before languages: the clinic default.
    language: text('language'),
    createdAt: integer('created_at').notNull(),
    sentAt: integer('sent_at'),
    deliveredAt: integer('delivered_at'),
  },
  (t) => [
    index('sms_outbox_due_idx').on(t.state, t.nextAttemptAt),
    // Only the kinds ever looked up by phone, and only rows with a dedupe key: a booking's
    // confirmation and sync messages are in neither, two fewer pages written per booking.
    index('sms_outbox_phone_kind_idx').on(t.phone, t.kind, t.createdAt).where(SMS_KINDS_BY_PHONE_SQL),
    uniqueIndex('sms_outbox_dedupe_uq').on(t.dedupeKey).where(sql`dedupe_key is not null`),
    index('sms_outbox_appointment_idx').on(t.appointmentId),
    // The retention job's search for secret bodies (welcome, OTP) still stored: the worker blanks
    // them as it sends, so this holds a handful of rows where the table holds every message ever
    // sent, and the daily run no longer reads the whole outbox under the write lock.
    index('sms_outbox_secret_body_idx')
      .on(t.createdAt)
      .where(sql`kind in ('welcome', 'otp') and body <> ''`),
    // The worker's search for queued messages whose validity passed (OTP codes), asked on every
    // pass: through the state index it read every queued row, so a backlog slowed each pass.
    index('sms_outbox_expiry_idx')
      .on(t.state, t.expiresAt)
      .where(sql`expires_at is not null`),
  ],
);

/** One row per SMPP part, so a delivery receipt (which names one part's id) finds its message. */
export const smsParts = sqliteTable(
  'sms_parts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    outboxId: integer('outbox_id')
      .notNull()
      .references(() => smsOutbox.id, { onDelete: 'cascade' }),
    partNo: integer('part_no').notNull(),
    messageId: text('message_id').notNull(),
    state: text('state', { enum: ['sent', 'delivered', 'failed'] }).notNull().default('sent'),
  },
  (t) => [index('sms_parts_message_id_idx').on(t.messageId), index('sms_parts_outbox_idx').on(t.outboxId)],
);

/** Shared counters for rate limits, so several api processes enforce one limit. */
export const rateEvents = sqliteTable(
  'rate_events',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    bucket: text('bucket').notNull(),
    at: integer('at').notNull(),
  },
  (t) => [index('rate_events_bucket_idx').on(t.bucket, t.at)],
);

/** Phones that replied STOP (or chose so in the IVR): no reminder or queue SMS (SPEC §7). */
export const smsOptOuts = sqliteTable('sms_opt_outs', {
  phone: text('phone').primaryKey(),
  createdAt: createdAt(),
});

/**
 * Mobile-originated SMS (replies), recorded in the transaction that acts on them, so a redelivered
 * reply (same phone, same text within 10 minutes) is recognised and acts once. No full text kept.
 */
export const smsInbound = sqliteTable(
  'sms_inbound',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    phone: text('phone').notNull(),
    // sha256 of the normalised text: enough to recognise a redelivery without keeping the text.
    textHash: text('text_hash').notNull(),
    command: text('command').notNull(),
    outcome: text('outcome').notNull(),
    appointmentId: integer('appointment_id'),
    receivedAt: integer('received_at').notNull(),
  },
  (t) => [index('sms_inbound_phone_idx').on(t.phone, t.receivedAt)],
);

/** The token now served per doctor and day (SPEC §11); updatedAt lets every api process see changes. */
export const queueState = sqliteTable(
  'queue_state',
  {
    doctorId: integer('doctor_id')
      .notNull()
      .references(() => doctors.id, { onDelete: 'cascade' }),
    date: text('date').notNull(),
    nowServing: text('now_serving'),
    appointmentId: integer('appointment_id'),
    // Epoch ms of the last change; bumped on every call, so watchers poll one indexed column.
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.doctorId, t.date] }), index('queue_state_updated_idx').on(t.updatedAt)],
);

/** Leases for jobs that exactly one of several processes should run at a time (reminders, retention). */
export const jobLeases = sqliteTable('job_leases', {
  name: text('name').primaryKey(),
  owner: text('owner').notNull(),
  leasedUntil: integer('leased_until').notNull(),
  lastRunAt: integer('last_run_at'),
});
