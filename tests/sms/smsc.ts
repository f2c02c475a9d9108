// A real SMPP peer for the tests: node-smpp's own server on port 0, playing an SMSC. It decodes
// what it receives with node-smpp's decoder (not ours), answers with configurable statuses and
// delays, sends delivery receipts, and can drop every connection and refuse binds for a while.
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';

/** node-smpp's TLV registry: a tag someone registered in this process is decoded under its name. */
const tlvRegistry = (createRequire(import.meta.url)('smpp/lib/defs.js') as { tlvs: Record<string, { id: number }> }).tlvs;

/** The vendor-specific TLVs (0x1400–0x3FFF, e.g. India's DLT ids) of a PDU, as octets read as text. */
function vendorTlvs(pdu: smpp.PDU): Record<number, string> {
  const out: Record<number, string> = {};
  for (const [key, value] of Object.entries(pdu)) {
    // An unregistered tag is kept under its number as raw bytes; a registered one under its name.
    const id = /^\d+$/.test(key) ? Number(key) : tlvRegistry[key]?.id;
    if (id === undefined || id < 0x1400 || id > 0x3fff) continue;
    out[id] = Buffer.isBuffer(value) ? value.toString('latin1') : String(value);
  }
  return out;
}

export interface ReceivedSubmit {
  /** Which bind (connection) it came on. */
  session: number;
  sourceAddr: string;
  sourceTon: number;
  sourceNpi: number;
  dest: string;
  destTon: number;
  destNpi: number;
  esmClass: number;
  dataCoding: number;
  registeredDelivery: number;
  validityPeriod: unknown;
  /** The concatenation IE [0x00, 0x03, ref, total, seq] when the message carries a UDH. */
  udh: Buffer | null;
  /** The text as node-smpp decodes it for this data_coding. */
  text: string;
  /** Vendor-specific optional parameters by tag (DLT entity and template ids). */
  tlvs: Record<number, string>;
  /** The status we answered (undefined: no answer, the connection dropped first). */
  status?: number;
  messageId?: string;
}

export type ReceiptStat = 'DELIVRD' | 'UNDELIV' | 'EXPIRED' | 'REJECTD';

export interface SmscOptions {
  systemId?: string;
  password?: string;
  /** Message ids in submit_sm_resp. */
  idStyle?: 'hex' | 'decimal' | 'uuid';
  /** Receipts name the id as answered, or in the other base (hex ↔ decimal) like some SMSCs. */
  receiptIds?: 'same' | 'other-base';
  /** Put receipted_message_id/message_state TLVs in receipts (else only the text says it). */
  receiptTlvs?: boolean;
  /** Which receipt to send for an accepted submit (null: none). Default: DELIVRD. */
  receipt?: (s: ReceivedSubmit) => ReceiptStat | null;
  /** command_status to answer submit number `n` (0-based, over the server's life). Default 0. */
  respond?: (s: ReceivedSubmit, n: number) => number;
  responseDelayMs?: number;
  /** Serve ssmpp:// (TLS) with this key and certificate. */
  tls?: { key: string; cert: string };
  /** false: ignore enquire_link (a silent, half-dead SMSC). Default true. */
  answerEnquireLink?: boolean;
}

export class TestSmsc {
  readonly submits: ReceivedSubmit[] = [];
  readonly binds: { systemId: string; ok: boolean; status: number }[] = [];
  /** command_status of each deliver_sm_resp the client sent back for our receipts. */
  readonly receiptResponses: number[] = [];
  /** What the client answered to each MO message we sent (deliver_sm_resp / data_sm_resp). */
  readonly moResponses: { command: string; status: number }[] = [];
  enquireLinks = 0;
  private server!: smpp.Server;
  private sessionCount = 0;
  private idCounter = 0;
  private refuseUntil = 0;
  private closed = false;
  private readonly bound = new Map<number, smpp.Session>();
  /** Receipts not yet answered by the client: kept, like a real SMSC, and sent on the next bind. */
  private readonly pendingReceipts = new Map<ReceivedSubmit, { stat: ReceiptStat; onSession: number | null }>();
  port = 0;

  private constructor(private readonly opts: SmscOptions) {}

  static async start(opts: SmscOptions = {}): Promise<TestSmsc> {
    const smsc = new TestSmsc(opts);
    smsc.server = smpp.createServer({ ...opts.tls }, (session) => smsc.onSession(session));
    await new Promise<void>((resolve) => smsc.server.listen(0, '127.0.0.1', resolve));
    smsc.port = (smsc.server.address() as AddressInfo).port;
    return smsc;
  }

