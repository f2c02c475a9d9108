// The sms role against a real SMPP peer (node-smpp's server) and a real SQLite file.
import { afterEach, describe, expect, it } from 'vitest';
import { eq } from 'drizzle-orm';
import { smsOutbox } from '../../src/db/schema.js';
import { startSmsRole, type SmsRole } from '../../src/sms/index.js';
import { smsText } from '../../src/sms/texts.js';
import { TestSmsc, type SmscOptions } from './smsc.js';
import { FAST, captureLogs, enqueue, outbox, parts, smsConfig, tempDb, waitFor, type TempDb } from './helpers.js';

const PHONE = '+919999999999';
const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(smscOpts: SmscOptions = {}, env: Record<string, string> = {}, url?: (s: TestSmsc) => string) {
  const t = tempDb();
  cleanups.push(() => t.close());
  const smsc = await TestSmsc.start(smscOpts);
  cleanups.push(() => smsc.close());
  const logs = captureLogs();
  const config = smsConfig({ SMPP_URL: url ? url(smsc) : smsc.url(), ...env });
  const start = () => {
    const role = startSmsRole({ db: t.db, config, logger: logs.logger, tuning: FAST });
    cleanups.push(() => role.stop());
    return role;
  };
  return { t, smsc, logs, config, start };
}

const stateOf = (t: TempDb, id: number) => t.db.select().from(smsOutbox).where(eq(smsOutbox.id, id)).get()!;

async function upAndDrain(role: SmsRole) {
  expect(await role.whenUp(5_000)).toBe(true);
  return role.drainOnce();
}

