// Debian's Kannel (bearerbox + smsbox) in a temp dir, for the SMS baseline: one SMSC group of
// type smpp (transceiver) into a given SMPP peer, an smsbox with a sendsms-user, loopback only.
// Installs the `kannel` package with apt-get when /usr/sbin/bearerbox is missing (root only).
// Both boxes are killed by stop(), and on process exit if the caller never got that far.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BEARERBOX = '/usr/sbin/bearerbox';
const SMSBOX = '/usr/sbin/smsbox';

export interface KannelOptions {
  smscHost: string;
  smscPort: number;
  systemId: string;
  password: string;
  /** The SMSC group's max-pending-submits: submit_sm outstanding without a response (Kannel's window). */
  maxPendingSubmits: number;
  log?: (line: string) => void;
}

export interface Kannel {
  dir: string;
  adminPort: number;
  sendsmsPort: number;
  username: string;
  password: string;
  /** The SMSC group as written, for the figure's note. */
  smscSettings: string;
  sendsmsUrl(params: Record<string, string>): string;
  /** The tail of both boxes' logs, for an error message. */
  logTail(): string;
  stop(): Promise<void>;
}

/** Makes sure bearerbox and smsbox are installed (apt-get install kannel as root); throws the reason if not. */
export function ensureKannel(log: (line: string) => void = console.log): void {
  if (existsSync(BEARERBOX) && existsSync(SMSBOX)) return;
  if (process.getuid?.() !== 0) throw new Error(`${BEARERBOX} is missing and we are not root to apt-get install kannel`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '-q', '--no-install-recommends', 'kannel'], { env, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  log('kannel: installing Debian package kannel (apt-get install)');
  let r = install();
  if (r.status !== 0) {
    log('kannel: install failed, running apt-get update and trying again');
    spawnSync('apt-get', ['update', '-q'], { env, stdio: 'ignore' });
    r = install();
  }
  if (r.status !== 0 || !existsSync(BEARERBOX) || !existsSync(SMSBOX)) {
    throw new Error(`apt-get install kannel failed: ${(r.stderr ?? String(r.error ?? '')).trim().slice(-300)}`);
  }
}

/** "kannel 1.4.5-…" as dpkg knows it, or "kannel" when dpkg cannot say. */
export function kannelVersion(): string {
  const r = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'kannel'], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? `kannel ${r.stdout.trim()}` : 'kannel';
}

async function freeTcpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

const children = new Set<ChildProcess>();
let exitHookInstalled = false;
function track(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.once('exit', () => {
      for (const c of children) c.kill('SIGKILL');
    });
  }
}

async function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(timer);
}

