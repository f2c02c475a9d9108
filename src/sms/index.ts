// The sms role (SPEC §7): drains the outbox over SMPP. src/main.ts starts it with startSmsRole().
import type { Config } from '../config/index.js';
import type { Db } from '../db/client.js';
import type { Logger } from '../shared/logger.js';
import { createSyncContext, type SyncContext } from '../sync/index.js';
import { handleInboundPdu } from './inbound.js';
import { isReceiptPdu } from './receipts.js';
import { startReminderScheduler } from './reminder-scheduler.js';
import { SmppLink, parseSmppUrl, type SmppLinkOptions } from './smpp-link.js';
import { SmsWorker, type SmsStats, type WorkerTuning } from './worker.js';
import { loadDlt, type Dlt, type DltConfig } from './dlt.js';
import { startRetentionSchedule } from '../sync/retention.js';

export type { SmsStats } from './worker.js';
export type SmppBindState = 'up' | 'down' | 'disabled';

export interface SmsTuning extends WorkerTuning, SmppLinkOptions {
  /** Names this process's claims; default host:pid:random. */
  workerId?: string;
  /** How often the reminder scheduler looks for due reminders. */
  reminderIntervalMs?: number;
}

/** Production defaults. Tests shrink the timings. */
export const DEFAULT_SMS_TUNING: SmsTuning = {
  windowSize: 10,
  pollIntervalMs: 1000,
  leaseMs: 120_000,
  retryBaseMs: 15_000,
  retryMaxMs: 10 * 60_000,
  maxAttempts: 8,
  responseTimeoutMs: 30_000,
  receiptRetryMs: 1_000,
  receiptRetries: 10,
  enquireLinkMs: 30_000,
  connectTimeoutMs: 10_000,
  reconnectBaseMs: 1_000,
  reconnectMaxMs: 30_000,
  throttlePauseMs: 1_000,
  reminderIntervalMs: 30_000,
};

export interface SmsRole {
  /** For /readyz: 'disabled' without SMPP_URL, else whether the transceiver bind is up. */
  state(): SmppBindState;
  /** Why the last bind/connect failed (e.g. "bind refused: ESME_RINVPASWD (0x0000000e)"), null while up. */
  lastBindError(): string | null;
  /** Resolves true once bound (false after timeoutMs, or at once when disabled). */
  whenUp(timeoutMs: number): Promise<boolean>;
  /** Sends everything due now and waits for those sends to end; returns what happened. */
  drainOnce(): Promise<SmsStats>;
  /** Counters since start. */
  stats(): SmsStats;
  /** Queues the reminders due now (what the scheduler does every ~30 s); returns how many. */
  queueReminders(): number;
  readonly workerId: string;
  /** Stops claiming, lets in-flight sends finish (bounded), unbinds, closes. Idempotent. */
  stop(): Promise<void>;
}

export interface StartSmsRoleOptions {
  db: Db;
  config: Pick<
    Config,
    'smppUrl' | 'smppSourceAddr' | 'reminderHours' | 'smsReplyNumber' | 'defaultRegion' | 'clinicBrand' | 'maxActiveAppointments' | 'jwtSecret' | 'otpSmsPerHour' | 'smsCountries'
  > &
    DltConfig;
  /** The checked DLT settings (main.ts checks them before start); loaded from config when omitted. */
  dlt?: Dlt | null;
  logger: Logger;
  tuning?: Partial<SmsTuning>;
  /** The sync context replies and reminders use (its clock decides when a reminder is due). */
  ctx?: SyncContext;
}

export function startSmsRole({ db, config, logger, tuning: overrides, ctx: given, dlt: checked }: StartSmsRoleOptions): SmsRole {
  // Throws a ConfigError (naming the kind and language) when a text does not match its DLT template.
  const dlt = checked === undefined ? loadDlt(config) : checked;
  const ctx = given ?? createSyncContext(db, config);
  const tuning: SmsTuning = { ...DEFAULT_SMS_TUNING, ...overrides };
  // The lease is renewed from the poll loop: it must tick several times per lease.
  tuning.pollIntervalMs = Math.min(tuning.pollIntervalMs, Math.floor(tuning.leaseMs / 4));
  const log = logger.child({ role: 'sms' });

  let worker: SmsWorker | null = null;
  const link = config.smppUrl
    ? new SmppLink(parseSmppUrl(config.smppUrl), tuning, log, (pdu) => {
        // A receipt updates a message's state; anything else is a patient's reply.
        if (isReceiptPdu(pdu as { esm_class?: unknown })) return worker?.onDeliverSm(pdu) ?? 0x64;
        return handleInboundPdu(ctx, pdu, log);
      })
    : null;
  worker = new SmsWorker(db, link, log, tuning, config.smppSourceAddr, tuning.workerId, config.smsReplyNumber, dlt);
  const w = worker;

  if (link) {
    const ep = parseSmppUrl(config.smppUrl!);
    if (!/^\+?\d+$/.test(config.smppSourceAddr) && config.smppSourceAddr.length > 11) {
      log.warn({ source: config.smppSourceAddr }, 'SMPP_SOURCE_ADDR is longer than the 11 characters an alphanumeric sender may have');
    }
    log.info(
      { smsc: `${ep.host}:${ep.port}`, tls: ep.tls, systemId: ep.systemId, workerId: w.workerId, dltEntityId: dlt?.entityId },
      'sms role starting',
    );
    link.start();
  } else {
    log.warn('SMPP_URL is not set: SMS stay in the outbox and are logged, not sent');
  }
  w.start();
  // SPEC §10: the daily clean-up; every sms process checks hourly, job_leases runs it once a day.
  const retention = startRetentionSchedule(db, log, w.workerId);
  const reminders = startReminderScheduler(
    ctx,
    { reminderHours: config.reminderHours, repliesReachUs: config.smsReplyNumber !== null },
    tuning.reminderIntervalMs ?? DEFAULT_SMS_TUNING.reminderIntervalMs!,
    log,
    () => w.kick(),
  );

  let stopping: Promise<void> | null = null;
  return {
    workerId: w.workerId,
    state: () => (link ? link.state() : 'disabled'),
    lastBindError: () => link?.lastError() ?? null,
    whenUp(timeoutMs) {
      if (!link) return Promise.resolve(false);
      if (link.state() === 'up') return Promise.resolve(true);
      return new Promise((resolve) => {
        const onUp = () => {
          clearTimeout(timer);
          resolve(true);
        };
        const timer = setTimeout(() => {
          link.events.off('up', onUp);
          resolve(false);
        }, timeoutMs);
        link.events.once('up', onUp);
      });
    },
    drainOnce: () => w.drainOnce(),
    stats: () => w.getStats(),
    queueReminders: () => reminders.runOnce(),
    stop() {
      retention.stop();
      stopping ??= (async () => {
        reminders.stop();
        await w.stop(Math.min(tuning.responseTimeoutMs, 5_000));
        await link?.stop();
        await w.settled();
        log.info({ stats: w.getStats() }, 'sms role stopped');
      })();
      return stopping;
    },
  };
}
