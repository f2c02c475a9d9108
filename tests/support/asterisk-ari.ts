// A test caller for a real Asterisk, driven over ARI with plain fetch and a WebSocket (not
// ari-client: that library keeps process-wide credentials; the app under test speaks ARI with its
// own clients, src/ari/link.ts and rest.ts).
//
// The caller places Local-channel calls into the dialplan exactly where a trunk call lands
// (`Local/<did>@medq-inbound/n`): the ;2 half runs medq-inbound -> Stasis(medq) (the app under
// test), the ;1 half is the caller's handset, in the harness's own Stasis app. The harness
// subscribes to every channel and bridge in Asterisk, so it also sees what the app does to its
// channel: playbacks started and finished, DTMF received, hang-ups. Not subscribeAll: an app
// subscribed to all device states can deadlock Asterisk 22's ARI for good when its socket closes
// (see src/cli/call.ts).
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { PlaybackJson } from '../../src/ari/ari-json.js';

export interface AriConnection {
  /** Base URL without /ari, e.g. http://127.0.0.1:8088 (what ari-client's connect() takes). */
  ariUrl: string;
  ariUser: string;
  ariPassword: string;
}

export interface AriChannel {
  id: string;
  name: string;
  state: string;
  caller: { name: string; number: string };
  connected: { name: string; number: string };
  dialplan: { context: string; exten: string; priority: number; app_name?: string; app_data?: string };
  creationtime: string;
  language?: string;
}

export type { PlaybackJson as AriPlayback } from '../../src/ari/ari-json.js';

export interface AriEvent {
  type: string;
  application: string;
  /** Asterisk's own clock, e.g. 2026-11-25T13:16:22.541+0000 (see ariTime). */
  timestamp: string;
  asterisk_id?: string;
  channel?: AriChannel;
  playback?: PlaybackJson;
  digit?: string;
  duration_ms?: number;
  args?: string[];
  bridge?: { id: string };
  variable?: string;
  value?: string;
  cause?: number;
  cause_txt?: string;
  dialplan_app?: string;
  dialplan_app_data?: string;
  [key: string]: unknown;
}

/** Milliseconds since the epoch of an ARI timestamp ("…+0000" has no colon, which Date wants). */
export function ariTime(timestamp: string): number {
  const iso = timestamp.replace(/([+-]\d\d)(\d\d)$/, '$1:$2');
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new Error(`not an ARI timestamp: ${timestamp}`);
  return ms;
}

export class AriHttpError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`ARI ${method} ${path} -> ${status} ${body}`);
    this.name = 'AriHttpError';
  }
}

type Query = Record<string, string | number | boolean | undefined>;

/** ARI's REST half over fetch. */
export class AriRest {
  readonly #base: string;
  readonly #auth: string;

  constructor(conn: AriConnection) {
    this.#base = conn.ariUrl.replace(/\/+$/, '');
    this.#auth = 'Basic ' + Buffer.from(`${conn.ariUser}:${conn.ariPassword}`).toString('base64');
  }

