// Mobile-originated SMS (a patient's reply): deliver_sm or data_sm that is not a delivery receipt.
// The sender is normalised with DEFAULT_REGION, the reply handled by the sync module in one write
// transaction, and only then answered ESME_ROK; a failed write is answered with a temporary error
// so the SMSC delivers it again (the sync module recognises a redelivery and acts once).
// Log lines name the phone, the command and the outcome, never the text.
import { metrics } from '../metrics/index.js';
import type smpp from 'smpp';
import type { CountryCode } from 'libphonenumber-js';
import { normalizePhone } from '../phone/index.js';
import type { Logger } from '../shared/logger.js';
import { handleReply, type SyncContext } from '../sync/index.js';
import { ESME_RX_T_APPN } from './smpp-status.js';

/** The text node-smpp decoded (short_message, else the message_payload TLV of a data_sm). */
export function moText(pdu: Record<string, unknown>): string {
  for (const field of [pdu.short_message, pdu.message_payload]) {
    const m: unknown = field && typeof field === 'object' && !Buffer.isBuffer(field) && 'message' in field ? (field as { message: unknown }).message : field;
    const text = Buffer.isBuffer(m) ? m.toString('latin1') : typeof m === 'string' ? m : '';
    if (text !== '') return text;
  }
  return '';
}

/** The sender as an E.164 phone, or null. TON 1 (international) means the "+" is implied. */
export function moSender(pdu: Record<string, unknown>, region: CountryCode): string | null {
  let raw = typeof pdu.source_addr === 'string' ? pdu.source_addr.trim() : '';
  if (raw === '') return null;
  if (pdu.source_addr_ton === 1 && !raw.startsWith('+')) raw = `+${raw}`;
  const p = normalizePhone(raw, region);
  return p.ok ? p.phone : null;
}

/** Handles one MO PDU; returns the command_status of its response. */
export function handleInboundPdu(ctx: SyncContext, pdu: smpp.PDU, log: Logger): number {
  const fields = pdu as unknown as Record<string, unknown>;
  const phone = moSender(fields, ctx.region);
  if (!phone) {
    // Nothing can be done for a sender that is no phone number (an alphanumeric sender, say):
    // accept it so the SMSC does not keep delivering it.
    log.info({ command: pdu.command, from: String(fields.source_addr ?? '') }, 'inbound SMS from a sender that is not a phone number; ignored');
    return 0;
  }
  try {
    const r = handleReply(ctx, { phone, text: moText(fields) });
    log.info({ phone, pdu: pdu.command, command: r.command, outcome: r.outcome, appointmentId: r.appointmentId }, 'sms reply handled');
    if (r.outcome === 'cancelled') metrics.cancellations.inc({ channel: 'sms' });
    return 0;
  } catch (err) {
    log.error({ err, phone, pdu: pdu.command }, 'sms reply not stored; asking the SMSC to deliver it again');
    return ESME_RX_T_APPN;
  }
}
