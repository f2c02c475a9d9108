// One SMPP transceiver bind that stays up: connect, bind_transceiver, enquire_link keep-alive,
// reconnect with capped exponential back-off for ever, a window of outstanding submit_sm, and
// deliver_sm/data_sm handed to the role. It knows nothing about the outbox.
import { metrics } from '../metrics/index.js';
import { EventEmitter } from 'node:events';
import type { ConnectionOptions } from 'node:tls';
import smpp from 'smpp';
import type { Logger } from '../shared/logger.js';
import { ESME_RTHROTTLED, ESME_RX_T_APPN, statusLabel } from './smpp-status.js';

export interface SmppEndpoint {
  tls: boolean;
  host: string;
  port: number;
  systemId: string;
  password: string;
}

/** `smpp://system_id:password@host:port` (2775 by default) or `ssmpp://…` for TLS (3550). */
export function parseSmppUrl(raw: string): SmppEndpoint {
  const u = new URL(raw);
  if (u.protocol !== 'smpp:' && u.protocol !== 'ssmpp:') throw new Error('SMPP_URL must start with smpp:// or ssmpp://');
  const tls = u.protocol === 'ssmpp:';
  return {
    tls,
    host: u.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: u.port ? Number(u.port) : tls ? 3550 : 2775,
    systemId: decodeURIComponent(u.username),
    password: decodeURIComponent(u.password),
  };
}

export interface SmppLinkOptions {
  /** Outstanding submit_sm at most (the SMSC's window). */
  windowSize: number;
  enquireLinkMs: number;
  /** Wait for a submit_sm_resp / enquire_link_resp this long. */
  responseTimeoutMs: number;
  /** TCP (+TLS) connect and bind must finish within this. */
  connectTimeoutMs: number;
  reconnectBaseMs: number;
  reconnectMaxMs: number;
  /** After ESME_RTHROTTLED, no new submit for this long. */
  throttlePauseMs: number;
  /** Extra TLS options for ssmpp:// (a private CA, for instance). */
  tls?: ConnectionOptions;
}

/** A TLV value sent as plain octets (ASCII, no terminating NUL), the way DLT ids are carried. */
const OCTETS = {
  read: (b: Buffer, offset: number, length = 0) => b.toString('latin1', offset, offset + length),
  write: (v: unknown, b: Buffer, offset: number) => void Buffer.from(String(v), 'latin1').copy(b, offset),
  size: (v: unknown) => Buffer.byteLength(String(v), 'latin1'),
  default: '',
};
const tlvNames = new Map<number, string>();

/** The submit_sm field that carries a vendor-specific TLV with this tag (registered with node-smpp once). */
export function octetTlvField(tag: number): string {
  let name = tlvNames.get(tag);
  if (name === undefined) {
    name = `medq_tlv_0x${tag.toString(16).padStart(4, '0')}`;
    smpp.addTLV(name, { id: tag, type: OCTETS });
    tlvNames.set(tag, name);
  }
  return name;
}

export type SubmitOutcome =
  | { kind: 'accepted'; messageId: string }
  | { kind: 'rejected'; status: number }
  /** The PDU never left: the SMSC has not seen it. */
  | { kind: 'not_sent'; reason: string }
  /** The link dropped while the response was outstanding: the SMSC may have accepted it. */
  | { kind: 'lost'; reason: string }
  | { kind: 'timeout' }
  /** node-smpp could not encode the PDU (a bug or an impossible field). */
  | { kind: 'invalid'; reason: string };

/**
 * Answers a deliver_sm or data_sm (a receipt or a patient's reply) with this command_status
 * (0 = ok; a temporary error makes the SMSC resend).
 * A promise holds the answer back: an SMSC redelivers a deliver_sm that was never answered.
 */
export type DeliverHandler = (pdu: smpp.PDU) => number | Promise<number>;

type Pending = (outcome: SubmitOutcome) => void;

/** ESME_RINVPASWD, ESME_RINVSYSID: the bind names the wrong account. */
const CREDENTIAL_STATUSES: ReadonlySet<number> = new Set([0x0000000e, 0x0000000f]);

