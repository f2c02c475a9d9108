// The ARI link: one ari-client connection (REST + event WebSocket) to Asterisk that stays up.
//
// ari-client re-opens a dropped WebSocket by itself, but with a back-off that grows to 10 s and
// gives up for good after 10 tries (WebSocketMaxRetries). SPEC §6 wants the IVR served again
// within seconds of Asterisk's return and never giving up, so the link owns reconnection: when
// the socket drops, the client is discarded and a new one is built from scratch (API description,
// WebSocket, app registration), retrying forever with a back-off capped at 2 s. ari-client's own
// retry loop is kept from starting (see #watchSocket); WebSocketMaxRetries and
// WebSocketReconnecting are still handled, as a second line, the same way.
import { metrics } from '../metrics/index.js';
import { EventEmitter } from 'node:events';
import http from 'node:http';
import https from 'node:https';
import { createRequire } from 'node:module';
import ariClient from 'ari-client';
import { logUrl, type Logger } from '../shared/logger.js';
import { backoffDelays, cancellableSleep, withTimeout } from './time.js';

export type LinkState = 'up' | 'down';
export type AriEventJson = ariClient.EventJson;
export type AriClient = ariClient.Client;

export interface AriLinkOptions {
  url: string;
  username: string;
  password: string;
  app: string;
  logger: Logger;
  /** First retry delay, doubled per failure up to backoffMaxMs (SPEC: capped at 2 s). */
  backoffInitialMs?: number;
  backoffMaxMs?: number;
  /** Loading the API description and opening the WebSocket must finish within this. */
  connectTimeoutMs?: number;
  /** A WebSocket ping this often; no pong by the next one and the link is dropped and rebuilt. */
  pingIntervalMs?: number;
}

