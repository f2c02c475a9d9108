// The sms worker's statements on every pass find their rows through indexes, so a backlog of
// queued messages (an SMSC outage) does not make each pass read the whole queue (issue 10).
import { afterEach, describe, expect, it } from 'vitest';
import { smsDelivery, writeTx } from '../../src/sync/index.js';
import { enqueueSms } from '../../src/sync/outbox.js';
import { createTestDb, plan, statementsOf, type TestDb } from '../support/db.js';

let t: TestDb;
afterEach(() => t?.close());

const T0 = '2026-11-30T08:00:00+05:30';

/** A backlog of `n` queued confirmations (no expiry) and a few codes (with one). */
function backlog(n: number): void {
  const insert = t.db.$client.prepare(
    `insert into sms_outbox (kind, phone, body, state, next_attempt_at, created_at) values ('confirmation', ?, 'Confirmed', 'queued', ?, ?)`,
  );
  const now = t.ctx.now().getTime();
  t.db.$client.transaction(() => {
    for (let i = 0; i < n; i++) insert.run(`+9198555${String(i).padStart(5, '0')}`, now - 60_000, now - 60_000);
  })();
}

describe('the sms worker reads the outbox through its indexes', () => {
  it('claims a window of messages by id, not by reading every queued row', () => {
    t = createTestDb({ at: T0 });
    backlog(5_000);
    const now = t.ctx.now().getTime();
    const seen = statementsOf(t.db, () => expect(smsDelivery.claimDue(t.db, 'w1#1', now, 10)).toHaveLength(10));
    const claim = seen.find((q) => /^update "sms_outbox" set "state" = /.test(q))!;
    expect(claim).toBeDefined();
    // The outer UPDATE goes to its rows by rowid; only the subquery walks the due index, up to the window.
    const outer = plan(t.db, claim).split(' | ')[0]!;
    expect(outer).toMatch(/SEARCH sms_outbox USING INTEGER PRIMARY KEY \(rowid=\?\)/);
    // The claimed rows are the oldest due ones and are now this worker's.
    expect(t.db.$client.prepare(`select count(*) n from sms_outbox where state = 'sending' and claimed_by = 'w1#1'`).get()).toEqual({ n: 10 });
  });

  it('looks for expired codes among the rows that can expire, and expires exactly those', () => {
    t = createTestDb({ at: T0 });
    backlog(5_000);
    const now = t.ctx.now().getTime();
    const codes = [0, 1, 2].map((i) =>
      writeTx(t.ctx, (tx) => enqueueSms(tx, { kind: 'otp', phone: `+91985550009${i}`, body: `Your code is 12345${i}`, expiresAt: now + (i === 2 ? 600_000 : 1_000) }, t.ctx.now())),
    );
    const seen = statementsOf(t.db, () => expect(smsDelivery.expireOverdue(t.db, now + 5_000).map((r) => r.id).sort()).toEqual(codes.slice(0, 2).sort()));
    const outbox = seen.filter((q) => /sms_outbox/.test(q));
    expect(outbox.length).toBe(2);
    for (const q of outbox) expect(plan(t.db, q), q).toMatch(/USING (COVERING )?INDEX sms_outbox_expiry_idx/);
  });
});
