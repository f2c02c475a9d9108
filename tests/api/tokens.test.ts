// The token service on its own: a token that verified once is remembered, and the remembered
// answer follows the same rules as a full check (expiry at exp by the clock, nothing else trusted).
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createTokenService, TOKEN_TTL_SECONDS } from '../../src/api/tokens.js';
import type { AccountRow } from '../../src/sync/index.js';

const SECRET = 's'.repeat(40);
const account = { id: 7, tokenVersion: 3, role: 'patient' } as AccountRow;

function clock(iso: string) {
  let now = new Date(iso);
  return { now: () => now, advance: (ms: number) => (now = new Date(now.getTime() + ms)) };
}

describe('token service', () => {
  it('answers a remembered token as a full check would, up to the second of its expiry', () => {
    const c = clock('2026-12-02T10:00:00.500Z');
    const tokens = createTokenService(SECRET, c);
    const token = tokens.sign(account);
    const exp = (jwt.decode(token) as { exp: number }).exp;
    expect(tokens.verify(token)).toEqual({ ok: true, claims: { accountId: 7, version: 3 } });
    // A second service (nothing remembered) and the first (remembered) agree at every step.
    const fresh = () => createTokenService(SECRET, c).verify(token);
    c.advance((TOKEN_TTL_SECONDS - 1) * 1000);
    expect(Math.floor(c.now().getTime() / 1000)).toBe(exp - 1);
    expect(tokens.verify(token)).toEqual(fresh());
    expect(tokens.verify(token).ok).toBe(true);
    c.advance(1000);
    expect(fresh()).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
    expect(tokens.verify(token)).toEqual({ ok: false, reason: 'expired' });
  });

  it('never remembers a token that failed, nor one signed with another key or algorithm', () => {
    const c = clock('2026-12-02T10:00:00Z');
    const tokens = createTokenService(SECRET, c);
    const good = tokens.sign(account);
    const opts = { subject: '7', issuer: 'medq', audience: 'medq-api', expiresIn: 3600 } as const;
    const wrongKey = jwt.sign({ ver: 3 }, 'x'.repeat(40), { algorithm: 'HS256', ...opts });
    const hs512 = jwt.sign({ ver: 3 }, SECRET, { algorithm: 'HS512', ...opts });
    const [h, p] = good.split('.');
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...(jwt.decode(good) as object), ver: 4 })).toString('base64url')}.${good.split('.')[2]}`;
    for (let i = 0; i < 2; i++) {
      for (const bad of [wrongKey, hs512, tampered, `${h}.${p}.`, 'a.b.c']) expect(tokens.verify(bad).ok).toBe(false);
      expect(tokens.verify(good).ok).toBe(true);
    }
  });
});
