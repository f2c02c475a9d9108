// The outbox worker: claims due rows, sends them over the SMPP link, records what the SMSC said,
// applies delivery receipts. Several workers (processes) may share one database.
//
// ── Crash safety: why a message is never lost, and sent again at most once per crash ──────────
// * Never lost. A row leaves 'queued'/'sending' only in a committed UPDATE that names its outcome:
//   'sent' after the SMSC accepted every part, 'failed' with the SMPP status (or after maxAttempts),
//   'expired' for an OTP past its code's life. Every other path — link down, link lost mid-window,
//   no response, a database error, a crash — leaves or puts the row back in 'queued'
//   (a crashed worker's rows come back when their lease lapses).
// * Sent by one worker at a time. The claim is ONE UPDATE … WHERE state='queued' … RETURNING under
//   SQLite's write lock, so two processes never both take a row. While a worker sends, it renews
//   its rows' lease every lease/4; a lease therefore lapses only when its worker is dead or frozen
//   for a whole lease. The lapsed row is put back by a conditional UPDATE (state='sending' AND
//   claimed_at <= cutoff), which moves it exactly once, and is then claimed by exactly one worker.
//   All later writes of a send are conditional on the claim token, so a frozen worker that wakes up
//   cannot overwrite the new owner's result.
// * At most once again. Each accepted part is recorded at once (sms_parts) and never resubmitted;
//   what can repeat is only a part the SMSC may have taken but whose answer we never recorded:
//   after a crash (the dead worker's in-flight parts, resent once when the lease lapses), a link
//   that drops with responses outstanding ('lost' → requeued), or a response timeout (retried).
//   Each such event resends each affected message at most once, and affects at most `windowSize`
//   messages: a message has one outstanding PDU at a time and a worker has at most windowSize
//   messages in flight. tests/sms/outage.test.ts and two-workers.test.ts count exactly this.
// * Secrets. A welcome/OTP body is blanked in the same UPDATE that records the SMSC's acceptance
//   (or the failure/expiry). Log lines carry kind, id, phone, state and ids — never a body of a
//   secret kind.
import { metrics } from '../metrics/index.js';
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/client.js';
import type { SmsKind } from '../db/schema.js';
import type { Logger } from '../shared/logger.js';
import { encodeSms, type SmsPayload } from './encoding.js';
import { smsDelivery as store } from '../sync/index.js';
import { receiptFromPdu, type Receipt } from './receipts.js';
import { octetTlvField, type SmppLink, type SubmitOutcome } from './smpp-link.js';
import type { Dlt } from './dlt.js';
import { ESME_RX_T_APPN, ruleFor, statusLabel } from './smpp-status.js';
import { SECRET_SMS_KINDS } from './texts.js';
import type smpp from 'smpp';

export interface WorkerTuning {
  windowSize: number;
  pollIntervalMs: number;
  leaseMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  maxAttempts: number;
  responseTimeoutMs: number;
  /** A receipt whose part is not recorded yet (another worker between accept and commit) is retried
   *  this often, its deliver_sm_resp held back meanwhile… */
  receiptRetryMs: number;
  /** …this many times, then answered and dropped with a warning. */
  receiptRetries: number;
}

export interface SmsStats {
  accepted: number;
  delivered: number;
  failed: number;
  expired: number;
  /** Put back in the queue without an attempt (not bound, link lost). */
  requeued: number;
  /** Put back after a transient SMPP error or timeout (attempt counted). */
  retried: number;
  reclaimed: number;
  receipts: number;
  unmatchedReceipts: number;
}

const zeroStats = (): SmsStats => ({
  accepted: 0,
  delivered: 0,
  failed: 0,
  expired: 0,
  requeued: 0,
  retried: 0,
  reclaimed: 0,
  receipts: 0,
  unmatchedReceipts: 0,
});

export function newWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

interface Address {
  ton: number;
  npi: number;
  addr: string;
}

/** Alphanumeric sender: TON 5 (alphanumeric), NPI 0. An all-digit sender is an international number. */
export function sourceAddress(source: string): Address {
  const digits = source.replace(/^\+/, '');
  return /^\d+$/.test(digits) ? { ton: 1, npi: 1, addr: digits } : { ton: 5, npi: 0, addr: source };
}

