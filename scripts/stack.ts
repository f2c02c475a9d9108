// npm run stack: a whole MedQ on this Linux machine without Docker — a real Asterisk 22 (the
// cached chroot, the project's asterisk-config), an SMPP simulator that prints each SMS, and the
// app (api, ivr, sms) from dist/ on a database under .stack/. Ctrl-C stops everything.
// `npm run call -- --from +919999999999` then places a call into it.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startAsterisk, requireRealAsterisk } from '../tests/support/asterisk.js';
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
const ast = await startAsterisk({ name: 'stack' });
say(`Asterisk 22 up: ARI ${ast.ariUrl}, SIP trunk udp 127.0.0.1:${ast.sipPort} (identified from ${ast.trunkAddress})`);

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
const smsc = await TestSmsc.start({ systemId: 'medq', password: 'stack-smsc' });
const smscTimer = setInterval(() => showNewSubmits(smsc), 200);
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
const npm = (script: string, ...args: string[]) =>
  execFileSync('npm', ['run', '--silent', script, ...(args.length ? ['--', ...args] : [])], { cwd: ROOT, env, stdio: 'inherit' });
npm('db:migrate');
npm('db:seed');
npm('prompts', '--out', ast.soundsDir);

writeFileSync(
  join(STATE, 'stack.json'),
  JSON.stringify({ ariUrl: ast.ariUrl, ariUser: ast.ariUser, ariPassword: ast.ariPassword, db: env.MEDQ_DB, http: `http://127.0.0.1:${HTTP_PORT}` }, null, 2),
);

const app = spawn(process.execPath, ['dist/src/main.js'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'inherit'] });
app.stdout.pipe(process.stdout);
say(`app starting: http://127.0.0.1:${HTTP_PORT}/ (patient pages), /docs (API)`);
say('call it:  npm run call -- --from +919999999999      (Ctrl-C here stops the stack)');

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  say('stopping');
  clearInterval(smscTimer);
  app.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1500));
  await ast.stop().catch(() => undefined);
  await smsc.close().catch(() => undefined);
  rmSync(join(STATE, 'stack.json'), { force: true });
  process.exit(code);
}
app.on('exit', (code) => {
  if (!stopping) say(`the app exited (${code}); stopping`);
  void stop(code ?? 1);
});
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));
