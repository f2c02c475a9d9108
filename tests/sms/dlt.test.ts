// India's DLT (SPEC §7, issue 13): every submit_sm part carries the entity id and the template id of
// its kind and language; a text that differs from its registered template stops the sms role at
// start. Real SMPP peer (node-smpp's server), real SQLite, the real commands.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { configRefusal } from '../support/config.js';
import { SMS_KINDS, type SmsKind } from '../../src/db/schema.js';
import { startSmsRole } from '../../src/sms/index.js';
import { smsTextsIn, type SmsTexts } from '../../src/sms/texts.js';
import { TestSmsc } from './smsc.js';
import { FAST, captureLogs, enqueue, outbox, smsConfig, tempDb } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const ENTITY = '1201159876543210987';
const run = promisify(execFile);

/** A command's real entry point (TypeScript via tsx), with only the MedQ settings given. */
async function command(file: string, env: Record<string, string>, args: string[] = []) {
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (v !== undefined && k !== 'NODE_ENV' && !/^(MEDQ_|JWT_|ARI_|SMPP_|HTTP_|DLT_|LANGUAGES|CLINIC_|LOG_)/.test(k)) base[k] = v;
  }
  return run(process.execPath, ['--import', TSX, join(ROOT, file), ...args], { cwd: dir, env: { ...base, ...env }, timeout: 60_000 })
    .then((r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }))
    .catch((e: { code: number; stdout: string; stderr: string }) => ({ code: e.code, stdout: e.stdout, stderr: e.stderr }));
}

type TemplateFile = Record<string, Record<string, { id: string; text: string }>>;
let dir: string;
/** What `npm run sms:templates -- --json` printed for LANGUAGES=en,hi, with ids filled in as DLT gave them. */
let registered: TemplateFile;
const idOf = (kind: string, lang: string) => `1107${String(SMS_KINDS.indexOf(kind as SmsKind) + 1).padStart(2, '0')}${lang === 'hi' ? '2' : '1'}${'0'.repeat(12)}`;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'medq-dlt-'));
  // No SMPP, JWT or ARI setting, production rules: printing templates needs none of them.
  const r = await command('src/cli/sms-templates.ts', { LANGUAGES: 'en,hi', CLINIC_BRAND: 'MedQ' }, ['--json']);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  registered = JSON.parse(r.stdout) as TemplateFile;
  for (const [kind, byLang] of Object.entries(registered)) for (const [lang, e] of Object.entries(byLang)) e.id = idOf(kind, lang);
}, 90_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function templatesFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

/** One text of every kind in a language, long ones included (the welcome and a reminder span parts in Hindi). */
function everyKind(t: SmsTexts): Record<SmsKind, string> {
  const a = { doctorName: 'Dr. Venkataraghavan', date: '2026-12-02', time: '10:30', token: 'V-12' };
  return {
    welcome: t.welcome('MedQ', '+919876543210', 'K7Q2ZP4M'),
    sync: t.sync(),
    confirmation: t.confirmation('MedQ', a),
    cancellation: t.cancellation('MedQ', a),
    linked: t.linked(),
    otp: t.otp('MedQ', '493817'),
    reminder: t.reminder('MedQ', a, { kind: 'call', phone: '+914012345678' }),
    queue_near: t.queueNear('MedQ', 'City Clinic', 'V-10', a),
    nothing_to_cancel: t.nothingToCancel('MedQ'),
    opted_out: t.optedOut('MedQ'),
    opted_in: t.optedIn('MedQ'),
    help: t.help('MedQ'),
  };
}

async function sendWith(env: Record<string, string>, rows: Array<{ kind: SmsKind; body: string; language?: string }>, logs = captureLogs()) {
  const t = tempDb();
  cleanups.push(() => t.close());
  const smsc = await TestSmsc.start();
  cleanups.push(() => smsc.close());
  const byDest = new Map<string, { kind: SmsKind; language?: string }>();
  rows.forEach((r, i) => {
    const phone = `+9198${String(10_000_000 + i).padStart(8, '0')}`;
    byDest.set(phone.slice(1), r);
    enqueue(t.db, { kind: r.kind, phone, body: r.body, ...(r.language ? { language: r.language } : {}) });
  });
  const role = startSmsRole({ db: t.db, config: smsConfig({ SMPP_URL: smsc.url(), ...env }), logger: logs.logger, tuning: FAST });
  cleanups.push(() => role.stop());
  expect(await role.whenUp(5_000)).toBe(true);
  await role.drainOnce();
  expect(outbox(t.db).every((r) => r.state === 'sent' || r.state === 'delivered')).toBe(true);
  return { smsc, byDest };
}

