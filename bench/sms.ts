// SMS figures: the sms role draining the outbox into a real SMPP peer (node-smpp's server,
// tests/sms/smsc.ts) with a window of 1 and of 10 outstanding submit_sm. Each message is checked
// to have reached the peer once.
import { startSmsRole } from '../src/sms/index.js';
import { createLogger } from '../src/shared/logger.js';
import { TestSmsc } from '../tests/sms/smsc.js';
import { enqueue, smsConfig, tempDb } from '../tests/sms/helpers.js';
import type { Figures } from './lib/report.js';

export async function benchSms(opts: { messages: number; log?: (line: string) => void }): Promise<Figures> {
  const log = opts.log ?? console.log;
  const figures: Figures = {};
  for (const windowSize of [1, 10]) {
    const t = tempDb();
    const smsc = await TestSmsc.start({ receipt: () => null });
    try {
      const now = new Date();
      for (let i = 0; i < opts.messages; i++) {
        enqueue(t.db, { kind: 'confirmation', phone: `+9198${String(20000000 + i)}`, body: `MedQ: appointment confirmed with Dr Bench on Wed 2 Dec at 10:30. Token B-${i}.` }, now);
      }
      const role = startSmsRole({ db: t.db, config: smsConfig({ SMPP_URL: smsc.url() }), logger: createLogger('silent'), tuning: { windowSize, pollIntervalMs: 50 } });
      try {
        if (!(await role.whenUp(10_000))) throw new Error('the SMPP bind did not come up');
        const started = performance.now();
        let accepted = 0;
        for (let rounds = 0; accepted < opts.messages && rounds < 10_000; rounds++) accepted += (await role.drainOnce()).accepted;
        const seconds = (performance.now() - started) / 1000;
        const distinct = new Set(smsc.submits.map((s) => s.dest)).size;
        const rate = accepted / seconds;
        const name = `sms_submit_per_s_window${windowSize}`;
        figures[name] = {
          value: Math.round(rate),
          unit: 'submits/s',
          note: `${accepted} one-part messages from the outbox to the SMPP peer (node-smpp server on loopback, no added latency), window ${windowSize}; the peer got ${smsc.submits.length} submit_sm for ${distinct} distinct numbers`,
        };
        log(`sms window ${windowSize}: ${rate.toFixed(0)} submits/s (${accepted} accepted, ${smsc.submits.length} received by the peer)`);
      } finally {
        await role.stop();
      }
    } finally {
      await smsc.close();
      t.close();
    }
  }
  figures['sms_submit_per_s_kannel'] = {
    value: null,
    unit: 'submits/s',
    note: 'not measured yet: the Kannel side (Debian kannel: bearerbox + smsbox, sendsms over HTTP into the same peer) was not built in this round',
  };
  return figures;
}
