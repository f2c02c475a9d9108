// sms_outbox's dedupe key and appointment id: a message is queued at most once per key (whoever
// tries, in one transaction or several), rows without a key are never merged, the dedupe and
// appointment lookups search their indexes, and a database made at the previous migration reaches
// the newest one with every row and the dedupe intact.
import { eq } from 'drizzle-orm';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { migrateDatabase, migrationsFolder, openDatabase, type Db } from '../../src/db/client.js';
import { smsOutbox } from '../../src/db/schema.js';
import { bookByPhone, callNext, queueDueReminders, writeTx } from '../../src/sync/index.js';
import { countRecentSms, enqueueSms, enqueueSmsOnce, type OutgoingSms } from '../../src/sync/outbox.js';
import { handleReply } from '../../src/sync/replies.js';
import { reminderStates } from '../../src/sync/reminders.js';
import { createTestDb, plan, statementsOf, type TestDb } from '../support/db.js';

let t: TestDb | undefined;
const dirs: string[] = [];
afterEach(() => {
  t?.close();
  t = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sms = (phone: string, extra: Partial<OutgoingSms> = {}): OutgoingSms => ({ kind: 'reminder', phone, body: 'Reminder', ...extra });
const once = (t: TestDb, s: OutgoingSms, key: string) => writeTx(t.ctx, (tx) => enqueueSmsOnce(tx, s, key, t.ctx.now()));
const queue = (t: TestDb, s: OutgoingSms) => writeTx(t.ctx, (tx) => enqueueSms(tx, s, t.ctx.now()));
const rowsWithKey = (db: Db, key: string) => db.select().from(smsOutbox).where(eq(smsOutbox.dedupeKey, key)).all();

describe('dedupe key (sms_outbox_dedupe_uq)', () => {
  it('queues a message once per key: the same key again is refused, in one transaction or two', () => {
    t = createTestDb();
    const first = once(t, sms('+919855500001'), 'reminder:1');
    expect(first).toEqual(expect.any(Number));
    expect(once(t, sms('+919855500001', { body: 'again' }), 'reminder:1')).toBeNull();
    const inOneTx = writeTx(t.ctx, (tx) => [
      enqueueSmsOnce(tx, sms('+919855500002'), 'reminder:2', t!.ctx.now()),
      enqueueSmsOnce(tx, sms('+919855500002'), 'reminder:2', t!.ctx.now()),
    ]);
    expect(inOneTx).toEqual([expect.any(Number), null]);
    expect(rowsWithKey(t.db, 'reminder:1')).toMatchObject([{ id: first, body: 'Reminder' }]);
    expect(rowsWithKey(t.db, 'reminder:2')).toHaveLength(1);
  });

  it('still refuses a second row with a key through a plain insert; rows without a key are never merged', () => {
    t = createTestDb();
    queue(t, sms('+919855500003', { dedupeKey: 'queue_near:7' }));
    expect(() => queue(t!, sms('+919855500003', { dedupeKey: 'queue_near:7' }))).toThrow(/UNIQUE constraint failed: sms_outbox.dedupe_key/);
    queue(t, sms('+919855500003', { kind: 'sync' }));
    queue(t, sms('+919855500003', { kind: 'sync' }));
    const noKey = t.db.$client.prepare("select count(*) n from sms_outbox where kind = 'sync' and dedupe_key is null").get() as { n: number };
    expect(noKey.n).toBe(2);
  });

  it('every dedupe lookup of the sync module searches the index (reminders, their states, queue near)', async () => {
    t = createTestDb(); // Monday 08:00 in Kolkata
    const book = async (phone: string, date: string, time: string) => {
      const r = await bookByPhone(t!.ctx, { phone, doctorId: 1, date, time });
      if (!r.ok) throw new Error(r.code);
      return r.value.appointmentId;
    };
    const tomorrow = [await book('+919855500010', '2026-12-01', '09:00'), await book('+919855500011', '2026-12-01', '09:15')];
    for (const [i, time] of ['09:00', '09:15', '09:30'].entries()) await book(`+91985550002${i}`, '2026-11-30', time);
    t.clock.set('2026-11-30T09:30:00+05:30'); // tomorrow's reminders are due
    const settings = { reminderHours: 24, repliesReachUs: true };
    let queued = 0;
    const sqls = [
      ...statementsOf(t.db, () => (queued = queueDueReminders(t!.ctx, settings).queued)),
      ...statementsOf(t.db, () => reminderStates(t!.ctx, tomorrow)),
      ...statementsOf(t.db, () => expect(callNext(t!.ctx, 1)).toMatchObject({ ok: true, value: { nearSms: 2 } })),
    ].filter((s) => /^select/i.test(s) && /"dedupe_key" (=|in)/.test(s));
    expect(queued).toBe(2);
    expect(sqls.length).toBeGreaterThanOrEqual(3);
    for (const s of sqls) expect(plan(t.db, s), s).toMatch(/SEARCH sms_outbox USING (COVERING )?INDEX sms_outbox_dedupe_uq \(dedupe_key=\?\)/);
    expect(queueDueReminders(t.ctx, settings).queued).toBe(0); // each reminder once
    expect(reminderStates(t.ctx, tomorrow)).toEqual(new Map(tomorrow.map((id) => [id, 'queued'])));
  });
});

describe('phone and kind (sms_outbox_phone_kind_idx, partial)', () => {
  it('holds only the kinds looked up by phone, and every such lookup searches it (code limit, HELP, the reminder a reply answers)', async () => {
    t = createTestDb();
    const index = t.db.$client.prepare("select sql from sqlite_master where name = 'sms_outbox_phone_kind_idx'").get() as { sql: string };
    // A booking's confirmation and sync messages stay out: two fewer index pages per booking.
    expect(index.sql).toMatch(/WHERE kind in \('otp', 'help', 'reminder'\)$/);
    const phone = '+919855500030';
    const r = await bookByPhone(t.ctx, { phone, doctorId: 1, date: '2026-12-01', time: '09:00' });
    if (!r.ok) throw new Error(r.code);
    const sqls = [
      ...statementsOf(t.db, () => countRecentSms(t!.db, phone, 'otp', 0)),
      ...statementsOf(t.db, () => countRecentSms(t!.db, phone, 'help', 0)),
      ...statementsOf(t.db, () => countRecentSms(t!.db, phone, 'reminder', 0)),
      ...statementsOf(t.db, () => expect(handleReply(t!.ctx, { phone, text: 'C' })).toMatchObject({ command: 'cancel' })),
    ].filter((s) => /"kind" = \?/.test(s) && /"phone" = \?/.test(s));
    expect(sqls.length).toBeGreaterThanOrEqual(4);
    for (const s of sqls) expect(plan(t.db, s), s).toMatch(/SEARCH sms_outbox USING (COVERING )?INDEX sms_outbox_phone_kind_idx \(phone=\? AND kind=\?/);
  });
});

describe('appointment id (sms_outbox_appointment_idx)', () => {
  it("an appointment's messages are found by its id through the index; messages of no appointment are kept", async () => {
    t = createTestDb();
    const r = await bookByPhone(t.ctx, { phone: '+919855500020', doctorId: 1, date: '2026-12-01', time: '09:00' });
    if (!r.ok) throw new Error(r.code);
    expect(r.value.accountCreated).toBe(true);
    const query = t.db.select({ kind: smsOutbox.kind }).from(smsOutbox).where(eq(smsOutbox.appointmentId, r.value.appointmentId));
    expect(query.all()).toEqual([{ kind: 'confirmation' }]);
    expect(plan(t.db, query.toSQL().sql)).toMatch(/SEARCH sms_outbox USING INDEX sms_outbox_appointment_idx \(appointment_id=\?\)/);
    // The welcome (no appointment) is stored all the same.
    expect(t.db.select({ kind: smsOutbox.kind }).from(smsOutbox).where(eq(smsOutbox.phone, '+919855500020')).all().map((s) => s.kind).sort()).toEqual([
      'confirmation',
      'welcome',
    ]);
  });
});

describe('migrating to the newest schema', () => {
  it('a database made at the previous migration migrates with every outbox row, and the dedupe still holds', () => {
    const dir = mkdtempSync(join(tmpdir(), 'medq-outbox-idx-'));
    dirs.push(dir);
    // The migrations but the newest: the shipped folder with its journal cut one short.
    const old = join(dir, 'migrations-previous');
    cpSync(migrationsFolder(), old, { recursive: true });
    const journalPath = join(old, 'meta/_journal.json');
    const journal = JSON.parse(readFileSync(journalPath, 'utf8')) as { entries: { tag: string }[] };
    expect(journal.entries.length).toBeGreaterThanOrEqual(2);
    journal.entries = journal.entries.slice(0, -1);
    writeFileSync(journalPath, JSON.stringify(journal));

    const path = join(dir, 'medq.sqlite');
    const db = openDatabase(path);
    try {
      migrate(db, { migrationsFolder: old });
      const c = db.$client;
      const applied = () => (c.prepare('select count(*) n from __drizzle_migrations').get() as { n: number }).n;
      expect(applied()).toBe(journal.entries.length);
      const insert = c.prepare(
        `insert into sms_outbox (kind, phone, body, appointment_id, dedupe_key, created_at) values (?, '+919855500030', 'x', ?, ?, 1)`,
      );
      const before = [
        ['welcome', null, null],
        ['confirmation', 11, null],
        ['sync', 11, null],
        ['reminder', 11, 'reminder:11'],
        ['queue_near', 11, 'queue_near:11'],
        ['otp', null, null],
      ] as const;
      for (const [kind, appointmentId, key] of before) insert.run(kind, appointmentId, key);
      const all = () => c.prepare('select id, kind, phone, body, appointment_id, dedupe_key, created_at from sms_outbox order by id').all();
      const rows = all();

      migrateDatabase(db);
      expect(applied()).toBe(journal.entries.length + 1);
      expect(all()).toEqual(rows);
      expect(c.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      // The migrated file refuses a key twice, as before, and finds an appointment's messages.
      const onceOn = (key: string) => writeTx({ db }, (tx) => enqueueSmsOnce(tx, sms('+919855500030'), key, new Date()));
      expect(onceOn('reminder:11')).toBeNull();
      expect(onceOn('reminder:12')).toEqual(expect.any(Number));
      expect(rowsWithKey(db, 'reminder:11')).toHaveLength(1);
      expect(db.select({ kind: smsOutbox.kind }).from(smsOutbox).where(eq(smsOutbox.appointmentId, 11)).all().map((r) => r.kind)).toEqual([
        'confirmation',
        'sync',
        'reminder',
        'queue_near',
      ]);
    } finally {
      db.$client.close();
    }
  });
});
