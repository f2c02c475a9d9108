// Text → SMPP short_message payloads: GSM 03.38 when the text fits it, else UCS-2, split into
// concatenated parts with a UDH when it is longer than one SMS. Pure; no I/O.
//
// GSM is sent UNPACKED: one septet per octet, data_coding 0. SMPP 3.4 carries the SMSC default
// alphabet that way; the SMSC packs septets for the air interface. Jasmin, Kannel and the SMSCs
// we know expect unpacked GSM over SMPP, and node-smpp's own SMSC side decodes data_coding 0 as
// unpacked GSM. Packed septets would be read as garbage by all of them.

/** The GSM 03.38 default alphabet, indexed by septet value. 0x1B (ESC) is not a character. */
const GSM_BASIC =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table: sent as ESC (0x1B) + this septet, so each counts as two. */
const GSM_EXTENSION: ReadonlyMap<string, number> = new Map([
  ['\f', 0x0a],
  ['^', 0x14],
  ['{', 0x28],
  ['}', 0x29],
  ['\\', 0x2f],
  ['[', 0x3c],
  ['~', 0x3d],
  [']', 0x3e],
  ['|', 0x40],
  ['€', 0x65],
]);

const ESC = 0x1b;
const GSM_BASIC_INDEX: ReadonlyMap<string, number> = new Map(
  [...GSM_BASIC].map((ch, i) => [ch, i] as const).filter(([, i]) => i !== ESC),
);
const GSM_EXTENSION_DECODE: ReadonlyMap<number, string> = new Map([...GSM_EXTENSION].map(([ch, s]) => [s, ch]));

export const DATA_CODING_GSM = 0x00;
export const DATA_CODING_UCS2 = 0x08;
/** esm_class bit 6: short_message starts with a User Data Header. */
export const ESM_CLASS_UDHI = 0x40;

export const GSM_SINGLE = 160;
export const GSM_PART = 153; // 160 − 7 septets of UDH
export const UCS2_SINGLE = 70;
export const UCS2_PART = 67; // (140 − 6 octets of UDH) / 2
export const MAX_PARTS = 255;

/** The septets of one character, or null when GSM 03.38 cannot carry it. */
function gsmSeptets(ch: string): number[] | null {
  const basic = GSM_BASIC_INDEX.get(ch);
  if (basic !== undefined) return [basic];
  const ext = GSM_EXTENSION.get(ch);
  return ext === undefined ? null : [ESC, ext];
}

/** Each character's septets (1, or 2 for the extension table), or null if the text needs UCS-2. */
export function gsmCharacters(text: string): number[][] | null {
  const out: number[][] = [];
  for (const ch of text) {
    const s = gsmSeptets(ch);
    if (s === null) return null;
    out.push(s);
  }
  return out;
}

/** Septets the text takes in GSM 03.38 (extension characters count 2), or null if it does not fit. */
export function gsmLength(text: string): number | null {
  const chars = gsmCharacters(text);
  return chars === null ? null : chars.reduce((n, s) => n + s.length, 0);
}

/** Unpacked GSM septets → text (for tests and diagnostics). */
export function decodeGsm(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    if (b === ESC && i + 1 < bytes.length) {
      out += GSM_EXTENSION_DECODE.get(bytes[++i]!) ?? ' ';
    } else {
      out += GSM_BASIC[b & 0x7f] ?? ' ';
    }
  }
  return out;
}

/**
 * Undoes a GSM decoding of bytes that were really ASCII/Latin-1: each default-alphabet character
 * becomes the byte of its septet value (so `§` → `_`, `¡` → `@`); other characters stay.
 */
export function gsmCharsAsBytes(text: string): string {
  let out = '';
  for (const ch of text) {
    const septet = GSM_BASIC_INDEX.get(ch);
    out += septet === undefined ? ch : String.fromCharCode(septet);
  }
  return out;
}

export interface SmsPayload {
  dataCoding: typeof DATA_CODING_GSM | typeof DATA_CODING_UCS2;
  /** 0 for a single SMS, ESM_CLASS_UDHI for concatenated parts. */
  esmClass: number;
  /** One short_message per part, UDH included for concatenated parts. */
  parts: Buffer[];
}

export class TextTooLongError extends Error {
  constructor(parts: number) {
    super(`text needs ${parts} SMS parts; at most ${MAX_PARTS} can be concatenated`);
    this.name = 'TextTooLongError';
  }
}

/** Greedy chunks of whole characters (never splitting an escape pair or a surrogate pair). */
function chunk<T extends { length: number }>(chars: T[], limit: number): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let size = 0;
  for (const c of chars) {
    if (size + c.length > limit) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(c);
    size += c.length;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

/** The UDH of part `seq` of `total`: IEI 0x00 (concatenation, 8-bit reference). */
export function concatUdh(ref: number, total: number, seq: number): Buffer {
  return Buffer.from([0x05, 0x00, 0x03, ref & 0xff, total, seq]);
}

/**
 * Encodes a text for submit_sm. `ref` is the concatenation reference shared by the parts; the
 * worker derives it from the outbox id, so a resend of a message reuses it and the phone can
 * still put the parts together.
 */
export function encodeSms(text: string, ref: number): SmsPayload {
  const gsm = gsmCharacters(text);
  if (gsm !== null) {
    const septets = gsm.reduce((n, s) => n + s.length, 0);
    if (septets <= GSM_SINGLE) return { dataCoding: DATA_CODING_GSM, esmClass: 0, parts: [Buffer.from(gsm.flat())] };
    return withUdh(DATA_CODING_GSM, chunk(gsm, GSM_PART).map((c) => Buffer.from(c.flat())), ref);
  }
  // UCS-2 as UTF-16BE: characters outside the BMP take a surrogate pair (two units), as phones expect.
  const units = [...text].map((ch) => {
    const le = Buffer.from(ch, 'utf16le');
    return Buffer.from(le.swap16());
  });
  const total = units.reduce((n, u) => n + u.length / 2, 0);
  if (total <= UCS2_SINGLE) return { dataCoding: DATA_CODING_UCS2, esmClass: 0, parts: [Buffer.concat(units)] };
  const sized = units.map((u) => ({ bytes: u, length: u.length / 2 }));
  return withUdh(DATA_CODING_UCS2, chunk(sized, UCS2_PART).map((c) => Buffer.concat(c.map((u) => u.bytes))), ref);
}

function withUdh(dataCoding: SmsPayload['dataCoding'], bodies: Buffer[], ref: number): SmsPayload {
  if (bodies.length > MAX_PARTS) throw new TextTooLongError(bodies.length);
  return {
    dataCoding,
    esmClass: ESM_CLASS_UDHI,
    parts: bodies.map((b, i) => Buffer.concat([concatUdh(ref, bodies.length, i + 1), b])),
  };
}
