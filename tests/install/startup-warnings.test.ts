// What a clinic's IT reads in the log at start when a setting gives something up (SPEC §10).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startupWarnings } from '../../src/shared/warnings.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;

let dir: string | null = null;
afterEach(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = null;
});

interface LogLine {
  level: number;
  msg: string;
  setting?: string;
}

/** Starts `npm start`'s entry point (api role only) and returns its log lines up to "medq starting". */
async function startLog(env: Record<string, string>): Promise<LogLine[]> {
  dir = mkdtempSync(join(tmpdir(), 'medq-warn-'));
  const child = spawn(process.execPath, ['--import', TSX, join(ROOT, 'src/main.ts')], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', MEDQ_DB: join(dir, 'medq.sqlite'), MEDQ_ROLES: 'api', HTTP_PORT: '0', NODE_ENV: 'test', MEDQ_MIGRATE: 'on', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: LogLine[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  try {
    await new Promise<void>((done, failed) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = JSON.parse(buf.slice(0, nl)) as LogLine;
          buf = buf.slice(nl + 1);
          lines.push(line);
          if (line.msg === 'medq starting') done();
        }
      });
      child.on('exit', (code) => failed(new Error(`medq exited (${code}) before starting: ${stderr}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  return lines;
}

const warnings = (lines: LogLine[]) => lines.filter((l) => l.level === 40);

describe('start-up warnings', () => {
  it('PHONE_VERIFICATION=off: one warning saying what it gives up', { timeout: 90_000 }, async () => {
    const w = warnings(await startLog({ PHONE_VERIFICATION: 'off' }));
    expect(w).toHaveLength(1);
    expect(w[0]!.setting).toBe('PHONE_VERIFICATION');
    expect(w[0]!.msg).toMatch(/^PHONE_VERIFICATION=off: no SMS code proves a typed phone number/);
    expect(w[0]!.msg).toMatch(/see that phone's bookings/);
    expect(w[0]!.msg).toMatch(/npm run staff:password/);
  });

  it('codes on but no SMPP_URL: registrations could never finish', { timeout: 90_000 }, async () => {
    const w = warnings(await startLog({ PHONE_VERIFICATION: 'on' }));
    expect(w).toHaveLength(1);
    expect(w[0]!.setting).toBe('SMPP_URL');
    expect(w[0]!.msg).toMatch(/SMPP_URL is empty: verification codes stay queued .* can never finish/);
  });

  it('says nothing when codes can go out, or when no api role runs here', () => {
    const base = { NODE_ENV: 'test' };
    expect(startupWarnings(loadConfig({ ...base, SMPP_URL: 'smpp://medq:pw@127.0.0.1:2775' }))).toEqual([]);
    expect(startupWarnings(loadConfig({ ...base, MEDQ_ROLES: 'ivr,sms', PHONE_VERIFICATION: 'off' }))).toEqual([]);
    expect(startupWarnings(loadConfig({ ...base, MEDQ_ROLES: 'sms' }))).toEqual([]);
  });

  it('a setting this version no longer reads (IVR_PASSWORD_STOCK): named, said to be ignored, for any role', { timeout: 90_000 }, async () => {
    const w = warnings(await startLog({ PHONE_VERIFICATION: 'on', SMPP_URL: 'smpp://medq:pw@127.0.0.1:2775', IVR_PASSWORD_STOCK: '256' }));
    expect(w).toHaveLength(1);
    expect(w[0]!.setting).toBe('IVR_PASSWORD_STOCK');
    expect(w[0]!.msg).toMatch(/^IVR_PASSWORD_STOCK is no longer used and is ignored: .* Remove it from \.env\.$/);
    const ivrOnly = startupWarnings(loadConfig({ NODE_ENV: 'test', MEDQ_ROLES: 'ivr', IVR_PASSWORD_STOCK: '0' }));
    expect(ivrOnly.map((x) => x.setting)).toEqual(['IVR_PASSWORD_STOCK']);
    expect(startupWarnings(loadConfig({ NODE_ENV: 'test', MEDQ_ROLES: 'ivr', IVR_PASSWORD_STOCK: '' }))).toEqual([]);
  });
});
