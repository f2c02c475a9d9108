// One call in Stasis: the pure flow (src/ivr/flow.ts) driven by this channel's events, its
// effects carried out in order. The flow decides; the session only executes and reports back.
//
// Events go through one queue per call and `step` runs for one event at a time (the flow's
// contract). ARI effects are awaited in order, each with a deadline; data effects (offer, book…)
// run in the background and send their result back through the queue, so keys pressed meanwhile
// still reach the flow (type-ahead). When the channel goes, timers and playbacks are dropped, the
// flow hears `hangup`, and the session ends once a booking already issued has finished: it stands.
import { metrics } from '../metrics/index.js';
import {
  initialState,
  isFinished,
  step,
  toMedia,
  type CallEvent,
  type CallState,
  type DoctorInfo,
  type Effect,
  type FlowConfig,
} from '../ivr/index.js';
import type { Logger } from '../shared/logger.js';
import { activeDoctors, clinicForDialled, phoneLanguage, releaseHolds, type SyncContext } from '../sync/index.js';
import { errorText } from './link.js';
import type { AriOps } from './ops.js';
import { stoppableMedia } from './say-sounds.js';
import type { SoundIndex } from './sounds.js';
import { isSyncEffect, runSyncEffect, type SyncEffect } from './sync-effects.js';

export interface SessionDeps {
  ctx: SyncContext;
  ops: AriOps;
  flow: FlowConfig;
  sounds: SoundIndex;
  logger: Logger;
  /** Dialplan context a transfer continues into (asterisk-config/extensions.conf). */
  receptionContext: string;
  /** A playback whose end was never reported is taken as ended after this long. */
  playbackLimitMs: number;
}

/** What Asterisk said about the call when it entered Stasis. */
export interface CallArrival {
  /** channel.caller.number: '' when withheld. */
  callerId: string;
  /** The dialled number: Stasis args[0], else the dialplan extension ('s' when none). */
  dialled: string;
}

export type SessionPhase = 'answering' | 'in-flow' | 'gone' | 'finished';

export class CallSession {
  readonly #deps: SessionDeps;
  readonly #log: Logger;
  #state: CallState;
  #phase: SessionPhase = 'answering';
  #timezone = 'Asia/Kolkata';
  /** The language last set on the channel (Asterisk's default: en). */
  #channelLang = 'en';
  readonly #queue: CallEvent[] = [];
  /** Keys pressed while the call was being answered, fed right after `start`. */
  readonly #early: CallEvent[] = [];
  #draining = false;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  /** Playbacks started and not yet reported finished, with their safety timers. */
  readonly #playbacks = new Map<string, NodeJS.Timeout>();
  readonly #pendingData = new Set<Promise<void>>();
  #resolveFinished: () => void = () => undefined;
  /** Resolves once the call is gone and nothing it started is still running. */
  readonly finished: Promise<void>;

  constructor(
    readonly channelId: string,
    deps: SessionDeps,
  ) {
    this.#deps = deps;
    this.#log = deps.logger.child({ call: channelId });
    this.#state = initialState(deps.flow);
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
  }

  get phase(): SessionPhase {
    return this.#phase;
  }

