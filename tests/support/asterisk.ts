// A real Asterisk 22 for tests: one instance per startAsterisk(), run with chroot from the root
// folder that scripts/asterisk-root.sh builds, on loopback ports of its own, with the project's
// asterisk-config/*.conf (ports, trunk address and ARI password substituted) and its own run,
// spool, log, lib and sounds folders. See shared REAL-ASTERISK.md.
//
//   const check = requireRealAsterisk();            // skips locally, fails under CI=true
//   describe.skipIf(!check.available)('…', () => {
//     let ast: AsteriskInstance;
//     beforeAll(async () => { ast = await startAsterisk(); });
//     afterAll(async () => { await ast?.stop(); });
//     …  CallerHarness.connect(ast) … ast.soundsDir … ast.restart() …
//   });
import { spawn, spawnSync, execFile, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, openSync, closeSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { AriRest, type AriConnection } from './asterisk-ari.js';
import { freeTcpPort, freeUdpPort } from './asterisk-ports.js';

export * from './asterisk-ari.js';
export * from './asterisk-ports.js';
export * from './sipp.js';

const execFileAsync = promisify(execFile);

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HARNESS_CONFIG_DIR = fileURLToPath(new URL('./asterisk/', import.meta.url));

/** Where scripts/asterisk-root.sh puts the root (MEDQ_ASTERISK_ROOT overrides). */
export function asteriskRootDir(): string {
  return (process.env['MEDQ_ASTERISK_ROOT'] ?? '/var/cache/medq/asterisk-root').replace(/\/+$/, '');
}

const STAMP_IN_ROOT = '/etc/medq-asterisk-root.stamp';
/** Instance folders, as seen inside the chroot. */
const INSTANCES_IN_ROOT = '/var/lib/medq-harness';

function isCi(): boolean {
  const ci = process.env['CI'];
  return ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
}

export interface RealAsteriskCheck {
  available: boolean;
  /** Why not, when not available. */
  reason?: string;
  root: string;
}

/** Whether a real Asterisk can run here: the root with its stamp, root privileges, chroot. */
export function realAsteriskStatus(): RealAsteriskCheck {
  const root = asteriskRootDir();
  const missing = (reason: string): RealAsteriskCheck => ({ available: false, reason, root });
  if (process.platform !== 'linux') return missing('not Linux');
  if (process.getuid?.() !== 0) return missing('not running as root (chroot and mount need it)');
  if (!existsSync(root + STAMP_IN_ROOT) || !existsSync(root + '/usr/sbin/asterisk'))
    return missing(`no Asterisk root at ${root} (run: sudo bash scripts/asterisk-root.sh)`);
  if (spawnSync('chroot', ['--version']).status !== 0) return missing('no chroot command');
  return { available: true, root };
}

/**
 * Call at the top of a test file that needs a real Asterisk. Not available: under CI=true this
 * throws (the file fails: CI never skips the real thing); elsewhere it warns and returns
 * available=false, for `describe.skipIf(!check.available)`.
 */
export function requireRealAsterisk(): RealAsteriskCheck {
  const status = realAsteriskStatus();
  if (status.available) return status;
  if (isCi()) throw new Error(`A real Asterisk is required under CI=true, but: ${status.reason}`);
  console.warn(`[asterisk] SKIPPING real-Asterisk tests: ${status.reason}`);
  return status;
}

/** SIPp with pcap play (Debian package sip-tester) and root, for the SIP-trunk tests. */
export function requireSipp(): RealAsteriskCheck {
  const status = requireRealAsterisk();
  if (!status.available) return status;
  if (!existsSync('/usr/bin/sipp') || !existsSync('/usr/share/sip-tester/dtmf_2833_1.pcap')) {
    const reason = 'no /usr/bin/sipp with /usr/share/sip-tester pcaps (apt-get install sip-tester)';
    if (isCi()) throw new Error(`SIPp is required under CI=true, but: ${reason}`);
    console.warn(`[asterisk] SKIPPING SIPp tests: ${reason}`);
    return { available: false, reason, root: status.root };
  }
  return status;
}

// ------------------------------------------------------------------------------------------------
// Configuration
// ------------------------------------------------------------------------------------------------

/** Replace exactly what the production file says, so a drift in it fails loudly here. */
function substitute(file: string, text: string, from: RegExp, to: string): string {
  if (!from.test(text)) throw new Error(`asterisk-config/${file} no longer contains ${from}; update tests/support/asterisk.ts`);
  return text.replace(from, to);
}

interface DeriveParams {
  httpPort: number;
  sipPort: number;
  trunkAddress: string;
  ariUser: string;
  ariPassword: string;
}

/** The production configuration with this instance's ports, trunk address and ARI password. */
async function deriveConfig(configDir: string, p: DeriveParams): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of (await fs.readdir(configDir)).filter((n) => n.endsWith('.conf')).sort()) {
    out.set(f, await fs.readFile(path.join(configDir, f), 'utf8'));
  }
  const edit = (f: string, fn: (t: string) => string): void => {
    const t = out.get(f);
    if (t === undefined) throw new Error(`asterisk-config/${f} is missing`);
    out.set(f, fn(t));
  };
  edit('http.conf', (t) => {
    if (!/^bindaddr\s*=\s*127\.0\.0\.1\s*$/m.test(t)) throw new Error('asterisk-config/http.conf must bind ARI to 127.0.0.1');
    return substitute('http.conf', t, /^bindport\s*=\s*\d+\s*$/m, `bindport = ${p.httpPort}`);
  });
  edit('pjsip.conf', (t) => {
    t = substitute('pjsip.conf', t, /^bind\s*=\s*127\.0\.0\.1:\d+\s*$/m, `bind = 127.0.0.1:${p.sipPort}`);
    t = substitute('pjsip.conf', t, /^match\s*=\s*127\.0\.0\.2\s*$/m, `match = ${p.trunkAddress}`);
    t = substitute('pjsip.conf', t, /^contact\s*=\s*sip:127\.0\.0\.2:5060\s*$/m, `contact = sip:${p.trunkAddress}:5060`);
    return t;
  });
  edit('ari.conf', (t) => {
    t = substitute('ari.conf', t, /^password\s*=\s*\S+\s*$/m, `password = ${p.ariPassword}`);
    t = substitute('ari.conf', t, /^\[medq\]\s*$/m, `[${p.ariUser}]`);
    return t;
  });
  return out;
}

