// The stock of temporary passwords hashed ahead for new IVR callers (issue 10): every pair is
// fresh, handed out once, and its hash verifies its password.
import { describe, expect, it } from 'vitest';
import { createTempCredentialStock, verifyPassword } from '../../src/sync/index.js';

describe('temporary credentials hashed ahead', () => {
  it('fills up when primed, hands each pair out once, and refills after a take', async () => {
    const stock = createTempCredentialStock(3, 2);
    expect(stock.ready()).toBe(0);
    await stock.prime();
    expect(stock.ready()).toBe(3);
    const pairs = await Promise.all([stock.take(), stock.take(), stock.take(), stock.take()]);
    // Four takes from a stock of three: the fourth was hashed on demand.
    expect(new Set(pairs.map((p) => p.password)).size).toBe(4);
    for (const p of pairs) {
      expect(p.password).toMatch(/^[A-Z0-9]{8}$/);
      expect(await verifyPassword(p.hash, p.password)).toBe(true);
      expect(p.hash).not.toContain(p.password);
    }
    await stock.prime();
    expect(stock.ready()).toBe(3);
  });

  it('resized, fills up to the new size, or drops what is over it; at 0 every take is hashed on demand', async () => {
    const stock = createTempCredentialStock(2);
    await stock.prime();
    expect(stock.ready()).toBe(2);
    stock.resize(5);
    await stock.prime();
    expect(stock.ready()).toBe(5);
    stock.resize(1);
    expect(stock.ready()).toBe(1);
    stock.resize(0);
    expect(stock.ready()).toBe(0);
    await stock.prime(); // nothing to fill
    const pair = await stock.take();
    expect(await verifyPassword(pair.hash, pair.password)).toBe(true);
    expect(stock.ready()).toBe(0);
  });
});