export class SmppLink {
  /** 'up' after a successful bind, 'down' when the link is lost. */
  readonly events = new EventEmitter();
  private session: smpp.Session | null = null;
  private bound = false;
  private stopping = false;
  private failures = 0;
  private lastErr: string | null = null;
  private closeReason: string | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private enquireTimer: NodeJS.Timeout | null = null;
  private enquirePending = false;
  private readonly outstanding = new Map<number, Pending>();
  private inUse = 0;
  private waiters: Array<(granted: boolean) => void> = [];
  private pausedUntil = 0;
  private pauseTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly endpoint: SmppEndpoint,
    private readonly opts: SmppLinkOptions,
    private readonly log: Logger,
    private readonly onDeliver: DeliverHandler,
  ) {}

  private get where(): string {
    return `${this.endpoint.host}:${this.endpoint.port}`;
  }

  start(): void {
    this.stopping = false;
    this.connect();
  }

  state(): 'up' | 'down' {
    return this.usable() ? 'up' : 'down';
  }

  /** Bound, and the socket still writable: between a peer's FIN/RST and our 'close' event it is not. */
  private usable(): boolean {
    return this.bound && this.session !== null && this.session.socket.writable;
  }

  /** Why the last bind or connection failed, while the link is down (for /readyz and logs). */
  lastError(): string | null {
    return this.bound ? null : this.lastErr;
  }

  /** Messages whose submit_sm_resp is awaited. */
  outstandingCount(): number {
    return this.outstanding.size;
  }

  private connect(): void {
    if (this.stopping) return;
    this.reconnectTimer = null;
    this.closeReason = null;
    const { host, port, tls } = this.endpoint;
    const session = smpp.connect({ host, port, tls, ...(tls ? this.opts.tls : {}) });
    this.session = session;
    const bindTimer = setTimeout(() => {
      this.closeReason = `no bind within ${this.opts.connectTimeoutMs} ms`;
      session.destroy();
    }, this.opts.connectTimeoutMs);

    // Without an 'error' listener a socket error would end the process.
    session.on('error', (err: Error) => {
      if (this.session === session) this.closeReason ??= err.message;
    });
    session.on('close', () => {
      clearTimeout(bindTimer);
      this.onClose(session);
    });
    session.on(tls ? 'secureConnect' : 'connect', () => this.bind(session, bindTimer));
    session.on('pdu', (pdu: smpp.PDU) => this.onPdu(session, pdu));
  }

  private bind(session: smpp.Session, bindTimer: NodeJS.Timeout): void {
    const pdu = new smpp.PDU('bind_transceiver', {
      system_id: this.endpoint.systemId,
      password: this.endpoint.password,
      system_type: '',
      interface_version: 0x34,
      addr_ton: 0,
      addr_npi: 0,
      address_range: '',
    });
    const sent = session.send(pdu, (resp) => {
      clearTimeout(bindTimer);
      if (this.session !== session) return;
      if (resp.command_status !== 0) {
        const label = statusLabel(resp.command_status);
        this.closeReason = `bind refused: ${label}`;
        // One clear line naming the status; for credentials, what to fix.
        const hint = CREDENTIAL_STATUSES.has(resp.command_status) ? '; check the system_id and password in SMPP_URL' : '';
        this.log.error(
          { smsc: this.where, systemId: this.endpoint.systemId, status: label },
          `SMPP bind_transceiver refused by ${this.where}: ${label}${hint}`,
        );
        session.destroy();
        return;
      }
      this.bound = true;
      this.failures = 0;
      this.lastErr = null;
      this.log.info({ smsc: this.where, systemId: this.endpoint.systemId }, 'SMPP bound as transceiver');
      this.startEnquireLink(session);
      metrics.smppUp.set(1);
      this.events.emit('up');
      this.pump();
    });
    if (!sent) session.destroy();
  }

  private startEnquireLink(session: smpp.Session): void {
    this.enquireTimer = setInterval(() => {
      if (this.session !== session || !this.bound) return;
      if (this.enquirePending) return;
      this.enquirePending = true;
      const timer = setTimeout(() => {
        if (this.session !== session) return;
        this.closeReason = `no enquire_link_resp within ${this.opts.responseTimeoutMs} ms`;
        this.log.warn({ smsc: this.where }, 'SMPP link silent; reconnecting');
        session.destroy();
      }, this.opts.responseTimeoutMs);
      const sent = session.send(new smpp.PDU('enquire_link', {}), () => {
        clearTimeout(timer);
        this.enquirePending = false;
      });
      if (!sent) clearTimeout(timer);
    }, this.opts.enquireLinkMs);
  }

  private onPdu(session: smpp.Session, pdu: smpp.PDU): void {
    if (pdu.isResponse()) return; // handled by the send callbacks
    const reply = (p: smpp.PDU) => {
      if (this.session === session) session.send(p);
    };
    switch (pdu.command) {
      case 'deliver_sm':
      case 'data_sm': {
        // Receipts and patients' replies; answered (deliver_sm_resp / data_sm_resp) once handled.
        const failed = (err: unknown) => {
          this.log.error({ err, pdu: pdu.command }, `${pdu.command} handler failed; asking the SMSC to resend`);
          return ESME_RX_T_APPN;
        };
        let status: number | Promise<number>;
        try {
          status = this.onDeliver(pdu);
        } catch (err) {
          status = failed(err);
        }
        if (typeof status === 'number') reply(pdu.response({ command_status: status }));
        else void status.catch(failed).then((s) => reply(pdu.response({ command_status: s })));
        return;
      }
      case 'enquire_link':
        reply(pdu.response());
        return;
      case 'unbind':
        this.closeReason = 'unbind from the SMSC';
        reply(pdu.response());
        session.close();
        return;
      case 'alert_notification':
      case 'outbind':
        return; // no response is defined for these
      default:
        // Anything else we do not take: say so rather than leave the SMSC waiting.
        reply(pdu.response({ command_status: 0x00000003 /* ESME_RINVCMDID */ }));
    }
  }

  private onClose(session: smpp.Session): void {
    if (this.session !== session) return;
    const wasBound = this.bound;
    this.session = null;
    this.bound = false;
    this.enquirePending = false;
    if (this.enquireTimer) clearInterval(this.enquireTimer);
    this.enquireTimer = null;
    const reason = this.closeReason ?? (wasBound ? 'connection closed by the SMSC' : 'connection closed before bind');
    this.lastErr = reason;
    for (const pending of [...this.outstanding.values()]) pending({ kind: 'lost', reason });
    this.outstanding.clear();
    for (const w of this.waiters.splice(0)) w(false);
    if (wasBound) {
      metrics.smppUp.set(0);
      this.events.emit('down');
      if (!this.stopping) this.log.warn({ smsc: this.where, reason }, 'SMPP link lost');
    }
    if (this.stopping) return;
    const delay = this.backoff();
    // A refused bind already logged its one error line; other failures say why and when we retry.
    if (!reason.startsWith('bind refused')) {
      this.log.warn({ smsc: this.where, reason, retryInMs: delay }, `SMPP not connected (${reason}); retrying`);
    }
    metrics.reconnects.inc({ link: 'smpp' });
    this.reconnectTimer = setTimeout(() => this.connect(), delay);
  }

  /** Capped exponential back-off with jitter, so several workers do not reconnect in step. */
  private backoff(): number {
    const base = Math.min(this.opts.reconnectMaxMs, this.opts.reconnectBaseMs * 2 ** Math.min(this.failures, 30));
    this.failures++;
    return Math.round(base * (0.8 + Math.random() * 0.2));
  }

  /** Drops the connection (the SMSC said we are not bound); the link reconnects by itself. */
  recycle(reason: string): void {
    if (!this.session) return;
    this.closeReason ??= reason;
    this.session.destroy();
  }

  private pump(): void {
    while (this.waiters.length > 0 && this.bound && this.inUse < this.opts.windowSize && Date.now() >= this.pausedUntil) {
      this.inUse++;
      this.waiters.shift()!(true);
    }
    if (this.waiters.length > 0 && Date.now() < this.pausedUntil && !this.pauseTimer) {
      this.pauseTimer = setTimeout(() => {
        this.pauseTimer = null;
        this.pump();
      }, this.pausedUntil - Date.now());
    }
  }

  private acquire(): Promise<boolean> {
    if (!this.usable()) return Promise.resolve(false);
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.pump();
    });
  }

  private release(): void {
    this.inUse--;
    this.pump();
  }

  /** Sends one submit_sm once a window slot is free; resolves with what became of it. */
  async submit(fields: Record<string, unknown>): Promise<SubmitOutcome> {
    if (!(await this.acquire())) return { kind: 'not_sent', reason: 'not bound' };
    const session = this.session;
    if (!session || !this.usable()) {
      this.release();
      return { kind: 'not_sent', reason: 'not bound' };
    }
    return new Promise<SubmitOutcome>((resolve) => {
      let done = false;
      let timer: NodeJS.Timeout | undefined;
      const pdu = new smpp.PDU('submit_sm', fields);
      const stopTimer = metrics.smppSubmit.startTimer();
      const finish: Pending = (outcome) => {
        if (done) return;
        done = true;
        if (outcome.kind === 'accepted' || outcome.kind === 'rejected') stopTimer();
        if (timer) clearTimeout(timer);
        this.outstanding.delete(pdu.sequence_number);
        this.release();
        resolve(outcome);
      };
      let sent: boolean;
      try {
        sent = session.send(pdu, (resp) => {
          if (resp.command_status === 0) {
            finish({ kind: 'accepted', messageId: String(resp.message_id ?? '') });
            return;
          }
          if (resp.command_status === ESME_RTHROTTLED) this.pause(this.opts.throttlePauseMs);
          finish({ kind: 'rejected', status: resp.command_status });
        });
      } catch (err) {
        finish({ kind: 'invalid', reason: err instanceof Error ? err.message : String(err) });
        return;
      }
      if (!sent) {
        finish({ kind: 'not_sent', reason: 'socket not writable' });
        this.recycle('socket not writable');
        return;
      }
      this.outstanding.set(pdu.sequence_number, finish);
      timer = setTimeout(() => finish({ kind: 'timeout' }), this.opts.responseTimeoutMs);
    });
  }

  private pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }

  /** Unbinds politely (bounded wait), closes, and stops reconnecting. Outstanding submits end as 'lost'. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    if (this.pauseTimer) clearTimeout(this.pauseTimer);
    this.pauseTimer = null;
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const hardStop = setTimeout(() => session.destroy(), Math.min(2000, this.opts.responseTimeoutMs));
      session.once('close', () => {
        clearTimeout(hardStop);
        resolve();
      });
      if (session.socket.destroyed) {
        clearTimeout(hardStop);
        resolve();
        return;
      }
      this.closeReason = 'stopping';
      const sent = this.bound && session.send(new smpp.PDU('unbind', {}), () => session.close());
      if (!sent) session.destroy();
    });
  }
}