// ------------------------------------------------------------------------------------------------
// Root housekeeping: /proc inside the root, shared by instances; stale instances of dead runs
// ------------------------------------------------------------------------------------------------

// Runs under `flock $ROOT.lock` (the lock scripts/asterisk-root.sh holds while it builds), so a
// rebuild and the tests never overlap and the /proc count is exact. $1 root, $2 instance, $3 owner.
const ACQUIRE_SH = String.raw`
set -eu
root=$1; inst=$2; owner=$3
# Instances of runs that died without stop(): kill their Asterisk, remove their folder.
for d in "$root${INSTANCES_IN_ROOT}"/*/; do
  [ -d "$d" ] || continue
  d=${'$'}{d%/}
  if [ -f "$d/owner" ] && kill -0 "$(cat "$d/owner")" 2>/dev/null; then continue; fi
  rel=${'$'}{d#"$root"}
  for p in $(pgrep -x asterisk || true); do
    if tr '\0' ' ' < /proc/$p/cmdline 2>/dev/null | grep -qF -- "$rel/etc/asterisk.conf"; then
      echo "[asterisk] killing Asterisk $p of a dead test run ($rel)" >&2; kill -9 "$p" || true
    fi
  done
  rm -rf --one-file-system "$d"
done
mkdir -p "$root$inst"
echo "$owner" > "$root$inst/owner"
mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
`;

