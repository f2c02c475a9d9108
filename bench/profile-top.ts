// Top functions (self time) and top packages of a .cpuprofile written by `node --cpu-prof`:
// npx tsx bench/profile-top.ts FILE [N] [--from=S] [--to=S]
// Percentages are of the busy time (idle left out). --from/--to keep samples S seconds after the
// profile's start (e.g. leave out start-up). "by caller" charges native and node: frames to the
// nearest package or src/ folder on their stack (socket writes to whoever sent them).
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
}
const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, t]) => console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`));
console.log(`busy ${(total / 1e6).toFixed(2)} s sampled (idle left out)\n-- by package (self)`);
show(pkg);
console.log('-- by caller (native and node: frames charged to the nearest package on the stack)');
show(caller);
console.log('-- by function');
show(fn);