  url(systemId = this.opts.systemId ?? 'medq', password = this.opts.password ?? 'secret'): string {
    return `${this.opts.tls ? 'ssmpp' : 'smpp'}://${encodeURIComponent(systemId)}:${encodeURIComponent(password)}@127.0.0.1:${this.port}`;
  }

  private nextId(): string {
    const n = ++this.idCounter;
    switch (this.opts.idStyle ?? 'hex') {
      case 'hex':
        return (0x00a00000 + n).toString(16).toUpperCase().padStart(10, '0'); // "0000A00001": zeros + upper case
      case 'decimal':
        return String(700_000_000 + n);
      case 'uuid':
        return randomUUID();
    }
  }

  private receiptId(id: string): string {
    if ((this.opts.receiptIds ?? 'same') === 'same') return id;
    if (/^\d+$/.test(id)) return BigInt(id).toString(16); // decimal answered, hex in the receipt
    return BigInt(`0x${id}`).toString(10);
  }

  private onSession(session: smpp.Session): void {
    if (this.closed) {
      session.destroy();
      return;
    }
    const sessionNo = ++this.sessionCount;
    let bound = false;
    session.on('error', () => {}); // a client that vanishes must not end the test process
    session.on('close', () => {
      this.bound.delete(sessionNo);
      for (const p of this.pendingReceipts.values()) if (p.onSession === sessionNo) p.onSession = null;
      this.flushReceipts();
    });
    session.on('bind_transceiver', (pdu: smpp.PDU) => {
      const systemId = String(pdu.system_id);
      let status = 0;
      if (Date.now() < this.refuseUntil) status = smpp.errors.ESME_RBINDFAIL!;
      else if (systemId !== (this.opts.systemId ?? 'medq')) status = smpp.errors.ESME_RINVSYSID!;
      else if (pdu.password !== (this.opts.password ?? 'secret')) status = smpp.errors.ESME_RINVPASWD!;
      this.binds.push({ systemId, ok: status === 0, status });
      session.send(pdu.response({ command_status: status, system_id: 'TESTSMSC' }));
      if (status !== 0) session.close();
      else {
        bound = true;
        this.bound.set(sessionNo, session);
        this.flushReceipts();
      }
    });
    session.on('enquire_link', (pdu: smpp.PDU) => {
      this.enquireLinks++;
      if (this.opts.answerEnquireLink ?? true) session.send(pdu.response());
    });
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: smpp.PDU) => {
      if (!bound) {
        session.send(pdu.response({ command_status: smpp.errors.ESME_RINVBNDSTS }));
        return;
      }
      const sm = pdu.short_message as { message: string | Buffer; udh?: Buffer[] };
      const s: ReceivedSubmit = {
        session: sessionNo,
        sourceAddr: String(pdu.source_addr),
        sourceTon: Number(pdu.source_addr_ton),
        sourceNpi: Number(pdu.source_addr_npi),
        dest: String(pdu.destination_addr),
        destTon: Number(pdu.dest_addr_ton),
        destNpi: Number(pdu.dest_addr_npi),
        esmClass: Number(pdu.esm_class),
        dataCoding: Number(pdu.data_coding),
        registeredDelivery: Number(pdu.registered_delivery),
        validityPeriod: pdu.validity_period,
        udh: sm.udh?.find((ie) => ie[0] === 0x00) ?? null,
        text: typeof sm.message === 'string' ? sm.message : sm.message.toString('latin1'),
        tlvs: vendorTlvs(pdu),
      };
      const n = this.submits.length;
      this.submits.push(s);
      const answer = () => {
        const status = this.opts.respond?.(s, n) ?? 0;
        const messageId = status === 0 ? this.nextId() : '';
        if (!session.send(pdu.response({ command_status: status, message_id: messageId }))) return;
        s.status = status;
        if (status !== 0) return;
        s.messageId = messageId;
        const stat = this.opts.receipt ? this.opts.receipt(s) : 'DELIVRD';
        if (stat) {
          this.pendingReceipts.set(s, { stat, onSession: null });
          setTimeout(() => this.flushReceipts(), 5);
        }
      };
      if (this.opts.responseDelayMs) setTimeout(answer, this.opts.responseDelayMs);
      else answer();
    });
  }

  private flushReceipts(): void {
    const session = [...this.bound.entries()][0];
    if (!session) return;
    for (const [s, p] of this.pendingReceipts) {
      if (p.onSession !== null) continue;
      p.onSession = session[0];
      this.sendReceipt(session[1], s, p.stat);
    }
  }

  private sendReceipt(session: smpp.Session, s: ReceivedSubmit, stat: ReceiptStat): void {
    const rid = this.receiptId(s.messageId!);
    const text = `id:${rid} sub:001 dlvrd:${stat === 'DELIVRD' ? '001' : '000'} submit date:2611300800 done date:2611300801 stat:${stat} err:${stat === 'DELIVRD' ? '000' : '001'} text:`;
    const fields: Record<string, unknown> = {
      source_addr_ton: s.destTon,
      source_addr_npi: s.destNpi,
      source_addr: s.dest,
      dest_addr_ton: s.sourceTon,
      dest_addr_npi: s.sourceNpi,
      destination_addr: s.sourceAddr,
      esm_class: 0x04,
      data_coding: 0,
      // Raw ASCII bytes with data_coding 0, as real SMSCs write receipts.
      short_message: Buffer.from(text, 'latin1'),
    };
    if (this.opts.receiptTlvs ?? true) {
      fields.receipted_message_id = rid;
      fields.message_state = { DELIVRD: 2, EXPIRED: 3, UNDELIV: 5, REJECTD: 8 }[stat];
    }
    session.send(new smpp.PDU('deliver_sm', fields), (resp) => {
      this.receiptResponses.push(resp.command_status);
      if (resp.command_status === 0) this.pendingReceipts.delete(s);
      else {
        this.pendingReceipts.get(s)!.onSession = null; // "try later", as an SMSC would
        setTimeout(() => this.flushReceipts(), 200);
      }
    });
  }

  /**
   * A patient's reply (mobile-originated): a real deliver_sm (or data_sm, text in message_payload)
   * from `from` to the bound client, as an SMSC sends it. Resolves with the command_status the
   * client answered, or null when no answer came within `timeoutMs` (or nobody is bound).
   */
  sendMo(
    from: string,
    text: string,
    opts: { command?: 'deliver_sm' | 'data_sm'; ton?: number; to?: string; timeoutMs?: number } = {},
  ): Promise<number | null> {
    const session = [...this.bound.values()][0];
    if (!session) return Promise.resolve(null);
    const command = opts.command ?? 'deliver_sm';
    const ton = opts.ton ?? 1;
    const fields: Record<string, unknown> = {
      source_addr_ton: ton,
      source_addr_npi: 1,
      source_addr: from,
      dest_addr_ton: 1,
      dest_addr_npi: 1,
      destination_addr: opts.to ?? '919000000000',
      esm_class: 0,
      data_coding: 0,
    };
    if (command === 'deliver_sm') fields.short_message = { message: text };
    else {
      fields.service_type = '';
      fields.registered_delivery = 0;
      fields.message_payload = { message: text };
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(null), opts.timeoutMs ?? 10_000);
      const sent = session.send(new smpp.PDU(command, fields), (resp) => {
        clearTimeout(timer);
        this.moResponses.push({ command: resp.command, status: resp.command_status });
        resolve(resp.command_status);
      });
      if (!sent) {
        clearTimeout(timer);
        resolve(null);
      }
    });
  }

  /** Drops every connection now and refuses binds (ESME_RBINDFAIL) for `ms`. */
  outage(ms: number): void {
    this.refuseUntil = Date.now() + ms;
    for (const s of [...this.server.sessions]) s.destroy();
  }

  /** Every received submit's full text, parts put together by their UDH (one entry per part set). */
  messages(): { dest: string; text: string; dataCoding: number; parts: number }[] {
    const out: { dest: string; text: string; dataCoding: number; parts: number }[] = [];
    const groups = new Map<string, ReceivedSubmit[]>();
    for (const s of this.submits) {
      if (!s.udh) {
        out.push({ dest: s.dest, text: s.text, dataCoding: s.dataCoding, parts: 1 });
        continue;
      }
      const key = `${s.dest}/${s.udh[2]}/${s.udh[3]}`;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const parts of groups.values()) {
      const bySeq = new Map(parts.map((p) => [p.udh![4]!, p]));
      const total = parts[0]!.udh![3]!;
      let text = '';
      for (let seq = 1; seq <= total; seq++) text += bySeq.get(seq)?.text ?? '<missing part>';
      out.push({ dest: parts[0]!.dest, text, dataCoding: parts[0]!.dataCoding, parts: total });
    }
    return out;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const s of [...this.server.sessions]) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