describe('sending', () => {
  it('delivers every SPEC §7 text intact, GSM 03.38, addressed as specified, and records receipts', async () => {
    const { t, smsc, logs, config, start } = await setup({ idStyle: 'hex' });
    const brand = config.clinicBrand;
    const appt = { doctorName: 'Dr. Sharma', date: '2026-12-02', time: '10:30', token: 'S-3' };
    const password = 'K7Q2ZP4M';
    const code = '493817';
    const texts = {
      sync: smsText.sync(),
      welcome: smsText.welcome(brand, PHONE, password),
      linked: smsText.linked(),
      confirmation: smsText.confirmation(brand, appt),
      cancellation: smsText.cancellation(brand, appt),
      otp: smsText.otp(brand, code),
    } as const;
    expect(texts.confirmation).toBe('MedQ: appointment confirmed with Dr Sharma on Wed 2 Dec at 10:30. Token S-3.');
    const ids: Record<string, number> = {};
    for (const [kind, body] of Object.entries(texts)) {
      ids[kind] = enqueue(t.db, {
        kind: kind as keyof typeof texts,
        phone: PHONE,
        body,
        ...(kind === 'otp' ? { expiresAt: Date.now() + 600_000 } : {}),
      });
    }

    const role = start();
    const drained = await upAndDrain(role);
    expect(drained.accepted).toBe(6);

    // What the peer decoded (with node-smpp's GSM decoder, not ours) is each text, once.
    expect(smsc.submits).toHaveLength(6);
    expect(smsc.messages().map((m) => m.text).sort()).toEqual(Object.values(texts).sort());
    for (const s of smsc.submits) {
      expect(s).toMatchObject({
        sourceAddr: 'MEDQ',
        sourceTon: 5,
        sourceNpi: 0,
        dest: '919999999999',
        destTon: 1,
        destNpi: 1,
        dataCoding: 0,
        esmClass: 0,
        registeredDelivery: 1,
        udh: null,
      });
    }
    // The OTP carries its expiry as validity period, so the SMSC does not deliver it late either.
    const otpSubmit = smsc.submits.find((s) => s.text === texts.otp)!;
    expect(otpSubmit.validityPeriod).toBeInstanceOf(Date);

    await waitFor(() => outbox(t.db).every((r) => r.state === 'delivered'), 5_000, 'all delivered');
    await waitFor(() => smsc.receiptResponses.length === 6, 2_000, 'six deliver_sm_resp'); // written, then answered
    expect(smsc.receiptResponses).toEqual([0, 0, 0, 0, 0, 0]);
    for (const row of outbox(t.db)) {
      const answered = smsc.submits.find((s) => s.text === texts[row.kind as keyof typeof texts])!.messageId!;
      expect(JSON.parse(row.messageIds!)).toEqual([answered]); // as the SMSC wrote it: "0000A00001"
      expect(row.deliveredAt).toBeGreaterThan(0);
      expect(row.attempts).toBe(0);
      // Secrets blanked once accepted; the other texts kept.
      expect(row.body).toBe(row.kind === 'welcome' || row.kind === 'otp' ? '' : texts[row.kind as keyof typeof texts]);
    }
    expect(parts(t.db).map((p) => p.state)).toEqual(Array(6).fill('delivered'));

    // No log line holds the password or the code; the lines name kind, id and phone.
    const all = logs.all();
    expect(all).not.toContain(password);
    expect(all).not.toContain(code);
    expect(all).toContain(`"outboxId":${ids.welcome}`);
    expect(all).toMatch(/"kind":"otp".*"sms accepted by the SMSC"/);
  });

  it('sends a Hindi text as UCS-2 and a 400-character text as UDH-concatenated parts', async () => {
    const { t, smsc, start } = await setup({ idStyle: 'uuid' });
    const hindi = 'आपकी अपॉइंटमेंट की पुष्टि हो गई है। टोकन S-3';
    const long = Array.from({ length: 40 }, (_, i) => `Line ${String(i).padStart(2, '0')}.`).join('').padEnd(400, '~');
    expect(long).toHaveLength(400);
    const longHindi = 'नमस्ते! '.repeat(25).trim(); // 199 UTF-16 units → 3 UCS-2 parts
    const idHindi = enqueue(t.db, { kind: 'confirmation', phone: PHONE, body: hindi });
    const idLong = enqueue(t.db, { kind: 'confirmation', phone: '+14155550123', body: long });
    const idLongHindi = enqueue(t.db, { kind: 'cancellation', phone: '+447700900123', body: longHindi });
    const plain = Array.from({ length: 50 }, (_, i) => `Item ${String(i).padStart(2, '0')} `).join('').slice(0, 400);
    enqueue(t.db, { kind: 'confirmation', phone: '+14155550124', body: plain });

    const role = start();
    await upAndDrain(role);

    const hindiSubmit = smsc.submits.find((s) => s.dest === '919999999999')!;
    expect(hindiSubmit).toMatchObject({ dataCoding: 8, esmClass: 0, udh: null, text: hindi });

    // 400 GSM characters ('~' is an extension character: 2 septets each) → parts of ≤153 septets.
    const longParts = smsc.submits.filter((s) => s.dest === '14155550123');
    expect(longParts.length).toBe(4);
    const ref = longParts[0]!.udh![2];
    longParts.forEach((p, i) => {
      expect(p.esmClass & 0x40).toBe(0x40);
      expect(p.dataCoding).toBe(0);
      expect([...p.udh!]).toEqual([0x00, 0x03, ref, 4, i + 1]);
    });
    expect(ref).toBe(idLong & 0xff);
    expect(smsc.messages().find((m) => m.dest === '14155550123')).toEqual({ dest: '14155550123', text: long, dataCoding: 0, parts: 4 });

    // 400 plain GSM characters → 153 + 153 + 94.
    expect(plain).toHaveLength(400);
    expect(smsc.submits.filter((s) => s.dest === '14155550124').map((p) => [...p.udh!].slice(3))).toEqual([[3, 1], [3, 2], [3, 3]]);
    expect(smsc.messages().find((m) => m.dest === '14155550124')).toMatchObject({ text: plain, parts: 3 });

    const hindiParts = smsc.submits.filter((s) => s.dest === '447700900123');
    expect(hindiParts.map((p) => p.udh![4])).toEqual([1, 2, 3]);
    expect(hindiParts.every((p) => p.dataCoding === 8)).toBe(true);
    expect(smsc.messages().find((m) => m.dest === '447700900123')!.text).toBe(longHindi);

    await waitFor(() => outbox(t.db).every((r) => r.state === 'delivered'), 5_000, 'all delivered');
    expect(JSON.parse(stateOf(t, idLong).messageIds!)).toHaveLength(4);
    expect(parts(t.db).filter((p) => p.outboxId === idLong).map((p) => p.partNo)).toEqual([1, 2, 3, 4]);
    expect(stateOf(t, idHindi).state).toBe('delivered');
    expect(stateOf(t, idLongHindi).state).toBe('delivered');
  });

  it('moves messages to delivered or failed from receipts whose ids are in the other base (text only, no TLV)', async () => {
    const { t, smsc, start } = await setup({
      idStyle: 'decimal',
      receiptIds: 'other-base',
      receiptTlvs: false,
      receipt: (s) => (s.dest === '918888888888' ? 'UNDELIV' : 'DELIVRD'),
    });
    const ok = enqueue(t.db, { kind: 'linked', phone: PHONE, body: smsText.linked() });
    const bad = enqueue(t.db, { kind: 'sync', phone: '+918888888888', body: smsText.sync() });
    const role = start();
    await upAndDrain(role);
    await waitFor(() => stateOf(t, ok).state === 'delivered' && stateOf(t, bad).state === 'failed', 5_000, 'receipts applied');
    expect(stateOf(t, bad).lastError).toBe('delivery receipt: UNDELIV err:001');
    expect(JSON.parse(stateOf(t, ok).messageIds!)[0]).toMatch(/^7\d{8}$/); // decimal as answered
    expect(role.stats()).toMatchObject({ receipts: 2, unmatchedReceipts: 0 });
  });
});

