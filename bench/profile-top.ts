// Top functions (self time) and top packages of a .cpuprofile written by `node --cpu-prof`:
// npx tsx bench/profile-top.ts FILE [N] [--from=S] [--to=S]
// Percentages are of the busy time (idle left out). --from/--to keep samples S seconds after the
// profile's start (e.g. leave out start-up). "by caller" charges native and node: frames to the
// nearest package or src/ folder on their stack (socket writes to whoever sent them); "by area"
// charges each sample to the first area any frame of its stack belongs to. "by area, events cut at
// the dispatch" does the same on the stack cut at src/ari/index.ts's onEvent (where both the old
// ari-client link and the lean one hand an event to the sessions), so the ARI events area is the
// event plumbing alone (framing, parsing, resource objects, emit) and what the sessions do with an
// event, synchronously, goes to its own area (a REST request's socket write, a log line…).
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const args = process.argv.slice(2);
const opt = (name: string) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const [file, topArg] = args.filter((a) => !a.startsWith('--'));
const prof = JSON.parse(readFileSync(file!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[]; startTime: number };
const n = Number(topArg ?? 25);
const from = Number(opt('from') ?? 0) * 1e6;
const to = Number(opt('to') ?? Infinity) * 1e6;
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const parent = new Map<number, number>();
for (const x of prof.nodes) for (const c of x.children ?? []) parent.set(c, x.id);
const self = new Map<number, number>();
let at = 0;
prof.samples.forEach((id, i) => {
  at += prof.timeDeltas[i] ?? 0;
  if (at < from || at > to) return;
  if (byId.get(id)!.callFrame.functionName === '(idle)') return;
  self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0));
});
const total = [...self.values()].reduce((a, b) => a + b, 0);
const pkgOf = (url: string, functionName: string) =>
  url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1') : url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url ? url.replace(/^file:\/\/.*\/(src|bench|tests)\/([^/]+).*$/, '$1/$2') : functionName;
// Areas for the IVR's issue-10 question (how much is ARI plumbing, how much MedQ's own work):
// the first rule any frame of a sample's stack matches.
type Frame = Node['callFrame'];
const AREAS: [string, (stack: Frame[]) => boolean][] = [
  ['ARI events (ari-client processMessage, ws)', (s) => s.some((f) => (f.functionName === 'processMessage' && /ari-client/.test(f.url)) || /node_modules\/ws\//.test(f.url))],
  ['ARI REST (ari-client/swagger/shred or src/ari/rest, node:http)', (s) => s.some((f) => /swagger-client|shred|cookiejar|ari-client|bluebird|src\/ari\/(rest|ops)\./.test(f.url) || /^node:(_http|net)/.test(f.url) || /^(writeLatin1String|btoa)$/.test(f.functionName))],
  ['SQLite (better-sqlite3, drizzle, src/db; what runs inside a transaction)', (s) => s.some((f) => /better-sqlite3|drizzle-orm|src\/db\//.test(f.url))],
  ['luxon outside transactions', (s) => s.some((f) => /luxon/.test(f.url))],
  ['logging (pino, sonic-boom)', (s) => s.some((f) => /pino|sonic-boom/.test(f.url))],
  ['src/ivr (flow, prompts)', (s) => s.some((f) => /src\/ivr\//.test(f.url))],
  ['src/sync, src/booking, src/phone', (s) => s.some((f) => /src\/(sync|booking|phone)\/|libphonenumber/.test(f.url))],
  ['src/ari (sessions, dispatch)', (s) => s.some((f) => /src\/ari\//.test(f.url))],
  ['garbage collector', (s) => s[0]?.functionName === '(garbage collector)'],
];
const EVENT_PLUMBING = (f: Frame) =>
  (f.functionName === 'processMessage' && /ari-client/.test(f.url)) || /node_modules\/ws\//.test(f.url) || /src\/ari\/link\./.test(f.url);
const CUT_AREAS: [string, (stack: Frame[]) => boolean][] = [
  ['ARI events: plumbing up to the dispatch (ws, ari-client processMessage and resources, or src/ari/link)', (s) => s.some(EVENT_PLUMBING)],
  ...AREAS.slice(1),
];
const isDispatch = (f: Frame) => f.functionName === 'onEvent' && /src\/ari\/index\./.test(f.url);
const areaCut = new Map<string, number>();
const area = new Map<string, number>();
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
const caller = new Map<string, number>();
const add = (m: Map<string, number>, k: string, t: number) => m.set(k, (m.get(k) ?? 0) + t);
for (const [id, t] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench|tests)\//, '$1/');
  add(fn, `${functionName || '(anon)'} ${short}:${lineNumber}`, t);
  add(pkg, pkgOf(url, functionName), t);
  let owner = '';
  for (let cur: number | undefined = id; cur !== undefined && !owner; cur = parent.get(cur)) {
    const cf = byId.get(cur)!.callFrame;
    if (cf.url.includes('node_modules/') || /^file:\/\/.*\/(src|bench|tests)\//.test(cf.url)) owner = pkgOf(cf.url, cf.functionName);
  }
  add(caller, owner || `${pkgOf(url, functionName)} (no package on stack)`, t);
  const stack: Frame[] = [];
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(byId.get(cur)!.callFrame);
  add(area, AREAS.find(([, match]) => match(stack))?.[0] ?? 'other', t);
  const d = stack.findIndex(isDispatch);
  const cut = d < 0 ? stack : stack.slice(0, d + 1);
  add(areaCut, CUT_AREAS.find(([, match]) => match(cut))?.[0] ?? 'other', t);
}
const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, t]) => console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`));
console.log(`busy ${(total / 1e6).toFixed(2)} s sampled (idle left out)\n-- by area`);
show(area);
console.log('-- by area, events cut at the dispatch (src/ari/index.ts onEvent)');
show(areaCut);
console.log('-- by package (self)');
show(pkg);
console.log('-- by caller (native and node: frames charged to the nearest package on the stack)');
show(caller);
console.log('-- by function');
show(fn);
