// The ivr role (SPEC §6): the ARI adapter, the only code that talks to Asterisk. It keeps the ARI
// link up, runs one CallSession per channel that enters Stasis(<ARI_APP>), and on every
// (re)connect ends the calls a dead process left in our Stasis app.
//
// Transfers to reception leave Stasis with `continue` into [medq-reception] (extensions.conf)
// after setting the channel variable MEDQ_RECEPTION to RECEPTION_ENDPOINT: the dialplan dials it,
// so the call no longer depends on this process once handed over.
import { metrics } from '../metrics/index.js';
import { ConfigError, type Config } from '../config/index.js';
import { LocaleError } from '../ivr/catalog.js';
import { ivrLocale } from '../ivr/prompts.js';
import { normalizePhone } from '../phone/index.js';
import { logUrl, type Logger } from '../shared/logger.js';
import { releaseHolds, type SyncContext } from '../sync/index.js';
import { AriLink, callOfEvent, errorText, type AriEventJson, type LinkState } from './link.js';
import { createLeanAriOps, type AriOps, type ChannelSnapshot } from './ops.js';
import { createAriRest } from './rest.js';
import { CallSession, type SessionDeps } from './session.js';
import { DEFAULT_SOUNDS_DIR, soundIndex } from './sounds.js';
import { cancellableSleep } from './time.js';

export { CallSession } from './session.js';
export { soundIndex, DEFAULT_SOUNDS_DIR } from './sounds.js';
export type { AriOps } from './ops.js';

export type IvrConfig = Pick<
  Config,
  'ariUrl' | 'ariUsername' | 'ariPassword' | 'ariApp' | 'menuTimeoutMs' | 'receptionEndpoint' | 'defaultRegion'
> & { languages?: Config['languages'] };

export interface IvrTuning {
  /** Reconnect back-off (SPEC: capped at 2 s). */
  backoffInitialMs: number;
  backoffMaxMs: number;
  connectTimeoutMs: number;
  /** Deadline of each ARI request. */
  requestTimeoutMs: number;
  pingIntervalMs: number;
  /** HTTP connections to ARI at most (Asterisk allows `sessionlimit`, 100, in all). */
  maxHttpSockets: number;
  /** false: REST over HTTP even when Asterisk answers it on the WebSocket (src/ari/link.ts). */
  restOverSocket: boolean;
  /**
   * A channel in our Stasis app that no session owns is left this long before it is hung up, so
   * a call arriving just as we connect (its StasisStart on the way) is not taken for an orphan.
   */
  orphanGraceMs: number;
  playbackLimitMs: number;
  /** On stop(), how long to wait for bookings in flight to commit. */
  stopTimeoutMs: number;
}

export const DEFAULT_IVR_TUNING: IvrTuning = {
  backoffInitialMs: 100,
  backoffMaxMs: 2_000,
  connectTimeoutMs: 10_000,
  requestTimeoutMs: 5_000,
  pingIntervalMs: 15_000,
  maxHttpSockets: 32,
  restOverSocket: true,
  orphanGraceMs: 1_000,
  playbackLimitMs: 180_000,
  stopTimeoutMs: 10_000,
};

export interface StartIvrRoleOptions {
  ctx: SyncContext;
  config: IvrConfig;
  logger: Logger;
  /**
   * Asterisk's sounds folder as this process sees it (where `npm run prompts -- --out` wrote):
   * used to tell whether a doctor's or clinic's name recording exists. Default
   * /usr/share/asterisk/sounds.
   */
  soundsDir?: string;
  tuning?: Partial<IvrTuning>;
}

export interface IvrRole {
  /** The real link state, for /readyz: 'up' while the WebSocket is open and the app registered. */
  state(): 'up' | 'down';
  /** Hangs up calls in progress, waits (bounded) for bookings in flight, closes the link. Idempotent. */
  stop(): Promise<void>;
  /** Resolves true once the link is up (false after timeoutMs). */
  whenUp(timeoutMs: number): Promise<boolean>;
  /** Calls with a live session (for logs and tests). */
  activeCalls(): number;
  /** How many times the link has come up since start. */
  connects(): number;
  /** HTTP connections to ARI's REST interface in use now (bounded by maxHttpSockets). */
  ariSocketsInUse(): number;
  /** How REST requests reach Asterisk now: on the event WebSocket (Asterisk 22.4+), else HTTP. */
  ariRest(): 'websocket' | 'http';
  /** REST requests sent on the WebSocket and not yet answered. */
  ariSocketRequestsInFlight(): number;
  /** ARI event frames dropped unparsed, of the types onEvent never reads (IGNORED_EVENTS). */
  ariFramesIgnored(): number;
}

