// One MedQ drain of the SMS benchmark (bench/sms.ts), in a process of its own so an older commit's
// code (--baseline) runs the same way: `tsx bench/sms-drain.ts <messages> <window>` fills an outbox
// with one-part messages, drains it with the sms role into node-smpp's server (tests/sms/smsc.ts)
// and prints one JSON line: {accepted, seconds, received, distinct, peerRate}.
import { startSmsRole } from '../src/sms/index.js';
import { createLogger } from '../src/shared/logger.js';
import { TestSmsc } from '../tests/sms/smsc.js';
import { enqueue, smsConfig, tempDb } from '../tests/sms/helpers.js';

const [messages, windowSize] = process.argv.slice(2).map(Number) as [number, number];
const text = (i: number) => `MedQ: appointment confirmed with Dr Bench on Wed 2 Dec at 10:30. Token B-${i}.`;
const phone = (i: number) => `+9198${String(20000000 + i)}`;

const t = tempDb();
const smsc = await TestSmsc.start({ receipt: () => null });
const at: number[] = [];
const push = smsc.submits.push.bind(smsc.submits);
smsc.submits.push = (...items) => {
  for (let k = 0; k < items.length; k++) at.push(performance.now());
  return push(...items);
};
const now = new Date();
for (let i = 0; i < messages; i++) enqueue(t.db, { kind: 'confirmation', phone: phone(i), body: text(i) }, now);
const role = startSmsRole({ db: t.db, config: smsConfig({ SMPP_URL: smsc.url() }), logger: createLogger('silent'), tuning: { windowSize, pollIntervalMs: 50 } });
let result: Record<string, unknown>;
try {
  if (!(await role.whenUp(10_000))) throw new Error('the SMPP bind did not come up');
  const started = performance.now();
  let accepted = 0;
  for (let rounds = 0; accepted < messages && rounds < 10_000; rounds++) accepted += (await role.drainOnce()).accepted;
  const seconds = (performance.now() - started) / 1000;
  const peerRate = at.length < 2 ? null : ((at.length - 1) * 1000) / (at[at.length - 1]! - at[0]!);
  result = { accepted, seconds, received: smsc.submits.length, distinct: new Set(smsc.submits.map((s) => s.dest)).size, peerRate };
} finally {
  await role.stop();
  await smsc.close();
  t.close();
}
console.log(JSON.stringify(result));
process.exit(0);
