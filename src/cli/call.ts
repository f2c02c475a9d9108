// npm run call -- --from +919999999999 [--did 7000] [--withheld]
//                 [--ari http://127.0.0.1:8088 --user medq --password …] [--app medq-phone-PID]
// A terminal phone into a running stack: places a Local call into [medq-inbound] exactly where a
// trunk call lands, prints each prompt's words as Asterisk starts playing them, and sends every
// key typed (0-9 * #) at once as DTMF. Ctrl-C hangs up; the program ends when the call does.
//
// It speaks ARI with plain fetch and a WebSocket (not ari-client, whose credentials are
// process-wide), under a Stasis app of its own, and watches the IVR's half of the call.
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { openDatabase } from '../db/client.js';
import { configOrExit } from '../shared/cli.js';
import { activeDoctors, createSyncContext, listClinics } from '../sync/index.js';
import { mediaText, NO_NAMES, SpokenLine, type NameBook } from '../ari/phone-text.js';

const USAGE =
  'usage: npm run call -- --from +919999999999 [--did 7000] [--withheld] [--ari http://127.0.0.1:8088] [--user USER] [--password PASS] [--app medq-phone-PID]';

function usage(problem: string): never {
  process.stderr.write(`medq call: ${problem}\n${USAGE}\n`);
  process.exit(64);
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        from: { type: 'string' },
        did: { type: 'string', default: '7000' },
        withheld: { type: 'boolean', default: false },
        ari: { type: 'string' },
        user: { type: 'string' },
        password: { type: 'string' },
        app: { type: 'string' },
        context: { type: 'string', default: 'medq-inbound' },
      },
    }).values;
  } catch (e) {
    usage(e instanceof Error ? e.message : String(e));
  }
}