  /** Answers, looks up the clinic and its doctors, and starts the flow. */
  async begin(arrival: CallArrival): Promise<void> {
    const { ctx, ops } = this.#deps;
    let start: Extract<CallEvent, { type: 'start' }>;
    try {
      const clinic = clinicForDialled(ctx, arrival.dialled);
      if (!clinic) throw new Error('no clinic in the database');
      const doctors: DoctorInfo[] = activeDoctors(ctx, clinic.id).map((d) => ({ id: d.id, name: d.name, specialty: d.specialty }));
      this.#timezone = clinic.timezone;
      // The phone's remembered language, before the first prompt (one indexed read; only when
      // there is a choice to remember).
      const { languages, normalizePhone } = this.#deps.flow;
      const phone = languages && languages.length > 1 && arrival.callerId.trim() ? normalizePhone(arrival.callerId.trim()) : null;
      const language = phone ? phoneLanguage(ctx, phone) : null;
      start = {
        type: 'start',
        callId: this.channelId,
        callerId: arrival.callerId,
        dialled: arrival.dialled,
        clinic: { id: clinic.id, name: clinic.name, timezone: clinic.timezone },
        doctors,
        language,
      };
    } catch (err) {
      this.#log.error({ err: errorText(err), dialled: arrival.dialled }, 'cannot serve the call: clinic lookup failed');
      await this.#safely('hangup', () => ops.hangup(this.channelId));
      this.gone('not served');
      return;
    }
    try {
      await ops.answer(this.channelId);
    } catch (err) {
      this.#log.info({ err: errorText(err) }, 'could not answer (caller gone?)');
      // If it is still there (a slow Asterisk), it must not stay parked in Stasis unserved.
      await this.#safely('hangup', () => ops.hangup(this.channelId));
      this.gone('answer failed');
      return;
    }
    if (this.#phase !== 'answering') return; // hung up while we answered
    this.#phase = 'in-flow';
    this.#feed(start);
    for (const ev of this.#early.splice(0)) this.#feed(ev);
  }

  /** How the call went, for medq_calls_total{outcome}: the last thing it achieved. */
  get outcome(): 'booked' | 'cancelled' | 'transferred' | 'ended' {
    return this.#outcome;
  }
  #outcome: 'booked' | 'cancelled' | 'transferred' | 'ended' = 'ended';
  /** When the caller's last key arrived (monotonic ms), until the next prompt is asked for. */
  #keyAt: number | null = null;

  dtmf(digit: string): void {
    this.#keyAt ??= performance.now();
    const ev: CallEvent = { type: 'dtmf', digit };
    if (this.#phase === 'answering') {
      if (this.#early.length < 32) this.#early.push(ev);
    }
    else if (this.#phase === 'in-flow') this.#feed(ev);
  }

  /** PlaybackFinished for one of ours (done, stopped or failed). */
  playbackFinished(playbackId: string): void {
    if (!this.#untrack(playbackId)) return;
    if (this.#phase === 'in-flow') this.#feed({ type: 'promptFinished', playbackId });
  }

  /** The channel hung up or left Stasis: idempotent. */
  gone(reason: string): void {
    if (this.#phase === 'gone' || this.#phase === 'finished') return;
    const wasInFlow = this.#phase === 'in-flow';
    this.#phase = 'gone';
    this.#log.info({ reason }, 'call left the IVR');
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    for (const t of this.#playbacks.values()) clearTimeout(t);
    this.#playbacks.clear();
    this.#early.length = 0;
    if (wasInFlow) this.#feed({ type: 'hangup' }, true);
    this.#checkFinished();
  }

  /**
   * After a reconnect: a channel that vanished meanwhile is gone; a playback that ended while
   * events could not reach us is reported finished.
   */
  async resync(liveChannels: ReadonlySet<string>): Promise<void> {
    if (this.#phase === 'gone' || this.#phase === 'finished') return;
    if (!liveChannels.has(this.channelId)) return this.gone('vanished while ARI was away');
    for (const id of [...this.#playbacks.keys()]) {
      try {
        if (!(await this.#deps.ops.playbackExists(id))) this.playbackFinished(id);
      } catch {
        // still unsure: the safety timer decides
      }
    }
  }

  /** Ends the call from our side (shutdown). */
  async hangUp(): Promise<void> {
    if (this.#phase === 'gone' || this.#phase === 'finished') return;
    await this.#safely('hangup', () => this.#deps.ops.hangup(this.channelId));
    this.gone('hung up by the application');
  }

  // ── The queue ───────────────────────────────────────────────────────────────────────────────

  #feed(ev: CallEvent, evenIfGone = false): void {
    if (this.#phase === 'finished') return;
    if (ev.type === 'bookingResult' && ev.ok) this.#outcome = 'booked';
    else if (ev.type === 'cancelResult' && ev.ok && this.#outcome !== 'booked') this.#outcome = 'cancelled';
    if (this.#phase === 'gone' && !evenIfGone && !isResult(ev)) return;
    this.#queue.push(ev);
    if (!this.#draining) void this.#drain();
  }

  async #drain(): Promise<void> {
    this.#draining = true;
    try {
      for (let ev = this.#queue.shift(); ev; ev = this.#queue.shift()) {
        const { state, effects } = step(this.#state, ev);
        this.#state = state;
        for (const fx of effects) await this.#run(fx);
      }
    } finally {
      this.#draining = false;
      this.#checkFinished();
    }
  }

  #checkFinished(): void {
    if (this.#phase !== 'gone' || this.#draining || this.#queue.length > 0 || this.#pendingData.size > 0) return;
    this.#phase = 'finished';
    // Belt and braces: whatever the flow did, a call that is over holds no slot.
    try {
      releaseHolds(this.#deps.ctx, this.channelId);
    } catch (err) {
      this.#log.error({ err: errorText(err) }, 'could not release holds');
    }
    this.#resolveFinished();
  }

  // ── Effects ─────────────────────────────────────────────────────────────────────────────────

  async #run(fx: Effect): Promise<void> {
    if (isSyncEffect(fx)) return this.#runData(fx);
    const { ops } = this.#deps;
    const live = this.#phase === 'in-flow';
    switch (fx.type) {
      case 'play':
        if (!live) return;
        return this.#play(fx);
      case 'stopPlayback':
        this.#untrack(fx.playbackId);
        if (!live) return;
        // Issued, not awaited: the next prompt's play request goes out at once instead of one ARI
        // round trip after the key (issue 10). Either order is safe in Asterisk: a play that
        // arrives first is queued behind the playback still running, and the stop then ends it.
        void this.#safely('stop playback', () => ops.stopPlayback(fx.playbackId));
        return;
      case 'startTimer': {
        if (!live) return;
        const t = setTimeout(() => {
          this.#timers.delete(fx.timerId);
          this.#feed({ type: 'timeout', timerId: fx.timerId });
        }, fx.ms);
        this.#timers.set(fx.timerId, t);
        return;
      }
      case 'cancelTimer':
        clearTimeout(this.#timers.get(fx.timerId));
        this.#timers.delete(fx.timerId);
        return;
      case 'transfer':
        this.#outcome = 'transferred';
        if (!live) return;
        this.#log.info({ endpoint: fx.endpoint, context: this.#deps.receptionContext }, 'transferring to reception');
        try {
          await ops.continueInDialplan(this.channelId, this.#deps.receptionContext, { MEDQ_RECEPTION: fx.endpoint });
        } catch (err) {
          this.#log.warn({ err: errorText(err) }, 'transfer failed; hanging up');
          await this.#safely('hangup', () => ops.hangup(this.channelId));
        }
        return;
      case 'hangup':
        if (!live) return;
        return this.#safely('hangup', () => ops.hangup(this.channelId));
      case 'log':
        this.#log.info({ event: fx.event, detail: fx.detail }, `ivr ${fx.event}`);
        return;
    }
  }

  async #play(fx: Extract<Effect, { type: 'play' }>): Promise<void> {
    // Say-type media (numbers, digits) become sound files: ARI cannot stop a playback on them.
    const media = stoppableMedia(toMedia(fx.items, { hasSound: (name) => this.#deps.sounds.has(fx.lang, name), lang: fx.lang }), fx.lang);
    // The line a call is followed by in the log: which prompts, and what the caller hears.
    this.#log.info({ playback: fx.playbackId, prompt: fx.prompts, text: fx.text }, 'prompt');
    if (this.#keyAt !== null) {
      metrics.keyToPrompt.observe((performance.now() - this.#keyAt) / 1000);
      this.#keyAt = null;
    }
    this.#track(fx.playbackId);
    if (fx.lang !== this.#channelLang) {
      // The channel follows the call's language too (SPEC §6); each play also names it, so this
      // is not awaited on the way to the prompt.
      this.#channelLang = fx.lang;
      void this.#safely('set language', () => this.#deps.ops.setLanguage(this.channelId, fx.lang));
    }
    try {
      await this.#deps.ops.play(this.channelId, fx.playbackId, media, fx.lang);
    } catch (err) {
      // The menu must still go on (its timer starts when the prompt "finished"). A caller who hung
      // up while the play request was on its way is not a fault: nothing is left to play to.
      const text = errorText(err);
      if (this.#phase === 'gone' || /Channel not found/i.test(text)) this.#log.debug({ playback: fx.playbackId }, 'prompt not played: the caller has gone');
      else this.#log.info({ playback: fx.playbackId, err: text }, 'playback could not start');
      this.playbackFinished(fx.playbackId);
    }
  }

  #track(playbackId: string): void {
    const t = setTimeout(() => {
      this.#log.warn({ playback: playbackId }, 'no end reported for a playback; taking it as finished');
      this.playbackFinished(playbackId);
    }, this.#deps.playbackLimitMs);
    this.#playbacks.set(playbackId, t);
  }

  #untrack(playbackId: string): boolean {
    const t = this.#playbacks.get(playbackId);
    if (t === undefined) return false;
    clearTimeout(t);
    this.#playbacks.delete(playbackId);
    return true;
  }

  #runData(fx: SyncEffect): void {
    const call = { ctx: this.#deps.ctx, holder: this.channelId, timezone: this.#timezone };
    const job = runSyncEffect(call, fx, (err) =>
      this.#log.error({ err: errorText(err), effect: fx.type }, 'sync effect failed'),
    ).then((ev) => {
      if (ev) this.#feed(ev);
    });
    const tracked = job.finally(() => {
      this.#pendingData.delete(tracked);
      this.#checkFinished();
    });
    this.#pendingData.add(tracked);
  }

  /** ARI calls on a call that may be ending: failures are logged, never thrown. */
  async #safely(what: string, fn: () => Promise<void>): Promise<void> {
    try {
      await fn();
    } catch (err) {
      this.#log.info({ err: errorText(err) }, `${what} failed`);
    }
  }

  /** For tests and logs: whether the flow has ended (hung up, transferred or caller gone). */
  get flowEnded(): boolean {
    return isFinished(this.#state);
  }
}

/** Results of data effects keep flowing after a hang-up (a late offer is released, a booking stands). */
function isResult(ev: CallEvent): boolean {
  return !['start', 'dtmf', 'promptFinished', 'timeout', 'hangup'].includes(ev.type);
}
