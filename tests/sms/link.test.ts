// The SMPP link itself: TLS (ssmpp://), enquire_link keep-alive, and a silent SMSC detected.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { startSmsRole } from '../../src/sms/index.js';
import { TestSmsc } from './smsc.js';
import { FAST, captureLogs, enqueue, outbox, smsConfig, tempDb, waitFor } from './helpers.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

it('binds over TLS (ssmpp://) and delivers', async () => {
  const t = tempDb();
  cleanups.push(() => t.close());
  const key = join(t.dir, 'key.pem');
  const crt = join(t.dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', crt, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  const cert = readFileSync(crt, 'utf8');
  const smsc = await TestSmsc.start({ tls: { key: readFileSync(key, 'utf8'), cert } });
  cleanups.push(() => smsc.close());
  const id = enqueue(t.db, { kind: 'linked', phone: '+919999999999', body: 'MedQ: over TLS.' });
  const role = startSmsRole({
    db: t.db,
    config: smsConfig({ SMPP_URL: smsc.url() }),
    logger: captureLogs().logger,
    tuning: { ...FAST, tls: { ca: cert } }, // the clinic's private CA; the certificate is verified
  });
  cleanups.push(() => role.stop());
  expect(smsc.url()).toMatch(/^ssmpp:\/\//);
  expect(await role.whenUp(5_000)).toBe(true);
  await role.drainOnce();
  await waitFor(() => outbox(t.db).find((r) => r.id === id)!.state === 'delivered', 5_000, 'delivered over TLS');
  expect(smsc.submits.map((s) => s.text)).toEqual(['MedQ: over TLS.']);

  // Without the CA the certificate is refused: no bind, and /readyz can say why.
  const untrusting = startSmsRole({ db: t.db, config: smsConfig({ SMPP_URL: smsc.url() }), logger: captureLogs().logger, tuning: FAST });
  cleanups.push(() => untrusting.stop());
  await waitFor(() => untrusting.lastBindError() !== null, 5_000, 'a TLS failure');
  expect(untrusting.state()).toBe('down');
  expect(untrusting.lastBindError()).toMatch(/self[- ]signed certificate/i);
});

it('keeps the link alive with enquire_link, and drops and rebinds a link that stops answering', async () => {
  const t = tempDb();
  cleanups.push(() => t.close());
  const smsc = await TestSmsc.start({ answerEnquireLink: false });
  cleanups.push(() => smsc.close());
  const logs = captureLogs();
  const role = startSmsRole({
    db: t.db,
    config: smsConfig({ SMPP_URL: smsc.url() }),
    logger: logs.logger,
    tuning: { ...FAST, enquireLinkMs: 200, responseTimeoutMs: 300 },
  });
  cleanups.push(() => role.stop());
  expect(await role.whenUp(5_000)).toBe(true);
  await waitFor(() => smsc.binds.filter((b) => b.ok).length >= 2, 5_000, 'a rebind after the silence');
  expect(smsc.enquireLinks).toBeGreaterThanOrEqual(1);
  expect(logs.all()).toContain('no enquire_link_resp within 300 ms');
  expect(await role.whenUp(5_000)).toBe(true);
});