describe('DLT ids on every part', () => {
  it('with tags 0x1500/0x1501: every part of every kind, in English and Hindi, carries the entity id and its kind and language template id', async () => {
    const rows = (['en', 'hi'] as const).flatMap((language) =>
      Object.entries(everyKind(smsTextsIn(language))).map(([kind, body]) => ({ kind: kind as SmsKind, body, language })),
    );
    const { smsc, byDest } = await sendWith(
      { LANGUAGES: 'en,hi', DLT_ENTITY_ID: ENTITY, DLT_TEMPLATES: templatesFile('tags.json', registered), DLT_TLV_ENTITY: '0x1500', DLT_TLV_TEMPLATE: '0x1501' },
      rows,
    );
    expect(smsc.messages()).toHaveLength(24);
    expect(smsc.submits.filter((s) => s.udh !== null).length).toBeGreaterThan(6); // long texts went as several parts
    expect(smsc.submits.filter((s) => s.dataCoding === 8).length).toBeGreaterThan(12); // Hindi as UCS-2
    for (const s of smsc.submits) {
      const row = byDest.get(s.dest)!;
      expect(s.tlvs, `${row.kind}/${row.language}`).toEqual({ 0x1500: ENTITY, 0x1501: idOf(row.kind, row.language!) });
    }
  });

  it('with the default tags 0x1400/0x1401; a row from before languages gets the clinic default language', async () => {
    const hi = everyKind(smsTextsIn('hi'));
    const { smsc, byDest } = await sendWith({ LANGUAGES: 'hi,en', DLT_ENTITY_ID: ENTITY, DLT_TEMPLATES: templatesFile('defaults.json', registered) }, [
      { kind: 'welcome', body: hi.welcome, language: 'hi' },
      { kind: 'reminder', body: everyKind(smsTextsIn('en')).reminder, language: 'en' },
      { kind: 'help', body: hi.help }, // no language: the default, Hindi (first of LANGUAGES)
    ]);
    expect(smsc.submits.length).toBeGreaterThan(3);
    for (const s of smsc.submits) {
      const row = byDest.get(s.dest)!;
      expect(s.tlvs).toEqual({ 0x1400: ENTITY, 0x1401: idOf(row.kind, row.language ?? 'hi') });
    }
  });

  it('a value longer than a {#var#} (a very long doctor name) still goes, with its ids, and the log says the operator may drop it', async () => {
    const logs = captureLogs();
    const a = { doctorName: 'Dr Venkatanarasimharajuvaripeta Subramaniam', date: '2026-12-02', time: '10:30', token: 'V-12' };
    const { smsc } = await sendWith(
      { LANGUAGES: 'en,hi', DLT_ENTITY_ID: ENTITY, DLT_TEMPLATES: templatesFile('long.json', registered) },
      [
        { kind: 'confirmation', body: smsTextsIn('en').confirmation('MedQ', a), language: 'en' },
        { kind: 'confirmation', body: smsTextsIn('en').confirmation('MedQ', { ...a, doctorName: 'Dr Rao' }), language: 'en' },
      ],
      logs,
    );
    expect(smsc.messages()).toHaveLength(2);
    for (const s of smsc.submits) expect(s.tlvs).toEqual({ 0x1400: ENTITY, 0x1401: idOf('confirmation', 'en') });
    const warnings = logs.lines.filter((l) => l.includes('does not match its DLT template'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('"kind":"confirmation"');
  });

  it('without DLT_ENTITY_ID nothing changes: no optional parameters, even with a template file', async () => {
    const { smsc } = await sendWith({ LANGUAGES: 'en,hi', DLT_TEMPLATES: templatesFile('unused.json', registered) }, [
      { kind: 'welcome', body: everyKind(smsTextsIn('hi')).welcome, language: 'hi' },
    ]);
    expect(smsc.submits.length).toBeGreaterThan(1);
    for (const s of smsc.submits) expect(s.tlvs).toEqual({});
  });
});

describe('the start-up check', () => {
  const start = (file: unknown, env: Record<string, string> = {}) => {
    const t = tempDb();
    cleanups.push(() => t.close());
    const config = smsConfig({ LANGUAGES: 'en,hi', DLT_ENTITY_ID: ENTITY, DLT_TEMPLATES: templatesFile('check.json', file), ...env });
    const role = startSmsRole({ db: t.db, config, logger: captureLogs().logger, tuning: FAST });
    cleanups.push(() => role.stop());
  };
  const refusal = configRefusal;

  it('what sms:templates prints passes as registered', () => {
    expect(() => start(registered)).not.toThrow();
  });

  it('a text that differs from its registered template stops the sms role, naming the kind and language; so does a missing id', () => {
    const changed = structuredClone(registered);
    // The clinic registered last year's wording; MedQ's text has changed since.
    changed.reminder!.hi!.text = changed.reminder!.hi!.text.replace('रिमाइंडर', 'याद दिलाना');
    const e = refusal(() => start(changed));
    expect(e.variable).toBe('DLT_TEMPLATES');
    expect(e.message).toContain('kind reminder, language hi');
    expect(e.message).toContain('याद दिलाना');

    const missing = structuredClone(registered);
    delete missing.queue_near!.en;
    expect(refusal(() => start(missing)).message).toContain('kind queue_near, language en: no template id');
    expect(refusal(() => start({ ...registered, reminders: {} })).message).toContain('unknown SMS kind "reminders"');
    expect(refusal(() => start(registered, { DLT_TEMPLATES: '' })).variable).toBe('DLT_TEMPLATES');
  });

  it('npm start with the sms role exits 78 with one line naming the kind; other tags must be vendor tags', async () => {
    const changed = structuredClone(registered);
    changed.otp!.en!.text = 'MedQ code: {#var#}';
    const r = await command('src/main.ts', {
      NODE_ENV: 'test',
      MEDQ_ROLES: 'sms',
      MEDQ_DB: join(dir, 'medq.sqlite'),
      LANGUAGES: 'en,hi',
      DLT_ENTITY_ID: ENTITY,
      DLT_TEMPLATES: templatesFile('start.json', changed),
    });
    expect(r.code).toBe(78);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^medq: configuration error: DLT_TEMPLATES: kind otp, language en: /);
    expect(() => smsConfig({ DLT_TLV_ENTITY: '0x0204' })).toThrow(/DLT_TLV_ENTITY: must be a vendor-specific SMPP tag/);
    expect(() => smsConfig({ DLT_TLV_ENTITY: '0x1401' })).toThrow(/DLT_TLV_TEMPLATE: must differ/);
  }, 90_000);
});

describe('npm run sms:templates', () => {
  it('prints every kind per language with {#var#} for the values and the brand written in, and the ids configured', async () => {
    const r = await command('src/cli/sms-templates.ts', {
      LANGUAGES: 'en,hi',
      CLINIC_BRAND: 'Asha Clinic',
      DLT_ENTITY_ID: ENTITY,
      DLT_TEMPLATES: templatesFile('print.json', registered),
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Entity id (DLT_ENTITY_ID): ${ENTITY}`);
    expect(r.stdout).toContain(`[confirmation] en template id: ${idOf('confirmation', 'en')}`);
    expect(r.stdout).toContain('Asha Clinic: appointment confirmed with Dr {#var#} on {#var#} at {#var#}. Token {#var#}.');
    expect(r.stdout).toContain('Asha Clinic: reminder, Dr {#var#} on {#var#} at {#var#}, token {#var#}.{#var#}');
    expect(r.stdout).toContain('Asha Clinic सत्यापन कोड: {#var#}। यह 10 मिनट में समाप्त हो जाएगा। इसे किसी को न बताएं।');
    expect(r.stdout).toContain('Welcome to Asha Clinic! A web account has been created for you.\nUsername: {#var#}\nPassword: {#var#}');
    // Registered under another brand: said next to the kind.
    expect(r.stdout).toMatch(/\[otp\] hi template id: \d+; \{#var#\} = code — DIFFERS from the registered text/);
    for (const kind of SMS_KINDS) {
      expect(r.stdout).toContain(`[${kind}] en `);
      expect(r.stdout).toContain(`[${kind}] hi `);
    }
  }, 90_000);
});