const opts = parseOptions();
if (!opts.from && !opts.withheld) usage('--from NUMBER (the caller ID) or --withheld is required');
if (!/^[+0-9A-Za-z*#_-]+$/.test(opts.did ?? '')) usage(`--did "${opts.did}" is not a dialable number`);

const config = configOrExit();
// A running `npm run stack` leaves its ARI address and credentials in .stack/stack.json: they are
// the defaults, below the command-line flags, so `npm run call -- --from N` just works against it.
const stack = readStackFile();
if (stack?.db) config.dbPath = stack.db;
const ariUrl = (opts.ari ?? stack?.ariUrl ?? config.ariUrl).replace(/\/+$/, '');
const ariUser = opts.user ?? stack?.ariUser ?? config.ariUsername;
const ariPassword = opts.password ?? stack?.ariPassword ?? config.ariPassword;
const auth = 'Basic ' + Buffer.from(`${ariUser}:${ariPassword}`).toString('base64');

function readStackFile(): { ariUrl?: string; ariUser?: string; ariPassword?: string; db?: string } | null {
  const file = '.stack/stack.json';
  if (!existsSync(file)) return null;
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as { ariUrl?: string; ariUser?: string; ariPassword?: string; db?: string };
  } catch {
    return null;
  }
}
// A name of its own per run: a second terminal phone started just after the first would otherwise
// wait on Asterisk tearing down the first one's registration of the same application.
const app = opts.app ?? `medq-phone-${process.pid}`;
const out = (s: string): boolean => process.stdout.write(s);

/** Clinic and doctor names, to print `sound:medq/doctor-3` as the name (best effort). */
function loadNames(): NameBook {
  if (!existsSync(config.dbPath)) return NO_NAMES;
  try {
    const db = openDatabase(config.dbPath);
    const ctx = createSyncContext(db, config);
    const clinics = listClinics(ctx);
    const book: NameBook = {
      clinics: new Map(clinics.map((c) => [c.id, c.name])),
      doctors: new Map(clinics.flatMap((c) => activeDoctors(ctx, c.id)).map((d) => [d.id, { name: d.name, specialty: d.specialty }])),
    };
    db.$client.close();
    return book;
  } catch {
    return NO_NAMES;
  }
}

async function ari(method: string, path: string, query: Record<string, string> = {}, body?: unknown): Promise<unknown> {
  const url = new URL(`${ariUrl}/ari${path}`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method,
    headers: { authorization: auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(10_000),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`ARI ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

interface AriEvent {
  type: string;
  channel?: { id: string };
  playback?: { id: string; media_uri: string; target_uri: string; state: string; language?: string };
  cause_txt?: string;
}

const names = loadNames();
const callerChannel = randomUUID();
const ivrChannel = randomUUID();
let answered = false;
let ended = false;
const typedAhead: string[] = [];
const lines = new Map<string, SpokenLine>();
let openLine: string | null = null;

function closeLine(): void {
  if (openLine === null) return;
  lines.get(openLine)?.end();
  lines.delete(openLine);
  openLine = null;
  out('\n');
}

function onEvent(ev: AriEvent): void {
  const p = ev.playback;
  if (p && p.target_uri === `channel:${ivrChannel}`) {
    if (ev.type === 'PlaybackStarted') {
      if (openLine !== p.id) {
        closeLine();
        openLine = p.id;
        lines.set(p.id, new SpokenLine(out));
        out('🔊 ');
      }
      lines.get(p.id)!.add(mediaText(p.media_uri, names, p.language || 'en')); // the playback's language
    } else if (ev.type === 'PlaybackFinished' && openLine === p.id) {
      closeLine();
    }
    return;
  }
  const id = ev.channel?.id;
  if (id === callerChannel && ev.type === 'StasisStart') {
    answered = true;
    for (const k of typedAhead.splice(0)) void sendKey(k);
  } else if ((id === callerChannel || id === ivrChannel) && (ev.type === 'ChannelDestroyed' || ev.type === 'StasisEnd')) {
    // Our own hang-up's events can arrive before the DELETE's answer: it is still "hung up".
    if (id === callerChannel || ev.type === 'ChannelDestroyed') finish(hangingUp ?? `call ended${ev.cause_txt ? ` (${ev.cause_txt})` : ''}`, 0);
  }
}

async function sendKey(key: string): Promise<void> {
  if (!answered) {
    typedAhead.push(key);
    return;
  }
  try {
    await ari('POST', `/channels/${callerChannel}/dtmf`, { dtmf: key, duration: '100' });
  } catch (e) {
    if (!ended) process.stderr.write(`\n[key ${key} not sent: ${e instanceof Error ? e.message : String(e)}]\n`);
  }
}

let ws: WebSocket | null = null;
function finish(message: string, code: number): void {
  if (ended) return;
  ended = true;
  closeLine();
  out(`[${message}]\n`);
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.stdin.pause();
  // Close the WebSocket properly (Asterisk logs an abrupt close as a warning), then exit.
  setTimeout(() => process.exit(code), 2000).unref();
  if (ws && ws.readyState === WebSocket.OPEN) {
    ws.once('close', () => process.exit(code));
    ws.close(1000);
  } else {
    process.exit(code);
  }
}

let hangingUp: string | null = null;
async function hangUp(why: string): Promise<void> {
  if (ended || hangingUp) return;
  hangingUp = why;
  try {
    await ari('DELETE', `/channels/${callerChannel}`);
  } catch {
    // already gone
  }
  finish(why, 0);
}

function onKeys(chunk: Buffer | string): void {
  for (const ch of chunk.toString()) {
    if (ch === '\u0003' || ch === '\u0004') {
      void hangUp('hung up');
      return;
    }
    const key = ch.toUpperCase();
    if (/^[0-9*#A-D]$/.test(key)) {
      if (process.stdin.isTTY) out(`⌨${key} `);
      void sendKey(key);
    }
  }
}

async function openEvents(url: URL): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers: { authorization: auth }, handshakeTimeout: 10_000 });
  const failed = await new Promise<Error | null>((resolve) => {
    socket.once('open', () => resolve(null));
    socket.once('error', (e) => resolve(e));
  });
  if (!failed) return socket;
  socket.on('error', () => undefined); // a late second error is not ours to report
  socket.terminate();
  throw new Error(`cannot open the ARI WebSocket at ${url.origin}: ${failed.message}`);
}

async function main(): Promise<void> {
  const wsUrl = new URL(`${ariUrl.replace(/^http/, 'ws')}/ari/events`);
  wsUrl.searchParams.set('app', app);
  ws = await openEvents(wsUrl);
  // Playbacks happen on the IVR's half of the call, which is in the IVR's app, not ours: watch
  // every channel (the half does not exist yet). Never subscribeAll: an app subscribed to all
  // device states can deadlock Asterisk 22's ARI for good when its socket closes while a device
  // state event is on its way to it (res_stasis_device_state joins its subscription under the
  // session lock the event is waiting for); afterwards no ARI app can connect, the clinic's own
  // included. Channel subscriptions end without that join.
  await ari('POST', `/applications/${encodeURIComponent(app)}/subscription`, { eventSource: 'channel:' });
  ws.on('message', (data) => {
    try {
      onEvent(JSON.parse(data.toString()) as AriEvent);
    } catch {
      // not an event
    }
  });
  ws.on('close', () => finish('ARI connection closed', ended ? 0 : 1));

  if (process.stdin.isTTY) process.stdin.setRawMode(true);
  process.stdin.on('data', onKeys);
  process.once('SIGINT', () => void hangUp('hung up'));
  process.once('SIGTERM', () => void hangUp('hung up'));

  const from = opts.withheld ? '' : opts.from!;
  out(`[calling ${opts.did} from ${from || 'a withheld number'} via ${ariUrl}: type keys 0-9 * #, Ctrl-C hangs up]\n`);
  await ari(
    'POST',
    '/channels',
    {
      endpoint: `Local/${opts.did}@${opts.context}/n`,
      app,
      appArgs: 'phone',
      channelId: callerChannel,
      otherChannelId: ivrChannel,
      timeout: '30',
      // The trunk's codec; a Local channel without formats offers slin192.
      formats: 'ulaw',
      ...(from ? { callerId: from } : {}),
    },
    opts.withheld ? { variables: { 'CALLERID(pres)': 'prohib' } } : undefined,
  );
  setTimeout(() => {
    if (!answered) void hangUp('not answered within 30 s');
  }, 30_000).unref();
}

main().catch((e: unknown) => {
  process.stderr.write(`medq call: ${e instanceof Error ? e.message : String(e)}\n`);
  if (process.stdin.isTTY) process.stdin.setRawMode(false);
  process.exit(1);
});
