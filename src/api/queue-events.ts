// Live queue updates for waiting-room screens (SPEC §11), whichever api process made the change.
// One poller per process reads the highest queue_state.updated_at (an indexed max: cheap) every
// POLL_MS while anyone listens; when it moves, or every REFRESH_MS anyway (a new day, a renamed
// doctor), each watched clinic's queue is read once and sent to the subscribers who have not seen
// that exact state yet. Heartbeat comments keep proxies from closing idle streams.
import type { Logger } from '../shared/logger.js';
import { clinicQueue, queueVersion, type ClinicQueue, type SyncContext } from '../sync/index.js';

export interface QueueEventsTuning {
  pollMs: number;
  refreshMs: number;
  heartbeatMs: number;
}

export const DEFAULT_QUEUE_EVENTS: QueueEventsTuning = { pollMs: 200, refreshMs: 5_000, heartbeatMs: 15_000 };

/** The JSON of GET /api/clinics/:id/queue (snake_case, tokens and doctor names only). */
export function queueJson(q: ClinicQueue) {
  return {
    clinic_id: q.clinicId,
    date: q.date,
    doctors: q.doctors.map((d) => ({ doctor_id: d.doctorId, name: d.name, now_serving: d.nowServing })),
  };
}

/** What a subscriber's stream is given: an event (named `queue`) or a heartbeat comment. */
export interface QueueSink {
  event(data: string): void;
  heartbeat(): void;
  end(): void;
}

interface Subscriber {
  clinicId: number;
  sink: QueueSink;
  lastSent: string | null;
  /** The subscribing request's logger (its lines carry that request's id). */
  log: Logger;
}

export class QueueEvents {
  readonly #ctx: SyncContext;
  readonly #log: Logger;
  readonly #tuning: QueueEventsTuning;
  readonly #subs = new Set<Subscriber>();
  #poll: NodeJS.Timeout | null = null;
  #beat: NodeJS.Timeout | null = null;
  #version = -1;
  #refreshedAt = 0;
  #closed = false;

  constructor(ctx: SyncContext, log: Logger, tuning: Partial<QueueEventsTuning> = {}) {
    this.#ctx = ctx;
    this.#log = log;
    this.#tuning = { ...DEFAULT_QUEUE_EVENTS, ...tuning };
  }

  get subscribers(): number {
    return this.#subs.size;
  }

  /** Sends the clinic's current queue at once, then every change. Returns the unsubscribe. */
  subscribe(clinicId: number, sink: QueueSink, log: Logger = this.#log): () => void {
    if (this.#closed) {
      sink.end();
      return () => undefined;
    }
    const sub: Subscriber = { clinicId, sink, lastSent: null, log };
    this.#subs.add(sub);
    this.#send(sub, this.#read(clinicId));
    this.#start();
    return () => {
      this.#subs.delete(sub);
      if (this.#subs.size === 0) this.#stop();
    };
  }

  /** Ends every stream (the app is closing) and stops polling. */
  close(): void {
    this.#closed = true;
    for (const s of this.#subs) {
      try {
        s.sink.end();
      } catch {
        // a stream already gone
      }
    }
    this.#subs.clear();
    this.#stop();
  }

  #read(clinicId: number): string | null {
    const q = clinicQueue(this.#ctx, clinicId);
    return q ? JSON.stringify(queueJson(q)) : null;
  }

  #send(sub: Subscriber, data: string | null): void {
    if (data === null || data === sub.lastSent) return;
    sub.lastSent = data;
    try {
      sub.sink.event(data);
    } catch (err) {
      sub.log.debug({ err }, 'queue event not written');
    }
  }

  #start(): void {
    if (this.#poll) return;
    this.#version = -1;
    this.#poll = setInterval(() => this.#tick(), this.#tuning.pollMs);
    this.#beat = setInterval(() => {
      for (const s of this.#subs) {
        try {
          s.sink.heartbeat();
        } catch {
          // the close handler removes it
        }
      }
    }, this.#tuning.heartbeatMs);
    this.#poll.unref();
    this.#beat.unref();
  }

  #stop(): void {
    if (this.#poll) clearInterval(this.#poll);
    if (this.#beat) clearInterval(this.#beat);
    this.#poll = this.#beat = null;
  }

  #tick(): void {
    try {
      const version = queueVersion(this.#ctx);
      const now = Date.now();
      if (version === this.#version && now - this.#refreshedAt < this.#tuning.refreshMs) return;
      this.#version = version;
      this.#refreshedAt = now;
      const byClinic = new Map<number, string | null>();
      for (const s of this.#subs) {
        if (!byClinic.has(s.clinicId)) byClinic.set(s.clinicId, this.#read(s.clinicId));
        this.#send(s, byClinic.get(s.clinicId)!);
      }
    } catch (err) {
      // A busy or briefly unavailable database: the next tick tries again.
      this.#log.warn({ err }, 'queue poll failed');
    }
  }
}
