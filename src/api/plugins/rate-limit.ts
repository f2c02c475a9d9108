// @fastify/rate-limit drives per-address limits; its counters live in SQLite (src/sync/rate-limit.ts)
// rather than process memory, because several api processes may serve one database and a
// per-process counter would let a client through N times the limit. Only routes that declare
// `config.rateLimit` are limited (global: false).
import fp from 'fastify-plugin';
import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { takeRateToken, type RateDecision } from '../../sync/rate-limit.js';
import type { SyncContext } from '../../sync/index.js';
import { rateLimited } from '../errors.js';

const TEN_MINUTES = 10 * 60 * 1000;

/** Key: the route family and the client address (req.ip honours TRUST_PROXY; IPv6 by /64). */
function byAddress(family: string) {
  return (req: FastifyRequest) => `ip:${family}:${normalizeIP(req.ip).slice(0, 64)}`;
}

/** SPEC §5: register, link and reset 30 per 10 minutes per address; verify and resend limited too. */
export const LIMITS = {
  register: { max: 30, timeWindow: TEN_MINUTES, keyGenerator: byAddress('register') },
  link: { max: 30, timeWindow: TEN_MINUTES, keyGenerator: byAddress('link') },
  reset: { max: 30, timeWindow: TEN_MINUTES, keyGenerator: byAddress('reset') },
  // Each verification allows 5 tries and each phone 5 codes per 15 minutes; these bound one address.
  verify: { max: 60, timeWindow: TEN_MINUTES, keyGenerator: byAddress('verify') },
  resend: { max: 20, timeWindow: TEN_MINUTES, keyGenerator: byAddress('resend') },
} satisfies Record<string, RateLimitOptions>;

/** SPEC §5: 10 failed logins per username per 10 minutes. */
export const LOGIN_FAILURES = { max: 10, windowMs: TEN_MINUTES } as const;

/**
 * One log-in attempt against an account (or an unknown name). The caller gives the token back
 * (returnRateToken) when the password was right, so only failures stay counted. Wrong current
 * passwords on POST /api/me/password count here too.
 */
export function loginAttempt(ctx: SyncContext, who: string): RateDecision {
  return takeRateToken(ctx, `login-fail:${who}`, LOGIN_FAILURES.max, LOGIN_FAILURES.windowMs);
}

type IncrCallback = (error: Error | null, result?: { current: number; ttl: number }) => void;

function dbStore(ctx: SyncContext) {
  return class DbRateStore {
    incr(key: string, callback: IncrCallback, timeWindow: number, max: number): void {
      let result;
      try {
        const d = takeRateToken(ctx, key, max, timeWindow);
        result = { current: d.count, ttl: d.retryAfterMs };
      } catch (e) {
        callback(e as Error);
        return;
      }
      callback(null, result);
    }
    child(): DbRateStore {
      // Keys already carry the route family; every route shares the one table.
      return new DbRateStore();
    }
  };
}

export default fp(
  async (app, opts: { ctx: SyncContext }) => {
    await app.register(rateLimit, {
      global: false,
      store: dbStore(opts.ctx),
      errorResponseBuilder: (_req, context) => rateLimited(context.ttl),
    });
  },
  { name: 'medq-rate-limit' },
);
