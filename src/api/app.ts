// The web API as one Fastify app: infrastructure plugins (docs, rate limits, static pages), then
// the services the routes use, then one route plugin per resource. Route handlers never write
// tables or open transactions: they validate, call the sync module and shape its typed result.
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { packageDbFolder } from '../db/client.js';
import { metrics } from '../metrics/index.js';
import { registerErrorHandling } from './errors.js';
import { finiteNumberValidators } from './finite-numbers.js';
import rateLimitPlugin from './plugins/rate-limit.js';
import servicesPlugin from './plugins/services.js';
import swaggerPlugin from './plugins/swagger.js';
import webPlugin from './plugins/web.js';
import adminRoutes from './routes/admin.js';
import authRoutes from './routes/auth.js';
import bookingRoutes from './routes/booking.js';
import healthRoutes from './routes/health.js';
import languageRoutes from './routes/languages.js';
import meRoutes from './routes/me.js';
import queueRoutes from './routes/queue.js';
import type { AppDeps } from './services.js';
import { createTokenService } from './tokens.js';
import { assertWebTexts } from './web-texts.js';

export type { AppDeps, HealthProbes } from './services.js';

/**
 * The pages load only their own scripts and styles (web/: no inline script, style or handler) and
 * talk only to this origin, so the policy allows nothing else; `frame-ancestors 'none'` stops
 * another site from framing them (clickjacking the cancel button). `data:` images are the favicon.
 */
export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI sets inline styles (and its SVG icons are data: URLs); it is not framed either. */
export const DOCS_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** JSON answers render nothing: no sources at all, and never inside a frame. */
export const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/** 64 KiB is far above any body this API takes, and keeps a flood of large bodies cheap. */
const BODY_LIMIT = 64 * 1024;

export function defaultWebRoot(): string {
  return join(dirname(packageDbFolder()), 'web');
}

/** A hop count trusts that many proxies nearest to us (proxy-addr's rule), a list only those addresses. */
function fastifyTrustProxy(t: false | number | string[]): boolean | string[] | ((addr: string, hop: number) => boolean) {
  if (typeof t === 'number') return (_addr, hop) => hop < t;
  return t;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const webRoot = resolve(deps.webRoot ?? defaultWebRoot());
  const servePages = existsSync(join(webRoot, 'index.html'));
  // Every offered language needs its page strings: refuse to start rather than show keys.
  assertWebTexts(deps.config.languages);

  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    // TRUST_PROXY decides whether X-Forwarded-For names the client (rate limits key on it).
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: BODY_LIMIT,
    // Fastify's ajv compiler, wrapped to refuse the Infinity that coercing "1e309" makes.
    schemaController: { compilersFactory: { buildValidator: finiteNumberValidators() } },
    ajv: {
      customOptions: {
        // Query strings and params arrive as text: "?date=…&doctor_id=2" is coerced to the schema.
        coerceTypes: 'array',
        // Unknown body fields are dropped rather than refused (a page may send a confirm field).
        removeAdditional: true,
        useDefaults: true,
        allErrors: false,
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // One error handler and one not-found handler for everything (no stack traces out).
  registerErrorHandling(app, { spaFallback: servePages });

  // Infrastructure.
  app.register(swaggerPlugin);
  app.register(rateLimitPlugin, { ctx: deps.ctx });
  if (servePages) app.register(webPlugin, { root: webRoot });

  // Services.
  app.register(servicesPlugin, {
    services: {
      ctx: deps.ctx,
      config: deps.config,
      health: deps.health,
      tokens: createTokenService(deps.config.jwtSecret, deps.ctx),
    },
  });

  // Labelled by the route's pattern (never the raw URL: ids would make unbounded label sets).
  // Both hooks take Fastify's callback rather than being async: no promise per response (issue 10).
  app.addHook('onResponse', (request, reply, done) => {
    metrics.httpDuration.observe({ route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    done();
  });

  app.addHook('onSend', (request, reply, payload, done) => {
    // The id every log line of this request carries: a user or a proxy log can quote it.
    reply.header('x-request-id', request.id);
    reply.header('x-content-type-options', 'nosniff');
    reply.header('referrer-policy', 'no-referrer');
    // Appointments are health data: no shared cache may keep an API answer (the few public,
    // cacheable ones, such as the page strings, say so themselves).
    if (request.url.startsWith('/api/') && !reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    const path = request.url.split('?')[0]!;
    reply.header(
      'content-security-policy',
      path === '/api' || path.startsWith('/api/') ? API_CSP : path === '/docs' || path.startsWith('/docs/') ? DOCS_CSP : PAGE_CSP,
    );
    // For browsers that predate frame-ancestors.
    reply.header('x-frame-options', 'DENY');
    done(null, payload);
  });

  // Routes, one plugin per resource.
  app.register(healthRoutes);
  app.register(authRoutes, { prefix: '/api/auth' });
  app.register(meRoutes, { prefix: '/api/me' });
  app.register(bookingRoutes, { prefix: '/api' });
  app.register(languageRoutes, { prefix: '/api' });
  app.register(queueRoutes, { prefix: '/api' });
  app.register(adminRoutes, { prefix: '/api/admin' });

  return app as unknown as FastifyInstance;
}
