// The IVR against a real Asterisk for tests/ari: the harness's Asterisk with prompts rendered by
// the prompts CLI into its sounds folder, the ARI adapter started in-process (startIvrRole) on a
// real SQLite test database, and callers that follow what the app plays on their call.
//
// Gap filled here (not in tests/support/asterisk-ari.ts): ARI reports a playback of several media
// as one PlaybackStarted per medium under the same playback id; the harness's ChannelObserver keys
// playbacks by id, so it keeps only the last medium of each. IvrCall lists every medium started.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pino, type Logger } from 'pino';
import { startIvrRole, type IvrRole, type IvrTuning } from '../../src/ari/index.js';
import {
  ariTime,
  CallerHarness,
  REPO_ROOT,
  type AriEvent,
  type AsteriskInstance,
  type CallOptions,
  type HarnessCall,
} from '../support/asterisk.js';
import type { TestDb } from '../support/db.js';

const execFileAsync = promisify(execFile);

/** Runs the real `npm run prompts` code (src/cli/prompts.ts) against the test database. */
export async function renderPromptsWithCli(soundsDir: string, dbPath: string, env: Record<string, string> = {}): Promise<string> {
  const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', 'src/cli/prompts.ts', '--out', soundsDir], {
    cwd: REPO_ROOT,
    env: { ...process.env, MEDQ_DB: dbPath, LOG_LEVEL: 'info', ...env },
    timeout: 120_000,
  });
  return stdout;
}

export interface LogLine {
  level: number;
  msg: string;
  call?: string;
  playback?: string;
  prompt?: string[];
  text?: string;
  [k: string]: unknown;
}

/** A pino logger whose lines are kept (parsed) for assertions; warnings also go to stderr. */
export function memoryLogger(): { logger: Logger; lines: LogLine[] } {
  const lines: LogLine[] = [];
  const logger = pino(
    { level: 'debug', base: undefined },
    {
      write(s: string) {
        const line = JSON.parse(s) as LogLine;
        lines.push(line);
        if (line.level >= 40) process.stderr.write(s);
      },
    },
  );
  return { logger, lines };
}

export interface IvrStack {
  role: IvrRole;
  harness: CallerHarness;
  logs: LogLine[];
  call(opts?: CallOptions): Promise<IvrCall>;
  close(): Promise<void>;
}

export async function startIvrStack(
  ast: AsteriskInstance,
  t: TestDb,
  opts: {
    menuTimeoutMs?: number;
    receptionEndpoint?: string | null;
    tuning?: Partial<IvrTuning>;
    /** Reuse a caller harness (one per Stasis app name and Asterisk); it is then not closed here. */
    harness?: CallerHarness;
  } = {},
): Promise<IvrStack> {
  const { logger, lines } = memoryLogger();
  const role = startIvrRole({
    ctx: t.ctx,
    config: {
      ...t.config,
      ariUrl: ast.ariUrl,
      ariUsername: ast.ariUser,
      ariPassword: ast.ariPassword,
      ariApp: 'medq',
      menuTimeoutMs: opts.menuTimeoutMs ?? 1500,
      receptionEndpoint: opts.receptionEndpoint ?? null,
    },
    logger,
    soundsDir: ast.soundsDir,
    tuning: opts.tuning,
  });
  if (!(await role.whenUp(15_000))) throw new Error('the IVR did not connect to ARI within 15 s');
  const harness = opts.harness ?? (await CallerHarness.connect(ast));
  const ownHarness = !opts.harness;
  return {
    role,
    harness,
    logs: lines,
    async call(callOpts = {}) {
      const c = new IvrCall(await harness.call(callOpts), harness);
      await c.ready();
      return c;
    },
    async close() {
      if (ownHarness) await harness.close();
      await role.stop();
    },
  };
}

export interface Medium {
  playbackId: string;
  uri: string;
  /** Asterisk's clock, ms. */
  at: number;
  /** Index of the PlaybackStarted event in the harness's stream. */
  index: number;
}

/** A harness call seen from the IVR's side (the ;2 half in Stasis(medq)). */
export class IvrCall {
  #appId = '';

  /** `call` is a harness call (Local channel), or null for a channel placed otherwise (SIPp). */
  constructor(
    readonly call: HarnessCall | null,
    readonly harness: CallerHarness,
    appChannelId = '',
  ) {
    this.#appId = appChannelId;
  }

