// npm run bench [-- --quick] [-- --only api,sync,...]: every figure of issue 10, each beside its
// baseline measured in the same run, printed as a markdown table and written to
// bench/results/latest.json. A part that cannot run here records its figures as null with the reason.
import { benchApi } from './api.js';
import { benchSync } from './sync.js';
import { benchIvr } from './ivr.js';
import { benchSms } from './sms.js';
import { baselineCheckout } from './lib/baseline.js';
import { markdownTable, writeResults, type Figures } from './lib/report.js';

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const onlyArg = args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? (args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined);
const only = onlyArg ? new Set(onlyArg.split(',')) : null;
const profile = args.includes('--cpu-prof');
// Node flags for the measured app processes (api server, IVR apps): a profile with --cpu-prof, and
// any others from BENCH_NODE_FLAGS (e.g. "--trace-gc" to see the collector's pauses in their logs).
const appNodeFlags = [
  ...(profile ? ['--cpu-prof', `--cpu-prof-dir=${process.cwd()}/bench/results/profiles`] : []),
  ...(process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean),
];
const want = (part: string) => !only || only.has(part);
const baselineCommit = args.find((a) => a.startsWith('--baseline='))?.slice('--baseline='.length);

const figures: Figures = {};
const integrity = { lost: 0, doubleBooked: 0, parts: [] as string[] };
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
      durationMs: quick ? 4500 : 30000,
      connections: 50,
      nodeFlags: appNodeFlags,
      ...(baseline ? { baseline } : {}),
    });
  } finally {
    baseline?.remove();
  }
});

await section('sync', ['booking_commits_per_s_1', 'booking_rows_commits_per_s_1', 'booking_commits_per_s_1_callers', 'booking_commits_per_s_4', 'booking_commits_per_s_4_callers', 'sqlite_bare_commits_per_s', 'phone_lookup_us_1k', 'phone_lookup_us_1m'], async () => {
  const baseline = baselineCommit ? baselineCheckout(baselineCommit, ['sync-writer.ts', 'lib/bench-clinic.ts', 'lib/checkpoint-thread.ts']) : null;
  const lookups = args.find((a) => a.startsWith('--lookups='))?.slice('--lookups='.length);
  const { figures: f, integrity: i } = await benchSync({
    durationMs: quick ? 3000 : 20000,
    lookupSizes: lookups === undefined ? [1000, 1_000_000] : lookups.split(',').filter(Boolean).map(Number),
    ...(baseline ? { baseline } : {}),
  }).finally(() => baseline?.remove());
  integrity.lost += i.lost;
  integrity.doubleBooked += i.doubleBooked;
  integrity.parts.push('sync');
  return f;
});

await section('sms', ['sms_submit_per_s_window1', 'sms_submit_per_s_window10', 'sms_submit_per_s_kannel'], async () => {
  const baseline = baselineCommit ? baselineCheckout(baselineCommit, ['sms-drain.ts']) : null;
  const messages = Number(args.find((a) => a.startsWith('--sms-messages='))?.slice('--sms-messages='.length) ?? (quick ? 500 : 5000));
  return benchSms({ messages, kannel: !args.includes('--no-kannel'), ...(baseline ? { baseline } : {}) }).finally(() => baseline?.remove());
});

const ivrLevels = args.find((a) => a.startsWith('--ivr-levels='))?.slice('--ivr-levels='.length).split(',').map(Number) ?? (quick ? [1, 50, 100] : [1, 50, 100, 150, 200]);
await section('ivr', ['ivr_concurrent_booking_calls', 'ivr_concurrent_calls_minimal', 'ivr_app_cpu_ratio', 'ivr_key_to_prompt_ms_minimal_p99'], async () => {
  const baseline = baselineCommit ? baselineCheckout(baselineCommit, ['ivr-app.ts', 'lib/loop-delay.ts', 'lib/checkpoint-thread.ts']) : null;
  const { figures: f, integrity: i } = await benchIvr({
    levels: ivrLevels,
    nodeFlags: appNodeFlags,
    ...(baseline ? { baseline } : {}),
  }).finally(() => baseline?.remove());
  integrity.lost += i.lost;
  integrity.doubleBooked += i.doubleBooked;
  integrity.parts.push('ivr');
  return f;
});

// A partial run without a booking part leaves the integrity figures of the last run that had one.
if (integrity.parts.length || !only) {
  figures['appointments_lost'] = { value: integrity.lost, unit: 'bookings', note: `bookings reported made but missing from the database, across: ${integrity.parts.join(', ') || 'no booking benchmark ran'}` };
  figures['appointments_double_booked'] = { value: integrity.doubleBooked, unit: 'seats', note: `seats, tokens or caller-doctor-days held twice, across: ${integrity.parts.join(', ') || 'no booking benchmark ran'}` };
}
console.log(`\nintegrity: ${integrity.lost} lost, ${integrity.doubleBooked} double-booked appointments (${integrity.parts.join(', ')})`);

const file = writeResults(figures, { mode: quick ? 'quick' : 'full', seconds: Math.round((Date.now() - started) / 1000), ...(only ? { parts: [...only] } : {}) }, { merge: only !== null });
console.log(`\n${markdownTable(figures)}\n\nwritten to ${file} in ${Math.round((Date.now() - started) / 1000)} s`);
