// @fastify/rate-limit drives per-address limits; its counters live in SQLite (src/sync/rate-limit.ts)
// rather than process memory, because several api processes may serve one database and a
// per-process counter would let a client through N times the limit. Only routes that declare
// `config.rateLimit` are limited (global: false).
import fp from 'fastify-plugin';
import rateLimit, { normalizeIP, type RateLimitOptions } from '@fastify/rate-limit';
import type { FastifyRequest } from 'fastify';
import { takeRateToken, takeRateTokens, type RateBucket, type RateDecision } from '../../sync/rate-limit.js';
import type { SyncContext } from '../../sync/index.js';
import { rateLimited } from '../errors.js';

const TEN_MINUTES = 10 * 60 * 1000;

/** Key: the route family and the client address. */
function byAddress(family: string) {
  return (req: FastifyRequest) => `ip:${family}:${addressKey(req.ip)}`;
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
 * SPEC §10: failed logins per client address, beside the per-username limit, so one address cannot
 * try a password against many usernames. 30 per 10 minutes: a clinic's waiting room behind one
 * NAT (patients mistyping) stays far below it, a guesser spraying usernames is stopped after 30.
 */
export const LOGIN_FAILURES_PER_ADDRESS = { max: 30, windowMs: TEN_MINUTES } as const;

/** The rate-limit key of a client address (req.ip honours TRUST_PROXY; IPv6 by /64). */
export function addressKey(ip: string): string {
  return normalizeIP(ip).slice(0, 64);
}

/**
 * One log-in attempt against an account (or an unknown name) and, when `address` is given, from
 * that client address; both are counted or neither. The caller gives the tokens back
 * (returnRateTokens(eventIds)) when the password was right, so only failures stay counted. Wrong
 * current passwords on POST /api/me/password count here too.
 */
export function loginAttempt(ctx: SyncContext, who: string, address?: string): RateDecision {
  const buckets: RateBucket[] = [];
  if (address !== undefined) buckets.push({ bucket: `login-fail-ip:${addressKey(address)}`, ...LOGIN_FAILURES_PER_ADDRESS });
  buckets.push({ bucket: `login-fail:${who}`, ...LOGIN_FAILURES });
  const d = takeRateTokens(ctx, buckets);
  // eventId stays the account's own event, for callers that give back one token.
  return d.allowed ? { ...d, eventId: d.eventIds!.at(-1) } : d;
}

/** Which of the two log-in limits refused (for the log line; never the typed name). */
export function loginLimitName(d: RateDecision): string {
  return d.refusedBy?.startsWith('login-fail-ip:') ? 'login_per_address' : 'login_per_account';
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
      errorResponseBuilder: (_req, context) => rateLimited(context.ttl, 'per_address'),
    });
  },
  { name: 'medq-rate-limit' },
);
