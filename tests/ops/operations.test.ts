// SPEC §12 operations: backups that prove themselves, restores refused while MedQ runs, a process
// that refuses a newer schema, /healthz versions, and Prometheus metrics over real HTTP.
import { afterEach, describe, expect, it } from 'vitest';
import { CONTRACT_METRICS } from '../support/contract.js';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { eq } from 'drizzle-orm';
import { assertSchemaNotNewer, codeSchemaVersion, migrateDatabase, openDatabase, SchemaTooNewError } from '../../src/db/client.js';
import { clinics } from '../../src/db/schema.js';
import { startApi, type TestApi } from '../api/helpers.js';

const BACKUP = resolve(import.meta.dirname, '../../src/cli/db-backup.ts');
const RESTORE = resolve(import.meta.dirname, '../../src/cli/db-restore.ts');
let dir: string;
let api: TestApi | null = null;
afterEach(async () => {
  await api?.close();
  api = null;
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function cli(file: string, args: string[], dbPath: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', file, ...args], {
    env: { ...process.env, MEDQ_DB: dbPath, NODE_ENV: 'test', LOG_LEVEL: 'silent' },
    encoding: 'utf8',
    cwd: resolve(import.meta.dirname, '../..'),
  });
}

function freshDb(name = 'medq.sqlite') {
  const path = join(dir, name);
  const db = openDatabase(path);
  migrateDatabase(db);
  return { path, db };
}

describe('db:backup and db:restore', () => {
  it('backs up online while MedQ has the file open, keeps the newest N, and restores only once MedQ is stopped', async () => {
    dir = mkdtempSync(join(tmpdir(), 'medq-ops-'));
    const { path, db } = freshDb();
    db.insert(clinics).values({ name: 'Before Backup', did: '1' }).run();

    // Online: the "running MedQ" (db) keeps its connection open, with a write in its WAL.
    const one = cli(BACKUP, [join(dir, 'one.sqlite')], path);
    expect(one.status, one.stderr).toBe(0);
    expect(one.stdout).toMatch(/integrity_check ok/);

    const folder = join(dir, 'nightly') + '/';
    for (let i = 0; i < 3; i++) {
      const r = cli(BACKUP, [folder, '--keep', '2'], path);
      expect(r.status, r.stderr).toBe(0);
    }
    const kept = readdirSync(folder).filter((f) => f.endsWith('.sqlite'));
    expect(kept).toHaveLength(2);
    expect(cli(BACKUP, [join(dir, 'x.sqlite'), '--keep', '2'], path).stderr).toMatch(/--keep needs a folder/);

    // A change after the backup, which the restore must undo.
    db.insert(clinics).values({ name: 'After Backup', did: '2' }).run();
    const refused = cli(RESTORE, [join(dir, 'one.sqlite')], path);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toMatch(/in use: stop every MedQ process/);
    expect(db.select().from(clinics).all().map((c) => c.name)).toEqual(['Before Backup', 'After Backup']);

    db.$client.close(); // MedQ stopped
    const restored = cli(RESTORE, [join(dir, 'one.sqlite')], path);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/previous file is kept/);
    const back = openDatabase(path);
    expect(back.select().from(clinics).all().map((c) => c.name)).toEqual(['Before Backup']);
    back.$client.close();
  }, 90_000); // seven CLI processes, each a cold start of Node with tsx on a shared machine

  it('a corrupt backup is refused before anything is replaced', () => {
    dir = mkdtempSync(join(tmpdir(), 'medq-ops-'));
    const { path, db } = freshDb();
    db.insert(clinics).values({ name: 'Keep Me', did: '1' }).run();
    db.$client.close();
    const bad = join(dir, 'bad.sqlite');
    writeFileSync(bad, 'SQLite format 3\0' + 'x'.repeat(5000));
    const r = cli(RESTORE, [bad], path);
    expect(r.status).toBe(1);
    const still = openDatabase(path);
    expect(still.select().from(clinics).where(eq(clinics.name, 'Keep Me')).all()).toHaveLength(1);
    still.$client.close();
    expect(existsSync(path)).toBe(true);
  });
});

describe('schema version', () => {
  it('a database migrated by a newer release is refused, naming both versions', () => {
    dir = mkdtempSync(join(tmpdir(), 'medq-ops-'));
    const { db } = freshDb();
    expect(() => assertSchemaNotNewer(db)).not.toThrow();
    // What a newer release's migrator leaves behind: one more applied migration, newer than ours.
    db.$client.prepare('insert into __drizzle_migrations (hash, created_at) values (?, ?)').run('future', Date.now() + 86_400_000 * 365 * 10);
    expect(() => migrateDatabase(db)).toThrow(SchemaTooNewError);
    expect(() => migrateDatabase(db)).toThrow(new RegExp(`version ${codeSchemaVersion() + 1}\\) is newer than this MedQ \\(schema version ${codeSchemaVersion()}`));
    db.$client.close();
  });
});

describe('/healthz and /metrics', () => {
  it('/healthz names the release and the schema versions; /metrics serves every contract metric', async () => {
    api = await startApi();
    const h = await api.call('GET', '/healthz');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({ status: 'ok', schema_version: codeSchemaVersion(), code_schema_version: codeSchemaVersion() });
    expect(h.body.version).toMatch(/^\d+\.\d+\.\d+/);

    await api.call('GET', '/api/clinics');
    await api.call('GET', '/api/doctors/999999/slots?date=2026-12-03');
    const m = await api.call('GET', '/metrics');
    expect(m.status).toBe(200);
    expect(m.headers.get('content-type')).toMatch(/text\/plain/);
    for (const name of CONTRACT_METRICS) {
      expect(m.text, name).toContain(`# TYPE ${name} `);
    }
    // Routes are labelled by their pattern, never by the raw URL.
    expect(m.text).toMatch(/http_request_duration_seconds_count\{route="\/api\/clinics",status="200"\} [1-9]/);
    expect(m.text).toMatch(/http_request_duration_seconds_count\{route="\/api\/doctors\/:id\/slots",status="404"\} 1/);
    expect(m.text).not.toContain('/api/doctors/999999');
  });
});

