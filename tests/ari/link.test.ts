// The ARI link's own WebSocket client (src/ari/link.ts) against a fake ARI events endpoint (a `ws`
// server): what it asks for, how frames reach the sessions, and what it does when the socket
// misbehaves. The same guarantees on a real Asterisk (restart, ApplicationReplaced, orphans) are in
// ivr-resilience.test.ts.
import type { IncomingMessage } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AriEventJson } from '../../src/ari/ari-json.js';
import { AriLink } from '../../src/ari/link.js';
import { isNotFound } from '../../src/ari/ops.js';
import { memoryLogger, sleep } from './support-ivr.js';

async function until(pred: () => boolean, what: string, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

const PASSWORD = 'pa55-not-in-any-log';

/** A fake ARI events endpoint: records each upgrade request and hands out the sockets. */
async function fakeAri(opts: { autoPong?: boolean; refuse?: number; answerRest?: boolean; ignorePings?: number } = {}) {
  const requests: IncomingMessage[] = [];
  /** RESTRequest frames received (answered when answerRest, as Asterisk 22.4+ does; else ignored, as older ones do). */
  const restRequests: Array<{ request_id: string; method: string; uri: string }> = [];
  const sockets: WebSocket[] = [];
  const closes: number[] = [];
  const wss = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    autoPong: opts.autoPong ?? true,
    verifyClient: (info, done) => {
      requests.push(info.req);
      if (opts.refuse) done(false, opts.refuse);
      else done(true);
    },
  });
  let onConnection: (ws: WebSocket) => void = () => undefined;
  let pingsIgnored = 0;
  wss.on('connection', (ws) => {
    sockets.push(ws);
    ws.on('close', (code) => closes.push(code));
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; request_id: string; method: string; uri: string };
      if (m.type !== 'RESTRequest') return;
      restRequests.push(m);
      if (!opts.answerRest || m.uri.startsWith('hold/')) return; // hold/…: answered by nobody
      // A busy Asterisk that misses the first probes' deadline.
      if (m.uri === 'asterisk/ping' && pingsIgnored < (opts.ignorePings ?? 0)) return void (pingsIgnored += 1);
      const answer = (status_code: number, body: string) =>
        ws.send(JSON.stringify({ type: 'RESTResponse', request_id: m.request_id, status_code, uri: m.uri, content_type: 'application/json', message_body: body, application: 'medq' }));
      if (m.uri === 'asterisk/ping') answer(200, '{"ping":"pong"}');
      else if (m.uri.startsWith('playbacks/')) answer(404, '{"message":"Playback not found"}');
      else if (m.uri.startsWith('/')) answer(405, '{"message":"Invalid method"}'); // as Asterisk
      else answer(200, JSON.stringify({ method: m.method, uri: m.uri }));
    });
    onConnection(ws);
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  const port = (wss.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    restRequests,
    sockets,
    closes,
    /** Runs on every new connection (before the client sees anything else). */
    set onConnection(fn: (ws: WebSocket) => void) {
      onConnection = fn;
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of wss.clients) s.terminate();
        wss.close(() => r());
      }),
  };
}

const event = (type: string, extra: Record<string, unknown> = {}): AriEventJson => ({
  type,
  application: 'medq',
  timestamp: new Date().toISOString(),
  ...extra,
});

