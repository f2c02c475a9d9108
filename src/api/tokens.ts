// Bearer tokens: HS256 JWTs signed with JWT_SECRET, the algorithm pinned on verify (so `alg: none`
// and RS/HS confusion are refused), 12 hours of life, and the account's tokenVersion inside: a
// password change or claim bumps the version and every older token stops working.
//
// The secret is turned into a KeyObject once: given a string, jsonwebtoken calls
// crypto.createPublicKey/createSecretKey on every sign and verify (a third of the api process's
// CPU under load, issue 10).
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

export function createTokenService(secret: string, ctx: Pick<SyncContext, 'now'>): TokenService {
  // The sync context's clock, so a test's controllable clock drives expiry as well.
  const nowSeconds = () => Math.floor(ctx.now().getTime() / 1000);
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
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
        return { ok: true, claims: { accountId, version } };
      } catch (e) {
        return { ok: false, reason: e instanceof jwt.TokenExpiredError ? 'expired' : 'invalid' };
      }
    },
  };
}
