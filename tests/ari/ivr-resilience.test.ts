// The IVR survives what production throws at it, on a real Asterisk 22: the app process killed
// with calls in Stasis (a new process ends them), Asterisk restarted under a live app (the link
// goes down and comes back on its own, the next call is served), a burst of ARI requests over a
// bounded HTTP pool, and a shutdown with calls up.
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inStasisOf } from '../../src/ari/index.js';
import { AriLink } from '../../src/ari/link.js';
import { isNotFound } from '../../src/ari/ops.js';
import { createAriRest } from '../../src/ari/rest.js';
import {
  AriEventStream,
  CallerHarness,
  REPO_ROOT,
  requireRealAsterisk,
  startAsterisk,
  type AriChannel,
  type AsteriskInstance,
} from '../support/asterisk.js';
import { createTestDb, type TestDb } from '../support/db.js';
import { IvrCall, memoryLogger, renderPromptsWithCli, sleep, startIvrStack } from './support-ivr.js';

const real = requireRealAsterisk();

/** The ivr role in a child process (tests/ari/support-app-entry.ts), its log lines collected. */
class AppProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<number | null>;
  private constructor(readonly child: ChildProcess) {
    let buf = '';
    child.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const parts = buf.split('\n');
      buf = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr!.on('data', (d: Buffer) => process.stderr.write(d));
    this.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  }

  static async start(ast: AsteriskInstance, t: TestDb): Promise<AppProcess> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/ari/support-app-entry.ts'], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        MEDQ_ROLES: 'ivr',
        MEDQ_DB: t.path,
        ARI_URL: ast.ariUrl,
        ARI_USERNAME: ast.ariUser,
        ARI_PASSWORD: ast.ariPassword,
        ARI_APP: 'medq',
        MENU_TIMEOUT_MS: '1500',
        LOG_LEVEL: 'info',
        NODE_ENV: 'test',
        MEDQ_TEST_SOUNDS_DIR: ast.soundsDir,
      },
    });
    const app = new AppProcess(child);
    await app.waitLog(/ARI connected; application registered/, 20_000);
    return app;
  }

  async waitLog(re: RegExp, timeoutMs = 10_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const hit = this.lines.find((l) => re.test(l));
      if (hit) return hit;
      if (this.child.exitCode !== null) throw new Error(`app exited (${this.child.exitCode}) before logging ${re}:\n${this.lines.join('\n')}`);
      if (Date.now() > deadline) throw new Error(`app did not log ${re} within ${timeoutMs} ms:\n${this.lines.slice(-20).join('\n')}`);
      await sleep(50);
    }
  }

  kill(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }
}

