// /api/me: the logged-in account, its password, and its appointments.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  appointmentById,
  appointmentsOfAccount,
  bookForAccount,
  cancelAppointment,
  changePassword,
  hashPassword,
  patientsOfAccount,
  verifyPassword,
} from '../../sync/index.js';
import { returnRateToken } from '../../sync/rate-limit.js';
import { requireAccount } from '../auth.js';
import { ApiError, rateLimited, unwrap } from '../errors.js';
import { newPasswordOf } from '../input.js';
import { loginAttempt } from '../plugins/rate-limit.js';
import { Appointment, AppointmentList, DateString, errors, Id, IdParams, Me, PasswordInput, TimeString } from '../schemas.js';
import { appointmentView, patientView, userView } from '../views.js';

const security = [{ bearerAuth: [] }];

const PasswordBody = Type.Object(
  { current_password: Type.String({ minLength: 1, maxLength: 200 }), new_password: PasswordInput },
  { additionalProperties: false },
);
const BookBody = Type.Object(
  {
    doctor_id: Id,
    date: DateString,
    time: TimeString,
    patient_id: Type.Optional({ ...Id, description: "one of the account's patients; default the account holder" }),
  },
  { additionalProperties: false },
);

const meRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx } = app.medq;

  app.get(
    '',
    {
      onRequest: requireAccount('read'),
      schema: {
        tags: ['me'],
        summary: 'The account and its patients',
        security,
        response: { 200: Me, ...errors(401) },
      },
    },
    async (request) => {
      const me = request.account!;
      return {
        user: userView(me),
        must_change_password: me.mustChangePassword,
        patients: patientsOfAccount(ctx, me.id).map(patientView),
      };
    },
  );

  app.post(
    '/password',
    {
      onRequest: requireAccount('read'),
      schema: {
        tags: ['me'],
        summary: 'Change the password',
        description:
          'Clears must_change_password, claims a provisional account, and ends every token issued before (this one too): log in again with the new password.',
        security,
        body: PasswordBody,
        response: { 204: Type.Null({ description: 'changed' }), ...errors(400, 401, 429) },
      },
    },
    async (request, reply) => {
      const me = request.account!;
      const attempt = loginAttempt(ctx, `account:${me.id}`);
      if (!attempt.allowed) throw rateLimited(attempt.retryAfterMs);
      if (!(await verifyPassword(me.passwordHash, request.body.current_password))) {
        throw new ApiError(400, 'invalid_credentials', 'The current password is not right.');
      }
      returnRateToken(ctx, attempt.eventId!);
      newPasswordOf(request.body.new_password, me.username, me.phone, 'new_password');
      unwrap(changePassword(ctx, me.id, await hashPassword(request.body.new_password)));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/appointments',
    {
      onRequest: requireAccount('read'),
      schema: {
        tags: ['me'],
        summary: 'All appointments of all linked patients, newest first',
        security,
        response: { 200: AppointmentList, ...errors(401) },
      },
    },
    async (request) => {
      const now = ctx.now();
      return { appointments: appointmentsOfAccount(ctx, request.account!.id).map((a) => appointmentView(a, now)) };
    },
  );

  app.post(
    '/appointments',
    {
      onRequest: requireAccount('write'),
      schema: {
        tags: ['me'],
        summary: 'Book a slot (same rules as the IVR; confirmation SMS)',
        security,
        body: BookBody,
        response: { 201: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const { doctor_id, date, time, patient_id } = request.body;
      const booked = unwrap(
        bookForAccount(ctx, { accountId: request.account!.id, doctorId: doctor_id, date, time, ...(patient_id !== undefined ? { patientId: patient_id } : {}) }),
      );
      return reply.code(201).send(appointmentView(appointmentById(ctx, booked.appointmentId)!, ctx.now()));
    },
  );

  app.post(
    '/appointments/:id/cancel',
    {
      onRequest: requireAccount('write'),
      schema: {
        tags: ['me'],
        summary: "Cancel one's own upcoming booking (cancellation SMS)",
        description: "Another account's appointment is 404 not_found; a past or already cancelled one is 409 not_cancellable.",
        security,
        params: IdParams,
        response: { 200: Appointment, ...errors(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      unwrap(cancelAppointment(ctx, { appointmentId: request.params.id, accountId: request.account!.id }));
      return appointmentView(appointmentById(ctx, request.params.id)!, ctx.now());
    },
  );
};

export default meRoutes;