/** E.164 destination: '+' stripped, TON 1 (international), NPI 1 (E.164). */
export function destinationAddress(phone: string): Address {
  return { ton: 1, npi: 1, addr: phone.replace(/^\+/, '') };
}

/**
 * Kinds that ask for an answer ("Reply C to cancel", "Reply START…"): sent from SMS_REPLY_NUMBER
 * when it is set, because an alphanumeric sender cannot be replied to.
 */
const REPLY_INVITING_KINDS: ReadonlySet<SmsKind> = new Set<SmsKind>(['reminder', 'nothing_to_cancel', 'opted_out', 'opted_in', 'help']);

interface AcceptedSend {
  row: store.ClaimedRow;
  token: string;
  lastParts: { partNo: number; messageId: string }[];
  ids: string[];
  settle: (o: { ok: true; value: { owned: boolean; state: 'sent' | 'delivered' | 'failed' } } | { ok: false; err: unknown }) => void;
}

interface PassWrites {
  reclaimed: store.Reclaimed[];
  expired: store.ExpiredRow[];
  claimed: store.ClaimedRow[];
  token: string;
}

interface PendingReceipt {
  receipt: Receipt;
  tries: number;
  /** Sends the held deliver_sm_resp with this status. */
  answer: (status: number) => void;
}

export class SmsWorker {
  readonly workerId: string;
  private readonly stats = zeroStats();
  private readonly inFlight = new Map<number, Promise<void>>();
  private claimSeq = 0;
  private lastRenewAt = 0;
  private lastReclaimAt = 0;
  private lastLoggedId = 0;
  private timer: NodeJS.Timeout | null = null;
  private receiptTimer: NodeJS.Timeout | null = null;
  private pendingReceipts: PendingReceipt[] = [];
  private stopped = false;
  /** Messages the SMSC accepted, waiting for the next pass's commit. */
  private accepted: AcceptedSend[] = [];
  private flushScheduled = false;
  private readonly source: Address;
  private readonly replySource: Address | null;

