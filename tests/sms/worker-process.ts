// One sms worker as its own OS process, for tests/sms/two-workers.test.ts.
// argv: <sqlite path> <SMPP_URL> <window size> [reminder interval ms] [lease ms]
// stdout: "READY <workerId>" once bound; "STATS {json}" after SIGTERM, then exits 0.
import { pino } from 'pino';
import { loadConfig } from '../../src/config/index.js';
import { openDatabase } from '../../src/db/client.js';
import { startSmsRole } from '../../src/sms/index.js';
import { FAST } from './helpers.js';

const [dbPath, smppUrl, window, reminderEvery, leaseMs] = process.argv.slice(2);
if (!dbPath || !smppUrl) throw new Error('usage: worker-process.ts <db> <smpp-url> [window]');

const db = openDatabase(dbPath);
const config = loadConfig({ NODE_ENV: 'test', SMPP_URL: smppUrl, LOG_LEVEL: 'warn' });
const logger = pino({ level: 'warn' }, pino.destination(2));
const tuning = { ...FAST, windowSize: Number(window ?? 10), ...(reminderEvery && reminderEvery !== '-' ? { reminderIntervalMs: Number(reminderEvery) } : {}), ...(leaseMs ? { leaseMs: Number(leaseMs) } : {}) };
const role = startSmsRole({ db, config, logger, tuning });

if (await role.whenUp(10_000)) process.stdout.write(`READY ${role.workerId}\n`);
else {
  process.stderr.write(`not bound: ${role.lastBindError()}\n`);
  process.exit(2);
}

process.on('SIGTERM', () => {
  void role.stop().then(() => {
    process.stdout.write(`STATS ${JSON.stringify(role.stats())}\n`);
    db.$client.close();
    process.exit(0);
  });
});