describe('MEDQ_MIGRATE', () => {
  const MAIN = resolve(import.meta.dirname, '../../src/main.ts');
  function start(env: Record<string, string>) {
    return spawnSync(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', MEDQ_ROLES: 'sms', SMPP_URL: '', ...env },
      encoding: 'utf8',
      cwd: resolve(import.meta.dirname, '../..'),
      timeout: 20_000,
    });
  }

  it('off: a database with pending migrations is refused with one line; on: they are applied at start', async () => {
    dir = mkdtempSync(join(tmpdir(), 'medq-ops-'));
    const path = join(dir, 'medq.sqlite');
    const refused = start({ MEDQ_DB: path });
    expect(refused.status).toBe(78);
    expect(refused.stderr).toMatch(/needs \d+ migration\(s\): run `npm run db:migrate` first, or set MEDQ_MIGRATE=on/);

    // "on": the process migrates, then runs (an sms-only process with METRICS_PORT, stopped by a signal).
    const { spawn } = await import('node:child_process');
    const metricsPort = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', MEDQ_ROLES: 'sms', SMPP_URL: '', MEDQ_DB: path, MEDQ_MIGRATE: 'on', METRICS_PORT: String(metricsPort) },
      cwd: resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    await new Promise<void>((done, failed) => {
      const t = setTimeout(() => failed(new Error(`no start: ${out}`)), 25_000);
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('medq starting')) {
          clearTimeout(t);
          done();
        }
      });
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => failed(new Error(`exited ${code}: ${out}`)));
    });
    // A process without the api role serves /metrics on METRICS_PORT.
    let metricsText = '';
    for (let i = 0; i < 50 && !metricsText; i++) {
      metricsText = await fetch(`http://127.0.0.1:${metricsPort}/metrics`).then((r) => r.text(), () => '');
      if (!metricsText) await new Promise((r) => setTimeout(r, 100));
    }
    expect(metricsText).toContain('# TYPE medq_outbox_depth gauge');
    expect(metricsText).toMatch(/^medq_smpp_up 0$/m);
    // WAL checkpoints run on their own thread (src/db/checkpoint.ts).
    expect(metricsText).toMatch(/^medq_db_checkpoint_thread_up 1$/m);
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const db = openDatabase(path);
    expect(() => assertSchemaNotNewer(db)).not.toThrow();
    const { pendingMigrations } = await import('../../src/db/client.js');
    expect(pendingMigrations(db)).toBe(0);
    db.$client.close();
  }, 60_000);
});

describe('logs', () => {
  it('credentials written into ARI_URL or SMPP_URL never reach a log line, at trace, while the links fail and retry', async () => {
    const { startIvrRole } = await import('../../src/ari/index.js');
    const { startSmsRole } = await import('../../src/sms/index.js');
    const { createTestDb } = await import('../support/db.js');
    const { captureLogs } = await import('../sms/helpers.js');
    const { createServer } = await import('node:http');
    const { freeTcpPort } = await import('../support/asterisk-ports.js');
    const t = createTestDb();
    // Something answers where ARI should be, but it is not ARI (a proxy's error page, say).
    const notAri = createServer((req, res) => res.writeHead(502, { 'content-type': 'text/plain' }).end(`bad gateway for ${req.url}\n`));
    await new Promise<void>((r) => notAri.listen(0, '127.0.0.1', r));
    const ariPort = (notAri.address() as import('node:net').AddressInfo).port;
    const smppPort = await freeTcpPort(); // nothing listens
    const ariSecret = `ari-${Math.random().toString(36).slice(2)}`;
    const smppSecret = `smpp-${Math.random().toString(36).slice(2)}`;
    const logs = captureLogs();
    const { loadConfig } = await import('../../src/config/index.js');
    const config = loadConfig({
      NODE_ENV: 'test',
      MEDQ_DB: t.path,
      ARI_URL: `http://medq:${ariSecret}@127.0.0.1:${ariPort}`,
      ARI_PASSWORD: ariSecret,
      SMPP_URL: `smpp://medq:${smppSecret}@127.0.0.1:${smppPort}`,
    });
    const ivr = startIvrRole({ ctx: t.ctx, config, logger: logs.logger, tuning: { backoffInitialMs: 50, backoffMaxMs: 100 } });
    const sms = startSmsRole({ db: t.db, config, logger: logs.logger, tuning: { reconnectBaseMs: 50, reconnectMaxMs: 100, connectTimeoutMs: 500 } });
    try {
      await expect.poll(() => logs.all(), { timeout: 15_000 }).toMatch(/cannot connect to ARI; retrying/);
      await expect.poll(() => logs.all(), { timeout: 15_000 }).toMatch(/SMPP not connected/);
      await new Promise((r) => setTimeout(r, 500));
    } finally {
      await ivr.stop();
      await sms.stop();
      await new Promise((r) => notAri.close(r));
      t.close();
    }
    const all = logs.all();
    expect(all).toContain(`"ari":"http://127.0.0.1:${ariPort}/"`);
    expect(all).toContain(`127.0.0.1:${smppPort}`);
    expect(all).not.toContain(ariSecret);
    expect(all).not.toContain(smppSecret);
  }, 60_000);
});