describe('SMSC errors', () => {
  it('retries ESME_RTHROTTLED with back-off (attempts counted) until accepted, then delivered', async () => {
    const { t, smsc, logs, start } = await setup({ respond: (_s, n) => (n < 3 ? 0x58 : 0) });
    const id = enqueue(t.db, { kind: 'confirmation', phone: PHONE, body: 'MedQ: throttled then fine.' });
    const role = start();
    expect(await role.whenUp(5_000)).toBe(true);
    await waitFor(() => stateOf(t, id).state === 'delivered', 10_000, 'delivered after throttling');
    expect(smsc.submits.map((s) => s.status)).toEqual([0x58, 0x58, 0x58, 0]);
    expect(stateOf(t, id).attempts).toBe(3);
    expect(logs.all()).toContain('ESME_RTHROTTLED (0x00000058)');
    expect(role.stats().retried).toBe(3);
  });

  it('records a permanent error as failed with the SMPP status, sent once', async () => {
    const { t, smsc, start } = await setup({ respond: (s) => (s.dest === '910000000001' ? 0x0b : 0) });
    const bad = enqueue(t.db, { kind: 'confirmation', phone: '+910000000001', body: 'MedQ: to nowhere.' });
    const good = enqueue(t.db, { kind: 'confirmation', phone: PHONE, body: 'MedQ: somewhere.' });
    const role = start();
    await upAndDrain(role);
    await role.drainOnce();
    expect(stateOf(t, bad)).toMatchObject({ state: 'failed', lastError: 'ESME_RINVDSTADR (0x0000000b)', attempts: 1 });
    expect(smsc.submits.filter((s) => s.dest === '910000000001')).toHaveLength(1);
    await waitFor(() => stateOf(t, good).state === 'delivered', 5_000, 'the good one delivered');
  });

  it('logs a refused bind as one clear line, shows it in state(), and leaves messages queued', async () => {
    const { t, smsc, logs, start } = await setup({}, {}, (s) => s.url('medq', 'wrong'));
    const id = enqueue(t.db, { kind: 'sync', phone: PHONE, body: smsText.sync() });
    const role = start();
    const refused = () => logs.lines.filter((l) => l.includes('refused'));
    await waitFor(() => refused().length >= 2, 5_000, 'two refused binds'); // one line per attempt, back-off between
    expect(role.state()).toBe('down');
    expect(role.lastBindError()).toBe('bind refused: ESME_RINVPASWD (0x0000000e)');
    const line = JSON.parse(refused()[0]!) as { level: number; msg: string };
    expect(line.level).toBe(50);
    expect(line.msg).toBe(
      `SMPP bind_transceiver refused by 127.0.0.1:${smsc.port}: ESME_RINVPASWD (0x0000000e); check the system_id and password in SMPP_URL`,
    );
    expect(logs.all()).not.toContain('wrong'); // the password itself is never logged
    expect(await role.drainOnce()).toMatchObject({ accepted: 0 });
    expect(stateOf(t, id)).toMatchObject({ state: 'queued', attempts: 0 });
    expect(smsc.submits).toHaveLength(0);
    console.log(`refused bind: ${smsc.binds.length} bind attempts, state()=${role.state()}, lastBindError="${role.lastBindError()}"`);
  });
});

