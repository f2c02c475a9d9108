// npm run stack: a whole MedQ on this Linux machine without Docker — a real Asterisk 22 (the
// cached chroot, the project's asterisk-config), an SMPP simulator that prints each SMS, and the
// app (api, ivr, sms) from dist/ on a database under .stack/. The app's JSON log lines are shown
// readable (pino-pretty, as Fastify's own dev setups do; LOG_FORMAT=json keeps them raw). Ctrl-C
// stops everything: the app, Asterisk, the SMSC, and the chroot's /proc mount when no other
// Asterisk uses it. `npm run call -- --from +919999999999` then places a call into it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { PinoPretty } from 'pino-pretty';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAsterisk, requireRealAsterisk, type AsteriskInstance } from '../tests/support/asterisk.js';
import { TestSmsc, type ReceivedSubmit } from '../tests/sms/smsc.js';

const ROOT = resolve(import.meta.dirname, '..');
const STATE = join(ROOT, '.stack');
const HTTP_PORT = process.env['HTTP_PORT'] ?? '3000';
mkdirSync(STATE, { recursive: true });

const check = requireRealAsterisk();
if (!check.available) {
  console.error(`stack: cannot run a real Asterisk here: ${check.reason}`);
  process.exit(1);
}

const say = (line: string) => process.stdout.write(`[stack] ${line}\n`);
// Log lines (pino NDJSON) from the app and the CLIs, shown as one readable line each.
const raw = process.env['LOG_FORMAT'] === 'json';
const pretty = PinoPretty({ colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', singleLine: true, sync: true });
function showLog(chunk: string): void {
  for (const line of chunk.split('\n')) {
    if (line === '') continue;
    if (raw || !line.startsWith('{')) process.stdout.write(line + '\n');
    else pretty.write(line + '\n');
  }
}

let stopping = false;
let starting = true;
let stopAsked = false;
let ast: AsteriskInstance | undefined;
let smsc: TestSmsc | undefined;
let smscTimer: NodeJS.Timeout | undefined;
let app: ChildProcess | undefined;
let appExited: Promise<void> = Promise.resolve();
// A Ctrl-C while Asterisk is still starting must not leave it (or its /proc mount) behind.
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
ast = await startAsterisk({ name: 'stack' });
starting = false;
if (stopAsked) await stop(0);
say(`Asterisk 22 up: ARI ${ast.ariUrl}, SIP trunk udp 127.0.0.1:${ast.sipPort} (identified from ${ast.trunkAddress}); instance ${ast.dir}`);

// The SMSC prints every message as a phone would show it (parts joined by their UDH reference).
const parts = new Map<string, Map<number, string>>();
let printed = 0;
function showNewSubmits(smsc: TestSmsc) {
  for (; printed < smsc.submits.length; printed++) {
    const s: ReceivedSubmit = smsc.submits[printed]!;
    let text = s.text;
    if (s.udh) {
      const key = `${s.dest}/${s.udh[2]}`;
      const got = parts.get(key) ?? new Map<number, string>();
      got.set(s.udh[4]!, s.text);
      parts.set(key, got);
      if (got.size < s.udh[3]!) continue;
      text = [...got.entries()].sort((a, b) => a[0] - b[0]).map((e) => e[1]).join('');
      parts.delete(key);
    }
    process.stdout.write(`\n┌─ SMS to +${s.dest} from ${s.sourceAddr}\n│ ${text.split('\n').join('\n│ ')}\n└─\n`);
  }
}
smsc = await TestSmsc.start({ systemId: 'medq', password: 'stack-smsc' });
const sim = smsc;
smscTimer = setInterval(() => showNewSubmits(sim), 200);
say(`SMPP simulator on 127.0.0.1:${smsc.port}`);

const env = {
  ...process.env,
  NODE_ENV: 'development',
  MEDQ_DB: join(STATE, 'medq.sqlite'),
  HTTP_PORT,
  ARI_URL: ast.ariUrl,
  ARI_USERNAME: ast.ariUser,
  ARI_PASSWORD: ast.ariPassword,
  SMPP_URL: smsc.url(),
  ASTERISK_SOUNDS_DIR: ast.soundsDir,
  LOG_LEVEL: process.env['LOG_LEVEL'] ?? 'info',
};
function npm(script: string, ...args: string[]): void {
  const r = spawnSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, env, encoding: 'utf8' });
  showLog(r.stdout ?? '');
  if (r.stderr) process.stderr.write(r.stderr);
  if (r.status !== 0) {
    say(`npm run ${script} failed (${r.status ?? r.signal}); stopping`);
    void stop(1);
    throw new Error(`npm run ${script} failed`);
  }
}
npm('db:migrate');
npm('db:seed');
npm('prompts', '--out', ast.soundsDir);

writeFileSync(
  join(STATE, 'stack.json'),
  JSON.stringify({ ariUrl: ast.ariUrl, ariUser: ast.ariUser, ariPassword: ast.ariPassword, db: env.MEDQ_DB, http: `http://127.0.0.1:${HTTP_PORT}` }, null, 2),
);

// Its own process group: Ctrl-C reaches the stack, which stops the app first, then Asterisk.
app = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'], detached: true });
app.stdout!.setEncoding('utf8');
let pending = '';
app.stdout!.on('data', (d: string) => {
  pending += d;
  const cut = pending.lastIndexOf('\n');
  if (cut < 0) return;
  showLog(pending.slice(0, cut + 1));
  pending = pending.slice(cut + 1);
});
const child = app;
appExited = new Promise<void>((r) => child.once('exit', () => r()));
say(`app starting: http://127.0.0.1:${HTTP_PORT}/ (patient pages), /docs (API)`);
say('call it:  npm run call -- --from +919999999999      (Ctrl-C here stops the stack)');

app.on('exit', (code) => {
  if (!stopping) say(`the app exited (${code}); stopping`);
  void stop(code ?? 1);
});

async function stop(code: number): Promise<void> {
  if (starting) {
    // Asterisk is half started: stop once startAsterisk() returns it (or has cleaned up after itself).
    stopAsked = true;
    return;
  }
  if (stopping) return;
  stopping = true;
  say('stopping');
  if (smscTimer) clearInterval(smscTimer);
  if (app && app.exitCode === null && app.signalCode === null) {
    app.kill('SIGTERM');
    const gone = await Promise.race([appExited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
    if (!gone) app.kill('SIGKILL');
  }
  // Stops Asterisk and unmounts the root's /proc unless another instance still uses it.
  if (ast) await ast.stop().catch((e: unknown) => say(`stopping Asterisk: ${String(e)}`));
  if (smsc) await smsc.close().catch(() => undefined);
  rmSync(join(STATE, 'stack.json'), { force: true });
  say('stopped');
  process.exit(code);
}