  /** `path` is relative to /ari, e.g. `/channels`. Resolves to the parsed JSON (undefined for 204). */
  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    opts: { query?: Query; body?: unknown; timeoutMs?: number } = {},
  ): Promise<T> {
    const url = new URL(this.#base + '/ari' + path);
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
    const res = await fetch(url, {
      method,
      headers: {
        authorization: this.#auth,
        ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: AbortSignal.timeout(opts.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    if (!res.ok) throw new AriHttpError(method, path, res.status, text);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  get<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
  post<T = unknown>(path: string, query?: Query, body?: unknown): Promise<T> {
    return this.request<T>('POST', path, { query, body });
  }
  delete<T = unknown>(path: string, query?: Query): Promise<T> {
    return this.request<T>('DELETE', path, { query });
  }
}

export interface WaitOptions {
  /** Give up after this long (always bounded; default 10 s). */
  timeoutMs?: number;
  /** Only events at or after this index of `events` (default: all events received so far). */
  from?: number;
  /** Said in the timeout error. */
  description?: string;
}

/**
 * ARI's event half: one WebSocket for one Stasis application. It keeps every event received (a
 * test is short) so a wait can look back, and reconnects by itself, every 100 ms to 1 s, when
 * Asterisk goes away (restart tests), until close().
 */
export class AriEventStream extends EventEmitter {
  readonly events: AriEvent[] = [];
  readonly #url: string;
  readonly #subscriptionUrl: string | null;
  readonly #auth: string;
  #ws: WebSocket | undefined;
  #closed = false;
  #open = false;
  #retryMs = 100;
  #timer: NodeJS.Timeout | undefined;
  #opens = 0;

  private constructor(
    conn: AriConnection,
    readonly app: string,
    readonly allChannels: boolean,
  ) {
    super();
    this.setMaxListeners(0);
    const base = conn.ariUrl.replace(/\/+$/, '');
    const u = new URL(base.replace(/^http/, 'ws') + '/ari/events');
    u.searchParams.set('app', app);
    this.#url = u.toString();
    this.#subscriptionUrl = allChannels ? `${base}/ari/applications/${encodeURIComponent(app)}/subscription?eventSource=channel:,bridge:` : null;
    this.#auth = 'Basic ' + Buffer.from(`${conn.ariUser}:${conn.ariPassword}`).toString('base64');
  }

  /** Opens the WebSocket (registering `app` in Asterisk) and resolves once it is open. */
  static async connect(
    conn: AriConnection,
    app: string,
    opts: { allChannels?: boolean; timeoutMs?: number } = {},
  ): Promise<AriEventStream> {
    const s = new AriEventStream(conn, app, opts.allChannels ?? false);
    s.#dial();
    try {
      await s.waitConnected(opts.timeoutMs ?? 10_000);
    } catch (err) {
      s.close();
      throw err;
    }
    return s;
  }

  get isOpen(): boolean {
    return this.#open;
  }
  /** How many times the socket has opened (1 after connect, 2 after one reconnect…). */
  get opens(): number {
    return this.#opens;
  }

  #dial(): void {
    if (this.#closed) return;
    const ws = new WebSocket(this.#url, { headers: { authorization: this.#auth }, handshakeTimeout: 5_000 });
    this.#ws = ws;
    ws.on('open', () => {
      void this.#subscribe(ws).then((subscribed) => {
        if (!subscribed || this.#ws !== ws || ws.readyState !== WebSocket.OPEN) return;
        this.#open = true;
        this.#opens += 1;
        this.#retryMs = 100;
        this.emit('open');
      });
    });
    ws.on('message', (data) => {
      let ev: AriEvent;
      try {
        ev = JSON.parse(data.toString()) as AriEvent;
      } catch {
        return;
      }
      this.events.push(ev);
      this.emit('event', ev);
    });
    ws.on('error', () => {
      /* 'close' follows and reconnects */
    });
    ws.on('close', () => {
      const wasOpen = this.#open;
      this.#open = false;
      if (wasOpen) this.emit('close');
      if (this.#closed) return;
      this.#timer = setTimeout(() => this.#dial(), this.#retryMs);
      this.#retryMs = Math.min(this.#retryMs * 2, 1_000);
    });
  }

  /** Subscribes the app (registered anew by each socket) to every channel and bridge; false: the socket is dropped to retry. */
  async #subscribe(ws: WebSocket): Promise<boolean> {
    if (!this.#subscriptionUrl) return true;
    try {
      const res = await fetch(this.#subscriptionUrl, { method: 'POST', headers: { authorization: this.#auth }, signal: AbortSignal.timeout(5_000) });
      if (res.ok) return true;
    } catch {
      // Asterisk going away: the socket closes too
    }
    ws.terminate();
    return false;
  }

  /** Resolves when the socket is open (now or after a reconnect). */
  waitConnected(timeoutMs = 10_000): Promise<void> {
    if (this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('open', onOpen);
        reject(new Error(`ARI WebSocket for app '${this.app}' not open after ${timeoutMs} ms (${this.#url})`));
      }, timeoutMs);
      const onOpen = (): void => {
        clearTimeout(t);
        resolve();
      };
      this.once('open', onOpen);
    });
  }

  /** Resolves when the socket has dropped (e.g. Asterisk stopped). */
  waitDisconnected(timeoutMs = 10_000): Promise<void> {
    if (!this.#open) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => {
        this.off('close', onClose);
        reject(new Error(`ARI WebSocket for app '${this.app}' still open after ${timeoutMs} ms`));
      }, timeoutMs);
      const onClose = (): void => {
        clearTimeout(t);
        resolve();
      };
      this.once('close', onClose);
    });
  }

  /** The first event matching `pred` (already received from `from`, or arriving later). */
  waitFor<T extends AriEvent = AriEvent>(pred: (ev: AriEvent) => boolean, opts: WaitOptions = {}): Promise<T> {
    const from = opts.from ?? 0;
    for (let i = from; i < this.events.length; i++) {
      const ev = this.events[i]!;
      if (pred(ev)) return Promise.resolve(ev as T);
    }
    const timeoutMs = opts.timeoutMs ?? 10_000;
    return new Promise<T>((resolve, reject) => {
      const onEvent = (ev: AriEvent): void => {
        if (!pred(ev)) return;
        clearTimeout(t);
        this.off('event', onEvent);
        resolve(ev as T);
      };
      const t = setTimeout(() => {
        this.off('event', onEvent);
        const recent = this.events
          .slice(-15)
          .map((e) => `${e.type}${e.channel ? ` ${e.channel.name}` : ''}${e.playback ? ` ${e.playback.media_uri}` : ''}${e.digit ? ` ${e.digit}` : ''}`)
          .join('; ');
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${opts.description ?? 'an ARI event'} (app '${this.app}'); last events: ${recent || 'none'}`));
      }, timeoutMs);
      this.on('event', onEvent);
    });
  }

  close(): void {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    const ws = this.#ws;
    if (ws?.readyState === WebSocket.OPEN) {
      ws.close(1000);
      setTimeout(() => ws.terminate(), 1_000).unref();
    } else ws?.terminate();
    this.#open = false;
  }
}

// ------------------------------------------------------------------------------------------------
// Observing one channel of the app under test
// ------------------------------------------------------------------------------------------------

export interface PlaybackRecord {
  /** The ARI playback id (shared by the media of one multi-media play). */
  id: string;
  /** e.g. sound:medq/confirmed */
  mediaUri: string;
  /** 0 for the first medium of a play, 1 for the next… */
  medium: number;
  targetUri: string;
  /** Asterisk clock (ms since epoch) of this medium's PlaybackStarted. */
  startedAt: number;
  /** Asterisk clock of its end (PlaybackContinuing to the next medium, or PlaybackFinished). */
  finishedAt?: number;
  /**
   * How it ended: done, failed, stopped (the app stopped it, e.g. barge-in), or continuing (a
   * medium of a multi-media play that moved on; Asterisk also moves on at once past a missing file).
   */
  finalState?: string;
}

export interface DtmfRecord {
  digit: string;
  durationMs: number;
  /** Asterisk clock (ms since epoch). */
  at: number;
}

export type MediaMatcher = string | RegExp | ((p: PlaybackRecord) => boolean);

function matchMedia(m: MediaMatcher, p: PlaybackRecord): boolean {
  if (typeof m === 'string') return p.mediaUri === m;
  if (m instanceof RegExp) return m.test(p.mediaUri);
  return m(p);
}

/**
 * What happens to one channel (found by id, or by name once it appears): playbacks on it (or on
 * a bridge it is in), DTMF it received, its hang-up. Built from the harness's all-channels stream.
 */
export class ChannelObserver {
  #id: string | undefined;
  #name: string | undefined;
  readonly #bridges = new Set<string>();
  readonly #from: number;

  constructor(
    readonly stream: AriEventStream,
    target: { id: string } | { name: string },
    from = 0,
  ) {
    this.#from = from;
    if ('id' in target) this.#id = target.id;
    else this.#name = target.name;
  }

  /** The channel's id; waits for it to appear when only its name was known. */
  async channelId(timeoutMs = 10_000): Promise<string> {
    if (this.#id) return this.#id;
    const name = this.#name!;
    const ev = await this.stream.waitFor((e) => e.channel?.name === name, {
      from: this.#from,
      timeoutMs,
      description: `channel ${name}`,
    });
    this.#id = ev.channel!.id;
    return this.#id;
  }

  /** The latest snapshot of the channel seen in any event. */
  async channel(timeoutMs = 10_000): Promise<AriChannel> {
    const id = await this.channelId(timeoutMs);
    for (let i = this.stream.events.length - 1; i >= this.#from; i--) {
      const c = this.stream.events[i]!.channel;
      if (c?.id === id) return c;
    }
    throw new Error(`no snapshot of channel ${id}`);
  }

  /** The id if the channel has shown up in the stream already (no waiting). */
  #knownId(): string | undefined {
    if (this.#id || !this.#name) return this.#id;
    for (let i = this.#from; i < this.stream.events.length; i++) {
      const c = this.stream.events[i]!.channel;
      if (c?.name === this.#name) return (this.#id = c.id);
    }
    return undefined;
  }

  #mine(ev: AriEvent): boolean {
    if (!this.#knownId()) return false;
    if (ev.channel?.id === this.#id) {
      if (ev.type === 'ChannelEnteredBridge' && ev.bridge) this.#bridges.add(ev.bridge.id);
      if (ev.type === 'ChannelLeftBridge' && ev.bridge) this.#bridges.delete(ev.bridge.id);
      return true;
    }
    const target = ev.playback?.target_uri;
    if (!target) return false;
    if (target === `channel:${this.#id}`) return true;
    return target.startsWith('bridge:') && this.#bridges.has(target.slice('bridge:'.length));
  }

  /** This channel's events so far (scans the whole stream in order, so bridge tracking is right). */
  events(): AriEvent[] {
    if (!this.#knownId()) return [];
    this.#bridges.clear();
    return this.stream.events.slice(this.#from).filter((e) => this.#mine(e));
  }

  /**
   * Every medium played on the channel so far, in order of start, with its end if seen. A play of
   * several media (media=a,b,c) gives one record per medium: ARI sends PlaybackStarted for each,
   * PlaybackContinuing between them and PlaybackFinished after the last, all under one id.
   */
  playbacks(): PlaybackRecord[] {
    const out: PlaybackRecord[] = [];
    const current = new Map<string, PlaybackRecord>();
    for (const ev of this.events()) {
      const p = ev.playback;
      if (!p) continue;
      const at = ariTime(ev.timestamp);
      if (ev.type === 'PlaybackStarted') {
        const prev = current.get(p.id);
        const rec: PlaybackRecord = { id: p.id, mediaUri: p.media_uri, medium: prev ? prev.medium + 1 : 0, targetUri: p.target_uri, startedAt: at };
        out.push(rec);
        current.set(p.id, rec);
      } else if (ev.type === 'PlaybackContinuing' || ev.type === 'PlaybackFinished') {
        const rec = current.get(p.id);
        if (rec && rec.finishedAt === undefined) {
          rec.finishedAt = at;
          rec.finalState = p.state;
        }
      }
    }
    return out;
  }

  /** Media URIs the caller has heard start, in order. */
  heard(): string[] {
    return this.playbacks().map((p) => p.mediaUri);
  }

  /**
   * The first playback (already seen or future) matching `media`: a media URI, a RegExp, or a
   * predicate. `state: 'finished'` waits for it to end as well.
   */
  async waitForPlayback(
    media: MediaMatcher,
    opts: { timeoutMs?: number; state?: 'started' | 'finished' } = {},
  ): Promise<PlaybackRecord> {
    const deadline = Date.now() + (opts.timeoutMs ?? 10_000);
    await this.channelId(opts.timeoutMs);
    const finished = opts.state === 'finished';
    const check = (): PlaybackRecord | undefined =>
      this.playbacks().find((p) => matchMedia(media, p) && (!finished || p.finishedAt !== undefined));
    const found = check();
    if (found) return found;
    await this.stream.waitFor((e) => e.type.startsWith('Playback') && this.#mine(e) && check() !== undefined, {
      from: this.stream.events.length,
      timeoutMs: Math.max(1, deadline - Date.now()),
      description: `${finished ? 'the end' : 'the start'} of ${String(media)} on ${this.#id}; heard so far: ${this.heard().join(', ') || 'nothing'}`,
    });
    return check()!;
  }

  /** DTMF digits the channel has received (ChannelDtmfReceived), in order. */
  dtmf(): DtmfRecord[] {
    return this.events()
      .filter((e) => e.type === 'ChannelDtmfReceived')
      .map((e) => ({ digit: e.digit ?? '', durationMs: e.duration_ms ?? 0, at: ariTime(e.timestamp) }));
  }

  /** Waits until the channel has received at least `count` digits; returns them all. */
  async waitForDtmf(count: number, timeoutMs = 10_000): Promise<string> {
    await this.channelId(timeoutMs);
    const have = (): string => this.dtmf().map((d) => d.digit).join('');
    if (have().length >= count) return have();
    await this.stream.waitFor((e) => e.type === 'ChannelDtmfReceived' && this.#mine(e) && have().length >= count, {
      from: this.stream.events.length,
      timeoutMs,
      description: `${count} DTMF digits on ${this.#id} (have '${have()}')`,
    });
    return have();
  }

  /** Resolves with the hang-up cause once the channel is gone (ChannelDestroyed). */
  async waitForHangup(timeoutMs = 10_000): Promise<{ cause: number; causeText: string; at: number }> {
    const id = await this.channelId(timeoutMs);
    const ev = await this.stream.waitFor((e) => e.type === 'ChannelDestroyed' && e.channel?.id === id, {
      from: this.#from,
      timeoutMs,
      description: `hang-up of ${id}`,
    });
    return { cause: ev.cause ?? 0, causeText: ev.cause_txt ?? '', at: ariTime(ev.timestamp) };
  }

  /**
   * The first event of `type` on this channel (seen or future), e.g. 'ChannelHangupRequest'.
   * StasisStart/StasisEnd go only to the app that owns the channel: for the app under test use
   * waitForStasis() and waitForHangup() instead.
   */
  async waitForEvent(type: string, timeoutMs = 10_000): Promise<AriEvent> {
    const id = await this.channelId(timeoutMs);
    return this.stream.waitFor((e) => e.type === type && e.channel?.id === id, {
      from: this.#from,
      timeoutMs,
      description: `${type} on ${id}`,
    });
  }

  /**
   * Resolves once the channel runs the Stasis() dialplan application for `app` (ChannelDialplan
   * event), i.e. it was handed to that ARI application.
   */
  async waitForStasis(app = 'medq', timeoutMs = 10_000): Promise<AriEvent> {
    const id = await this.channelId(timeoutMs);
    return this.stream.waitFor(
      (e) =>
        e.type === 'ChannelDialplan' &&
        e.channel?.id === id &&
        e.dialplan_app?.toLowerCase() === 'stasis' &&
        (e.dialplan_app_data ?? '').split(',')[0] === app,
      { from: this.#from, timeoutMs, description: `${id} entering Stasis(${app})` },
    );
  }
}

// ------------------------------------------------------------------------------------------------
// The caller
// ------------------------------------------------------------------------------------------------

export interface CallOptions {
  /** The dialled number (the extension in medq-inbound). Default '7000' (the demo clinic's DID). */
  did?: string;
  /** Default 'medq-inbound'. */
  context?: string;
  /** The caller's number, e.g. '+919999999999' or '"Asha" <+919999999999>'; undefined: none. */
  callerId?: string;
  /** Presentation prohibited (a withheld number), as a network marks it. */
  withheld?: boolean;
  /** Channel variables on the caller's channel (;1). */
  variables?: Record<string, string>;
  /** How long the call may ring before Asterisk gives up (s). Default 30. */
  ringTimeoutSec?: number;
  /**
   * The caller's codecs (ARI `formats`), default 'ulaw' like the trunk. A Local channel with no
   * formats offers slin192, which Asterisk's GSM prompts cannot be translated to.
   */
  formats?: string;
}

/** One call placed by the CallerHarness. */
export class HarnessCall {
  /** The app-side half (;2): what the app under test sees. */
  readonly app: ChannelObserver;
  /** The caller's half (;1), in the harness's own Stasis app. */
  readonly caller: ChannelObserver;

  constructor(
    readonly harness: CallerHarness,
    readonly callerChannelId: string,
    readonly callerChannelName: string,
    from: number,
  ) {
    this.caller = new ChannelObserver(harness.events, { id: callerChannelId }, from);
    this.app = new ChannelObserver(harness.events, { name: callerChannelName.replace(/;1$/, ';2') }, from);
  }

  /** Resolves when the app has answered (the caller's half then enters the harness's app). */
  answered(timeoutMs = 10_000): Promise<AriEvent> {
    return this.harness.events.waitFor(
      (e) => e.type === 'StasisStart' && e.application === this.harness.app && e.channel?.id === this.callerChannelId,
      { timeoutMs, description: `answer of ${this.callerChannelName}` },
    );
  }

  /**
   * Presses keys on the caller's keypad (0-9 * # A-D). Waits for the answer first (ARI only
   * sends DTMF on a channel in Stasis). Resolves when Asterisk accepted the request; the digits
   * then go out one by one (durationMs each, betweenMs apart).
   */
  async press(digits: string, opts: { betweenMs?: number; durationMs?: number; timeoutMs?: number } = {}): Promise<void> {
    if (!/^[0-9*#A-D]+$/.test(digits)) throw new Error(`not DTMF: ${digits}`);
    await this.answered(opts.timeoutMs ?? 10_000);
    await this.harness.ari.post(`/channels/${encodeURIComponent(this.callerChannelId)}/dtmf`, {
      dtmf: digits,
      between: opts.betweenMs ?? 100,
      duration: opts.durationMs ?? 100,
    });
  }

  /** The caller hangs up (idempotent). */
  async hangup(): Promise<void> {
    try {
      await this.harness.ari.delete(`/channels/${encodeURIComponent(this.callerChannelId)}`);
    } catch (err) {
      if (!(err instanceof AriHttpError && err.status === 404)) throw err;
    }
  }

  /** Resolves when the call is over on the caller's side (whoever hung up). */
  async ended(timeoutMs = 10_000): Promise<void> {
    await this.caller.waitForHangup(timeoutMs);
  }

  // Shortcuts to the app-side half, which is what tests assert on.
  waitForPlayback(media: MediaMatcher, opts?: { timeoutMs?: number; state?: 'started' | 'finished' }): Promise<PlaybackRecord> {
    return this.app.waitForPlayback(media, opts);
  }
  heard(): string[] {
    return this.app.heard();
  }
}

/**
 * A test caller: a Stasis app of its own (default `medq-harness`) that sees every event in
 * Asterisk. Use the same ARI user as the app under test (ari-client keeps one set of
 * credentials per process).
 */
export class CallerHarness {
  readonly calls: HarnessCall[] = [];

  private constructor(
    readonly ari: AriRest,
    readonly events: AriEventStream,
    readonly app: string,
  ) {}

  static async connect(conn: AriConnection, opts: { app?: string; timeoutMs?: number } = {}): Promise<CallerHarness> {
    const app = opts.app ?? 'medq-harness';
    const events = await AriEventStream.connect(conn, app, { allChannels: true, timeoutMs: opts.timeoutMs });
    return new CallerHarness(new AriRest(conn), events, app);
  }

  /** Places a call into the dialplan (Local/<did>@<context>/n) and returns at once (ringing). */
  async call(opts: CallOptions = {}): Promise<HarnessCall> {
    await this.events.waitConnected();
    const did = opts.did ?? '7000';
    const context = opts.context ?? 'medq-inbound';
    const variables: Record<string, string> = { ...(opts.variables ?? {}) };
    if (opts.withheld) variables['CALLERID(pres)'] = 'prohib';
    const from = this.events.events.length;
    const ch = await this.ari.post<AriChannel>(
      '/channels',
      {
        endpoint: `Local/${did}@${context}/n`,
        app: this.app,
        appArgs: 'caller',
        callerId: opts.callerId,
        timeout: opts.ringTimeoutSec ?? 30,
        formats: opts.formats ?? 'ulaw',
      },
      Object.keys(variables).length ? { variables } : undefined,
    );
    const call = new HarnessCall(this, ch.id, ch.name, from);
    this.calls.push(call);
    return call;
  }

  /** Observe any channel, e.g. a SIPp call's PJSIP channel found with waitForChannel. */
  observe(target: { id: string } | { name: string }): ChannelObserver {
    return new ChannelObserver(this.events, target, 0);
  }

  /** The first channel (seen or future) whose snapshot matches, e.g. c => c.name.startsWith('PJSIP/provider-'). */
  async waitForChannel(pred: (c: AriChannel) => boolean, opts: WaitOptions = {}): Promise<AriChannel> {
    const ev = await this.events.waitFor((e) => e.channel !== undefined && pred(e.channel), {
      description: 'a matching channel',
      ...opts,
    });
    return ev.channel!;
  }

  /** Hangs up every call this harness placed that is still up. */
  async hangupAll(): Promise<void> {
    await Promise.allSettled(this.calls.map((c) => c.hangup()));
  }

  async close(): Promise<void> {
    await this.hangupAll().catch(() => undefined);
    this.events.close();
  }
}
