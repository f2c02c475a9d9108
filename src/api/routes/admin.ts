// /api/admin: clinic staff. Clinics, doctors, schedules and closed dates; the day's appointments;
// completed/no-show; booking and cancelling on a caller's behalf (same rules and SMS as the IVR).
// Every route needs a staff token (403 forbidden for patients).
import { metrics } from '../../metrics/index.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { isDate } from '../../booking/slots.js';
import {
  appointmentById,
  appointmentsOnDay,
  bookByPhone,
  callNext,
  cancelAppointment,
  listClinics,
  markArrived,
  setAppointmentOutcome,
} from '../../sync/index.js';
import {
  addClosedDate,
  allDoctors,
  closedDatesOf,
  createClinic,
  createDoctor,
  removeClosedDate,
  replaceSchedules,
  schedulesOf,
  updateClinic,
  updateDoctor,
} from '../../sync/admin.js';
import { reminderStates } from '../../sync/reminders.js';
import { requireAccount } from '../auth.js';
import { ApiError, unwrap, validationError } from '../errors.js';
import { phoneOf } from '../input.js';
import {
  Appointment,
  AppointmentList,
  Clinic,
  ClosedDate,
  DateString,
  Doctor,
  errors,
  Id,
  IdParams,
  NameInput,
  PhoneInput,
  ScheduleBlock,
  ScheduleBlockOut,
  TimeString,
} from '../schemas.js';

/** The staff day list: each appointment with its reminder SMS (SPEC §7), if one was queued. */
const DayAppointmentList = Type.Object({
  appointments: Type.Array(
    Type.Object({
      ...Appointment.properties,
      reminder_sent: Type.Boolean({ description: 'a reminder SMS was queued for it' }),
      reminder_state: Type.Union([Type.String(), Type.Null()], { description: 'queued, sending, sent, delivered, failed or expired' }),
    }),
  ),
});
import { appointmentView, clinicView, closedDateView, doctorView, scheduleView } from '../views.js';

const security = [{ bearerAuth: [] }];
const tags = ['admin'];
const CancelBookings = Type.Optional(
  Type.Boolean({ description: 'cancel the upcoming bookings in the way (each gets the cancellation SMS) instead of 409 has_bookings' }),
);
const Timezone = Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone, e.g. Asia/Kolkata' });
const Did = Type.String({ maxLength: 32 });

function calendarDate(date: string, field: string): string {
  if (!isDate(date)) throw validationError(`${field} is not a calendar date.`, [{ field, message: 'is not a calendar date' }]);
  return date;
}

const adminRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app.medq;
  app.addHook('onRequest', requireAccount('staff'));
  const view = (id: number) => appointmentView(appointmentById(ctx, id)!, ctx.now());

  // ------------------------------------------------------------ clinics

  app.get(
    '/clinics',
    {
      schema: {
        tags,
        security,
        summary: 'Every clinic with every doctor (active or not)',
        response: { 200: Type.Object({ clinics: Type.Array(Type.Object({ ...Clinic.properties, doctors: Type.Array(Doctor) })) }), ...errors(401, 403) },
      },
    },
    async () => ({
      clinics: listClinics(ctx).map((c) => ({ ...clinicView(c), doctors: allDoctors(ctx, c.id).map(doctorView) })),
    }),
  );

  app.post(
    '/clinics',
    {
      schema: {
        tags,
        security,
        summary: 'Add a clinic',
        body: Type.Object({ name: NameInput, did: Type.Optional(Did), timezone: Type.Optional(Timezone) }, { additionalProperties: false }),
        response: { 201: Clinic, ...errors(400, 401, 403) },
      },
    },
    async (request, reply) => reply.code(201).send(clinicView(unwrap(createClinic(ctx, request.body)))),
  );

  app.patch(
    '/clinics/:id',
    {
      schema: {
        tags,
        security,
        summary: "Change a clinic's name, DID or time zone",
        params: IdParams,
        body: Type.Object(
          { name: Type.Optional(NameInput), did: Type.Optional(Did), timezone: Type.Optional(Timezone) },
          { additionalProperties: false },
        ),
        response: { 200: Clinic, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => clinicView(unwrap(updateClinic(ctx, request.params.id, request.body))),
  );

  // ------------------------------------------------------------ doctors

  app.get(
    '/doctors',
    {
      schema: {
        tags,
        security,
        summary: 'Doctors (active or not), optionally of one clinic',
        querystring: Type.Object({ clinic_id: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: Type.Object({ doctors: Type.Array(Doctor) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => ({ doctors: allDoctors(ctx, request.query.clinic_id).map(doctorView) }),
  );

  app.post(
    '/doctors',
    {
      schema: {
        tags,
        security,
        summary: 'Add a doctor (then give them a schedule)',
        body: Type.Object(
          {
            clinic_id: Id,
            name: NameInput,
            specialty: Type.Optional(Type.String({ maxLength: 100 })),
            display_order: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
          },
          { additionalProperties: false },
        ),
        response: { 201: Doctor, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const doctor = unwrap(
        createDoctor(ctx, {
          clinicId: b.clinic_id,
          name: b.name,
          ...(b.specialty !== undefined ? { specialty: b.specialty } : {}),
          ...(b.display_order !== undefined ? { displayOrder: b.display_order } : {}),
        }),
      );
      return reply.code(201).send(doctorView(doctor));
    },
  );

  app.patch(
    '/doctors/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Change or (de)activate a doctor',
        description: 'Deactivating a doctor with upcoming bookings is 409 has_bookings unless cancel_bookings is true.',
        params: IdParams,
        body: Type.Object(
          {
            name: Type.Optional(NameInput),
            specialty: Type.Optional(Type.String({ maxLength: 100 })),
            display_order: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
            active: Type.Optional(Type.Boolean()),
            cancel_bookings: CancelBookings,
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ doctor: Doctor, cancelled: Type.Integer() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const b = request.body;
      const r = unwrap(
        updateDoctor(
          ctx,
          request.params.id,
          {
            ...(b.name !== undefined ? { name: b.name } : {}),
            ...(b.specialty !== undefined ? { specialty: b.specialty } : {}),
            ...(b.display_order !== undefined ? { displayOrder: b.display_order } : {}),
            ...(b.active !== undefined ? { active: b.active } : {}),
          },
          { cancelBookings: b.cancel_bookings === true },
        ),
      );
      return { doctor: doctorView(r.doctor), cancelled: r.cancelled };
    },
  );

  app.get(
    '/doctors/:id/schedules',
    {
      schema: {
        tags,
        security,
        summary: "A doctor's weekly schedule",
        params: IdParams,
        response: { 200: Type.Object({ schedules: Type.Array(ScheduleBlockOut) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rows = schedulesOf(ctx, request.params.id);
      if (rows === null) throw new ApiError(404, 'not_found', 'No such doctor.');
      return { schedules: rows.map(scheduleView) };
    },
  );

  app.put(
    '/doctors/:id/schedules',
    {
      schema: {
        tags,
        security,
        summary: "Replace a doctor's weekly schedule",
        description: 'Existing bookings are kept.',
        params: IdParams,
        body: Type.Object({ schedules: Type.Array(ScheduleBlock, { maxItems: 100 }) }, { additionalProperties: false }),
        response: { 200: Type.Object({ schedules: Type.Array(ScheduleBlockOut) }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const rows = unwrap(
        replaceSchedules(
          ctx,
          request.params.id,
          request.body.schedules.map((s) => ({
            weekday: s.weekday,
            startTime: s.start,
            endTime: s.end,
            slotMinutes: s.slot_minutes,
            ...(s.capacity !== undefined ? { capacity: s.capacity } : {}),
          })),
        ),
      );
      return { schedules: rows.map(scheduleView) };
    },
  );

  // ------------------------------------------------------------ closed dates

  app.get(
    '/closed-dates',
    {
      schema: {
        tags,
        security,
        summary: 'Closed dates, optionally of one clinic and from a date on',
        querystring: Type.Object({ clinic_id: Type.Optional(Id), from: Type.Optional(DateString) }, { additionalProperties: false }),
        response: { 200: Type.Object({ closed_dates: Type.Array(ClosedDate) }), ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { clinic_id, from } = request.query;
      return {
        closed_dates: closedDatesOf(ctx, {
          ...(clinic_id !== undefined ? { clinicId: clinic_id } : {}),
          ...(from !== undefined ? { from } : {}),
        }).map(closedDateView),
      };
    },
  );

  app.post(
    '/closed-dates',
    {
      schema: {
        tags,
        security,
        summary: 'Close a date for the whole clinic or one doctor',
        description: 'A date with upcoming bookings is 409 has_bookings unless cancel_bookings is true.',
        body: Type.Object(
          {
            clinic_id: Id,
            doctor_id: Type.Optional(Type.Union([Id, Type.Null()])),
            date: DateString,
            reason: Type.Optional(Type.String({ maxLength: 200 })),
            cancel_bookings: CancelBookings,
          },
          { additionalProperties: false },
        ),
        response: { 201: Type.Object({ closed_date: ClosedDate, cancelled: Type.Integer() }), ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const r = unwrap(
        addClosedDate(
          ctx,
          {
            clinicId: b.clinic_id,
            doctorId: b.doctor_id ?? null,
            date: calendarDate(b.date, 'body.date'),
            ...(b.reason !== undefined ? { reason: b.reason } : {}),
          },
          { cancelBookings: b.cancel_bookings === true },
        ),
      );
      return reply.code(201).send({ closed_date: closedDateView(r.closedDate), cancelled: r.cancelled });
    },
  );

  app.delete(
    '/closed-dates/:id',
    {
      schema: {
        tags,
        security,
        summary: 'Open a closed date again',
        params: IdParams,
        response: { 204: Type.Null({ description: 'removed' }), ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      unwrap(removeClosedDate(ctx, request.params.id));
      return reply.code(204).send(null);
    },
  );

  // ------------------------------------------------------------ appointments

  app.get(
    '/appointments',
    {
      schema: {
        tags,
        security,
        summary: "One day's appointments, optionally of one doctor",
        querystring: Type.Object({ date: DateString, doctor_id: Type.Optional(Id) }, { additionalProperties: false }),
        response: { 200: DayAppointmentList, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { date, doctor_id } = request.query;
      const now = ctx.now();
      const rows = appointmentsOnDay(ctx, calendarDate(date, 'querystring.date'), doctor_id);
      const reminders = reminderStates(ctx, rows.map((a) => a.id));
      return {
        appointments: rows.map((a) => ({
          ...appointmentView(a, now),
          reminder_sent: reminders.has(a.id),
          reminder_state: reminders.get(a.id) ?? null,
        })),
      };
    },
  );

  app.post(
    '/appointments',
    {
      schema: {
        tags,
        security,
        summary: "Book on a caller's behalf (same rules and SMS as the IVR)",
        description: 'A phone with no account gets a provisional account and the welcome SMS, exactly as a phone booking would.',
        body: Type.Object(
          { phone_number: PhoneInput, doctor_id: Id, date: DateString, time: TimeString, name: Type.Optional(NameInput) },
          { additionalProperties: false },
        ),
        response: { 201: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const b = request.body;
      const phone = phoneOf(b.phone_number, ctx.region);
      const booked = unwrap(
        await bookByPhone(ctx, {
          phone,
          doctorId: b.doctor_id,
          date: b.date,
          time: b.time,
          channel: 'desk',
          ...(b.name !== undefined ? { name: b.name } : {}),
        }),
      );
      metrics.bookings.inc({ channel: 'desk' });
      return reply.code(201).send(view(booked.appointmentId));
    },
  );

  app.post(
    '/appointments/:id/cancel',
    {
      schema: {
        tags,
        security,
        summary: "Cancel on a caller's behalf (cancellation SMS)",
        params: IdParams,
        response: { 200: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      unwrap(cancelAppointment(ctx, { appointmentId: request.params.id }));
      metrics.cancellations.inc({ channel: 'desk' });
      return view(request.params.id);
    },
  );

  app.post(
    '/appointments/:id/arrived',
    {
      schema: {
        tags,
        security,
        summary: "Mark a booking of today arrived (the patient checked in at the desk)",
        description: 'Marking an arrived booking again changes nothing. Cancelled, completed and no-show bookings are 409 not_callable; another day is 409 not_today.',
        params: IdParams,
        response: { 200: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      unwrap(markArrived(ctx, request.params.id));
      return view(request.params.id);
    },
  );

  app.post(
    '/doctors/:id/queue/next',
    {
      schema: {
        tags,
        security,
        summary: "Call the doctor's next token today, or a named one (a skipped token)",
        description:
          'Without a body (or without token): the next booked or arrived token after the one now served that has not been called. ' +
          'With {token}: that token (booked or arrived). 409 queue_empty names the skipped tokens still waiting; 409 not_callable for a finished one. ' +
          'Queues the "queue near" SMS for bookings now two or fewer patients away.',
        params: IdParams,
        body: Type.Object(
          { token: Type.Optional(Type.String({ pattern: '^\\s*[A-Za-z]{1,3}-\\d{1,5}\\s*$', description: 'a token such as S-5' })) },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({ doctor_id: Type.Integer(), date: Type.String(), now_serving: Type.String() }),
          ...errors(400, 401, 403, 404, 409),
        },
      },
      // A bare POST (a desk's "next" button sends no body) is call next.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const token = request.body.token;
      const moved = unwrap(callNext(ctx, request.params.id, token === undefined ? {} : { token }));
      return { doctor_id: moved.doctorId, date: moved.date, now_serving: moved.nowServing };
    },
  );

  app.post(
    '/appointments/:id/outcome',
    {
      schema: {
        tags,
        security,
        summary: 'Mark an appointment completed or no_show',
        params: IdParams,
        body: Type.Object({ outcome: Type.Union([Type.Literal('completed'), Type.Literal('no_show')]) }, { additionalProperties: false }),
        response: { 200: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      unwrap(setAppointmentOutcome(ctx, request.params.id, request.body.outcome));
      return view(request.params.id);
    },
  );
};

export default adminRoutes;
