// Offer holds commit without waiting for the disk (issue 10); every other write still does, and
// a hold's lighter commit never leaves the connection at the lighter setting.
import { afterEach, describe, expect, it } from 'vitest';
import { bookByPhone, offerNextSlot, releaseHolds, writeTx } from '../../src/sync/index.js';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb | undefined;
afterEach(() => t?.close());

describe('commit durability', () => {
  it('is back to synchronous=FULL after hold writes, also when one fails, and bookings commit at FULL', async () => {
    t = createTestDb();
    const sync = () => t!.db.$client.pragma('synchronous', { simple: true });
    expect(sync()).toBe(2); // FULL
    const offer = offerNextSlot(t.ctx, 1, 'call-1');
    expect(offer.ok).toBe(true);
    expect(sync()).toBe(2);
    expect(offerNextSlot(t.ctx, 999, 'call-2')).toMatchObject({ ok: false, code: 'not_found' });
    expect(sync()).toBe(2);
    let during: unknown;
    expect(() => writeTx(t!.ctx, () => {
      during = sync();
      throw new Error('boom');
    }, { durable: false })).toThrow('boom');
    expect(during).toBe(1); // NORMAL inside the light transaction
    expect(sync()).toBe(2);
    if (!offer.ok) throw new Error('no offer');
    const booked = await bookByPhone(t.ctx, { phone: '+919876500001', doctorId: 1, date: offer.value.date, time: offer.value.time, holder: 'call-1' });
    expect(booked.ok).toBe(true);
    releaseHolds(t.ctx, 'call-1');
    expect(sync()).toBe(2);
  });
});