describe('secrets and expiry', () => {
  it('never sends an expired OTP; blanks its code', async () => {
    const { t, smsc, logs, start } = await setup({ receipt: () => null });
    const stale = enqueue(t.db, { kind: 'otp', phone: PHONE, body: smsText.otp('MedQ', '111222'), expiresAt: Date.now() - 1 });
    const fresh = enqueue(t.db, { kind: 'otp', phone: PHONE, body: smsText.otp('MedQ', '333444'), expiresAt: Date.now() + 60_000 });
    const role = start();
    await upAndDrain(role);
    expect(stateOf(t, stale)).toMatchObject({ state: 'expired', body: '', attempts: 0 });
    expect(stateOf(t, fresh)).toMatchObject({ state: 'sent', body: '' });
    expect(smsc.submits.map((s) => s.text)).toEqual([smsText.otp('MedQ', '333444')]);
    expect(logs.all()).not.toMatch(/111222|333444/);
  });

  it('with no SMPP_URL: state disabled, messages stay queued and are logged once (secrets by kind only)', async () => {
    const t = tempDb();
    cleanups.push(() => t.close());
    const logs = captureLogs();
    const role = startSmsRole({ db: t.db, config: smsConfig(), logger: logs.logger, tuning: FAST });
    cleanups.push(() => role.stop());
    const a = enqueue(t.db, { kind: 'linked', phone: PHONE, body: smsText.linked() });
    const b = enqueue(t.db, { kind: 'welcome', phone: PHONE, body: smsText.welcome('MedQ', PHONE, 'PW9X8Y7Z') });
    await role.drainOnce();
    await new Promise((r) => setTimeout(r, 200)); // several poll ticks
    await role.drainOnce();
    expect(role.state()).toBe('disabled');
    expect(role.lastBindError()).toBeNull();
    expect(outbox(t.db).map((r) => [r.id, r.state])).toEqual([
      [a, 'queued'],
      [b, 'queued'],
    ]);
    const kept = logs.lines.filter((l) => l.includes('kept in the outbox')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(kept).toHaveLength(2);
    expect(kept[0]).toMatchObject({ outboxId: a, kind: 'linked', phone: PHONE, text: smsText.linked() });
    expect(kept[1]).toMatchObject({ outboxId: b, kind: 'welcome', phone: PHONE });
    expect(kept[1]!.text).toBeUndefined();
    expect(logs.all()).not.toContain('PW9X8Y7Z');
  });
});

describe('crash safety', () => {
  it("reclaims a dead worker's 'sending' row after its lease and sends it once", async () => {
    const { t, smsc, start } = await setup();
    const id = enqueue(t.db, { kind: 'sync', phone: PHONE, body: smsText.sync() });
    // A worker claimed it and died before recording anything.
    t.db.update(smsOutbox).set({ state: 'sending', claimedBy: 'dead-host:1:abc#1', claimedAt: Date.now() - 60_000 }).where(eq(smsOutbox.id, id)).run();
    const role = start();
    expect(await role.whenUp(5_000)).toBe(true);
    await waitFor(() => stateOf(t, id).state === 'delivered', 5_000, 'reclaimed and delivered');
    expect(smsc.submits).toHaveLength(1);
    expect(stateOf(t, id).attempts).toBe(1);
    expect(role.stats().reclaimed).toBe(1);
  });
});