async function httpText(url: string, timeoutMs = 2000): Promise<{ status: number; text: string } | null> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: res.status, text: await res.text() };
  } catch {
    return null;
  }
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number, alive: () => string | null): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const dead = alive();
    if (dead) throw new Error(`${dead} while waiting for ${what}`);
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function startKannel(opts: KannelOptions): Promise<Kannel> {
  const log = opts.log ?? console.log;
  ensureKannel(log);
  const dir = mkdtempSync(join(tmpdir(), 'medq-kannel-'));
  const [adminPort, smsboxPort, sendsmsPort] = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
  const adminPassword = 'bench-admin';
  const username = 'bench';
  const password = 'bench-pass';
  const smscSettings = [
    'smsc = smpp',
    'smsc-id = peer',
    `host = ${opts.smscHost}`,
    `port = ${opts.smscPort}`,
    'transceiver-mode = true',
    `smsc-username = ${opts.systemId}`,
    `smsc-password = ${opts.password}`,
    'system-type = ""',
    `max-pending-submits = ${opts.maxPendingSubmits}`,
    'enquire-link-interval = 30',
    'reconnect-delay = 1',
  ];
  // log-level 4 (errors only) in the files, -v 4 on stderr: Kannel's default is debug, which
  // would cost it a log line per PDU that MedQ (logger silent in the bench) does not pay.
  const conf = [
    'group = core',
    `admin-port = ${adminPort}`,
    `admin-password = ${adminPassword}`,
    'admin-deny-ip = "*.*.*.*"',
    'admin-allow-ip = "127.0.0.1"',
    `smsbox-port = ${smsboxPort}`,
    'box-deny-ip = "*.*.*.*"',
    'box-allow-ip = "127.0.0.1"',
    `log-file = "${join(dir, 'bearerbox.log')}"`,
    'log-level = 4',
    '',
    'group = smsc',
    ...smscSettings,
    '',
    'group = smsbox',
    'bearerbox-host = 127.0.0.1',
    `bearerbox-port = ${smsboxPort}`,
    `sendsms-port = ${sendsmsPort}`,
    'sendsms-interface = 127.0.0.1',
    `log-file = "${join(dir, 'smsbox.log')}"`,
    'log-level = 4',
    '',
    'group = sendsms-user',
    `username = ${username}`,
    `password = ${password}`,
    'max-messages = 1',
    '',
  ].join('\n');
  const confFile = join(dir, 'kannel.conf');
  writeFileSync(confFile, conf);

  const started: ChildProcess[] = [];
  const spawnBox = (bin: string, name: string) => {
    const out = openSync(join(dir, `${name}.stderr`), 'a');
    const child = spawn(bin, ['-v', '4', confFile], { cwd: dir, stdio: ['ignore', out, out] });
    closeSync(out);
    track(child);
    started.push(child);
    return child;
  };
  const logTail = () =>
    ['bearerbox.stderr', 'bearerbox.log', 'smsbox.stderr', 'smsbox.log']
      .map((f) => {
        try {
          const t = readFileSync(join(dir, f), 'utf8').trim();
          return t ? `${f}: ${t.slice(-400)}` : '';
        } catch {
          return '';
        }
      })
      .filter(Boolean)
      .join(' / ');
  const stop = async () => {
    await Promise.all(started.reverse().map(kill));
    rmSync(dir, { recursive: true, force: true });
  };
  const deadMsg = (c: ChildProcess, name: string) => () => (c.exitCode !== null || c.signalCode !== null ? `${name} exited (${c.exitCode ?? c.signalCode})` : null);
  const status = async () => (await httpText(`http://127.0.0.1:${adminPort}/status.txt?password=${adminPassword}`))?.text ?? '';

  try {
    const bearerbox = spawnBox(BEARERBOX, 'bearerbox');
    // The SMSC line of status.txt reads "peer[peer] SMPP:127.0.0.1:port/port:medq:... (online 0s, ...)".
    await waitFor('bearerbox to bind to the SMPP peer', async () => /\(online /.test(await status()), 15_000, deadMsg(bearerbox, 'bearerbox'));
    const smsbox = spawnBox(SMSBOX, 'smsbox');
    const either = () => deadMsg(bearerbox, 'bearerbox')() ?? deadMsg(smsbox, 'smsbox')();
    await waitFor('smsbox to connect to bearerbox', async () => /smsbox:.*on-line/.test(await status()), 15_000, either);
    // sendsms answers once smsbox's HTTP server is up (403 for a wrong password).
    await waitFor('smsbox sendsms port', async () => (await httpText(`http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?username=x&password=y&to=1&text=x`)) !== null, 15_000, either);
  } catch (err) {
    const tail = logTail();
    await stop();
    throw new Error(`${(err as Error).message}${tail ? ` — ${tail}` : ''}`);
  }

  return {
    dir,
    adminPort,
    sendsmsPort,
    username,
    password,
    smscSettings: smscSettings.filter((l) => !/^(host|port|smsc-password) /.test(l)).join(', '),
    sendsmsUrl(params) {
      const q = new URLSearchParams({ username, password, ...params });
      return `http://127.0.0.1:${sendsmsPort}/cgi-bin/sendsms?${q.toString()}`;
    },
    logTail,
    stop,
  };
}
