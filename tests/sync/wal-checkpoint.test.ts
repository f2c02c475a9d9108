// WAL checkpoints on a thread of their own (src/db/checkpoint.ts): the process's connection never
// pays for a checkpoint, and the log still stays small, on a real SQLite file.
import { statSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { checkpointInBackground } from '../../src/db/checkpoint.js';
import { openDatabase } from '../../src/db/client.js';
import { writeTx } from '../../src/sync/index.js';
import { enqueueSms } from '../../src/sync/outbox.js';
import { createTestDb, type TestDb } from '../support/db.js';

const dbs: TestDb[] = [];
afterEach(() => {
  for (const t of dbs.splice(0)) t.close();
});

const walBytes = (t: TestDb) => statSync(`${t.path}-wal`).size;
const body = 'MedQ: appointment confirmed with Dr Sharma on Thu 3 Dec at 09:00. Token S-12. '.repeat(12);

/** `n` commits of one outbox row each (~1 KB body: a few pages of log per commit). */
function commits(t: TestDb, n: number, from = 0): void {
  for (let i = from; i < from + n; i++) {
    writeTx(t.ctx, (tx) => enqueueSms(tx, { kind: 'confirmation', phone: `+9198555${String(i).padStart(5, '0')}`, body }, t.ctx.now()));
  }
}

describe('WAL checkpoints in the background', () => {
  it('keeps the log small while the connection itself never checkpoints; without the thread the same writes pile up', async () => {
    const on = createTestDb();
    const off = createTestDb();
    dbs.push(on, off);
    for (const t of [on, off]) t.db.$client.pragma('synchronous = OFF'); // the test's speed; checkpoints work the same
    const background = checkpointInBackground(on.db.$client, { busyMs: 5, idleMs: 50 });
    off.db.$client.pragma('wal_autocheckpoint = 0'); // the same connection setting, no thread
    expect(on.db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(0);

    for (let round = 0; round < 30; round++) {
      commits(on, 100, round * 100);
      commits(off, 100, round * 100);
      await new Promise((r) => setTimeout(r, 30)); // the event loop is free between bursts, as in a clinic
    }
    await new Promise((r) => setTimeout(r, 200));

    expect(walBytes(off)).toBeGreaterThan(20e6);
    expect(walBytes(on)).toBeLessThan(walBytes(off) / 3);
    // The thread copied the log into the database file: a new connection reads every row.
    const reader = openDatabase(on.path);
    expect(reader.$client.prepare('select count(*) n from sms_outbox where body = ?').get(body)).toEqual({ n: 3000 });
    reader.$client.close();

    await background.stop();
    expect(on.db.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('leaves an in-memory database alone', async () => {
    const mem = openDatabase(':memory:');
    const background = checkpointInBackground(mem.$client);
    expect(mem.$client.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
    await background.stop();
    mem.$client.close();
  });
});
