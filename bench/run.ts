// npm run bench [-- --quick] [-- --only api,sync,...]: every figure of issue 10, each beside its
// baseline measured in the same run, printed as a markdown table and written to
// bench/results/latest.json. A part that cannot run here records its figures as null with the reason.
import { benchApi } from './api.js';
import { baselineCheckout } from './lib/baseline.js';
import { markdownTable, writeResults, type Figures } from './lib/report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const profile = args.includes('--cpu-prof');
const want = (part: string) => !only || only.has(part);
const baselineCommit = args.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);

const figures: Figures = {};
const started = Date.now();
const section = async (part: string, names: string[], run: () => Promise<Figures>) => {
  if (!want(part)) return;
  console.log(`\n## ${part}`);
  try {
    Object.assign(figures, await run());
  } catch (err) {
    console.error(`${part} failed:`, err);
    for (const n of names) figures[n] ??= { value: null, unit: '', note: `${part} benchmark failed: ${String((err as Error)?.message ?? err).slice(0, 200)}` };
  }
};

await section('api', ['api_bare_fastify_rps', 'api_slots_rps', 'api_me_appointments_rps'], async () => {
  const baseline = baselineCommit ? baselineCheckout(baselineCommit, ['api-server.ts']) : null;
  try {
    return await benchApi({
      durationMs: quick ? 6000 : 30000,
      connections: 50,
      nodeFlags: profile ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}/bench/results/profiles`] : [],
      ...(baseline ? { baseline } : {}),
    });
  } finally {
    baseline?.remove();
  }
});

const file = writeResults(figures, { mode: quick ? 'quick' : 'full', seconds: Math.round((Date.now() - started) / 1000) });
console.log(`\n${markdownTable(figures)}\n\nwritten to ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