  constructor(
    private readonly db: Db,
    private readonly link: SmppLink | null,
    private readonly log: Logger,
    private readonly tuning: WorkerTuning,
    sourceAddr: string,
    workerId?: string,
    /** SMS_REPLY_NUMBER: where patients' replies reach MedQ (null: replies are not taken). */
    replyAddr: string | null = null,
    /** India's DLT: every part carries the entity and template ids (null: clinics elsewhere). */
    private readonly dlt: Dlt | null = null,
  ) {
    this.workerId = workerId ?? newWorkerId();
    this.source = sourceAddress(sourceAddr);
    this.replySource = replyAddr ? sourceAddress(replyAddr) : null;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.tuning.pollIntervalMs);
    this.link?.events.on('up', () => this.kick());
    this.kick();
  }

  getStats(): SmsStats {
    return { ...this.stats };
  }

  /** Runs one pass now (safe at any time: a pass is synchronous and starts sends without awaiting them). */
  kick(): void {
    try {
      // A stopping worker still records what the SMSC accepted; it only stops claiming.
      this.pass();
    } catch (err) {
      // A busy or broken database: log, and the next tick tries again. Rows stay where they are.
      this.log.error({ err }, 'sms worker pass failed');
    }
  }

  /**
   * One synchronous pass: the accepted messages waiting to be recorded, leases, reclaim, expiry,
   * then a claim of as many rows as the window has room for. When there are results to record,
   * all of it is ONE transaction (group commit): one fsync for every message the SMSC accepted
   * since the last pass and for the claim of their successors, instead of one for each result and
   * one for each claim (issue 10). The sends of the claimed rows start only after the commit.
   */
  private pass(): number {
    const done = this.accepted.splice(0);
    this.flushScheduled = false;
    if (this.stopped && done.length === 0) return 0;
    const now = Date.now();
    let step: PassWrites;
    if (done.length === 0) step = this.passWrites(now, 0);
    else {
      const outcomes: Array<{ ok: true; value: { owned: boolean; state: 'sent' | 'delivered' | 'failed' } } | { ok: false; err: unknown }> = [];
      try {
        step = this.db.transaction(
          () => {
            outcomes.length = 0;
            for (const d of done) {
              try {
                // A savepoint each: one message's error does not undo the others'.
                outcomes.push({ ok: true, value: store.markSent(this.db, d.row.id, d.token, d.lastParts, d.ids, now) });
              } catch (err) {
                outcomes.push({ ok: false, err });
              }
            }
            try {
              // Its own savepoint: a failing claim must not undo the results recorded above.
              return this.db.transaction(() => this.passWrites(now, done.length));
            } catch (err) {
              this.log.error({ err }, 'sms worker pass failed');
              return { reclaimed: [], expired: [], claimed: [], token: '' };
            }
          },
          { behavior: 'immediate' },
        );
      } catch (err) {
        // Nothing was recorded: each send ends in recover() (requeued, or reclaimed when its lease lapses).
        for (const d of done) d.settle({ ok: false, err });
        throw err;
      }
      done.forEach((d, i) => d.settle(outcomes[i]!));
    }
    for (const r of step.reclaimed) {
      this.stats.reclaimed++;
      this.log.warn({ outboxId: r.id, kind: r.kind, phone: r.phone, state: r.state, reason: r.lastError }, 'sms lease expired; requeued');
    }
    for (const e of step.expired) {
      this.stats.expired++;
      metrics.sms.inc({ kind: e.kind, state: 'expired' });
      this.log.info({ outboxId: e.id, kind: e.kind, phone: e.phone, state: 'expired' }, 'sms expired before it could be sent');
    }
    if (!this.link && !this.stopped) this.logUnsent();
    for (const row of step.claimed) {
      const p = this.send(row, step.token)
        .catch((err: unknown) => this.recover(row, step.token, err))
        .finally(() => {
          this.inFlight.delete(row.id);
          // Next pass on a later turn of the event loop, never in this promise chain: a chain of
          // claim → instant failure → requeue → claim would starve socket events (a hot loop).
          setImmediate(() => this.kick());
        });
      this.inFlight.set(row.id, p);
    }
    return step.claimed.length;
  }

  /** The writes of a pass; `finishing` messages in flight end with this pass (their room is free). */
  private passWrites(now: number, finishing: number): PassWrites {
    const out: PassWrites = { reclaimed: [], expired: [], claimed: [], token: '' };
    if (this.stopped) return out;
    const quarterLease = this.tuning.leaseMs / 4;
    if (this.inFlight.size > 0 && now - this.lastRenewAt >= quarterLease) {
      store.renewLeases(this.db, this.workerId, [...this.inFlight.keys()], now);
      this.lastRenewAt = now;
    }
    if (now - this.lastReclaimAt >= quarterLease) {
      this.lastReclaimAt = now;
      out.reclaimed = store.reclaimExpiredLeases(this.db, [...this.inFlight.keys()], now, this.tuning.leaseMs, this.tuning.maxAttempts);
    }
    out.expired = store.expireOverdue(this.db, now);
    if (!this.link || this.link.state() !== 'up') return out;
    const room = this.tuning.windowSize - this.inFlight.size + finishing;
    if (room <= 0) return out;
    out.token = `${this.workerId}#${++this.claimSeq}`;
    out.claimed = store.claimDue(this.db, out.token, now, room);
    return out;
  }

  /**
   * The SMSC accepted every part: recorded by the next pass, together with whatever else ended
   * meanwhile. The message stays in flight (its lease renewed, its room in the window taken) until
   * that commit, so a crash before it resends at most windowSize messages, as before.
   */
  private recordAccepted(row: store.ClaimedRow, token: string, lastParts: { partNo: number; messageId: string }[], ids: string[]): Promise<{ owned: boolean; state: 'sent' | 'delivered' | 'failed' }> {
    return new Promise((resolve, reject) => {
      this.accepted.push({ row, token, lastParts, ids, settle: (o) => (o.ok ? resolve(o.value) : reject(o.err)) });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After this turn's other responses (a window's worth may arrive in one read).
        setImmediate(() => this.kick());
      }
    });
  }

  /** No SMPP_URL: messages stay queued; each new one is logged once (a secret one by kind only). */
  private logUnsent(): void {
    for (const q of store.queuedAfter(this.db, this.lastLoggedId)) {
      this.lastLoggedId = q.id;
      const text = SECRET_SMS_KINDS.has(q.kind) ? undefined : q.body;
      this.log.info({ outboxId: q.id, kind: q.kind, phone: q.phone, state: 'queued', text }, 'sms kept in the outbox (no SMPP_URL)');
    }
  }

  private rowLog(row: store.ClaimedRow): Logger {
    return this.log.child({ outboxId: row.id, kind: row.kind, phone: row.phone, ...(row.language ? { language: row.language } : {}) });
  }

  private fields(row: store.ClaimedRow, payload: SmsPayload, index: number): Record<string, unknown> {
    const dest = destinationAddress(row.phone);
    const source = this.replySource && REPLY_INVITING_KINDS.has(row.kind) ? this.replySource : this.source;
    return {
      service_type: '',
      source_addr_ton: source.ton,
      source_addr_npi: source.npi,
      source_addr: source.addr,
      dest_addr_ton: dest.ton,
      dest_addr_npi: dest.npi,
      destination_addr: dest.addr,
      esm_class: payload.esmClass,
      protocol_id: 0,
      priority_flag: 0,
      schedule_delivery_time: '',
      // An OTP must not arrive after its code has expired: the SMSC drops it at that time too.
      validity_period: row.expiresAt !== null ? new Date(row.expiresAt) : '',
      registered_delivery: 1,
      replace_if_present_flag: 0,
      data_coding: payload.dataCoding,
      sm_default_msg_id: 0,
      short_message: payload.parts[index],
      ...this.dltFields(row),
    };
  }

  /** The DLT TLVs of a row: the same on every part of its message. */
  private dltFields(row: store.ClaimedRow): Record<string, string> {
    if (!this.dlt) return {};
    const templateId = this.dlt.templateId(row.kind, row.language);
    return {
      [octetTlvField(this.dlt.tlvEntity)]: this.dlt.entityId,
      ...(templateId !== undefined ? { [octetTlvField(this.dlt.tlvTemplate)]: templateId } : {}),
    };
  }

  private async send(row: store.ClaimedRow, token: string): Promise<void> {
    const log = this.rowLog(row);
    const link = this.link!;
    if (row.body === '') {
      store.markFailed(this.db, row.id, token, 'empty body', false);
      this.stats.failed++;
      metrics.sms.inc({ kind: row.kind, state: 'failed' });
      log.warn({ state: 'failed' }, 'sms has an empty body; failed');
      return;
    }
    let payload: SmsPayload;
    try {
      // The concatenation reference comes from the id, so a resend keeps the parts' reference.
      payload = encodeSms(row.body, row.id & 0xff);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      store.markFailed(this.db, row.id, token, reason, false);
      this.stats.failed++;
      metrics.sms.inc({ kind: row.kind, state: 'failed' });
      log.warn({ state: 'failed', reason }, 'sms cannot be encoded; failed');
      return;
    }
    if (this.dlt && !this.dlt.matches(row.kind, row.language, row.body)) {
      // A value longer than a {#var#} (a very long doctor or clinic name): sent, but say why it may not arrive.
      log.warn({ language: row.language ?? this.dlt.defaultLanguage }, 'sms text does not match its DLT template; the operator may drop it');
    }
    const earlier = store.acceptedParts(this.db, row.id);
    const ids: string[] = [];
    const lastParts: { partNo: number; messageId: string }[] = [];
    for (let i = 0; i < payload.parts.length; i++) {
      const partNo = i + 1;
      const prior = earlier.get(partNo);
      if (prior !== undefined) {
        ids.push(prior);
        continue;
      }
      if (row.expiresAt !== null && row.expiresAt <= Date.now()) {
        if (store.expireClaimed(this.db, row.id, token)) {
          this.stats.expired++;
          metrics.sms.inc({ kind: row.kind, state: 'expired' });
        }
        log.info({ state: 'expired' }, 'sms expired before it could be sent');
        return;
      }
      const outcome = await link.submit(this.fields(row, payload, i));
      if (outcome.kind !== 'accepted') {
        this.onSubmitFailure(row, token, outcome, log);
        return;
      }
      ids.push(outcome.messageId);
      if (partNo < payload.parts.length) store.recordPart(this.db, row.id, partNo, outcome.messageId);
      else lastParts.push({ partNo, messageId: outcome.messageId });
    }
    const result = await this.recordAccepted(row, token, lastParts, ids);
    if (!result.owned) {
      log.warn({ messageIds: ids }, 'sms accepted by the SMSC after this worker lost its claim; another worker may send it too');
      return;
    }
    this.stats.accepted++;
    metrics.sms.inc({ kind: row.kind, state: 'sent' });
    if (result.state === 'delivered') this.stats.delivered++;
    log.info(
      { state: result.state, parts: payload.parts.length, dataCoding: payload.dataCoding, messageIds: ids, attempts: row.attempts + 1 },
      'sms accepted by the SMSC',
    );
  }

  private backoff(attempt: number, factor: number): number {
    return Math.min(this.tuning.retryMaxMs, this.tuning.retryBaseMs * factor * 2 ** Math.max(0, attempt - 1));
  }

  private onSubmitFailure(row: store.ClaimedRow, token: string, outcome: Exclude<SubmitOutcome, { kind: 'accepted' }>, log: Logger): void {
    const now = Date.now();
    const attempt = row.attempts + 1;
    switch (outcome.kind) {
      case 'not_sent':
      case 'lost':
        // Not the message's fault: back in the queue without an attempt, sent when bound again.
        store.requeue(this.db, row.id, token, { countAttempt: false, nextAttemptAt: now, lastError: `${outcome.kind}: ${outcome.reason}` });
        this.stats.requeued++;
        metrics.sms.inc({ kind: row.kind, state: 'retried' });
        log.info({ state: 'queued', reason: outcome.reason, outcome: outcome.kind }, 'sms requeued (SMPP not bound)');
        return;
      case 'timeout':
        this.retryOrFail(row, token, attempt, `no submit_sm_resp within ${this.tuning.responseTimeoutMs} ms`, 1, undefined, log);
        return;
      case 'invalid':
        store.markFailed(this.db, row.id, token, `invalid PDU: ${outcome.reason}`, true);
        this.stats.failed++;
        metrics.sms.inc({ kind: row.kind, state: 'failed' });
        log.warn({ state: 'failed', reason: outcome.reason }, 'sms failed: PDU could not be encoded');
        return;
      case 'rejected': {
        const label = statusLabel(outcome.status);
        const rule = ruleFor(outcome.status);
        if (rule.action === 'rebind') {
          store.requeue(this.db, row.id, token, { countAttempt: false, nextAttemptAt: now, lastError: label });
          this.stats.requeued++;
          metrics.sms.inc({ kind: row.kind, state: 'retried' });
          log.warn({ state: 'queued', status: label }, 'SMSC says we are not bound; requeued and rebinding');
          this.link?.recycle(`SMSC answered ${label}`);
          return;
        }
        if (rule.action === 'retry') {
          this.retryOrFail(row, token, attempt, label, rule.delayFactor, rule.maxAttempts, log);
          return;
        }
        store.markFailed(this.db, row.id, token, label, true);
        this.stats.failed++;
        metrics.sms.inc({ kind: row.kind, state: 'failed' });
        log.warn({ state: 'failed', status: label }, 'sms rejected by the SMSC; failed');
        return;
      }
    }
  }

  private retryOrFail(
    row: store.ClaimedRow,
    token: string,
    attempt: number,
    reason: string,
    factor: number,
    ruleMax: number | undefined,
    log: Logger,
  ): void {
    const max = Math.min(ruleMax ?? Infinity, this.tuning.maxAttempts);
    if (attempt >= max) {
      store.markFailed(this.db, row.id, token, `${reason} after ${attempt} attempts`, true);
      this.stats.failed++;
      metrics.sms.inc({ kind: row.kind, state: 'failed' });
      log.warn({ state: 'failed', reason, attempts: attempt }, 'sms failed: transient error persisted');
      return;
    }
    const delay = this.backoff(attempt, factor);
    store.requeue(this.db, row.id, token, { countAttempt: true, nextAttemptAt: Date.now() + delay, lastError: reason });
    this.stats.retried++;
    log.info({ state: 'queued', reason, attempts: attempt, retryInMs: delay }, 'sms will be retried');
  }

  /** A send threw (a database error, most likely): put the row back so it is not stuck 'sending'. */
  private recover(row: store.ClaimedRow, token: string, err: unknown): void {
    this.log.error({ err, outboxId: row.id, kind: row.kind, phone: row.phone }, 'sms send failed unexpectedly; requeueing');
    try {
      store.requeue(this.db, row.id, token, {
        countAttempt: true,
        nextAttemptAt: Date.now() + this.tuning.retryBaseMs,
        lastError: `worker error: ${err instanceof Error ? err.message : String(err)}`,
      });
    } catch {
      // Still failing: the row stays 'sending', its lease is no longer renewed, and it is reclaimed.
    }
  }

  /**
   * deliver_sm from the SMSC → the deliver_sm_resp status. A receipt is written before it is
   * answered. A receipt whose part is not recorded yet (another worker is still between the
   * SMSC's accept and its own commit) is retried for a while and only then answered: if this
   * process dies meanwhile, the unanswered receipt is redelivered by the SMSC, not lost.
   */
  onDeliverSm(pdu: smpp.PDU): number | Promise<number> {
    const receipt = receiptFromPdu(pdu as unknown as Record<string, unknown>);
    if (!receipt) {
      this.log.info({ from: pdu.source_addr, esmClass: pdu.esm_class }, 'inbound SMS ignored');
      return 0;
    }
    try {
      if (this.applyReceipt(receipt)) return 0;
    } catch (err) {
      this.log.error({ err, messageId: receipt.messageId }, 'delivery receipt not stored; asking the SMSC to resend it');
      return ESME_RX_T_APPN;
    }
    return new Promise<number>((answer) => {
      this.pendingReceipts.push({ receipt, tries: 0, answer });
      this.scheduleReceiptRetry();
    });
  }

  private applyReceipt(receipt: Receipt): boolean {
    const res = store.applyReceipt(this.db, receipt, Date.now());
    if (!res.matched) return false;
    this.stats.receipts++;
    if (res.state === 'delivered' && receipt.outcome === 'delivered') this.stats.delivered++;
    if (res.state === 'delivered' && receipt.outcome === 'delivered') metrics.sms.inc({ kind: res.kind, state: 'delivered' });
    this.log.info(
      { outboxId: res.outboxId, kind: res.kind, phone: res.phone, messageId: receipt.messageId, stat: receipt.stat, err: receipt.err, state: res.state },
      'sms delivery receipt',
    );
    return true;
  }

  private scheduleReceiptRetry(): void {
    if (this.receiptTimer || this.stopped) return;
    this.receiptTimer = setTimeout(() => {
      this.receiptTimer = null;
      const waiting = this.pendingReceipts;
      this.pendingReceipts = [];
      for (const p of waiting) {
        try {
          if (this.applyReceipt(p.receipt)) {
            p.answer(0);
            continue;
          }
        } catch (err) {
          this.log.error({ err, messageId: p.receipt.messageId }, 'delivery receipt not stored; asking the SMSC to resend it');
          p.answer(ESME_RX_T_APPN);
          continue;
        }
        if (++p.tries < this.tuning.receiptRetries) this.pendingReceipts.push(p);
        else {
          // Not ours (another system on this account?) or long gone: accept it so the SMSC stops.
          this.stats.unmatchedReceipts++;
          this.log.warn({ messageId: p.receipt.messageId, stat: p.receipt.stat }, 'delivery receipt for an unknown message id; dropped');
          p.answer(0);
        }
      }
      if (this.pendingReceipts.length > 0) this.scheduleReceiptRetry();
    }, this.tuning.receiptRetryMs);
  }

  /**
   * Sends everything due now and waits until those sends have ended. Stops when nothing more is
   * due (or the link is down). Returns what happened during the call.
   */
  async drainOnce(): Promise<SmsStats> {
    const before = this.getStats();
    for (;;) {
      if (this.stopped) break;
      this.kick();
      if (this.inFlight.size === 0) break;
      await Promise.race(this.inFlight.values());
    }
    const after = this.getStats();
    const delta = zeroStats();
    for (const k of Object.keys(delta) as (keyof SmsStats)[]) delta[k] = after[k] - before[k];
    return delta;
  }

  /** Stops claiming, lets the sends in flight end (bounded), then returns. Unfinished rows are requeued. */
  async stop(drainMs: number): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.receiptTimer) clearTimeout(this.receiptTimer);
    this.timer = null;
    this.receiptTimer = null;
    // Receipts held back: answered "temporary error" before the unbind, so the SMSC sends them again.
    for (const p of this.pendingReceipts.splice(0)) p.answer(ESME_RX_T_APPN);
    const all = () => Promise.allSettled([...this.inFlight.values()]);
    let t: NodeJS.Timeout | undefined;
    await Promise.race([all(), new Promise((r) => (t = setTimeout(r, drainMs)))]);
    clearTimeout(t);
  }

  /** After the link has closed (which ends the remaining sends as 'lost' → requeued). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.inFlight.values()]);
  }
}