  static forChannel(harness: CallerHarness, channelId: string): IvrCall {
    return new IvrCall(null, harness, channelId);
  }

  #harnessCall(): HarnessCall {
    if (!this.call) throw new Error('not a harness call');
    return this.call;
  }

  /** Waits for the IVR's half to exist. */
  async ready(): Promise<string> {
    this.#appId ||= await this.#harnessCall().app.channelId(10_000);
    return this.#appId;
  }

  get appChannelId(): string {
    return this.#appId;
  }

  /** Index into the harness's event stream: "from now on". */
  mark(): number {
    return this.harness.events.events.length;
  }

  #isStart(e: AriEvent): boolean {
    return e.type === 'PlaybackStarted' && e.playback?.target_uri === `channel:${this.#appId}`;
  }

  /** Every medium the app started on this call, in order. */
  media(from = 0): Medium[] {
    const out: Medium[] = [];
    const evs = this.harness.events.events;
    for (let i = from; i < evs.length; i++) {
      const e = evs[i]!;
      if (this.#isStart(e)) out.push({ playbackId: e.playback!.id, uri: e.playback!.media_uri, at: ariTime(e.timestamp), index: i });
    }
    return out;
  }

  uris(from = 0): string[] {
    return this.media(from).map((m) => m.uri);
  }

  /** The first medium (from `from`) matching: a URI, `medq:<prompt id>` shorthand, or a RegExp. */
  async waitMedia(want: string | RegExp, opts: { from?: number; timeoutMs?: number } = {}): Promise<Medium> {
    const uri = typeof want === 'string' && want.startsWith('medq:') ? `sound:medq/${want.slice(5)}` : want;
    const match = (u: string): boolean => (typeof uri === 'string' ? u === uri : uri.test(u));
    const ev = await this.harness.events.waitFor((e) => this.#isStart(e) && match(e.playback!.media_uri), {
      from: opts.from ?? 0,
      timeoutMs: opts.timeoutMs ?? 15_000,
      description: `${String(uri)} on ${this.#appId}; heard: ${this.uris().slice(-12).join(' ')}`,
    });
    return this.media(this.harness.events.events.indexOf(ev)).find((m) => match(m.uri))!;
  }

  /** Waits for a catalog prompt to start (from `from`), then presses keys (barge-in). */
  async pressAfter(promptId: string, keys: string, from = 0): Promise<number> {
    await this.waitMedia(`medq:${promptId}`, { from });
    const mark = this.mark();
    await this.#harnessCall().press(keys);
    return mark;
  }

  async press(keys: string): Promise<number> {
    const mark = this.mark();
    await this.#harnessCall().press(keys);
    return mark;
  }

  /** Waits until the IVR's channel has received a key pressed after `from` (a mark). */
  async keyReceived(from: number, timeoutMs = 5_000): Promise<void> {
    await this.harness.events.waitFor((e) => e.type === 'ChannelDtmfReceived' && e.channel?.id === this.#appId, {
      from,
      timeoutMs,
      description: `a key on ${this.#appId}`,
    });
  }

  hangup(): Promise<void> {
    return this.#harnessCall().hangup();
  }

  /** Resolves when the IVR's half is gone (whoever hung up). */
  async ended(timeoutMs = 20_000): Promise<void> {
    await this.harness.observe({ id: this.#appId }).waitForHangup(timeoutMs);
  }

  /**
   * Key → next prompt latencies from Asterisk's timestamps: for each digit the IVR's channel
   * received, the time until the next playback (a new playback id) started on it.
   */
  keyLatencies(): number[] {
    const evs = this.harness.events.events;
    const out: number[] = [];
    const seen = new Set<string>();
    let pendingKeyAt: number | null = null;
    for (const e of evs) {
      if (e.type === 'ChannelDtmfReceived' && e.channel?.id === this.#appId) {
        pendingKeyAt ??= ariTime(e.timestamp);
      } else if (this.#isStart(e) && !seen.has(e.playback!.id)) {
        seen.add(e.playback!.id);
        if (pendingKeyAt !== null) out.push(ariTime(e.timestamp) - pendingKeyAt);
        pendingKeyAt = null;
      }
    }
    return out;
  }
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
