// /api/auth: SPEC §3 registration, linking, password reset, verification, and log-in.
// With PHONE_VERIFICATION=on, register/link/reset answer 202 and /verify completes them; with it
// off they complete at once with the seed's responses. The sync module does every write.
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import {
  accountForLogin,
  completeVerification,
  hashPassword,
  linkConflict,
  linkPhone,
  registerAccount,
  registrationConflict,
  resendCode,
  resetPassword,
  startVerification,
  verifyNoAccount,
  verifyPassword,
  type AccountRow,
  type PendingAction,
  type RegisterInput,
} from '../../sync/index.js';
import { returnRateTokens } from '../../sync/rate-limit.js';
import { ApiError, fromFail, rateLimited, unwrap, validationError } from '../errors.js';
import { nameOf, newPasswordOf, phoneOf, usernameOf } from '../input.js';
import { LIMITS, loginAttempt, loginLimitName } from '../plugins/rate-limit.js';
import {
  AgeInput,
  AuthResult,
  errors,
  LoginResult,
  NameInput,
  PasswordInput,
  PhoneInput,
  UsernameInput,
  VerificationRequired,
} from '../schemas.js';
import { userView } from '../views.js';

/** The language of the page asking (one of LANGUAGES): its code SMS is written in it. */
const languageInput = (languages: readonly string[]) =>
  Type.Optional(
    Type.Unsafe<string>({
      type: 'string',
      enum: [...languages],
      description: `the page's language, one of LANGUAGES (${languages.join(', ')}): the code SMS is written in it when the phone's account has none chosen; a new account keeps it`,
    }),
  );
const registerBody = (languages: readonly string[]) =>
  Type.Object(
    {
      name: NameInput,
      age: AgeInput,
      phone_number: PhoneInput,
      username: UsernameInput,
      password: PasswordInput,
      language: languageInput(languages),
    },
    { additionalProperties: false },
  );
const resetBody = (languages: readonly string[]) =>
  Type.Object({ phone_number: PhoneInput, new_password: PasswordInput, language: languageInput(languages) }, { additionalProperties: false });
const VerifyBody = Type.Object(
  {
    verification_id: Type.String({ minLength: 1, maxLength: 64 }),
    code: Type.String({ pattern: '^[0-9]{6}$', description: 'the 6 digits from the SMS' }),
  },
  { additionalProperties: false },
);
const resendBody = (languages: readonly string[]) =>
  Type.Object({ verification_id: Type.String({ minLength: 1, maxLength: 64 }), language: languageInput(languages) }, { additionalProperties: false });
const LoginBody = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    phone_number: Type.Optional(PhoneInput),
    password: Type.String({ minLength: 1, maxLength: 200 }),
  },
  { additionalProperties: false, description: 'username or phone_number, and password' },
);

const authRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { ctx, config, tokens } = app.medq;
  const authBody = (account: AccountRow) => ({ token: tokens.sign(account), user: userView(account) });
  const RegisterBody = registerBody(config.languages);
  const ResetBody = resetBody(config.languages);
  const ResendBody = resendBody(config.languages);

  async function pendingInput(
    body: { name: string; age: number; phone_number: string; username: string; password: string; language?: string },
    purpose: 'register' | 'link',
  ) {
    const phone = phoneOf(body.phone_number, ctx.region);
    const username = usernameOf(body.username);
    newPasswordOf(body.password, username, phone, 'password');
    const name = nameOf(body.name);
    // The SPEC's conflicts answer at once, before any code is sent.
    const conflict = purpose === 'register' ? registrationConflict(ctx.db, phone, username) : linkConflict(ctx.db, phone, username);
    if (conflict) throw fromFail(conflict);
    const input: RegisterInput = { phone, name, age: body.age, username, passwordHash: await hashPassword(body.password) };
    if (body.language !== undefined) input.language = body.language;
    return input;
  }

  function started(action: PendingAction, sendSms = true) {
    const s = unwrap(startVerification(ctx, action, { sendSms }));
    return { status: 'verification_required' as const, verification_id: s.verificationId, expires_in: s.expiresIn };
  }

  app.post(
    '/register',
    {
      config: { rateLimit: LIMITS.register },
      schema: {
        tags: ['auth'],
        summary: 'Register a web account (docs/api.md)',
        body: RegisterBody,
        response: { 201: AuthResult, 202: VerificationRequired, ...errors(400, 409, 429) },
      },
    },
    async (request, reply) => {
      const input = await pendingInput(request.body, 'register');
      if (!config.phoneVerification) return reply.code(201).send(authBody(unwrap(registerAccount(ctx, input))));
      return reply.code(202).send(started({ purpose: 'register', input }));
    },
  );

  app.post(
    '/link-ivr',
    {
      config: { rateLimit: LIMITS.link },
      schema: {
        tags: ['auth'],
        summary: 'Link the phone bookings of a number to a web account (docs/api.md)',
        body: RegisterBody,
        response: { 201: AuthResult, 202: VerificationRequired, ...errors(400, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const input = await pendingInput(request.body, 'link');
      if (!config.phoneVerification) return reply.code(201).send(authBody(unwrap(linkPhone(ctx, input))));
      return reply.code(202).send(started({ purpose: 'link', input }));
    },
  );

  app.post(
    '/password-reset',
    {
      config: { rateLimit: LIMITS.reset },
      schema: {
        tags: ['auth'],
        summary: 'Reset a password after proving the phone',
        description:
          'An unknown phone answers the same 202 and no SMS is sent. With PHONE_VERIFICATION=off the reset completes at once (200) only for a provisional (phone-made) account: a staff or active account is 403 verification_required (staff reset it with npm run staff:password), and an unknown phone is 404.',
        body: ResetBody,
        response: { 200: AuthResult, 202: VerificationRequired, ...errors(400, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const phone = phoneOf(request.body.phone_number, ctx.region);
      const account = accountForLogin(ctx, { phone });
      newPasswordOf(request.body.new_password, account?.username ?? phone, phone, 'new_password');
      // Hashed whether or not the phone is known, so the answer takes as long either way.
      const passwordHash = await hashPassword(request.body.new_password);
      if (!config.phoneVerification) {
        // Nothing proves the phone: never a takeover of a staff or claimed account.
        return reply.code(200).send(authBody(unwrap(resetPassword(ctx, { phone, passwordHash }, { byPhoneAlone: true }))));
      }
      const { language } = request.body;
      const action: PendingAction = { purpose: 'reset', input: { phone, passwordHash, ...(language !== undefined ? { language } : {}) } };
      if (account === undefined) return reply.code(202).send(started(action, false));
      const sent = startVerification(ctx, action);
      // Too many codes for a known phone still answers 202 (with nothing sent), exactly like an
      // unknown phone: otherwise repeated resets would tell which numbers have accounts.
      const s = sent.ok ? sent.value : unwrap(startVerification(ctx, action, { sendSms: false }));
      return reply.code(202).send({ status: 'verification_required', verification_id: s.verificationId, expires_in: s.expiresIn });
    },
  );

  app.post(
    '/verify',
    {
      config: { rateLimit: LIMITS.verify },
      schema: {
        tags: ['auth'],
        summary: 'Complete a register, link or reset with the code from the SMS',
        description: 'Re-checks the state and answers what the action answers now: 201 (register, link), 200 (reset) or its error.',
        body: VerifyBody,
        response: { 200: AuthResult, 201: AuthResult, ...errors(400, 404, 409, 410, 429) },
      },
    },
    async (request, reply) => {
      const { purpose, result } = unwrap(completeVerification(ctx, request.body.verification_id, request.body.code));
      const account = unwrap(result);
      return reply.code(purpose === 'reset' ? 200 : 201).send(authBody(account));
    },
  );

  app.post(
    '/verify/resend',
    {
      config: { rateLimit: LIMITS.resend },
      schema: {
        tags: ['auth'],
        summary: 'Send a new code for a pending verification',
        body: ResendBody,
        response: { 202: VerificationRequired, ...errors(400, 410, 429) },
      },
    },
    async (request, reply) => {
      const s = unwrap(resendCode(ctx, request.body.verification_id, request.body.language));
      return reply.code(202).send({ status: 'verification_required', verification_id: s.verificationId, expires_in: s.expiresIn });
    },
  );

  app.post(
    '/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Log in with username or phone_number',
        description:
          'must_change_password is true for an account the IVR made: its token can read, and must change the password (POST /api/me/password) before booking or cancelling. 10 failed log-ins per account (or unknown name) and 30 per client address per 10 minutes, then 429.',
        body: LoginBody,
        response: { 200: LoginResult, ...errors(400, 401, 429) },
      },
    },
    async (request) => {
      const { username, phone_number: phoneInput, password } = request.body;
      if ((username === undefined) === (phoneInput === undefined)) {
        throw validationError('Give either username or phone_number.', [{ field: 'body', message: 'needs username or phone_number' }]);
      }
      const account =
        username !== undefined ? accountForLogin(ctx, { username }) : accountForLogin(ctx, { phone: phoneOf(phoneInput!, ctx.region) });
      // Failures count per account, whichever name it was reached by; unknown names by the name typed.
      const who = account ? `account:${account.id}` : `name:${(username ?? phoneInput!).trim().toLowerCase().slice(0, 64)}`;
      // A token is taken before the check and given back on success, so concurrent guesses cannot
      // slip past the limit; while the limit holds even the right password is refused.
      const attempt = loginAttempt(ctx, who, request.ip);
      if (!attempt.allowed) throw rateLimited(attempt.retryAfterMs, loginLimitName(attempt));
      const good = account ? await verifyPassword(account.passwordHash, password, ctx.tempPasswordKey) : await verifyNoAccount(password);
      if (!account || !good) {
        throw new ApiError(401, 'invalid_credentials', 'The username, phone number or password is not right.');
      }
      returnRateTokens(ctx, attempt.eventIds!);
      return { ...authBody(account), must_change_password: account.mustChangePassword };
    },
  );
};

export default authRoutes;
