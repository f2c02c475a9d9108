// MedQ's ivr role in a process of its own for the IVR benchmark (bench/ivr.ts): the real adapter
// (startIvrRole) on a SQLite file, logging at info to stdout as in production. Talks to the bench
// over IPC: 'up' once connected; on 'usage' it answers its CPU time and RSS; 'stop' ends it.
import { loadConfig } from '../src/config/index.js';
import { openDatabase } from '../src/db/client.js';
import { startIvrRole } from '../src/ari/index.js';
import { createLogger } from '../src/shared/logger.js';
import { startCheckpointThreadIfAny } from './lib/checkpoint-thread.js';
import { loopDelaySinceLast } from './lib/loop-delay.js';
import * as sync from '../src/sync/index.js';
const { createSyncContext, observeGroupCommits } = sync;

const [dbPath, ariUrl, ariUser, ariPassword, soundsDir] = process.argv.slice(2) as [string, string, string, string, string];
const config = loadConfig({ NODE_ENV: 'test', MEDQ_DB: dbPath, LOG_LEVEL: 'info' });
const db = openDatabase(dbPath);
// As src/main.ts: WAL checkpoints on their own thread (an older commit run as --baseline has none).
const checkpointer = await startCheckpointThreadIfAny(db);
const ctx = createSyncContext(db, config);
const logger = createLogger('info');
const role = startIvrRole({
  ctx,
  config: { ...config, ariUrl, ariUsername: ariUser, ariPassword, ariApp: 'medq', menuTimeoutMs: 5000 },
  logger,
  soundsDir,
});
// Each booking commit's time (its fsync included), as src/main.ts feeds medq_db_write_group_seconds:
// key 3's prompt waits for it, the minimal app has nothing like it.
let commitMs: number[] = [];
observeGroupCommits((_writes, seconds) => commitMs.push(seconds * 1000));
if (!(await role.whenUp(20_000))) throw new Error('ARI did not come up');
process.send!({ type: 'up' });
process.on('message', async (m: { type: string }) => {
  if (m.type === 'usage') {
    // An older commit run as --baseline (before the temporary passwords' HMAC) kept a stock of
    // argon2-hashed ones: its level's figures include refilling what that level's callers took.
    const stock = (sync as { tempCredentials?: { prime(): Promise<void> } }).tempCredentials;
    if (stock) await stock.prime();
    const c = process.cpuUsage();
    process.send!({ type: 'usage', cpuMs: (c.user + c.system) / 1000, rssMb: process.memoryUsage().rss / 1048576, ...loopDelaySinceLast(), commitMs });
    commitMs = [];
  } else if (m.type === 'stop') {
    await role.stop();
    await checkpointer?.stop();
    db.$client.close();
    process.exit(0);
  }
});
