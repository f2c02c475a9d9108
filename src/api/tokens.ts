// Bearer tokens: HS256 JWTs signed with JWT_SECRET, the algorithm pinned on verify (so `alg: none`
// and RS/HS confusion are refused), 12 hours of life, and the account's tokenVersion inside: a
// password change or claim bumps the version and every older token stops working.
//
// The secret is turned into a KeyObject once: given a string, jsonwebtoken calls
// crypto.createPublicKey/createSecretKey on every sign and verify (a third of the api process's
// CPU under load, issue 10).
//
// A token that verified once is remembered (bounded, by its exact text) with its expiry: a page
// sends the same token with every request, and jsonwebtoken's decode + HMAC + claim checks were
// the largest share of an authenticated request's own work (issue 10). Only tokens whose signature
// and claims passed are kept; expiry is checked against the clock on every use; the account and
// its tokenVersion are still read from the database on every request (src/api/auth.ts), so a
// password change ends older tokens at once as before.
import jwt from 'jsonwebtoken';
import { createSecretKey } from 'node:crypto';
import type { AccountRow, SyncContext } from '../sync/index.js';

export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
const ISSUER = 'medq';
const AUDIENCE = 'medq-api';

export interface TokenClaims {
  accountId: number;
  version: number;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; reason: 'expired' | 'invalid' };

export interface TokenService {
  sign(account: AccountRow): string;
  verify(token: string): TokenCheck;
}

/** Verified tokens kept per process; the oldest goes first past this. */
const VERIFIED_MAX = 4096;

export function createTokenService(secret: string, ctx: Pick<SyncContext, 'now'>): TokenService {
  // The sync context's clock, so a test's controllable clock drives expiry as well.
  const nowSeconds = () => Math.floor(ctx.now().getTime() / 1000);
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  const verified = new Map<string, { claims: TokenClaims; exp: number }>();
  return {
    sign(account) {
      return jwt.sign({ ver: account.tokenVersion, role: account.role, iat: nowSeconds() }, key, {
        algorithm: 'HS256',
        expiresIn: TOKEN_TTL_SECONDS,
        subject: String(account.id),
        issuer: ISSUER,
        audience: AUDIENCE,
      });
    },
    verify(token) {
      const known = verified.get(token);
      if (known !== undefined) {
        // jsonwebtoken's rule: expired once the clock reaches exp.
        if (nowSeconds() < known.exp) return { ok: true, claims: known.claims };
        verified.delete(token);
        return { ok: false, reason: 'expired' };
      }
      try {
        const payload = jwt.verify(token, key, {
          algorithms: ['HS256'],
          issuer: ISSUER,
          audience: AUDIENCE,
          clockTimestamp: nowSeconds(),
        });
        if (typeof payload !== 'object' || payload === null) return { ok: false, reason: 'invalid' };
        const accountId = Number(payload.sub);
        const version = (payload as { ver?: unknown }).ver;
        if (!Number.isSafeInteger(accountId) || accountId <= 0 || typeof version !== 'number') return { ok: false, reason: 'invalid' };
        const claims = { accountId, version };
        // Every token sign() makes has exp and no nbf; anything else is checked in full each time.
        const { exp, nbf } = payload as { exp?: unknown; nbf?: unknown };
        if (typeof exp === 'number' && nbf === undefined) {
          if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
          verified.set(token, { claims, exp });
        }
        return { ok: true, claims };
      } catch (e) {
        return { ok: false, reason: e instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
      }
    },
  };
}