export interface AriLinkHandlers {
  /** Every event of our application, in WebSocket order. Must not throw. */
  onEvent(ev: AriEventJson): void;
  /** After each (re)connect, once the app is registered. */
  onUp(client: AriClient): Promise<void> | void;
  /** The link just went down (not called by stop()). */
  onDown(): void;
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

/**
 * ari-client sends REST requests through `request`/`shred` over Node's global HTTP agent, one
 * connection per request in flight. Asterisk's HTTP server allows `sessionlimit` (100) sessions,
 * so under load an unbounded pool fails calls with "HTTP session count exceeded". A bounded pool
 * queues requests instead. Process-wide: the adapter is the only user of the global agent.
 */
export function boundGlobalHttpPool(url: string, maxSockets = 32): http.Agent {
  const agent = url.startsWith('https:') ? https.globalAgent : http.globalAgent;
  if (!(agent.maxSockets <= maxSockets)) agent.maxSockets = maxSockets;
  return agent;
}

/**
 * swagger-client 2.0.26 (under ari-client) prints "This API is using a deprecated version of
 * Swagger!" with console.log on every connect, through a global `log` function it defines. That
 * would put a non-JSON line into the JSON log on stdout, so it is sent to the debug log instead.
 */
function quietSwaggerLog(logger: Logger): void {
  const g = globalThis as { log?: unknown };
  const current = g.log as ({ history?: unknown[] } & ((...a: unknown[]) => void)) | undefined;
  if (typeof current !== 'function' || (current as { medq?: boolean }).medq) return;
  const quiet = Object.assign((...args: unknown[]) => logger.debug({ swagger: args.map(String) }, 'swagger-client'), {
    medq: true,
  });
  g.log = quiet;
}

/**
 * swagger-client 2.0.26 (under ari-client) reports a failed API-description load by calling the
 * failure callback (ari-client then rejects connect()) and then *throwing* the message from inside
 * an HTTP response handler, where nothing can catch it: an Asterisk answering 401 (wrong
 * ARI_PASSWORD) or 503 (still booting) would end the process with an uncaught exception instead
 * of a retry. The throw is dropped; the failure callback still runs, so connect() still rejects.
 */
function hardenSwaggerClient(): void {
  const requireHere = createRequire(import.meta.url);
  const swagger = createRequire(requireHere.resolve('ari-client'))('swagger-client') as {
    SwaggerApi?: { prototype: { fail?: (message: unknown) => void; failure?: (message: unknown) => void; medqHardened?: boolean } };
  };
  const proto = swagger.SwaggerApi?.prototype;
  if (!proto || typeof proto.fail !== 'function' || proto.medqHardened) return;
  proto.fail = function fail(this: { failure?: (message: unknown) => void }, message: unknown) {
    this.failure?.(message);
  };
  proto.medqHardened = true;
}

/** The private parts of ari-client 2.2.0 the link relies on (the version is pinned exactly). */
interface ClientInternals {
  _ws?: EventEmitter & { terminate?(): void };
  _wsClosed?: boolean;
}

export class AriLink {
  readonly #opts: Required<Omit<AriLinkOptions, 'logger'>>;
  readonly #log: Logger;
  #handlers: AriLinkHandlers | null = null;
  #client: AriClient | null = null;
  #state: LinkState = 'down';
  #stopped = false;
  /** Resolves when stop() is called, so a connect in progress is not waited out. */
  readonly #stopSignal: Promise<void>;
  #signalStop: () => void = () => undefined;
  #sleep: { cancel(): void } | null = null;
  #closeCurrent: (() => void) | null = null;
  #loop: Promise<void> | null = null;
  #connects = 0;
  /** ARI_URL as logged: without credentials, should the URL carry any. */
  readonly #where: string;

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
    };
    this.#log = opts.logger;
    this.#where = logUrl(this.#opts.url);
    this.#stopSignal = new Promise((resolve) => (this.#signalStop = resolve));
  }

  state(): LinkState {
    return this.#state;
  }

  /** How many times the link has come up (1 after the first connect). */
  get connects(): number {
    return this.#connects;
  }

  /** The current client (connected, or opening its WebSocket), or AriUnavailableError. */
  client(): AriClient {
    if (!this.#client) throw new AriUnavailableError();
    return this.#client;
  }

  start(handlers: AriLinkHandlers): void {
    if (this.#loop) return;
    this.#handlers = handlers;
    hardenSwaggerClient();
    quietSwaggerLog(this.#log);
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
    const { url, username, password, app, connectTimeoutMs } = this.#opts;
    const connecting = ariClient.connect(url, username, password);
    const stopped = this.#stopSignal.then(() => null);
    const client = await withTimeout(Promise.race([connecting, stopped]), connectTimeoutMs, 'ARI API description');
    if (!client || this.#stopped) {
      // Stopped meanwhile: a client that still arrives is closed at once.
      void connecting.then((late) => this.#discard(late)).catch(() => undefined);
      return false;
    }

    // Events are handled from the first one on (a call may arrive as the app registers);
    // #discard removes this listener, so a dropped client's late events go nowhere.
    this.#client = client;
    client.on('*', (ev: AriEventJson) => {
      try {
        this.#handlers?.onEvent(ev);
      } catch (err) {
        // Thrown inside ari-client's WebSocket handler it would end the process.
        this.#log.error({ call: callOfEvent(ev), err: errorText(err), event: ev.type }, 'ARI event handler failed');
      }
    });
    const started = client.start(app);
    started.catch(() => undefined); // a failed start is seen through `closed` below
    const closed = this.#watchSocket(client);

    try {
      await withTimeout(
        Promise.race([
          started,
          closed.then((why) => Promise.reject(new Error(`WebSocket closed before it opened: ${why}`))),
          stopped,
        ]),
        connectTimeoutMs,
        'ARI WebSocket',
      );
    } catch (err) {
      this.#discard(client);
      throw err;
    }
    if (this.#stopped) {
      this.#discard(client);
      return false;
    }

    // Asterisk sends ApplicationReplaced when another WebSocket registers the same app name
    // (a second ivr process on this Asterisk): from then on every event goes to the other one.
    // Re-registering would only take the calls back and forth, so this link reports itself
    // down, says why, and stays out of the way until its connection ends.
    client.on('ApplicationReplaced', () => {
      if (this.#client !== client || this.#state !== 'up') return;
      this.#state = 'down';
      metrics.ariUp.set(0);
      this.#log.error(
        { ari: this.#where, app },
        `another process registered ARI application '${app}' on this Asterisk; this one no longer receives calls (run one ivr process per Asterisk)`,
      );
      this.#handlers?.onDown();
    });
    this.#state = 'up';
    this.#connects += 1;
    metrics.ariUp.set(1);
    if (this.#connects > 1) metrics.reconnects.inc({ link: 'ari' });
    this.#closeCurrent = () => this.#discard(client);
    const stopPing = this.#keepAlive(client);
    this.#log.info({ ari: this.#where, app, connects: this.#connects }, 'ARI connected; application registered');
    try {
      await this.#handlers?.onUp(client);
    } catch (err) {
      this.#log.error({ err: errorText(err) }, 'ARI on-connect work failed');
    }

    const reason = await closed;
    stopPing();
    this.#closeCurrent = null;
    const wasUp = this.#state === 'up';
    this.#state = 'down';
    metrics.ariUp.set(0);
    this.#client = null;
    this.#discard(client);
    if (!this.#stopped && wasUp) {
      this.#log.warn({ ari: this.#where, reason }, 'ARI link down; reconnecting');
      this.#handlers?.onDown();
    }
    return true;
  }

  /**
   * Resolves (with a reason) when this client's WebSocket closes or fails. Runs before
   * ari-client's own handlers and marks the close as deliberate, so ari-client does not start
   * its retry loop on a client the link is about to discard.
   */
  #watchSocket(client: AriClient): Promise<string> {
    const internals = client as unknown as ClientInternals;
    return new Promise<string>((resolve) => {
      const done = (why: string): void => {
        internals._wsClosed = true;
        resolve(why);
      };
      const ws = internals._ws;
      if (ws && typeof ws.prependListener === 'function') {
        ws.prependListener('error', (err: unknown) => done(`error: ${errorText(err)}`));
        ws.prependListener('close', (code: unknown) => done(`closed (${String(code)})`));
      }
      // Second line, if the first did not take: ari-client's own signals.
      client.once('WebSocketReconnecting', (err: unknown) => done(`reconnecting: ${errorText(err)}`));
      client.once('WebSocketMaxRetries', (err: unknown) => done(`WebSocketMaxRetries: ${errorText(err)}`));
    });
  }

  /** Pings the WebSocket; a missing pong means a dead peer the kernel has not noticed yet. */
  #keepAlive(client: AriClient): () => void {
    let answered = true;
    const onPong = (): void => {
      answered = true;
    };
    client.on('pong', onPong);
    const timer = setInterval(() => {
      if (!answered) {
        this.#log.warn('ARI WebSocket did not answer a ping; dropping it');
        (client as unknown as ClientInternals)._ws?.terminate?.();
        return;
      }
      answered = false;
      try {
        client.ping();
      } catch {
        // a closing socket: the close handler does the rest
      }
    }, this.#opts.pingIntervalMs);
    timer.unref();
    return () => {
      clearInterval(timer);
      client.off('pong', onPong);
    };
  }

  /** Closes a client for good; if ari-client's retry somehow reopens it, it is closed again. */
  #discard(client: AriClient): void {
    if (this.#client === client) this.#client = null;
    client.removeAllListeners('*');
    client.on('WebSocketConnected', () => safeStop(client));
    client.on('error', () => undefined);
    safeStop(client);
  }
}

function safeStop(client: AriClient): void {
  try {
    client.stop();
  } catch {
    // no socket yet
  }
}

export function errorText(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err === undefined || err === null) return 'unknown';
  return String(err);
}
