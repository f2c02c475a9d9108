// One place turns every failure into `{error, message, ...}` with its status. Sync results map by
// code; Fastify's own errors (validation, bad JSON, size) become 4xx; anything else is a 500 whose
// details stay in the log, never in the response.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorCode, Fail, Result } from '../sync/index.js';

export interface ErrorDetail {
  field: string;
  message: string;
  /** A finer reason for pages that want to say more (invalid_username, weak_password…). */
  reason?: string;
}

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'ApiError';
  }

  body(): Record<string, unknown> {
    return { error: this.code, message: this.message, ...this.extra };
  }
}

/** SPEC §5 statuses for the sync module's codes. */
export const STATUS_OF: Record<ErrorCode, number> = {
  invalid_phone: 400,
  invalid_input: 400,
  invalid_username: 400,
  weak_password: 400,
  slot_in_past: 400,
  invalid_code: 400,
  not_found: 404,
  no_phone_bookings: 404,
  unknown_phone: 404,
  no_slots: 404,
  verification_expired: 410,
  slot_taken: 409,
  already_booked_with_doctor: 409,
  appointment_limit: 409,
  clinic_closed: 409,
  not_cancellable: 409,
  has_bookings: 409,
  queue_empty: 409,
  not_callable: 409,
  not_today: 409,
  phone_already_registered: 409,
  ivr_account_exists: 409,
  username_taken: 409,
  too_many_codes: 429,
  rate_limited: 429,
  sms_country_not_allowed: 400,
  verification_required: 403,
};

/** Field the input-shaped codes belong to when they are reported as validation errors. */
const FIELD_OF: Partial<Record<ErrorCode, string>> = {
  invalid_username: 'username',
  weak_password: 'password',
  invalid_input: 'body',
};

export function validationError(message: string, details: ErrorDetail[]): ApiError {
  return new ApiError(400, 'validation_error', message, { details });
}

export function fromFail(f: Fail, field?: string): ApiError {
  const fieldName = field ?? FIELD_OF[f.code];
  // Bad input is `validation_error` (SPEC §5); the finer code travels as the detail's reason.
  if (fieldName !== undefined) {
    return validationError(f.message, [{ field: fieldName, message: f.message, reason: f.code }]);
  }
  if (f.code === 'rate_limited') {
    // A limit the sync module keeps (the clinic's code SMS budget): same answer as every limit.
    const e = rateLimited(Number(f.extra?.['retry_after'] ?? 60) * 1000, String(f.extra?.['limit'] ?? 'sync'));
    e.message = f.message;
    return e;
  }
  return new ApiError(STATUS_OF[f.code] ?? 400, f.code, f.message, f.extra ?? {});
}

export function unwrap<T>(r: Result<T>): T {
  if (!r.ok) throw fromFail(r);
  return r.value;
}

/** Which limit refused a request: named in the warn log line, never in the response. */
const LIMIT_NAME = new WeakMap<ApiError, string>();

export function rateLimited(retryAfterMs: number, limit = 'failed_password'): ApiError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  const e = new ApiError(429, 'rate_limited', `Too many attempts. Please try again in ${seconds} seconds.`, {
    retry_after: seconds,
  });
  LIMIT_NAME.set(e, limit);
  return e;
}

const GENERIC_BY_STATUS: Record<number, [string, string]> = {
  400: ['validation_error', 'The request is not valid.'],
  401: ['unauthorized', 'Please log in.'],
  403: ['forbidden', 'You may not do this.'],
  404: ['not_found', 'There is no such resource.'],
  405: ['method_not_allowed', 'This method is not allowed here.'],
  406: ['not_acceptable', 'This content type cannot be produced.'],
  413: ['payload_too_large', 'The request body is too large.'],
  415: ['unsupported_media_type', 'Send the body as application/json.'],
  429: ['rate_limited', 'Too many requests. Please try again later.'],
};

function detailsOf(error: FastifyError): ErrorDetail[] {
  const where = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const missing = typeof params['missingProperty'] === 'string' ? `/${params['missingProperty']}` : '';
    const path = `${v.instancePath ?? ''}${missing}`.replace(/^\//, '').replace(/\//g, '.');
    return { field: path ? `${where}.${path}` : where, message: v.message ?? 'is not valid' };
  });
}

function isJsonSyntax(error: FastifyError): boolean {
  return error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY';
}

export function registerErrorHandling(app: FastifyInstance, opts: { spaFallback: boolean }): void {
  app.setErrorHandler((error: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      if (error.statusCode === 429 && typeof error.extra['retry_after'] === 'number') {
        reply.header('retry-after', String(error.extra['retry_after']));
      }
      if (LIMIT_NAME.has(error)) {
        // One line per refusal (SPEC §10): which limit, where, from which address; no body, no secret.
        request.log.warn(
          { limit: LIMIT_NAME.get(error), route: request.routeOptions.url, ip: request.ip, retryAfter: error.extra['retry_after'] },
          'rate limited',
        );
      }
      return reply.code(error.statusCode).send(error.body());
    }
    if (error.validation) {
      return reply
        .code(400)
        .send({ error: 'validation_error', message: error.message, details: detailsOf(error) });
    }
    const status = error.statusCode ?? 500;
    if (status >= 400 && status < 500) {
      if (isJsonSyntax(error)) {
        return reply.code(400).send({
          error: 'validation_error',
          message: 'The request body is not valid JSON.',
          details: [{ field: 'body', message: 'is not valid JSON' }],
        });
      }
      const [code, fallback] = GENERIC_BY_STATUS[status] ?? ['bad_request', 'The request is not valid.'];
      // Fastify's 4xx messages describe the request, not the server; they are safe to pass on.
      const body: Record<string, unknown> = { error: code, message: error.message || fallback };
      if (code === 'validation_error') body['details'] = [];
      return reply.code(status).send(body);
    }
    const busy = (error as { code?: string }).code === 'SQLITE_BUSY';
    request.log.error({ err: error }, busy ? 'database busy' : 'unhandled error');
    if (busy) {
      reply.header('retry-after', '1');
      return reply.code(503).send({ error: 'unavailable', message: 'The service is busy. Please try again in a moment.' });
    }
    return reply.code(500).send({ error: 'internal_error', message: 'Something went wrong on our side. Please try again.' });
  });

  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0] ?? '/';
    const isApi = path === '/api' || path.startsWith('/api/');
    // The pages are a single-page app: a page URL (no file extension) that is not an API route
    // gets index.html so a reload on /appointments still works.
    if (opts.spaFallback && !isApi && (request.method === 'GET' || request.method === 'HEAD') && !/\.[a-z0-9]+$/i.test(path)) {
      return reply.type('text/html; charset=utf-8').sendFile('index.html');
    }
    return reply.code(404).send({ error: 'not_found', message: `There is no route ${request.method} ${path.slice(0, 200)}.` });
  });
}
