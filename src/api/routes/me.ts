// /api/me: the logged-in account, its password, and its appointments.
import { metrics } from '../../metrics/index.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  appointmentById,
  appointmentsOfAccount,
  bookForAccount,
  cancelAppointment,
  changePassword,
  hashPassword,
  updateProfile,
  type AccountRow,
  patientsOfAccount,
  verifyPassword,
} from '../../sync/index.js';
import { returnRateToken } from '../../sync/rate-limit.js';
import { requireAccount } from '../auth.js';
import { ApiError, rateLimited, unwrap, validationError } from '../errors.js';
import { nameOf, newPasswordOf, usernameOf } from '../input.js';
import { loginAttempt } from '../plugins/rate-limit.js';
import {
  AgeInput,
  Appointment,
  AppointmentList,
  DateString,
  errors,
  Id,
  IdParams,
  Me,
  NameInput,
  PasswordInput,
  TimeString,
  UsernameInput,
} from '../schemas.js';
import { appointmentView, patientView, userView } from '../views.js';

const security = [{ bearerAuth: [] }];

const PasswordBody = Type.Object(
  {
    current_password: Type.String({ minLength: 1, maxLength: 200 }),
    new_password: PasswordInput,
    name: Type.Optional({ ...NameInput, description: 'required for a phone-made account (provisional or must_change_password)' }),
    age: Type.Optional({ ...AgeInput, description: 'required for a phone-made account (provisional or must_change_password)' }),
    username: Type.Optional({ ...UsernameInput, description: 'optional: a username to log in with instead of the phone number' }),
  },
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
  const { ctx, config } = app.medq;

  const PatchBody = Type.Object(
    {
      name: Type.Optional(NameInput),
      age: Type.Optional(AgeInput),
      language: Type.Optional(
        Type.Unsafe<string>({ type: 'string', enum: [...config.languages], description: `one of LANGUAGES (${config.languages.join(', ')})` }),
      ),
    },
    { additionalProperties: false, minProperties: 1 },
  );

  /** GET /api/me's body: the account, its display name, the age of its own patient, its patients. */
  function meBody(account: AccountRow) {
    const patients = patientsOfAccount(ctx, account.id);
    const own = patients.find((p) => p.phone === account.phone) ?? patients[0];
    return {
      user: userView(account),
      name: account.displayName,
      age: own?.age ?? null,
      language: account.language ?? config.languages[0]!,
      must_change_password: account.mustChangePassword,
      patients: patients.map(patientView),
    };
  }

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
    async (request) => meBody(request.account!),
  );

  app.patch(
    '',
    {
      onRequest: requireAccount('write'),
      schema: {
        tags: ['me'],
        summary: "Change the account's name, age or language",
        description: 'All the account\'s patients take the name and age; language is one of LANGUAGES (the IVR and SMS language). Answers the same body as GET /api/me.',
        security,
        body: PatchBody,
        response: { 200: Me, ...errors(400, 401, 403) },
      },
    },
    async (request) => {
      const { name, age, language } = request.body;
      const updated = unwrap(
        updateProfile(ctx, request.account!.id, {
          ...(name !== undefined ? { name: nameOf(name) } : {}),
          ...(age !== undefined ? { age } : {}),
          ...(language !== undefined ? { language } : {}),
        }),
      );
      return meBody(updated);
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
          'Clears must_change_password, claims a provisional account, and ends every token issued before (this one too): log in again with the new password. ' +
          'For an account made by a phone booking (provisional, or must_change_password) name and age are required: the name then replaces "IVR Patient NNNN" on every patient of the phone. ' +
          'username is optional (same rules as registration; 409 username_taken).',
        security,
        body: PasswordBody,
        response: { 204: Type.Null({ description: 'changed' }), ...errors(400, 401, 409, 429) },
      },
    },
    async (request, reply) => {
      const me = request.account!;
      const { name, age, username } = request.body;
      // The caller who follows the welcome SMS never sees the register form: this step asks who they are.
      if (me.role === 'patient' && (me.status === 'provisional' || me.mustChangePassword)) {
        const missing = [name === undefined ? 'name' : null, age === undefined ? 'age' : null].filter((f) => f !== null);
        if (missing.length > 0) {
          throw validationError(
            'Please give your name and age with your new password: they replace the name the phone booking used.',
            missing.map((f) => ({ field: `body.${f}`, message: 'is required when changing a temporary password' })),
          );
        }
      }
      const newUsername = username !== undefined ? usernameOf(username) : undefined;
      const newName = name !== undefined ? nameOf(name) : undefined;
      const attempt = loginAttempt(ctx, `account:${me.id}`);
      if (!attempt.allowed) throw rateLimited(attempt.retryAfterMs);
      if (!(await verifyPassword(me.passwordHash, request.body.current_password, ctx.tempPasswordKey))) {
        throw new ApiError(400, 'invalid_credentials', 'The current password is not right.');
      }
      returnRateToken(ctx, attempt.eventId!);
      newPasswordOf(request.body.new_password, newUsername ?? me.username, me.phone, 'new_password');
      unwrap(
        changePassword(ctx, me.id, await hashPassword(request.body.new_password), {
          ...(newName !== undefined ? { name: newName } : {}),
          ...(age !== undefined ? { age } : {}),
          ...(newUsername !== undefined ? { username: newUsername } : {}),
        }),
      );
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
        await bookForAccount(ctx, { accountId: request.account!.id, doctorId: doctor_id, date, time, ...(patient_id !== undefined ? { patientId: patient_id } : {}) }),
      );
      metrics.bookings.inc({ channel: 'web' });
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
      metrics.cancellations.inc({ channel: 'web' });
      return appointmentView(appointmentById(ctx, request.params.id)!, ctx.now());
    },
  );
};

export default meRoutes;
