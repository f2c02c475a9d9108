// A process keeps the doctors it has read (src/sync/availability.ts loadDoctor) only while the
// catalog version is unchanged: a change to a doctor, its schedule or its clinic, made by any
// process, shows at the next offer and booking; a change rolled back leaves nothing behind.
// Real SQLite file; the "other process" is a second connection to it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src/db/client.js';
import { activeDoctors, bookByPhone, clinicForDialled, listClinics, offerNextSlot } from '../../src/sync/index.js';
import { abort, writeTx } from '../../src/sync/context.js';
import { loadDoctor } from '../../src/sync/availability.js';
import { doctors } from '../../src/db/schema.js';
import { eq } from 'drizzle-orm';
import { createTestDb, type TestDb } from '../support/db.js';

let t: TestDb;
let other: Db;
beforeEach(() => {
  t = createTestDb(); // Monday 30 November 08:00 in the clinic
  other = openDatabase(t.path);
});
afterEach(() => {
  other.$client.close();
  t.close();
});

const version = () => (other.$client.prepare('SELECT version FROM catalog_version').get() as { version: number }).version;

describe('doctors kept in memory', () => {
  it('another process’s schedule change and renaming show at the next offer and booking', async () => {
    expect(offerNextSlot(t.ctx, 1, 'call-a')).toMatchObject({ ok: true, value: { date: '2026-11-30', time: '09:00', token: 'S-1' } });
    const before = version();
    // The clinic's admin, in the api process: Dr. Sharma starts at 10:00 from now on, and is renamed.
    other.$client.prepare(`UPDATE schedules SET start_time = '10:00' WHERE doctor_id = 1 AND start_time = '09:00'`).run();
    other.$client.prepare(`UPDATE doctors SET name = 'Dr. Kapoor' WHERE id = 1`).run();
    expect(version()).not.toBe(before);
    expect(offerNextSlot(t.ctx, 1, 'call-b')).toMatchObject({ ok: true, value: { date: '2026-11-30', time: '10:00', token: 'K-1' } });
    // The slot the old schedule had is refused; the new one books under the new name.
    expect(await bookByPhone(t.ctx, { phone: '+919811100001', doctorId: 1, date: '2026-11-30', time: '09:15' })).toMatchObject({ ok: false, code: 'not_found' });
    expect(await bookByPhone(t.ctx, { phone: '+919811100002', doctorId: 1, date: '2026-11-30', time: '10:15' })).toMatchObject({ ok: true, value: { token: 'K-2' } });
  });

  it('a clinic’s new timezone and a doctor taken off the list show at once', () => {
    expect(offerNextSlot(t.ctx, 2, 'call-a')).toMatchObject({ ok: true });
    other.$client.prepare(`UPDATE doctors SET active = 0 WHERE id = 2`).run();
    expect(offerNextSlot(t.ctx, 2, 'call-b')).toMatchObject({ ok: false });
    expect(loadDoctor(t.db, 1)!.timezone).toBe('Asia/Kolkata');
    other.$client.prepare(`UPDATE clinics SET timezone = 'Asia/Dubai' WHERE id = 1`).run();
    expect(loadDoctor(t.db, 1)!.timezone).toBe('Asia/Dubai');
  });

  it('a change read inside a transaction that is rolled back is not kept, even when a later change follows', () => {
    const renamedThenUndone = writeTx(t.ctx, (tx) => {
      tx.update(doctors).set({ name: 'Dr. Undone' }).where(eq(doctors.id, 1)).run();
      expect(loadDoctor(tx, 1)!.name).toBe('Dr. Undone'); // read (and kept) under the uncommitted version
      abort({ ok: false, code: 'not_found', message: 'changed my mind' });
    });
    expect(renamedThenUndone).toMatchObject({ ok: false });
    // Before this process reads the doctor again, another process commits a change: it gets a
    // version of its own, never the undone one's (under which 'Dr. Undone' was kept).
    other.$client.prepare(`UPDATE doctors SET specialty = 'Family Medicine' WHERE id = 1`).run();
    expect(loadDoctor(t.db, 1)).toMatchObject({ name: 'Dr. Sharma', specialty: 'Family Medicine' });
  });

  it('is shared read-only: a caller cannot change the kept doctor for the next one', () => {
    const d = loadDoctor(t.db, 1)!;
    expect(() => {
      (d as { name: string }).name = 'changed';
    }).toThrow(TypeError);
    expect(() => (d.blocks as unknown[]).push({})).toThrow(TypeError);
    expect(loadDoctor(t.db, 1)!.name).toBe('Dr. Sharma');
  });
});

describe('clinics and doctor lists kept in memory (read at the start of every call)', () => {
  it('another process’s new clinic, new doctor and deactivation show at the next call', () => {
    const names = () => activeDoctors(t.ctx, 1).map((d) => d.name);
    const before = names();
    expect(before).toContain('Dr. Sharma');
    expect(clinicForDialled(t.ctx, '+91 80 5555 0000')?.id).toBe(1);
    other.$client.prepare(`INSERT INTO clinics (name, did, created_at) VALUES ('Second Clinic', '+918055550000', '2026-11-30T00:00:00Z')`).run();
    other.$client.prepare(`UPDATE doctors SET active = 0 WHERE id = 1`).run();
    other.$client.prepare(`INSERT INTO doctors (clinic_id, name, specialty, display_order, active, created_at) VALUES (1, 'Dr. New', 'General', 99, 1, '2026-11-30T00:00:00Z')`).run();
    expect(clinicForDialled(t.ctx, '+91 80 5555 0000')?.name).toBe('Second Clinic');
    expect(names()).not.toContain('Dr. Sharma');
    expect(names()).toContain('Dr. New');
    // Unchanged catalog: the same rows again, shared and frozen.
    expect(listClinics(t.ctx)).toBe(listClinics(t.ctx));
    expect(() => {
      (listClinics(t.ctx)[0] as { did: string }).did = '1';
    }).toThrow(TypeError);
  });
});
