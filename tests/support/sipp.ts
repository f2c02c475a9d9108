// SIPp calls over the real SIP trunk (pjsip.conf), for tests that need the network path:
// IP-based trunk identification, caller ID from SIP headers, RFC 4733 keypresses in RTP.
//
// SIPp (Debian package sip-tester) plays RFC 4733 digits from the pcaps it ships
// (/usr/share/sip-tester/dtmf_2833_<key>.pcap). Played as they are, the same key twice carries the
// same RTP timestamp and Asterisk takes the second one for a retransmission of the first, and
// keys out of order step the sequence numbers backwards. So each keypress gets its own copy with
// sequence numbers and timestamps moved forward (rewriteRtpPcap). Pcap play needs root.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freeSippPorts } from './asterisk-ports.js';

const SCENARIO_DIR = fileURLToPath(new URL('./sipp/', import.meta.url));
export const SIPP_PCAP_DIR = '/usr/share/sip-tester';

// ------------------------------------------------------------------------------------------------
// pcap rewriting
// ------------------------------------------------------------------------------------------------

interface PcapLayout {
  littleEndian: boolean;
  /** Bytes before the IPv4 header in each packet. */
  linkHeader: number;
}

function pcapLayout(buf: Buffer): PcapLayout {
  const magic = buf.readUInt32LE(0);
  let littleEndian: boolean;
  if (magic === 0xa1b2c3d4 || magic === 0xa1b23c4d) littleEndian = true;
  else if (magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1) littleEndian = false;
  else throw new Error('not a pcap file (pcapng is not supported)');
  const linkType = littleEndian ? buf.readUInt32LE(20) : buf.readUInt32BE(20);
  const linkHeader = ({ 1: 14, 101: 0, 113: 16, 0: 4 } as Record<number, number>)[linkType];
  if (linkHeader === undefined) throw new Error(`pcap link type ${linkType} not supported`);
  return { littleEndian, linkHeader };
}

function udpChecksum(ip: Buffer, ipHeaderLen: number, udpLen: number): number {
  let sum = 0;
  const add16 = (b: Buffer, off: number): void => {
    sum += (b[off]! << 8) | (b[off + 1] ?? 0);
  };
  for (let i = 12; i < 20; i += 2) add16(ip, i); // source and destination address
  sum += 17 + udpLen; // protocol, UDP length
  const udp = ip.subarray(ipHeaderLen, ipHeaderLen + udpLen);
  for (let i = 0; i < udpLen; i += 2) if (i !== 6) add16(udp, i); // skip the checksum field
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  const c = ~sum & 0xffff;
  return c === 0 ? 0xffff : c;
}

export interface RtpRewrite {
  /** Sequence number of the first RTP packet; the rest keep their distance to it. */
  firstSeq: number;
  /** RTP timestamp of the first RTP packet; the rest keep their distance to it. */
  firstTimestamp: number;
  /** SSRC for every packet (default: keep). */
  ssrc?: number;
}

/**
 * A copy of an RTP pcap with sequence numbers and timestamps moved so that the first packet has
 * `firstSeq`/`firstTimestamp` (IPv4/UDP checksums redone). Returns the copy and the sequence
 * number and timestamp just past it, for chaining keypresses.
 */
export function rewriteRtpPcap(input: Buffer, rw: RtpRewrite): { pcap: Buffer; nextSeq: number; lastTimestamp: number } {
  const out = Buffer.from(input);
  const { littleEndian, linkHeader } = pcapLayout(out);
  const u32 = (off: number): number => (littleEndian ? out.readUInt32LE(off) : out.readUInt32BE(off));
  let off = 24;
  let baseSeq: number | undefined;
  let baseTs: number | undefined;
  let nextSeq = rw.firstSeq;
  let lastTimestamp = rw.firstTimestamp;
  while (off + 16 <= out.length) {
    const incl = u32(off + 8);
    const pkt = out.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    const ip = pkt.subarray(linkHeader);
    if (ip.length < 20 || ip[0]! >> 4 !== 4 || ip[9] !== 17) continue; // IPv4 UDP only
    const ihl = (ip[0]! & 0x0f) * 4;
    const udpLen = ip.readUInt16BE(ihl + 4);
    const rtp = ip.subarray(ihl + 8, ihl + udpLen);
    if (rtp.length < 12 || rtp[0]! >> 6 !== 2) continue; // not RTP v2
    const seq = rtp.readUInt16BE(2);
    const ts = rtp.readUInt32BE(4);
    baseSeq ??= seq;
    baseTs ??= ts;
    const newSeq = (rw.firstSeq + ((seq - baseSeq + 0x10000) & 0xffff)) & 0xffff;
    const newTs = (rw.firstTimestamp + ((ts - baseTs) >>> 0)) >>> 0;
    rtp.writeUInt16BE(newSeq, 2);
    rtp.writeUInt32BE(newTs, 4);
    if (rw.ssrc !== undefined) rtp.writeUInt32BE(rw.ssrc >>> 0, 8);
    nextSeq = Math.max(nextSeq, newSeq + 1) & 0xffff;
    lastTimestamp = newTs;
    // IPv4 header checksum is unchanged (only UDP payload changed); redo the UDP checksum.
    ip.writeUInt16BE(0, ihl + 6);
    ip.writeUInt16BE(udpChecksum(ip, ihl, udpLen), ihl + 6);
  }
  if (baseSeq === undefined) throw new Error('no RTP packets in the pcap');
  return { pcap: out, nextSeq, lastTimestamp };
}

