// Top functions (self time) and top packages of a .cpuprofile written by `node --cpu-prof`:
// npx tsx bench/profile-top.ts FILE [N]
import { readFileSync } from 'node:fs';

interface Node { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }
const prof = JSON.parse(readFileSync(process.argv[2]!, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const n = Number(process.argv[3] ?? 25);
const byId = new Map(prof.nodes.map((x) => [x.id, x]));
const self = new Map<number, number>();
prof.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (prof.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);
const fn = new Map<string, number>();
const pkg = new Map<string, number>();
for (const [id, t] of self) {
  const { functionName, url, lineNumber } = byId.get(id)!.callFrame;
  const short = url.replace(/^.*node_modules\//, '').replace(/^file:\/\/.*\/(src|bench|tests)\//, '$1/');
  fn.set(`${functionName || '(anon)'} ${short}:${lineNumber}`, (fn.get(`${functionName || '(anon)'} ${short}:${lineNumber}`) ?? 0) + t);
  const p = url.includes('node_modules/') ? url.replace(/^.*node_modules\/((@[^/]+\/)?[^/]+).*$/, '$1') : url.startsWith('node:') ? 'node:' + url.slice(5).split('/')[0] : url ? url.replace(/^file:\/\/.*\/(src|bench|tests)\/([^/]+).*$/, '$1/$2') : functionName;
  pkg.set(p, (pkg.get(p) ?? 0) + t);
}
const show = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]).slice(0, n).forEach(([k, t]) => console.log(`${((t / total) * 100).toFixed(1).padStart(5)} %  ${k}`));
console.log(`total ${(total / 1e6).toFixed(1)} s sampled\n-- by package`);
show(pkg);
console.log('-- by function');
show(fn);
