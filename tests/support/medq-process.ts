// MedQ as clinic IT runs it: `src/main.ts` in an OS process of its own (npm start without the
// build), configured only by its environment, every stdout/stderr line kept for assertions.
import { spawn, type ChildProcess } from 'node:child_process';
import { REPO_ROOT } from './asterisk.js';

const MAIN = 'src/main.ts';

export class MedqProcess {
  /** Every line the process wrote (stdout JSON log lines and stderr), in order. */
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;

  private constructor(
    readonly child: ChildProcess,
    readonly name: string,
  ) {
    const collect = (stream: NodeJS.ReadableStream) => {
      let buf = '';
      stream.on('data', (d: Buffer) => {
        buf += d.toString('utf8');
        const parts = buf.split('\n');
        buf = parts.pop()!;
        this.lines.push(...parts.filter((l) => l !== ''));
      });
      stream.on('end', () => {
        if (buf) this.lines.push(buf);
      });
    };
    collect(child.stdout!);
    collect(child.stderr!);
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  /** Starts `src/main.ts` with NODE_ENV=test and `env`; resolves once it logged "medq starting". */
  static async start(name: string, env: Record<string, string>, opts: { waitFor?: RegExp; timeoutMs?: number } = {}): Promise<MedqProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'info', ...env },
    });
    const p = new MedqProcess(child, name);
    await p.waitLog(opts.waitFor ?? /"msg":"medq starting"/, opts.timeoutMs ?? 60_000); // a cold tsx start on a busy machine
    return p;
  }

  /** JSON log lines, parsed (other lines skipped). */
  json(): Array<Record<string, unknown>> {
    const out: Array<Record<string, unknown>> = [];
    for (const l of this.lines) {
      if (!l.startsWith('{')) continue;
      try {
        out.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        /* a partial line */
      }
    }
    return out;
  }

  async waitLog(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.child.exitCode !== null) throw new Error(`${this.name} exited (${this.child.exitCode}) before logging ${re}:\n${this.lines.slice(-30).join('\n')}`);
      if (Date.now() > deadline) throw new Error(`${this.name} did not log ${re} within ${timeoutMs} ms:\n${this.lines.slice(-30).join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
  async stop(graceMs = 15_000): Promise<number | null> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const t = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const code = await this.exited;
    clearTimeout(t);
    return code;
  }
}

/** GET a URL until `ok` accepts the answer (or the deadline passes); returns the last answer. */
export async function pollHttp(
  url: string,
  ok: (r: { status: number; body: string }) => boolean,
  timeoutMs = 15_000,
): Promise<{ status: number; body: string }> {
  const deadline = Date.now() + timeoutMs;
  let last = { status: 0, body: '' };
  for (;;) {
    last = await fetch(url).then(
      async (r) => ({ status: r.status, body: await r.text() }),
      (e: unknown) => ({ status: 0, body: String(e) }),
    );
    if (ok(last) || Date.now() > deadline) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
}