const RELEASE_SH = String.raw`
set -u
root=$1; inst=$2; keep=$3
rm -f "$root$inst/owner"
[ "$keep" = 1 ] || rm -rf --one-file-system "$root$inst"
for f in "$root${INSTANCES_IN_ROOT}"/*/owner; do
  [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null && exit 0
done
for p in $(pgrep -x asterisk || true); do
  [ "$(readlink /proc/$p/root 2>/dev/null)" = "$root" ] && exit 0
done
if mountpoint -q "$root/proc"; then umount "$root/proc" || umount -l "$root/proc"; fi
exit 0
`;

function underRootLock(script: string, args: string[]): void {
  const root = asteriskRootDir();
  const r = spawnSync('flock', ['-w', '300', `${root}.lock`, 'bash', '-c', script, 'bash', ...args], {
    encoding: 'utf8',
    timeout: 320_000,
  });
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status !== 0) throw new Error(`asterisk root housekeeping failed (${r.status}): ${r.stderr}`);
}

function asteriskIds(root: string): { uid: number; gid: number } {
  const line = readFileSync(path.join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('asterisk:'));
  if (!line) throw new Error(`no asterisk user in ${root}/etc/passwd`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/** A relative symlink, so it resolves the same from the host and from inside the chroot. */
async function linkInRoot(root: string, linkInRootPath: string, targetInRootPath: string): Promise<void> {
  const rel = path.posix.relative(path.posix.dirname(linkInRootPath), targetInRootPath);
  await fs.symlink(rel, root + linkInRootPath);
}

// ------------------------------------------------------------------------------------------------
// The instance
// ------------------------------------------------------------------------------------------------

export interface StartAsteriskOptions {
  /** A word for folder and system names (default 'test'). */
  name?: string;
  /** ARI user (default 'medq', the same the app uses: see STYLE.md on ari-client). */
  ariUser?: string;
  /** ARI password (default random). */
  ariPassword?: string;
  /** The address the SIP trunk is identified by (pjsip.conf identify match). Default 127.0.0.2. */
  trunkAddress?: string;
  /** Production configuration folder to derive from (default <repo>/asterisk-config). */
  configDir?: string;
  /** Files to add or replace in the instance's config folder, e.g. {'extensions.conf': '…'}. */
  configFiles?: Record<string, string>;
  /** Text appended to the derived files, e.g. {'extensions.conf': '[extra]\n…'}. */
  appendConfig?: Record<string, string>;
  /** Keep the instance folder (logs) after stop() (until the next run sweeps it). Also MEDQ_KEEP_ASTERISK=1. */
  keepFiles?: boolean;
  /** Default 30 s. */
  startTimeoutMs?: number;
}

export interface AsteriskInstance extends AriConnection {
  /** e.g. http://127.0.0.1:40123 (ARI_URL for the app). */
  readonly ariUrl: string;
  readonly ariUser: string;
  readonly ariPassword: string;
  readonly httpPort: number;
  /** UDP port of the PJSIP transport on 127.0.0.1. */
  readonly sipPort: number;
  /** The trunk's identified source address (SIPp binds to it). */
  readonly trunkAddress: string;
  /**
   * Host path of this instance's sounds folder: `sound:medq/<id>` plays
   * `<soundsDir>/en/medq/<id>.{wav,gsm,…}` (so `npm run prompts -- --out <soundsDir>`). Asterisk's
   * own English prompts are linked in beside it.
   */
  readonly soundsDir: string;
  /** Host path of Asterisk's log (notice, warning, error, verbose 3, dtmf). */
  readonly logFile: string;
  /** Host path of the instance folder (etc, run, log, lib, spool, data). */
  readonly dir: string;
  /** The instance folder as seen inside the chroot. */
  readonly dirInRoot: string;
  readonly root: string;
  /** REST client for this instance. */
  readonly ari: AriRest;
  /** Pid of the running Asterisk, undefined while stopped. */
  readonly pid: number | undefined;
  /** Runs an Asterisk CLI command (asterisk -rx) and returns its output. */
  cli(command: string): Promise<string>;
  /**
   * Stops Asterisk and starts it again on the same ports and folders. `downMs` keeps it down that
   * long; `kill: true` kills it (SIGKILL: a crash) instead of `core stop now`.
   */
  restart(opts?: { downMs?: number; kill?: boolean }): Promise<void>;
  /** Stops Asterisk (core stop now), removes its folder, unmounts /proc when no instance is left. Idempotent. */
  stop(): Promise<void>;
  /** The log so far. */
  readLog(): Promise<string>;
  /** Log lines at WARNING or ERROR. */
  logProblems(): Promise<string[]>;
  /** Sounds Asterisk could not find ("File … does not exist in any format"). */
  missingSounds(): Promise<string[]>;
}

const running = new Set<Instance>();
let exitHookInstalled = false;
let counter = 0;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // A test file that forgot stop(), or a worker ended early: never leave Asterisk running. The
  // next startAsterisk() sweeps the folder and /proc.
  process.once('exit', () => {
    for (const inst of running) inst.killNow();
  });
}

class Instance implements AsteriskInstance {
  readonly ariUrl: string;
  readonly ari: AriRest;
  readonly soundsDir: string;
  readonly logFile: string;
  readonly dir: string;
  #child: ChildProcess | undefined;
  #exited: Promise<void> = Promise.resolve();
  #stopped = false;

  constructor(
    readonly root: string,
    readonly dirInRoot: string,
    readonly httpPort: number,
    readonly sipPort: number,
    readonly trunkAddress: string,
    readonly ariUser: string,
    readonly ariPassword: string,
    readonly keepFiles: boolean,
    readonly startTimeoutMs: number,
  ) {
    this.dir = root + dirInRoot;
    this.ariUrl = `http://127.0.0.1:${httpPort}`;
    this.ari = new AriRest(this);
    this.soundsDir = `${this.dir}/data/sounds`;
    this.logFile = `${this.dir}/log/messages.log`;
  }

  get pid(): number | undefined {
    const c = this.#child;
    return c && c.exitCode === null && c.signalCode === null ? c.pid : undefined;
  }

  get #confInRoot(): string {
    return `${this.dirInRoot}/etc/asterisk.conf`;
  }

  async start(): Promise<void> {
    const out = openSync(`${this.dir}/log/console.log`, 'a');
    const child = spawn('chroot', [this.root, '/usr/sbin/asterisk', '-f', '-C', this.#confInRoot], {
      stdio: ['ignore', out, out],
    });
    closeSync(out);
    this.#child = child;
    running.add(this);
    this.#exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    void this.#exited.then(() => running.delete(this));
    const deadline = Date.now() + this.startTimeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`Asterisk exited at start (${child.exitCode ?? child.signalCode}); see ${this.dir}/log/console.log and ${this.logFile}:\n${await this.#tail()}`);
      }
      try {
        await this.ari.request('GET', '/asterisk/info', { timeoutMs: 1_000 });
        await this.cli('core waitfullybooted');
        return;
      } catch (err) {
        last = String(err);
      }
      await sleep(100);
    }
    this.killNow();
    throw new Error(`Asterisk did not answer ARI on ${this.ariUrl} within ${this.startTimeoutMs} ms (${last}):\n${await this.#tail()}`);
  }

  async #tail(): Promise<string> {
    const log = await fs.readFile(this.logFile, 'utf8').catch(() => '');
    const con = await fs.readFile(`${this.dir}/log/console.log`, 'utf8').catch(() => '');
    return (con + log).split('\n').slice(-30).join('\n');
  }

  async cli(command: string): Promise<string> {
    const { stdout } = await execFileAsync('chroot', [this.root, '/usr/sbin/asterisk', '-C', this.#confInRoot, '-rx', command], {
      timeout: 15_000,
    });
    return stdout;
  }

  killNow(): void {
    const c = this.#child;
    if (c && c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  }

  /** Stops the Asterisk process only (folders stay). */
  async #halt(kill: boolean): Promise<void> {
    const c = this.#child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    if (kill) {
      c.kill('SIGKILL');
    } else {
      await this.cli('core stop now').catch(() => c.kill('SIGTERM'));
    }
    if (await withTimeout(this.#exited, 10_000)) return;
    c.kill('SIGTERM');
    if (await withTimeout(this.#exited, 5_000)) return;
    c.kill('SIGKILL');
    await withTimeout(this.#exited, 5_000);
  }

  async restart(opts: { downMs?: number; kill?: boolean } = {}): Promise<void> {
    if (this.#stopped) throw new Error('restart() after stop()');
    await this.#halt(opts.kill ?? false);
    if (opts.downMs) await sleep(opts.downMs);
    await this.start();
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    try {
      await this.#halt(false);
    } finally {
      underRootLock(RELEASE_SH, [this.root, this.dirInRoot, this.keepFiles ? '1' : '0']);
    }
  }

  readLog(): Promise<string> {
    return fs.readFile(this.logFile, 'utf8').catch(() => '');
  }

  async logProblems(): Promise<string[]> {
    return (await this.readLog()).split('\n').filter((l) => /\] (WARNING|ERROR)\[/.test(l));
  }

  async missingSounds(): Promise<string[]> {
    const found: string[] = [];
    for (const m of (await this.readLog()).matchAll(/File (\S+) does not exist in any format/g)) found.push(m[1]!);
    return found;
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

async function withTimeout(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  const done = await Promise.race([p.then(() => true), new Promise<boolean>((r) => (t = setTimeout(() => r(false), ms)))]);
  clearTimeout(t);
  return done;
}

/** Starts a fresh Asterisk instance from the cached root. Call stop() when done (afterAll). */
export async function startAsterisk(opts: StartAsteriskOptions = {}): Promise<AsteriskInstance> {
  const status = realAsteriskStatus();
  if (!status.available) throw new Error(`cannot start a real Asterisk: ${status.reason}`);
  const root = status.root;
  installExitHook();

  const name = (opts.name ?? 'test').replace(/[^A-Za-z0-9_-]/g, '-');
  const id = `${name}-${process.pid}-${++counter}-${randomBytes(3).toString('hex')}`;
  const dirInRoot = `${INSTANCES_IN_ROOT}/${id}`;
  const [httpPort, sipPort] = [await freeTcpPort(), await freeUdpPort()];
  const trunkAddress = opts.trunkAddress ?? '127.0.0.2';
  const ariUser = opts.ariUser ?? 'medq';
  const ariPassword = opts.ariPassword ?? randomBytes(12).toString('hex');
  const keep = opts.keepFiles ?? process.env['MEDQ_KEEP_ASTERISK'] === '1';

  underRootLock(ACQUIRE_SH, [root, dirInRoot, String(process.pid)]);
  const inst = new Instance(root, dirInRoot, httpPort, sipPort, trunkAddress, ariUser, ariPassword, keep, opts.startTimeoutMs ?? 30_000);
  try {
    const dir = inst.dir;
    const { uid, gid } = asteriskIds(root);
    for (const sub of ['etc', 'run', 'log', 'lib', 'spool', 'cache', 'data/sounds/en/medq']) {
      await fs.mkdir(`${dir}/${sub}`, { recursive: true });
    }
    for (const sub of ['run', 'log', 'lib', 'spool', 'cache']) await fs.chown(`${dir}/${sub}`, uid, gid);

    // Configuration: the production files with this instance's values, plus the harness's own
    // asterisk.conf (this instance's folders) and logger.conf (milliseconds, DTMF, one file).
    // Nothing else is added: a file production lacks shows up as an error in the log.
    const modDir = /^astmoddir\s*=>\s*(\S+)/m.exec(readFileSync(`${root}/etc/asterisk/asterisk.conf`, 'utf8'))?.[1];
    if (!modDir) throw new Error(`no astmoddir in ${root}/etc/asterisk/asterisk.conf`);
    const derived = await deriveConfig(opts.configDir ?? path.join(REPO_ROOT, 'asterisk-config'), {
      httpPort,
      sipPort,
      trunkAddress,
      ariUser,
      ariPassword,
    });
    const files = new Map<string, string>(derived);
    files.set(
      'asterisk.conf',
      (await fs.readFile(`${HARNESS_CONFIG_DIR}/asterisk.conf`, 'utf8'))
        .replaceAll('@INSTANCE@', dirInRoot)
        .replaceAll('@MODDIR@', modDir)
        .replaceAll('@NAME@', id),
    );
    files.set('logger.conf', await fs.readFile(`${HARNESS_CONFIG_DIR}/logger.conf`, 'utf8'));
    for (const [f, t] of Object.entries(opts.configFiles ?? {})) files.set(f, t);
    for (const [f, t] of Object.entries(opts.appendConfig ?? {})) files.set(f, (files.get(f) ?? '') + '\n' + t + '\n');
    for (const [f, t] of files) await fs.writeFile(`${dir}/etc/${f}`, t, { mode: 0o640 });
    await Promise.all([...files.keys()].map((f) => fs.chown(`${dir}/etc/${f}`, 0, gid)));

    // Data folder: the root's /usr/share/asterisk, but with a sounds/en of our own (links to the
    // stock prompts plus an empty medq/), so prompts written here stay with this instance.
    const share = '/usr/share/asterisk';
    for (const e of await fs.readdir(root + share)) {
      if (e !== 'sounds') await linkInRoot(root, `${dirInRoot}/data/${e}`, `${share}/${e}`);
    }
    for (const e of await fs.readdir(`${root}${share}/sounds`)) {
      if (e !== 'en') await linkInRoot(root, `${dirInRoot}/data/sounds/${e}`, `${share}/sounds/${e}`);
    }
    for (const e of await fs.readdir(`${root}${share}/sounds/en`)) {
      if (e !== 'medq') await linkInRoot(root, `${dirInRoot}/data/sounds/en/${e}`, `${share}/sounds/en/${e}`);
    }

    await inst.start();
    return inst;
  } catch (err) {
    await inst.stop().catch(() => undefined);
    throw err;
  }
}

/**
 * Writes `<soundsDir>/en/medq/<id>.wav`: a short 8 kHz mono 16-bit tone, a stand-in prompt for
 * tests that need `sound:medq/<id>` to exist without espeak-ng. Returns the host path.
 */
export async function writeTonePrompt(soundsDir: string, id: string, opts: { ms?: number; hz?: number } = {}): Promise<string> {
  const rate = 8000;
  const samples = Math.round(((opts.ms ?? 300) / 1000) * rate);
  const buf = Buffer.alloc(44 + samples * 2);
  buf.write('RIFF', 0, 'ascii');
  buf.writeUInt32LE(36 + samples * 2, 4);
  buf.write('WAVEfmt ', 8, 'ascii');
  buf.writeUInt32LE(16, 16); // fmt chunk size
  buf.writeUInt16LE(1, 20); // PCM
  buf.writeUInt16LE(1, 22); // mono
  buf.writeUInt32LE(rate, 24);
  buf.writeUInt32LE(rate * 2, 28); // byte rate
  buf.writeUInt16LE(2, 32); // block align
  buf.writeUInt16LE(16, 34); // bits per sample
  buf.write('data', 36, 'ascii');
  buf.writeUInt32LE(samples * 2, 40);
  for (let i = 0; i < samples; i++) {
    buf.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * (opts.hz ?? 440) * i) / rate)), 44 + i * 2);
  }
  const file = path.join(soundsDir, 'en', 'medq', `${id}.wav`);
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, buf, { mode: 0o644 });
  return file;
}
