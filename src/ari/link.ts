// The ARI link: the event WebSocket to Asterisk (ws[s]://host:port/ari/events?app=<ARI_APP>),
// which also registers the application, kept up for good.
//
// Our own `ws` client rather than ari-client (issue 10): ari-client loads Asterisk's whole API
// description through swagger-client at every connect and, for each event, builds resource
// objects with every ARI operation attached (16.6 % of the ivr process's busy main thread at 50
// calls). Here each frame is parsed once and the plain object goes to the sessions; REST goes
// through src/ari/rest.ts.
//
// SPEC §6 wants the IVR served again within seconds of Asterisk's return and never giving up, so
// when the socket drops (or never opens) a new one is made, retrying forever with a back-off
// capped at 2 s. A ping every pingIntervalMs finds a dead peer the kernel has not noticed; a
// second registration of our app elsewhere (ApplicationReplaced) reports the link down.
// Credentials go in the Authorization header only, never in a URL (Asterisk would also take
// ?api_key=user:pass, which ari-client used), so no URL this link logs or sends carries them.
//
// REST requests go over this same WebSocket when Asterisk answers them there ("ARI REST over
// WebSocket": RESTRequest/RESTResponse frames, Asterisk 22.4+, 21.9+, 20.14+), probed at each
// connect with GET asterisk/ping. It saves each request an HTTP exchange: node:http's request,
// agent and parser were a quarter of the ivr process's main thread at 100 calls (issue 10). An
// older Asterisk ignores the frame, and its requests keep going over HTTP (src/ari/rest.ts).
import WebSocket, { type RawData } from 'ws';
import { metrics } from '../metrics/index.js';
import { logUrl, type Logger } from '../shared/logger.js';
import type { AriEventJson } from './ari-json.js';
import { backoffDelays, cancellableSleep, TimeoutError, withTimeout } from './time.js';

export type LinkState = 'up' | 'down';
export type { AriEventJson } from './ari-json.js';

export interface AriLinkOptions {
  /** ARI_URL: http(s)://host:port (credentials in it are ignored; username/password are used). */
  url: string;
  username: string;
  password: string;
  app: string;
  logger: Logger;
  /** First retry delay, doubled per failure up to backoffMaxMs (SPEC: capped at 2 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Opening the WebSocket (connect, upgrade, registration) must finish within this. */
  connectTimeoutMs?: number;
  /** A WebSocket ping this often; no pong by the next one and the link is dropped and rebuilt. */
  pingIntervalMs?: number;
  /** Deadline of each REST request sent over the WebSocket (and of the connect-time probe). */
  requestTimeoutMs?: number;
  /** false: never send REST requests over the WebSocket (HTTP only), e.g. to test that path. */
  restOverSocket?: boolean;
  /**
   * After an unanswered connect-time probe, probe again this long after it (each delay after the
   * previous probe): a modern Asterisk too busy to answer within the deadline at connect is not left
   * on HTTP for the whole life of the connection. An older one just ignores a few more frames.
   */
  restProbeRetryMs?: number[];
}

/** ARI's answer to a RESTRequest frame. */
interface RestResponseJson {
  type: 'RESTResponse';
  request_id?: string;
  status_code?: number;
  message_body?: string;
}