describe.skipIf(!real.available)('IVR resilience on a real Asterisk', () => {
  let ast: AsteriskInstance;
  let t: TestDb;
  let harness: CallerHarness;
  const apps: AppProcess[] = [];
  const holdsOf = (holder: string) => t.db.$client.prepare('select * from slot_holds where holder = ?').all(holder);

  beforeAll(async () => {
    ast = await startAsterisk({ name: 'ivr-resilience' });
    t = createTestDb();
    await renderPromptsWithCli(ast.soundsDir, t.path);
    harness = await CallerHarness.connect(ast);
  });

  afterAll(async () => {
    for (const a of apps) a.kill('SIGKILL');
    await Promise.all(apps.map((a) => a.exited));
    await harness?.close();
    await ast?.stop();
    t?.close();
  });

  const call = async (callerId: string): Promise<IvrCall> => {
    const c = new IvrCall(await harness.call({ callerId }), harness);
    await c.ready();
    return c;
  };

  it('the app killed (SIGKILL) with calls in Stasis: a new app process hangs them up and serves the next call', async () => {
    const first = await AppProcess.start(ast, t);
    apps.push(first);
    const idle = await call('+919876520001');
    const holding = await call('+919876520002');
    await idle.waitMedia('medq:main-menu');
    const from = await holding.pressAfter('doctor-menu-intro', '1', await holding.pressAfter('main-menu', '1'));
    await holding.waitMedia('medq:slot-offer-intro', { from });
    expect(holdsOf(holding.appChannelId)).toHaveLength(1);

    first.kill('SIGKILL');
    await first.exited;
    await sleep(500);
    // Nobody drives them now, but they are still up, parked in Stasis(medq).
    const left = await ast.ari.get<AriChannel[]>('/channels');
    const parked = left.filter((c) => inStasisOf(c, 'medq')).map((c) => c.id);
    expect(parked.sort()).toEqual([idle.appChannelId, holding.appChannelId].sort());

    const second = await AppProcess.start(ast, t);
    apps.push(second);
    try {
      await Promise.all([idle.ended(10_000), holding.ended(10_000)]);
      const swept = (id: string) => second.lines.some((l) => l.includes('hanging up a call left in Stasis') && l.includes(id));
      await expect.poll(() => swept(idle.appChannelId) && swept(holding.appChannelId), { timeout: 5_000 }).toBe(true);
      // The dead process's offer hold is let go at once, not after it expires.
      await expect.poll(() => holdsOf(holding.appChannelId), { timeout: 5_000 }).toEqual([]);

      const next = await call('+919876520003');
      await next.waitMedia('medq:main-menu');
      await next.hangup();
      await next.ended();
    } finally {
      // Never two ivr processes on one Asterisk app: the next test runs one in-process.
      second.kill('SIGTERM');
    }
    expect(await second.exited).toBe(0);
  }, 60_000);

  it('Asterisk restarted under a live app: state() goes down and up again, the dropped call lets its hold go, the next call books', async () => {
    const stack = await startIvrStack(ast, t, { menuTimeoutMs: 1500, harness });
    try {
      expect(stack.role.state()).toBe('up');
      const c = new IvrCall(await stack.harness.call({ callerId: '+919876520004' }), stack.harness);
      await c.ready();
      const from = await c.pressAfter('doctor-menu-intro', '1', await c.pressAfter('main-menu', '1'));
      await c.waitMedia('medq:slot-offer-intro', { from });
      expect(holdsOf(c.appChannelId)).toHaveLength(1);

      const states: { at: number; state: string }[] = [{ at: Date.now(), state: stack.role.state() }];
      const sampler = setInterval(() => {
        const s = stack.role.state();
        if (states[states.length - 1]!.state !== s) states.push({ at: Date.now(), state: s });
      }, 10);
      // A crash (SIGKILL), down for 3 s: longer than the first back-off steps, so the cap counts.
      await ast.restart({ kill: true, downMs: 3_000 });
      const asteriskBack = Date.now();
      expect(await stack.role.whenUp(10_000)).toBe(true);
      const servedAfterMs = Date.now() - asteriskBack;
      clearInterval(sampler);
      if (states[states.length - 1]!.state !== stack.role.state()) states.push({ at: Date.now(), state: stack.role.state() });
      console.log('[ivr] Asterisk restart:', JSON.stringify({ transitions: states.map((s) => s.state), upAgainAfterAsteriskMs: servedAfterMs, connects: stack.role.connects() }));
      expect(states.map((s) => s.state)).toEqual(['up', 'down', 'up']);
      expect(servedAfterMs).toBeLessThan(3_000); // back-off capped at 2 s
      expect(stack.role.connects()).toBe(2);
      // The call died with Asterisk: its session is dropped and the hold released.
      await expect.poll(() => holdsOf(c.appChannelId), { timeout: 5_000 }).toEqual([]);
      await expect.poll(() => stack.role.activeCalls(), { timeout: 5_000 }).toBe(0);

      await stack.harness.events.waitConnected(10_000);
      const phone = '+919876520005';
      const next = new IvrCall(await stack.harness.call({ callerId: phone }), stack.harness);
      await next.ready();
      const mark = await next.press('111');
      await next.waitMedia('medq:confirmed', { from: mark });
      expect(t.db.$client.prepare('select status from appointments where person_phone = ?').all(phone)).toEqual([{ status: 'booked' }]);

      // stop() with a call up hangs it up.
      const up = new IvrCall(await stack.harness.call({ callerId: '+919876520006' }), stack.harness);
      await up.ready();
      await up.waitMedia('medq:welcome');
      await stack.role.stop();
      await up.ended(5_000);
      await next.ended(5_000);
      expect(stack.role.state()).toBe('down');
    } finally {
      await stack.close();
    }
  }, 90_000);

  it('a burst of 200 ARI requests: an unbounded pool hits Asterisk\'s 100-session limit, the bounded pool (≤ 32) gets every answer; a replaced app reports down', async () => {
    const { logger, lines } = memoryLogger();
    const link = new AriLink({ url: ast.ariUrl, username: ast.ariUser, password: ast.ariPassword, app: 'medq-pool-check', logger });
    let ready!: () => void;
    const up = new Promise<void>((r) => (ready = r));
    link.start({ onEvent: () => undefined, onUp: () => ready(), onDown: () => undefined });
    try {
      await up;

      // Control: the same burst over an unbounded pool, one connection per request in flight.
      const unbounded = new http.Agent({ keepAlive: true, maxSockets: Infinity });
      const auth = 'Basic ' + Buffer.from(`${ast.ariUser}:${ast.ariPassword}`).toString('base64');
      const raw = () =>
        new Promise<boolean>((resolve) => {
          const req = http.request(`${ast.ariUrl}/ari/channels`, { agent: unbounded, headers: { authorization: auth } }, (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode === 200));
          });
          req.on('error', () => resolve(false));
          // Past its session limit Asterisk may leave a connection unanswered: a failure, not a hang.
          req.setTimeout(5_000, () => req.destroy(new Error('no answer')));
          req.end();
        });
      const control = await Promise.all(Array.from({ length: 200 }, raw));
      unbounded.destroy();
      const controlFailed = control.filter((ok) => !ok).length;
      expect(controlFailed).toBeGreaterThan(0);
      expect(await ast.readLog()).toMatch(/HTTP session count exceeded/);
      const logBefore = (await ast.readLog()).length;
      await sleep(500); // let Asterisk close those sessions

      // The same burst through the lean REST client the sessions use (keep-alive, ≤ 32).
      // (The link's WebSocket carries the app registration; its REST is this client.)
      const rest = createAriRest({ url: ast.ariUrl, username: ast.ariUser, password: ast.ariPassword, timeoutMs: 5_000, maxSockets: 32 });
      try {
        let leanPeak = 0;
        const leanSampler = setInterval(() => (leanPeak = Math.max(leanPeak, rest.socketsInUse())), 2);
        const lean = await Promise.allSettled(Array.from({ length: 200 }, () => rest.request<unknown[]>('list channels', 'GET', '/channels')));
        clearInterval(leanSampler);
        console.log('[ivr] lean ARI burst of 200 requests:', JSON.stringify({ failed: lean.filter((r) => r.status === 'rejected').length, peakSockets: leanPeak }));
        expect(lean.filter((r) => r.status === 'rejected')).toEqual([]);
        expect(lean.every((r) => r.status === 'fulfilled' && Array.isArray(r.value))).toBe(true);
        expect(leanPeak).toBeGreaterThan(1);
        expect(leanPeak).toBeLessThanOrEqual(32);
        expect((await ast.readLog()).slice(logBefore)).not.toMatch(/session count exceeded/i);
        // A playback that does not exist: rejected with ARI's own body, which reads as "gone".
        const missing = await rest.request('get playback', 'GET', '/playbacks/no-such-playback').then(() => null, (e: unknown) => e);
        expect(String((missing as Error)?.message)).toMatch(/Playback not found/);
        expect(isNotFound(missing)).toBe(true);
      } finally {
        rest.close();
      }

      // A second registration of the same app name takes every event from this one
      // (ApplicationReplaced): the link says so and reports down instead of fighting for it.
      const intruder = await AriEventStream.connect(ast, 'medq-pool-check');
      try {
        await expect.poll(() => link.state(), { timeout: 5_000 }).toBe('down');
        expect(lines.some((l) => l.level === 50 && /another process registered ARI application 'medq-pool-check'/.test(l.msg))).toBe(true);
      } finally {
        intruder.close();
      }
    } finally {
      await link.stop();
    }
  }, 60_000);

  it('Asterisk never logged a missing sound', async () => {
    expect(await ast.missingSounds()).toEqual([]);
  });
});
