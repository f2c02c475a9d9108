// Pure pieces of the sms role: GSM/UCS-2 encoding and splitting, receipts, ids, the retry table.
import { describe, expect, it } from 'vitest';
import smpp from 'smpp';
import {
  DATA_CODING_GSM,
  DATA_CODING_UCS2,
  decodeGsm,
  encodeSms,
  gsmLength,
  TextTooLongError,
} from '../../src/sms/encoding.js';
import { canonicalMessageId, messageIdCandidates, parseReceiptText, receiptFromPdu } from '../../src/sms/receipts.js';
import { ruleFor, statusLabel, statusName } from '../../src/sms/smpp-status.js';
import { destinationAddress, sourceAddress } from '../../src/sms/worker.js';
import { parseSmppUrl } from '../../src/sms/smpp-link.js';

const GSM_TEXT = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCXYZÄÖÑÜ§¿abcxyzäöñüà';
const EXTENSION = '\f^{}\\[~]|€';

describe('GSM 03.38', () => {
  it('counts the extension table as two septets', () => {
    expect(gsmLength('abc')).toBe(3);
    expect(gsmLength(EXTENSION)).toBe(20);
    expect(gsmLength('price 10€')).toBe(10);
    expect(gsmLength('नमस्ते')).toBeNull();
    expect(gsmLength('smart ’quote’')).toBeNull();
  });

  it('sends unpacked septets, one per octet, byte-identical to node-smpp’s own GSM encoder', () => {
    const p = encodeSms(GSM_TEXT + EXTENSION, 1);
    expect(p.dataCoding).toBe(DATA_CODING_GSM);
    const theirs = (smpp as unknown as { encodings: { ASCII: { encode(s: string): Buffer } } }).encodings.ASCII.encode(GSM_TEXT + EXTENSION);
    expect(p.parts[0]).toEqual(theirs);
    expect(decodeGsm(p.parts[0]!)).toBe(GSM_TEXT + EXTENSION);
    expect([...encodeSms('[€]', 1).parts[0]!]).toEqual([0x1b, 0x3c, 0x1b, 0x65, 0x1b, 0x3e]);
  });

  it('fits 160 septets in one SMS and splits longer texts into 153-septet parts with a UDH', () => {
    expect(encodeSms('a'.repeat(160), 9).parts).toHaveLength(1);
    const p = encodeSms('a'.repeat(161), 9);
    expect(p.esmClass).toBe(0x40);
    expect(p.parts.map((b) => b.length)).toEqual([6 + 153, 6 + 8]);
    expect([...p.parts[0]!.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 9, 2, 1]);
    expect([...p.parts[1]!.subarray(0, 6)]).toEqual([0x05, 0x00, 0x03, 9, 2, 2]);
    // 400 plain characters → 153 + 153 + 94.
    expect(encodeSms('x'.repeat(400), 300).parts.map((b) => b.length - 6)).toEqual([153, 153, 94]);
    expect(encodeSms('x'.repeat(400), 300).parts[0]![3]).toBe(300 & 0xff);
  });

  it('never splits an escape pair across parts', () => {
    const text = 'a'.repeat(152) + '€' + 'b'.repeat(10); // the € would straddle septets 153/154
    const p = encodeSms(text, 1);
    expect(p.parts[0]!.length - 6).toBe(152);
    expect(p.parts[1]![6]).toBe(0x1b);
    expect(p.parts.map((b) => decodeGsm(b.subarray(6))).join('')).toBe(text);
  });
});

describe('UCS-2', () => {
  it('sends Hindi as UTF-16BE, 70 units in one SMS, 67 per part beyond', () => {
    const hindi = 'नमस्ते, आपकी अपॉइंटमेंट पक्की है';
    const p = encodeSms(hindi, 1);
    expect(p.dataCoding).toBe(DATA_CODING_UCS2);
    expect(p.parts[0]).toEqual(Buffer.from(hindi, 'utf16le').swap16());
    expect(encodeSms('न'.repeat(70), 1).parts).toHaveLength(1);
    const long = encodeSms('न'.repeat(71), 1);
    expect(long.parts.map((b) => (b.length - 6) / 2)).toEqual([67, 4]);
  });

  it('never splits a surrogate pair', () => {
    const text = 'न'.repeat(66) + '😀' + 'न'.repeat(5);
    const p = encodeSms(text, 1);
    expect((p.parts[0]!.length - 6) / 2).toBe(66);
    const back = p.parts.map((b) => Buffer.from(b.subarray(6)).swap16().toString('utf16le')).join('');
    expect(back).toBe(text);
  });

  it('refuses a text of more than 255 parts', () => {
    expect(() => encodeSms('न'.repeat(67 * 255 + 1), 1)).toThrow(TextTooLongError);
  });
});

