// `npm run stack` (SPEC §9, issue 9 item 8): the whole system on this machine prints readable log
// lines (not raw JSON), and Ctrl-C (SIGINT to its process group, as a terminal sends it) stops
// everything and leaves nothing behind: no app, no Asterisk, no instance folder, and the root's
// /proc unmounted unless another Asterisk instance (another test) still uses it.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { asteriskRootDir, freeTcpPort, requireRealAsterisk } from '../support/asterisk.js';

const ROOT = resolve(import.meta.dirname, '../..');
const TSX = pathToFileURL(join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
const real = requireRealAsterisk();

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!real.available)('npm run stack', () => {
  it('prints readable logs, serves, and Ctrl-C leaves nothing running or mounted', { timeout: 300_000 }, async () => {
    if (!existsSync(join(ROOT, 'dist/src/main.js'))) spawnSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
    const port = await freeTcpPort();
    const env: Record<string, string> = { ...(process.env as Record<string, string>), HTTP_PORT: String(port), LOG_LEVEL: 'info' };
    delete env['LOG_FORMAT'];
    const stack = spawn(process.execPath, ['--import', TSX, 'scripts/stack.ts'], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    stack.stdout.on('data', (d: Buffer) => (out += d.toString()));
    stack.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => stack.on('exit', (code) => r(code)));
    let done = false;
    void exited.then(() => (done = true));
    try {
      // Up: the app answers /readyz with every check up (Asterisk and the SMPP simulator included).
      const deadline = Date.now() + 240_000;
      let ready = false;
      while (!ready && Date.now() < deadline && !done) {
        const r = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => null);
        ready = r?.status === 200;
        if (!ready) await new Promise((res) => setTimeout(res, 500));
      }
      expect(ready, out).toBe(true);
      await expect.poll(() => out, { timeout: 10_000 }).toMatch(/medq starting/);
    } finally {
      process.kill(-stack.pid!, 'SIGINT'); // Ctrl-C at the terminal
    }
    const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('still running'), 60_000))]);
    expect(code, out).toBe(0);

    // Readable: pino-pretty lines ("[12:00:00.000] INFO (medq): medq starting …"), no raw JSON.
    const lines = out.split('\n');
    expect(lines.some((l) => /INFO.*\(medq.*medq starting/.test(l)), out).toBe(true);
    expect(lines.filter((l) => l.startsWith('{"level"'))).toEqual([]);

    // Nothing left: the instance folder is gone, no process of it survives, /proc released.
    const instance = /instance (\S+)$/m.exec(out)?.[1];
    expect(instance, out).toBeDefined();
    expect(existsSync(instance!)).toBe(false);
    const leftovers = readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(instance!.slice(asteriskRootDir().length));
        } catch {
          return false;
        }
      });
    expect(leftovers).toEqual([]);
    const instances = join(asteriskRootDir(), 'var/lib/medq-harness');
    const othersAlive = existsSync(instances)
      ? readdirSync(instances).some((d) => {
          const owner = join(instances, d, 'owner');
          return existsSync(owner) && pidAlive(Number(readFileSync(owner, 'utf8').trim()));
        })
      : false;
    if (!othersAlive) {
      expect(spawnSync('mountpoint', ['-q', join(asteriskRootDir(), 'proc')]).status, 'the root\'s /proc is unmounted').not.toBe(0);
    }
    expect(out).toContain('[stack] stopped');
  });
});