/**
 * Event types onEvent never reads, dropped by the link before parsing. Only types known to come
 * with every call and to matter to no session: a type not named here is parsed and handed on.
 * At LOG_LEVEL=trace nothing is dropped (every event is logged there).
 */
export const IGNORED_EVENTS: ReadonlySet<string> = new Set(['PlaybackStarted', 'PlaybackContinuing', 'ChannelVarset', 'ChannelStateChange']);

/** Whether a channel sits in Stasis() of `app` (channel.dialplan, Asterisk 16+). */
export function inStasisOf(channel: ChannelSnapshot, app: string): boolean {
  const d = channel.dialplan;
  if (!d || d.app_name?.toLowerCase() !== 'stasis') return false;
  return (d.app_data ?? '').split(',')[0]?.trim() === app;
}

/** Every language in LANGUAGES must have complete IVR texts: a clear error naming it, before any call. */
export function checkIvrLanguages(languages: readonly string[]): void {
  for (const lang of languages) {
    try {
      ivrLocale(lang);
    } catch (e) {
      if (e instanceof LocaleError) throw new ConfigError('LANGUAGES', `language "${lang}" cannot be offered on the phone: ${e.message}`);
      throw e;
    }
  }
}

export function startIvrRole({ ctx, config, logger, soundsDir, tuning: overrides }: StartIvrRoleOptions): IvrRole {
  const languages = config.languages?.length ? config.languages : ['en'];
  checkIvrLanguages(languages);
  const tuning: IvrTuning = { ...DEFAULT_IVR_TUNING, ...overrides };
  const log = logger.child({ role: 'ivr' });
  const app = config.ariApp;

  const link = new AriLink({
    url: config.ariUrl,
    username: config.ariUsername,
    password: config.ariPassword,
    app,
    logger: log,
    backoffInitialMs: tuning.backoffInitialMs,
    backoffMaxMs: tuning.backoffMaxMs,
    connectTimeoutMs: tuning.connectTimeoutMs,
    pingIntervalMs: tuning.pingIntervalMs,
    requestTimeoutMs: tuning.requestTimeoutMs,
    restOverSocket: tuning.restOverSocket,
  });
  // Our own clients for both halves of ARI (issue 10: ari-client's swagger request building and
  // its per-event resource objects were the largest ARI costs in this process's profile): the
  // link holds the event WebSocket and the app registration, and carries REST too when Asterisk
  // answers it there; otherwise REST goes through the lean HTTP client.
  const rest = createAriRest({
    url: config.ariUrl,
    username: config.ariUsername,
    password: config.ariPassword,
    timeoutMs: tuning.requestTimeoutMs,
    maxSockets: tuning.maxHttpSockets,
  });
  const ops: AriOps = createLeanAriOps(link, rest);
  const sounds = soundIndex(soundsDir ?? DEFAULT_SOUNDS_DIR);
  const region = config.defaultRegion;
  const sessionDeps: SessionDeps = {
    ctx,
    ops,
    sounds,
    logger: log,
    receptionContext: 'medq-reception',
    playbackLimitMs: tuning.playbackLimitMs,
    flow: {
      menuTimeoutMs: config.menuTimeoutMs,
      receptionEndpoint: config.receptionEndpoint,
      languages,
      normalizePhone: (raw: string) => {
        const r = normalizePhone(raw, region);
        return r.ok ? r.phone : null;
      },
    },
  };

  const sessions = new Map<string, CallSession>();
  let stopping = false;
  const upWaiters = new Set<() => void>();
  const sleeps = new Set<{ cancel(): void }>();

  function onEvent(ev: AriEventJson): void {
    const ch = ev.channel;
    // Every event of a call, at trace: with its channel id like every other line of the call.
    if (log.isLevelEnabled('trace')) log.trace({ call: callOfEvent(ev), event: ev.type, ...(ev.digit ? { digit: ev.digit } : {}) }, 'ari event');
    switch (ev.type) {
      case 'StasisStart': {
        if (!ch || sessions.has(ch.id)) return;
        if (stopping) {
          void ops.hangup(ch.id).catch(() => undefined);
          return;
        }
        const session = new CallSession(ch.id, sessionDeps);
        sessions.set(ch.id, session);
        metrics.callsActive.inc();
        void session.finished.then(() => {
          metrics.callsActive.dec();
          metrics.callsTotal.inc({ outcome: session.outcome });
          if (sessions.get(ch.id) === session) sessions.delete(ch.id);
        });
        const arg = ev.args?.[0]?.trim();
        void session.begin({ callerId: ch.caller?.number ?? '', dialled: arg || ch.dialplan?.exten || 's' });
        return;
      }
      case 'ChannelDtmfReceived':
        if (ch && ev.digit) sessions.get(ch.id)?.dtmf(ev.digit);
        return;
      case 'PlaybackFinished': {
        const target = ev.playback?.target_uri ?? '';
        if (target.startsWith('channel:') && ev.playback) sessions.get(target.slice('channel:'.length))?.playbackFinished(ev.playback.id);
        return;
      }
      case 'ChannelHangupRequest':
      case 'StasisEnd':
      case 'ChannelDestroyed':
        if (ch) sessions.get(ch.id)?.gone(ev.type);
        return;
      default:
        return;
    }
  }

  async function onUp(): Promise<void> {
    for (const wake of upWaiters) wake();
    upWaiters.clear();
    const channels = await ops.listChannels();
    const live = new Set(channels.map((c) => c.id));
    await Promise.all([...sessions.values()].map((s) => s.resync(live)));

    const suspects = channels.filter((c) => inStasisOf(c, app) && !sessions.has(c.id));
    if (suspects.length === 0) return;
    const grace = cancellableSleep(tuning.orphanGraceMs);
    sleeps.add(grace);
    await grace.done;
    sleeps.delete(grace);
    for (const c of suspects) {
      if (sessions.has(c.id) || stopping) continue;
      log.warn({ call: c.id, channel: c.name, caller: c.caller?.number ?? '' }, 'hanging up a call left in Stasis by a previous process');
      try {
        await ops.hangup(c.id);
      } catch (err) {
        log.warn({ call: c.id, err: errorText(err) }, 'could not hang up a left-over call');
      }
      try {
        // Its offer hold would expire by itself; let it go now.
        releaseHolds(ctx, c.id);
      } catch (err) {
        log.error({ call: c.id, err: errorText(err) }, 'could not release holds of a left-over call');
      }
    }
  }

  function onDown(): void {
    // Calls stay in Stasis while the WebSocket is away (Asterisk up); they are checked on return.
  }

  link.start({ onEvent, onUp, onDown, ...(log.isLevelEnabled('trace') ? {} : { ignoredEvents: IGNORED_EVENTS }) });
  log.info({ ari: logUrl(config.ariUrl), app, soundsDir: soundsDir ?? DEFAULT_SOUNDS_DIR, languages }, 'ivr role starting');

  let stopped: Promise<void> | null = null;
  return {
    state: (): LinkState => link.state(),
    activeCalls: () => [...sessions.values()].filter((s) => s.phase === 'answering' || s.phase === 'in-flow').length,
    connects: () => link.connects,
    ariSocketsInUse: () => rest.socketsInUse(),
    ariRest: () => (link.restOverSocket ? 'websocket' : 'http'),
    ariSocketRequestsInFlight: () => link.requestsInFlight(),
    ariFramesIgnored: () => link.framesIgnored,
    whenUp(timeoutMs) {
      if (link.state() === 'up') return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const wake = (): void => {
          clearTimeout(t);
          upWaiters.delete(wake);
          resolve(true);
        };
        const t = setTimeout(() => {
          upWaiters.delete(wake);
          resolve(link.state() === 'up');
        }, timeoutMs);
        upWaiters.add(wake);
      });
    },
    stop() {
      stopped ??= (async () => {
        stopping = true;
        for (const s of sleeps) s.cancel();
        const all = [...sessions.values()];
        await Promise.all(all.map((s) => s.hangUp()));
        const done = Promise.all(all.map((s) => s.finished));
        const wait = cancellableSleep(tuning.stopTimeoutMs);
        const finished = await Promise.race([done.then(() => true), wait.done.then(() => false)]);
        wait.cancel();
        if (!finished) log.warn('stopping with data work of some calls still running');
        await link.stop();
        rest.close();
        log.info('ivr role stopped');
      })();
      return stopped;
    },
  };
}