describe('receipts and message ids', () => {
  it('parses the SMPP 3.4 appendix B receipt text', () => {
    expect(
      parseReceiptText('id:0A1B2C3D sub:001 dlvrd:001 submit date:2611300800 done date:2611300801 stat:DELIVRD err:000 text:Hello'),
    ).toEqual({ id: '0A1B2C3D', stat: 'DELIVRD', err: '000' });
  });

  it('prefers the receipted_message_id TLV, falls back to the text, and maps message_state', () => {
    const text = (id: string, stat: string) => ({ message: `id:${id} sub:001 dlvrd:000 stat:${stat} err:001` });
    expect(receiptFromPdu({ esm_class: 0x04, short_message: text('111', 'UNDELIV'), receipted_message_id: 'abc' })).toMatchObject({
      messageId: 'abc',
      outcome: 'failed',
    });
    expect(receiptFromPdu({ esm_class: 0x04, short_message: text('111', 'DELIVRD') })).toMatchObject({ messageId: '111', outcome: 'delivered' });
    expect(receiptFromPdu({ esm_class: 0x04, short_message: { message: '' }, receipted_message_id: 'x1', message_state: 2 })).toMatchObject({
      stat: 'DELIVRD',
      outcome: 'delivered',
    });
    expect(receiptFromPdu({ esm_class: 0x04, short_message: text('9', 'ENROUTE') })).toMatchObject({ outcome: 'pending' });
    // Not a receipt (an inbound SMS): ignored.
    expect(receiptFromPdu({ esm_class: 0x00, short_message: text('1', 'DELIVRD') })).toBeNull();
    // node-smpp decodes ASCII receipt bytes as GSM ("_" arrives as "§"): undone.
    expect(receiptFromPdu({ esm_class: 0x04, data_coding: 0, short_message: { message: 'id:ab§cd stat:DELIVRD' } })!.messageId).toBe('ab_cd');
  });

  it('normalises ids so hex/decimal and case/zero-padding variants match', () => {
    expect(canonicalMessageId(' 0000A00001 ')).toBe('a00001');
    expect(canonicalMessageId('3F2504E0-4F89-11D3-9A0C-0305E82C3301')).toBe('3f2504e0-4f89-11d3-9a0c-0305e82c3301');
    expect(messageIdCandidates('0000A00001')).toEqual(['a00001', '10485761']);
    expect(messageIdCandidates('700000001')).toEqual(['700000001', '29b92701', '30064771073']);
    expect(messageIdCandidates('not-hex')).toEqual(['not-hex']);
  });
});

describe('SMPP statuses and addresses', () => {
  it('names statuses and keys the retry policy by command_status', () => {
    expect(statusName(0x58)).toBe('ESME_RTHROTTLED');
    expect(statusLabel(0x0b)).toBe('ESME_RINVDSTADR (0x0000000b)');
    expect(statusLabel(0x400)).toBe('status 0x00000400');
    expect(ruleFor(0x58).action).toBe('retry'); // ESME_RTHROTTLED
    expect(ruleFor(0x14).action).toBe('retry'); // ESME_RMSGQFUL
    expect(ruleFor(0x08).action).toBe('retry'); // ESME_RSYSERR
    expect(ruleFor(0x04).action).toBe('rebind'); // ESME_RINVBNDSTS
    expect(ruleFor(0x0b).action).toBe('fail'); // ESME_RINVDSTADR
    expect(ruleFor(0x400).action).toBe('fail'); // unknown vendor code
  });

  it('addresses alphanumeric senders with TON 5 and E.164 destinations with TON 1 / NPI 1', () => {
    expect(sourceAddress('MEDQ')).toEqual({ ton: 5, npi: 0, addr: 'MEDQ' });
    expect(sourceAddress('+919000000000')).toEqual({ ton: 1, npi: 1, addr: '919000000000' });
    expect(destinationAddress('+919999999999')).toEqual({ ton: 1, npi: 1, addr: '919999999999' });
  });

  it('reads SMPP_URL', () => {
    expect(parseSmppUrl('smpp://medq:p%40ss@smsc.example:2776')).toEqual({
      tls: false,
      host: 'smsc.example',
      port: 2776,
      systemId: 'medq',
      password: 'p@ss',
    });
    expect(parseSmppUrl('ssmpp://a:b@[::1]')).toMatchObject({ tls: true, host: '::1', port: 3550 });
  });
});