describe('ARI link: its own WebSocket client', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function setUp(opts: Parameters<typeof fakeAri>[0] & { pingIntervalMs?: number; requestTimeoutMs?: number; restProbeRetryMs?: number[] } = {}) {
    const server = await fakeAri(opts);
    const { logger, lines } = memoryLogger();
    const link = new AriLink({
      url: `http://medq:${PASSWORD}@${server.url.slice('http://'.length)}/`,
      username: 'medq',
      password: PASSWORD,
      app: 'medq',
      logger,
      backoffInitialMs: 20,
      backoffMaxMs: 100,
      connectTimeoutMs: 1_000,
      // The connect-time probe for REST over the WebSocket waits this long on a fake that ignores it.
      requestTimeoutMs: opts.requestTimeoutMs ?? 300,
      ...(opts.pingIntervalMs ? { pingIntervalMs: opts.pingIntervalMs } : {}),
      ...(opts.restProbeRetryMs ? { restProbeRetryMs: opts.restProbeRetryMs } : {}),
    });
    cleanups.push(server.close);
    cleanups.push(() => link.stop());
    return { server, link, lines };
  }

  it('asks for /ari/events?app=…&subscribeAll=false with basic auth and no credentials in the URL; events arrive as parsed objects, in order; frames that are not events are logged without their content and skipped', async () => {
    const { server, link, lines } = await setUp();
    const seen: AriEventJson[] = [];
    let ups = 0;
    link.start({ onEvent: (ev) => seen.push(ev), onUp: () => void (ups += 1), onDown: () => undefined });
    await until(() => link.state() === 'up' && ups === 1, 'link up');

    const req = server.requests[0]!;
    expect(req.url).toBe('/ari/events?app=medq&subscribeAll=false');
    expect(req.headers.authorization).toBe('Basic ' + Buffer.from(`medq:${PASSWORD}`).toString('base64'));

    const ws = server.sockets[0]!;
    const a = event('StasisStart', { channel: { id: 'c1' }, args: ['7000'] });
    const b = event('ChannelDtmfReceived', { channel: { id: 'c1' }, digit: '1' });
    ws.send(JSON.stringify(a));
    ws.send('{"type":"ChannelDtmfReceived","caller":"+91 98765 00000"'); // cut short
    ws.send('{"no":"type","caller":"+91 98765 00000"}');
    ws.send('"+91 98765 00000"');
    ws.send(Buffer.from('{"type":"binary"}'), { binary: true });
    ws.send(JSON.stringify(b));
    await until(() => seen.length === 2, 'both events');
    expect(seen).toEqual([a, b]);
    expect(Object.getPrototypeOf(seen[0])).toBe(Object.prototype); // a plain object, nothing attached

    const bad = lines.filter((l) => l.msg === 'ARI sent a WebSocket frame that is not an event; ignored');
    expect(bad).toHaveLength(4);
    expect(bad.map((l) => l.level)).toEqual([40, 20, 20, 20]); // warn once, then debug (no log flood)
    expect(link.state()).toBe('up');
    expect(link.connects).toBe(1);
    // Neither the frames' content nor the password reaches the log.
    const all = lines.map((l) => JSON.stringify(l)).join('\n');
    expect(all).not.toContain('98765');
    expect(all).not.toContain(PASSWORD);
    expect(all).toContain(`"ari":"http://127.0.0.1:`);
  });

  it('event types the handler never reads are dropped unparsed when their frame names the type first; any other frame is parsed and handed on', async () => {
    const { server, link } = await setUp();
    const seen: AriEventJson[] = [];
    link.start({ onEvent: (ev) => seen.push(ev), onUp: () => undefined, onDown: () => undefined, ignoredEvents: new Set(['PlaybackStarted', 'ChannelVarset']) });
    await until(() => link.state() === 'up', 'link up');
    const ws = server.sockets[0]!;
    const finished = event('PlaybackFinished', { playback: { id: 'p1', target_uri: 'channel:c1' } });
    ws.send(JSON.stringify(event('PlaybackStarted', { playback: { id: 'p1', target_uri: 'channel:c1' } })));
    ws.send(JSON.stringify(event('ChannelVarset', { channel: { id: 'c1' }, variable: 'X', value: '1' })));
    // Written another way (spaces, another key first): parsed, and handed on like any event.
    ws.send('{ "type": "ChannelVarset", "channel": { "id": "c1" } }');
    ws.send('{"timestamp":"2026-12-03T00:00:00Z","type":"PlaybackStarted"}');
    ws.send(JSON.stringify(finished));
    await until(() => seen.some((e) => e.type === 'PlaybackFinished'), 'PlaybackFinished');
    expect(seen.map((e) => e.type)).toEqual(['ChannelVarset', 'PlaybackStarted', 'PlaybackFinished']);
    expect(seen[2]).toEqual(finished);
    expect(link.framesIgnored).toBe(2);
  });

  it('REST over the WebSocket when Asterisk answers it: probed at connect, bodies parsed, ARI’s error body as the error, a dropped socket fails what waits at once', async () => {
    const { server, link, lines } = await setUp({ answerRest: true, requestTimeoutMs: 2_000 });
    let ups = 0;
    link.start({ onEvent: () => undefined, onUp: () => void (ups += 1), onDown: () => undefined });
    const connected = () => lines.filter((l) => l.msg === 'ARI connected; application registered');
    await until(() => ups === 1 && connected().length === 1, 'link up, probed');
    expect(link.restOverSocket).toBe(true);
    expect(server.restRequests[0]).toMatchObject({ method: 'GET', uri: 'asterisk/ping' });
    expect(connected()[0]).toMatchObject({ rest: 'websocket' });

    // The path as the HTTP client has it (leading slash, query encoded): sent without the slash.
    expect(await link.request('play', 'POST', '/channels/c1/play/p1?media=sound%3Amedq%2Fa&lang=en')).toEqual({
      method: 'POST',
      uri: 'channels/c1/play/p1?media=sound%3Amedq%2Fa&lang=en',
    });
    const missing = await link.request('get playback', 'GET', '/playbacks/p9').then(() => null, (e: unknown) => e);
    expect(isNotFound(missing)).toBe(true);
    expect((missing as Error).message).toBe('{"message":"Playback not found"}');

    // Asterisk gone with requests unanswered: they fail at once, not at their deadline.
    const waiting = [link.request('a', 'GET', '/hold/1'), link.request('b', 'GET', '/hold/2')].map((p) => p.then(() => 'answered', (e: Error) => e.message));
    await until(() => link.requestsInFlight() === 2, 'two requests in flight');
    const t0 = Date.now();
    server.sockets[0]!.terminate();
    expect(await Promise.all(waiting)).toEqual(['ARI is not connected', 'ARI is not connected']);
    expect(Date.now() - t0).toBeLessThan(1_000);
    expect(link.requestsInFlight()).toBe(0);
    expect(link.restOverSocket).toBe(false);
    await expect(link.request('c', 'GET', '/channels')).rejects.toThrow('ARI is not connected');
    // Back up: probed again.
    await until(() => ups === 2 && connected().length === 2, 'link up again, probed');
    expect(link.restOverSocket).toBe(true);
  });

  it('an Asterisk that ignores REST on the WebSocket (before 22.4): after the probe REST stays on HTTP, and the link is up all the same', async () => {
    const { server, link, lines } = await setUp({ answerRest: false });
    let ups = 0;
    link.start({ onEvent: () => undefined, onUp: () => void (ups += 1), onDown: () => undefined });
    // Up at once (onUp does not wait for the probe); the probe gives up after its deadline.
    await until(() => ups === 1, 'link up');
    expect(link.state()).toBe('up');
    const connected = () => lines.find((l) => l.msg === 'ARI connected; application registered');
    await until(() => connected() !== undefined, 'the probe given up');
    expect(connected()).toMatchObject({ rest: 'http' });
    expect(server.restRequests).toHaveLength(1);
    expect(link.restOverSocket).toBe(false);
    await expect(link.request('c', 'GET', '/channels')).rejects.toThrow('ARI is not connected');
  });

  it('an Asterisk too busy to answer the connect-time probe: REST starts on HTTP and moves to the WebSocket when a later probe is answered', async () => {
    const { server, link, lines } = await setUp({ answerRest: true, ignorePings: 2, restProbeRetryMs: [50, 50, 50] });
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => undefined });
    await until(() => lines.some((l) => l.msg === 'ARI connected; application registered'), 'the first probe given up');
    expect(lines.find((l) => l.msg === 'ARI connected; application registered')).toMatchObject({ rest: 'http' });
    expect(link.restOverSocket).toBe(false);
    // The second probe is missed too; the third is answered.
    await until(() => link.restOverSocket, 'a later probe answered');
    expect(server.restRequests.filter((r) => r.uri === 'asterisk/ping')).toHaveLength(3);
    expect(lines.find((l) => l.msg.includes('at a later probe'))).toMatchObject({ rest: 'websocket' });
    expect(await link.request('c', 'GET', 'channels')).toEqual({ method: 'GET', uri: 'channels' });
  });

  it('a handler that throws is logged with the event and the call; the next event is still delivered', async () => {
    const { server, link, lines } = await setUp();
    const seen: string[] = [];
    link.start({
      onEvent: (ev) => {
        if (ev.type === 'StasisStart') throw new Error('boom');
        seen.push(ev.type);
      },
      onUp: () => undefined,
      onDown: () => undefined,
    });
    await until(() => link.state() === 'up', 'link up');
    server.sockets[0]!.send(JSON.stringify(event('StasisStart', { channel: { id: 'c9' } })));
    server.sockets[0]!.send(JSON.stringify(event('StasisEnd', { channel: { id: 'c9' } })));
    await until(() => seen.length === 1, 'the next event');
    expect(seen).toEqual(['StasisEnd']);
    expect(lines).toContainEqual(expect.objectContaining({ level: 50, msg: 'ARI event handler failed', call: 'c9', event: 'StasisStart', err: 'boom' }));
  });

  it('a dropped socket: onDown, a new socket within the capped back-off, and an event Asterisk sends the moment it opens reaches the sessions while onUp is still at work', async () => {
    const { server, link, lines } = await setUp();
    const seen: string[] = [];
    let downs = 0;
    let finishUp: () => void = () => undefined;
    let upsStarted = 0;
    link.start({
      onEvent: (ev) => seen.push(`${ev.type}:${(ev.channel as { id?: string } | undefined)?.id ?? ''}`),
      // The second onUp hangs (its channel list, say, is slow) until the test lets it go.
      onUp: () => {
        upsStarted += 1;
        if (upsStarted === 2) return new Promise<void>((r) => (finishUp = r));
      },
      onDown: () => void (downs += 1),
    });
    await until(() => link.state() === 'up', 'first connect');
    server.onConnection = (ws) => {
      ws.send(JSON.stringify(event('StasisStart', { channel: { id: 'early' } })));
      ws.send(JSON.stringify(event('ChannelDtmfReceived', { channel: { id: 'early' }, digit: '5' })));
    };
    const droppedAt = Date.now();
    server.sockets[0]!.terminate();
    await until(() => downs === 1, 'onDown');
    await until(() => seen.length === 2, 'the events on the new socket');
    expect(Date.now() - droppedAt).toBeLessThan(1_000); // back-off here capped at 100 ms
    expect(seen).toEqual(['StasisStart:early', 'ChannelDtmfReceived:early']);
    expect(upsStarted).toBe(2); // onUp is running, not finished
    expect(link.state()).toBe('up');
    expect(link.connects).toBe(2);
    expect(lines.some((l) => l.level === 40 && l.msg === 'ARI link down; reconnecting')).toBe(true);
    finishUp();
  });

  it('a peer that stops answering pings is dropped and the link rebuilt', async () => {
    const { server, link, lines } = await setUp({ autoPong: false, pingIntervalMs: 50 });
    let downs = 0;
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => void (downs += 1) });
    await until(() => link.connects >= 2, 'a second connection', 3_000);
    expect(downs).toBeGreaterThanOrEqual(1);
    expect(lines.some((l) => l.level === 40 && l.msg === 'ARI WebSocket did not answer a ping; dropping it')).toBe(true);
    expect(server.requests.length).toBeGreaterThanOrEqual(2);
  });

  it('ApplicationReplaced: the link says why, reports down once, and does not re-register while its socket stays open', async () => {
    const { server, link, lines } = await setUp();
    let downs = 0;
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => void (downs += 1) });
    await until(() => link.state() === 'up', 'link up');
    server.sockets[0]!.send(JSON.stringify(event('ApplicationReplaced')));
    await until(() => link.state() === 'down', 'down');
    await sleep(300);
    expect(downs).toBe(1);
    expect(server.requests).toHaveLength(1);
    expect(lines.filter((l) => l.level === 50 && /another process registered ARI application 'medq'/.test(l.msg))).toHaveLength(1);
  });

  it('wrong credentials (401): retried, logged with the likely cause and without the password', async () => {
    const { server, link, lines } = await setUp({ refuse: 401 });
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => undefined });
    await until(() => server.requests.length >= 3, 'three attempts');
    expect(link.state()).toBe('down');
    const warn = lines.find((l) => l.msg === 'cannot connect to ARI; retrying' && l.level === 40);
    expect(warn?.err).toMatch(/401.*ARI_USERNAME \/ ARI_PASSWORD refused/);
    expect(lines.map((l) => JSON.stringify(l)).join('\n')).not.toContain(PASSWORD);
  });

  it('stop() closes the socket cleanly (code 1000) and promptly; stop() during a connect that hangs is prompt too', async () => {
    const { server, link } = await setUp();
    link.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => undefined });
    await until(() => link.state() === 'up', 'link up');
    let t0 = Date.now();
    await link.stop();
    expect(Date.now() - t0).toBeLessThan(1_000);
    await until(() => server.closes.length === 1, 'the server sees the close');
    expect(server.closes).toEqual([1000]);
    expect(link.state()).toBe('down');

    // A server that accepts TCP but never answers the upgrade.
    const net = await import('node:net');
    const silent = net.createServer((s) => s.resume()); // reads (and so sees the client's close) but never answers
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    cleanups.push(() => new Promise<void>((r) => silent.close(() => r())));
    const hanging = new AriLink({
      url: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      username: 'medq',
      password: PASSWORD,
      app: 'medq',
      logger: memoryLogger().logger,
      connectTimeoutMs: 10_000,
    });
    hanging.start({ onEvent: () => undefined, onUp: () => undefined, onDown: () => undefined });
    await sleep(200);
    t0 = Date.now();
    await hanging.stop();
    expect(Date.now() - t0).toBeLessThan(500);
  });
});