const KEY_FILE: Record<string, string> = { '*': 'star', '#': 'pound' };

/**
 * One pcap per keypress of `digits` (0-9 * #), from SIPp's RFC 4733 recordings, each with its
 * own sequence numbers and timestamps (2 s of RTP clock apart), written into `dir`. Returns the
 * file paths in keypress order.
 */
export async function writeDtmfPcaps(digits: string, dir: string, pcapDir = SIPP_PCAP_DIR): Promise<string[]> {
  if (!/^[0-9*#]*$/.test(digits)) throw new Error(`SIPp pcaps exist for 0-9 * # only, not '${digits}'`);
  await fs.mkdir(dir, { recursive: true });
  let seq = 1000 + randomBytes(2).readUInt16BE(0) % 20_000;
  let ts = randomBytes(4).readUInt32BE(0) & 0x3fffffff;
  const files: string[] = [];
  for (const [i, key] of [...digits].entries()) {
    const src = readFileSync(path.join(pcapDir, `dtmf_2833_${KEY_FILE[key] ?? key}.pcap`));
    const { pcap, nextSeq, lastTimestamp } = rewriteRtpPcap(src, { firstSeq: seq, firstTimestamp: ts });
    const file = path.join(dir, `key-${String(i).padStart(2, '0')}-${KEY_FILE[key] ?? key}.pcap`);
    await fs.writeFile(file, pcap);
    files.push(file);
    seq = nextSeq;
    ts = (lastTimestamp + 16_000) >>> 0; // 2 s at 8 kHz: well past the event's duration
  }
  return files;
}

// ------------------------------------------------------------------------------------------------
// Running SIPp
// ------------------------------------------------------------------------------------------------

export interface SippCallOptions {
  /** Asterisk's SIP address (default 127.0.0.1) and port (AsteriskInstance.sipPort). */
  host?: string;
  port: number;
  /** Local address SIPp sends from (default 127.0.0.2: the trunk pjsip.conf identifies). */
  from?: string;
  /** The dialled number (Request-URI user). Default '7000'. */
  did?: string;
  /** The caller's number in From (and P-Asserted-Identity); undefined: anonymous. */
  callerId?: string;
  /** Keys pressed after the answer, as RFC 4733 events. */
  digits?: string;
  /** Wait after the answer before the first key (default 1000 ms). */
  firstKeyAfterMs?: number;
  /** Gap from one key's start to the next (default 600 ms; each key lasts about 140 ms). */
  keyGapMs?: number;
  /** Stay on the line after the last key (default 1000 ms). */
  holdMs?: number;
  /**
   * 'caller' (default): SIPp hangs up after holdMs. 'remote': SIPp waits (up to remoteHangupTimeoutMs)
   * for Asterisk to send BYE and answers it.
   */
  hangup?: 'caller' | 'remote';
  remoteHangupTimeoutMs?: number;
  /**
   * 'answer' (default): the call must be answered (uac-dtmf.xml). 'reject': the INVITE must be
   * refused with 401/403/404/488/503 (uac-rejected.xml).
   */
  expect?: 'answer' | 'reject';
  /** Whole run bounded by this (default 60 s). */
  timeoutMs?: number;
  /**
   * Where scenario, pcaps and logs go. Default: a new temp folder, removed after a successful
   * call (kept after a failure, for its logs) unless keepFiles.
   */
  workDir?: string;
  keepFiles?: boolean;
}

export interface SippResult {
  /** SIPp's verdict: exit code 0 (every call successful). */
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  /** SIP status codes SIPp received, in order (e.g. [100, 180, 200, 200] or [100, 401]). */
  responses: number[];
  /** Full message trace (-trace_msg) and unexpected-message log (-trace_err). */
  messageLog: string;
  errorLog: string;
  /** Scenario and logs (the folder is gone after a successful call unless keepFiles/workDir). */
  scenarioFile: string;
  workDir: string;
  command: string[];
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Runs one SIPp call (-m 1) against Asterisk's trunk transport and reports what happened. */
export async function runSippCall(opts: SippCallOptions): Promise<SippResult> {
  const workDir = opts.workDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'medq-sipp-')));
  const from = opts.from ?? '127.0.0.2';
  const expect = opts.expect ?? 'answer';
  const digits = opts.digits ?? '';
  const keyGapMs = opts.keyGapMs ?? 600;
  const remote = (opts.hangup ?? 'caller') === 'remote';

  let scenario: string;
  if (expect === 'answer') {
    const pcaps = await writeDtmfPcaps(digits, path.join(workDir, 'pcap'));
    const keys = pcaps
      .map((f, i) => `  <nop><action><exec play_pcap_audio="${xmlEscape(f)}"/></action></nop>\n  <pause milliseconds="${i === pcaps.length - 1 ? 200 : keyGapMs}"/>`)
      .join('\n');
    const tail = remote
      ? `  <recv request="BYE" timeout="${opts.remoteHangupTimeoutMs ?? 30_000}"/>\n  <send>\n    <![CDATA[\nSIP/2.0 200 OK\n[last_Via:]\n[last_From:]\n[last_To:]\n[last_Call-ID:]\n[last_CSeq:]\nContent-Length: 0\n\n    ]]>\n  </send>`
      : `  <send retrans="500" start_txn="bye">\n    <![CDATA[\nBYE [next_url] SIP/2.0\nVia: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch]\nFrom: "[$callername]" <sip:[$caller]@[$callerhost]>;tag=[pid]SIPpTag00[call_number]\nTo: <sip:[service]@[remote_ip]:[remote_port]>[peer_tag_param]\n[routes]\nCall-ID: [call_id]\nCSeq: 2 BYE\nContact: <sip:[$caller]@[local_ip]:[local_port]>\nMax-Forwards: 70\nContent-Length: 0\n\n    ]]>\n  </send>\n  <recv response="200" response_txn="bye" crlf="true"/>`;
    scenario = (await fs.readFile(path.join(SCENARIO_DIR, 'uac-dtmf.xml'), 'utf8'))
      .replace('<!-- @FIRST_KEY_PAUSE@ -->', `<pause milliseconds="${opts.firstKeyAfterMs ?? 1000}"/>`)
      .replace('<!-- @KEYPRESSES@ -->', keys)
      .replace('<!-- @HOLD@ -->', remote ? '' : `<pause milliseconds="${opts.holdMs ?? 1000}"/>`)
      .replace('<!-- @HANGUP@ -->', tail);
  } else {
    scenario = await fs.readFile(path.join(SCENARIO_DIR, 'uac-rejected.xml'), 'utf8');
  }
  const scenarioFile = path.join(workDir, expect === 'answer' ? 'uac-dtmf.xml' : 'uac-rejected.xml');
  await fs.writeFile(scenarioFile, scenario);

  const { sipPort, mediaPort } = await freeSippPorts(from);
  const caller = opts.callerId ?? 'anonymous';
  const displayName = opts.callerId === undefined ? 'Anonymous' : 'MedQ Test';
  const host = opts.host ?? '127.0.0.1';
  const messageFile = path.join(workDir, 'messages.log');
  const errorFile = path.join(workDir, 'errors.log');
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const command = [
    `${host}:${opts.port}`,
    '-sf', scenarioFile,
    '-i', from,
    '-p', String(sipPort),
    '-mi', from,
    '-mp', String(mediaPort),
    '-s', opts.did ?? '7000',
    '-set', 'caller', caller,
    '-set', 'callername', displayName,
    '-set', 'callerhost', opts.callerId === undefined ? 'anonymous.invalid' : from,
    '-m', '1',
    '-l', '1',
    '-nostdin',
    '-timeout', `${Math.ceil(timeoutMs / 1000)}s`,
    '-timeout_error',
    '-recv_timeout', String(Math.min(timeoutMs, 20_000)),
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', errorFile,
  ];
  const { code, stdout, stderr } = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn('sipp', command, { cwd: workDir, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs + 10_000);
    child.once('error', (e) => {
      clearTimeout(killer);
      resolve({ code: null, stdout: out, stderr: err + String(e) });
    });
    child.once('close', (c) => {
      clearTimeout(killer);
      resolve({ code: c, stdout: out, stderr: err });
    });
  });
  const messageLog = await fs.readFile(messageFile, 'utf8').catch(() => '');
  const errorLog = await fs.readFile(errorFile, 'utf8').catch(() => '');
  const responses = receivedResponses(messageLog);
  if (code === 0 && !opts.workDir && !opts.keepFiles) await fs.rm(workDir, { recursive: true, force: true });
  return { ok: code === 0, exitCode: code, stdout, stderr, responses, messageLog, errorLog, scenarioFile, workDir, command: ['sipp', ...command] };
}

/** Status codes of the SIP responses SIPp received, from its -trace_msg log. */
function receivedResponses(log: string): number[] {
  const codes: number[] = [];
  for (const block of log.split(/\n(?=-{10,})/)) {
    if (!/message received/.test(block)) continue;
    const m = /^SIP\/2\.0 (\d{3})/m.exec(block);
    if (m) codes.push(Number(m[1]));
  }
  return codes;
}