interface PendingRequest {
  what: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

export interface AriLinkHandlers {
  /** Every event of our application, in WebSocket order, from the socket's first frame on. Must not throw. */
  onEvent(ev: AriEventJson): void;
  /** After each (re)connect, once the app is registered (events may already be flowing). */
  onUp(): Promise<void> | void;
  /** The link just went down (not called by stop()). */
  onDown(): void;
  /**
   * Event types onEvent never reads: their frames are dropped unparsed, told by their first bytes
   * (Asterisk writes an event's `type` first). A frame written otherwise is parsed as before.
   */
  ignoredEvents?: ReadonlySet<string>;
}

/** The channel an event is about (its own, or a playback's target), for the log's `call` field. */
export function callOfEvent(ev: AriEventJson): string | undefined {
  if (ev.channel?.id) return ev.channel.id;
  const target = ev.playback?.target_uri ?? '';
  return target.startsWith('channel:') ? target.slice('channel:'.length) : undefined;
}

export class AriUnavailableError extends Error {
  constructor() {
    super('ARI is not connected');
    this.name = 'AriUnavailableError';
  }
}

/** The events URL for ARI_URL (http→ws, https→wss), without credentials. */
export function ariEventsUrl(url: string, app: string): string {
  const u = new URL(url);
  u.protocol = u.protocol === 'https:' ? 'wss:' : 'ws:';
  u.username = '';
  u.password = '';
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/ari/events`;
  u.search = new URLSearchParams({ app, subscribeAll: 'false' }).toString();
  u.hash = '';
  return u.toString();
}

/** How long a deliberate close waits for Asterisk's close frame before dropping the socket. */
const CLOSE_GRACE_MS = 1_000;

export class AriLink {
  readonly #opts: Required<Omit<AriLinkOptions, 'logger'>>;
  readonly #log: Logger;
  readonly #eventsUrl: string;
  readonly #auth: string;
  #handlers: AriLinkHandlers | null = null;
  /** The current WebSocket (open, or opening), null between connections. */
  #socket: WebSocket | null = null;
  #state: LinkState = 'down';
  #stopped = false;
  /** Resolves when stop() is called, so a connect in progress is not waited out. */
  readonly #stopSignal: Promise<void>;
  #signalStop: () => void = () => undefined;
  #sleep: { cancel(): void } | null = null;
  #closeCurrent: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #connects = 0;
  /** Frames that were not an ARI event: logged at warn the first time, then now and then. */
  #badFrames = 0;
  #lastBadFrameLog = 0;
  /** ARI_URL as logged: without credentials, should the URL carry any. */
  readonly #where: string;
  /** Whether this connection's Asterisk answers REST requests on the WebSocket (probed at connect). */
  #restOverSocket = false;
  /** Frames dropped unparsed (AriLinkHandlers.ignoredEvents). */
  #framesIgnored = 0;
  /** The socket whose writes wait for the end of this tick (#corkForTick). */
  #corked: object | null = null;
  /** REST requests sent on the current socket, awaiting their RESTResponse, by request_id. */
  readonly #pending = new Map<string, PendingRequest>();
  #nextRequestId = 0;

  constructor(opts: AriLinkOptions) {
    this.#opts = {
      url: opts.url.replace(/\/+$/, ''),
      username: opts.username,
      password: opts.password,
      app: opts.app,
      backoffInitialMs: opts.backoffInitialMs ?? 100,
      backoffMaxMs: opts.backoffMaxMs ?? 2_000,
      connectTimeoutMs: opts.connectTimeoutMs ?? 10_000,
      pingIntervalMs: opts.pingIntervalMs ?? 15_000,
      requestTimeoutMs: opts.requestTimeoutMs ?? 5_000,
      restOverSocket: opts.restOverSocket ?? true,
      restProbeRetryMs: opts.restProbeRetryMs ?? [10_000, 60_000],
    };
    this.#log = opts.logger;
    this.#where = logUrl(this.#opts.url);
    this.#eventsUrl = ariEventsUrl(this.#opts.url, opts.app);
    this.#auth = 'Basic ' + Buffer.from(`${opts.username}:${opts.password}`).toString('base64');
    this.#stopSignal = new Promise((resolve) => (this.#signalStop = resolve));
  }

  state(): LinkState {
    return this.#state;
  }

  /** How many times the link has come up (1 after the first connect). */
  get connects(): number {
    return this.#connects;
  }

  /**
   * Whether requests to ARI make sense now: a WebSocket is open or opening (as with ari-client,
   * whose client existed from the API description on). Throws AriUnavailableError otherwise.
   */
  assertAvailable(): void {
    if (!this.#socket) throw new AriUnavailableError();
  }

  /** Whether REST requests go over the WebSocket now (else over HTTP, src/ari/rest.ts). */
  get restOverSocket(): boolean {
    return this.#restOverSocket && this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Event frames dropped unparsed since start (AriLinkHandlers.ignoredEvents). */
  get framesIgnored(): number {
    return this.#framesIgnored;
  }

  /** REST requests sent over the WebSocket and not yet answered. */
  requestsInFlight(): number {
    return this.#pending.size;
  }

  /**
   * One REST request over the WebSocket (only while restOverSocket). `path` below /ari, encoded,
   * query included. Resolves with the parsed JSON body; rejects with ARI's own body as message
   * (as src/ari/rest.ts does, so `isNotFound` reads both), on the deadline, or when the socket drops.
   */
  request<T = unknown>(what: string, method: 'GET' | 'POST' | 'DELETE', path: string): Promise<T> {
    const ws = this.#socket;
    if (!ws || !this.restOverSocket) return Promise.reject(new AriUnavailableError());
    return this.#send<T>(ws, what, method, path, this.#opts.requestTimeoutMs);
  }

  #send<T>(ws: WebSocket, what: string, method: string, path: string, timeoutMs: number): Promise<T> {
    const id = String(++this.#nextRequestId);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new TimeoutError(`ARI ${what}`, timeoutMs));
      }, timeoutMs);
      this.#pending.set(id, { what, resolve: resolve as (v: unknown) => void, reject, timer });
      this.#corkForTick(ws);
      // ARI takes the URI without a leading slash (with one it answers 405 "Invalid method").
      ws.send(JSON.stringify({ type: 'RESTRequest', request_id: id, method, uri: path.replace(/^\/+/, '') }), (err) => {
        if (err) this.#settle(id, undefined, err);
      });
    });
  }

  /**
   * Holds the socket's writes until the current tick ends, so the requests one burst of events
   * makes (a read of the socket often carries frames for many calls) leave in one write instead of
   * a system call each: at 200 calls the requests' socket writes were a tenth of the ivr role's
   * main thread (issue 10). Nothing waits longer: the writes go out before the event loop reads again.
   */
  #corkForTick(ws: WebSocket): void {
    // ws keeps its net.Socket in `_socket` (not public API): without one, writes go out as before.
    const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket || this.#corked === socket) return;
    socket.cork();
    this.#corked = socket;
    process.nextTick(() => {
      if (this.#corked === socket) this.#corked = null;
      socket.uncork();
    });
  }

  #settle(id: string, res: RestResponseJson | undefined, err?: Error): void {
    const p = this.#pending.get(id);
    if (!p) return; // timed out already, or its socket dropped
    this.#pending.delete(id);
    clearTimeout(p.timer);
    if (err || !res) {
      p.reject(err ?? new Error(`ARI ${p.what}: no answer`));
      return;
    }
    const status = res.status_code ?? 0;
    const body = res.message_body ?? '';
    if (status >= 200 && status < 300) {
      try {
        p.resolve(body ? JSON.parse(body) : undefined);
      } catch {
        p.reject(new Error(`ARI ${p.what}: not JSON`));
      }
    } else p.reject(new Error(body || `ARI ${p.what}: HTTP ${status}`));
  }

  /** Every request still waiting on a socket that is gone: failed now, not at its deadline. */
  #failPending(): void {
    for (const id of [...this.#pending.keys()]) this.#settle(id, undefined, new AriUnavailableError());
  }

  /** Whether Asterisk answers a REST request on this WebSocket (22.4+); an older one ignores it. */
  async #probeRestOverSocket(ws: WebSocket): Promise<boolean> {
    if (!this.#opts.restOverSocket) return false;
    try {
      // Short: an older Asterisk never answers, and the calls' HTTP path works meanwhile.
      await this.#send(ws, 'ping', 'GET', 'asterisk/ping', Math.min(2_000, this.#opts.requestTimeoutMs));
      return true;
    } catch {
      return false;
    }
  }

  /** The connect-time probe went unanswered: tries again after each delay while this socket lasts. */
  #probeAgainLater(ws: WebSocket, delays: number[]): void {
    const delay = delays.shift();
    if (delay === undefined || !this.#opts.restOverSocket) return;
    const timer = setTimeout(() => {
      if (this.#socket !== ws || this.#stopped) return;
      void this.#probeRestOverSocket(ws).then((overSocket) => {
        if (this.#socket !== ws || this.#stopped) return;
        if (!overSocket) return this.#probeAgainLater(ws, delays);
        this.#restOverSocket = true;
        this.#log.info({ ari: this.#where, rest: 'websocket' }, 'ARI answered REST over the WebSocket at a later probe; requests go there from now on');
      });
    }, delay);
    timer.unref();
  }

  start(handlers: AriLinkHandlers): void {
    if (this.#loop) return;
    this.#handlers = handlers;
    this.#loop = this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    this.#signalStop();
    this.#sleep?.cancel();
    this.#closeCurrent?.();
    await this.#loop;
  }

  async #run(): Promise<void> {
    let delay = backoffDelays(this.#opts.backoffInitialMs, this.#opts.backoffMaxMs);
    let failures = 0;
    let lastLoud = 0;
    while (!this.#stopped) {
      let wasUp = false;
      try {
        wasUp = await this.#session();
      } catch (err) {
        failures += 1;
        // Asterisk down (at start or for a while) is expected: say so now and then, not per try.
        const now = Date.now();
        const loud = failures === 1 || now - lastLoud >= 30_000;
        if (loud) lastLoud = now;
        this.#log[loud ? 'warn' : 'debug'](
          { ari: this.#where, attempt: failures, err: errorText(err) },
          'cannot connect to ARI; retrying',
        );
      }
      if (wasUp) {
        failures = 0;
        delay = backoffDelays(this.#opts.backoffInitialMs, this.#opts.backoffMaxMs);
      }
      if (this.#stopped) break;
      const sleep = cancellableSleep(delay());
      this.#sleep = sleep;
      await sleep.done;
      this.#sleep = null;
    }
  }

  /**
   * One connection from scratch until it drops. Throws when it could not be made; resolves
   * true once a connection that was up has ended (or false if stopped before it came up).
   */
  async #session(): Promise<boolean> {
    const { app, connectTimeoutMs } = this.#opts;
    const ws = new WebSocket(this.#eventsUrl, {
      headers: { authorization: this.#auth },
      handshakeTimeout: connectTimeoutMs,
      perMessageDeflate: false,
      followRedirects: false,
    });
    // Resolves with a reason when this socket closes or fails (ws emits 'close' after 'error').
    const closed = new Promise<string>((resolve) => {
      ws.on('error', (err) => resolve(`error: ${upgradeErrorText(err)}`));
      ws.on('close', (code, reason) => resolve(`closed (${code}${reason.length > 0 ? `: ${reason.toString()}` : ''})`));
    });
    // Requests on a socket that closed get no answer: they fail now (the probe included).
    ws.once('close', () => {
      if (this.#socket === ws) this.#failPending();
    });
    // Events are handled from the first frame on (a call may arrive as the app registers);
    // #discard removes this listener, so a dropped socket's late frames go nowhere.
    ws.on('message', (data, isBinary) => this.#onFrame(ws, data, isBinary));
    this.#socket = ws;

    const opened = new Promise<void>((resolve) => ws.once('open', () => resolve()));
    const stopped = this.#stopSignal.then(() => null);
    try {
      await withTimeout(
        Promise.race([
          opened,
          closed.then((why) => Promise.reject(new Error(`WebSocket closed before it opened: ${why}`))),
          stopped,
        ]),
        connectTimeoutMs,
        'ARI WebSocket',
      );
    } catch (err) {
      this.#discard(ws);
      throw err;
    }
    if (this.#stopped) {
      this.#discard(ws);
      return false;
    }

    // Open means registered: Asterisk registers the app as it accepts the upgrade.
    this.#state = 'up';
    this.#connects += 1;
    metrics.ariUp.set(1);
    if (this.#connects > 1) metrics.reconnects.inc({ link: 'ari' });
    this.#closeCurrent = () => this.#discard(ws);
    const stopPing = this.#keepAlive(ws);
    // Until the probe answers, requests go over HTTP: calls may already be arriving, and onUp's
    // own requests do not wait for it (an older Asterisk never answers the probe).
    void this.#probeRestOverSocket(ws).then((overSocket) => {
      if (this.#socket !== ws) return;
      this.#restOverSocket = overSocket;
      this.#log.info({ ari: this.#where, app, connects: this.#connects, rest: overSocket ? 'websocket' : 'http' }, 'ARI connected; application registered');
      if (!overSocket) this.#probeAgainLater(ws, [...this.#opts.restProbeRetryMs]);
    });
    try {
      await this.#handlers?.onUp();
    } catch (err) {
      this.#log.error({ err: errorText(err) }, 'ARI on-connect work failed');
    }

    const reason = await closed;
    stopPing();
    this.#closeCurrent = null;
    const wasUp = this.#state === 'up';
    this.#state = 'down';
    metrics.ariUp.set(0);
    this.#discard(ws);
    if (!this.#stopped && wasUp) {
      this.#log.warn({ ari: this.#where, reason }, 'ARI link down; reconnecting');
      this.#handlers?.onDown();
    }
    return true;
  }

  /** One WebSocket frame: parsed once, handed on as a plain object. */
  #onFrame(ws: WebSocket, data: RawData, isBinary: boolean): void {
    if (this.#socket !== ws) return;
    // Half a booking call's frames are events the IVR does not read (a playback started, a
    // channel variable set…): parsing each was a good part of the event path's CPU (issue 10).
    const ignored = this.#handlers?.ignoredEvents;
    if (ignored && !isBinary && Buffer.isBuffer(data)) {
      const type = leadingEventType(data);
      if (type !== null && ignored.has(type)) {
        this.#framesIgnored += 1;
        return;
      }
    }
    let ev: AriEventJson;
    try {
      if (isBinary) throw new Error('a binary frame');
      const parsed: unknown = JSON.parse(frameText(data));
      if (typeof parsed !== 'object' || parsed === null || typeof (parsed as { type?: unknown }).type !== 'string') {
        throw new Error('not an ARI event (no type)');
      }
      ev = parsed as AriEventJson;
    } catch (err) {
      this.#badFrame(data, isBinary, err);
      return;
    }
    if (ev.type === 'RESTResponse') {
      const res = ev as unknown as RestResponseJson;
      this.#settle(String(res.request_id ?? ''), res);
      return;
    }
    try {
      this.#handlers?.onEvent(ev);
    } catch (err) {
      // Thrown inside ws's frame handler it would end the process.
      this.#log.error({ call: callOfEvent(ev), err: errorText(err), event: ev.type }, 'ARI event handler failed');
    }
    if (ev.type === 'ApplicationReplaced') this.#replaced(ws);
  }

  /** A frame that is not an event (Asterisk sends none): logged, without its content, and skipped. */
  #badFrame(data: RawData, isBinary: boolean, err: unknown): void {
    this.#badFrames += 1;
    const now = Date.now();
    const loud = this.#badFrames === 1 || now - this.#lastBadFrameLog >= 30_000;
    if (loud) this.#lastBadFrameLog = now;
    this.#log[loud ? 'warn' : 'debug'](
      { ari: this.#where, bytes: frameBytes(data), binary: isBinary, err: errorText(err), badFrames: this.#badFrames },
      'ARI sent a WebSocket frame that is not an event; ignored',
    );
  }

  /**
   * Asterisk sends ApplicationReplaced when another WebSocket registers the same app name (a
   * second ivr process on this Asterisk): from then on every event goes to the other one.
   * Re-registering would only take the calls back and forth, so this link reports itself down,
   * says why, and stays out of the way until its connection ends.
   */
  #replaced(ws: WebSocket): void {
    if (this.#socket !== ws || this.#state !== 'up') return;
    const { app } = this.#opts;
    this.#state = 'down';
    metrics.ariUp.set(0);
    this.#log.error(
      { ari: this.#where, app },
      `another process registered ARI application '${app}' on this Asterisk; this one no longer receives calls (run one ivr process per Asterisk)`,
    );
    this.#handlers?.onDown();
  }

  /** Pings the WebSocket; a missing pong means a dead peer the kernel has not noticed yet. */
  #keepAlive(ws: WebSocket): () => void {
    let answered = true;
    const onPong = (): void => {
      answered = true;
    };
    ws.on('pong', onPong);
    const timer = setInterval(() => {
      if (!answered) {
        this.#log.warn({ ari: this.#where }, 'ARI WebSocket did not answer a ping; dropping it');
        ws.terminate();
        return;
      }
      answered = false;
      try {
        ws.ping();
      } catch {
        // a closing socket: the close handler does the rest
      }
    }, this.#opts.pingIntervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      ws.off('pong', onPong);
    };
  }

  /** Closes a socket for good: a clean close (Asterisk logs an abrupt one), cut short after a second. */
  #discard(ws: WebSocket): void {
    if (this.#socket === ws) {
      this.#socket = null;
      this.#restOverSocket = false;
      this.#failPending();
    }
    ws.removeAllListeners('message');
    if (ws.readyState === WebSocket.CONNECTING) {
      ws.terminate();
    } else if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CLOSING) {
      if (ws.readyState === WebSocket.OPEN) ws.close(1000);
      const cut = setTimeout(() => ws.terminate(), CLOSE_GRACE_MS);
      cut.unref();
      ws.once('close', () => clearTimeout(cut));
    }
  }
}

const TYPE_FIRST = Buffer.from('{"type":"');

/** The event type an ARI frame names first (`{"type":"PlaybackStarted",…`), else null. */
export function leadingEventType(frame: Buffer): string | null {
  const from = TYPE_FIRST.length;
  if (frame.length <= from || frame.compare(TYPE_FIRST, 0, from, 0, from) !== 0) return null;
  const end = frame.indexOf(0x22, from);
  return end > from && end - from <= 64 ? frame.toString('latin1', from, end) : null;
}

function frameText(data: RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}

function frameBytes(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

/** ws's upgrade failures name the status only; a 401 gets the likely cause. */
function upgradeErrorText(err: unknown): string {
  const text = errorText(err);
  return /Unexpected server response: 401\b/.test(text) ? `${text} (ARI_USERNAME / ARI_PASSWORD refused)` : text;
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err === undefined || err === null) return 'unknown';
  return String(err);
}
