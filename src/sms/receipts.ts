// Delivery receipts (deliver_sm with esm_class "SMSC delivery receipt") and message-id matching.
// Pure; the worker applies the result to the database.
import { gsmCharsAsBytes } from './encoding.js';

/** esm_class bits 2–5 = 0001: an SMSC delivery receipt (SMPP 3.4 §5.2.12). */
const ESM_CLASS_TYPE_MASK = 0x3c;
const ESM_CLASS_DELIVERY_RECEIPT = 0x04;

export type ReceiptOutcome = 'delivered' | 'failed' | 'pending';

export interface Receipt {
  /** The SMSC message id as the receipt names it (TLV receipted_message_id, else the text's id:). */
  messageId: string;
  /** DELIVRD, UNDELIV, … (from the text, or derived from the message_state TLV). */
  stat: string;
  err: string | null;
  outcome: ReceiptOutcome;
}

const STAT_OUTCOME: Readonly<Record<string, ReceiptOutcome>> = {
  DELIVRD: 'delivered',
  UNDELIV: 'failed',
  REJECTD: 'failed',
  EXPIRED: 'failed',
  DELETED: 'failed',
  ACCEPTD: 'pending',
  ENROUTE: 'pending',
  BUFFRED: 'pending',
  UNKNOWN: 'pending',
};

/** message_state TLV values (SMPP 3.4 §5.2.28) → the receipt text's stat words. */
const MESSAGE_STATE_STAT: Readonly<Record<number, string>> = {
  1: 'ENROUTE',
  2: 'DELIVRD',
  3: 'EXPIRED',
  4: 'DELETED',
  5: 'UNDELIV',
  6: 'ACCEPTD',
  7: 'UNKNOWN',
  8: 'REJECTD',
};

export interface ReceiptText {
  id: string | null;
  stat: string | null;
  err: string | null;
}

/** `id:IIII sub:SSS dlvrd:DDD submit date:… done date:… stat:DDDDDDD err:E text:…` (SMPP 3.4 appendix B). */
export function parseReceiptText(text: string): ReceiptText {
  const field = (name: string) => new RegExp(`(?:^|\\s)${name}:(\\S+)`, 'i').exec(text)?.[1] ?? null;
  return { id: field('id'), stat: field('stat')?.toUpperCase() ?? null, err: field('err') };
}

export function isReceiptPdu(pdu: { esm_class?: unknown }): boolean {
  return typeof pdu.esm_class === 'number' && (pdu.esm_class & ESM_CLASS_TYPE_MASK) === ESM_CLASS_DELIVERY_RECEIPT;
}

/**
 * The receipt text as the SMSC wrote it. node-smpp decodes data_coding 0/1 as GSM 03.38, which
 * turns ASCII `_` into `§` and `@` into `¡`; receipts are ASCII, so map the septets back to bytes.
 */
export function receiptTextOf(pdu: { short_message?: unknown; data_coding?: unknown }): string {
  const sm = pdu.short_message;
  const message: unknown = sm && typeof sm === 'object' && 'message' in sm ? (sm as { message: unknown }).message : sm;
  if (Buffer.isBuffer(message)) return message.toString('latin1');
  if (typeof message !== 'string') return '';
  const coding = typeof pdu.data_coding === 'number' ? pdu.data_coding & 0x0f : 0;
  if (coding !== 0 && coding !== 1) return message;
  return gsmCharsAsBytes(message);
}

/** A receipt from a deliver_sm PDU, or null when it is not a receipt or names no message id. */
export function receiptFromPdu(pdu: Record<string, unknown>): Receipt | null {
  if (!isReceiptPdu(pdu)) return null;
  const text = parseReceiptText(receiptTextOf(pdu));
  const tlvId = typeof pdu.receipted_message_id === 'string' ? pdu.receipted_message_id.trim() : '';
  const messageId = tlvId !== '' ? tlvId : (text.id ?? '');
  if (messageId === '') return null;
  const tlvStat = typeof pdu.message_state === 'number' ? MESSAGE_STATE_STAT[pdu.message_state] : undefined;
  const stat = text.stat ?? tlvStat ?? 'UNKNOWN';
  return { messageId, stat, err: text.err, outcome: STAT_OUTCOME[stat] ?? 'pending' };
}

const HEX = /^[0-9a-f]+$/;
const DECIMAL = /^[0-9]+$/;

/**
 * The form message ids are stored and compared in: trimmed, lower case, and for hex/decimal-looking
 * ids without leading zeros. "00ABC123" from submit_sm_resp and "abc123" in the receipt are one id.
 * UUIDs and other ids keep their shape (lower-cased).
 */
export function canonicalMessageId(id: string): string {
  const s = id.trim().toLowerCase();
  return HEX.test(s) ? s.replace(/^0+(?=.)/, '') : s;
}

/**
 * Ids to look for when a receipt names `id`, best first: the id itself, then (as Jasmin's
 * dlr_msg_id_bases does) its hex↔decimal conversions, for SMSCs that answer submit_sm in one base
 * and write receipts in the other. The worker takes the first that matches, so an exact match
 * always wins over a converted one.
 */
export function messageIdCandidates(id: string): string[] {
  const exact = canonicalMessageId(id);
  const out = [exact];
  if (exact.length <= 40) {
    if (DECIMAL.test(exact)) out.push(BigInt(exact).toString(16));
    if (HEX.test(exact)) out.push(BigInt(`0x${exact}`).toString(10));
  }
  return [...new Set(out)];
}
